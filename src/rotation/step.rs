//! The steps of both paths by name, and the pure transition from one
//! persisted step to the next.
//!
//! [`advance`] is the whole state machine: the engine performs a step's calls,
//! turns what they returned into an [`Event`], and stores what `advance`
//! gives back. An event that does not fit the current step is refused, so a
//! step can never be skipped or done twice. No I/O, no clock.

use serde::Serialize;

use crate::state::steps::{
    Copied, Detached, Disabled, GrantRecord, IdleStep, KeyCheck, LostKey, MoveStep, NewKey,
    NewUser, Prepared, Swap,
};
use crate::state::{Progress, StepRecord};

/// A step of either path, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// The admin reviews the idle key's evidence.
    Review,
    /// The admin picks the new user's name.
    ChooseName,
    /// CreateUser.
    CreateUser,
    /// AttachPolicyToUser and AddUserToGroup for the chosen grants.
    CopyPermissions,
    /// CreateAccessKey for the new user.
    CreateKey,
    /// The admin has stored the new secret.
    ConfirmSecretStored,
    /// Staging uses the new key.
    ConfirmStaging,
    /// Production uses the new key.
    ConfirmProduction,
    /// UpdateAccessKey Inactive on the retired key.
    DisableKey,
    /// The deletion date is set (done with the disable).
    RecordDeletionDate,
    /// DeleteAccessKey once the wait is over.
    DeleteKey,
    /// The admin reviews the original user's policies and detaches some.
    ReviewPolicies,
}

impl StepKind {
    /// A short title for checklists.
    pub fn title(self) -> &'static str {
        match self {
            StepKind::Review => "Review the evidence",
            StepKind::ChooseName => "Choose the new user's name",
            StepKind::CreateUser => "Create the new user",
            StepKind::CopyPermissions => "Copy policies and groups",
            StepKind::CreateKey => "Create the new AccessKey",
            StepKind::ConfirmSecretStored => "Confirm the secret is stored",
            StepKind::ConfirmStaging => "Confirm staging uses the new key",
            StepKind::ConfirmProduction => "Confirm production uses the new key",
            StepKind::DisableKey => "Disable the old key",
            StepKind::RecordDeletionDate => "Record the deletion date",
            StepKind::DeleteKey => "Delete the old key",
            StepKind::ReviewPolicies => "Review the original user's policies",
        }
    }

    /// The step's name in the audit log, e.g. `confirm_staging`.
    pub fn audit_name(self) -> &'static str {
        match self {
            StepKind::Review => "confirm_review",
            StepKind::ChooseName => "choose_name",
            StepKind::CreateUser => "create_user",
            StepKind::CopyPermissions => "copy_permissions",
            StepKind::CreateKey => "create_key",
            StepKind::ConfirmSecretStored => "confirm_secret_stored",
            StepKind::ConfirmStaging => "confirm_staging",
            StepKind::ConfirmProduction => "confirm_production",
            StepKind::DisableKey => "disable_key",
            StepKind::RecordDeletionDate => "record_deletion_date",
            StepKind::DeleteKey => "delete_key",
            StepKind::ReviewPolicies => "review_policies",
        }
    }

    /// Whether the step changes or removes access (needs the typed user name).
    pub fn is_destructive(self) -> bool {
        matches!(
            self,
            StepKind::DisableKey | StepKind::DeleteKey | StepKind::ReviewPolicies
        )
    }
}

/// The steps of the disable-idle path, in order.
pub const IDLE_STEPS: [StepKind; 4] = [
    StepKind::Review,
    StepKind::DisableKey,
    StepKind::RecordDeletionDate,
    StepKind::DeleteKey,
];

/// The steps of the move-to-new-user path, in order.
pub const MOVE_STEPS: [StepKind; 11] = [
    StepKind::ChooseName,
    StepKind::CreateUser,
    StepKind::CopyPermissions,
    StepKind::CreateKey,
    StepKind::ConfirmSecretStored,
    StepKind::ConfirmStaging,
    StepKind::ConfirmProduction,
    StepKind::DisableKey,
    StepKind::RecordDeletionDate,
    StepKind::DeleteKey,
    StepKind::ReviewPolicies,
];

