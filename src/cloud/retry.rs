//! When a failed call is tried again, as the official SDKs do it: throttling
//! (a `Throttling*` code, or any error carrying `x-acs-retry-after`), 5xx
//! answers and connection failures are retried with exponential backoff and
//! full jitter, bounded in tries and in time. Each try is a new request; the
//! client signs it afresh.
//!
//! A call that changes the account and ended without a clear answer
//! (timeout, reset, 5xx, a body that does not parse) is never tried again
//! here: it comes back as [`CloudError::Ambiguous`], and the caller looks
//! before it writes again. Business errors, clock skew and credential or
//! signature errors are never retried: another try gets the same answer.
//!
//! Waiting goes through a [`Sleeper`] and every retry is told to a
//! [`RetryObserver`], so tests never wait and a UI can say "throttled,
//! retrying in 3 s". Knows nothing of HTTP or of the actions' shapes.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::error::CloudError;

/// How often and how long a failed call is tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included; 1 means never retry.
    pub max_tries: u32,
    /// No retry starts once this much time has gone since the first try.
    pub max_total: Duration,
    /// The longest wait before the first retry; doubled for each later one.
    pub first_delay: Duration,
    /// The longest wait before any retry.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Five tries within a minute, waiting up to 1, 2, 4 and 8 s.
    fn default() -> Self {
        Self {
            max_tries: 5,
            max_total: Duration::from_secs(60),
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// One try only: every failure is returned as it came.
    pub fn never() -> Self {
        Self {
            max_tries: 1,
            ..Self::default()
        }
    }

    /// The longest wait after `failed_tries` failed tries: the first delay,
    /// doubled for each try after the first, at most [`Self::max_delay`].
    pub fn ceiling(&self, failed_tries: u32) -> Duration {
        let doublings = failed_tries.saturating_sub(1).min(31);
        self.first_delay
            .saturating_mul(1 << doublings)
            .min(self.max_delay)
    }

    /// Full jitter: the point `unit` (in `[0, 1)`) of the way to the ceiling,
    /// so that many throttled clients do not all come back at once.
    pub fn backoff(&self, failed_tries: u32, unit: f64) -> Duration {
        self.ceiling(failed_tries).mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// Waits between tries. The client's default waits for real; tests pass one
/// that does not.
pub trait Sleeper: Send + Sync {
    /// Waits for `wait`.
    fn sleep(&self, wait: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// Waits on the tokio timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, wait: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(wait))
    }
}

/// Waits for nothing and remembers each wait it was asked for (tests, the
/// sandbox demo).
#[derive(Debug, Clone, Default)]
pub struct NoSleep {
    asked: Arc<Mutex<Vec<Duration>>>,
}

impl NoSleep {
    /// A sleeper that returns at once.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every wait asked for so far, in order.
    pub fn asked(&self) -> Vec<Duration> {
        self.asked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Sleeper for NoSleep {
    fn sleep(&self, wait: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.asked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(wait);
        Box::pin(std::future::ready(()))
    }
}

/// Why a call is being tried again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryReason {
    /// The service refused the request for its rate limit.
    Throttled {
        /// The code, e.g. `Throttling.User`.
        code: String,
    },
    /// The service or a gateway in front of it answered 5xx.
    ServerError {
        /// The HTTP status.
        status: u16,
    },
    /// No connection could be made, so the request never left.
    ConnectFailed,
    /// The connection dropped or timed out before a full answer (reads only).
    Interrupted,
    /// A key CreateAccessKey just returned is not accepted yet (`code`):
    /// new keys take a while (BC-12). Asked again until `cap` has passed.
    NewKeyNotYetAccepted {
        /// The refusal's code, e.g. `InvalidAccessKeyId.NotFound`.
        code: String,
        /// How long ramkey has been asking.
        elapsed: Duration,
        /// How long it asks at most.
        cap: Duration,
    },
}

impl fmt::Display for RetryReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetryReason::Throttled { code } => write!(f, "throttled ({code})"),
            RetryReason::ServerError { status } => write!(f, "server error (HTTP {status})"),
            RetryReason::ConnectFailed => f.write_str("cannot connect"),
            RetryReason::Interrupted => f.write_str("the connection dropped"),
            RetryReason::NewKeyNotYetAccepted { code, .. } => {
                write!(f, "new key not accepted yet ({code})")
            }
        }
    }
}

/// One retry about to happen, for the log and the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryNotice {
    /// The API action, e.g. `ListPoliciesForUser`.
    pub action: &'static str,
    /// The RAM user the call is about, if any.
    pub user: Option<String>,
    /// Why the last try failed.
    pub reason: RetryReason,
    /// How many tries have failed so far (1 after the first).
    pub failed_tries: u32,
    /// The most tries there will be.
    pub max_tries: u32,
    /// How long ramkey waits before the next try.
    pub wait: Duration,
}

