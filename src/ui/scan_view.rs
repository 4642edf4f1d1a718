//! What the wizard shows while it starts, as plain data: the scan's
//! progress in the gauge's words, the news a running scan sends, and what
//! the start hands over once the scan and the settling are done.
//!
//! The bridge ([`super::engine_bridge`]) fills these in from the scan's
//! observer; the gauge and [`super::app`] only read them. Depends on
//! [`super::view`] only.

use std::time::Duration;

use super::view::{ErrorView, Settled, Snapshot, UserView};

/// Where the scan's candidates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScanSource {
    /// Every user's keys listed one by one.
    #[default]
    Api,
    /// The IMS credential report picks the candidates.
    Report,
}

impl ScanSource {
    /// How the gauge names it.
    pub fn label(self) -> &'static str {
        match self {
            ScanSource::Api => "per-user API calls",
            ScanSource::Report => "credential report",
        }
    }
}

/// What the scan is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScanPhase {
    /// Nothing reported yet.
    #[default]
    Starting,
    /// Asking for the credential report and waiting for it.
    Generating,
    /// Reading the credential report's pages.
    Downloading,
    /// Listing users and checking their keys.
    Listing,
    /// Every user is known; checking the remaining keys.
    Checking,
    /// The scan is complete.
    Done,
}

impl ScanPhase {
    /// How the gauge says it.
    pub fn label(self) -> &'static str {
        match self {
            ScanPhase::Starting => "starting",
            ScanPhase::Generating => "asking for the credential report",
            ScanPhase::Downloading => "reading the credential report",
            ScanPhase::Listing => "listing users and checking their keys",
            ScanPhase::Checking => "checking the remaining keys",
            ScanPhase::Done => "scan complete",
        }
    }
}

/// A scan's progress at one moment, as the gauge draws it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScanView {
    /// Where the candidates come from.
    pub source: ScanSource,
    /// What the scan is doing.
    pub phase: ScanPhase,
    /// Users listed so far.
    pub users_listed: usize,
    /// Users to check in all, once known.
    pub users_total: Option<usize>,
    /// Users whose keys have been checked.
    pub users_checked: usize,
    /// Keys whose last use has been read.
    pub keys_checked: usize,
    /// Users confirmed as flagged so far.
    pub flagged: usize,
    /// Requests sent so far, retries included.
    pub calls: u64,
    /// Requests refused with `Throttling*`.
    pub throttled: u64,
    /// Requests per second lately.
    pub rate: f64,
    /// Time since the scan started.
    pub elapsed: Duration,
    /// Time left, once it can be estimated.
    pub eta: Option<Duration>,
}

impl ScanView {
    /// How far the checks are, between 0 and 1, once the total is known.
    pub fn ratio(&self) -> Option<f64> {
        let total = self.users_total.filter(|total| *total > 0)?;
        #[allow(clippy::cast_precision_loss, reason = "a gauge needs no exact count")]
        let ratio = self.users_checked as f64 / total as f64;
        Some(if ratio.is_finite() {
            ratio.clamp(0.0, 1.0)
        } else {
            0.0
        })
    }
}

/// One thing a running start tells the wizard.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanEvent {
    /// The scan moved on.
    Progress(ScanView),
    /// A user was confirmed as flagged (or exempt): listed at once.
    Found(Box<UserView>),
    /// Something the admin should read, e.g. why the report was not used.
    Note(String),
    /// The scan is complete; what an earlier run left in flight is being
    /// settled and the first screens' reads are made (not cancelled by `q`).
    Settling,
}

/// What arrived since the wizard last looked: only the latest progress,
/// every finding and note.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScanNews {
    /// The latest progress, if it moved.
    pub progress: Option<ScanView>,
    /// Users found, in the order found.
    pub found: Vec<UserView>,
    /// Notes, in order.
    pub notes: Vec<String>,
    /// The scan is complete and the settling has begun.
    pub settling: bool,
}

impl ScanNews {
    /// Whether nothing arrived.
    pub fn is_empty(&self) -> bool {
        self.progress.is_none() && self.found.is_empty() && self.notes.is_empty() && !self.settling
    }

    /// Adds one event; a later progress replaces an earlier one.
    pub fn add(&mut self, event: ScanEvent) {
        match event {
            ScanEvent::Progress(progress) => self.progress = Some(progress),
            ScanEvent::Found(user) => self.found.push(*user),
            ScanEvent::Note(note) => self.notes.push(note),
            ScanEvent::Settling => self.settling = true,
        }
    }
}

/// Where the start is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// The scan runs; `q` stops it.
    Scanning,
    /// The scan is done; the settling runs and is waited for.
    Settling,
    /// The start failed, with what happened; nothing can be acted on.
    Failed(Box<ErrorView>),
}

/// The start as the wizard shows it: the gauge, the notes, the stage.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanState {
    /// The latest progress.
    pub progress: ScanView,
    /// Notes, in order.
    pub notes: Vec<String>,
    /// Where the start is.
    pub stage: Stage,
}

impl Default for ScanState {
    fn default() -> Self {
        Self {
            progress: ScanView::default(),
            notes: Vec::new(),
            stage: Stage::Scanning,
        }
    }
}

/// What a finished start hands the wizard: the views of every listed user
/// and what was settled from an earlier run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// Every listed user, as the engine sees them now.
    pub snapshot: Snapshot,
    /// What was settled on start, for the first dialog.
    pub settled: Vec<Settled>,
}
