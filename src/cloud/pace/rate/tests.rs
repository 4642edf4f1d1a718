//! The rate's rules one by one, then whole simulated scans against a
//! service that, like the sandbox, refuses any request past its limit in the
//! last second (refusals do not count against it).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::*;

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// A service allowing `limit` requests in any second, answering after `latency`.
struct Service {
    limit: usize,
    latency: Duration,
    /// Requests arriving before this are all refused (a storm).
    storm_until: Option<Instant>,
    accepted: VecDeque<Instant>,
    /// Every accepted request's arrival, for the cap check.
    log: Vec<Instant>,
}

impl Service {
    fn new(limit: usize, latency: Duration) -> Self {
        Self {
            limit,
            latency,
            storm_until: None,
            accepted: VecDeque::new(),
            log: Vec::new(),
        }
    }

    fn answer(&mut self, now: Instant) -> Outcome {
        if self.storm_until.is_some_and(|until| now < until) {
            return Outcome::Throttled {
                retry_after: Some(ms(200)),
            };
        }
        while self.accepted.front().is_some_and(|&at| at + WINDOW <= now) {
            self.accepted.pop_front();
        }
        if self.accepted.len() >= self.limit {
            let wait = (self.accepted[0] + WINDOW).saturating_duration_since(now);
            return Outcome::Throttled {
                retry_after: Some(wait.max(ms(1))),
            };
        }
        self.accepted.push_back(now);
        self.log.push(now);
        Outcome::Ok
    }
}

/// One caller of the simulation: waiting for its slot, or awaiting an answer.
enum Worker {
    Waiting {
        until: Instant,
    },
    InFlight {
        permit: Permit,
        outcome: Outcome,
        at: Instant,
    },
}

/// What a simulated scan did.
struct Run {
    elapsed: Duration,
    tries: u64,
    rate: Rate,
}

/// Runs `calls` calls through `workers` concurrent callers in 1 ms steps
/// (a timer's granularity); a throttled call is tried again.
fn simulate(rate: Rate, service: &mut Service, workers: usize, calls: u64, start: Instant) -> Run {
    let mut rate = rate;
    let mut pool: Vec<Worker> = (0..workers)
        .map(|_| Worker::Waiting { until: start })
        .collect();
    let (mut done, mut started_calls, mut tries) = (0, 0, 0);
    let mut now = start;
    while done < calls {
        let mut rose = false;
        for worker in &mut pool {
            if let Worker::InFlight {
                permit,
                outcome,
                at,
            } = *worker
            {
                if at <= now {
                    rose |= rate.record(permit, outcome, now);
                    if outcome == Outcome::Ok {
                        done += 1;
                    } else {
                        started_calls -= 1;
                    }
                    *worker = Worker::Waiting { until: now };
                }
            }
        }
        for worker in &mut pool {
            let due = matches!(*worker, Worker::Waiting { until } if until <= now || rose);
            if !due || started_calls >= calls {
                continue;
            }
            *worker = match rate.grant(now) {
                Ok(permit) => {
                    tries += 1;
                    started_calls += 1;
                    let outcome = service.answer(now);
                    let at = now + service.latency;
                    Worker::InFlight {
                        permit,
                        outcome,
                        at,
                    }
                }
                Err(until) => Worker::Waiting { until },
            };
        }
        now += ms(1);
        assert!(
            now - start < Duration::from_secs(600),
            "the simulation never ends"
        );
    }
    Run {
        elapsed: now - start,
        tries,
        rate,
    }
}

/// The most requests in any one second of `log` (sorted).
fn busiest_second(log: &[Instant]) -> usize {
    let mut most = 0;
    let mut first = 0;
    for (last, &at) in log.iter().enumerate() {
        while log[first] + Duration::from_secs(1) <= at {
            first += 1;
        }
        most = most.max(last + 1 - first);
    }
    most
}

#[test]
fn tries_are_spaced_at_the_starting_rate() {
    let t0 = Instant::now();
    let mut rate = Rate::new(10.0, None);

    let _first = rate.grant(t0).unwrap();
    let again = rate.grant(t0).unwrap_err();

    assert_eq!(again, t0 + ms(100).saturating_sub(LEEWAY));
    assert!(rate.grant(again).is_ok());
    assert!(rate.grant(again).is_err());
}

