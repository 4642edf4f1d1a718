//! What the UI and `ramkey status` show of a rotation: each step done (with
//! its time and RequestIds), current, waiting or pending, and one line saying
//! what the current step will do, down to the API call.
//!
//! Pure: built from the persisted [`Rotation`], "now" and the key ramkey
//! signs with, so it works without a network.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::marker;
use super::name::suggest_name;
use super::step::{IDLE_STEPS, MOVE_STEPS, StepKind, current_step};
use super::summary::{MoveSummary, move_summary};
use crate::state::steps::{Grant, IdleStep, KeyCheck, MoveStep};
use crate::state::{Deletion, Intent, Progress, Rotation, StepRecord};

/// Which remediation a rotation follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PathKind {
    /// Disable the idle key and delete it later.
    DisableIdle,
    /// Move the application to a new user.
    MoveToNewUser,
}

impl PathKind {
    /// The path's name for people.
    pub fn title(self) -> &'static str {
        match self {
            PathKind::DisableIdle => "disable the idle key",
            PathKind::MoveToNewUser => "move to a new user",
        }
    }
}

/// Where one step stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum StepStatus {
    /// Done.
    Done {
        /// When.
        at: DateTime<Utc>,
        /// RequestIds of the writes it made.
        request_ids: Vec<String>,
        /// Why no call was needed, when none was.
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The step the admin acts on next.
    Current,
    /// The next step, but not before this time.
    Waiting {
        /// When it becomes due.
        until: DateTime<Utc>,
    },
    /// Comes later.
    Pending,
}

/// One line of a rotation's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepView {
    /// Which step.
    pub kind: StepKind,
    /// Its title.
    pub title: &'static str,
    /// Where it stands.
    #[serde(flatten)]
    pub status: StepStatus,
}

/// A rotation as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RotationView {
    /// The rotation's id (named in the new user's Comments).
    pub id: String,
    /// The flagged user.
    pub user: String,
    /// The key being retired.
    pub key_id: String,
    /// The path.
    pub path: PathKind,
    /// When it was started.
    pub started_at: DateTime<Utc>,
    /// Every step, in order.
    pub steps: Vec<StepView>,
    /// The step to act on (`None`: complete).
    pub current: Option<StepKind>,
    /// What the current step will do, in one line.
    pub explanation: String,
    /// Why the current step cannot be done now, when it cannot.
    pub blocked: Option<String>,
    /// The retired key's disable and deletion dates, once disabled.
    #[serde(skip)]
    pub deletion: Option<Deletion>,
    /// When the retired key may be deleted, once disabled and until deleted.
    pub delete_after: Option<DateTime<Utc>>,
    /// The new user (move path), once named.
    pub new_user: Option<String>,
    /// The new key (move path), once created.
    pub new_key_id: Option<String>,
    /// Keys on the new user whose secret nobody has (found without it, or
    /// reported lost), until they are replaced.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lost_keys: Vec<String>,
    /// At the copy step: the grants the admin chose, once recorded.
    #[serde(skip)]
    pub copy_choice: Option<Vec<Grant>>,
    /// At the copy step: the grants already made on the new user.
    #[serde(skip)]
    pub copied_so_far: Vec<Grant>,
    /// Whether the new key was seen to work, from its creation until the
    /// old key is disabled (BC-12).
    #[serde(skip)]
    pub new_key_check: Option<KeyCheck>,
    /// A write call of an earlier run whose outcome is not known yet, in
    /// words; ramkey settles it by reading before the next step.
    pub pending: Option<String>,
    /// Days between disabling the retired key and deleting it.
    pub wait_days: u32,
    /// How many times the retired key was re-enabled (rolled back).
    pub rollbacks: usize,
    /// The write calls the current step will make, exactly as sent
    /// (`plan::next_calls`); empty when it only records.
    #[serde(skip)]
    pub next_calls: Vec<super::plan::PlannedCall>,
    /// What a finished move did, for its closing summary.
    #[serde(skip)]
    pub summary: Option<MoveSummary>,
}

impl RotationView {
    /// Whether every step is done.
    pub fn is_complete(&self) -> bool {
        self.current.is_none()
    }

