//! Drift: changes made outside ramkey (in the console, by a colleague, by a
//! script) to the facts a rotation relies on. Drift is shown to the admin and
//! never overwritten; a step that would act on a drifted fact refuses.
//!
//! Pure: [`compare`] takes what the engine read from the cloud and the
//! persisted rotation. No I/O, no clock.

use crate::cloud::model::{AccessKey, AttachedPolicy, GroupMembership, KeyStatus};
use crate::state::steps::{Grant, IdleStep, MoveStep};
use crate::state::{Progress, Rotation};

/// One change made outside ramkey.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Drift {
    /// The retired key is Active while the state says it is disabled.
    KeyReEnabled {
        /// The flagged user.
        user: String,
        /// The retired key.
        key_id: String,
    },
    /// The retired key was deleted outside ramkey before its step.
    RetiredKeyGone {
        /// The flagged user.
        user: String,
        /// The retired key.
        key_id: String,
    },
    /// A policy or group ramkey copied is no longer on the new user.
    GrantRemoved {
        /// The new user.
        user: String,
        /// The grant, e.g. `policy ReadOnlyAccess (System)`.
        what: String,
    },
    /// The new user ramkey created no longer exists.
    NewUserGone {
        /// The new user.
        user: String,
    },
    /// A key on the new user that ramkey has no record of: a third party
    /// added it (ramkey records every key it creates, even one whose
    /// secret it never got).
    UnrecordedKey {
        /// The new user.
        user: String,
        /// The key.
        key_id: String,
    },
    /// A key this rotation created and recorded, whose secret nobody
    /// holds (its CreateAccessKey answer was lost, or the secret was never
    /// stored): unusable until replaced.
    KeyWithoutSecret {
        /// The new user.
        user: String,
        /// The key.
        key_id: String,
    },
    /// The new key was disabled or deleted outside ramkey.
    NewKeyNotActive {
        /// The new user.
        user: String,
        /// The new key.
        key_id: String,
    },
}

impl Drift {
    /// What changed, in one sentence.
    pub fn describe(&self) -> String {
        match self {
            Drift::KeyReEnabled { user, key_id } => format!(
                "{key_id} of {user} is Active again, though ramkey disabled it: someone \
                 re-enabled it outside ramkey"
            ),
            Drift::RetiredKeyGone { user, key_id } => format!(
                "{key_id} of {user} no longer exists: it was deleted outside ramkey before \
                 this rotation's step"
            ),
            Drift::GrantRemoved { user, what } => format!(
                "{user} no longer has {what}, which ramkey copied to it: it was removed \
                 outside ramkey"
            ),
            Drift::NewUserGone { user } => format!(
                "the new user {user}, created by this rotation, no longer exists: it was \
                 deleted outside ramkey"
            ),
            Drift::UnrecordedKey { user, key_id } => format!(
                "{user} holds {key_id}, which ramkey has no record of: someone else added it, \
                 or an older ramkey lost its secret without recording it"
            ),
            Drift::KeyWithoutSecret { user, key_id } => format!(
                "{user} holds {key_id}, which this rotation created but whose secret nobody \
                 has (the answer to its CreateAccessKey was lost, or the secret was never \
                 stored): nobody can use it"
            ),
            Drift::NewKeyNotActive { user, key_id } => format!(
                "the new key {key_id} of {user} is not Active any more: it was disabled or \
                 deleted outside ramkey"
            ),
        }
    }

