//! The state file's document: the schema version, the account, and one
//! rotation per flagged user being remediated.
//!
//! Fields this version does not know (written by a later ramkey, or added by
//! hand) are kept in `extra` maps and written back unchanged.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::journal::Intent;
use super::steps::{Progress, StepRecord};

/// The schema version this ramkey writes and reads.
pub const SCHEMA_VERSION: u32 = 2;

/// The whole state file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateDocument {
    /// The layout version; a file without one is not ramkey's.
    pub schema_version: u32,
    /// The Alibaba Cloud account this file belongs to.
    pub account_id: String,
    /// Every rotation, finished or not, in the order they were started.
    #[serde(default)]
    pub rotations: Vec<Rotation>,
    /// Fields this version does not know; kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl StateDocument {
    /// An empty document for an account.
    pub fn new(account_id: impl Into<String>) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            account_id: account_id.into(),
            rotations: Vec::new(),
            extra: Map::new(),
        }
    }

    /// The user's rotation that is not finished yet, if any.
    pub fn open_rotation(&self, user: &str) -> Option<&Rotation> {
        self.rotations
            .iter()
            .find(|rotation| rotation.user == user && !rotation.progress.is_complete())
    }

    /// The user's rotation that is not finished yet, for changing.
    pub fn open_rotation_mut(&mut self, user: &str) -> Option<&mut Rotation> {
        self.rotations
            .iter_mut()
            .find(|rotation| rotation.user == user && !rotation.progress.is_complete())
    }

    /// The user's latest rotation, finished or not.
    pub fn latest_rotation(&self, user: &str) -> Option<&Rotation> {
        self.rotations
            .iter()
            .rev()
            .find(|rotation| rotation.user == user)
    }
}

/// One flagged user's remediation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rotation {
    /// A short random id; a user ramkey creates names it in its Comments.
    pub id: String,
    /// The flagged RAM user.
    pub user: String,
    /// The key this rotation retires: the idle key, or the key that moves.
    pub key_id: String,
    /// When the admin started it.
    pub started_at: DateTime<Utc>,
    /// The path and the step it is at.
    #[serde(rename = "path")]
    pub progress: Progress,
    /// Days between disabling the retired key and deleting it, fixed when the
    /// rotation starts (`--wait-days` then). Schema 1 had no such field:
    /// `state::migrate` fills it in from the disable record.
    pub wait_days: u32,
    /// The write call in flight: recorded before it is made, cleared in the
    /// save that records its outcome. Present on start = settle by reading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Intent>,
    /// Every re-enable of the retired key after an application broke.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rollbacks: Vec<Rollback>,
    /// The admin's typed override, when the key was not judged idle but
    /// the admin started its disable anyway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_idle_override: Option<NotIdleOverride>,
    /// Fields this version does not know; kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What the admin typed to disable a key not judged idle, and the
/// verdict it overrode, as recorded when the rotation started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotIdleOverride {
    /// The admin's statement: the whole key id and a reason.
    pub statement: String,
    /// The verdict overridden: `in_use` or `unknown`.
    pub verdict: String,
    /// Why the key was judged so, e.g. "no last-use date; …: too new to judge".
    pub reason: String,
    /// When the rotation started on it.
    pub at: DateTime<Utc>,
}

impl NotIdleOverride {
    /// One line for the audit log and the summaries.
    pub fn describe(&self) -> String {
        format!(
            "disable on the admin's word, overriding verdict {} ({}): \"{}\"",
            self.verdict, self.reason, self.statement
        )
    }
}

/// The retired key re-enabled after its disable broke an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollback {
    /// The UpdateAccessKey Active call (or the finding it was Active again).
    pub record: StepRecord,
    /// What the admin said broke.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
