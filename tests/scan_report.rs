//! The credential-report fast path against a loopback server speaking IMS:
//! the generation polled until COMPLETED, the pages joined, the candidates
//! picked, and each reason the report cannot be used (alibaba-api.md §4.2).

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use ramkey::clock::FixedClock;
use ramkey::cloud::model::ReportGeneration;
use ramkey::cloud::retry::NoSleep;
use ramkey::cloud::{
    Client, ClientConfig, CloudError, Endpoints, Retry, SignatureVersion, Timeouts,
};
use ramkey::scan::report::{self, ReportOptions, ReportUnusable};
use ramkey::scan::{Phase, ScanObserver, ScanProgress, SourceKind};
use support::{Received, Reply, TestServer, now, pairs, permanent};

const HEADER: &str = "user,user_creation_time,user_last_logon,password_exist,password_active,\
    password_last_changed,password_next_rotation,mfa_active,access_key_1_exist,\
    access_key_1_active,access_key_1_last_rotated,access_key_1_last_used,access_key_2_exist,\
    access_key_2_active,access_key_2_last_rotated,access_key_2_last_used";
const ROOT_ROW: &str = "<root>,2019-01-01T00:00:00Z,2024-05-01T08:00:00Z,TRUE,TRUE,N/A,N/A,\
    TRUE,FALSE,N/A,N/A,N/A,FALSE,N/A,N/A,N/A";
const GENERATED: &str = "2024-01-02T01:00:00Z";

fn generated() -> DateTime<Utc> {
    GENERATED.parse().unwrap()
}

/// A user's row; `second` is key 2's `active` cell.
fn user_row(name: &str, second: &str) -> String {
    format!(
        "{name}@acme.onaliyun.com,2020-01-01T00:00:00Z,-,FALSE,N/A,N/A,N/A,FALSE,\
         TRUE,TRUE,2020-01-01T00:00:00Z,2023-12-30T10:00:00Z,TRUE,{second},\
         2023-06-01T00:00:00Z,-"
    )
}

fn lines(lines: &[String]) -> String {
    let mut text = lines.join("\r\n");
    text.push_str("\r\n");
    text
}

/// A page as the API reference shows it: `IsTruncated` a string, and
/// `NextToken` only when truncated.
fn report_page(csv: &str, next_token: Option<&str>) -> Reply {
    let mut body = serde_json::json!({
        "RequestId": "R-GET",
        "GeneratedTime": GENERATED,
        "Content": STANDARD.encode(csv),
        "IsTruncated": next_token.is_some().to_string(),
    });
    if let Some(token) = next_token {
        body["NextToken"] = token.into();
    }
    Reply::json(&body.to_string())
}

