//! Paced clients against the sandbox's rate limit, throttling storms and
//! other faults: every call completes, a `max_rps` cap holds in every
//! second of the requests the sandbox saw, a throttled call is tried again
//! past the retry policy's tries until the storm limit, and other failures
//! keep the ordinary retry rules.
//!
//! The sandbox runs on the system clock here: its rate limit counts
//! requests per second of that clock.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, StreamExt};
use ramkey::clock::{Clock, SystemClock};
use ramkey::cloud::pace::{PaceOptions, Pacer};
use ramkey::cloud::retry::NoSleep;
use ramkey::cloud::{
    Client, ClientConfig, CloudError, Credentials, Endpoints, Retry, RetryPolicy, SignatureVersion,
    Timeouts,
};
use ramkey::sandbox::{self, Account, Ending, Faults, SandboxHandle, Schedule, SeenRequest};

const USER: &str = "ci-deployer";

/// The demo account on the system clock, and an unpaced client of it whose
/// retries (other than a pacer's) do not wait.
async fn sandbox_and_client(policy: RetryPolicy) -> (SandboxHandle, Client) {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let listen = "127.0.0.1:0".parse().unwrap();
    let sandbox = sandbox::start(listen, Account::demo(), Arc::clone(&clock))
        .await
        .expect("sandbox starts");
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
        clock,
        signature: SignatureVersion::V1,
    };
    let retry = Retry {
        policy,
        ..Retry::with_sleeper(Arc::new(NoSleep::new()))
    };
    let client = Client::with_retry(config, Timeouts::default(), retry).unwrap();
    (sandbox, client)
}

fn faults(set: impl FnOnce(&mut Faults)) -> Faults {
    let mut faults = Faults::none();
    set(&mut faults);
    faults
}

fn throttled(request: &SeenRequest) -> bool {
    matches!(&request.ended, Ending::Answered { code, .. } if code.starts_with("Throttling"))
}

/// Runs `calls` GetUser calls, `concurrency` at a time; every result.
async fn get_users(
    client: &Client,
    calls: usize,
    concurrency: usize,
) -> Vec<Result<(), CloudError>> {
    stream::iter(0..calls)
        .map(|_| async { client.get_user(USER).await.map(|_| ()) })
        .buffer_unordered(concurrency)
        .collect()
        .await
}

/// How many requests the sandbox accepted in each second of their `Timestamp`.
fn accepted_per_second(requests: &[SeenRequest]) -> BTreeMap<String, usize> {
    let mut seconds = BTreeMap::new();
    for request in requests.iter().filter(|request| request.succeeded()) {
        *seconds.entry(request.timestamp.clone()).or_default() += 1;
    }
    seconds
}

#[tokio::test]
async fn many_concurrent_paced_calls_all_complete_under_a_rate_limit() {
    let (sandbox, client) = sandbox_and_client(RetryPolicy::never()).await;
    sandbox.set_faults(faults(|f| {
        f.throttle_above_per_second = NonZeroU32::new(40);
        f.delay = Duration::from_millis(5);
    }));
    let pacer = Pacer::new(PaceOptions::default());
    let paced = client.paced(Arc::clone(&pacer));

    let results = get_users(&paced, 200, 16).await;

    let failures: Vec<&CloudError> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(failures.is_empty(), "{failures:#?}");
    let requests = sandbox.requests();
    assert_eq!(requests.iter().filter(|r| r.succeeded()).count(), 200);
    let refused = requests.iter().filter(|r| throttled(r)).count();
    assert!(refused > 0, "the pacer ramps past the limit and finds it");
    let stats = pacer.stats();
    assert_eq!(stats.calls, u64::try_from(requests.len()).unwrap());
    assert_eq!(stats.throttled, u64::try_from(refused).unwrap());
}

#[tokio::test]
async fn with_a_cap_no_second_holds_more_requests_than_it() {
    let (sandbox, client) = sandbox_and_client(RetryPolicy::never()).await;
    sandbox.set_faults(faults(|f| f.delay = Duration::from_millis(2)));
    let pacer = Pacer::new(PaceOptions {
        start_rps: 50.0,
        max_rps: Some(15.0),
        ..PaceOptions::default()
    });
    let paced = client.paced(Arc::clone(&pacer));

    let results = get_users(&paced, 60, 16).await;

    assert!(results.iter().all(Result::is_ok));
    let seconds = accepted_per_second(&sandbox.requests());
    let busiest = seconds.values().copied().max().unwrap();
    assert!(busiest <= 15, "{seconds:#?}");
    assert!(busiest >= 10, "the calls run at the cap: {seconds:#?}");
    assert!(pacer.stats().allowed_rps <= 15.0);
}

