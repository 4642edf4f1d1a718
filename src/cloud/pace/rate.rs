//! The pure core of the adaptive request rate: which try may start when,
//! and how the rate moves with the answers. Every moment is an argument, so
//! tests drive it through seconds of traffic without waiting.
//!
//! The rate starts at `start_rps` and, while callers are waiting for it,
//! doubles every [`DOUBLING`] (a ramp). A throttled answer drops it to the
//! rate the service accepted over the last [`WINDOW`] (measured, never below
//! half the rate in force: one early refusal is not a verdict), and from
//! there it probes upward by [`PROBE_GAIN`] a second. After [`CALM`] without
//! throttling it ramps again, which is how it recovers from a storm. A
//! `x-acs-retry-after` holds every try until the time it names. Tries are
//! spaced evenly (a theoretical-arrival-time schedule that may run up to
//! [`LEEWAY`] early, so a late timer does not lose the slot), and with
//! `max_rps` no [`CAP_WINDOW`] ever holds more than `max_rps` tries.
//!
//! Knows nothing of HTTP, tokio or the client.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// While callers wait for the rate, it doubles this often.
pub const DOUBLING: Duration = Duration::from_millis(250);
/// After a backoff the rate grows by this fraction per second.
pub const PROBE_GAIN: f64 = 0.10;
/// Probing this long without a throttled answer turns back into a ramp.
pub const CALM: Duration = Duration::from_secs(1);
/// The accepted rate is measured over this window (and `recent_rps` too).
pub const WINDOW: Duration = Duration::from_secs(1);
/// A measurement over less time than this is stretched to it: two early
/// answers are not a rate.
const SHORTEST_SPAN: Duration = Duration::from_millis(250);
/// A backoff keeps at least this share of the rate in force.
const DEEPEST_CUT: f64 = 0.5;
/// The rate never falls below this (or below `max_rps`, when lower).
pub const FLOOR_RPS: f64 = 1.0;
/// A try may start this much before its slot, to make up for a late timer.
pub const LEEWAY: Duration = Duration::from_millis(10);
/// `max_rps` holds in every window this long: a try's `Timestamp` is read a
/// moment after it is let go, and must still fall in a second that is not full.
pub const CAP_WINDOW: Duration = Duration::from_millis(1020);
/// Callers count as waiting for the rate when one did within this long (or
/// two intervals, when longer); only then does the rate grow.
const BUSY_WITHIN: Duration = Duration::from_millis(100);

/// How a try ended, as far as the rate is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An answer that was not a refusal for the rate.
    Ok,
    /// Refused for the rate (a `Throttling*` code or `x-acs-retry-after`).
    Throttled {
        /// The server's `x-acs-retry-after`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// Any other failure: it says nothing about the rate.
    Other,
}

/// Leave to start one try, naming when it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "tell the pacer how the try ended"]
pub struct Permit {
    granted: Instant,
}

impl Permit {
    /// When the try was let go.
    pub fn granted_at(self) -> Instant {
        self.granted
    }
}

/// The counters a progress display shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaceStats {
    /// Tries let go, retries included.
    pub calls: u64,
    /// Tries refused for the rate.
    pub throttled: u64,
    /// The rate in force, in tries per second.
    pub allowed_rps: f64,
    /// Tries let go per second over the last second.
    pub recent_rps: f64,
}

/// Whether the rate is still finding its level or probing gently above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Ramp,
    Probe,
}

/// The rate and its schedule.
#[derive(Debug, Clone)]
pub struct Rate {
    allowed: f64,
    cap: Option<f64>,
    phase: Phase,
    /// The slot of the next try; `None` before the first.
    next_slot: Option<Instant>,
    paused_until: Option<Instant>,
    last_growth: Option<Instant>,
    /// Throttled tries let go before this are old news.
    backed_off_at: Option<Instant>,
    last_throttled: Option<Instant>,
    /// The last time a caller had to wait for its slot.
    waited_at: Option<Instant>,
    first_grant: Option<Instant>,
    /// When each try of the last [`CAP_WINDOW`] was let go.
    granted: VecDeque<Instant>,
    /// When each try answered [`Outcome::Ok`] within the last [`WINDOW`] was let go.
    accepted: VecDeque<Instant>,
    calls: u64,
    throttled: u64,
}

