//! The scan at scale (issue 5): the whole scan through BC-06's paging cases,
//! throttling, exemptions, every output format, `--output`, the sources and
//! the binary's quietness when stderr is not a terminal.
//!
//! Accounts are served by the in-process sandbox on 127.0.0.1; the paging
//! variants the sandbox does not produce (an empty truncated page, a Marker
//! repeated, a user on two pages, a Marker of `+/=`) by a loopback test
//! server answering the scan's four actions. No timed assertions.

mod rotation_support;
mod support;

use std::collections::BTreeSet;
use std::num::NonZeroU32;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::sync::{Arc, Mutex};

use ramkey::clock::{Clock as _, SystemClock};
use ramkey::cloud::model::{KeyStatus, PolicyType};
use ramkey::cloud::{Client, ClientConfig, CloudError, Credentials, Endpoints, SignatureVersion};
use ramkey::sandbox::{
    self, Account, AccountDate, Faults, Key, PolicyAttachment, SandboxHandle, Schedule, User,
};
use ramkey::scan::{
    self, Exemptions, Finding, ScanError, ScanObserver, ScanOptions, ScanProgress, Source,
};
use ramkey::secret::Secret;
use rotation_support::World;
use serde_json::{Value, json};
use support::{Received, Reply, TestServer};

/// The BC-06 users holding two Active keys.
const FLAGGED: [usize; 3] = [7, 123, 248];

fn user_name(n: usize) -> String {
    format!("u{n:03}")
}

/// `u000`…`u249`, one Active key each, two for the BC-06 three.
fn bc06_users() -> Vec<User> {
    (0..250)
        .map(|n| {
            let keys = if FLAGGED.contains(&n) { 2 } else { 1 };
            User {
                user_name: user_name(n),
                user_id: format!("30000000000{n:05}"),
                display_name: format!("用户 {n}"),
                comments: String::new(),
                create_date: AccountDate::Ago(chrono::Duration::days(400)),
                access_keys: (0..keys).map(|k| key(n, k)).collect(),
                policies: Vec::new(),
                groups: Vec::new(),
            }
        })
        .collect()
}

fn key(n: usize, k: usize) -> Key {
    Key {
        access_key_id: format!("LTAI-U{n:03}-{k}"),
        access_key_secret: Secret::new(format!("secret-{n}-{k}")),
        status: KeyStatus::Active,
        create_date: AccountDate::Ago(chrono::Duration::days(300 - 10 * i64::try_from(k).unwrap())),
        last_used_date: Some(AccountDate::Ago(chrono::Duration::days(
            1 + 200 * i64::try_from(k).unwrap(),
        ))),
    }
}

/// The demo account (its caller and five flagged users) plus the BC-06
/// users, ListUsers capped at 60 a page whatever `MaxItems` asks.
fn bc06_account() -> Account {
    let mut account = Account::demo();
    account.list_users_page_cap = NonZeroU32::new(60);
    account.users.extend(bc06_users());
    account
}

/// The demo account with the credential report denied to ramkey's own user
/// (an explicit Deny of both report actions), so `--source auto` must fall
/// back to the per-user scan.
fn demo_without_the_report() -> Account {
    let mut account = Account::demo();
    let policy = serde_json::from_value(json!({
        "PolicyName": "no-credential-report",
        "PolicyType": "Custom",
        "PolicyDocument": {"Version": "1", "Statement": [{
            "Effect": "Deny",
            "Action": ["ram:GenerateCredentialReport", "ram:GetCredentialReport"],
            "Resource": "*"
        }]}
    }))
    .unwrap();
    account.policies.push(policy);
    let caller_key = account.caller_access_key_id.clone();
    let caller = account
        .users
        .iter_mut()
        .find(|user| {
            user.access_keys
                .iter()
                .any(|k| k.access_key_id == caller_key)
        })
        .expect("the demo caller is one of its users");
    caller.policies.push(PolicyAttachment {
        policy_name: "no-credential-report".to_owned(),
        policy_type: PolicyType::Custom,
        attach_date: AccountDate::Ago(chrono::Duration::days(1)),
    });
    account
}