    /// Whether the retired key is waiting and its deletion date has come.
    pub fn deletion_due(&self, now: DateTime<Utc>) -> bool {
        self.current == Some(StepKind::DeleteKey) && self.delete_after.is_some_and(|due| due <= now)
    }
}

/// Builds the view of one rotation.
pub fn rotation_view(
    rotation: &Rotation,
    now: DateTime<Utc>,
    ramkey_key_id: Option<&str>,
) -> RotationView {
    let current = current_step(&rotation.progress);
    let deletion = rotation.progress.deletion();
    let waiting_until = deletion
        .filter(|d| d.deleted_at.is_none() && now < d.delete_after)
        .map(|d| d.delete_after);
    let (path, records) = records(&rotation.progress);

    let steps = records
        .into_iter()
        .map(|(kind, record)| StepView {
            kind,
            title: kind.title(),
            status: status(kind, record, current, waiting_until),
        })
        .collect();

    let (new_user, new_key_id) = match &rotation.progress {
        Progress::MoveToNewUser(step) => (
            step.new_user_name().map(str::to_owned),
            step.new_key_id().map(str::to_owned),
        ),
        Progress::DisableIdle(_) => (None, None),
    };
    let lost_keys = match &rotation.progress {
        Progress::MoveToNewUser(step) => match &**step {
            MoveStep::CreateKey { lost_keys, .. } => lost_keys
                .iter()
                .map(|lost| lost.key.key_id.clone())
                .collect(),
            _ => Vec::new(),
        },
        Progress::DisableIdle(_) => Vec::new(),
    };
    let (copy_choice, copied_so_far) = match &rotation.progress {
        Progress::MoveToNewUser(step) => match &**step {
            MoveStep::CopyPermissions { copied, chosen, .. } => (
                chosen.clone(),
                copied.iter().map(|record| record.grant.clone()).collect(),
            ),
            _ => (None, Vec::new()),
        },
        Progress::DisableIdle(_) => (None, Vec::new()),
    };
    let new_key_check = match &rotation.progress {
        Progress::MoveToNewUser(step) => step
            .prepared_before_disable()
            .map(|prepared| prepared.new_key.check.clone()),
        Progress::DisableIdle(_) => None,
    };
    let blocked = current
        .and_then(|kind| blocked(rotation, kind, ramkey_key_id, waiting_until))
        .or_else(|| unverified(current, new_key_id.as_deref(), new_key_check.as_ref()));
    RotationView {
        id: rotation.id.clone(),
        user: rotation.user.clone(),
        key_id: rotation.key_id.clone(),
        path,
        started_at: rotation.started_at,
        steps,
        current,
        explanation: explain(rotation, current, new_user.as_deref(), deletion),
        blocked,
        deletion,
        delete_after: deletion
            .filter(|d| d.deleted_at.is_none())
            .map(|d| d.delete_after),
        new_user,
        new_key_id,
        lost_keys,
        copy_choice,
        copied_so_far,
        new_key_check,
        pending: rotation.pending.as_ref().map(describe_intent),
        wait_days: rotation.wait_days,
        rollbacks: rotation.rollbacks.len(),
        next_calls: super::plan::next_calls(rotation),
        summary: move_summary(rotation),
    }
}

/// `CreateUser for user app-v2, recorded 2026-01-02 03:04 UTC: not known
/// whether it was made; ramkey checks by reading before going on`.
pub fn describe_intent(intent: &Intent) -> String {
    format!(
        "{} for {}, recorded {}: not known whether it was made; ramkey checks by reading \
         before going on",
        intent.call.action(),
        intent.call.target(),
        intent.at.format("%Y-%m-%d %H:%M UTC")
    )
}

fn status(
    kind: StepKind,
    record: Option<StepRecord>,
    current: Option<StepKind>,
    waiting_until: Option<DateTime<Utc>>,
) -> StepStatus {
    match record {
        Some(record) => StepStatus::Done {
            at: record.at,
            request_ids: record.request_ids,
            note: record.note,
        },
        None if current == Some(kind) => match (kind, waiting_until) {
            (StepKind::DeleteKey, Some(until)) => StepStatus::Waiting { until },
            _ => StepStatus::Current,
        },
        None => StepStatus::Pending,
    }
}