impl fmt::Display for RetryNotice {
    /// `ListUsers: throttled (Throttling.User), retrying in 3 s (try 2 of 5)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The progress first: a narrow status line cuts the end.
        if let RetryReason::NewKeyNotYetAccepted { code, elapsed, cap } = &self.reason {
            return write!(
                f,
                "new key try {} of {} ({} of {} s): {} refuses it with {code}, as expected at \
                 first; next try in {} s",
                self.failed_tries + 1,
                self.max_tries,
                elapsed.as_secs(),
                cap.as_secs(),
                self.action,
                self.wait.as_secs_f64().ceil()
            );
        }
        write!(
            f,
            "{}: {}, retrying in {} s (try {} of {})",
            self.action,
            self.reason,
            self.wait.as_secs_f64().ceil(),
            self.failed_tries + 1,
            self.max_tries
        )
    }
}

/// Told about each retry before its wait starts.
pub trait RetryObserver: Send + Sync {
    /// A retry of `notice.action` will start after `notice.wait`.
    fn retrying(&self, notice: &RetryNotice);
}

impl<F: Fn(&RetryNotice) + Send + Sync> RetryObserver for F {
    fn retrying(&self, notice: &RetryNotice) {
        self(notice);
    }
}

/// The client's retry settings: the policy, how to wait, whom to tell.
#[derive(Clone)]
pub struct Retry {
    /// How often and how long.
    pub policy: RetryPolicy,
    /// How waits are made.
    pub sleeper: Arc<dyn Sleeper>,
    /// Told about each retry (besides the log).
    pub observer: Option<Arc<dyn RetryObserver>>,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            policy: RetryPolicy::default(),
            sleeper: Arc::new(TokioSleeper),
            observer: None,
        }
    }
}

impl Retry {
    /// Never retry.
    pub fn never() -> Self {
        Self {
            policy: RetryPolicy::never(),
            ..Self::default()
        }
    }

    /// The default policy, waiting through `sleeper`.
    pub fn with_sleeper(sleeper: Arc<dyn Sleeper>) -> Self {
        Self {
            sleeper,
            ..Self::default()
        }
    }

    /// These settings, telling `observer` about each retry.
    #[must_use]
    pub fn observed_by(mut self, observer: Arc<dyn RetryObserver>) -> Self {
        self.observer = Some(observer);
        self
    }
}

impl fmt::Debug for Retry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Retry")
            .field("policy", &self.policy)
            .field("observed", &self.observer.is_some())
            .finish_non_exhaustive()
    }
}

/// What one try gave: its result, and the wait the server asked for.
pub(crate) struct Attempt<T> {
    pub result: Result<T, CloudError>,
    /// `x-acs-retry-after`, on an error answer.
    pub retry_after: Option<Duration>,
}

/// What to do with a failed try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Try again (after a wait).
    Retry(RetryReason),
    /// A write may have taken effect: do not try again, say so.
    Ambiguous,
    /// Another try would get the same answer.
    Stop,
}

/// Whether a failed try of a call (that `writes` or only reads) is tried again.
pub(crate) fn decide(error: &CloudError, writes: bool, retry_after: Option<Duration>) -> Decision {
    let unclear = if writes {
        Decision::Ambiguous
    } else {
        Decision::Retry(RetryReason::Interrupted)
    };
    match error {
        CloudError::Api(api) if api.code.starts_with("Throttling") || retry_after.is_some() => {
            // Refused before acting, so even a create may be sent again.
            Decision::Retry(RetryReason::Throttled {
                code: api.code.clone(),
            })
        }
        CloudError::Api(api) => server_error(api.http_status, writes),
        CloudError::UnexpectedBody(body) if body.http_status >= 500 => {
            server_error(body.http_status, writes)
        }
        // A success status with a body that does not parse: a read would get
        // the same page again, a write may have been done.
        CloudError::UnexpectedBody(body) if writes && body.http_status < 300 => Decision::Ambiguous,
        CloudError::Connect { .. } => Decision::Retry(RetryReason::ConnectFailed),
        CloudError::Timeout { .. } | CloudError::Transport { .. } => unclear,
        _ => Decision::Stop,
    }
}

fn server_error(status: u16, writes: bool) -> Decision {
    match status {
        500.. if writes => Decision::Ambiguous,
        500.. => Decision::Retry(RetryReason::ServerError { status }),
        _ => Decision::Stop,
    }
}

/// Which call is being tried, for decisions, notices and errors.
pub(crate) struct CallLabel<'a> {
    pub action: &'static str,
    pub user: Option<&'a str>,
    pub writes: bool,
}

