//! Pacing: one request rate shared by every call of a scan, adapted to the
//! answers so the scan runs near the account's (unpublished) limit without
//! being told it. [`rate`] holds the rules and is pure; this file queues the
//! callers on the tokio timer and tells throttling apart from other failures.
//!
//! A paced [`super::Client`] (see `Client::paced`) waits here before every
//! try and reports each try's [`Outcome`]. Knows nothing of HTTP, of the
//! actions' shapes, of the scan or the UI.

pub mod rate;

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use rate::Rate;
pub use rate::{Outcome, PaceStats, Permit};

use super::error::CloudError;
use super::retry::{Decision, RetryReason, decide};

/// How a [`Pacer`] starts, its ceiling, and how long a call may stay throttled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaceOptions {
    /// The rate of the first tries, per second.
    pub start_rps: f64,
    /// Never more tries than this in any second (`--max-rps`).
    pub max_rps: Option<f64>,
    /// A call throttled this long without succeeding gives up.
    pub storm_limit: Duration,
}

impl Default for PaceOptions {
    /// 10 tries a second at first, no ceiling, two minutes of throttling.
    fn default() -> Self {
        Self {
            start_rps: 10.0,
            max_rps: None,
            storm_limit: Duration::from_secs(120),
        }
    }
}

/// The shared request rate. Callers take turns in arrival order; the one
/// whose turn it is waits for its slot.
pub struct Pacer {
    rate: Mutex<Rate>,
    /// Held by the caller whose turn it is.
    turn: tokio::sync::Mutex<()>,
    /// Rung when the rate rises, so the caller waiting may go sooner.
    rose: Notify,
    options: PaceOptions,
}

impl Pacer {
    /// A pacer starting at `options.start_rps`.
    pub fn new(options: PaceOptions) -> Arc<Self> {
        Arc::new(Self {
            rate: Mutex::new(Rate::new(options.start_rps, options.max_rps)),
            turn: tokio::sync::Mutex::new(()),
            rose: Notify::new(),
            options,
        })
    }

    /// What it was made with.
    pub fn options(&self) -> PaceOptions {
        self.options
    }

    /// Waits until a try may start; tell [`Self::tell`] how it ended.
    pub async fn wait_turn(&self) -> Permit {
        let _turn = self.turn.lock().await;
        loop {
            let rose = self.rose.notified();
            tokio::pin!(rose);
            // Listen before asking, so a rise in between is not missed.
            rose.as_mut().enable();
            let granted = self.lock().grant(Instant::now().into_std());
            match granted {
                Ok(permit) => return permit,
                Err(until) => wait_for(Instant::from_std(until), rose).await,
            }
        }
    }

    /// Takes in how a try let go by `permit` ended.
    pub fn tell(&self, permit: Permit, outcome: Outcome) {
        let now = Instant::now().into_std();
        if self.lock().record(permit, outcome, now) {
            self.rose.notify_waiters();
        }
    }

    /// The counters for a progress display.
    pub fn stats(&self) -> PaceStats {
        self.lock().stats(Instant::now().into_std())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rate> {
        self.rate.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer")
            .field("options", &self.options)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// Sleeps until `until`, or until the rate rises.
async fn wait_for(until: Instant, rose: impl Future<Output = ()>) {
    tokio::select! {
        () = tokio::time::sleep_until(until) => {}
        () = rose => {}
    }
}

/// What a try's result says about the rate: the same test of throttling
/// the retry rules use.
pub(crate) fn outcome_of<T>(
    result: &Result<T, CloudError>,
    retry_after: Option<Duration>,
) -> Outcome {
    match result {
        Ok(_) => Outcome::Ok,
        Err(error) => match decide(error, false, retry_after) {
            Decision::Retry(RetryReason::Throttled { .. }) => Outcome::Throttled { retry_after },
            _ => Outcome::Other,
        },
    }
}

/// One call's time under throttling: from its first throttled answer.
#[derive(Debug, Default)]
pub(crate) struct Storm {
    since: Option<Instant>,
    tries: u32,
}

impl Storm {
    /// Notes a throttled try; says whether the call may be tried again
    /// (within `limit` of its first throttled answer).
    pub fn throttled(&mut self, limit: Duration) -> bool {
        let now = Instant::now();
        let since = *self.since.get_or_insert(now);
        self.tries += 1;
        now.duration_since(since) < limit
    }

    /// The error of a call that stayed throttled too long.
    pub fn gave_up(&self, action: &str, last: CloudError) -> CloudError {
        let waited = self.since.map_or(Duration::ZERO, |since| since.elapsed());
        CloudError::RetriesExhausted {
            action: action.to_owned(),
            tries: self.tries,
            waited,
            last: Box::new(last),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::error::ApiError;

    fn api(code: &str) -> Result<(), CloudError> {
        Err(ApiError::new(code, "text", 400).into())
    }

    #[test]
    fn throttling_is_told_apart_from_other_failures() {
        let wait = Some(Duration::from_millis(30));
        assert_eq!(outcome_of(&Ok::<(), CloudError>(()), None), Outcome::Ok);
        assert_eq!(
            outcome_of(&api("Throttling.Api"), None),
            Outcome::Throttled { retry_after: None }
        );
        assert_eq!(
            outcome_of(&api("ServiceBusy"), wait),
            Outcome::Throttled { retry_after: wait }
        );
        assert_eq!(outcome_of(&api("NoPermission"), None), Outcome::Other);
    }

    #[tokio::test]
    async fn callers_take_turns_at_the_rate() {
        let pacer = Pacer::new(PaceOptions {
            start_rps: 100.0,
            ..PaceOptions::default()
        });
        let start = Instant::now();

        for _ in 0..5 {
            let permit = pacer.wait_turn().await;
            pacer.tell(permit, Outcome::Other);
        }

        // Five tries 10 ms apart, each allowed to go up to the leeway early.
        let least = Duration::from_millis(40).saturating_sub(rate::LEEWAY * 4);
        assert!(start.elapsed() >= least);
        assert_eq!(pacer.stats().calls, 5);
    }

    #[tokio::test]
    async fn a_retry_after_holds_every_caller() {
        let pacer = Pacer::new(PaceOptions::default());
        let permit = pacer.wait_turn().await;
        let start = Instant::now();

        pacer.tell(
            permit,
            Outcome::Throttled {
                retry_after: Some(Duration::from_millis(300)),
            },
        );
        let waiting: Vec<_> = (0..3)
            .map(|_| {
                let pacer = Arc::clone(&pacer);
                tokio::spawn(async move { pacer.wait_turn().await })
            })
            .collect();
        for handle in waiting {
            let permit = handle.await.unwrap();
            let granted = Instant::from_std(permit.granted_at());
            assert!(granted >= start + Duration::from_millis(300));
        }
        assert_eq!(pacer.stats().throttled, 1);
    }

    #[tokio::test]
    async fn a_storm_ends_after_its_limit() {
        let limit = Duration::from_millis(60);
        let mut storm = Storm::default();
        assert!(storm.throttled(limit));
        assert!(storm.throttled(limit));
        tokio::time::sleep(limit).await;
        assert!(!storm.throttled(limit));

        let error = storm.gave_up("ListUsers", api("Throttling.User").unwrap_err());
        assert!(
            matches!(error, CloudError::RetriesExhausted { tries: 3, waited, .. }
                if waited >= limit),
            "{error:?}"
        );
        assert_eq!(error.code(), Some("Throttling.User"));
    }
}