fn blocked(
    rotation: &Rotation,
    kind: StepKind,
    ramkey_key_id: Option<&str>,
    waiting_until: Option<DateTime<Utc>>,
) -> Option<String> {
    let touches_key = matches!(kind, StepKind::DisableKey | StepKind::DeleteKey);
    if touches_key && ramkey_key_id == Some(rotation.key_id.as_str()) {
        return Some(format!(
            "ramkey is signing its own calls with {}; restart ramkey with another \
             credential, preferably STS (a RamRoleArn profile, --profile NAME; see \
             docs/credentials.md), to {} it",
            rotation.key_id,
            if kind == StepKind::DisableKey {
                "disable"
            } else {
                "delete"
            }
        ));
    }
    waiting_until.map(|until| format!("not due until {}", until.format("%Y-%m-%d %H:%M UTC")))
}

/// The disable waits for the new key to be seen working (BC-12).
fn unverified(
    current: Option<StepKind>,
    new_key_id: Option<&str>,
    check: Option<&KeyCheck>,
) -> Option<String> {
    let check = check.filter(|check| !check.is_verified())?;
    if current != Some(StepKind::DisableKey) {
        return None;
    }
    let key_id = new_key_id.unwrap_or("the new key");
    let seen = match check {
        KeyCheck::NotYetVerified { attempts, .. } => {
            format!("it was still refused after {attempts} attempts")
        }
        _ => "it was never checked".to_owned(),
    };
    Some(format!(
        "the new key {key_id} is not verified yet ({seen}); verify it before the old key can \
         be disabled"
    ))
}

/// Each step of the rotation's path with its record, if done.
fn records(progress: &Progress) -> (PathKind, Vec<(StepKind, Option<StepRecord>)>) {
    match progress {
        Progress::DisableIdle(step) => {
            let done = idle_records(step);
            (
                PathKind::DisableIdle,
                IDLE_STEPS.into_iter().zip(done).collect(),
            )
        }
        Progress::MoveToNewUser(step) => {
            let done = MoveRecords::of(step).in_order();
            (
                PathKind::MoveToNewUser,
                MOVE_STEPS.into_iter().zip(done).collect(),
            )
        }
    }
}

fn idle_records(step: &IdleStep) -> [Option<StepRecord>; 4] {
    let (reviewed, disabled, deleted) = match step {
        IdleStep::Review => (None, None, None),
        IdleStep::Disable { reviewed } => (Some(reviewed), None, None),
        IdleStep::AwaitDeletion { reviewed, disabled } => (Some(reviewed), Some(disabled), None),
        IdleStep::Complete {
            reviewed,
            disabled,
            deleted,
        } => (Some(reviewed), Some(disabled), Some(deleted)),
    };
    [
        reviewed.cloned(),
        disabled.map(|d| d.record.clone()),
        disabled.map(|d| StepRecord::at(d.record.at)),
        deleted.cloned(),
    ]
}

/// The records of the move path's steps, gathered from whichever variant.
#[derive(Default)]
struct MoveRecords<'a> {
    named: Option<&'a StepRecord>,
    created: Option<&'a StepRecord>,
    copied: Option<&'a StepRecord>,
    key: Option<&'a StepRecord>,
    secret: Option<&'a StepRecord>,
    staging: Option<&'a StepRecord>,
    production: Option<&'a StepRecord>,
    disabled: Option<&'a StepRecord>,
    deleted: Option<&'a StepRecord>,
    reviewed: Option<&'a StepRecord>,
}

