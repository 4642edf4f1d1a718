//! The sandbox for scale (issue 5): generated accounts, the rate limit,
//! throttling storms and the IMS credential report emulation.

mod sandbox_support;

use std::collections::HashSet;
use std::num::NonZeroU32;
use std::time::Duration as StdDuration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use ramkey::cloud::model::KeyStatus;
use ramkey::sandbox::{Account, Faults, Generation, ReportSettings, User, generate};
use sandbox_support::{Harness, Reply, Transport};
use serde_json::Value;

const IMS: &str = "2019-08-15";

const HEADER: &str = "user,user_creation_time,user_last_logon,password_exist,password_active,\
password_last_changed,password_next_rotation,mfa_active,access_key_1_exist,access_key_1_active,\
access_key_1_last_rotated,access_key_1_last_used,access_key_2_exist,access_key_2_active,\
access_key_2_last_rotated,access_key_2_last_used";

fn generated(users: u32, flagged_ratio: f64) -> Account {
    generate(Generation {
        users,
        flagged_ratio,
    })
    .unwrap()
}

fn active_keys(user: &User) -> usize {
    user.access_keys
        .iter()
        .filter(|key| key.status == KeyStatus::Active)
        .count()
}

async fn ims(harness: &Harness, action: &str, params: &[(&str, &str)]) -> Reply {
    harness
        .call(&harness.caller(), Transport::PostForm, IMS, action, params)
        .await
}

async fn generate_state(harness: &Harness) -> String {
    let body = ims(harness, "GenerateCredentialReport", &[]).await.ok();
    body["State"].as_str().unwrap().to_owned()
}

/// A page's CSV, decoded.
fn csv_of(body: &Value) -> String {
    let bytes = STANDARD.decode(body["Content"].as_str().unwrap()).unwrap();
    String::from_utf8(bytes).unwrap()
}

/// Generates a report and waits (on the fixed clock) until it is done.
async fn completed_report(harness: &Harness) {
    assert_eq!(generate_state(harness).await, "STARTED");
    harness.advance(Duration::seconds(1));
    assert_eq!(generate_state(harness).await, "COMPLETED");
}

#[test]
fn a_generated_account_has_the_asked_size_and_mix_and_is_always_the_same() {
    let account = generated(10_000, 0.05);
    assert_eq!(account, generated(10_000, 0.05));
    assert_eq!(
        serde_json::to_string(&account).unwrap(),
        serde_json::to_string(&generated(10_000, 0.05)).unwrap(),
        "same arguments, same account"
    );
    assert_ne!(account, generated(10_000, 0.06));
    // It passes the account file's checks, as a file would.
    Account::parse(&serde_json::to_string(&account).unwrap(), "generated").unwrap();

    let caller = account
        .users
        .iter()
        .find(|user| {
            user.access_keys[..]
                .iter()
                .any(|key| key.access_key_id == account.caller_access_key_id)
        })
        .unwrap();
    assert_eq!(caller.user_name, "ramkey-admin");
    assert_eq!(caller.access_keys.len(), 1);

    let users: Vec<&User> = account
        .users
        .iter()
        .filter(|user| user.user_name != caller.user_name)
        .collect();
    assert_eq!(users.len(), 10_000);
    assert_eq!(users[0].user_name, "user-00001");
    assert_eq!(users[9_999].user_name, "user-10000");

    let start = DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000);
    let idle = |key: &ramkey::sandbox::Key| {
        key.last_used_date
            .is_some_and(|used| start - used.resolve(start) > Duration::days(90))
    };
    let flagged: Vec<&&User> = users.iter().filter(|user| active_keys(user) == 2).collect();
    assert_eq!(flagged.len(), 500);
    let with_idle = flagged
        .iter()
        .filter(|u| u.access_keys.iter().any(idle))
        .count();
    let never_used = flagged
        .iter()
        .filter(|u| u.access_keys.iter().any(|key| key.last_used_date.is_none()))
        .count();
    let both_busy = flagged.len() - with_idle - never_used;
    for (kind, count) in [
        ("idle", with_idle),
        ("never used", never_used),
        ("busy", both_busy),
    ] {
        assert!(count > 50, "{count} flagged users of kind {kind}");
    }
    // Spread over the pages, not bunched at the start.
    assert!(flagged.iter().any(|u| u.user_name.as_str() > "user-09000"));

    let mut shapes = HashSet::new();
    for user in users.iter().filter(|user| active_keys(user) < 2) {
        let shape: Vec<KeyStatus> = user.access_keys.iter().map(|key| key.status).collect();
        shapes.insert(format!("{shape:?}"));
    }
    let expected: HashSet<String> = ["[]", "[Active]", "[Inactive, Active]"]
        .iter()
        .map(|&shape| shape.to_owned())
        .collect();
    assert_eq!(shapes, expected);
}

