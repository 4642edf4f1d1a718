//! The client under the sandbox's fault switches (BC-03, BC-08, BC-12): what
//! is retried, re-signed and reported, what is not retried, when retrying
//! stops, and a write whose answer is lost coming back as ambiguous.

mod rotation_support;
mod support;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ramkey::clock::FixedClock;
use ramkey::cloud::retry::{NoSleep, RetryReason, Sleeper};
use ramkey::cloud::{Client, CloudError, Retry, RetryNotice, Timeouts};
use ramkey::sandbox::{Ending, Faults, Schedule, SeenRequest};
use rotation_support::World;

const USER: &str = "ci-deployer";

/// A client of the world's sandbox whose waits are recorded, not made, and
/// whose retries are collected as the UI would get them.
struct Watched {
    client: Client,
    sleeper: NoSleep,
    notices: Arc<Mutex<Vec<RetryNotice>>>,
}

fn watched(world: &World) -> Watched {
    let sleeper = NoSleep::new();
    let notices: Arc<Mutex<Vec<RetryNotice>>> = Arc::default();
    let seen = Arc::clone(&notices);
    let observer = move |notice: &RetryNotice| seen.lock().unwrap().push(notice.clone());
    let retry = Retry::with_sleeper(Arc::new(sleeper.clone())).observed_by(Arc::new(observer));
    let client = world.caller_client(Timeouts::default(), retry);
    Watched {
        client,
        sleeper,
        notices,
    }
}

fn requests_for(world: &World, action: &str) -> Vec<SeenRequest> {
    world
        .sandbox
        .requests()
        .into_iter()
        .filter(|request| request.action == action)
        .collect()
}

fn answered_code(request: &SeenRequest) -> &str {
    match &request.ended {
        Ending::Answered { code, .. } => code,
        Ending::Reset { .. } => "<reset>",
    }
}

fn faults(set: impl FnOnce(&mut Faults)) -> Faults {
    let mut faults = Faults::none();
    set(&mut faults);
    faults
}

#[tokio::test]
async fn throttled_twice_then_answered_is_a_success_each_try_signed_afresh() {
    let world = World::demo().await;
    world.sandbox.set_faults(faults(|f| {
        f.throttle = Some(Schedule::first(2).only(&["ListPoliciesForUser"]));
        f.retry_after = Duration::from_millis(1500);
    }));
    let watched = watched(&world);

    let policies = watched.client.list_policies_for_user(USER).await.unwrap();

    assert!(!policies.is_empty());
    let tries = requests_for(&world, "ListPoliciesForUser");
    let codes: Vec<&str> = tries.iter().map(answered_code).collect();
    assert_eq!(codes, ["Throttling.User", "Throttling.User", ""]);
    let nonces: HashSet<&str> = tries.iter().map(|t| t.nonce.as_str()).collect();
    assert_eq!(nonces.len(), 3, "every try needs a fresh nonce: {tries:#?}");
    // The server's x-acs-retry-after is what the client waited.
    assert_eq!(watched.sleeper.asked(), [Duration::from_millis(1500); 2]);

    let notices = watched.notices.lock().unwrap().clone();
    assert_eq!(notices.len(), 2);
    assert_eq!(
        notices[0].reason,
        RetryReason::Throttled {
            code: "Throttling.User".to_owned()
        }
    );
    assert_eq!(notices[0].user.as_deref(), Some(USER));
    assert_eq!(
        notices[1].to_string(),
        "ListPoliciesForUser: throttled (Throttling.User), retrying in 2 s (try 3 of 5)"
    );
}

#[tokio::test]
async fn a_fresh_timestamp_is_signed_on_every_try() {
    let world = World::demo().await;
    world.sandbox.set_faults(faults(|f| {
        f.throttle = Some(Schedule::first(1).only(&["GetUser"]));
    }));
    // A sleeper that lets the shared clock move, as real waiting would.
    let clock = world.clock.clone();
    let retry = Retry::with_sleeper(Arc::new(ClockSleeper(clock)));
    let client = world.caller_client(Timeouts::default(), retry);

    client.get_user(USER).await.unwrap();

    let tries = requests_for(&world, "GetUser");
    assert_eq!(tries.len(), 2);
    assert_ne!(tries[0].timestamp, tries[1].timestamp, "{tries:#?}");
}

