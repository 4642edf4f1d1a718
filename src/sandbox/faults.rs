//! The sandbox's fault switches: throttling, 5xx pages, dropped connections
//! (before or after acting), slow answers, a skewed clock and new keys that
//! are not accepted yet. Tests set them through [`super::SandboxHandle`],
//! people through `ramkey sandbox` flags (`docs/sandbox.md`).
//!
//! This file holds the settings and their text form; [`switchboard`] decides
//! per request. Knows nothing of HTTP beyond the answers it describes.

mod switchboard;

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::time::Duration;

pub(super) use switchboard::{Before, Plan, Switchboard};

/// Every fault switch; the default has all of them off.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Faults {
    /// Answer 400 `Throttling.User` (with `x-acs-retry-after`) instead of acting.
    pub throttle: Option<Schedule>,
    /// Throttle any request past this many within one second of the sandbox clock.
    pub throttle_above_per_second: Option<NonZeroU32>,
    /// The wait a throttled answer asks for, in `x-acs-retry-after`.
    pub retry_after: Duration,
    /// Leave `x-acs-retry-after` out of every throttled answer, so a client's
    /// own adaptation can be measured without the server's hint.
    pub omit_retry_after: bool,
    /// A throttling storm: every request is answered `Throttling.User` for
    /// this long (sandbox clock) from the moment the switches are set.
    pub throttle_all_for: Option<Duration>,
    /// Answer 503 with an HTML page (a gateway's) instead of acting.
    pub unavailable: Option<Schedule>,
    /// Drop the connection without an answer, without acting.
    pub reset_before_acting: Option<Schedule>,
    /// Act, then drop the connection without an answer: the client cannot
    /// tell whether the request took effect.
    pub reset_after_acting: Option<Schedule>,
    /// Wait this long before answering each request (after acting).
    pub delay: Duration,
    /// The sandbox clock runs this far ahead of the clock it was given
    /// (negative: behind), as a server whose clock differs from the client's.
    pub clock_skew: chrono::Duration,
    /// A key created less than this long ago (sandbox clock) is answered
    /// `InvalidAccessKeyId.NotFound`, as production does for a while (BC-12).
    pub new_key_unaccepted_for: Duration,
    /// The STS token a counted request is signed with runs out just before
    /// the request is checked: it and every later request with that token
    /// get `InvalidSecurityToken.Expired` (BC-05). Counts only requests
    /// signed with a token the sandbox issued.
    pub expire_tokens: Option<Schedule>,
}

impl Faults {
    /// No faults, and one second in a throttled answer's `x-acs-retry-after`.
    pub fn none() -> Self {
        Self {
            retry_after: Duration::from_secs(1),
            ..Self::default()
        }
    }

    /// Whether any switch is on.
    pub fn any(&self) -> bool {
        *self
            != Self {
                retry_after: self.retry_after,
                ..Self::default()
            }
    }
}

/// Which requests a switch hits: a pattern over the requests it counts,
/// optionally only those of some actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Which of the counted requests are hit.
    pub pattern: Pattern,
    /// Count only requests for these actions (empty: every action).
    pub actions: Vec<String>,
}

/// Which of the counted requests a switch hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// The n-th, 2n-th, 3n-th, ... (`1`: every one).
    Every(NonZeroU32),
    /// The first n, then none.
    First(u32),
    /// The first try of each call (action and parameters), never a try of
    /// it again: every write can be made unclear once and still succeed
    /// when ramkey makes it again after looking (a new key's secret is
    /// only ever in an answer, so `all` would lose every one).
    OncePerCall,
}

