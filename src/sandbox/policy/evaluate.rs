//! Deciding one request against a set of policy documents, as RAM does: a
//! statement applies when its action and resource patterns match; any
//! applying Deny refuses; otherwise any applying Allow grants; otherwise the
//! request is refused implicitly.

use super::document::{Actions, Effect, PolicyDocument, Statement};
use super::pattern::{action_matches, resource_matches};

/// The outcome for one action on one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// An Allow applies and no Deny does.
    Allowed,
    /// Nothing allows it.
    ImplicitDeny,
    /// A Deny applies.
    ExplicitDeny,
}

impl Decision {
    /// Production's `NoPermissionType`, for a refusal.
    pub fn no_permission_type(self) -> Option<&'static str> {
        match self {
            Decision::Allowed => None,
            Decision::ImplicitDeny => Some("ImplicitDeny"),
            Decision::ExplicitDeny => Some("ExplicitDeny"),
        }
    }
}

/// A refused request: the first resource refused, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The ARN (or `*`) that was not allowed.
    pub resource: String,
    /// [`Decision::ImplicitDeny`] or [`Decision::ExplicitDeny`].
    pub decision: Decision,
}

/// The decision for `action` (`ram:ListUsers`) on `resource` (an ARN).
pub fn decide<'a>(
    documents: impl IntoIterator<Item = &'a PolicyDocument>,
    action: &str,
    resource: &str,
) -> Decision {
    let mut allowed = false;
    let statements = documents.into_iter().flat_map(PolicyDocument::statements);
    for statement in statements.filter(|s| applies(s, action, resource)) {
        match statement.effect {
            Effect::Deny => return Decision::ExplicitDeny,
            Effect::Allow => allowed = true,
        }
    }
    if allowed {
        Decision::Allowed
    } else {
        Decision::ImplicitDeny
    }
}

/// An action touching several resources (AddUserToGroup: the user and the
/// group) needs every one allowed; an explicit Deny on any wins over an
/// implicit refusal of another.
pub fn decide_all(
    documents: &[&PolicyDocument],
    action: &str,
    resources: &[String],
) -> Result<(), Refusal> {
    let decisions: Vec<(&String, Decision)> = resources
        .iter()
        .map(|resource| {
            (
                resource,
                decide(documents.iter().copied(), action, resource),
            )
        })
        .collect();
    let refused = decisions
        .iter()
        .find(|(_, decision)| *decision == Decision::ExplicitDeny)
        .or_else(|| {
            decisions
                .iter()
                .find(|(_, decision)| *decision == Decision::ImplicitDeny)
        });
    match refused {
        Some((resource, decision)) => Err(Refusal {
            resource: (*resource).clone(),
            decision: *decision,
        }),
        None => Ok(()),
    }
}

/// Whether the statement is about this action on this resource.
///
/// Conditions are not evaluated: a statement with one never applies, so
/// the sandbox can be stricter than production (an Allow under a condition
/// grants nothing) or looser (a Deny under a condition refuses nothing).
fn applies(statement: &Statement, action: &str, resource: &str) -> bool {
    if statement.condition.is_some() {
        return false;
    }
    let action_listed = match &statement.actions {
        Actions::Listed(patterns) => patterns.iter().any(|p| action_matches(p, action)),
        Actions::AllBut(patterns) => !patterns.iter().any(|p| action_matches(p, action)),
    };
    action_listed
        && statement
            .resources
            .iter()
            .any(|pattern| resource_matches(pattern, resource))
}
