//! The client every scan call goes through, and the count of what it sent.
//!
//! The one place that decides how the scan's calls are paced, so that
//! switching the pacing is a change here only.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::cloud::Client;

/// The scan's client and its meter.
pub(super) struct Paced {
    /// Every scan call goes through this client.
    pub client: Client,
    /// What the client has sent.
    pub meter: Meter,
}

/// Counts of the requests a scan sent.
#[derive(Debug, Default)]
pub(super) struct Meter {
    calls: AtomicU64,
}

/// The requests sent so far, the throttled ones among them, and the rate.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(super) struct Reading {
    pub calls: u64,
    pub throttled: u64,
    /// Requests per second lately; `None` when the meter cannot tell.
    pub rate: Option<f64>,
}

// TODO: pace the calls with `cloud::pace` (branch `pacer`): `client.paced(pacer)` with
// `PaceOptions { max_rps, .. }`, and read calls, throttled and the rate from
// `Pacer::stats()`. Until then the calls go out on the plain client (its retry
// policy handles throttling) and only first tries are counted here.
pub(super) fn paced(client: &Client, max_rps: Option<f64>) -> Paced {
    let _ = max_rps;
    Paced {
        client: client.clone(),
        meter: Meter::default(),
    }
}

impl Meter {
    /// One more request is about to be sent.
    pub fn call_sent(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    /// The counts now.
    pub fn read(&self) -> Reading {
        Reading {
            calls: self.calls.load(Ordering::Relaxed),
            throttled: 0,
            rate: None,
        }
    }
}
