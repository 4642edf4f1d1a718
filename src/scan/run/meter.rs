//! The client every scan call goes through: one pacer shared by all of the
//! scan's calls, so the scan runs near the account's rate limit (or under
//! `--max-rps`) and rides out throttling; and what the pacer counted.

use std::sync::Arc;

use crate::cloud::Client;
use crate::cloud::pace::{PaceOptions, Pacer};

/// The scan's client and its pacer.
pub(super) struct Paced {
    /// Every scan call goes through this client.
    pub client: Client,
    /// What the client has sent.
    pub meter: Meter,
}

/// What the pacer counted.
#[derive(Debug)]
pub(super) struct Meter {
    pacer: Arc<Pacer>,
}

/// The requests sent so far, the throttled ones among them, and the rate.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(super) struct Reading {
    pub calls: u64,
    pub throttled: u64,
    /// Requests per second over the last second.
    pub rate: f64,
}

/// A clone of `client` paced by a new pacer capped at `max_rps`.
pub(super) fn paced(client: &Client, max_rps: Option<f64>) -> Paced {
    let pacer = Pacer::new(PaceOptions {
        max_rps,
        ..PaceOptions::default()
    });
    Paced {
        client: client.paced(Arc::clone(&pacer)),
        meter: Meter { pacer },
    }
}

impl Meter {
    /// The counts now.
    pub fn read(&self) -> Reading {
        let stats = self.pacer.stats();
        Reading {
            calls: stats.calls,
            throttled: stats.throttled,
            rate: stats.recent_rps,
        }
    }
}
