//! What a finished move did, gathered from its record for the wizard's
//! closing summary: the new user and key, the grants copied, the old key's
//! disable and deletion, the policies detached, each with its time and the
//! RequestIds the record kept.
//!
//! Pure: built from the persisted [`Rotation`] alone.

use chrono::{DateTime, Utc};

use crate::state::steps::{GrantRecord, KeyCheck, MoveStep, StepRecord};
use crate::state::{Progress, Rotation};

/// A finished move, step by step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveSummary {
    /// The flagged user.
    pub user: String,
    /// Its key that was moved away from, disabled and deleted.
    pub old_key_id: String,
    /// When the rotation was started.
    pub started_at: DateTime<Utc>,
    /// The user the application moved to.
    pub new_user: String,
    /// Its CreateUser.
    pub user_created: StepRecord,
    /// The grants copied onto it, each with its call.
    pub copied: Vec<GrantRecord>,
    /// Its AccessKey.
    pub new_key_id: String,
    /// The CreateAccessKey.
    pub key_created: StepRecord,
    /// When the new key was first seen to work, if it was checked.
    pub key_verified_at: Option<DateTime<Utc>>,
    /// The old key's disable.
    pub disabled: StepRecord,
    /// The old key's deletion.
    pub deleted: StepRecord,
    /// The policies detached from the flagged user (maybe none).
    pub detached: Vec<GrantRecord>,
    /// When the last step was done.
    pub finished_at: DateTime<Utc>,
}

/// The summary of `rotation` once it is a finished move; `None` otherwise.
pub fn move_summary(rotation: &Rotation) -> Option<MoveSummary> {
    let Progress::MoveToNewUser(step) = &rotation.progress else {
        return None;
    };
    let MoveStep::Complete {
        prepared,
        disabled,
        deleted,
        detached,
        ..
    } = &**step
    else {
        return None;
    };
    let key_verified_at = match &prepared.new_key.check {
        KeyCheck::Verified { at, .. } => Some(*at),
        KeyCheck::NotChecked | KeyCheck::NotYetVerified { .. } => None,
    };
    Some(MoveSummary {
        user: rotation.user.clone(),
        old_key_id: rotation.key_id.clone(),
        started_at: rotation.started_at,
        new_user: prepared.new_user.name.clone(),
        user_created: prepared.new_user.created.clone(),
        copied: prepared.copied.grants.clone(),
        new_key_id: prepared.new_key.key_id.clone(),
        key_created: prepared.new_key.created.clone(),
        key_verified_at,
        disabled: disabled.record.clone(),
        deleted: deleted.clone(),
        detached: detached.policies.clone(),
        finished_at: detached.record.at,
    })
}