    /// What the admin should do about it.
    pub fn advice(&self) -> &'static str {
        match self {
            Drift::KeyReEnabled { .. } => {
                "Something may need the old key again: find out why before disabling it \
                 again; ramkey will not delete an Active key"
            }
            Drift::RetiredKeyGone { .. } => {
                "Nothing is left to disable or delete. Check the application still works (a \
                 deleted key stays in RAM's recycle bin for 30 days), then run the disable or \
                 delete step, typing the user name: ramkey records the key as deleted outside \
                 ramkey and moves on"
            }
            Drift::GrantRemoved { .. } => {
                "The application on the new user may lack permissions: attach it again in \
                 the RAM console, or confirm the removal was meant"
            }
            Drift::NewUserGone { .. } => {
                "The application cannot use the new user: do not retire the old key; \
                 restore the user from RAM's recycle bin or start a new rotation"
            }
            Drift::UnrecordedKey { .. } => {
                "A key whose secret nobody holds is a liability: delete it (ramkey offers \
                 \"replace the lost key\" while the new key is being created), or find out \
                 who added it"
            }
            Drift::KeyWithoutSecret { .. } => {
                "Replace it: at \"Create the new AccessKey\", answer yes to \"replace the lost \
                 key\" (typing the new user's name); ramkey deletes it and creates a fresh key"
            }
            Drift::NewKeyNotActive { .. } => {
                "The application cannot sign with the new key: re-enable it in the RAM \
                 console before retiring the old key"
            }
        }
    }
}

/// What the engine read from the cloud to look for drift.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// The flagged user's keys.
    pub old_keys: Vec<AccessKey>,
    /// The new user, when the rotation has one: `None` when it does not
    /// exist any more.
    pub new_user: Option<NewUserObserved>,
}

/// The new user as read from the cloud.
#[derive(Debug, Clone, Default)]
pub struct NewUserObserved {
    /// Its keys.
    pub keys: Vec<AccessKey>,
    /// Its policies.
    pub policies: Vec<AttachedPolicy>,
    /// Its groups.
    pub groups: Vec<GroupMembership>,
}

/// The drift between the rotation's record and what was observed. Once the
/// rotation has created its new user, `observed.new_user == None` means the
/// user is gone.
pub fn compare(rotation: &Rotation, observed: &Observed) -> Vec<Drift> {
    let mut drift = retired_key_drift(rotation, &observed.old_keys);
    if let Progress::MoveToNewUser(step) = &rotation.progress {
        if let Some(name) = created_user(step) {
            match &observed.new_user {
                None => drift.push(Drift::NewUserGone {
                    user: name.to_owned(),
                }),
                Some(seen) => drift.extend(new_user_drift(step, name, seen)),
            }
        }
    }
    drift
}

/// The retired key: gone before its deletion, or Active after its disable.
fn retired_key_drift(rotation: &Rotation, keys: &[AccessKey]) -> Vec<Drift> {
    let (user, key_id) = (rotation.user.clone(), rotation.key_id.clone());
    let key = keys.iter().find(|key| key.access_key_id == key_id);
    let deleted = rotation
        .progress
        .deletion()
        .is_some_and(|d| d.deleted_at.is_some());
    if deleted {
        return Vec::new();
    }
    match key {
        None => vec![Drift::RetiredKeyGone { user, key_id }],
        Some(key) if key.status == KeyStatus::Active && is_disabled(&rotation.progress) => {
            vec![Drift::KeyReEnabled { user, key_id }]
        }
        Some(_) => Vec::new(),
    }
}

/// Whether the state says the retired key is disabled (and not deleted).
fn is_disabled(progress: &Progress) -> bool {
    match progress {
        Progress::DisableIdle(step) => matches!(step, IdleStep::AwaitDeletion { .. }),
        Progress::MoveToNewUser(step) => matches!(**step, MoveStep::AwaitDeletion { .. }),
    }
}

/// The new user's name once CreateUser is done.
fn created_user(step: &MoveStep) -> Option<&str> {
    match step {
        MoveStep::ChooseName | MoveStep::CreateUser { .. } => None,
        _ => step.new_user_name(),
    }
}