impl Rate {
    /// Starts at `start_rps` (10 when not a positive number), never above
    /// `max_rps` (ignored when not a positive number).
    pub fn new(start_rps: f64, max_rps: Option<f64>) -> Self {
        let cap = max_rps.filter(|max| max.is_finite() && *max > 0.0);
        let start = if start_rps.is_finite() && start_rps > 0.0 {
            start_rps
        } else {
            10.0
        };
        Self {
            allowed: cap.map_or(start, |cap| start.min(cap)),
            cap,
            phase: Phase::Ramp,
            next_slot: None,
            paused_until: None,
            last_growth: None,
            backed_off_at: None,
            last_throttled: None,
            waited_at: None,
            first_grant: None,
            granted: VecDeque::new(),
            accepted: VecDeque::new(),
            calls: 0,
            throttled: 0,
        }
    }

    /// The rate in force, in tries per second.
    pub fn allowed_rps(&self) -> f64 {
        self.allowed
    }

    /// Until when every try is held for a `x-acs-retry-after`.
    pub fn paused_until(&self) -> Option<Instant> {
        self.paused_until
    }

    /// Lets one try go at `now`, or says when to ask again.
    pub fn grant(&mut self, now: Instant) -> Result<Permit, Instant> {
        self.forget_old(now);
        if let Some(until) = self.paused_until.filter(|&until| now < until) {
            return Err(until);
        }
        if let Some(free) = self.cap_frees_at() {
            return Err(free);
        }
        let interval = self.interval();
        if let Some(slot) = self.next_slot.filter(|&slot| now + LEEWAY < slot) {
            self.waited_at = Some(now);
            return Err(now + slot.saturating_duration_since(now + LEEWAY));
        }

        let base = self.next_slot.map_or(now, |slot| slot.max(now));
        self.next_slot = Some(base + interval);
        self.granted.push_back(now);
        self.first_grant.get_or_insert(now);
        self.calls += 1;
        Ok(Permit { granted: now })
    }

    /// Takes in how a try ended at `now`; says whether the rate rose (a
    /// caller waiting for a later slot may go sooner).
    pub fn record(&mut self, permit: Permit, outcome: Outcome, now: Instant) -> bool {
        self.forget_old(now);
        match outcome {
            Outcome::Ok => {
                self.accepted.push_back(permit.granted);
                self.grow(now)
            }
            Outcome::Throttled { retry_after } => {
                self.throttled(permit, retry_after, now);
                false
            }
            Outcome::Other => false,
        }
    }

    /// The counters at `now`.
    pub fn stats(&mut self, now: Instant) -> PaceStats {
        self.forget_old(now);
        let span = self.span(now);
        let recent = self.granted.iter().filter(|&&at| at + WINDOW > now).count();
        PaceStats {
            calls: self.calls,
            throttled: self.throttled,
            allowed_rps: self.allowed,
            recent_rps: per_second(recent, span),
        }
    }

    /// The rate the service accepted over the last [`WINDOW`], by the time
    /// each accepted try was let go.
    pub fn accepted_rps(&mut self, now: Instant) -> f64 {
        self.forget_old(now);
        per_second(self.accepted.len(), self.span(now))
    }

    fn throttled(&mut self, permit: Permit, retry_after: Option<Duration>, now: Instant) {
        self.throttled += 1;
        self.last_throttled = Some(now);
        if let Some(wait) = retry_after {
            let until = now + wait;
            self.paused_until = Some(self.paused_until.map_or(until, |held| held.max(until)));
        }
        // Tries let go before the last backoff were sent at the old rate.
        let news = self.backed_off_at.is_none_or(|at| permit.granted >= at);
        if news {
            self.back_off(now);
        }
    }