impl Schedule {
    /// Every `n`-th request of any action (`n` at least 1).
    pub fn every(n: u32) -> Self {
        Self {
            pattern: Pattern::Every(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)),
            actions: Vec::new(),
        }
    }

    /// The first `n` requests, then none.
    pub fn first(n: u32) -> Self {
        Self {
            pattern: Pattern::First(n),
            actions: Vec::new(),
        }
    }

    /// The same pattern, counting only requests for `actions`.
    #[must_use]
    pub fn only(mut self, actions: &[&str]) -> Self {
        self.actions = actions.iter().map(|&action| action.to_owned()).collect();
        self
    }

    /// Whether requests for `action` are counted.
    pub fn counts(&self, action: &str) -> bool {
        self.actions.is_empty() || self.actions.iter().any(|wanted| wanted == action)
    }

    /// Whether it hits every N-th request for some N ≥ 2; such a schedule
    /// never hits two tries of one call in a row.
    pub fn is_periodic(&self) -> bool {
        matches!(self.pattern, Pattern::Every(n) if n.get() >= 2)
    }

    /// Whether the `nth` counted request (1 for the first) is hit;
    /// `first_try` says whether it is the first try of its call.
    pub fn hits(&self, nth: u64, first_try: bool) -> bool {
        match self.pattern {
            Pattern::Every(n) => nth % u64::from(n.get()) == 0,
            Pattern::First(n) => nth <= u64::from(n),
            Pattern::OncePerCall => first_try,
        }
    }
}

/// Why a schedule's text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{text}` is not a fault schedule; write N (every N-th request), first:N, all or once \
     (the first try of each call), optionally followed by @Action,Action (e.g. 3, \
     first:2@ListPoliciesForUser, once@CreateUser)"
)]
pub struct ScheduleError {
    text: String,
}

impl FromStr for Schedule {
    type Err = ScheduleError;

    /// `3`, `all`, `first:2`, `once`, each optionally `@Action,Action`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || ScheduleError {
            text: text.to_owned(),
        };
        let (pattern, actions) = text.split_once('@').unwrap_or((text, ""));
        let pattern = match pattern.trim() {
            "all" => Pattern::Every(NonZeroU32::MIN),
            "once" => Pattern::OncePerCall,
            other => match other.strip_prefix("first:") {
                Some(n) => Pattern::First(n.parse().map_err(|_| error())?),
                None => Pattern::Every(other.parse().map_err(|_| error())?),
            },
        };
        let actions: Vec<String> = actions
            .split(',')
            .map(str::trim)
            .filter(|action| !action.is_empty())
            .map(str::to_owned)
            .collect();
        let names_ok = actions
            .iter()
            .all(|action| action.chars().all(|c| c.is_ascii_alphanumeric()));
        if !names_ok {
            return Err(error());
        }
        Ok(Self { pattern, actions })
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pattern {
            Pattern::Every(n) if n.get() == 1 => f.write_str("all")?,
            Pattern::Every(n) => write!(f, "{n}")?,
            Pattern::First(n) => write!(f, "first:{n}")?,
            Pattern::OncePerCall => f.write_str("once")?,
        }
        if !self.actions.is_empty() {
            write!(f, "@{}", self.actions.join(","))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_read_and_print_alike() {
        for text in [
            "3",
            "all",
            "first:2",
            "first:2@ListPoliciesForUser",
            "4@CreateUser,GetUser",
            "once",
            "once@CreateUser,DeleteAccessKey",
        ] {
            let schedule: Schedule = text.parse().unwrap();
            assert_eq!(schedule.to_string(), text);
        }
        assert_eq!("1".parse::<Schedule>().unwrap().to_string(), "all");
        for bad in [
            "",
            "0",
            "-1",
            "first:",
            "every 3",
            "3@List Users",
            "first:x",
        ] {
            let error = bad.parse::<Schedule>().unwrap_err();
            assert!(error.to_string().contains("first:N"), "{bad}: {error}");
        }
    }

    #[test]
    fn every_n_hits_each_n_th_and_first_n_the_first_ones() {
        let every = Schedule::every(3);
        let hit: Vec<u64> = (1..=9).filter(|&n| every.hits(n, true)).collect();
        assert_eq!(hit, [3, 6, 9]);
        let first = Schedule::first(2);
        let hit: Vec<u64> = (1..=5).filter(|&n| first.hits(n, true)).collect();
        assert_eq!(hit, [1, 2]);
    }

    #[test]
    fn a_schedule_counts_only_its_actions() {
        let schedule = Schedule::every(1).only(&["CreateUser"]);
        assert!(schedule.counts("CreateUser"));
        assert!(!schedule.counts("GetUser"));
        assert!(Schedule::every(1).counts("GetUser"));
    }

    #[test]
    fn none_is_off_and_any_switch_is_on() {
        assert!(!Faults::none().any());
        let on = Faults {
            delay: Duration::from_millis(1),
            ..Faults::none()
        };
        assert!(on.any());
    }
}