fn state(value: &str) -> Reply {
    Reply::json(&format!(r#"{{"RequestId":"R-GEN","State":"{value}"}}"#))
}

/// Answers GenerateCredentialReport with `states` in turn (the last one
/// from then on) and GetCredentialReport with `page(NextToken)`.
async fn ims_server(
    states: &[&'static str],
    page: impl Fn(Option<&str>) -> Reply + Send + Sync + 'static,
) -> TestServer {
    let states: Mutex<Vec<&'static str>> = Mutex::new(states.iter().rev().copied().collect());
    TestServer::start(
        move |request: &Received| match request.param("Action").as_deref() {
            Some("GenerateCredentialReport") => {
                let mut left = states.lock().unwrap();
                let next = if left.len() > 1 {
                    left.pop().unwrap()
                } else {
                    left[0]
                };
                state(next)
            }
            Some("GetCredentialReport") => page(request.param("NextToken").as_deref()),
            other => Reply::error(400, "InvalidAction.NotFound", &format!("{other:?}")),
        },
    )
    .await
}

/// A client for the server whose waits return at once and are remembered.
fn client(server: &TestServer, sleeper: &NoSleep) -> Client {
    let config = ClientConfig {
        endpoints: Endpoints::single(server.endpoint()).unwrap(),
        credentials: permanent(),
        clock: Arc::new(FixedClock::new(now())),
        signature: SignatureVersion::V1,
    };
    let retry = Retry::with_sleeper(Arc::new(sleeper.clone()));
    Client::with_retry(config, Timeouts::default(), retry).unwrap()
}

#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<(Phase, usize)>>,
}

impl ScanObserver for Recorder {
    fn progress(&self, progress: &ScanProgress) {
        assert_eq!(progress.source, SourceKind::Report);
        let entry = (progress.phase, progress.users_listed);
        self.seen.lock().unwrap().push(entry);
    }
}

const OPTIONS: ReportOptions = ReportOptions {
    first_poll: Duration::from_secs(2),
    poll_interval: Duration::from_secs(2),
    poll_cap: Duration::from_secs(60),
};

fn actions(server: &TestServer) -> Vec<String> {
    server
        .received()
        .iter()
        .map(|request| request.param("Action").unwrap_or_default())
        .collect()
}

async fn unusable(server: &TestServer, options: &ReportOptions) -> ReportUnusable {
    let sleeper = NoSleep::new();
    report::candidates(&client(server, &sleeper), &Recorder::default(), options)
        .await
        .unwrap_err()
}

#[tokio::test]
async fn the_report_is_polled_until_completed_and_its_pages_are_joined() {
    // The token carries the characters that break naive encoding (BC-01).
    let token = "pg+2/x==";
    let server = ims_server(
        &["STARTED", "INPROGRESS", "INPROGRESS", "COMPLETED"],
        move |next| match next {
            None => report_page(
                &lines(&[
                    HEADER.to_owned(),
                    ROOT_ROW.to_owned(),
                    user_row("ci-deployer", "TRUE"),
                    user_row("billing", "FALSE"),
                ]),
                Some(token),
            ),
            // The second page repeats the header; the third does not.
            Some("pg+2/x==") => report_page(
                &lines(&[HEADER.to_owned(), user_row("sms-gateway", "TRUE")]),
                Some("pg3"),
            ),
            Some("pg3") => report_page(&lines(&[user_row("wechat-bot", "N/A")]), None),
            Some(other) => Reply::error(400, "InvalidParameter.NextToken", other),
        },
    )
    .await;
    let sleeper = NoSleep::new();
    let observer = Recorder::default();

    let found = report::candidates(&client(&server, &sleeper), &observer, &OPTIONS)
        .await
        .unwrap();

    assert_eq!(found.candidates, ["ci-deployer", "sms-gateway"]);
    assert_eq!(
        found.users_in_report, 4,
        "<root> is the account, not a user"
    );
    assert_eq!(found.generated_at, generated());
    assert_eq!(sleeper.asked(), [Duration::from_secs(2); 3]);

    let received = server.received();
    let generate = "GenerateCredentialReport";
    let get = "GetCredentialReport";
    assert_eq!(
        actions(&server),
        [generate, generate, generate, generate, get, get, get]
    );
    for request in &received {
        assert_eq!(request.param("Version").as_deref(), Some("2019-08-15"));
        request.assert_signed_with("testsecret");
    }
    assert_eq!(received[0].action_params(), pairs(&[]));
    assert_eq!(received[4].action_params(), pairs(&[]));
    assert_eq!(received[5].action_params(), pairs(&[("NextToken", token)]));
    assert_eq!(received[6].action_params(), pairs(&[("NextToken", "pg3")]));

    let seen = observer.seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            (Phase::Generating, 0),
            (Phase::Generating, 0),
            (Phase::Generating, 0),
            (Phase::Generating, 0),
            (Phase::Downloading, 0),
            (Phase::Downloading, 2),
            (Phase::Downloading, 3),
            (Phase::Downloading, 4),
        ]
    );
}

#[tokio::test]
async fn a_report_of_the_last_four_hours_is_used_at_once_with_its_own_age() {
    // IMS answers COMPLETED at once while its last report is under 4 hours old.
    let server = ims_server(&["COMPLETED"], |_| {
        report_page(&lines(&[HEADER.to_owned(), user_row("app", "TRUE")]), None)
    })
    .await;
    let sleeper = NoSleep::new();

    let found = report::candidates(&client(&server, &sleeper), &Recorder::default(), &OPTIONS)
        .await
        .unwrap();

    assert!(sleeper.asked().is_empty(), "no poll waited");
    assert_eq!(found.generated_at, generated());
    assert!(
        found.generated_at < now(),
        "the data is older than the scan"
    );
    assert_eq!(found.candidates, ["app"]);
}

