//! The persisted progress of one rotation: one enum per path, whose variants
//! carry what the earlier steps collected, so a state that skips a step cannot
//! be written down.
//!
//! Only ids, names, dates and RequestIds: no type here can hold a secret.
//! The transitions live in `crate::rotation`; this module only defines and
//! names the states.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::cloud::model::PolicyType;

/// A step that is done: when, and the RequestId of each write it made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    /// When the step was done (UTC).
    pub at: DateTime<Utc>,
    /// The `RequestId` of every write call the step made, in order; empty for
    /// an admin's confirmation or when nothing had to be written.
    #[serde(default)]
    pub request_ids: Vec<String>,
    /// Why the step needed no call, when it did not (found already done).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl StepRecord {
    /// A confirmation or a write without RequestIds.
    pub fn at(at: DateTime<Utc>) -> Self {
        Self {
            at,
            request_ids: Vec::new(),
            note: None,
        }
    }

    /// A write call's record.
    pub fn written(at: DateTime<Utc>, request_id: impl Into<String>) -> Self {
        Self {
            at,
            request_ids: vec![request_id.into()],
            note: None,
        }
    }

    /// A step found already done when ramkey looked, so no call was made.
    pub fn found_done(at: DateTime<Utc>, note: impl Into<String>) -> Self {
        Self {
            at,
            request_ids: Vec::new(),
            note: Some(note.into()),
        }
    }
}

/// Where a rotation is, per path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Progress {
    /// Disable the idle key, delete it when the wait is over.
    DisableIdle(IdleStep),
    /// Move the application to a new RAM user, then retire the old key.
    MoveToNewUser(Box<MoveStep>),
}

impl Progress {
    /// Whether every step is done.
    pub fn is_complete(&self) -> bool {
        match self {
            Progress::DisableIdle(step) => matches!(step, IdleStep::Complete { .. }),
            Progress::MoveToNewUser(step) => matches!(**step, MoveStep::Complete { .. }),
        }
    }

    /// When the retired key was disabled and may be deleted, once it is.
    pub fn deletion(&self) -> Option<Deletion> {
        match self {
            Progress::DisableIdle(step) => step.deletion(),
            Progress::MoveToNewUser(step) => step.deletion(),
        }
    }
}

/// The disable-idle path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum IdleStep {
    /// The admin reviews the evidence that the key is idle.
    Review,
    /// The admin disables the idle key.
    Disable {
        /// The review.
        reviewed: StepRecord,
    },
    /// Disabled; waiting until the deletion date.
    AwaitDeletion {
        /// The review.
        reviewed: StepRecord,
        /// The disable and its deletion date.
        disabled: Disabled,
    },
    /// The key is deleted; nothing is left to do.
    Complete {
        /// The review.
        reviewed: StepRecord,
        /// The disable and its deletion date.
        disabled: Disabled,
        /// The deletion.
        deleted: StepRecord,
    },
}

impl IdleStep {
    fn deletion(&self) -> Option<Deletion> {
        match self {
            IdleStep::Review | IdleStep::Disable { .. } => None,
            IdleStep::AwaitDeletion { disabled, .. } => Some(Deletion::pending(disabled)),
            IdleStep::Complete {
                disabled, deleted, ..
            } => Some(Deletion::done(disabled, deleted)),
        }
    }
}

/// The retired key's disable, and from when it may be deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disabled {
    /// The UpdateAccessKey call (or the finding that it was already Inactive).
    pub record: StepRecord,
    /// The disable time plus the waiting period.
    pub delete_after: DateTime<Utc>,
}

/// A summary of the retired key's deletion, for views and `ramkey status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deletion {
    /// When the key was disabled.
    pub disabled_at: DateTime<Utc>,
    /// When it may be deleted.
    pub delete_after: DateTime<Utc>,
    /// When it was deleted, once it is.
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Deletion {
    fn pending(disabled: &Disabled) -> Self {
        Self {
            disabled_at: disabled.record.at,
            delete_after: disabled.delete_after,
            deleted_at: None,
        }
    }

    fn done(disabled: &Disabled, deleted: &StepRecord) -> Self {
        Self {
            deleted_at: Some(deleted.at),
            ..Self::pending(disabled)
        }
    }
}

