//! STS GetCallerIdentity (who signed the request) and AssumeRole (STS
//! credentials for a role whose `TrustedPrincipals` name the caller).

use axum::http::StatusCode;
use chrono::Duration;
use serde_json::{Value, json};

use super::{Call, find_user, wire_date};
use crate::sandbox::account::{ONE_HOUR, Role};
use crate::sandbox::api_error::ApiError;
use crate::sandbox::gate::Principal;
use crate::sandbox::sessions::Grant;

/// The shortest session STS grants.
const SHORTEST_SESSION: u32 = 900;
/// The inline policy's limit in characters.
const POLICY_CHARS: usize = 2048;

/// GetCallerIdentity: a RAM user's `UserId` is its `PrincipalId`; a role
/// session is an `AssumedRoleUser` with the role's `RoleId`.
pub fn get_caller_identity(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let account_id = &call.account.account_id;
    match &call.caller.principal {
        Principal::User { user_name } => {
            let user = find_user(call.account, user_name)?;
            Ok(json!({
                "AccountId": account_id,
                "UserId": user.user_id,
                "PrincipalId": user.user_id,
                "IdentityType": "RAMUser",
                "Arn": format!("acs:ram::{account_id}:user/{}", user.user_name),
            }))
        }
        Principal::Role {
            role_name,
            role_id,
            session_name,
        } => Ok(json!({
            "AccountId": account_id,
            "RoleId": role_id,
            "PrincipalId": format!("{role_id}:{session_name}"),
            "IdentityType": "AssumedRoleUser",
            "Arn": format!("acs:ram::{account_id}:assumed-role/{role_name}/{session_name}"),
        })),
    }
}

/// AssumeRole: checks the parameters and the role's trust, then issues an
/// `STS.` key, secret and token valid for `DurationSeconds` (default 3600).
pub fn assume_role(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let arn = call.required("RoleArn")?;
    let session_name = call.required("RoleSessionName")?;
    let role = find_role(call, arn)?.clone();
    check_session_name(session_name)?;
    let duration = duration_seconds(call, &role)?;
    // TODO: the inline policy is checked but not yet applied: policy
    // evaluation (issue 3, least privilege) should intersect it with the
    // role's own policies.
    inline_policy(call)?;
    if !role
        .trusted_principals
        .contains(&call.caller.principal.trust_name())
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "NoPermission",
            "You are not authorized to do this action. You should be authorized by RAM.",
        ));
    }

    let grant = Grant {
        role: &role,
        session_name,
        expires_at: call.now + Duration::seconds(i64::from(duration)),
    };
    let session = call.sessions.issue(&grant);
    let account_id = &call.account.account_id;
    Ok(json!({
        "Credentials": {
            "AccessKeyId": session.access_key_id,
            "AccessKeySecret": session.secret.expose(),
            "SecurityToken": session.token.expose(),
            "Expiration": wire_date(session.expires_at),
        },
        "AssumedRoleUser": {
            "Arn": format!("acs:ram::{account_id}:role/{}/{session_name}", role.role_name),
            "AssumedRoleId": format!("{}:{session_name}", role.role_id),
        },
    }))
}

/// `acs:ram::<AccountId>:role/<RoleName>` of a role of this account.
fn find_role<'a>(call: &'a Call<'_>, arn: &str) -> Result<&'a Role, ApiError> {
    let parsed = arn
        .strip_prefix("acs:ram::")
        .and_then(|rest| rest.split_once(":role/"))
        .filter(|(account, name)| !account.is_empty() && !name.is_empty());
    let Some((account_id, role_name)) = parsed else {
        return Err(ApiError::invalid_parameter(
            "RoleArn",
            "The parameter RoleArn is invalid; expected acs:ram::<AccountId>:role/<RoleName>.",
        ));
    };
    let role = (account_id == call.account.account_id)
        .then(|| call.account.role(role_name))
        .flatten();
    role.ok_or_else(|| ApiError::not_exist("Role", format!("The role does not exist: {arn}.")))
}

fn check_session_name(name: &str) -> Result<(), ApiError> {
    let valid = (2..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".@-_".contains(c));
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid_parameter(
            "RoleSessionName",
            "The parameter RoleSessionName is invalid: 2-64 letters, digits and .@-_",
        ))
    }
}

fn duration_seconds(call: &Call<'_>, role: &Role) -> Result<u32, ApiError> {
    let Some(raw) = call.params.non_empty("DurationSeconds") else {
        return Ok(ONE_HOUR.min(role.max_session_duration));
    };
    match raw.parse::<u32>() {
        Ok(seconds) if (SHORTEST_SESSION..=role.max_session_duration).contains(&seconds) => {
            Ok(seconds)
        }
        _ => Err(ApiError::invalid_parameter(
            "DurationSeconds",
            format!(
                "The parameter DurationSeconds is invalid: {SHORTEST_SESSION} to {} for role {}.",
                role.max_session_duration, role.role_name
            ),
        )),
    }
}

fn inline_policy(call: &Call<'_>) -> Result<(), ApiError> {
    let Some(policy) = call.params.non_empty("Policy") else {
        return Ok(());
    };
    if policy.chars().count() > POLICY_CHARS {
        return Err(ApiError::invalid_parameter(
            "PolicySize",
            format!("The policy is longer than {POLICY_CHARS} characters."),
        ));
    }
    let document: Value = serde_json::from_str(policy).map_err(|_| policy_grammar())?;
    if !document.get("Statement").is_some_and(Value::is_array) {
        return Err(policy_grammar());
    }
    Ok(())
}

fn policy_grammar() -> ApiError {
    ApiError::invalid_parameter(
        "PolicyGrammar",
        "The policy is not a JSON policy document with a Statement list.",
    )
}
