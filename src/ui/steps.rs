//! The words for each step: its name in the checklist, what it will do,
//! the exact API call it makes and what Enter does.
//!
//! Step names are stable text that the end-to-end test waits for; change
//! them only together with that test. Depends on [`super::view`] only.

use super::view::{PolicyRef, StepKind};

/// The step's name in the checklist.
pub fn title(kind: &StepKind) -> String {
    match kind {
        StepKind::Review { .. } => "Review the evidence".to_owned(),
        StepKind::DisableKey { .. } => "Disable the old key".to_owned(),
        StepKind::ScheduleDeletion { .. } => "Record the deletion date".to_owned(),
        StepKind::DeleteKey { .. } => "Delete the old key".to_owned(),
        StepKind::ChooseName { .. } => "Choose the new user's name".to_owned(),
        StepKind::CreateUser { .. } => "Create the new user".to_owned(),
        StepKind::CopyPermissions { .. } => "Copy policies and groups".to_owned(),
        StepKind::CreateAccessKey { .. } => "Create the new AccessKey".to_owned(),
        StepKind::ConfirmSecretStored { .. } => "Confirm the secret is stored".to_owned(),
        StepKind::ConfirmStaging { .. } => "Confirm staging uses the new key".to_owned(),
        StepKind::ConfirmProduction { .. } => "Confirm production uses the new key".to_owned(),
        StepKind::DetachPolicies { .. } => "Review the original user's policies".to_owned(),
    }
}

/// What the step will do, for the explanation panel and its dialog.
pub fn explain(kind: &StepKind, user: &str) -> Vec<String> {
    match kind {
        StepKind::Review { key_id } => vec![
            format!("Check that key {key_id} of {user} is really unused."),
            "Nothing changes in the cloud; the next step disables it.".to_owned(),
        ],
        StepKind::DisableKey { key_id } => vec![
            format!("Set key {key_id} of {user} to Inactive."),
            "Requests signed with it are refused from now on; it can be re-enabled.".to_owned(),
        ],
        StepKind::ScheduleDeletion { wait_days, .. } => vec![
            format!("Record in the state file that the key may be deleted in {wait_days} days."),
            "Nothing changes in the cloud.".to_owned(),
        ],
        StepKind::DeleteKey {
            key_id,
            due,
            wait_days,
        } => vec![
            format!(
                "Deletion date: {} ({wait_days} days after the disable).",
                due.format("%Y-%m-%d")
            ),
            format!(
                "On that date ramkey re-checks when {key_id} was last used and refuses to \
                 delete it if it was used after it was disabled."
            ),
            "A deleted key stays in RAM's recycle bin for 30 days.".to_owned(),
            "Until then Cloud Config's disabled-key rule flags the key; that is expected."
                .to_owned(),
        ],
        StepKind::ChooseName { suggested } => vec![
            format!("Name the RAM user that takes over one application of {user}."),
            format!("Suggested: {suggested}. Nothing changes in the cloud yet."),
        ],
        StepKind::CreateUser { new_user } => vec![format!(
            "Create RAM user {new_user}, with a comment naming {user}."
        )],
        StepKind::CopyPermissions { new_user, .. } => vec![
            format!("Give {new_user} the policies and groups of {user}."),
            "Untick any it does not need (least privilege).".to_owned(),
        ],
        StepKind::CreateAccessKey { new_user } => vec![
            format!("Create an AccessKey for {new_user}."),
            "Its secret is shown once; ramkey never stores it.".to_owned(),
        ],
        StepKind::ConfirmSecretStored { new_key_id } => vec![
            format!(
                "The secret of {} was shown once, when the key was created.",
                new_key(new_key_id)
            ),
            "Confirm it is stored where the application reads it; it cannot be shown again."
                .to_owned(),
            "Lost it (n)? ramkey then deletes that key and creates a new one.".to_owned(),
        ],
        StepKind::ConfirmStaging { new_key_id } => vec![format!(
            "Switch staging to {}, then confirm here.",
            new_key(new_key_id)
        )],
        StepKind::ConfirmProduction { new_key_id } => vec![format!(
            "Switch production to {}, then confirm here.",
            new_key(new_key_id)
        )],
        StepKind::DetachPolicies { .. } => vec![
            format!("Detach the policies {user} no longer needs."),
            "Tick only the ones the remaining application does not use.".to_owned(),
        ],
    }
}