/// The move-to-new-user path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum MoveStep {
    /// The admin chooses the new user's name.
    ChooseName,
    /// CreateUser with the chosen name.
    CreateUser {
        /// The chosen name.
        new_user_name: String,
        /// When it was chosen and checked to be free.
        named: StepRecord,
    },
    /// Copy the chosen policies and groups; `copied` holds those done so far.
    CopyPermissions {
        /// The created user.
        new_user: NewUser,
        /// Grants already made on the new user.
        #[serde(default)]
        copied: Vec<GrantRecord>,
    },
    /// CreateAccessKey for the new user.
    CreateKey {
        /// The created user.
        new_user: NewUser,
        /// The copied permissions.
        copied: Copied,
        /// Keys created earlier whose secret the admin reported lost before
        /// storing it; each is deleted when its replacement is created.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        lost_keys: Vec<LostKey>,
    },
    /// The admin confirms the new secret is stored (it is shown once).
    ConfirmSecretStored {
        /// User, permissions and key.
        prepared: Prepared,
    },
    /// The admin confirms staging uses the new key.
    ConfirmStaging {
        /// User, permissions and key.
        prepared: Prepared,
        /// The secret-stored confirmation.
        secret_stored: StepRecord,
    },
    /// The admin confirms production uses the new key.
    ConfirmProduction {
        /// User, permissions and key.
        prepared: Prepared,
        /// The secret-stored confirmation.
        secret_stored: StepRecord,
        /// The staging confirmation.
        staging: StepRecord,
    },
    /// Disable the moved key on the original user.
    DisableKey {
        /// User, permissions and key.
        prepared: Prepared,
        /// The three confirmations.
        swap: Swap,
    },
    /// Disabled; waiting until the deletion date.
    AwaitDeletion {
        /// User, permissions and key.
        prepared: Prepared,
        /// The three confirmations.
        swap: Swap,
        /// The disable and its deletion date.
        disabled: Disabled,
    },
    /// The admin reviews the original user's policies and detaches some.
    ReviewPolicies {
        /// User, permissions and key.
        prepared: Prepared,
        /// The three confirmations.
        swap: Swap,
        /// The disable and its deletion date.
        disabled: Disabled,
        /// The deletion.
        deleted: StepRecord,
        /// Policies already detached, when a detach was interrupted.
        #[serde(default)]
        detached: Vec<GrantRecord>,
    },
    /// Every step is done.
    Complete {
        /// User, permissions and key.
        prepared: Prepared,
        /// The three confirmations.
        swap: Swap,
        /// The disable and its deletion date.
        disabled: Disabled,
        /// The deletion.
        deleted: StepRecord,
        /// The policies detached from the original user (maybe none).
        detached: Detached,
    },
}

impl MoveStep {
    /// The new user's name, once chosen.
    pub fn new_user_name(&self) -> Option<&str> {
        match self {
            MoveStep::ChooseName => None,
            MoveStep::CreateUser { new_user_name, .. } => Some(new_user_name),
            MoveStep::CopyPermissions { new_user, .. } | MoveStep::CreateKey { new_user, .. } => {
                Some(&new_user.name)
            }
            _ => self
                .prepared()
                .map(|prepared| prepared.new_user.name.as_str()),
        }
    }

    /// The new key's id, once created.
    pub fn new_key_id(&self) -> Option<&str> {
        self.prepared()
            .map(|prepared| prepared.new_key.key_id.as_str())
    }

    /// User, permissions and key from the key's creation until the old key
    /// is disabled: while the new key's check matters.
    pub fn prepared_before_disable(&self) -> Option<&Prepared> {
        match self {
            MoveStep::ConfirmSecretStored { prepared }
            | MoveStep::ConfirmStaging { prepared, .. }
            | MoveStep::ConfirmProduction { prepared, .. }
            | MoveStep::DisableKey { prepared, .. } => Some(prepared),
            _ => None,
        }
    }

