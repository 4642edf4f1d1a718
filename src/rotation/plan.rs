//! What a write looks like before it is made: the API action and its
//! parameters, exactly as ramkey would send them (never a secret, never a
//! signature: no write call carries either).
//!
//! [`PlannedCall::of`] describes one journaled [`WriteCall`]; the dry run
//! shows it instead of sending it, and [`next_calls`] lists the writes the
//! current step of a rotation will make, for the rotation screen's "what
//! the next step will do". Pure: built from the persisted [`Rotation`].

use std::fmt;

use serde::Serialize;

use super::action::Action;
use super::marker;
use super::name::suggest_name;
use super::step::{StepKind, current_step};
use crate::cloud::model::KeyStatus;
use crate::state::steps::{Grant, MoveStep};
use crate::state::{Progress, Rotation, WriteCall};

/// One write call: its action and its parameters, in the API's names and
/// in the order they are shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedCall {
    /// The API action, e.g. `UpdateAccessKey`.
    pub action: &'static str,
    /// `(name, value)` pairs, e.g. `("Status", "Inactive")`.
    pub params: Vec<(&'static str, String)>,
}

impl PlannedCall {
    /// The call `call` of `rotation` makes (CreateUser carries the
    /// rotation's mark in `Comments`, as it is sent).
    pub fn of(rotation: &Rotation, call: &WriteCall) -> Self {
        let params = match call {
            WriteCall::CreateUser { user_name } => vec![
                ("UserName", user_name.clone()),
                ("Comments", marker::comments(&rotation.user, &rotation.id)),
            ],
            WriteCall::CreateAccessKey { user_name } => vec![("UserName", user_name.clone())],
            WriteCall::AttachPolicyToUser {
                user_name,
                policy_name,
                policy_type,
            }
            | WriteCall::DetachPolicyFromUser {
                user_name,
                policy_name,
                policy_type,
            } => vec![
                ("UserName", user_name.clone()),
                ("PolicyType", policy_type.as_str().to_owned()),
                ("PolicyName", policy_name.clone()),
            ],
            WriteCall::AddUserToGroup {
                user_name,
                group_name,
            } => vec![
                ("UserName", user_name.clone()),
                ("GroupName", group_name.clone()),
            ],
            WriteCall::UpdateAccessKey {
                user_name,
                access_key_id,
                status,
            } => vec![
                ("UserName", user_name.clone()),
                ("UserAccessKeyId", access_key_id.clone()),
                ("Status", status.as_str().to_owned()),
            ],
            WriteCall::DeleteAccessKey {
                user_name,
                access_key_id,
            } => vec![
                ("UserName", user_name.clone()),
                ("UserAccessKeyId", access_key_id.clone()),
            ],
        };
        Self {
            action: call.action(),
            params,
        }
    }
}

impl fmt::Display for PlannedCall {
    /// `UpdateAccessKey UserName=app UserAccessKeyId=LTAI… Status=Inactive`;
    /// a value with a space is quoted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.action)?;
        for (name, value) in &self.params {
            if value.contains(char::is_whitespace) || value.is_empty() {
                write!(f, " {name}={value:?}")?;
            } else {
                write!(f, " {name}={value}")?;
            }
        }
        Ok(())
    }
}

/// The writes the rotation's current step will make, as far as they are
/// known before its reads (the copy and detach steps make one call per
/// grant the admin picks: the grants already chosen are listed, else none).
/// Empty for a step that only records, and for a complete rotation.
pub fn next_calls(rotation: &Rotation) -> Vec<PlannedCall> {
    let Some(step) = current_step(&rotation.progress) else {
        return Vec::new();
    };
    let user = &rotation.user;
    let key = &rotation.key_id;
    let calls = match step {
        StepKind::Review
        | StepKind::ChooseName
        | StepKind::ConfirmSecretStored
        | StepKind::ConfirmStaging
        | StepKind::ConfirmProduction
        | StepKind::ReviewPolicies => Vec::new(),
        StepKind::CreateUser => vec![WriteCall::CreateUser {
            user_name: new_user(rotation),
        }],
        StepKind::CopyPermissions => chosen_grants(rotation)
            .into_iter()
            .map(|grant| grant_call(&new_user(rotation), grant))
            .collect(),
        StepKind::CreateKey => vec![WriteCall::CreateAccessKey {
            user_name: new_user(rotation),
        }],
        StepKind::DisableKey => vec![WriteCall::UpdateAccessKey {
            user_name: user.clone(),
            access_key_id: key.clone(),
            status: KeyStatus::Inactive,
        }],
        StepKind::RecordDeletionDate | StepKind::DeleteKey => vec![WriteCall::DeleteAccessKey {
            user_name: user.clone(),
            access_key_id: key.clone(),
        }],
    };
    calls
        .iter()
        .map(|call| PlannedCall::of(rotation, call))
        .collect()
}

/// Every call an action that names its grants or policies would make:
/// one per grant to copy (not made yet), one per policy to detach; `None`
/// for the other actions, whose calls come from their step.
pub fn action_calls(rotation: &Rotation, action: &Action) -> Option<Vec<PlannedCall>> {
    let calls: Vec<WriteCall> = match action {
        Action::CopyPermissions(grants) => {
            let new_user = new_user(rotation);
            let made = copied(rotation);
            grants
                .iter()
                .filter(|grant| !made.contains(grant))
                .map(|grant| grant_call(&new_user, grant.clone()))
                .collect()
        }
        Action::DetachPolicies { policies, .. } => policies
            .iter()
            .map(|policy| WriteCall::DetachPolicyFromUser {
                user_name: rotation.user.clone(),
                policy_name: policy.policy_name.clone(),
                policy_type: policy.policy_type,
            })
            .collect(),
        _ => return None,
    };
    Some(
        calls
            .iter()
            .map(|call| PlannedCall::of(rotation, call))
            .collect(),
    )
}