/// What the client does after a try.
pub(crate) enum Next<T> {
    /// Hand this back to the caller.
    Done(Result<T, CloudError>),
    /// Wait this long, then try again (signed afresh).
    Wait(Duration),
}

/// The bookkeeping of one call's tries.
pub(crate) struct Retrier<'a> {
    retry: &'a Retry,
    started: DateTime<Utc>,
    failed_tries: u32,
    waited: Duration,
}

impl<'a> Retrier<'a> {
    pub fn new(retry: &'a Retry, started: DateTime<Utc>) -> Self {
        Self {
            retry,
            started,
            failed_tries: 0,
            waited: Duration::ZERO,
        }
    }

    /// Decides after a try that ended at `now`; tells the observer and the
    /// log about a retry.
    pub fn next<T>(
        &mut self,
        attempt: Attempt<T>,
        call: &CallLabel<'_>,
        now: DateTime<Utc>,
    ) -> Next<T> {
        let error = match attempt.result {
            Ok(value) => return Next::Done(Ok(value)),
            Err(error) => error,
        };
        self.failed_tries += 1;
        let reason = match decide(&error, call.writes, attempt.retry_after) {
            Decision::Stop => return Next::Done(Err(error)),
            Decision::Ambiguous => return Next::Done(Err(ambiguous(call, error))),
            Decision::Retry(reason) => reason,
        };

        let wait = self.wait(attempt.retry_after);
        if !self.may_retry(wait, now) {
            return Next::Done(Err(self.give_up(call, error)));
        }
        self.waited += wait;
        self.tell(call, reason, wait);
        Next::Wait(wait)
    }

    /// Starts the time allowed again at `now`, keeping the failed tries
    /// counted: time a pacer spent on throttled tries is not the policy's.
    pub fn restart_clock(&mut self, now: DateTime<Utc>) {
        self.started = now;
    }

    /// The server's `x-acs-retry-after` when it gave one, else full jitter.
    fn wait(&self, retry_after: Option<Duration>) -> Duration {
        let policy = &self.retry.policy;
        retry_after.unwrap_or_else(|| policy.backoff(self.failed_tries, rand::random::<f64>()))
    }

    /// Within the tries and the time allowed, counting both the clock and
    /// the waits (a test clock may stand still while the waits add up).
    fn may_retry(&self, wait: Duration, now: DateTime<Utc>) -> bool {
        let policy = &self.retry.policy;
        let elapsed = (now - self.started).to_std().unwrap_or_default();
        let spent = elapsed.max(self.waited);
        self.failed_tries < policy.max_tries && spent + wait <= policy.max_total
    }

    fn give_up(&self, call: &CallLabel<'_>, last: CloudError) -> CloudError {
        if self.failed_tries <= 1 && self.retry.policy.max_tries <= 1 {
            return last;
        }
        CloudError::RetriesExhausted {
            action: call.action.to_owned(),
            tries: self.failed_tries,
            waited: self.waited,
            last: Box::new(last),
        }
    }

    fn tell(&self, call: &CallLabel<'_>, reason: RetryReason, wait: Duration) {
        let notice = RetryNotice {
            action: call.action,
            user: call.user.map(str::to_owned),
            reason,
            failed_tries: self.failed_tries,
            max_tries: self.retry.policy.max_tries,
            wait,
        };
        tracing::warn!(
            action = notice.action,
            user = call.user.unwrap_or("-"),
            reason = %notice.reason,
            failed_tries = notice.failed_tries,
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            "cloud call retried"
        );
        if let Some(observer) = &self.retry.observer {
            observer.retrying(&notice);
        }
    }
}

fn ambiguous(call: &CallLabel<'_>, error: CloudError) -> CloudError {
    tracing::warn!(
        action = call.action,
        user = call.user.unwrap_or("-"),
        %error,
        "cloud write ended without a clear answer; not repeated"
    );
    CloudError::Ambiguous {
        action: call.action.to_owned(),
        source: Box::new(error),
    }
}

