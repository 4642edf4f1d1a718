//! The one place that reads the wall clock.
//!
//! Everything that needs "now" takes a [`Clock`], so tests and the sandbox can
//! fix or shift time. `chrono::Utc::now` is banned elsewhere by `clippy.toml`.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

/// A source of the current UTC time.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock, optionally shifted by a fixed offset (the sandbox uses
/// the shift to emulate a server whose clock differs, or to jump ahead).
#[derive(Debug, Default, Clone)]
pub struct SystemClock {
    offset_seconds: Arc<AtomicI64>,
}

impl SystemClock {
    /// The plain system clock.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves this clock (and every clone of it) forward or back.
    pub fn advance(&self, by: Duration) {
        self.offset_seconds
            .fetch_add(by.num_seconds(), Ordering::SeqCst);
    }
}

impl Clock for SystemClock {
    #[expect(clippy::disallowed_methods, reason = "this is the one clock module")]
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.offset_seconds.load(Ordering::SeqCst))
    }
}

/// A clock that stands still until moved; for tests.
#[derive(Debug, Clone)]
pub struct FixedClock {
    at: Arc<std::sync::Mutex<DateTime<Utc>>>,
}

impl FixedClock {
    /// A clock showing `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self {
            at: Arc::new(std::sync::Mutex::new(at)),
        }
    }

    /// Sets the time shown.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.at.lock().expect("clock lock") = at;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.at.lock().expect("clock lock")
    }
}