/// The new user's name (move path), else the suggestion.
fn new_user(rotation: &Rotation) -> String {
    match &rotation.progress {
        Progress::MoveToNewUser(step) => step
            .new_user_name()
            .map_or_else(|| suggest_name(&rotation.user), str::to_owned),
        Progress::DisableIdle(_) => suggest_name(&rotation.user),
    }
}

/// At the copy step: the grants chosen and not made yet.
fn chosen_grants(rotation: &Rotation) -> Vec<Grant> {
    let Progress::MoveToNewUser(step) = &rotation.progress else {
        return Vec::new();
    };
    let MoveStep::CopyPermissions { chosen, .. } = &**step else {
        return Vec::new();
    };
    let made = copied(rotation);
    chosen
        .iter()
        .flatten()
        .filter(|grant| !made.contains(grant))
        .cloned()
        .collect()
}

/// At the copy step: the grants already made on the new user.
fn copied(rotation: &Rotation) -> Vec<Grant> {
    match &rotation.progress {
        Progress::MoveToNewUser(step) => match &**step {
            MoveStep::CopyPermissions { copied, .. } => {
                copied.iter().map(|made| made.grant.clone()).collect()
            }
            _ => Vec::new(),
        },
        Progress::DisableIdle(_) => Vec::new(),
    }
}

fn grant_call(new_user: &str, grant: Grant) -> WriteCall {
    match grant {
        Grant::Policy {
            policy_name,
            policy_type,
        } => WriteCall::AttachPolicyToUser {
            user_name: new_user.to_owned(),
            policy_name,
            policy_type,
        },
        Grant::Group { group_name } => WriteCall::AddUserToGroup {
            user_name: new_user.to_owned(),
            group_name,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::model::PolicyType;
    use crate::state::StepRecord;
    use crate::state::steps::IdleStep;

    fn rotation(progress: Progress) -> Rotation {
        Rotation {
            id: "0123456789ab".into(),
            user: "app-user".into(),
            key_id: "LTAI-OLD".into(),
            started_at: "2026-01-02T03:04:05Z".parse().unwrap(),
            progress,
            wait_days: 90,
            pending: None,
            rollbacks: Vec::new(),
            not_idle_override: None,
            extra: serde_json::Map::new(),
        }
    }

    #[test]
    fn a_disable_is_shown_as_the_exact_call() {
        let idle = rotation(Progress::DisableIdle(IdleStep::Review));
        let call = WriteCall::UpdateAccessKey {
            user_name: "app-user".into(),
            access_key_id: "LTAI-OLD".into(),
            status: KeyStatus::Inactive,
        };
        assert_eq!(
            PlannedCall::of(&idle, &call).to_string(),
            "UpdateAccessKey UserName=app-user UserAccessKeyId=LTAI-OLD Status=Inactive"
        );
    }

    #[test]
    fn create_user_carries_the_rotations_mark_quoted() {
        let moving = rotation(Progress::MoveToNewUser(Box::new(MoveStep::ChooseName)));
        let call = WriteCall::CreateUser {
            user_name: "app-user-v2".into(),
        };
        assert_eq!(
            PlannedCall::of(&moving, &call).to_string(),
            "CreateUser UserName=app-user-v2 \
             Comments=\"ramkey: replaces app-user (rotation 0123456789ab)\""
        );
    }

    #[test]
    fn grants_name_their_type_and_group() {
        let moving = rotation(Progress::MoveToNewUser(Box::new(MoveStep::ChooseName)));
        let attach = grant_call(
            "new",
            Grant::Policy {
                policy_name: "ReadOnlyAccess".into(),
                policy_type: PolicyType::System,
            },
        );
        let group = grant_call(
            "new",
            Grant::Group {
                group_name: "Dev".into(),
            },
        );
        assert_eq!(
            PlannedCall::of(&moving, &attach).to_string(),
            "AttachPolicyToUser UserName=new PolicyType=System PolicyName=ReadOnlyAccess"
        );
        assert_eq!(
            PlannedCall::of(&moving, &group).to_string(),
            "AddUserToGroup UserName=new GroupName=Dev"
        );
    }

    #[test]
    fn steps_that_only_record_plan_no_call() {
        let idle = rotation(Progress::DisableIdle(IdleStep::Review));
        assert!(next_calls(&idle).is_empty());
        let naming = rotation(Progress::MoveToNewUser(Box::new(MoveStep::ChooseName)));
        assert!(next_calls(&naming).is_empty());
    }

    #[test]
    fn the_disable_step_plans_its_update_and_nothing_else() {
        let reviewed = StepRecord::at("2026-01-02T03:04:05Z".parse().unwrap());
        let disable = rotation(Progress::DisableIdle(IdleStep::Disable { reviewed }));
        let planned: Vec<String> = next_calls(&disable)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            planned,
            ["UpdateAccessKey UserName=app-user UserAccessKeyId=LTAI-OLD Status=Inactive"]
        );
    }
}