#[tokio::test]
async fn the_caller_of_a_generated_account_can_scan_it() {
    let harness = Harness::with_account(generated(30, 0.1)).await;
    let body = harness.ram("ListUsers", &[("MaxItems", "1000")]).await.ok();
    assert_eq!(body["Users"]["User"].as_array().unwrap().len(), 31);
    let keys = harness
        .ram("ListAccessKeys", &[("UserName", "user-00010")])
        .await
        .ok();
    let key = keys["AccessKeys"]["AccessKey"][0]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    harness
        .ram(
            "GetAccessKeyLastUsed",
            &[("UserName", "user-00010"), ("UserAccessKeyId", &key)],
        )
        .await
        .ok();
    // Read-only: a write is refused.
    harness
        .ram("CreateUser", &[("UserName", "intruder")])
        .await
        .assert_error(403, "NoPermission");
}

#[tokio::test]
async fn the_rate_limit_refuses_above_the_rate_and_counts_only_accepted_requests() {
    let harness = Harness::with_account(generated(5, 0.0)).await;
    harness.sandbox.set_faults(Faults {
        throttle_above_per_second: NonZeroU32::new(3),
        ..Faults::none()
    });
    let get_user = || harness.ram("GetUser", &[("UserName", "user-00001")]);
    for _ in 0..3 {
        get_user().await.ok();
    }
    for _ in 0..5 {
        let refused = get_user().await;
        refused.assert_error(400, "Throttling.User");
        assert_eq!(
            refused.message(),
            "Request was denied due to user flow control."
        );
        assert_eq!(refused.headers["x-acs-retry-after"], "1000");
    }
    // One second later all three places are free: the refusals took none.
    harness.advance(Duration::seconds(1));
    for _ in 0..3 {
        get_user().await.ok();
    }
    get_user().await.assert_error(400, "Throttling.User");

    harness.sandbox.set_faults(Faults {
        throttle_above_per_second: NonZeroU32::new(1),
        omit_retry_after: true,
        ..Faults::none()
    });
    get_user().await.ok();
    let refused = get_user().await;
    refused.assert_error(400, "Throttling.User");
    assert!(refused.headers.get("x-acs-retry-after").is_none());
}

#[tokio::test]
async fn a_storm_throttles_every_call_for_its_length_then_ends() {
    let harness = Harness::with_account(generated(5, 0.0)).await;
    harness.sandbox.set_faults(Faults {
        throttle_all_for: Some(StdDuration::from_secs(10)),
        ..Faults::none()
    });
    for action in ["ListUsers", "GetUser", "ListAccessKeys"] {
        harness
            .ram(action, &[("UserName", "user-00001")])
            .await
            .assert_error(400, "Throttling.User");
    }
    ims(&harness, "GenerateCredentialReport", &[])
        .await
        .assert_error(400, "Throttling.User");
    harness.advance(Duration::milliseconds(9_999));
    harness
        .ram("ListUsers", &[])
        .await
        .assert_error(400, "Throttling.User");
    harness.advance(Duration::milliseconds(1));
    harness.ram("ListUsers", &[]).await.ok();
    let seen = harness.sandbox.requests();
    let throttled = seen.iter().filter(|request| !request.succeeded()).count();
    assert_eq!(throttled, 5);
}

#[tokio::test]
async fn the_report_is_started_then_in_progress_then_completed() {
    let harness = Harness::with_account(generated(20, 0.1)).await;
    harness.sandbox.set_report_settings(ReportSettings {
        generation_time: StdDuration::from_millis(500),
        paging: true,
    });
    let early = ims(&harness, "GetCredentialReport", &[]).await;
    early.assert_error(404, "EntityNotExist.CredentialReport");
    assert_eq!(early.body["HostId"], "ims.aliyuncs.com");

    assert_eq!(generate_state(&harness).await, "STARTED");
    assert_eq!(generate_state(&harness).await, "INPROGRESS");
    ims(&harness, "GetCredentialReport", &[])
        .await
        .assert_error(404, "EntityNotExist.CredentialReport");
    harness.advance(Duration::milliseconds(499));
    assert_eq!(generate_state(&harness).await, "INPROGRESS");
    harness.advance(Duration::milliseconds(1));
    assert_eq!(generate_state(&harness).await, "COMPLETED");

    let first = ims(&harness, "GetCredentialReport", &[]).await.ok();
    let generated_at = first["GeneratedTime"].as_str().unwrap().to_owned();
    assert_eq!(first["IsTruncated"], false);
    assert!(first.get("NextToken").is_none());
    assert_eq!(
        csv_of(&first).lines().count(),
        1 + 1 + 21,
        "header, <root>, users"
    );

    // Within four hours the same report comes back, even after changes.
    harness.advance(Duration::hours(3));
    assert_eq!(generate_state(&harness).await, "COMPLETED");
    let again = ims(&harness, "GetCredentialReport", &[]).await.ok();
    assert_eq!(again["GeneratedTime"], generated_at.as_str());
    assert_eq!(csv_of(&again), csv_of(&first));

    // After four hours a new one is made; the old one serves meanwhile.
    harness.advance(Duration::hours(1));
    assert_eq!(generate_state(&harness).await, "STARTED");
    let meanwhile = ims(&harness, "GetCredentialReport", &[]).await.ok();
    assert_eq!(meanwhile["GeneratedTime"], generated_at.as_str());
    harness.advance(Duration::seconds(1));
    let fresh = ims(&harness, "GetCredentialReport", &[]).await.ok();
    assert_ne!(fresh["GeneratedTime"], generated_at.as_str());
}