    /// For recording the new key's check, from the key's creation until the
    /// old key is disabled (later the check no longer matters).
    pub fn prepared_before_disable_mut(&mut self) -> Option<&mut Prepared> {
        match self {
            MoveStep::ConfirmSecretStored { prepared }
            | MoveStep::ConfirmStaging { prepared, .. }
            | MoveStep::ConfirmProduction { prepared, .. }
            | MoveStep::DisableKey { prepared, .. } => Some(prepared),
            _ => None,
        }
    }

    /// User, permissions and key, from the key's creation on.
    pub fn prepared(&self) -> Option<&Prepared> {
        match self {
            MoveStep::ChooseName
            | MoveStep::CreateUser { .. }
            | MoveStep::CopyPermissions { .. }
            | MoveStep::CreateKey { .. } => None,
            MoveStep::ConfirmSecretStored { prepared }
            | MoveStep::ConfirmStaging { prepared, .. }
            | MoveStep::ConfirmProduction { prepared, .. }
            | MoveStep::DisableKey { prepared, .. }
            | MoveStep::AwaitDeletion { prepared, .. }
            | MoveStep::ReviewPolicies { prepared, .. }
            | MoveStep::Complete { prepared, .. } => Some(prepared),
        }
    }

    fn deletion(&self) -> Option<Deletion> {
        match self {
            MoveStep::AwaitDeletion { disabled, .. } => Some(Deletion::pending(disabled)),
            MoveStep::ReviewPolicies {
                disabled, deleted, ..
            }
            | MoveStep::Complete {
                disabled, deleted, ..
            } => Some(Deletion::done(disabled, deleted)),
            _ => None,
        }
    }
}

/// The RAM user a move created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUser {
    /// `UserName`.
    pub name: String,
    /// `UserId`, when the API returned one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// When the name was chosen and checked to be free.
    pub named: StepRecord,
    /// The CreateUser call (or the finding that ramkey had already made it).
    pub created: StepRecord,
}

/// A policy attachment or a group membership.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Grant {
    /// An attached policy; attach and detach must name the same type.
    Policy {
        /// `PolicyName`.
        policy_name: String,
        /// `PolicyType`.
        policy_type: PolicyType,
    },
    /// A group membership.
    Group {
        /// `GroupName`.
        group_name: String,
    },
}

/// One grant made (or removed) and its record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRecord {
    /// What was granted.
    pub grant: Grant,
    /// The call.
    pub record: StepRecord,
}

/// The copy step, done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Copied {
    /// Every grant copied onto the new user (maybe none).
    pub grants: Vec<GrantRecord>,
    /// When the copy was finished.
    pub record: StepRecord,
}

/// The key created for the new user (its id only: the secret is never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewKey {
    /// `AccessKeyId`.
    pub key_id: String,
    /// The CreateAccessKey call.
    pub created: StepRecord,
    /// Whether the key has been seen to work (files written before ramkey
    /// checked keys read as not checked).
    #[serde(default, skip_serializing_if = "KeyCheck::is_not_checked")]
    pub check: KeyCheck,
}

impl NewKey {
    /// A key just created, not checked yet.
    pub fn created(key_id: impl Into<String>, created: StepRecord) -> Self {
        Self {
            key_id: key_id.into(),
            created,
            check: KeyCheck::NotChecked,
        }
    }
}