    fn back_off(&mut self, now: Instant) {
        let measured = self.accepted_rps(now);
        let kept = measured.max(self.allowed * DEEPEST_CUT);
        self.allowed = self.capped(kept.min(self.allowed).max(self.floor()));
        self.phase = Phase::Probe;
        self.backed_off_at = Some(now);
        self.last_growth = Some(now);
    }

    /// Grows the rate for the time since it last grew, if callers are
    /// waiting for it.
    fn grow(&mut self, now: Instant) -> bool {
        let since = self
            .last_growth
            .map_or(Duration::ZERO, |at| now.saturating_duration_since(at))
            .min(DOUBLING);
        self.last_growth = Some(now);
        if self.phase == Phase::Probe && self.calm_since(now) >= CALM {
            self.phase = Phase::Ramp;
        }
        if !self.busy(now) || since.is_zero() {
            return false;
        }
        let factor = match self.phase {
            Phase::Ramp => (since.as_secs_f64() / DOUBLING.as_secs_f64()).exp2(),
            Phase::Probe => 1.0 + PROBE_GAIN * since.as_secs_f64(),
        };
        let before = self.allowed;
        self.allowed = self.capped(self.allowed * factor);
        self.allowed > before
    }

    /// How long since the last backoff or throttled answer, whichever is later.
    fn calm_since(&self, now: Instant) -> Duration {
        let last = self.backed_off_at.max(self.last_throttled);
        last.map_or(Duration::MAX, |at| now.saturating_duration_since(at))
    }

    fn busy(&self, now: Instant) -> bool {
        let within = BUSY_WITHIN.max(self.interval() * 2);
        self.waited_at
            .is_some_and(|at| now.saturating_duration_since(at) <= within)
    }

    /// When the cap lets the next try go, if it holds one back now.
    fn cap_frees_at(&self) -> Option<Instant> {
        let limit = cap_count(self.cap?);
        let full = self.granted.len().checked_sub(limit)?;
        self.granted.get(full).map(|&oldest| oldest + CAP_WINDOW)
    }

    fn interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.allowed)
    }

    fn floor(&self) -> f64 {
        self.cap.map_or(FLOOR_RPS, |cap| cap.min(FLOOR_RPS))
    }

    fn capped(&self, rps: f64) -> f64 {
        self.cap.map_or(rps, |cap| rps.min(cap))
    }

    /// The time a measurement covers: the last [`WINDOW`], or less since
    /// the first try, stretched to [`SHORTEST_SPAN`].
    fn span(&self, now: Instant) -> Duration {
        let running = self
            .first_grant
            .map_or(Duration::ZERO, |at| now.saturating_duration_since(at));
        running.clamp(SHORTEST_SPAN, WINDOW)
    }

    fn forget_old(&mut self, now: Instant) {
        while self
            .granted
            .front()
            .is_some_and(|&at| at + CAP_WINDOW <= now)
        {
            self.granted.pop_front();
        }
        while self.accepted.front().is_some_and(|&at| at + WINDOW <= now) {
            self.accepted.pop_front();
        }
        if self.paused_until.is_some_and(|until| until <= now) {
            self.paused_until = None;
        }
    }
}

/// The most tries any [`CAP_WINDOW`] may hold under `max_rps`: at least one,
/// so a cap below 1/s still lets tries through, one slot apart.
fn cap_count(max_rps: f64) -> usize {
    // A positive finite f64 floored: the cast cannot wrap.
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "floored positive value"
    )]
    let whole = max_rps.floor() as usize;
    whole.max(1)
}

fn per_second(count: usize, span: Duration) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "counts of tries in a second")]
    let count = count as f64;
    count / span.as_secs_f64()
}

#[cfg(test)]
mod tests;