/// The demo account's flagged users.
const DEMO_FLAGGED: usize = 6;
/// The demo account's users.
const DEMO_USERS: usize = 33;

/// Everything an observer was told.
#[derive(Default)]
struct Recorder {
    progress: Mutex<Vec<ScanProgress>>,
    found: Mutex<Vec<String>>,
    notes: Mutex<Vec<String>>,
}

impl ScanObserver for Recorder {
    fn progress(&self, progress: &ScanProgress) {
        self.progress.lock().unwrap().push(progress.clone());
    }
    fn found(&self, finding: &Finding) {
        self.found.lock().unwrap().push(finding.user.clone());
    }
    fn note(&self, note: &str) {
        self.notes.lock().unwrap().push(note.to_owned());
    }
}

fn api_options(world: &World) -> ScanOptions {
    ScanOptions::per_user(90, world.clock.now())
}

fn flagged_names(report: &scan::ScanReport) -> Vec<&str> {
    report.flagged.iter().map(|f| f.user.as_str()).collect()
}

// BC-06 through the whole scan.

#[tokio::test(flavor = "multi_thread")]
async fn capped_pages_are_followed_to_the_last_and_every_flagged_user_is_found() {
    let world = World::with_account(bc06_account()).await;
    let recorder = Recorder::default();

    let report = scan::run(&world.client, &api_options(&world), &recorder)
        .await
        .unwrap();

    assert_eq!(report.users_scanned, DEMO_USERS + 250);
    let names = flagged_names(&report);
    for n in FLAGGED {
        assert!(names.contains(&user_name(n).as_str()), "{names:?}");
    }
    assert_eq!(names.len(), DEMO_FLAGGED + FLAGGED.len());
    // Listing order (ListUsers sorts by name), whatever order the checks ended in.
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    // ceil(282 / 60) pages, each asked for 100 and given 60.
    assert_eq!(world.requests_for("ListUsers"), 5);

    let mut found = recorder.found.lock().unwrap().clone();
    found.sort_unstable();
    assert_eq!(
        found, names,
        "each finding is told once, as it is confirmed"
    );
    let progress = recorder.progress.lock().unwrap();
    let last = progress.last().unwrap();
    assert_eq!(last.phase, scan::Phase::Done);
    assert_eq!(last.users_total, Some(DEMO_USERS + 250));
    assert_eq!(last.users_checked, DEMO_USERS + 250);
    assert_eq!(last.flagged, names.len());
    assert_eq!(last.keys_checked, 2 * names.len());
    assert!(
        progress
            .iter()
            .any(|p| p.users_total.is_none() && p.users_listed == 60),
        "the listing's progress is told page by page"
    );
    assert!(report.stats.calls > 282, "{:?}", report.stats);
}

/// A loopback server answering the scan's actions, with ListUsers paged
/// by `pages` (Marker asked → users on the page, next Marker).
fn paging_server(
    pages: impl Fn(Option<&str>) -> (Vec<usize>, Option<&'static str>) + Send + Sync + 'static,
) -> impl Fn(&Received) -> Reply + Send + Sync + 'static {
    move |request| {
        match request.param("Action").as_deref() {
        Some("GetCallerIdentity") => Reply::json(
            &json!({"RequestId": "R", "AccountId": "1968", "Arn": "acs:ram::1968:user/admin",
                    "IdentityType": "RAMUser", "UserId": "1", "PrincipalId": "1"})
            .to_string(),
        ),
        Some("ListUsers") => {
            let (users, marker) = pages(request.param("Marker").as_deref());
            let mut body = json!({
                "RequestId": "R",
                "IsTruncated": marker.is_some(),
                "Users": {"User": users.iter().map(|n| json!({
                    "UserId": format!("id-{n:03}"), "UserName": user_name(*n),
                    "DisplayName": "", "CreateDate": "2015-01-23T12:33:18Z"
                })).collect::<Vec<_>>()},
            });
            if let Some(marker) = marker {
                body["Marker"] = marker.into();
            }
            Reply::json(&body.to_string())
        }
        Some("ListAccessKeys") => {
            let name = request.param("UserName").unwrap();
            let n: usize = name[1..].parse().unwrap();
            let count = if FLAGGED.contains(&n) { 2 } else { 1 };
            let keys: Vec<Value> = (0..count)
                .map(|k| json!({"AccessKeyId": format!("LTAI-{name}-{k}"), "Status": "Active",
                                "CreateDate": "2020-01-01T00:00:00Z"}))
                .collect();
            Reply::json(&json!({"RequestId": "R", "AccessKeys": {"AccessKey": keys}}).to_string())
        }
        Some("GetAccessKeyLastUsed") => Reply::json(
            &json!({"RequestId": "R", "AccessKeyLastUsed": {"LastUsedDate": "2026-10-30T00:00:00Z"}})
                .to_string(),
        ),
        other => Reply::error(400, "InvalidAction.NotFound", &format!("{other:?}")),
    }
    }
}