#[tokio::test]
async fn report_rows_say_what_each_key_is() {
    let harness = Harness::with_account(generated(40, 0.5)).await;
    completed_report(&harness).await;
    let body = ims(&harness, "GetCredentialReport", &[]).await.ok();
    let csv = csv_of(&body);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(HEADER));
    let root = lines.next().unwrap();
    assert!(root.starts_with("<root>,"), "{root}");

    let account = harness.sandbox.account_snapshot();
    let now = harness.now();
    let wire = |at: DateTime<Utc>| at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut seen = 0;
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 16, "{line}");
        let name = fields[0]
            .strip_suffix("@scale-test.onaliyun.com")
            .unwrap_or_else(|| panic!("a UPN: {line}"));
        if name == "ramkey-admin" {
            // Its key's last use moved on with the calls since the snapshot.
            continue;
        }
        let user = account.users.iter().find(|u| u.user_name == name).unwrap();
        assert_eq!(fields[1], wire(user.create_date.resolve(now)));
        assert_eq!(&fields[2..8], ["-", "FALSE", "N/A", "N/A", "N/A", "FALSE"]);
        let mut keys = user.access_keys.clone();
        keys.sort_by_key(|key| key.create_date.resolve(now));
        for slot in 0..2 {
            let columns = &fields[8 + slot * 4..12 + slot * 4];
            match keys.get(slot) {
                None => assert_eq!(columns, ["FALSE", "N/A", "N/A", "N/A"], "{line}"),
                Some(key) => {
                    let active = if key.status == KeyStatus::Active {
                        "TRUE"
                    } else {
                        "FALSE"
                    };
                    let used = key
                        .last_used_date
                        .map_or_else(|| "-".to_owned(), |used| wire(used.resolve(now)));
                    let expected = ["TRUE", active, &wire(key.create_date.resolve(now)), &used];
                    assert_eq!(columns, expected, "{line}");
                }
            }
        }
        seen += 1;
    }
    assert_eq!(seen, 40);
    assert!(csv.contains(",TRUE,TRUE,"), "two Active keys appear");
    assert!(
        csv.lines().any(|line| line.ends_with(",-")),
        "a key never used shows -"
    );
}

#[tokio::test]
async fn report_pages_follow_next_token_and_each_is_a_whole_csv() {
    let harness = Harness::with_account(generated(250, 0.05)).await;
    completed_report(&harness).await;
    let mut rows = Vec::new();
    let mut token: Option<String> = None;
    let mut sizes = Vec::new();
    loop {
        let mut params = vec![("MaxItems", "100")];
        if let Some(token) = &token {
            params.push(("NextToken", token.as_str()));
        }
        let body = ims(&harness, "GetCredentialReport", &params).await.ok();
        let csv = csv_of(&body);
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some(HEADER), "every page has the header");
        let page: Vec<String> = lines.map(str::to_owned).collect();
        sizes.push(page.len());
        rows.extend(page);
        if body["IsTruncated"] == false {
            assert!(body.get("NextToken").is_none());
            break;
        }
        token = Some(body["NextToken"].as_str().unwrap().to_owned());
        assert!(sizes.len() < 10, "paging never ends");
    }
    assert_eq!(sizes, [100, 100, 52], "<root>, the caller and 250 users");
    let users: HashSet<&str> = rows
        .iter()
        .map(|row| row.split(',').next().unwrap())
        .collect();
    assert_eq!(users.len(), 252, "<root> and every user once");

    for bad in ["0", "3502"] {
        ims(&harness, "GetCredentialReport", &[("MaxItems", bad)])
            .await
            .assert_error(400, "InvalidParameter.MaxItems");
    }
    ims(
        &harness,
        "GetCredentialReport",
        &[("NextToken", "bm90IGEgdG9rZW4=")],
    )
    .await
    .assert_error(400, "InvalidParameter.NextToken");
    let whole = ims(&harness, "GetCredentialReport", &[]).await.ok();
    assert_eq!(
        csv_of(&whole).lines().count(),
        253,
        "default MaxItems is 3501"
    );
}

