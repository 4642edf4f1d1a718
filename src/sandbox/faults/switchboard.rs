//! Decides, request by request, which fault switches hit it, and builds the
//! throttled and 503 answers. Each schedule counts the requests of its own
//! actions, so "every third call" means every third, whatever the other
//! switches do; when several hit one request, the earliest in the request's
//! life wins (reset before acting, 503, throttling).
//!
//! Periodic schedules (every N-th, N ≥ 2) never hit two tries of the same
//! call in a row: the try after one they hit (same action and parameters)
//! is let through, uncounted, by all of them. Without that, a concurrent
//! client whose calls take turns can lock onto the periods, one call hit on
//! every try, which no real transient fault does.

use std::collections::{HashSet, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use super::{Faults, Schedule};
use crate::sandbox::actions::Service;
use crate::sandbox::api_error::ApiError;
use crate::sandbox::reply;

/// What happens to one request instead of, or besides, a plain answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Instead of acting.
    pub before: Option<Before>,
    /// Act, then drop the connection without answering.
    pub reset_after: bool,
    /// Wait this long before answering.
    pub delay: Duration,
}

/// A fault that keeps the request from being acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Before {
    /// Drop the connection.
    Reset,
    /// 503 with a gateway's HTML page.
    Unavailable,
    /// 400 `Throttling.User`, asking to wait this long.
    Throttle {
        /// Sent as `x-acs-retry-after`, in milliseconds; `None` leaves the
        /// header out.
        retry_after: Option<Duration>,
    },
}

/// The live switches and their counters, shared by every request.
#[derive(Debug, Default)]
pub struct Switchboard {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    faults: Faults,
    /// When the switches were set: a throttling storm runs from here.
    set_at: Option<DateTime<Utc>>,
    /// Requests counted so far by each schedule, in [`Slot`] order.
    counted: [u64; 5],
    /// Calls a periodic schedule hit on their latest try.
    just_hit: HashSet<String>,
    /// When the requests let through in the last second arrived.
    recent: VecDeque<DateTime<Utc>>,
    /// The calls each schedule has counted, for `once` (in [`Slot`] order).
    tried: [HashSet<String>; 5],
}

/// The schedules, as indices into [`State::counted`].
#[derive(Clone, Copy)]
enum Slot {
    ResetBefore,
    Unavailable,
    Throttle,
    ResetAfter,
    ExpireToken,
}

impl Switchboard {
    /// Replaces every switch at `now` (sandbox clock); the counters start
    /// again, and so does a throttling storm.
    pub fn set(&self, faults: Faults, now: DateTime<Utc>) {
        *self.lock() = State {
            faults,
            set_at: Some(now),
            ..State::default()
        };
    }

    /// The switches as they are.
    pub fn get(&self) -> Faults {
        self.lock().faults.clone()
    }

    /// How far the sandbox clock is ahead of the clock it was given.
    pub fn clock_skew(&self) -> chrono::Duration {
        self.lock().faults.clock_skew
    }

    /// Whether a key created at `created` is still refused at `now`.
    pub fn refuses_new_key(&self, created: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        let window = self.lock().faults.new_key_unaccepted_for;
        let age = now - created;
        !window.is_zero()
            && age >= chrono::Duration::zero()
            && age.to_std().unwrap_or_default() < window
    }

    /// Whether the STS token of a request for `action` runs out now; ask
    /// only for requests signed with a token the sandbox issued.
    pub fn expires_token(&self, action: &str) -> bool {
        // The token's requests are told apart by action only here.
        self.lock().tick(Slot::ExpireToken, action, action, false)
    }

