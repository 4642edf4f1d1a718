//! The audit log beside the state file: append-only JSON lines, mode 0600,
//! one line per write call's intent and outcome and per admin confirmation.
//!
//! The state file says where each rotation is; the audit log says how it got
//! there, including the calls that failed and the intents settled by reading
//! after a crash. Never holds a secret: entries carry names, ids, API error
//! codes and RequestIds only.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::atomic::parent_dir;
use super::journal::WriteCall;

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When it happened (UTC, whole seconds).
    pub at: DateTime<Utc>,
    /// The rotation's id.
    pub rotation: String,
    /// The flagged RAM user the rotation remediates.
    pub user: String,
    /// What kind of line this is.
    pub kind: AuditKind,
    /// The API action (`CreateUser`, ...) or the confirmation's step
    /// (`confirm_staging`, ...).
    pub action: String,
    /// What it changes, in words (see [`WriteCall::target`]).
    pub target: String,
    /// The intent's id, tying an intent to its outcome or settlement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    /// The call's `RequestId`, when it was answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// How it ended (outcomes and settlements only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<AuditOutcome>,
    /// A plain detail: the API error code and message of a failure, what a
    /// reconcile found, the reason the admin gave for a rollback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The kinds of audit line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// A write call is about to be made (its intent is saved).
    Intent,
    /// The write call was answered, or failed.
    Outcome,
    /// An intent left by an earlier run was settled by reading the cloud.
    Settled,
    /// The admin confirmed something (typed name, swap, review, start).
    Confirmation,
}

/// How a write ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// The API answered success.
    Done,
    /// The change was found made (answer lost, or settled after a crash).
    FoundDone,
    /// The change was found not made (settled after a crash); nothing happened.
    NotMade,
    /// The API refused it; nothing changed.
    Failed,
    /// No clear answer and nothing could be read back yet; the intent stays.
    Unknown,
}

impl AuditEntry {
    /// The intent line of `call`.
    pub fn intent(
        at: DateTime<Utc>,
        rotation: &str,
        user: &str,
        intent_id: &str,
        call: &WriteCall,
    ) -> Self {
        Self {
            at,
            rotation: rotation.to_owned(),
            user: user.to_owned(),
            kind: AuditKind::Intent,
            action: call.action().to_owned(),
            target: call.target(),
            intent: Some(intent_id.to_owned()),
            request_id: None,
            outcome: None,
            detail: None,
        }
    }
}

/// The audit log of the state file at `state_path`: `<file>.audit.jsonl`.
pub fn audit_path(state_path: &Path) -> PathBuf {
    let mut name = state_path.file_name().unwrap_or_default().to_os_string();
    name.push(".audit.jsonl");
    parent_dir(state_path).join(name)
}