#[tokio::test]
async fn the_client_reads_each_state_and_page_field() {
    let server = ims_server(&["INPROGRESS"], |_| {
        let csv = lines(&[HEADER.to_owned()]);
        report_page(&csv, None)
    })
    .await;
    let client = client(&server, &NoSleep::new());

    assert_eq!(
        client.generate_credential_report().await.unwrap(),
        ReportGeneration::InProgress
    );
    let page = client.get_credential_report(None).await.unwrap();
    assert_eq!(page.csv, format!("{HEADER}\r\n"));
    assert_eq!(page.generated_at, generated());
    assert!(!page.is_truncated);
    assert_eq!(page.next_token, None);
}

#[tokio::test]
async fn a_server_error_on_a_report_call_is_tried_again_as_a_read() {
    let tries = Mutex::new(0);
    let server =
        TestServer::start(
            move |request: &Received| match request.param("Action").as_deref() {
                Some("GenerateCredentialReport") => {
                    let mut tries = tries.lock().unwrap();
                    *tries += 1;
                    if *tries == 1 {
                        Reply::error(503, "ServiceUnavailable", "try later")
                    } else {
                        state("COMPLETED")
                    }
                }
                _ => report_page(&lines(&[HEADER.to_owned(), user_row("app", "TRUE")]), None),
            },
        )
        .await;
    let sleeper = NoSleep::new();

    let found = report::candidates(&client(&server, &sleeper), &Recorder::default(), &OPTIONS)
        .await
        .unwrap();

    assert_eq!(found.candidates, ["app"]);
    assert_eq!(
        actions(&server),
        [
            "GenerateCredentialReport",
            "GenerateCredentialReport",
            "GetCredentialReport"
        ]
    );
}

#[tokio::test]
async fn a_refused_generation_is_not_allowed_and_says_what_to_grant() {
    let server = TestServer::always(Reply::error(
        403,
        "NoPermission",
        "You are not authorized to do this action.",
    ))
    .await;

    let error = unusable(&server, &OPTIONS).await;

    assert!(error.reason.contains("not allowed"), "{error}");
    assert!(
        error.reason.contains("ram:GenerateCredentialReport"),
        "{error}"
    );
    let source = error.source.as_ref().expect("the refusal");
    assert_eq!(source.code(), Some("NoPermission"));
    assert!(source.hint().unwrap().contains("`ram:GetCredentialReport`"));
    assert_eq!(actions(&server), ["GenerateCredentialReport"]);
}

#[tokio::test]
async fn a_forbidden_download_is_not_allowed_either() {
    let server = TestServer::start(
        |request: &Received| match request.param("Action").as_deref() {
            Some("GenerateCredentialReport") => state("COMPLETED"),
            _ => Reply::error(403, "Forbidden.AccessDenied", "denied"),
        },
    )
    .await;

    let error = unusable(&server, &OPTIONS).await;

    assert!(error.reason.contains("not allowed"), "{error}");
    assert!(error.reason.contains("Forbidden.AccessDenied"), "{error}");
}

#[tokio::test]
async fn a_report_not_ready_within_the_cap_is_given_up() {
    let server = ims_server(&["STARTED", "INPROGRESS"], |_| {
        panic!("nothing is downloaded before COMPLETED")
    })
    .await;
    let options = ReportOptions {
        first_poll: Duration::from_secs(2),
        poll_interval: Duration::from_secs(2),
        poll_cap: Duration::from_secs(5),
    };
    let sleeper = NoSleep::new();

    let error = report::candidates(&client(&server, &sleeper), &Recorder::default(), &options)
        .await
        .unwrap_err();

    assert!(error.reason.contains("not ready after 4 s"), "{error}");
    assert!(error.reason.contains("InProgress"), "{error}");
    assert!(error.source.is_none());
    assert_eq!(sleeper.asked(), [Duration::from_secs(2); 2]);
    assert_eq!(actions(&server).len(), 3);
}