#[test]
fn the_rate_doubles_while_callers_wait_for_it() {
    let t0 = Instant::now();
    let mut service = Service::new(100_000, ms(20));

    let run = simulate(Rate::new(10.0, None), &mut service, 64, 150, t0);

    // 10/s doubling every 250 ms: 150 calls take a little over a second.
    let secs = run.elapsed.as_secs_f64();
    let expected = 10.0 * (secs / DOUBLING.as_secs_f64()).exp2();
    let allowed = run.rate.allowed_rps();
    assert!(
        allowed > expected * 0.6 && allowed < expected * 1.2,
        "{allowed} after {secs} s, expected about {expected}"
    );
}

#[test]
fn the_rate_does_not_grow_when_no_one_waits_for_it() {
    let t0 = Instant::now();
    let mut rate = Rate::new(10.0, None);

    // One call every 200 ms: the rate allows twice that.
    for n in 0..20 {
        let at = t0 + ms(200 * n);
        let permit = rate.grant(at).unwrap();
        rate.record(permit, Outcome::Ok, at + ms(20));
    }

    assert!((rate.allowed_rps() - 10.0).abs() < f64::EPSILON);
}

#[test]
fn a_throttled_answer_drops_the_rate_to_what_was_accepted() {
    let t0 = Instant::now();
    let mut rate = Rate::new(40.0, None);
    // 40 tries in one second, every fourth refused: 30 accepted.
    let mut at = t0;
    for n in 0..40 {
        at = t0 + ms(25 * n);
        let permit = rate.grant(at).unwrap();
        let outcome = if n % 4 == 3 && n < 39 {
            Outcome::Other
        } else {
            Outcome::Ok
        };
        rate.record(permit, outcome, at);
    }
    let permit = rate.grant(at + ms(25)).unwrap();

    rate.record(
        permit,
        Outcome::Throttled { retry_after: None },
        at + ms(26),
    );

    let allowed = rate.allowed_rps();
    assert!((29.0..=31.0).contains(&allowed), "{allowed}");
    assert!(rate.paused_until().is_none());
}

#[test]
fn tries_let_go_before_a_backoff_do_not_drop_the_rate_again() {
    let t0 = Instant::now();
    let mut rate = Rate::new(40.0, None);
    let permits: Vec<Permit> = (0..20)
        .map(|n| rate.grant(t0 + ms(25 * n)).unwrap())
        .collect();
    let now = t0 + ms(500);
    for &permit in &permits[..10] {
        rate.record(permit, Outcome::Ok, now);
    }

    rate.record(permits[10], Outcome::Throttled { retry_after: None }, now);
    let after_first = rate.allowed_rps();
    for &permit in &permits[11..] {
        rate.record(permit, Outcome::Throttled { retry_after: None }, now);
    }

    assert!(after_first < 40.0);
    assert!((rate.allowed_rps() - after_first).abs() < f64::EPSILON);
    assert_eq!(rate.stats(now).throttled, 10);
}

#[test]
fn retry_after_holds_every_try_until_then() {
    let t0 = Instant::now();
    let mut rate = Rate::new(1000.0, None);
    let permit = rate.grant(t0).unwrap();

    rate.record(
        permit,
        Outcome::Throttled {
            retry_after: Some(ms(1500)),
        },
        t0 + ms(10),
    );

    let until = t0 + ms(1510);
    assert_eq!(rate.paused_until(), Some(until));
    assert_eq!(rate.grant(t0 + ms(20)), Err(until));
    assert_eq!(rate.grant(t0 + ms(1509)), Err(until));
    assert!(rate.grant(until).is_ok());
    assert_eq!(rate.paused_until(), None);
}

#[test]
fn a_shorter_retry_after_does_not_shorten_a_longer_pause() {
    let t0 = Instant::now();
    let mut rate = Rate::new(1000.0, None);
    let first = rate.grant(t0).unwrap();
    let second = rate.grant(t0 + ms(1)).unwrap();
    let long = Outcome::Throttled {
        retry_after: Some(ms(900)),
    };
    let short = Outcome::Throttled {
        retry_after: Some(ms(100)),
    };

    rate.record(first, long, t0 + ms(5));
    rate.record(second, short, t0 + ms(6));

    assert_eq!(rate.paused_until(), Some(t0 + ms(905)));
}