fn new_user_drift(step: &MoveStep, name: &str, seen: &NewUserObserved) -> Vec<Drift> {
    let mut drift = Vec::new();
    for grant in copied_grants(step) {
        if !holds(seen, grant) {
            drift.push(Drift::GrantRemoved {
                user: name.to_owned(),
                what: describe_grant(grant),
            });
        }
    }

    let known = known_keys(step);
    let lost = lost_keys(step);
    for key in &seen.keys {
        let (user, key_id) = (name.to_owned(), key.access_key_id.clone());
        if lost.contains(&key_id.as_str()) {
            drift.push(Drift::KeyWithoutSecret { user, key_id });
        } else if !known.contains(&key_id.as_str()) {
            drift.push(Drift::UnrecordedKey { user, key_id });
        }
    }

    if let Some(new_key) = step.new_key_id() {
        let active = seen
            .keys
            .iter()
            .any(|key| key.access_key_id == new_key && key.status == KeyStatus::Active);
        if !active {
            drift.push(Drift::NewKeyNotActive {
                user: name.to_owned(),
                key_id: new_key.to_owned(),
            });
        }
    }
    drift
}

/// The grants the rotation copied (or has copied so far).
fn copied_grants(step: &MoveStep) -> Vec<&Grant> {
    let records = match step {
        MoveStep::CopyPermissions { copied, .. } => copied.as_slice(),
        MoveStep::CreateKey { copied, .. } => copied.grants.as_slice(),
        _ => step
            .prepared()
            .map_or(&[][..], |prepared| prepared.copied.grants.as_slice()),
    };
    records.iter().map(|record| &record.grant).collect()
}

/// The new user's keys ramkey knows: the new key, and lost keys it still
/// means to delete.
fn known_keys(step: &MoveStep) -> Vec<&str> {
    let mut known: Vec<&str> = step.new_key_id().into_iter().collect();
    if let MoveStep::CreateKey { lost_keys, .. } = step {
        known.extend(lost_keys.iter().map(|lost| lost.key.key_id.as_str()));
    }
    known
}

/// The keys recorded as having no secret, until they are replaced.
fn lost_keys(step: &MoveStep) -> Vec<&str> {
    match step {
        MoveStep::CreateKey { lost_keys, .. } => lost_keys
            .iter()
            .map(|lost| lost.key.key_id.as_str())
            .collect(),
        _ => Vec::new(),
    }
}

fn holds(seen: &NewUserObserved, grant: &Grant) -> bool {
    match grant {
        Grant::Policy {
            policy_name,
            policy_type,
        } => seen
            .policies
            .iter()
            .any(|p| &p.policy_name == policy_name && p.policy_type == *policy_type),
        Grant::Group { group_name } => seen.groups.iter().any(|g| &g.group_name == group_name),
    }
}

