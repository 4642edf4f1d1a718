//! Who is flagged and why: users with two Active AccessKeys, and a verdict
//! with its evidence for each key.
//!
//! The classification ([`verdict`], [`recommend`], [`finding`]) is pure; only
//! [`run`] and [`check_user`] call the cloud, and they only read. Knows
//! nothing of the state file, the rotation engine or the UI.

pub mod exempt;
pub mod finding;
pub mod format;
pub mod kms;
pub mod progress;
pub mod recommend;
pub mod report;
mod run;
pub mod verdict;

pub use exempt::{ConfigFile, ExemptError, Exemptions};
pub use finding::{
    ExemptUser, Finding, Judging, KeyFinding, ManagedUser, ScanReport, ScanStats, StuckRotation,
    is_flagged,
};
pub use kms::{KmsOptions, ManagedBy, ManagedUsers};
pub use progress::{Phase, Quiet, ScanObserver, ScanProgress, SourceKind};
pub use recommend::Recommendation;
pub use report::{ReportCandidates, ReportOptions, ReportUnusable};
pub use run::{
    KmsManager, ScanError, ScanOptions, Source, check_user, kms_look_for_manager, kms_manager_of,
    per_user, run,
};
pub use verdict::{Assessment, Verdict, classify_key};