#[tokio::test]
async fn the_polls_start_soon_and_slow_down_to_the_interval() {
    let states = [
        "STARTED",
        "INPROGRESS",
        "INPROGRESS",
        "INPROGRESS",
        "INPROGRESS",
    ];
    let server = ims_server(&states, |_| {
        panic!("nothing is downloaded before COMPLETED")
    })
    .await;
    let sleeper = NoSleep::new();

    let error = report::candidates(
        &client(&server, &sleeper),
        &Recorder::default(),
        &ReportOptions::default(),
    )
    .await
    .unwrap_err();

    assert!(error.reason.contains("not ready after"), "{error}");
    let asked = sleeper.asked();
    let ms = |n| Duration::from_millis(n);
    assert_eq!(asked[..5], [ms(250), ms(500), ms(1000), ms(2000), ms(2000)]);
    let waited: Duration = asked.iter().sum();
    assert!(waited <= Duration::from_secs(120), "{waited:?}");
}

#[tokio::test]
async fn an_unknown_state_is_unusable_and_named() {
    let server = ims_server(&["QUEUED"], |_| panic!("not downloaded")).await;

    let error = unusable(&server, &OPTIONS).await;

    assert!(error.reason.contains("could not be read"), "{error}");
    assert!(error.reason.contains("\"QUEUED\""), "{error}");
    assert!(matches!(error.source, Some(CloudError::UnexpectedBody(_))));
}

