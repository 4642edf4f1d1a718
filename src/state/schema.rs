//! The state file's document: the schema version, the account, and one
//! rotation per flagged user being remediated.
//!
//! Fields this version does not know (written by a later ramkey, or added by
//! hand) are kept in `extra` maps and written back unchanged.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::steps::Progress;

/// The schema version this ramkey writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

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
    /// Fields this version does not know; kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