/// Waits by moving a fixed clock forward.
struct ClockSleeper(FixedClock);

impl Sleeper for ClockSleeper {
    fn sleep(&self, wait: Duration) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> {
        use ramkey::clock::Clock as _;
        let later = self.0.now() + chrono::Duration::from_std(wait).unwrap();
        self.0.set(later);
        Box::pin(std::future::ready(()))
    }
}

#[tokio::test]
async fn errors_another_try_cannot_fix_are_sent_once() {
    let world = World::demo().await;
    let watched = watched(&world);
    let client = &watched.client;

    let cases: Vec<(&str, CloudError)> = vec![
        ("GetUser", client.get_user("ghost").await.unwrap_err()),
        (
            "CreateUser",
            client.create_user(USER, None, None).await.unwrap_err(),
        ),
        (
            "CreateAccessKey",
            client.create_access_key(USER).await.unwrap_err(),
        ),
    ];
    for (action, error) in &cases {
        assert_eq!(requests_for(&world, action).len(), 1, "{action}: {error}");
    }
    let codes: Vec<_> = cases.iter().map(|(_, e)| e.code().unwrap()).collect();
    assert_eq!(
        codes,
        [
            "EntityNotExist.User",
            "EntityAlreadyExists.User",
            "LimitExceeded.User.AccessKey"
        ]
    );

    // Credential and signature errors: a wrong secret, an unknown key.
    let wrong_secret = world.client_signing_as("LTAI5tFakeKeyNotInAccount", "x");
    let unknown = wrong_secret.get_caller_identity().await.unwrap_err();
    assert_eq!(unknown.code(), Some("InvalidAccessKeyId.NotFound"));
    let bad_signature = world.client_signing_as(world.sandbox.caller_access_key_id(), "wrong");
    let mismatch = bad_signature.list_users_page(None, None).await.unwrap_err();
    assert_eq!(mismatch.code(), Some("SignatureDoesNotMatch"));

    assert_eq!(requests_for(&world, "GetCallerIdentity").len(), 1);
    assert_eq!(requests_for(&world, "ListUsers").len(), 1);
    assert!(watched.sleeper.asked().is_empty());
    assert!(watched.notices.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_gateway_503_page_is_retried_for_a_read() {
    let world = World::demo().await;
    world.sandbox.set_faults(faults(|f| {
        f.unavailable = Some(Schedule::first(2).only(&["ListUsers"]));
    }));
    let watched = watched(&world);

    let page = watched.client.list_users_page(None, None).await.unwrap();

    assert!(!page.items.is_empty());
    let statuses: Vec<_> = requests_for(&world, "ListUsers")
        .iter()
        .map(|r| r.ended.clone())
        .collect();
    assert!(matches!(statuses[0], Ending::Answered { status: 503, .. }));
    assert!(matches!(statuses[1], Ending::Answered { status: 503, .. }));
    assert!(matches!(statuses[2], Ending::Answered { status: 200, .. }));
    let reasons: Vec<_> = watched
        .notices
        .lock()
        .unwrap()
        .iter()
        .map(|n| n.reason.clone())
        .collect();
    assert_eq!(
        reasons,
        [const { RetryReason::ServerError { status: 503 } }; 2]
    );
    // Backoff with full jitter: at most 1 s, then at most 2 s.
    let asked = watched.sleeper.asked();
    assert!(asked[0] <= Duration::from_secs(1), "{asked:?}");
    assert!(asked[1] <= Duration::from_secs(2), "{asked:?}");
}

#[tokio::test]
async fn retrying_stops_after_five_tries_with_a_clear_error() {
    let world = World::demo().await;
    world.sandbox.set_faults(faults(|f| {
        f.throttle = Some(Schedule::every(1).only(&["ListUsers"]));
    }));
    let watched = watched(&world);

    let error = watched
        .client
        .list_users_page(None, None)
        .await
        .unwrap_err();

    assert!(
        matches!(error, CloudError::RetriesExhausted { tries: 5, .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.starts_with("ListUsers still failed after 5 tries and 4 s of waiting"),
        "{text}"
    );
    assert!(text.contains("Throttling.User"), "{text}");
    assert_eq!(error.code(), Some("Throttling.User"));
    assert!(error.hint().unwrap().contains("rate-limiting"));
    assert_eq!(requests_for(&world, "ListUsers").len(), 5);
}

#[tokio::test]
async fn retrying_stops_when_the_minute_is_spent() {
    let world = World::demo().await;
    world.sandbox.set_faults(faults(|f| {
        f.throttle = Some(Schedule::every(1).only(&["ListUsers"]));
        f.retry_after = Duration::from_secs(30);
    }));
    let watched = watched(&world);

    let error = watched
        .client
        .list_users_page(None, None)
        .await
        .unwrap_err();

    // 30 s, 30 s: a third wait would pass the 60 s allowed.
    assert!(
        matches!(error, CloudError::RetriesExhausted { tries: 3, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("60 s of waiting"), "{error}");
    assert_eq!(requests_for(&world, "ListUsers").len(), 3);
}

#[tokio::test]
async fn a_skewed_clock_stops_at_the_first_call_and_says_by_how_much() {
    let world = World::demo().await;
    world.sandbox.set_faults(faults(|f| {
        f.clock_skew = chrono::Duration::minutes(20);
    }));
    let watched = watched(&world);

    let error = watched.client.get_caller_identity().await.unwrap_err();

    assert_eq!(error.code(), Some("InvalidTimeStamp.Expired"));
    assert_eq!(requests_for(&world, "GetCallerIdentity").len(), 1);
    let api = error.api().unwrap();
    assert_eq!(api.clock_skew(), Some(chrono::Duration::minutes(-20)));
    let hint = error.hint().unwrap();
    assert!(
        hint.contains("about 20 min behind the server's (response Date header)"),
        "{hint}"
    );
    assert!(watched.sleeper.asked().is_empty());
}

#[tokio::test]
async fn a_read_whose_connection_drops_is_retried() {
    let world = World::demo().await;
    world.sandbox.set_faults(faults(|f| {
        f.reset_before_acting = Some(Schedule::first(1).only(&["ListAccessKeys"]));
        f.reset_after_acting = Some(Schedule::first(1).only(&["GetUser"]));
    }));
    let watched = watched(&world);

    watched.client.list_access_keys(USER).await.unwrap();
    watched.client.get_user(USER).await.unwrap();

    for action in ["ListAccessKeys", "GetUser"] {
        let tries = requests_for(&world, action);
        assert!(matches!(tries[0].ended, Ending::Reset { .. }), "{tries:#?}");
        assert!(tries[1].succeeded(), "{tries:#?}");
    }
    let reasons: Vec<_> = watched
        .notices
        .lock()
        .unwrap()
        .iter()
        .map(|n| n.reason.clone())
        .collect();
    assert_eq!(reasons, [const { RetryReason::Interrupted }; 2]);
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_ambiguous_and_not_sent_again() {
    let world = World::demo().await;
    world.sandbox.set_faults(faults(|f| {
        f.reset_after_acting = Some(Schedule::first(1).only(&["CreateUser"]));
    }));
    let watched = watched(&world);

    let error = watched
        .client
        .create_user("lost-answer", None, Some("made once"))
        .await
        .unwrap_err();

    assert!(error.is_ambiguous(), "{error:?}");
    let text = error.to_string();
    assert!(
        text.starts_with("CreateUser ended without a clear answer, so it may or may not have"),
        "{text}"
    );
    let tries = requests_for(&world, "CreateUser");
    assert_eq!(tries.len(), 1);
    assert_eq!(tries[0].ended, Ending::Reset { acted: true });
    // It did take effect: exactly what the caller has to look for.
    assert!(
        world
            .sandbox
            .account_snapshot()
            .user("lost-answer")
            .is_some()
    );
}

#[tokio::test]
async fn a_create_answered_with_a_503_page_is_ambiguous_too() {
    let world = World::demo().await;
    world.sandbox.set_faults(faults(|f| {
        f.unavailable = Some(Schedule::first(1).only(&["CreateAccessKey"]));
    }));
    let watched = watched(&world);

    let error = watched
        .client
        .create_access_key("alice.wang")
        .await
        .unwrap_err();

    assert!(error.is_ambiguous(), "{error:?}");
    assert!(
        matches!(error.last_answer(), CloudError::UnexpectedBody(body) if body.http_status == 503),
        "{error:?}"
    );
    assert_eq!(requests_for(&world, "CreateAccessKey").len(), 1);
}

#[tokio::test]
async fn a_throttled_create_is_sent_again_because_it_was_refused() {
    let world = World::demo().await;
    world.sandbox.set_faults(faults(|f| {
        f.throttle = Some(Schedule::first(1).only(&["CreateUser"]));
    }));
    let watched = watched(&world);

    watched
        .client
        .create_user("throttled-once", None, None)
        .await
        .unwrap();

    assert_eq!(requests_for(&world, "CreateUser").len(), 2);
    let account = world.sandbox.account_snapshot();
    let made = account
        .users
        .iter()
        .filter(|u| u.user_name == "throttled-once")
        .count();
    assert_eq!(made, 1);
}

#[tokio::test]
async fn a_write_answered_too_late_is_ambiguous() {
    let world = World::demo().await;
    world.sandbox.set_faults(faults(|f| {
        f.delay = Duration::from_secs(2);
    }));
    let timeouts = Timeouts {
        connect: Duration::from_secs(5),
        request: Duration::from_millis(200),
    };
    let client = world.caller_client(timeouts, Retry::with_sleeper(Arc::new(NoSleep::new())));

    let error = client
        .create_user("slow-answer", None, None)
        .await
        .unwrap_err();

    assert!(
        matches!(error.last_answer(), CloudError::Timeout { .. }),
        "{error:?}"
    );
    assert!(error.is_ambiguous());
    assert!(
        world
            .sandbox
            .account_snapshot()
            .user("slow-answer")
            .is_some()
    );
}

#[tokio::test]
async fn an_endpoint_nobody_listens_on_is_tried_five_times() {
    let world = World::demo().await;

    let error = world
        .unreachable_client()
        .list_users_page(None, None)
        .await
        .unwrap_err();

    assert!(
        matches!(error, CloudError::RetriesExhausted { tries: 5, .. }),
        "{error:?}"
    );
    assert!(
        matches!(error.last_answer(), CloudError::Connect { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_new_key_is_not_accepted_for_the_configured_time() {
    let world = World::demo().await;
    world.sandbox.set_faults(faults(|f| {
        f.new_key_unaccepted_for = Duration::from_secs(12);
    }));
    let created = world.client.create_access_key("alice.wang").await.unwrap();
    let new_key = created.value;
    let client = world.client_signing_as(&new_key.access_key_id, new_key.secret.expose());

    let refused = client.get_caller_identity().await.unwrap_err();
    assert_eq!(refused.code(), Some("InvalidAccessKeyId.NotFound"));
    assert_eq!(requests_for(&world, "GetCallerIdentity").len(), 1);

    world.advance(chrono::Duration::seconds(12));
    let identity = client.get_caller_identity().await.unwrap();
    assert!(identity.arn.ends_with("alice.wang"), "{identity:?}");
}

#[tokio::test]
async fn above_the_rate_limit_calls_wait_their_turn_and_all_succeed() {
    let world = World::demo().await;
    world.sandbox.set_faults(faults(|f| {
        f.throttle_above_per_second = std::num::NonZeroU32::new(2);
    }));
    let retry = Retry::with_sleeper(Arc::new(ClockSleeper(world.clock.clone())));
    let client = world.caller_client(Timeouts::default(), retry);

    for _ in 0..5 {
        client.get_user(USER).await.unwrap();
    }

    let tries = requests_for(&world, "GetUser");
    assert_eq!(tries.iter().filter(|t| t.succeeded()).count(), 5);
    assert!(
        tries.iter().any(|t| answered_code(t) == "Throttling.User"),
        "{tries:#?}"
    );
}

#[tokio::test]
async fn an_expired_sts_token_is_not_retried_and_says_how_to_refresh() {
    let server = support::TestServer::always(support::Reply::error(
        400,
        "InvalidSecurityToken.Expired",
        "Specified SecurityToken is expired.",
    ))
    .await;
    let client = support::client_for(server.endpoint(), support::temporary());

    let error = client.list_policies_for_user(USER).await.unwrap_err();

    assert_eq!(server.received().len(), 1);
    assert!(matches!(error, CloudError::Api(_)), "{error:?}");
    let hint = error.hint().unwrap();
    assert!(hint.contains("get fresh STS credentials"), "{hint}");
    assert!(hint.contains("resumes at the step"), "{hint}");
}