#[test]
fn the_cap_holds_in_every_second_and_the_rate_never_passes_it() {
    let t0 = Instant::now();
    let mut service = Service::new(100_000, ms(5));

    let run = simulate(Rate::new(10.0, Some(25.0)), &mut service, 32, 300, t0);

    assert!(run.rate.allowed_rps() <= 25.0);
    let busiest = busiest_second(&service.log);
    assert!(busiest <= 25, "{busiest} requests in one second");
    assert!(busiest >= 20, "the cap is reached: {busiest}");
}

#[test]
fn a_start_above_the_cap_starts_at_the_cap() {
    let rate = Rate::new(10.0, Some(2.0));
    assert!((rate.allowed_rps() - 2.0).abs() < f64::EPSILON);
    let odd = Rate::new(f64::NAN, Some(-1.0));
    assert!((odd.allowed_rps() - 10.0).abs() < f64::EPSILON);
}

#[test]
fn a_cap_below_one_per_second_still_lets_tries_through() {
    let t0 = Instant::now();
    let mut rate = Rate::new(10.0, Some(0.5));

    let _first = rate.grant(t0).unwrap();
    let next = next_grant(&mut rate, t0);

    assert_eq!(next, t0 + ms(2000).saturating_sub(LEEWAY));
}

/// When the next try goes, asking again each time the rate says to.
fn next_grant(rate: &mut Rate, from: Instant) -> Instant {
    let mut at = from;
    loop {
        match rate.grant(at) {
            Ok(permit) => return permit.granted_at(),
            Err(later) => at = later,
        }
    }
}

#[test]
fn a_scan_at_a_fifty_per_second_limit_runs_close_to_it() {
    let t0 = Instant::now();
    let mut service = Service::new(50, ms(20));

    let run = simulate(Rate::new(10.0, None), &mut service, 16, 2200, t0);

    // The bound is 44 s; the benchmark's target is 1.15 times it.
    let ratio = run.elapsed.as_secs_f64() / 44.0;
    assert!(ratio <= 1.05, "{ratio:.3} x the bound ({:?})", run.elapsed);
    let refused = run.tries - 2200;
    assert!(refused < 300, "{refused} tries refused");
    let allowed = run.rate.allowed_rps();
    assert!((40.0..80.0).contains(&allowed), "settled at {allowed}");
}

#[test]
fn a_storm_drops_the_rate_and_it_recovers_after() {
    let t0 = Instant::now();
    let mut service = Service::new(50, ms(20));
    let warm = simulate(Rate::new(10.0, None), &mut service, 16, 300, t0);
    let storm_start = t0 + warm.elapsed;
    service.storm_until = Some(storm_start + Duration::from_secs(5));

    // 300 calls at 50/s would take 6 s; the storm adds its 5 s and the climb back.
    let run = simulate(warm.rate, &mut service, 16, 300, storm_start);

    let stats = run.rate.clone().stats(storm_start + run.elapsed);
    assert!(stats.throttled > 0);
    let secs = run.elapsed.as_secs_f64();
    assert!(secs < 15.0, "took {secs} s to finish after a 5 s storm");
    let after: Vec<Instant> = service
        .log
        .iter()
        .copied()
        .filter(|&at| at >= storm_start + Duration::from_secs(8))
        .collect();
    assert!(
        busiest_second(&after) >= 45,
        "back near the limit three seconds after the storm"
    );
}

#[test]
fn stats_count_tries_and_refusals() {
    let t0 = Instant::now();
    let mut rate = Rate::new(100.0, None);
    let a = rate.grant(t0).unwrap();
    let b = rate.grant(t0 + ms(10)).unwrap();
    rate.record(a, Outcome::Ok, t0 + ms(20));
    rate.record(b, Outcome::Throttled { retry_after: None }, t0 + ms(30));

    let stats = rate.stats(t0 + ms(500));

    assert_eq!((stats.calls, stats.throttled), (2, 1));
    assert!((stats.recent_rps - 4.0).abs() < 1e-9, "{stats:?}");
    assert!(stats.allowed_rps < 100.0);
}