    /// What happens to a request for `action` arriving at `now`; `call`
    /// tells the tries of one call apart from other calls (its action and
    /// parameters, less those that change with every try).
    pub fn plan(&self, action: &str, call: &str, now: DateTime<Utc>) -> Plan {
        let mut state = self.lock();
        let spared = state.just_hit.remove(call);
        let reset_before = state.tick(Slot::ResetBefore, action, call, spared);
        let unavailable = state.tick(Slot::Unavailable, action, call, spared);
        let throttled = state.tick(Slot::Throttle, action, call, spared);
        let reset_after = state.tick(Slot::ResetAfter, action, call, spared);
        state.remember_periodic_hit(call, [reset_before, unavailable, throttled, reset_after]);
        let faults = &state.faults;
        let hint = |wait: Duration| Some(wait).filter(|_| !faults.omit_retry_after);
        let (retry_after, delay) = (hint(faults.retry_after), faults.delay);

        let before = if reset_before {
            Some(Before::Reset)
        } else if unavailable {
            Some(Before::Unavailable)
        } else if throttled || state.in_storm(now) {
            Some(Before::Throttle { retry_after })
        } else {
            let omit = state.faults.omit_retry_after;
            // Only requests let through count against the rate.
            state.over_rate(now).map(|wait| Before::Throttle {
                retry_after: Some(wait).filter(|_| !omit),
            })
        };
        Plan {
            reset_after: reset_after && before.is_none(),
            before,
            delay,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    /// Counts the request if the slot's schedule counts its action (and, for
    /// a periodic one, it is not `spared`); says whether the schedule hits it.
    /// `call` is the call the request is a try of.
    fn tick(&mut self, slot: Slot, action: &str, call: &str, spared: bool) -> bool {
        let schedule: Option<&Schedule> = match slot {
            Slot::ResetBefore => self.faults.reset_before_acting.as_ref(),
            Slot::Unavailable => self.faults.unavailable.as_ref(),
            Slot::Throttle => self.faults.throttle.as_ref(),
            Slot::ResetAfter => self.faults.reset_after_acting.as_ref(),
            Slot::ExpireToken => self.faults.expire_tokens.as_ref(),
        };
        let Some(schedule) = schedule.filter(|schedule| schedule.counts(action)) else {
            return false;
        };
        if spared && schedule.is_periodic() {
            return false;
        }
        let counted = &mut self.counted[slot as usize];
        *counted += 1;
        let tried = &mut self.tried[slot as usize];
        // Calls are never forgotten otherwise; a long-running sandbox would grow.
        if tried.len() >= 10_000 {
            tried.clear();
        }
        let first_try = tried.insert(call.to_owned());
        schedule.hits(*counted, first_try)
    }

    /// Notes `call` when a periodic schedule hit it, so its next try is spared.
    fn remember_periodic_hit(&mut self, call: &str, hits: [bool; 4]) {
        let slots = [
            &self.faults.reset_before_acting,
            &self.faults.unavailable,
            &self.faults.throttle,
            &self.faults.reset_after_acting,
        ];
        let periodic_hit = slots
            .iter()
            .zip(hits)
            .any(|(schedule, hit)| hit && schedule.as_ref().is_some_and(Schedule::is_periodic));
        if periodic_hit {
            // Calls never tried again (an unclear write) would pile up.
            if self.just_hit.len() >= 10_000 {
                self.just_hit.clear();
            }
            self.just_hit.insert(call.to_owned());
        }
    }

    /// Whether a throttling storm is raging at `now`.
    fn in_storm(&self, now: DateTime<Utc>) -> bool {
        let (Some(length), Some(since)) = (self.faults.throttle_all_for, self.set_at) else {
            return false;
        };
        let elapsed = (now - since).to_std().unwrap_or_default();
        elapsed < length
    }

    /// With a rate limit on: `None` lets the request through (and counts
    /// it), `Some(wait)` says how long until a place frees up.
    fn over_rate(&mut self, now: DateTime<Utc>) -> Option<Duration> {
        let limit = self.faults.throttle_above_per_second?;
        let second = chrono::Duration::seconds(1);
        while self.recent.front().is_some_and(|&at| at + second <= now) {
            self.recent.pop_front();
        }
        let full = self.recent.len() >= usize::try_from(limit.get()).unwrap_or(usize::MAX);
        if let (true, Some(&oldest)) = (full, self.recent.front()) {
            let wait = (oldest + second - now).to_std().unwrap_or_default();
            return Some(wait.max(Duration::from_millis(1)));
        }
        self.recent.push_back(now);
        None
    }
}

impl Before {
    /// The answer to send, or `None` when the connection is to be dropped.
    pub fn answer(
        self,
        service: Service,
        request_id: &str,
        now: DateTime<Utc>,
    ) -> Option<Response> {
        match self {
            Before::Reset => None,
            Before::Unavailable => Some(unavailable_page(now)),
            Before::Throttle { retry_after } => {
                Some(throttled(service, request_id, now, retry_after))
            }
        }
    }
}

/// Production's flow-control refusal, with the wait in milliseconds when
/// there is one to tell.
fn throttled(
    service: Service,
    request_id: &str,
    now: DateTime<Utc>,
    wait: Option<Duration>,
) -> Response {
    let error = ApiError::new(
        StatusCode::BAD_REQUEST,
        "Throttling.User",
        "Request was denied due to user flow control.",
    );
    let mut response = reply::render(service, Err(error), request_id, now);
    let value = wait.and_then(|wait| HeaderValue::from_str(&wait.as_millis().to_string()).ok());
    if let Some(value) = value {
        response.headers_mut().insert("x-acs-retry-after", value);
    }
    response
}

/// What a load balancer in front of the service sends: HTML, no RequestId.
fn unavailable_page(now: DateTime<Utc>) -> Response {
    let page = "<html><head><title>503 Service Temporarily Unavailable</title></head>\
                <body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>";
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, page).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    if let Ok(date) = HeaderValue::from_str(&reply::http_date(now)) {
        headers.insert(header::DATE, date);
    }
    response
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;

    use super::*;

    fn at(millis: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::milliseconds(millis)
    }

    fn board(faults: Faults) -> Switchboard {
        let board = Switchboard::default();
        board.set(faults, at(0));
        board
    }

    #[test]
    fn each_schedule_counts_on_its_own() {
        let board = board(Faults {
            throttle: Some(Schedule::every(3)),
            reset_after_acting: Some(Schedule::every(2).only(&["CreateUser"])),
            ..Faults::none()
        });
        let plans: Vec<Plan> = ["GetUser", "CreateUser", "GetUser", "CreateUser"]
            .iter()
            .enumerate()
            .map(|(n, action)| board.plan(action, &n.to_string(), at(0)))
            .collect();
        assert_eq!(plans[0].before, None);
        assert!(
            !plans[1].reset_after,
            "the first CreateUser is not the second"
        );
        assert!(matches!(plans[2].before, Some(Before::Throttle { .. })));
        assert!(plans[3].reset_after);
    }

    #[test]
    fn a_request_refused_before_acting_is_not_also_reset_after() {
        let board = board(Faults {
            throttle: Some(Schedule::every(1)),
            reset_after_acting: Some(Schedule::every(1)),
            ..Faults::none()
        });
        let plan = board.plan("ListUsers", "", at(0));
        assert!(matches!(plan.before, Some(Before::Throttle { .. })));
        assert!(!plan.reset_after);
    }

    #[test]
    fn periodic_schedules_spare_the_next_try_of_a_call_they_hit() {
        let board = board(Faults {
            throttle: Some(Schedule::every(2)),
            reset_after_acting: Some(Schedule::every(3)),
            ..Faults::none()
        });
        let hit = |call: &str| {
            let plan = board.plan("GetUser", call, at(0));
            plan.before.is_some() || plan.reset_after
        };
        assert!(!hit("a"));
        assert!(hit("b"), "the 2nd request is throttled");
        assert!(hit("c"), "the 3rd is reset after acting");
        assert!(!hit("b"), "the retry of b is spared by both, uncounted");
        assert!(!hit("c"), "and so is the retry of c");
        assert!(hit("d"), "the 4th counted is throttled");
        assert!(!hit("e"));

        let always = self::board(Faults {
            throttle: Some(Schedule::every(1)),
            ..Faults::none()
        });
        for _ in 0..3 {
            assert!(always.plan("GetUser", "b", at(0)).before.is_some());
        }
    }

    #[test]
    fn once_hits_the_first_try_of_each_call_and_no_try_again() {
        let board = board(Faults {
            reset_after_acting: Some("once@CreateAccessKey,DeleteAccessKey".parse().unwrap()),
            ..Faults::none()
        });
        let reset = |action: &str, call: &str| board.plan(action, call, at(0)).reset_after;
        assert!(reset("CreateAccessKey", "CreateAccessKey?UserName=a"));
        assert!(!reset("CreateAccessKey", "CreateAccessKey?UserName=a"));
        assert!(reset("CreateAccessKey", "CreateAccessKey?UserName=b"));
        assert!(reset("DeleteAccessKey", "DeleteAccessKey?UserName=a"));
        assert!(!reset("GetUser", "GetUser?UserName=a"), "not counted");
        assert!(!reset("DeleteAccessKey", "DeleteAccessKey?UserName=a"));
    }

    #[test]
    fn the_rate_limit_lets_n_through_per_second_and_says_when_to_come_back() {
        let board = board(Faults {
            throttle_above_per_second: NonZeroU32::new(2),
            ..Faults::none()
        });
        assert_eq!(board.plan("ListUsers", "", at(0)).before, None);
        assert_eq!(board.plan("ListUsers", "", at(400)).before, None);
        assert_eq!(
            board.plan("ListUsers", "", at(600)).before,
            Some(Before::Throttle {
                retry_after: Some(Duration::from_millis(400))
            })
        );
        assert_eq!(board.plan("ListUsers", "", at(1000)).before, None);
    }

    #[test]
    fn refused_requests_do_not_count_against_the_rate() {
        let board = board(Faults {
            throttle_above_per_second: NonZeroU32::new(2),
            omit_retry_after: true,
            ..Faults::none()
        });
        assert_eq!(board.plan("ListUsers", "", at(0)).before, None);
        assert_eq!(board.plan("ListUsers", "", at(100)).before, None);
        for millis in [200, 300, 900] {
            assert_eq!(
                board.plan("ListUsers", "", at(millis)).before,
                Some(Before::Throttle { retry_after: None }),
                "refused at {millis} ms, without the hint"
            );
        }
        // The first place frees at 1000 ms, the second at 1100 ms: the
        // refusals in between took none.
        assert_eq!(board.plan("ListUsers", "", at(1000)).before, None);
        assert!(board.plan("ListUsers", "", at(1050)).before.is_some());
        assert_eq!(board.plan("ListUsers", "", at(1100)).before, None);
    }

    #[test]
    fn a_storm_throttles_everything_for_its_length_from_when_it_was_set() {
        let board = Switchboard::default();
        let storm = Faults {
            throttle_all_for: Some(Duration::from_secs(10)),
            ..Faults::none()
        };
        board.set(storm, at(5_000));
        let throttled = |millis| board.plan("GetUser", "", at(millis)).before.is_some();
        assert!(throttled(5_000));
        assert!(throttled(14_999));
        assert!(!throttled(15_000));
    }

    #[test]
    fn token_expiry_counts_only_the_requests_it_is_asked_about() {
        let board = board(Faults {
            expire_tokens: Some(Schedule::every(2).only(&["AttachPolicyToUser"])),
            ..Faults::none()
        });
        let _ = board.plan("AttachPolicyToUser", "", at(0));
        assert!(!board.expires_token("AttachPolicyToUser"));
        assert!(!board.expires_token("GetUser"));
        assert!(board.expires_token("AttachPolicyToUser"));
    }

    #[test]
    fn a_new_key_is_refused_only_within_its_window() {
        let board = board(Faults {
            new_key_unaccepted_for: Duration::from_secs(12),
            ..Faults::none()
        });
        assert!(board.refuses_new_key(at(0), at(11_999)));
        assert!(!board.refuses_new_key(at(0), at(12_000)));
        assert!(!Switchboard::default().refuses_new_key(at(0), at(0)));
    }
}
