//! A running scan's counters, told to the observer as they move.
//!
//! Shared by the concurrent key checks (behind a mutex: each update is a
//! few additions). Reads no wall clock; elapsed time is monotonic.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::meter::Meter;
use crate::scan::finding::Finding;
use crate::scan::progress::{Phase, ScanObserver, ScanProgress, SourceKind};

/// The counters and who is told of them.
pub(super) struct Tally<'a> {
    observer: &'a dyn ScanObserver,
    meter: &'a Meter,
    started: Instant,
    progress: Mutex<ScanProgress>,
}

impl<'a> Tally<'a> {
    pub fn new(observer: &'a dyn ScanObserver, meter: &'a Meter) -> Self {
        Self {
            observer,
            meter,
            started: Instant::now(),
            progress: Mutex::new(ScanProgress::default()),
        }
    }

    /// Who is told of the scan.
    pub fn observer(&self) -> &'a dyn ScanObserver {
        self.observer
    }

    /// Calls and throttled calls so far.
    pub fn calls(&self) -> (u64, u64) {
        let reading = self.meter.read();
        (reading.calls, reading.throttled)
    }

    /// Time since the scan started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    pub fn source(&self, source: SourceKind) {
        self.update(|p| p.source = source);
    }

    pub fn phase(&self, phase: Phase) {
        self.update(|p| p.phase = phase);
    }

    /// `users` users are known so far; `complete` when that is all of them.
    pub fn listed(&self, users: usize, complete: bool) {
        self.update(|p| {
            p.users_listed = users;
            if complete {
                p.users_total = Some(users);
                p.phase = Phase::Checking;
            }
        });
    }

    /// A candidate list known in full from the start (the report's).
    pub fn total(&self, users: usize) {
        self.update(|p| {
            p.users_listed = users;
            p.users_total = Some(users);
            p.phase = Phase::Checking;
        });
    }

    pub fn key_checked(&self) {
        self.update(|p| p.keys_checked += 1);
    }

    pub fn user_checked(&self) {
        self.update(|p| p.users_checked += 1);
    }

    /// A user is confirmed as flagged: counted and shown at once.
    pub fn found(&self, finding: &Finding) {
        self.update(|p| p.flagged += 1);
        self.observer.found(finding);
    }

    /// A note for the admin.
    pub fn note(&self, note: &str) {
        self.observer.note(note);
    }

    fn update(&self, change: impl FnOnce(&mut ScanProgress)) {
        let snapshot = {
            let mut progress = self.progress.lock().expect("scan progress lock");
            change(&mut progress);
            self.refresh(&mut progress);
            progress.clone()
        };
        self.observer.progress(&snapshot);
    }

    fn refresh(&self, progress: &mut ScanProgress) {
        let reading = self.meter.read();
        let elapsed = self.started.elapsed();
        progress.calls = reading.calls;
        progress.throttled = reading.throttled;
        progress.rate = reading.rate;
        progress.elapsed = elapsed;
        progress.eta = eta(progress.users_total, progress.users_checked, elapsed);
    }
}

/// Time left at the pace so far, once the total is known and one user is done.
fn eta(total: Option<usize>, checked: usize, elapsed: Duration) -> Option<Duration> {
    let total = u32::try_from(total?).ok()?;
    let checked = u32::try_from(checked).ok().filter(|&n| n > 0)?;
    let left = total.saturating_sub(checked);
    Some(elapsed / checked * left)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_needs_a_total_and_one_user_checked() {
        let ten = Duration::from_secs(10);
        assert_eq!(eta(None, 5, ten), None);
        assert_eq!(eta(Some(20), 0, ten), None);
        assert_eq!(eta(Some(20), 5, ten), Some(Duration::from_secs(30)));
        assert_eq!(eta(Some(20), 20, ten), Some(Duration::ZERO));
    }
}