/// `policy ReadOnlyAccess (System)` or `group Dev-Team`.
pub fn describe_grant(grant: &Grant) -> String {
    match grant {
        Grant::Policy {
            policy_name,
            policy_type,
        } => format!("policy {policy_name} ({})", policy_type.as_str()),
        Grant::Group { group_name } => format!("group {group_name}"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::cloud::model::PolicyType;
    use crate::state::StepRecord;
    use crate::state::steps::{Copied, Disabled, LostKey, NewKey, NewUser};

    fn at() -> DateTime<Utc> {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    fn rotation(progress: Progress) -> Rotation {
        Rotation {
            id: "0123456789ab".to_owned(),
            user: "app".to_owned(),
            key_id: "OLD".to_owned(),
            started_at: at(),
            progress,
            wait_days: 90,
            pending: None,
            rollbacks: Vec::new(),
            not_idle_override: None,
            extra: serde_json::Map::new(),
        }
    }

    fn key(id: &str, status: KeyStatus) -> AccessKey {
        AccessKey {
            access_key_id: id.to_owned(),
            status,
            create_date: None,
        }
    }

    fn new_user() -> NewUser {
        NewUser {
            name: "app-v2".to_owned(),
            user_id: None,
            named: StepRecord::at(at()),
            created: StepRecord::at(at()),
        }
    }

    fn awaiting(deleted: bool) -> Progress {
        let reviewed = StepRecord::at(at());
        let disabled = Disabled {
            record: StepRecord::at(at()),
            delete_after: at(),
        };
        Progress::DisableIdle(if deleted {
            IdleStep::Complete {
                reviewed,
                disabled,
                deleted: StepRecord::at(at()),
            }
        } else {
            IdleStep::AwaitDeletion { reviewed, disabled }
        })
    }

    #[test]
    fn a_retired_key_is_expected_inactive_while_it_waits_and_gone_once_deleted() {
        let active = Observed {
            old_keys: vec![key("OLD", KeyStatus::Active)],
            new_user: None,
        };
        assert!(matches!(
            compare(&rotation(awaiting(false)), &active)[..],
            [Drift::KeyReEnabled { .. }]
        ));
        let inactive = Observed {
            old_keys: vec![key("OLD", KeyStatus::Inactive)],
            new_user: None,
        };
        assert_eq!(compare(&rotation(awaiting(false)), &inactive), []);
        // Deleted by the rotation: its absence is no drift.
        assert_eq!(compare(&rotation(awaiting(true)), &Observed::default()), []);
        // Before the disable an Active key is expected.
        let review = rotation(Progress::DisableIdle(IdleStep::Review));
        assert_eq!(compare(&review, &active), []);
        assert!(matches!(
            compare(&review, &Observed::default())[..],
            [Drift::RetiredKeyGone { .. }]
        ));
    }

    #[test]
    fn a_lost_key_waiting_for_its_replacement_is_told_apart_from_a_key_of_no_record() {
        let lost = LostKey {
            key: NewKey::created("LOST", StepRecord::at(at())),
            reported: StepRecord::at(at()),
        };
        let grant = Grant::Policy {
            policy_name: "P".to_owned(),
            policy_type: PolicyType::Custom,
        };
        let step = MoveStep::CreateKey {
            new_user: new_user(),
            copied: Copied {
                grants: vec![crate::state::steps::GrantRecord {
                    grant,
                    record: StepRecord::at(at()),
                }],
                record: StepRecord::at(at()),
            },
            lost_keys: vec![lost],
        };
        let observed = Observed {
            old_keys: vec![key("OLD", KeyStatus::Active)],
            new_user: Some(NewUserObserved {
                keys: vec![
                    key("LOST", KeyStatus::Active),
                    key("ELSE", KeyStatus::Active),
                ],
                policies: Vec::new(),
                groups: Vec::new(),
            }),
        };
        let drift = compare(
            &rotation(Progress::MoveToNewUser(Box::new(step))),
            &observed,
        );
        assert_eq!(
            drift,
            [
                Drift::GrantRemoved {
                    user: "app-v2".to_owned(),
                    what: "policy P (Custom)".to_owned(),
                },
                Drift::KeyWithoutSecret {
                    user: "app-v2".to_owned(),
                    key_id: "LOST".to_owned(),
                },
                Drift::UnrecordedKey {
                    user: "app-v2".to_owned(),
                    key_id: "ELSE".to_owned(),
                },
            ]
        );
    }

    #[test]
    fn every_drift_says_what_changed_and_what_to_do() {
        let all = [
            Drift::KeyReEnabled {
                user: "u".into(),
                key_id: "K".into(),
            },
            Drift::RetiredKeyGone {
                user: "u".into(),
                key_id: "K".into(),
            },
            Drift::GrantRemoved {
                user: "u".into(),
                what: "group G".into(),
            },
            Drift::NewUserGone { user: "u".into() },
            Drift::UnrecordedKey {
                user: "u".into(),
                key_id: "K".into(),
            },
            Drift::KeyWithoutSecret {
                user: "u".into(),
                key_id: "K".into(),
            },
            Drift::NewKeyNotActive {
                user: "u".into(),
                key_id: "K".into(),
            },
        ];
        for drift in all {
            assert!(drift.describe().contains('u'), "{drift:?}");
            assert!(
                drift.describe().contains("outside ramkey")
                    || drift.describe().contains("no record")
                    || drift.describe().contains("nobody can use it")
            );
            assert!(drift.advice().len() > 20, "{drift:?}");
        }
    }
}