/// Whether a new key has signed a harmless read (STS GetCallerIdentity) yet:
/// a key CreateAccessKey just returned can be refused for minutes (BC-12),
/// and the old key may not be disabled before the new one is seen to work.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum KeyCheck {
    /// Never checked: the check was interrupted, or the file is older.
    #[default]
    NotChecked,
    /// Tried until the cap passed without the key being accepted; the old
    /// key stays Active until a later check succeeds.
    NotYetVerified {
        /// Attempts made so far, over every check.
        attempts: u32,
        /// When the last attempt was made.
        last_tried: DateTime<Utc>,
        /// The last refusal's code, e.g. `InvalidAccessKeyId.NotFound`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_code: Option<String>,
    },
    /// The key signed GetCallerIdentity and was answered as the new user.
    Verified {
        /// When it first succeeded.
        at: DateTime<Utc>,
        /// Attempts it took, over every check.
        attempts: u32,
        /// The identity STS answered with.
        arn: String,
    },
}

impl KeyCheck {
    /// Whether the key was never checked.
    pub fn is_not_checked(&self) -> bool {
        matches!(self, KeyCheck::NotChecked)
    }

    /// Whether the key was seen to work.
    pub fn is_verified(&self) -> bool {
        matches!(self, KeyCheck::Verified { .. })
    }

    /// Attempts made so far.
    pub fn attempts(&self) -> u32 {
        match self {
            KeyCheck::NotChecked => 0,
            KeyCheck::NotYetVerified { attempts, .. } | KeyCheck::Verified { attempts, .. } => {
                *attempts
            }
        }
    }
}

/// A created key whose secret the admin said was never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LostKey {
    /// The key as it was created.
    pub key: NewKey,
    /// When the admin said its secret was lost.
    pub reported: StepRecord,
}

/// Everything set up before the swap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prepared {
    /// The new user.
    pub new_user: NewUser,
    /// Its copied permissions.
    pub copied: Copied,
    /// Its key.
    pub new_key: NewKey,
}

/// The admin's confirmations of the swap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Swap {
    /// The new secret is stored.
    pub secret_stored: StepRecord,
    /// Staging uses the new key.
    pub staging: StepRecord,
    /// Production uses the new key.
    pub production: StepRecord,
}

/// The final review of the original user's policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detached {
    /// The policies detached (maybe none).
    pub policies: Vec<GrantRecord>,
    /// When the review was finished.
    pub record: StepRecord,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_create_key_step_without_lost_keys_reads_and_writes_as_before() {
        // A state file written before lost keys were recorded.
        let old = r#"{"step":"create_key",
            "new_user":{"name":"app-v2",
                "named":{"at":"2026-01-01T00:00:00Z"},
                "created":{"at":"2026-01-01T00:00:00Z","request_ids":["R1"]}},
            "copied":{"grants":[],"record":{"at":"2026-01-01T00:00:00Z"}}}"#;
        let step: MoveStep = serde_json::from_str(old).expect("old file loads");
        let MoveStep::CreateKey { lost_keys, .. } = &step else {
            panic!("{step:?}");
        };
        assert!(lost_keys.is_empty());
        let written = serde_json::to_string(&step).unwrap();
        assert!(!written.contains("lost_keys"), "{written}");
    }

    #[test]
    fn a_key_recorded_before_checks_reads_as_not_checked_and_a_check_round_trips() {
        let old = r#"{"key_id":"LTAI-NEW","created":{"at":"2026-01-01T00:00:00Z"}}"#;
        let key: NewKey = serde_json::from_str(old).expect("old file loads");
        assert_eq!(key.check, KeyCheck::NotChecked);
        assert!(!serde_json::to_string(&key).unwrap().contains("check"));

        let checked = NewKey {
            check: KeyCheck::NotYetVerified {
                attempts: 41,
                last_tried: "2026-01-01T00:02:00Z".parse().unwrap(),
                last_code: Some("InvalidAccessKeyId.NotFound".to_owned()),
            },
            ..key
        };
        let written = serde_json::to_string(&checked).unwrap();
        assert!(
            written.contains(r#""state":"not_yet_verified""#),
            "{written}"
        );
        let back: NewKey = serde_json::from_str(&written).unwrap();
        assert_eq!(back, checked);
        assert_eq!(back.check.attempts(), 41);
        assert!(!back.check.is_verified());
    }
}