/// The step waiting for the admin; `None` once the rotation is complete.
pub fn current_step(progress: &Progress) -> Option<StepKind> {
    match progress {
        Progress::DisableIdle(step) => match step {
            IdleStep::Review => Some(StepKind::Review),
            IdleStep::Disable { .. } => Some(StepKind::DisableKey),
            IdleStep::AwaitDeletion { .. } => Some(StepKind::DeleteKey),
            IdleStep::Complete { .. } => None,
        },
        Progress::MoveToNewUser(step) => current_move_step(step),
    }
}

fn current_move_step(step: &MoveStep) -> Option<StepKind> {
    Some(match step {
        MoveStep::ChooseName => StepKind::ChooseName,
        MoveStep::CreateUser { .. } => StepKind::CreateUser,
        MoveStep::CopyPermissions { .. } => StepKind::CopyPermissions,
        MoveStep::CreateKey { .. } => StepKind::CreateKey,
        MoveStep::ConfirmSecretStored { .. } => StepKind::ConfirmSecretStored,
        MoveStep::ConfirmStaging { .. } => StepKind::ConfirmStaging,
        MoveStep::ConfirmProduction { .. } => StepKind::ConfirmProduction,
        MoveStep::DisableKey { .. } => StepKind::DisableKey,
        MoveStep::AwaitDeletion { .. } => StepKind::DeleteKey,
        MoveStep::ReviewPolicies { .. } => StepKind::ReviewPolicies,
        MoveStep::Complete { .. } => return None,
    })
}

/// What a performed step produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The admin reviewed the idle key's evidence.
    Reviewed(StepRecord),
    /// The admin chose a name that is free (or chose again).
    Named {
        /// The name.
        name: String,
        /// When.
        record: StepRecord,
    },
    /// The new user exists (created now, or found made by this rotation).
    UserCreated {
        /// Its UserId, when known.
        user_id: Option<String>,
        /// The CreateUser call.
        record: StepRecord,
    },
    /// One policy or group was granted to the new user.
    GrantCopied(GrantRecord),
    /// Every chosen grant is on the new user.
    PermissionsCopied(StepRecord),
    /// The new user's key exists.
    KeyCreated(Box<NewKey>),
    /// The new key was checked (BC-12): fits any step from its creation
    /// until the old key is disabled, and changes no step.
    KeyChecked(KeyCheck),
    /// The admin stored the secret.
    SecretStored(StepRecord),
    /// The admin lost the secret before storing it: the key goes back to
    /// be created afresh (the lost one is kept on record).
    SecretLost(StepRecord),
    /// The admin swapped staging.
    StagingSwapped(StepRecord),
    /// The admin swapped production.
    ProductionSwapped(StepRecord),
    /// The retired key is Inactive, with its deletion date.
    KeyDisabled(Disabled),
    /// The retired key is gone.
    KeyDeleted(StepRecord),
    /// The retired key was re-enabled while it waited for deletion (a
    /// rollback): back to the step before the disable.
    KeyReEnabled(StepRecord),
    /// One policy was detached from the original user.
    PolicyDetached(GrantRecord),
    /// The admin finished the policy review.
    PoliciesReviewed(StepRecord),
}

impl Event {
    fn name(&self) -> &'static str {
        match self {
            Event::Reviewed(_) => "review",
            Event::Named { .. } => "name chosen",
            Event::UserCreated { .. } => "user created",
            Event::GrantCopied(_) => "grant copied",
            Event::PermissionsCopied(_) => "permissions copied",
            Event::KeyCreated(_) => "key created",
            Event::KeyChecked(_) => "key checked",
            Event::SecretStored(_) => "secret stored",
            Event::SecretLost(_) => "secret lost",
            Event::StagingSwapped(_) => "staging swapped",
            Event::ProductionSwapped(_) => "production swapped",
            Event::KeyDisabled(_) => "key disabled",
            Event::KeyDeleted(_) => "key deleted",
            Event::KeyReEnabled(_) => "key re-enabled",
            Event::PolicyDetached(_) => "policy detached",
            Event::PoliciesReviewed(_) => "policies reviewed",
        }
    }
}

/// An event that does not belong to the current step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event} does not fit the rotation's current step ({})", describe(*.current))]
pub struct OutOfOrder {
    /// The step the rotation is at (`None`: complete).
    pub current: Option<StepKind>,
    /// The event that was refused.
    pub event: &'static str,
}

fn describe(step: Option<StepKind>) -> &'static str {
    step.map_or("complete", StepKind::title)
}