fn range(from: usize, to: usize) -> Vec<usize> {
    (from..to).collect()
}

async fn scan_server(server: &TestServer) -> Result<scan::ScanReport, ScanError> {
    let options = ScanOptions::per_user(90, support::now());
    scan::run(&server.client(), &options, &scan::Quiet).await
}

#[tokio::test]
async fn bc06_a_an_empty_truncated_page_does_not_end_the_listing() {
    let server = TestServer::start(paging_server(|marker| match marker {
        None => (range(0, 100), Some("m2")),
        Some("m2") => (Vec::new(), Some("m3")),
        Some("m3") => (range(100, 200), Some("m4")),
        _ => (range(200, 250), None),
    }))
    .await;

    let report = scan_server(&server).await.unwrap();

    assert_eq!(report.users_scanned, 250);
    assert_eq!(flagged_names(&report), ["u007", "u123", "u248"]);
}

#[tokio::test]
async fn bc06_b_a_repeated_marker_fails_the_scan_without_a_report() {
    let server = TestServer::start(paging_server(|marker| match marker {
        None => (range(0, 100), Some("m2")),
        Some("m2") => (range(100, 200), Some("m3")),
        _ => (range(200, 250), Some("m3")),
    }))
    .await;

    let error = scan_server(&server).await.unwrap_err();

    assert!(
        matches!(error.cloud(), Some(CloudError::PaginationDidNotAdvance { marker }) if marker == "m3"),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("pagination did not advance"),
        "{error}"
    );
    let lists = server
        .received()
        .iter()
        .filter(|r| r.param("Action").as_deref() == Some("ListUsers"))
        .count();
    assert_eq!(lists, 3, "it stops instead of looping");
}

#[tokio::test]
async fn bc06_c_a_user_on_two_pages_is_checked_once() {
    let server = TestServer::start(paging_server(|marker| match marker {
        None => (range(0, 101), Some("m2")),
        Some("m2") => (range(100, 200), Some("m3")),
        _ => (range(200, 250), None),
    }))
    .await;

    let report = scan_server(&server).await.unwrap();

    assert_eq!(report.users_scanned, 250);
    assert_eq!(flagged_names(&report), ["u007", "u123", "u248"]);
    let u100 = server
        .received()
        .iter()
        .filter(|r| r.param("UserName").as_deref() == Some("u100"))
        .count();
    assert_eq!(u100, 1, "u100's keys are listed once");
}

#[tokio::test]
async fn bc06_d_a_marker_of_plus_slash_and_equals_is_sent_back_as_given() {
    let server = TestServer::start(paging_server(|marker| match marker {
        None => (range(0, 100), Some("AbC+/x==")),
        Some("AbC+/x==") => (range(100, 200), Some("a b+c")),
        Some("a b+c") => (range(200, 250), None),
        Some(_) => (Vec::new(), Some("unknown-marker-sent")),
    }))
    .await;

    let report = scan_server(&server).await.unwrap();

    assert_eq!(report.users_scanned, 250);
    assert_eq!(flagged_names(&report), ["u007", "u123", "u248"]);
}