/// Reads `x-acs-retry-after` (milliseconds).
pub(crate) fn parse_retry_after(raw: &str) -> Option<Duration> {
    raw.trim().parse::<u64>().ok().map(Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::error::{ApiError, UnexpectedBody};

    fn api(code: &str, status: u16) -> CloudError {
        ApiError::new(code, "text", status).into()
    }

    fn body(status: u16) -> CloudError {
        UnexpectedBody {
            action: "X".to_owned(),
            endpoint: "http://127.0.0.1:1".to_owned(),
            http_status: status,
            request_id: None,
            problem: "the body is HTML".to_owned(),
            body_start: String::new(),
        }
        .into()
    }

    #[test]
    fn the_ceiling_doubles_up_to_the_cap() {
        let policy = RetryPolicy::default();
        let secs: Vec<u64> = (1..=7).map(|n| policy.ceiling(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 20, 20]);
        assert_eq!(policy.ceiling(u32::MAX), policy.max_delay);
    }

    #[test]
    fn full_jitter_spans_zero_to_the_ceiling() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(3, 0.0), Duration::ZERO);
        assert_eq!(policy.backoff(3, 0.5), Duration::from_secs(2));
        assert_eq!(policy.backoff(3, 7.0), Duration::from_secs(4));
    }

    #[test]
    fn throttling_is_retried_for_reads_and_writes() {
        for writes in [false, true] {
            for code in ["Throttling", "Throttling.User", "Throttling.Api"] {
                assert!(
                    matches!(decide(&api(code, 400), writes, None), Decision::Retry(_)),
                    "{code}"
                );
            }
        }
        // Any error with x-acs-retry-after is throttling (TEA OpenAPI, 2026).
        let hinted = decide(&api("Busy", 429), true, Some(Duration::from_millis(5)));
        assert!(matches!(hinted, Decision::Retry(_)), "{hinted:?}");
    }

    #[test]
    fn errors_another_try_cannot_fix_are_not_retried() {
        for code in [
            "InvalidTimeStamp.Expired",
            "SignatureDoesNotMatch",
            "InvalidAccessKeyId.NotFound",
            "InvalidSecurityToken.Expired",
            "NoPermission",
            "EntityAlreadyExists.User",
            "LimitExceeded.User.AccessKey",
            "SignatureNonceUsed",
        ] {
            for writes in [false, true] {
                assert_eq!(decide(&api(code, 400), writes, None), Decision::Stop);
            }
        }
        assert_eq!(decide(&body(200), false, None), Decision::Stop);
        assert_eq!(decide(&body(400), true, None), Decision::Stop);
    }

    #[test]
    fn five_hundreds_are_retried_for_reads_and_ambiguous_for_writes() {
        assert_eq!(
            decide(&api("ServiceUnavailable", 503), false, None),
            Decision::Retry(RetryReason::ServerError { status: 503 })
        );
        assert_eq!(
            decide(&body(502), false, None),
            Decision::Retry(RetryReason::ServerError { status: 502 })
        );
        assert_eq!(
            decide(&api("InternalError", 500), true, None),
            Decision::Ambiguous
        );
        assert_eq!(decide(&body(503), true, None), Decision::Ambiguous);
        assert_eq!(decide(&body(200), true, None), Decision::Ambiguous);
    }

    #[test]
    fn retry_after_is_milliseconds() {
        assert_eq!(parse_retry_after("1500"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_retry_after(" 20 "), Some(Duration::from_millis(20)));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn a_notice_reads_as_the_ui_shows_it() {
        let notice = RetryNotice {
            action: "ListUsers",
            user: None,
            reason: RetryReason::Throttled {
                code: "Throttling.User".to_owned(),
            },
            failed_tries: 1,
            max_tries: 5,
            wait: Duration::from_millis(2500),
        };
        assert_eq!(
            notice.to_string(),
            "ListUsers: throttled (Throttling.User), retrying in 3 s (try 2 of 5)"
        );
    }

    fn label() -> CallLabel<'static> {
        CallLabel {
            action: "ListUsers",
            user: None,
            writes: false,
        }
    }

    fn failed(code: &str) -> Attempt<()> {
        Attempt {
            result: Err(api(code, 400)),
            retry_after: Some(Duration::from_secs(1)),
        }
    }

    #[test]
    fn the_retrier_gives_up_after_the_last_try_naming_the_count() {
        let retry = Retry::with_sleeper(Arc::new(NoSleep::new()));
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let mut retrier = Retrier::new(&retry, now);
        for _ in 0..4 {
            assert!(matches!(
                retrier.next(failed("Throttling.User"), &label(), now),
                Next::Wait(_)
            ));
        }
        let Next::Done(Err(error)) = retrier.next(failed("Throttling.User"), &label(), now) else {
            panic!("the fifth failure must end the call");
        };
        assert!(
            matches!(error, CloudError::RetriesExhausted { tries: 5, .. }),
            "{error:?}"
        );
        assert_eq!(error.code(), Some("Throttling.User"));
    }

    #[test]
    fn the_retrier_stops_when_the_time_is_spent() {
        let retry = Retry::with_sleeper(Arc::new(NoSleep::new()));
        let start = DateTime::<Utc>::UNIX_EPOCH;
        let mut retrier = Retrier::new(&retry, start);
        let late = start + chrono::Duration::seconds(60);
        let Next::Done(Err(error)) = retrier.next(failed("Throttling"), &label(), late) else {
            panic!("no retry may start after the time allowed");
        };
        assert!(matches!(
            error,
            CloudError::RetriesExhausted { tries: 1, .. }
        ));
    }
}