/// The step after `progress` once `event` happened.
pub fn advance(progress: Progress, event: Event) -> Result<Progress, OutOfOrder> {
    let current = current_step(&progress);
    let refused = |event: &Event| OutOfOrder {
        current,
        event: event.name(),
    };
    match progress {
        Progress::DisableIdle(step) => advance_idle(step, event)
            .map(Progress::DisableIdle)
            .map_err(|event| refused(&event)),
        Progress::MoveToNewUser(step) => advance_move(*step, event)
            .map(|step| Progress::MoveToNewUser(Box::new(step)))
            .map_err(|event| refused(&event)),
    }
}

/// The next idle step, or the event back when it does not fit.
fn advance_idle(step: IdleStep, event: Event) -> Result<IdleStep, Event> {
    match (step, event) {
        (IdleStep::Review, Event::Reviewed(reviewed)) => Ok(IdleStep::Disable { reviewed }),
        (IdleStep::Disable { reviewed }, Event::KeyDisabled(disabled)) => {
            Ok(IdleStep::AwaitDeletion { reviewed, disabled })
        }
        (IdleStep::AwaitDeletion { reviewed, disabled }, Event::KeyDeleted(deleted)) => {
            Ok(IdleStep::Complete {
                reviewed,
                disabled,
                deleted,
            })
        }
        // The review still stands; the disable is undone.
        (IdleStep::AwaitDeletion { reviewed, .. }, Event::KeyReEnabled(_)) => {
            Ok(IdleStep::Disable { reviewed })
        }
        (_, event) => Err(event),
    }
}

/// The next move step, or the event back when it does not fit.
fn advance_move(mut step: MoveStep, event: Event) -> Result<MoveStep, Event> {
    if let Event::KeyChecked(check) = event {
        return match step.prepared_before_disable_mut() {
            Some(prepared) => {
                prepared.new_key.check = check;
                Ok(step)
            }
            None => Err(Event::KeyChecked(check)),
        };
    }
    match (step, event) {
        (MoveStep::ChooseName | MoveStep::CreateUser { .. }, Event::Named { name, record }) => {
            Ok(MoveStep::CreateUser {
                new_user_name: name,
                named: record,
            })
        }
        (
            MoveStep::CreateUser {
                new_user_name,
                named,
            },
            Event::UserCreated { user_id, record },
        ) => Ok(MoveStep::CopyPermissions {
            new_user: NewUser {
                name: new_user_name,
                user_id,
                named,
                created: record,
            },
            copied: Vec::new(),
        }),
        (
            MoveStep::CopyPermissions {
                new_user,
                mut copied,
            },
            Event::GrantCopied(grant),
        ) => {
            copied.push(grant);
            Ok(MoveStep::CopyPermissions { new_user, copied })
        }
        (MoveStep::CopyPermissions { new_user, copied }, Event::PermissionsCopied(record)) => {
            Ok(MoveStep::CreateKey {
                new_user,
                copied: Copied {
                    grants: copied,
                    record,
                },
                lost_keys: Vec::new(),
            })
        }
        (
            MoveStep::CreateKey {
                new_user, copied, ..
            },
            Event::KeyCreated(new_key),
        ) => Ok(MoveStep::ConfirmSecretStored {
            prepared: Prepared {
                new_user,
                copied,
                new_key: *new_key,
            },
        }),
        (step, event) => advance_swap(step, event),
    }
}

/// The confirmations and everything after them.
fn advance_swap(step: MoveStep, event: Event) -> Result<MoveStep, Event> {
    match (step, event) {
        (MoveStep::ConfirmSecretStored { prepared }, Event::SecretStored(secret_stored)) => {
            Ok(MoveStep::ConfirmStaging {
                prepared,
                secret_stored,
            })
        }
        (MoveStep::ConfirmSecretStored { prepared }, Event::SecretLost(reported)) => {
            Ok(MoveStep::CreateKey {
                new_user: prepared.new_user,
                copied: prepared.copied,
                lost_keys: vec![LostKey {
                    key: prepared.new_key,
                    reported,
                }],
            })
        }
        (
            MoveStep::ConfirmStaging {
                prepared,
                secret_stored,
            },
            Event::StagingSwapped(staging),
        ) => Ok(MoveStep::ConfirmProduction {
            prepared,
            secret_stored,
            staging,
        }),
        (
            MoveStep::ConfirmProduction {
                prepared,
                secret_stored,
                staging,
            },
            Event::ProductionSwapped(production),
        ) => Ok(MoveStep::DisableKey {
            prepared,
            swap: Swap {
                secret_stored,
                staging,
                production,
            },
        }),
        (step, event) => advance_retire(step, event),
    }
}