impl<'a> MoveRecords<'a> {
    fn of(step: &'a MoveStep) -> Self {
        let mut records = Self::default();
        if let Some(prepared) = step.prepared() {
            records.named = Some(&prepared.new_user.named);
            records.created = Some(&prepared.new_user.created);
            records.copied = Some(&prepared.copied.record);
            records.key = Some(&prepared.new_key.created);
        }
        match step {
            MoveStep::ChooseName | MoveStep::ConfirmSecretStored { .. } => {}
            MoveStep::CreateUser { named, .. } => records.named = Some(named),
            MoveStep::CopyPermissions { new_user, .. } => {
                records.named = Some(&new_user.named);
                records.created = Some(&new_user.created);
            }
            MoveStep::CreateKey {
                new_user, copied, ..
            } => {
                records.named = Some(&new_user.named);
                records.created = Some(&new_user.created);
                records.copied = Some(&copied.record);
            }
            MoveStep::ConfirmStaging { secret_stored, .. } => records.secret = Some(secret_stored),
            MoveStep::ConfirmProduction {
                secret_stored,
                staging,
                ..
            } => {
                records.secret = Some(secret_stored);
                records.staging = Some(staging);
            }
            MoveStep::DisableKey { swap, .. } => records.swap(swap),
            MoveStep::AwaitDeletion { swap, disabled, .. } => {
                records.swap(swap);
                records.disabled = Some(&disabled.record);
            }
            MoveStep::ReviewPolicies {
                swap,
                disabled,
                deleted,
                ..
            } => {
                records.swap(swap);
                records.disabled = Some(&disabled.record);
                records.deleted = Some(deleted);
            }
            MoveStep::Complete {
                swap,
                disabled,
                deleted,
                detached,
                ..
            } => {
                records.swap(swap);
                records.disabled = Some(&disabled.record);
                records.deleted = Some(deleted);
                records.reviewed = Some(&detached.record);
            }
        }
        records
    }

    fn swap(&mut self, swap: &'a crate::state::steps::Swap) {
        self.secret = Some(&swap.secret_stored);
        self.staging = Some(&swap.staging);
        self.production = Some(&swap.production);
    }

    fn in_order(self) -> [Option<StepRecord>; 11] {
        [
            self.named.cloned(),
            self.created.cloned(),
            self.copied.cloned(),
            self.key.cloned(),
            self.secret.cloned(),
            self.staging.cloned(),
            self.production.cloned(),
            self.disabled.cloned(),
            self.disabled.map(|d| StepRecord::at(d.at)),
            self.deleted.cloned(),
            self.reviewed.cloned(),
        ]
    }
}

/// One line: what the current step does, with the exact API calls.
fn explain(
    rotation: &Rotation,
    current: Option<StepKind>,
    new_user: Option<&str>,
    deletion: Option<Deletion>,
) -> String {
    let user = &rotation.user;
    let key = &rotation.key_id;
    let new_user = new_user.map_or_else(|| suggest_name(user), str::to_owned);
    let Some(current) = current else {
        return "Complete: nothing left to do.".to_owned();
    };
    match current {
        StepKind::Review => match &rotation.not_idle_override {
            Some(word) => format!(
                "Review the evidence on {key} of {user}: it is not idle, and you started its \
                 {}. Confirm to go on.",
                word.describe()
            ),
            None => {
                format!("Review the evidence that {key} of {user} is idle, then confirm to go on.")
            }
        },
        StepKind::ChooseName => format!(
            "Choose the new user's name (suggested: {new_user}); GetUser checks that it is free."
        ),
        StepKind::CreateUser => format!(
            "GetUser UserName={new_user}, then CreateUser UserName={new_user} Comments=\"{}\".",
            marker::comments(user, &rotation.id)
        ),
        StepKind::CopyPermissions => format!(
            "AttachPolicyToUser (same PolicyType) and AddUserToGroup UserName={new_user} for \
             each of {user}'s policies and groups you keep ticked."
        ),
        StepKind::CreateKey => format!(
            "ListAccessKeys UserName={new_user}, then CreateAccessKey UserName={new_user}; the \
             secret is shown once and never stored."
        ),
        StepKind::ConfirmSecretStored => format!(
            "Confirm you have stored the secret of {new_user}'s new key; ramkey cannot show it again."
        ),
        StepKind::ConfirmStaging => format!(
            "Switch staging from {key} to {new_user}'s new key, check it works, then confirm."
        ),
        StepKind::ConfirmProduction => format!(
            "Switch production from {key} to {new_user}'s new key, check it works, then confirm."
        ),
        StepKind::DisableKey => format!(
            "UpdateAccessKey UserName={user} UserAccessKeyId={key} Status=Inactive (type {user} \
             to confirm); the deletion date is recorded with it. {GONE}"
        ),
        StepKind::RecordDeletionDate | StepKind::DeleteKey => explain_delete(user, key, deletion),
        StepKind::ReviewPolicies => format!(
            "Review {user}'s policies; DetachPolicyFromUser UserName={user} for each one you pick \
             (maybe none; type {user} to confirm a detach)."
        ),
    }
}

