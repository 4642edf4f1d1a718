//! The admin's decisions the engine can perform, and what performing one
//! hands back.
//!
//! Destructive actions carry the user name the admin typed, and the engine
//! checks it itself, so no caller can skip the confirmation.

use std::fmt;

use crate::cloud::model::{NewAccessKey, PolicyType};
use crate::secret::Secret;
use crate::state::steps::Grant;

use super::step::StepKind;
use super::view::RotationView;

/// One decision of the admin, performed by `Engine::perform`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Start a rotation for a flagged user.
    Start(Start),
    /// The idle key's evidence was reviewed.
    ConfirmReview,
    /// Choose (or change, until the user is created) the new user's name.
    SetName(String),
    /// Create the new user (looks first, so a retry never creates twice).
    CreateUser,
    /// Copy these of the original user's grants to the new user (maybe none).
    CopyPermissions(Vec<Grant>),
    /// Create the new user's AccessKey; the outcome carries the secret once.
    CreateKey,
    /// Delete the new user's keys whose secret ramkey never got (the answer
    /// to their CreateAccessKey was lost), then create its key afresh. The
    /// confirmation must name the new user.
    ReplaceLostKey(Confirmation),
    /// The new secret is stored where the application reads it.
    ConfirmSecretStored,
    /// The new secret was lost before it was stored (e.g. ramkey was quit
    /// while showing it): record the key as lost, delete it and create a
    /// fresh one, whose secret is shown once. The confirmation must name
    /// the new user.
    SecretNotStored(Confirmation),
    /// Check again that the new key works (STS GetCallerIdentity signed
    /// with it, polled up to a cap), with the secret the admin pasted when
    /// ramkey no longer holds it. Fits any step from the key's creation to
    /// the disable, which it leaves where it is.
    VerifyKey(Option<Secret>),
    /// Staging uses the new key.
    ConfirmStaging,
    /// Production uses the new key.
    ConfirmProduction,
    /// Disable the retired key.
    DisableKey(Confirmation),
    /// Delete the retired key (once due).
    DeleteKey(Confirmation),
    /// The retired key is Active again or was used after its disable, so
    /// it can never be deleted as it is: disable it again (when Active)
    /// and restart the waiting period from now. The confirmation must name
    /// the flagged user.
    DisableAgain(Confirmation),
    /// Roll back: re-enable the retired key while it waits for deletion
    /// (an application broke after the disable). The idle path goes back to
    /// "disable", the move path to "confirm production"; the rollback is
    /// recorded in the rotation. The confirmation must name the flagged user.
    ReEnableKey {
        /// The typed user name.
        confirmation: Confirmation,
        /// What the admin says broke, for the record.
        reason: Option<String>,
    },
    /// Detach these policies from the original user (maybe none) and finish.
    DetachPolicies {
        /// The policies to detach.
        policies: Vec<PolicyRef>,
        /// The typed user name; checked only when `policies` is not empty.
        confirmation: Confirmation,
    },
}

impl Action {
    /// The step this action performs (`None` for [`Action::Start`]).
    pub fn step(&self) -> Option<StepKind> {
        Some(match self {
            Action::Start(_) => return None,
            Action::ConfirmReview => StepKind::Review,
            Action::SetName(_) => StepKind::ChooseName,
            Action::CreateUser => StepKind::CreateUser,
            Action::CopyPermissions(_) => StepKind::CopyPermissions,
            Action::CreateKey | Action::ReplaceLostKey(_) | Action::VerifyKey(_) => {
                StepKind::CreateKey
            }
            Action::ConfirmSecretStored | Action::SecretNotStored(_) => {
                StepKind::ConfirmSecretStored
            }
            Action::ConfirmStaging => StepKind::ConfirmStaging,
            Action::ConfirmProduction => StepKind::ConfirmProduction,
            Action::DisableKey(_) => StepKind::DisableKey,
            Action::DeleteKey(_) | Action::DisableAgain(_) | Action::ReEnableKey { .. } => {
                StepKind::DeleteKey
            }
            Action::DetachPolicies { .. } => StepKind::ReviewPolicies,
        })
    }