// Throttling.

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_throttling_on_every_call_still_ends_with_a_complete_scan() {
    let world = World::with_account(bc06_account()).await;
    // The first 20 requests, whatever their action, refused as throttled;
    // more than the client's retry policy alone would ride out.
    world.sandbox.set_faults(Faults {
        throttle: Some(Schedule::first(20)),
        retry_after: std::time::Duration::from_millis(50),
        ..Faults::none()
    });

    let report = scan::run(&world.client, &api_options(&world), &scan::Quiet)
        .await
        .unwrap();

    assert_eq!(report.users_scanned, DEMO_USERS + 250);
    assert_eq!(report.flagged.len(), DEMO_FLAGGED + FLAGGED.len());
    assert!(report.stats.throttled >= 20, "{:?}", report.stats);
}

/// The storm: every call, whatever its action, throttled for ten
/// seconds from the moment the scan starts. The binary rides it out (its
/// pacer backs off and keeps trying within its two-minute storm limit) and
/// ends with every user checked.
#[tokio::test(flavor = "multi_thread")]
async fn a_ten_second_storm_of_throttling_ends_with_a_complete_scan() {
    let sandbox = system_sandbox(bc06_account()).await;
    sandbox.set_faults(Faults {
        throttle_all_for: Some(std::time::Duration::from_secs(10)),
        ..Faults::none()
    });
    let config = tempfile::tempdir().unwrap();

    let run = ramkey(
        &sandbox,
        config.path(),
        &["scan", "--source", "api", "--format", "json"],
    )
    .await;

    assert_eq!(run.code, 3, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["users_scanned"], DEMO_USERS + 250);
    let flagged = report["flagged"].as_array().unwrap();
    assert_eq!(flagged.len(), DEMO_FLAGGED + FLAGGED.len());
    let refused = sandbox.requests().iter().filter(|r| !r.succeeded()).count();
    assert!(refused >= 1, "the storm refused calls");
}

/// The same storm met by the scan's own calls (the library, on the system
/// clock): the scan's pacer counts the throttled tries and the report is
/// complete.
#[tokio::test(flavor = "multi_thread")]
async fn a_ten_second_storm_met_by_the_scans_calls_ends_with_every_user_checked() {
    let sandbox = system_sandbox(bc06_account()).await;
    let clock: Arc<dyn ramkey::clock::Clock> = Arc::new(SystemClock::new());
    let credentials = Credentials::new(
        sandbox.caller_access_key_id(),
        sandbox.caller_secret().clone(),
        None,
        "test",
    )
    .unwrap();
    let config = ClientConfig {
        endpoints: Endpoints::single(&sandbox.endpoint()).unwrap(),
        credentials,
        clock: Arc::clone(&clock),
        signature: SignatureVersion::V1,
    };
    let client = Client::new(config).unwrap();
    sandbox.set_faults(Faults {
        throttle_all_for: Some(std::time::Duration::from_secs(10)),
        ..Faults::none()
    });

    let options = ScanOptions::per_user(90, clock.now());
    let report = scan::run(&client, &options, &scan::Quiet).await.unwrap();

    assert_eq!(report.users_scanned, DEMO_USERS + 250);
    assert_eq!(report.flagged.len(), DEMO_FLAGGED + FLAGGED.len());
    assert!(report.stats.throttled >= 1, "{:?}", report.stats);
    let refused = sandbox.requests().iter().filter(|r| !r.succeeded()).count();
    assert_eq!(
        u64::try_from(refused).unwrap(),
        report.stats.throttled,
        "every refusal was counted"
    );
}

// Exemptions.