fn explain_delete(user: &str, key: &str, deletion: Option<Deletion>) -> String {
    let calls = format!(
        "GetAccessKeyLastUsed checks {key} was not used after it was disabled, then \
         DeleteAccessKey UserName={user} UserAccessKeyId={key} (type {user} to confirm). \
         {RECYCLE_BIN} {CLOUD_CONFIG} If an application broke, roll back instead: \
         UpdateAccessKey Status=Active re-enables it. {AGAIN} {GONE}"
    );
    match deletion {
        Some(deletion) => format!(
            "Due {}: {calls}",
            deletion.delete_after.format("%Y-%m-%d %H:%M UTC")
        ),
        None => calls,
    }
}

/// The way on when the retired key cannot be deleted as it is.
const AGAIN: &str = "If the key is Active again or was used after the disable, it is never \
     deleted: once you know why, disable it again and restart the waiting period (type the user \
     name to confirm).";

/// The way on when the retired key was deleted outside ramkey.
const GONE: &str = "If ListAccessKeys shows the key already gone (deleted outside ramkey), \
     confirming records it as deleted outside ramkey, before any due date, and moves on.";

/// What becomes of a deleted key.
pub const RECYCLE_BIN: &str =
    "A deleted key stays in RAM's recycle bin for 30 days, where it can be restored.";