#[tokio::test]
async fn a_storm_of_throttling_ends_with_every_call_done() {
    let (sandbox, client) = sandbox_and_client(RetryPolicy::default()).await;
    sandbox.set_faults(faults(|f| {
        f.throttle = Some(Schedule::every(1));
        f.retry_after = Duration::from_millis(200);
    }));
    let pacer = Pacer::new(PaceOptions::default());
    let paced = client.paced(Arc::clone(&pacer));
    let storm_over = async {
        tokio::time::sleep(Duration::from_secs(3)).await;
        sandbox.set_faults(Faults::none());
    };

    let (results, ()) = tokio::join!(get_users(&paced, 40, 8), storm_over);

    let failures: Vec<&CloudError> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(failures.is_empty(), "{failures:#?}");
    let requests = sandbox.requests();
    assert_eq!(requests.iter().filter(|r| r.succeeded()).count(), 40);
    assert!(requests.iter().filter(|r| throttled(r)).count() >= 5);
    assert!(pacer.stats().throttled >= 5);
}

/// Two tries at most, unless a pacer takes the throttled ones.
fn two_tries() -> RetryPolicy {
    RetryPolicy {
        max_tries: 2,
        ..RetryPolicy::default()
    }
}

#[tokio::test]
async fn a_paced_call_is_tried_again_past_the_policys_tries_while_throttled() {
    let (sandbox, client) = sandbox_and_client(two_tries()).await;
    sandbox.set_faults(faults(|f| {
        f.throttle = Some(Schedule::first(6));
        f.retry_after = Duration::from_millis(20);
    }));

    let unpaced = client.get_user(USER).await.unwrap_err();
    let paced = client.paced(Pacer::new(PaceOptions::default()));
    let user = paced.get_user(USER).await.unwrap();

    assert!(
        matches!(unpaced, CloudError::RetriesExhausted { tries: 2, .. }),
        "{unpaced:?}"
    );
    assert_eq!(user.user_name, USER);
    let codes: Vec<bool> = sandbox.requests().iter().map(throttled).collect();
    assert_eq!(codes, [true, true, true, true, true, true, false]);
}

#[tokio::test]
async fn a_call_throttled_past_the_storm_limit_gives_up_saying_so() {
    let (sandbox, client) = sandbox_and_client(two_tries()).await;
    sandbox.set_faults(faults(|f| {
        f.throttle = Some(Schedule::every(1));
        f.retry_after = Duration::from_millis(50);
    }));
    let paced = client.paced(Pacer::new(PaceOptions {
        storm_limit: Duration::from_millis(400),
        ..PaceOptions::default()
    }));

    let error = paced.get_user(USER).await.unwrap_err();

    let CloudError::RetriesExhausted { tries, waited, .. } = &error else {
        panic!("expected retries exhausted, got {error:?}");
    };
    assert!(*tries > 2, "more tries than the policy's: {tries}");
    assert!(*waited >= Duration::from_millis(400), "{waited:?}");
    assert_eq!(error.code(), Some("Throttling.User"));
    assert!(
        error.to_string().contains("GetUser still failed"),
        "{error}"
    );
    assert_eq!(sandbox.requests().len(), usize::try_from(*tries).unwrap());
}

#[tokio::test]
async fn under_a_pacer_a_write_that_ends_unclearly_is_not_sent_again() {
    let (sandbox, client) = sandbox_and_client(RetryPolicy::default()).await;
    sandbox.set_faults(faults(|f| {
        f.reset_after_acting = Some(Schedule::every(1).only(&["CreateUser"]));
    }));
    let paced = client.paced(Pacer::new(PaceOptions::default()));

    let error = paced.create_user("new.app", None, None).await.unwrap_err();

    assert!(error.is_ambiguous(), "{error:?}");
    let creates = sandbox
        .requests()
        .into_iter()
        .filter(|request| request.action == "CreateUser")
        .count();
    assert_eq!(creates, 1);
}

#[tokio::test]
async fn under_a_pacer_a_read_answered_503_is_retried_by_the_policy() {
    let (sandbox, client) = sandbox_and_client(RetryPolicy::default()).await;
    sandbox.set_faults(faults(|f| f.unavailable = Some(Schedule::first(1))));
    let pacer = Pacer::new(PaceOptions::default());

    let keys = client
        .paced(Arc::clone(&pacer))
        .list_access_keys(USER)
        .await
        .unwrap();

    assert!(!keys.is_empty());
    assert_eq!(sandbox.requests().len(), 2);
    let stats = pacer.stats();
    assert_eq!((stats.calls, stats.throttled), (2, 0));
}