/// Disable, delete and the final review.
fn advance_retire(step: MoveStep, event: Event) -> Result<MoveStep, Event> {
    match (step, event) {
        (MoveStep::DisableKey { prepared, swap }, Event::KeyDisabled(disabled)) => {
            Ok(MoveStep::AwaitDeletion {
                prepared,
                swap,
                disabled,
            })
        }
        // Staging still uses the new key; production is what broke.
        (MoveStep::AwaitDeletion { prepared, swap, .. }, Event::KeyReEnabled(_)) => {
            Ok(MoveStep::ConfirmProduction {
                prepared,
                secret_stored: swap.secret_stored,
                staging: swap.staging,
            })
        }
        (
            MoveStep::AwaitDeletion {
                prepared,
                swap,
                disabled,
            },
            Event::KeyDeleted(deleted),
        ) => Ok(MoveStep::ReviewPolicies {
            prepared,
            swap,
            disabled,
            deleted,
            detached: Vec::new(),
        }),
        (
            MoveStep::ReviewPolicies {
                prepared,
                swap,
                disabled,
                deleted,
                mut detached,
            },
            Event::PolicyDetached(policy),
        ) => {
            detached.push(policy);
            Ok(MoveStep::ReviewPolicies {
                prepared,
                swap,
                disabled,
                deleted,
                detached,
            })
        }
        (
            MoveStep::ReviewPolicies {
                prepared,
                swap,
                disabled,
                deleted,
                detached,
            },
            Event::PoliciesReviewed(record),
        ) => Ok(MoveStep::Complete {
            prepared,
            swap,
            disabled,
            deleted,
            detached: Detached {
                policies: detached,
                record,
            },
        }),
        (_, event) => Err(event),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::cloud::model::PolicyType;
    use crate::state::steps::Grant;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test date")
    }

    fn rec(n: u32) -> StepRecord {
        StepRecord::written(at("2026-01-01T00:00:00Z"), format!("REQ-{n}"))
    }

    fn disabled() -> Disabled {
        Disabled {
            record: rec(90),
            delete_after: at("2026-04-01T00:00:00Z"),
        }
    }

    fn policy(name: &str) -> GrantRecord {
        GrantRecord {
            grant: Grant::Policy {
                policy_name: name.to_owned(),
                policy_type: PolicyType::Custom,
            },
            record: rec(7),
        }
    }

    /// Feeds events one by one, checking the current step before each.
    fn walk(mut progress: Progress, script: Vec<(Option<StepKind>, Event)>) -> Progress {
        for (expected, event) in script {
            assert_eq!(current_step(&progress), expected, "before {event:?}");
            progress = advance(progress, event).expect("event fits");
        }
        progress
    }

    #[test]
    fn the_idle_path_goes_review_disable_delete() {
        let done = walk(
            Progress::DisableIdle(IdleStep::Review),
            vec![
                (Some(StepKind::Review), Event::Reviewed(rec(1))),
                (Some(StepKind::DisableKey), Event::KeyDisabled(disabled())),
                (Some(StepKind::DeleteKey), Event::KeyDeleted(rec(3))),
            ],
        );
        assert_eq!(current_step(&done), None);
        assert!(done.is_complete());
        let deletion = done.deletion().unwrap();
        assert_eq!(deletion.delete_after, at("2026-04-01T00:00:00Z"));
        assert!(deletion.deleted_at.is_some());
    }

    #[test]
    fn the_move_path_goes_through_every_step_in_order() {
        let named = |name: &str| Event::Named {
            name: name.to_owned(),
            record: rec(1),
        };
        let done = walk(
            Progress::MoveToNewUser(Box::new(MoveStep::ChooseName)),
            vec![
                (Some(StepKind::ChooseName), named("first-choice")),
                (Some(StepKind::CreateUser), named("app-v2")),
                (
                    Some(StepKind::CreateUser),
                    Event::UserCreated {
                        user_id: Some("9".to_owned()),
                        record: rec(2),
                    },
                ),
                (
                    Some(StepKind::CopyPermissions),
                    Event::GrantCopied(policy("A")),
                ),
                (
                    Some(StepKind::CopyPermissions),
                    Event::PermissionsCopied(rec(3)),
                ),
                (
                    Some(StepKind::CreateKey),
                    Event::KeyCreated(Box::new(NewKey::created("LTAI-NEW", rec(4)))),
                ),
                (
                    Some(StepKind::ConfirmSecretStored),
                    Event::SecretStored(rec(5)),
                ),
                (
                    Some(StepKind::ConfirmStaging),
                    Event::StagingSwapped(rec(6)),
                ),
                (
                    Some(StepKind::ConfirmProduction),
                    Event::ProductionSwapped(rec(7)),
                ),
                (Some(StepKind::DisableKey), Event::KeyDisabled(disabled())),
                (Some(StepKind::DeleteKey), Event::KeyDeleted(rec(9))),
                (
                    Some(StepKind::ReviewPolicies),
                    Event::PolicyDetached(policy("B")),
                ),
                (
                    Some(StepKind::ReviewPolicies),
                    Event::PoliciesReviewed(rec(10)),
                ),
            ],
        );
        let Progress::MoveToNewUser(step) = &done else {
            panic!("path changed");
        };
        let MoveStep::Complete {
            prepared, detached, ..
        } = &**step
        else {
            panic!("not complete: {step:?}");
        };
        assert_eq!(prepared.new_user.name, "app-v2");
        assert_eq!(prepared.copied.grants, vec![policy("A")]);
        assert_eq!(prepared.new_key.key_id, "LTAI-NEW");
        assert_eq!(detached.policies, vec![policy("B")]);
        assert_eq!(step.new_key_id(), Some("LTAI-NEW"));
    }

    /// A rotation at ConfirmSecretStored with key `key_id` on `app-v2`.
    fn at_confirm_secret(key_id: &str) -> Progress {
        let new_user = NewUser {
            name: "app-v2".to_owned(),
            user_id: None,
            named: rec(1),
            created: rec(2),
        };
        let copied = Copied {
            grants: vec![policy("A")],
            record: rec(3),
        };
        Progress::MoveToNewUser(Box::new(MoveStep::ConfirmSecretStored {
            prepared: Prepared {
                new_user,
                copied,
                new_key: NewKey::created(key_id, rec(4)),
            },
        }))
    }

    #[test]
    fn a_lost_secret_goes_back_to_create_key_keeping_the_lost_key() {
        let back = advance(at_confirm_secret("LTAI-LOST"), Event::SecretLost(rec(5))).unwrap();
        assert_eq!(current_step(&back), Some(StepKind::CreateKey));
        let Progress::MoveToNewUser(step) = &back else {
            panic!("path changed");
        };
        let MoveStep::CreateKey {
            new_user,
            copied,
            lost_keys,
        } = &**step
        else {
            panic!("not at CreateKey: {step:?}");
        };
        assert_eq!(new_user.name, "app-v2");
        assert_eq!(copied.grants, vec![policy("A")]);
        assert_eq!(lost_keys.len(), 1);
        assert_eq!(lost_keys[0].key.key_id, "LTAI-LOST");
        assert_eq!(lost_keys[0].reported, rec(5));

        // The next key is created as usual, and the lost one is forgotten
        // only once its replacement exists.
        let again = advance(
            back,
            Event::KeyCreated(Box::new(NewKey::created("LTAI-FRESH", rec(6)))),
        )
        .unwrap();
        assert_eq!(current_step(&again), Some(StepKind::ConfirmSecretStored));
        let Progress::MoveToNewUser(step) = &again else {
            panic!("path changed");
        };
        assert_eq!(step.new_key_id(), Some("LTAI-FRESH"));
    }

    #[test]
    fn a_lost_secret_fits_only_the_confirm_secret_step() {
        let later = advance(at_confirm_secret("K"), Event::SecretStored(rec(5))).unwrap();
        let error = advance(later, Event::SecretLost(rec(6))).unwrap_err();
        assert_eq!(error.current, Some(StepKind::ConfirmStaging));
        assert_eq!(error.event, "secret lost");
        let error = advance(
            Progress::MoveToNewUser(Box::new(MoveStep::ChooseName)),
            Event::SecretLost(rec(1)),
        )
        .unwrap_err();
        assert_eq!(error.current, Some(StepKind::ChooseName));
    }

    #[test]
    fn events_out_of_order_are_refused() {
        let cases: Vec<(Progress, Event)> = vec![
            (
                Progress::DisableIdle(IdleStep::Review),
                Event::KeyDisabled(disabled()),
            ),
            (
                Progress::DisableIdle(IdleStep::Review),
                Event::KeyDeleted(rec(1)),
            ),
            (
                Progress::DisableIdle(IdleStep::Disable { reviewed: rec(1) }),
                Event::Reviewed(rec(2)),
            ),
            (
                Progress::MoveToNewUser(Box::new(MoveStep::ChooseName)),
                Event::UserCreated {
                    user_id: None,
                    record: rec(1),
                },
            ),
            (
                Progress::MoveToNewUser(Box::new(MoveStep::ChooseName)),
                Event::KeyDisabled(disabled()),
            ),
            (
                Progress::MoveToNewUser(Box::new(MoveStep::ChooseName)),
                Event::Reviewed(rec(1)),
            ),
        ];
        for (progress, event) in cases {
            let current = current_step(&progress);
            let error = advance(progress, event).expect_err("out of order");
            assert_eq!(error.current, current);
        }
    }

    #[test]
    fn a_rollback_goes_back_before_the_disable_keeping_what_came_first() {
        let idle = Progress::DisableIdle(IdleStep::AwaitDeletion {
            reviewed: rec(1),
            disabled: disabled(),
        });
        let back = advance(idle, Event::KeyReEnabled(rec(2))).unwrap();
        assert_eq!(
            back,
            Progress::DisableIdle(IdleStep::Disable { reviewed: rec(1) })
        );

        let Progress::MoveToNewUser(step) = at_confirm_secret("LTAI-NEW") else {
            unreachable!()
        };
        let MoveStep::ConfirmSecretStored { prepared } = *step else {
            unreachable!()
        };
        let waiting = Progress::MoveToNewUser(Box::new(MoveStep::AwaitDeletion {
            prepared: prepared.clone(),
            swap: Swap {
                secret_stored: rec(5),
                staging: rec(6),
                production: rec(7),
            },
            disabled: disabled(),
        }));
        let back = advance(waiting, Event::KeyReEnabled(rec(8))).unwrap();
        assert_eq!(
            back,
            Progress::MoveToNewUser(Box::new(MoveStep::ConfirmProduction {
                prepared,
                secret_stored: rec(5),
                staging: rec(6),
            }))
        );
    }

    #[test]
    fn a_rollback_fits_only_while_the_key_waits_for_deletion() {
        for progress in [
            Progress::DisableIdle(IdleStep::Review),
            Progress::DisableIdle(IdleStep::Disable { reviewed: rec(1) }),
            at_confirm_secret("K"),
        ] {
            let error = advance(progress, Event::KeyReEnabled(rec(2))).unwrap_err();
            assert_eq!(error.event, "key re-enabled");
        }
    }

    #[test]
    fn a_key_check_is_recorded_on_the_key_without_moving_the_step() {
        let verified = KeyCheck::Verified {
            at: at("2026-01-01T00:00:12Z"),
            attempts: 5,
            arn: "acs:ram::1:user/app-v2".to_owned(),
        };
        let checked = advance(at_confirm_secret("K"), Event::KeyChecked(verified.clone())).unwrap();
        assert_eq!(current_step(&checked), Some(StepKind::ConfirmSecretStored));
        let Progress::MoveToNewUser(step) = &checked else {
            panic!("path changed");
        };
        assert_eq!(step.prepared().unwrap().new_key.check, verified);

        // Before the key exists, or on the idle path, a check fits nowhere.
        for progress in [
            Progress::MoveToNewUser(Box::new(MoveStep::ChooseName)),
            Progress::DisableIdle(IdleStep::Review),
        ] {
            let error = advance(progress, Event::KeyChecked(verified.clone())).unwrap_err();
            assert_eq!(error.event, "key checked");
        }
    }

    #[test]
    fn a_complete_rotation_takes_no_more_events() {
        let done = Progress::DisableIdle(IdleStep::Complete {
            reviewed: rec(1),
            disabled: disabled(),
            deleted: rec(3),
        });
        let error = advance(done, Event::KeyDeleted(rec(4))).unwrap_err();
        assert_eq!(error.current, None);
        assert!(error.to_string().contains("complete"), "{error}");
    }
}