#[tokio::test(flavor = "multi_thread")]
async fn an_exempt_user_is_listed_with_its_reason_and_not_flagged() {
    let world = World::with_account(bc06_account()).await;
    let recorder = Recorder::default();
    let mut options = api_options(&world);
    let mut exemptions = Exemptions::default();
    exemptions.add_flag("u123=owned by the CI vault").unwrap();
    exemptions.add_flag("nobody=no such user").unwrap();
    options.exemptions = exemptions;

    let report = scan::run(&world.client, &options, &recorder).await.unwrap();

    let names = flagged_names(&report);
    assert!(!names.contains(&"u123"), "{names:?}");
    assert!(
        names.contains(&"u007") && names.contains(&"u248"),
        "{names:?}"
    );
    assert_eq!(report.exempt.len(), 1);
    assert_eq!(report.exempt[0].user, "u123");
    assert_eq!(report.exempt[0].display_name, "用户 123");
    assert_eq!(report.exempt[0].reason, "owned by the CI vault");
    assert!(!recorder.found.lock().unwrap().contains(&"u123".to_owned()));
    let last_used_of_u123 = world
        .sandbox
        .requests()
        .iter()
        .filter(|r| r.action == "GetAccessKeyLastUsed")
        .count();
    assert_eq!(
        last_used_of_u123,
        2 * names.len(),
        "an exempt user's keys are not judged"
    );
}

// The binary.

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn system_sandbox(account: Account) -> SandboxHandle {
    let listen = "127.0.0.1:0".parse().unwrap();
    sandbox::start(listen, account, Arc::new(SystemClock::new()))
        .await
        .unwrap()
}