#[tokio::test]
async fn a_server_without_paging_cuts_the_report_at_3500_users() {
    let harness = Harness::with_account(generated(3_600, 0.05)).await;
    harness.sandbox.set_report_settings(ReportSettings {
        paging: false,
        ..ReportSettings::default()
    });
    completed_report(&harness).await;
    let body = ims(&harness, "GetCredentialReport", &[("MaxItems", "100")])
        .await
        .ok();
    assert_eq!(body["IsTruncated"], false);
    assert!(body.get("NextToken").is_none());
    let csv = csv_of(&body);
    assert_eq!(
        csv.lines().count(),
        1 + 1 + 3_500,
        "header, <root>, 3,500 users"
    );

    harness
        .sandbox
        .set_report_settings(ReportSettings::default());
    let paged = ims(&harness, "GetCredentialReport", &[]).await.ok();
    assert_eq!(paged["IsTruncated"], true, "3,602 rows exceed one page");
}

#[tokio::test]
async fn the_report_needs_its_ram_actions() {
    let mut account = generated(5, 0.0);
    let caller = account
        .users
        .iter_mut()
        .find(|user| user.user_name == "ramkey-admin")
        .unwrap();
    // Left with AliyunRAMReadOnlyAccess: ram:Get* covers GetCredentialReport only.
    caller
        .policies
        .retain(|policy| policy.policy_name != "ramkey-credential-report");
    let harness = Harness::with_account(account).await;
    let refused = ims(&harness, "GenerateCredentialReport", &[]).await;
    refused.assert_error(403, "NoPermission");
    assert!(
        refused
            .message()
            .contains("Action: ram:GenerateCredentialReport Resource: *"),
        "{}",
        refused.message()
    );
    ims(&harness, "GetCredentialReport", &[])
        .await
        .assert_error(404, "EntityNotExist.CredentialReport");
    // IMS actions do not exist in RAM's version.
    harness
        .ram("GenerateCredentialReport", &[])
        .await
        .assert_error(404, "InvalidAction.NotFound");
}

/// `ramkey sandbox` with these flags: how it exited (`None`: it was serving,
/// and was stopped once it had said which switches are on), its stdout
/// lines and its stderr.
fn run_binary(args: &[&str]) -> (Option<std::process::ExitStatus>, Vec<String>, String) {
    use std::io::{BufRead as _, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_ramkey"))
        .arg("sandbox")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ramkey runs");
    let stdout = child.stdout.take().unwrap();
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(3)
        .map_while(Result::ok)
        .collect();
    let mut stderr = String::new();
    // The notes for people come after the three lines; the switches last.
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let Ok(line) = line else { break };
        stderr.push_str(&line);
        stderr.push('\n');
        if line.contains("fault switches on") {
            break;
        }
    }
    let exited = if lines.len() == 3 {
        let _ = child.kill();
        let _ = child.wait();
        None
    } else {
        Some(child.wait().unwrap())
    };
    (exited, lines, stderr)
}

#[test]
fn the_binary_serves_a_generated_account_and_refuses_it_with_an_account_file() {
    let (exited, lines, stderr) = run_binary(&[
        "--users",
        "50",
        "--flagged-ratio",
        "0.2",
        "--max-rps",
        "100",
        "--latency",
        "5",
        "--throttle-storm",
        "1",
        "--no-retry-after",
    ]);
    assert!(exited.is_none(), "{stderr}");
    assert_eq!(
        lines[1],
        "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI5tScaleCaller0000001"
    );
    assert!(stderr.contains("`scale-test`"), "{stderr}");
    for flag in [
        "--throttle-rate 100",
        "--delay-ms 5",
        "--throttle-storm 1",
        "--no-retry-after",
    ] {
        assert!(stderr.contains(flag), "{flag} in {stderr}");
    }

    let (exited, _, stderr) = run_binary(&["--users", "10", "--account", "acme.json"]);
    assert!(!exited.unwrap().success());
    assert!(
        stderr.contains("'--users <N>' cannot be used with '--account <FILE>'"),
        "{stderr}"
    );
    let (exited, _, stderr) = run_binary(&["--users", "10", "--flagged-ratio", "2"]);
    assert!(!exited.unwrap().success());
    assert!(
        stderr.contains("--flagged-ratio 2 is not between 0.0 and 1.0"),
        "{stderr}"
    );
}