/// `key LTAI…`, or `the new key` before its id is known (a step read
/// ahead of the key's creation).
fn new_key(key_id: &str) -> String {
    if key_id.is_empty() {
        "the new key".to_owned()
    } else {
        format!("key {key_id}")
    }
}

/// The exact API call the step makes, or `None` when it makes none.
pub fn api_call(kind: &StepKind, user: &str) -> Option<String> {
    match kind {
        StepKind::Review { .. }
        | StepKind::ScheduleDeletion { .. }
        | StepKind::ConfirmSecretStored { .. }
        | StepKind::ConfirmStaging { .. }
        | StepKind::ConfirmProduction { .. } => None,
        StepKind::ChooseName { suggested } => {
            Some(format!("GetUser UserName={suggested} (must not exist)"))
        }
        StepKind::DisableKey { key_id } => Some(format!(
            "UpdateAccessKey UserName={user} UserAccessKeyId={key_id} Status=Inactive"
        )),
        StepKind::DeleteKey { key_id, .. } => Some(format!(
            "GetAccessKeyLastUsed, then DeleteAccessKey UserName={user} UserAccessKeyId={key_id}"
        )),
        StepKind::CreateUser { new_user } => Some(format!("CreateUser UserName={new_user}")),
        StepKind::CopyPermissions { new_user, .. } => Some(format!(
            "AttachPolicyToUser / AddUserToGroup UserName={new_user}"
        )),
        StepKind::CreateAccessKey { new_user } => {
            Some(format!("CreateAccessKey UserName={new_user}"))
        }
        StepKind::DetachPolicies { .. } => Some(format!(
            "DetachPolicyFromUser UserName={user} (each ticked policy)"
        )),
    }
}

/// What Enter does on this step.
pub fn action(kind: &StepKind) -> &'static str {
    match kind {
        StepKind::Review { .. } => "mark reviewed",
        StepKind::DisableKey { .. } => "disable (type the user name)",
        StepKind::ScheduleDeletion { .. } => "recorded with the disable",
        StepKind::DeleteKey { .. } => "re-check and delete (type the user name)",
        StepKind::ChooseName { .. } => "enter the name",
        StepKind::CreateUser { .. } => "create the user",
        StepKind::CopyPermissions { .. } => "choose what to copy",
        StepKind::CreateAccessKey { .. } => "create the key",
        StepKind::ConfirmSecretStored { .. }
        | StepKind::ConfirmStaging { .. }
        | StepKind::ConfirmProduction { .. } => "confirm",
        StepKind::DetachPolicies { .. } => "choose what to detach",
    }
}

/// What the disable or delete step does instead when the old key was
/// found gone, or `None` for any other step.
pub fn gone(kind: &StepKind, user: &str) -> Option<Vec<String>> {
    let (key_id, recorded) = match kind {
        StepKind::DisableKey { key_id } => (key_id, "the disable and the deletion"),
        StepKind::DeleteKey { key_id, .. } => (key_id, "the deletion"),
        _ => return None,
    };
    Some(vec![
        format!("Key {key_id} of {user} is gone: it was deleted outside ramkey."),
        format!(
            "Nothing is left to disable or delete, and nothing is called: confirming records \
             {recorded} as found done (\"deleted outside ramkey\"), without waiting, and moves on."
        ),
        "A deleted key stays in RAM's recycle bin for 30 days.".to_owned(),
    ])
}

/// What Enter does on the disable or delete step once the key was found gone.
pub const GONE_ACTION: &str = "record it as deleted outside ramkey (type the user name)";

/// A policy as listed in a checklist: `ReadOnlyAccess (System)`.
pub fn policy_label(policy: &PolicyRef) -> String {
    format!("{} ({})", policy.name, policy.policy_type.as_str())
}