#[tokio::test]
async fn content_that_is_not_base64_is_unreadable() {
    let server = ims_server(&["COMPLETED"], |_| {
        Reply::json(r#"{"RequestId":"R","GeneratedTime":"2024-01-02T01:00:00Z","Content":"%%%"}"#)
    })
    .await;

    let error = unusable(&server, &OPTIONS).await;

    assert!(error.reason.contains("not Base64"), "{error}");
    let source = error.source.expect("the call's error");
    assert_eq!(source.request_id(), Some("R"));
}

#[tokio::test]
async fn a_bad_cell_is_unreadable_naming_its_page_line_and_column() {
    let server = ims_server(&["COMPLETED"], |next| match next {
        None => report_page(
            &lines(&[HEADER.to_owned(), ROOT_ROW.to_owned()]),
            Some("p2"),
        ),
        _ => report_page(
            &lines(&[
                HEADER.to_owned(),
                user_row("app", "TRUE"),
                user_row("odd", "MAYBE"),
            ]),
            None,
        ),
    })
    .await;

    let error = unusable(&server, &OPTIONS).await;

    assert!(error.reason.contains("cannot be read"), "{error}");
    assert!(error.reason.contains("page 2, line 3"), "{error}");
    assert!(error.reason.contains("`access_key_2_active`"), "{error}");
    assert!(error.reason.contains("\"MAYBE\""), "{error}");
}

#[tokio::test]
async fn a_repeated_next_token_ends_the_reading() {
    let server = ims_server(&["COMPLETED"], |_| {
        report_page(
            &lines(&[HEADER.to_owned(), user_row("app", "TRUE")]),
            Some("same"),
        )
    })
    .await;

    let error = unusable(&server, &OPTIONS).await;

    assert!(error.reason.contains("NextToken \"same\" twice"), "{error}");
    assert_eq!(
        actions(&server),
        [
            "GenerateCredentialReport",
            "GetCredentialReport",
            "GetCredentialReport"
        ]
    );
}

fn one_page_of(users: usize) -> String {
    let mut rows = vec![HEADER.to_owned(), ROOT_ROW.to_owned()];
    rows.extend((0..users).map(|n| {
        user_row(
            &format!("u{n:05}"),
            if n % 50 == 0 { "TRUE" } else { "FALSE" },
        )
    }));
    lines(&rows)
}

#[tokio::test]
async fn one_unpaged_page_at_the_old_servers_ceiling_is_unusable() {
    let csv = one_page_of(3_500);
    let server = ims_server(&["COMPLETED"], move |_| report_page(&csv, None)).await;

    let error = unusable(&server, &OPTIONS).await;

    assert!(error.reason.contains("one page of 3500 users"), "{error}");
    assert!(error.reason.contains("may be missing"), "{error}");
}

#[tokio::test]
async fn one_page_below_the_ceiling_is_used() {
    let csv = one_page_of(3_499);
    let server = ims_server(&["COMPLETED"], move |_| report_page(&csv, None)).await;
    let sleeper = NoSleep::new();

    let found = report::candidates(&client(&server, &sleeper), &Recorder::default(), &OPTIONS)
        .await
        .unwrap();

    assert_eq!(found.users_in_report, 3_499);
    assert_eq!(found.candidates.len(), 70);
    assert_eq!(found.candidates[1], "u00050");
}

/// The whole report source against a server whose ListUsers takes at most
/// 100 a page (as an older reference said): the display names' listing asks
/// for 1,000, is refused, and lists again in pages of the default size; the
/// candidate is confirmed with ListAccessKeys and GetAccessKeyLastUsed, and
/// a candidate no longer listed (deleted since the report) is dropped.
#[tokio::test]
async fn the_report_scan_lists_display_names_in_smaller_pages_when_1000_is_refused() {
    let csv = lines(&[
        HEADER.to_owned(),
        ROOT_ROW.to_owned(),
        user_row("alice", "TRUE"),
        user_row("gone", "TRUE"),
        user_row("bob", "FALSE"),
    ]);
    let server = TestServer::start(move |request: &Received| {
        match request.param("Action").as_deref() {
            Some("GetCallerIdentity") => Reply::json(
                r#"{"RequestId":"R","AccountId":"1968","Arn":"acs:ram::1968:user/admin","IdentityType":"RAMUser","UserId":"1","PrincipalId":"1"}"#,
            ),
            Some("GenerateCredentialReport") => state("COMPLETED"),
            Some("GetCredentialReport") => report_page(&csv, None),
            Some("ListUsers") => match request.param("MaxItems").as_deref() {
                Some("100") => Reply::json(
                    &serde_json::json!({"RequestId": "R", "IsTruncated": false, "Users": {"User": [
                        {"UserId": "1", "UserName": "alice", "DisplayName": "Alice 王",
                         "CreateDate": "2020-01-01T00:00:00Z"},
                        {"UserId": "2", "UserName": "bob", "DisplayName": "",
                         "CreateDate": "2020-01-01T00:00:00Z"}]}})
                    .to_string(),
                ),
                _ => Reply::error(
                    400,
                    "InvalidParameter.MaxItems",
                    "The parameter MaxItems must be an integer from 1 to 100.",
                ),
            },
            Some("ListAccessKeys") => Reply::json(
                r#"{"RequestId":"R","AccessKeys":{"AccessKey":[
                    {"AccessKeyId":"LTAI-A1","Status":"Active","CreateDate":"2020-01-01T00:00:00Z"},
                    {"AccessKeyId":"LTAI-A2","Status":"Active","CreateDate":"2021-01-01T00:00:00Z"}]}}"#,
            ),
            Some("GetAccessKeyLastUsed") => Reply::json(
                r#"{"RequestId":"R","AccessKeyLastUsed":{"LastUsedDate":"2023-12-30T10:00:00Z"}}"#,
            ),
            other => Reply::error(400, "InvalidAction.NotFound", &format!("{other:?}")),
        }
    })
    .await;
    let sleeper = NoSleep::new();
    let mut options = ramkey::scan::ScanOptions::per_user(90, now());
    options.source = ramkey::scan::Source::Report;

    let report = ramkey::scan::run(&client(&server, &sleeper), &options, &ramkey::scan::Quiet)
        .await
        .unwrap();

    let flagged: Vec<(&str, &str)> = report
        .flagged
        .iter()
        .map(|f| (f.user.as_str(), f.display_name.as_str()))
        .collect();
    assert_eq!(flagged, [("alice", "Alice 王")]);
    let asked: Vec<Option<String>> = server
        .received()
        .iter()
        .filter(|r| r.param("Action").as_deref() == Some("ListUsers"))
        .map(|r| r.param("MaxItems"))
        .collect();
    assert_eq!(asked, [Some("1000".to_owned()), Some("100".to_owned())]);
    let key_lists: Vec<Option<String>> = server
        .received()
        .iter()
        .filter(|r| r.param("Action").as_deref() == Some("ListAccessKeys"))
        .map(|r| r.param("UserName"))
        .collect();
    assert_eq!(
        key_lists,
        [Some("alice".to_owned())],
        "gone is dropped unread"
    );
}