    /// A short name for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Start(_) => "start a rotation",
            Action::ConfirmReview => "confirm the review",
            Action::SetName(_) => "set the new user's name",
            Action::CreateUser => "create the new user",
            Action::CopyPermissions(_) => "copy permissions",
            Action::CreateKey => "create the new key",
            Action::ReplaceLostKey(_) => "replace the lost key",
            Action::ConfirmSecretStored => "confirm the secret is stored",
            Action::SecretNotStored(_) => "replace the key whose secret was lost",
            Action::VerifyKey(_) => "verify the new key",
            Action::ConfirmStaging => "confirm staging",
            Action::ConfirmProduction => "confirm production",
            Action::DisableKey(_) => "disable the key",
            Action::DeleteKey(_) => "delete the key",
            Action::DisableAgain(_) => "disable the key again and restart the waiting period",
            Action::ReEnableKey { .. } => "re-enable the key (roll back)",
            Action::DetachPolicies { .. } => "detach policies",
        }
    }
}

/// How to start a rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// Disable `key_id`, which must be idle now, and delete it later.
    DisableIdle {
        /// The idle key.
        key_id: String,
    },
    /// Disable `key_id` although it is not idle (in use, or unknown), on
    /// the admin's typed statement of what they know; delete it later.
    /// The engine checks the statement itself
    /// ([`KeyOverride::parse`](super::overrides::KeyOverride::parse)).
    DisableOverride {
        /// The key, judged `in_use` or `unknown`.
        key_id: String,
        /// What the admin typed: the whole key id and a reason.
        statement: String,
    },
    /// Move the application using `key_id` to a new user, then retire the key.
    MoveToNewUser {
        /// The key whose application moves.
        key_id: String,
    },
}

/// The user name as the admin typed it to confirm a destructive step.
#[derive(Clone, PartialEq, Eq)]
pub struct Confirmation(String);

impl Confirmation {
    /// What the admin typed.
    pub fn typed(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// No confirmation (for a detach of nothing).
    pub fn none() -> Self {
        Self(String::new())
    }

    /// Whether it names `user` exactly.
    pub fn confirms(&self, user: &str) -> bool {
        self.0 == user
    }
}

impl fmt::Debug for Confirmation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Confirmation({:?})", self.0)
    }
}

/// A policy attached to a user, as attach and detach name it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyRef {
    /// `PolicyName`.
    pub policy_name: String,
    /// `PolicyType`.
    pub policy_type: PolicyType,
}

impl PolicyRef {
    /// The grant record form.
    pub fn grant(&self) -> Grant {
        Grant::Policy {
            policy_name: self.policy_name.clone(),
            policy_type: self.policy_type,
        }
    }
}

/// What performing an action did.
#[derive(Debug)]
pub struct Outcome {
    /// One sentence for the admin.
    pub summary: String,
    /// The rotation after the action (already saved).
    pub rotation: RotationView,
    /// The new AccessKey, only from the actions that create one
    /// ([`Action::CreateKey`], [`Action::ReplaceLostKey`],
    /// [`Action::SecretNotStored`]): show it once, then
    /// drop it. ramkey never writes it anywhere.
    pub new_key: Option<NewAccessKey>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmation_must_match_exactly() {
        assert!(Confirmation::typed("app-user").confirms("app-user"));
        for typed in [
            "",
            "app-use",
            "App-user",
            "app-user ",
            " app-user",
            "app-user\n",
        ] {
            assert!(
                !Confirmation::typed(typed).confirms("app-user"),
                "{typed:?}"
            );
        }
        assert!(!Confirmation::none().confirms("app-user"));
    }

    #[test]
    fn destructive_actions_are_those_of_destructive_steps() {
        let destructive = [
            Action::DisableKey(Confirmation::none()),
            Action::DeleteKey(Confirmation::none()),
            Action::DetachPolicies {
                policies: Vec::new(),
                confirmation: Confirmation::none(),
            },
        ];
        for action in destructive {
            assert!(action.step().unwrap().is_destructive(), "{action:?}");
        }
        assert!(!Action::CreateKey.step().unwrap().is_destructive());
        assert_eq!(
            Action::Start(Start::DisableIdle { key_id: "K".into() }).step(),
            None
        );
    }
}
