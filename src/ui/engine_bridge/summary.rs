//! A finished move's record in the wizard's words: the engine's
//! [`MoveSummary`] as a [`MoveSummaryView`]. Pure.

use crate::rotation::MoveSummary;
use crate::state::steps::{Grant, GrantRecord, StepRecord};

use super::super::view::{GrantView, MoveSummaryView, PolicyRef, Recorded};

/// The summary the wizard shows.
pub(super) fn view(summary: &MoveSummary) -> MoveSummaryView {
    MoveSummaryView {
        user: summary.user.clone(),
        old_key_id: summary.old_key_id.clone(),
        started_at: summary.started_at,
        new_user: summary.new_user.clone(),
        user_created: recorded(&summary.user_created),
        copied: summary.copied.iter().map(grant).collect(),
        new_key_id: summary.new_key_id.clone(),
        key_created: recorded(&summary.key_created),
        key_verified_at: summary.key_verified_at,
        disabled: recorded(&summary.disabled),
        deleted: recorded(&summary.deleted),
        detached: summary.detached.iter().map(grant).collect(),
        finished_at: summary.finished_at,
    }
}

fn recorded(record: &StepRecord) -> Recorded {
    Recorded {
        at: record.at,
        request_ids: record.request_ids.clone(),
        note: record.note.clone(),
    }
}

fn grant(record: &GrantRecord) -> (GrantView, Recorded) {
    let grant = match &record.grant {
        Grant::Policy {
            policy_name,
            policy_type,
        } => GrantView::Policy(PolicyRef {
            name: policy_name.clone(),
            policy_type: *policy_type,
        }),
        Grant::Group { group_name } => GrantView::Group(group_name.clone()),
    };
    (grant, recorded(&record.record))
}