/// `ramkey` with stdout and stderr piped (so stderr is not a terminal) and
/// `$XDG_CONFIG_HOME` at `config_home`.
async fn ramkey(sandbox: &SandboxHandle, config_home: &Path, args: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_ramkey"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CONFIG_HOME", config_home)
        .env("RAMKEY_ENDPOINT", sandbox.endpoint())
        .env(
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            sandbox.caller_access_key_id(),
        )
        .env(
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            sandbox.caller_secret().expose(),
        )
        .output()
        .await
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// The demo account's flagged users, as `scan --format json` names them.
async fn demo_flagged(sandbox: &SandboxHandle, config: &Path) -> Vec<String> {
    let run = ramkey(
        sandbox,
        config,
        &["scan", "--source", "api", "--format", "json"],
    )
    .await;
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    report["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["user"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn exempting_every_flagged_user_by_flag_and_config_file_exits_0() {
    let sandbox = system_sandbox(Account::demo()).await;
    let config = tempfile::tempdir().unwrap();
    let flagged = demo_flagged(&sandbox, config.path()).await;
    assert_eq!(flagged.len(), DEMO_FLAGGED);

    // The first two from the default config file, the rest by flag.
    let mut entries = String::new();
    for user in &flagged[..2] {
        entries.push_str("[[exempt]]\nuser = \"");
        entries.push_str(user);
        entries.push_str("\"\nreason = \"from the file\"\n\n");
    }
    std::fs::create_dir_all(config.path().join("ramkey")).unwrap();
    std::fs::write(config.path().join("ramkey/config.toml"), entries).unwrap();
    let flags: Vec<String> = flagged[2..]
        .iter()
        .map(|user| format!("--exempt={user}=by flag"))
        .collect();
    let mut args = vec!["scan", "--source", "api", "--format", "json"];
    args.extend(flags.iter().map(String::as_str));

    let run = ramkey(&sandbox, config.path(), &args).await;

    assert_eq!(
        run.code, 0,
        "exempt users do not make the exit code 3: {}",
        run.stderr
    );
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["flagged"], json!([]));
    let exempt = report["exempt"].as_array().unwrap();
    assert_eq!(exempt.len(), DEMO_FLAGGED);
    for entry in exempt {
        let user = entry["user"].as_str().unwrap().to_owned();
        let expected = if flagged[..2].contains(&user) {
            "from the file"
        } else {
            "by flag"
        };
        assert_eq!(entry["reason"], expected, "{entry}");
    }

    let table = ramkey(&sandbox, config.path(), &["scan", "--source", "api"]).await;
    assert_eq!(table.code, 3, "{}", table.stderr);
    assert!(
        table.stdout.contains("reason: from the file"),
        "{}",
        table.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_exemptions_and_config_files_are_refused_before_any_call() {
    let sandbox = system_sandbox(Account::demo()).await;
    let config = tempfile::tempdir().unwrap();
    let bad_file = config.path().join("bad.toml");
    std::fs::write(
        &bad_file,
        "[[exempt]]\nuser = \"a\"\nreason = \"b\"\nuntil = 3\n",
    )
    .unwrap();
    let missing = config.path().join("missing.toml");
    let bad_path = bad_file.to_str().unwrap();
    let missing_path = missing.to_str().unwrap();

    let cases: [(&[&str], &str); 4] = [
        (&["scan", "--exempt", "app-user"], "USER=REASON"),
        (&["scan", "--exempt", "app-user="], "USER=REASON"),
        (&["scan", "--config", bad_path], "line 4"),
        (&["scan", "--config", missing_path], "missing.toml"),
    ];
    for (args, words) in cases {
        let run = ramkey(&sandbox, config.path(), args).await;
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(words), "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
    }
    assert!(sandbox.requests().is_empty(), "nothing was called");

    // An absent default file is no config at all.
    let run = ramkey(&sandbox, config.path(), &["scan", "--source", "api"]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_has_a_header_and_one_row_per_flagged_key() {
    let sandbox = system_sandbox(Account::demo()).await;
    let config = tempfile::tempdir().unwrap();

    let run = ramkey(
        &sandbox,
        config.path(),
        &["scan", "--source", "api", "--format", "csv"],
    )
    .await;

    assert_eq!(run.code, 3, "{}", run.stderr);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, scan::format::csv::HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2 * DEMO_FLAGGED);
    for row in &rows {
        assert_eq!(&row[0], "5123874409316254");
        assert!(row[4].starts_with("LTAI"), "{row:?}");
        assert!(["idle", "in_use", "unknown"].contains(&&row[7]), "{row:?}");
    }
    let users: BTreeSet<&str> = rows.iter().map(|row| row.get(1).unwrap()).collect();
    assert_eq!(users.len(), DEMO_FLAGGED);
}

#[tokio::test(flavor = "multi_thread")]
async fn markdown_is_a_heading_a_table_and_the_notes() {
    let sandbox = system_sandbox(demo_without_the_report()).await;
    let config = tempfile::tempdir().unwrap();

    let run = ramkey(&sandbox, config.path(), &["scan", "--format", "markdown"]).await;

    assert_eq!(run.code, 3, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "# ramkey scan of account 5123874409316254");
    let header = lines
        .iter()
        .position(|l| l.starts_with("| User |"))
        .unwrap();
    assert_eq!(lines[header + 1], "|---|---|---|---|---|---|---|---|");
    let rows = lines[header + 2..]
        .iter()
        .take_while(|l| l.starts_with("| "))
        .count();
    assert_eq!(rows, 2 * DEMO_FLAGGED);
    let table_rows = lines[header + 2..header + 2 + rows].iter();
    for row in std::iter::once(&lines[header]).chain(table_rows) {
        assert_eq!(row.matches(" | ").count(), 7, "eight cells: {row}");
    }
    // Auto fell back to every user (the report is denied to ramkey),
    // and the document says why.
    let notes = lines.iter().position(|l| *l == "## Notes").unwrap();
    assert!(
        lines[notes + 2].starts_with("- scanned every user"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stderr.contains("scanned every user"),
        "the note is in the document"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn auto_uses_the_report_when_allowed() {
    let sandbox = system_sandbox(Account::demo()).await;
    let config = tempfile::tempdir().unwrap();

    let run = ramkey(&sandbox, config.path(), &["scan", "--format", "json"]).await;

    assert_eq!(run.code, 3, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["source"], "report");
    assert_eq!(report["flagged"].as_array().unwrap().len(), DEMO_FLAGGED);
    // Only the report's candidates have their keys read.
    let key_lists = sandbox
        .requests()
        .iter()
        .filter(|r| r.action == "ListAccessKeys")
        .count();
    assert_eq!(key_lists, DEMO_FLAGGED, "keys read for the candidates only");
    assert_eq!(
        sandbox
            .requests()
            .iter()
            .filter(|r| r.action == "GetUser")
            .count(),
        0,
        "display names come from the listing"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn auto_falls_back_with_a_note_and_report_alone_fails_plainly() {
    let sandbox = system_sandbox(demo_without_the_report()).await;
    let config = tempfile::tempdir().unwrap();

    let json_run = ramkey(&sandbox, config.path(), &["scan", "--format", "json"]).await;
    assert_eq!(json_run.code, 3, "{}", json_run.stderr);
    let report: Value = serde_json::from_str(&json_run.stdout).unwrap();
    assert_eq!(report["source"], "api");
    assert_eq!(report["data_as_of"], report["scanned_at"]);
    let notes = report["notes"].as_array().unwrap();
    // The fallback's reason, then that KMS was not checked (no region named).
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes[1]
            .as_str()
            .unwrap()
            .starts_with("KMS was not checked"),
        "{notes:?}"
    );
    assert!(
        notes[0]
            .as_str()
            .unwrap()
            .contains("instead of using the credential report: "),
        "{notes:?}"
    );
    assert_eq!(report["flagged"].as_array().unwrap().len(), DEMO_FLAGGED);

    let table = ramkey(&sandbox, config.path(), &["scan"]).await;
    assert_eq!(table.code, 3);
    assert!(
        table.stderr.contains("ramkey: note: scanned every user"),
        "{}",
        table.stderr
    );
    assert!(
        !table.stdout.contains("scanned every user"),
        "notes go to stderr"
    );

    let only = ramkey(&sandbox, config.path(), &["scan", "--source", "report"]).await;
    assert_eq!(only.code, 1, "{}", only.stderr);
    assert_eq!(only.stdout, "");
    assert!(
        only.stderr.contains("the credential report cannot be used"),
        "{}",
        only.stderr
    );
    assert!(only.stderr.contains("--source api"), "{}", only.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn output_writes_a_private_file_and_nothing_on_stdout() {
    let sandbox = system_sandbox(Account::demo()).await;
    let config = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.json");
    std::fs::write(&file, "an older report that is replaced whole").unwrap();
    let path = file.to_str().unwrap();

    let run = ramkey(
        &sandbox,
        config.path(),
        &[
            "scan", "--source", "api", "--format", "json", "--output", path,
        ],
    )
    .await;

    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(report["flagged"].as_array().unwrap().len(), DEMO_FLAGGED);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file is left behind");
}

#[tokio::test(flavor = "multi_thread")]
async fn output_into_a_missing_directory_is_refused_before_any_call() {
    let sandbox = system_sandbox(Account::demo()).await;
    let config = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("no-such-dir").join("report.csv");

    let run = ramkey(
        &sandbox,
        config.path(),
        &["scan", "--output", file.to_str().unwrap()],
    )
    .await;

    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
    assert!(!file.exists() && !file.parent().unwrap().exists());
    assert!(sandbox.requests().is_empty(), "refused before scanning");
}

#[tokio::test(flavor = "multi_thread")]
async fn stderr_that_is_not_a_terminal_gets_no_progress_bar() {
    let sandbox = system_sandbox(Account::demo()).await;
    let config = tempfile::tempdir().unwrap();

    let run = ramkey(&sandbox, config.path(), &["scan", "--source", "api"]).await;

    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(!run.stderr.contains('\r'), "{:?}", run.stderr);
    assert!(!run.stderr.contains("\u{1b}["), "{:?}", run.stderr);
    assert!(!run.stderr.contains("users checked"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn report_source_when_the_report_cannot_be_had_is_an_error_not_a_fallback() {
    let world = World::demo().await;
    let mut options = api_options(&world);
    options.source = Source::Report;

    let error = scan::run(&world.client, &options, &scan::Quiet)
        .await
        .unwrap_err();

    assert!(matches!(error, ScanError::ReportUnusable(_)), "{error:?}");
    assert_eq!(world.requests_for("ListUsers"), 0, "no per-user scan");
}
