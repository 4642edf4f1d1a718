//! What a running scan tells whoever shows it: how far it is (users listed,
//! keys checked, calls, throttling, rate, ETA), each finding as soon as it is
//! confirmed, and notes (such as why the credential report was not used).
//!
//! The scan calls a [`ScanObserver`]; `ramkey scan` draws a progress bar from
//! it and the wizard a gauge. Pure data; knows nothing of terminals.

use std::time::Duration;

use super::finding::Finding;

/// Where a scan's candidates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SourceKind {
    /// Every user's keys listed one by one (ListUsers, ListAccessKeys).
    #[default]
    Api,
    /// The IMS credential report picks the candidates; only they are confirmed.
    Report,
}

/// What the scan is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    /// Asking for the credential report and waiting until it is ready.
    #[default]
    Generating,
    /// Reading the credential report's pages.
    Downloading,
    /// Listing users (and, at the same time, checking their keys).
    Listing,
    /// Every user is known; checking the remaining keys.
    Checking,
    /// The scan is complete.
    Done,
}

/// A scan's progress at one moment.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScanProgress {
    /// Where the candidates come from.
    pub source: SourceKind,
    /// What the scan is doing.
    pub phase: Phase,
    /// Users listed so far (ListUsers pages, or report rows).
    pub users_listed: usize,
    /// Users to check in all, once the listing is complete.
    pub users_total: Option<usize>,
    /// Users whose keys have been checked.
    pub users_checked: usize,
    /// Keys whose last use has been read.
    pub keys_checked: usize,
    /// Users confirmed as flagged so far.
    pub flagged: usize,
    /// Requests sent so far, retries included.
    pub calls: u64,
    /// Requests the server refused with `Throttling*`.
    pub throttled: u64,
    /// Requests per second over the last few seconds.
    pub rate: f64,
    /// Time since the scan started.
    pub elapsed: Duration,
    /// Time left, once it can be estimated.
    pub eta: Option<Duration>,
}

/// Told of a scan's progress as it runs. Every method has a default that
/// ignores it, so an observer implements only what it shows.
pub trait ScanObserver: Send + Sync {
    /// The scan moved on (called often; keep it cheap).
    fn progress(&self, _progress: &ScanProgress) {}
    /// A user was confirmed as flagged (or exempt) and can be listed now.
    fn found(&self, _finding: &Finding) {}
    /// Something the admin should read, e.g. why the report was not used.
    fn note(&self, _note: &str) {}
}

/// An observer that shows nothing (scripts, tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl ScanObserver for Quiet {}