/// Why a compliance report flags the key meanwhile.
pub const CLOUD_CONFIG: &str = "While the disabled key waits, Cloud Config's rule for \
     disabled AccessKeys flags it as non-compliant; that is expected until it is deleted.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::steps::Disabled;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test date")
    }

    fn rotation(progress: Progress) -> Rotation {
        Rotation {
            id: "0123456789ab".to_owned(),
            user: "app-user".to_owned(),
            key_id: "LTAI-OLD".to_owned(),
            started_at: at("2026-01-01T00:00:00Z"),
            progress,
            wait_days: 90,
            pending: None,
            rollbacks: Vec::new(),
            not_idle_override: None,
            extra: serde_json::Map::new(),
        }
    }

    fn awaiting() -> Rotation {
        rotation(Progress::DisableIdle(IdleStep::AwaitDeletion {
            reviewed: StepRecord::at(at("2026-01-01T00:00:00Z")),
            disabled: Disabled {
                record: StepRecord::written(at("2026-01-01T00:01:00Z"), "REQ-DISABLE"),
                delete_after: at("2026-04-01T00:01:00Z"),
            },
        }))
    }

    fn statuses(view: &RotationView) -> Vec<&'static str> {
        view.steps
            .iter()
            .map(|step| match step.status {
                StepStatus::Done { .. } => "done",
                StepStatus::Current => "current",
                StepStatus::Waiting { .. } => "waiting",
                StepStatus::Pending => "pending",
            })
            .collect()
    }

    #[test]
    fn a_new_idle_rotation_is_at_review() {
        let view = rotation_view(
            &rotation(Progress::DisableIdle(IdleStep::Review)),
            at("2026-01-01T00:00:00Z"),
            None,
        );
        assert_eq!(view.current, Some(StepKind::Review));
        assert_eq!(
            statuses(&view),
            ["current", "pending", "pending", "pending"]
        );
        assert!(
            view.explanation.contains("LTAI-OLD"),
            "{}",
            view.explanation
        );
        assert_eq!(view.blocked, None);
    }

    #[test]
    fn a_disabled_key_waits_until_its_deletion_date_then_is_due() {
        let before = rotation_view(&awaiting(), at("2026-03-31T00:00:00Z"), None);
        assert_eq!(statuses(&before), ["done", "done", "done", "waiting"]);
        assert!(!before.deletion_due(at("2026-03-31T00:00:00Z")));
        assert!(before.blocked.as_deref().unwrap().contains("2026-04-01"));
        let StepStatus::Done { request_ids, .. } = &before.steps[1].status else {
            panic!("disable not done");
        };
        assert_eq!(request_ids, &["REQ-DISABLE"]);

        let due = rotation_view(&awaiting(), at("2026-04-01T00:01:00Z"), None);
        assert_eq!(statuses(&due), ["done", "done", "done", "current"]);
        assert!(due.deletion_due(at("2026-04-01T00:01:00Z")));
        assert_eq!(due.blocked, None);
        assert!(
            due.explanation
                .contains("DeleteAccessKey UserName=app-user UserAccessKeyId=LTAI-OLD")
        );
    }

    #[test]
    fn an_unsettled_write_its_wait_and_rollbacks_are_shown() {
        let mut waiting = awaiting();
        waiting.wait_days = 30;
        waiting.pending = Some(Intent {
            id: "0123456789ab".to_owned(),
            call: crate::state::WriteCall::DeleteAccessKey {
                user_name: "app-user".to_owned(),
                access_key_id: "LTAI-OLD".to_owned(),
            },
            at: at("2026-04-02T00:00:00Z"),
        });
        waiting.rollbacks.push(crate::state::Rollback {
            record: StepRecord::at(at("2026-01-02T00:00:00Z")),
            reason: None,
        });
        let view = rotation_view(&waiting, at("2026-04-02T00:00:00Z"), None);
        assert_eq!(view.wait_days, 30);
        assert_eq!(view.rollbacks, 1);
        let pending = view.pending.expect("the write in flight");
        assert!(
            pending.starts_with("DeleteAccessKey for key LTAI-OLD of app-user"),
            "{pending}"
        );
        assert!(pending.contains("reading"), "{pending}");
        assert_eq!(
            rotation_view(&awaiting(), at("2026-04-02T00:00:00Z"), None).pending,
            None
        );
    }

    #[test]
    fn ramkeys_own_key_blocks_disable_and_delete() {
        let disable = rotation(Progress::DisableIdle(IdleStep::Disable {
            reviewed: StepRecord::at(at("2026-01-01T00:00:00Z")),
        }));
        let view = rotation_view(&disable, at("2026-01-02T00:00:00Z"), Some("LTAI-OLD"));
        let blocked = view.blocked.expect("own key must block");
        assert!(blocked.contains("another credential"), "{blocked}");

        let other = rotation_view(&disable, at("2026-01-02T00:00:00Z"), Some("LTAI-ELSE"));
        assert_eq!(other.blocked, None);
    }

    #[test]
    fn a_new_move_rotation_suggests_a_name_and_lists_eleven_steps() {
        let view = rotation_view(
            &rotation(Progress::MoveToNewUser(Box::new(MoveStep::ChooseName))),
            at("2026-01-01T00:00:00Z"),
            None,
        );
        assert_eq!(view.steps.len(), 11);
        assert_eq!(view.current, Some(StepKind::ChooseName));
        assert!(
            view.explanation.contains("app-user-v2"),
            "{}",
            view.explanation
        );
        assert_eq!(view.new_user, None);
    }

    #[test]
    fn create_user_names_the_marker_comment() {
        let view = rotation_view(
            &rotation(Progress::MoveToNewUser(Box::new(MoveStep::CreateUser {
                new_user_name: "app-next".to_owned(),
                named: StepRecord::at(at("2026-01-01T00:00:00Z")),
            }))),
            at("2026-01-01T00:00:00Z"),
            None,
        );
        assert_eq!(statuses(&view)[..3], ["done", "current", "pending"]);
        assert_eq!(view.new_user.as_deref(), Some("app-next"));
        assert!(
            view.explanation
                .contains("ramkey: replaces app-user (rotation 0123456789ab)"),
            "{}",
            view.explanation
        );
    }
}
