//! The permission check every action passes first: the policies attached to
//! the caller (directly and through its groups) are evaluated for the action
//! on the resources it touches; a refusal is 403 `NoPermission`.
//!
//! Resource ARNs follow RAM's published formats, e.g.
//! `acs:ram:*:<AccountId>:user/<UserName>`; `docs/sandbox.md` lists them.

use axum::http::StatusCode;
use serde_json::json;

use super::{ActionSpec, Call, Service};
use crate::cloud::model::PolicyType;
use crate::sandbox::account::{Account, PolicyAttachment};
use crate::sandbox::api_error::ApiError;
use crate::sandbox::gate::Principal;
use crate::sandbox::policy::{PolicyDocument, Refusal, decide_all, system_document};

/// Production's sentence for every permission refusal.
const NOT_AUTHORIZED: &str = "You are not authorized to do this action.";

/// Refuses the call unless the caller's policies allow the action on every
/// resource it touches.
pub fn check(call: &Call<'_>, action: &ActionSpec) -> Result<(), ApiError> {
    // From the gate: under V3 the version is a header, not a parameter.
    let service = call.caller.service;
    let Some(resources) = resources(service, action.name, call) else {
        return Ok(());
    };

    let ram_action = format!("{}:{}", ram_code(service), action.name);
    let documents = caller_documents(call.account, &call.caller.principal);
    decide_all(&documents, &ram_action, &resources)
        .map_err(|refusal| no_permission(call, &ram_action, &refusal))
}

/// The code before the colon in policy actions.
fn ram_code(service: Service) -> &'static str {
    match service {
        // IMS actions are authorized as RAM actions (`ram:GetCredentialReport`).
        Service::Ram | Service::Ims => "ram",
        Service::Sts => "sts",
        Service::Kms => "kms",
    }
}

/// The resources an action touches, or `None` for an action that needs no
/// permission (GetCallerIdentity: anyone may ask who they are).
fn resources(service: Service, action: &str, call: &Call<'_>) -> Option<Vec<String>> {
    let arn = Arn(&call.account.account_id);
    let named_user = || arn.user(call.params.get("UserName").unwrap_or_default());
    // The key actions work on the caller when no UserName is given.
    let key_owner = || {
        let name = call.params.non_empty("UserName");
        arn.user(name.unwrap_or(principal_name(&call.caller.principal)))
    };
    let resources = match (service, action) {
        (Service::Sts, "GetCallerIdentity") => return None,
        (Service::Ram, "ListUsers" | "CreateUser") => vec![arn.user("*")],
        (Service::Ram, "GetUser" | "ListPoliciesForUser" | "ListGroupsForUser") => {
            vec![named_user()]
        }
        (
            Service::Ram,
            "ListAccessKeys"
            | "CreateAccessKey"
            | "UpdateAccessKey"
            | "DeleteAccessKey"
            | "GetAccessKeyLastUsed",
        ) => vec![key_owner()],
        (Service::Ram, "AttachPolicyToUser" | "DetachPolicyFromUser") => {
            vec![named_user(), arn.policy(call)]
        }
        (Service::Ram, "AddUserToGroup") => {
            vec![
                named_user(),
                arn.group(call.params.get("GroupName").unwrap_or_default()),
            ]
        }
        (Service::Ims, "GenerateCredentialReport" | "GetCredentialReport")
        | (Service::Kms, "ListSecrets") => {
            vec!["*".to_owned()]
        }
        (Service::Kms, "DescribeSecret") => vec![arn.secret(call)],
        // An action without a known resource format is checked on all resources.
        _ => vec!["*".to_owned()],
    };
    Some(resources)
}

/// Builds ARNs of one account.
struct Arn<'a>(&'a str);

impl Arn<'_> {
    fn user(&self, name: &str) -> String {
        format!("acs:ram:*:{}:user/{name}", self.0)
    }

    /// A KMS secret in the call's region.
    fn secret(&self, call: &Call<'_>) -> String {
        let region = super::kms::region_of(call);
        let name = call.params.get("SecretName").unwrap_or_default();
        format!("acs:kms:{region}:{}:secret/{name}", self.0)
    }

    fn group(&self, name: &str) -> String {
        format!("acs:ram:*:{}:group/{name}", self.0)
    }

    /// System policies live under the pseudo-account `system`.
    fn policy(&self, call: &Call<'_>) -> String {
        let name = call.params.get("PolicyName").unwrap_or_default();
        match call.params.get("PolicyType") {
            Some("System") => format!("acs:ram:*:system:policy/{name}"),
            _ => format!("acs:ram:*:{}:policy/{name}", self.0),
        }
    }
}

/// Every document that applies to the user: its own policies, then those
/// of each of its groups.
// TODO: callers signing with STS credentials (an assumed role, maybe with a
// session policy) need their role's documents here once the sandbox issues
// such credentials; today every caller is a RAM user.
fn caller_documents<'a>(account: &'a Account, caller: &Principal) -> Vec<&'a PolicyDocument> {
    let attachments: Vec<&PolicyAttachment> = match caller {
        Principal::User { user_name } => {
            let Some(user) = account.user(user_name) else {
                return Vec::new();
            };
            let through_groups = user
                .groups
                .iter()
                .filter_map(|membership| account.group(&membership.group_name))
                .flat_map(|group| group.policies.iter());
            user.policies.iter().chain(through_groups).collect()
        }
        // TODO: AssumeRole's inline `Policy` should narrow the session
        // further; the sandbox checks its grammar but does not apply it yet.
        Principal::Role { role_name, .. } => account
            .role(role_name)
            .map(|role| role.policies.iter().collect())
            .unwrap_or_default(),
    };
    attachments
        .into_iter()
        .filter_map(|attachment| document_of(account, attachment))
        .collect()
}

/// The user's or the role's name.
fn principal_name(principal: &Principal) -> &str {
    match principal {
        Principal::User { user_name } => user_name,
        Principal::Role { role_name, .. } => role_name,
    }
}

/// A System policy's built-in document, or a Custom policy's own.
fn document_of<'a>(
    account: &'a Account,
    attachment: &PolicyAttachment,
) -> Option<&'a PolicyDocument> {
    match attachment.policy_type {
        PolicyType::System => system_document(&attachment.policy_name),
        PolicyType::Custom => account
            .policy(&attachment.policy_name, PolicyType::Custom)?
            .policy_document
            .as_ref(),
    }
}

/// 403 `NoPermission`, naming the action and the refused resource, with
/// production's `AccessDeniedDetail`.
fn no_permission(call: &Call<'_>, ram_action: &str, refusal: &Refusal) -> ApiError {
    let message = format!(
        "{NOT_AUTHORIZED} Action: {ram_action} Resource: {}",
        refusal.resource
    );
    let detail = json!({
        "AuthAction": ram_action,
        "AuthPrincipalType": match call.caller.principal {
            Principal::User { .. } => "SubUser",
            Principal::Role { .. } => "AssumedRoleUser",
        },
        "AuthPrincipalOwnerId": call.account.account_id,
        "AuthPrincipalDisplayName": principal_name(&call.caller.principal),
        "NoPermissionType": refusal.decision.no_permission_type(),
        "PolicyType": "AccountLevelIdentityBasedPolicy",
    });
    ApiError::new(StatusCode::FORBIDDEN, "NoPermission", message).with_access_denied_detail(detail)
}
