//! RAM ListPoliciesForUser, AttachPolicyToUser, DetachPolicyFromUser.

use serde_json::{Value, json};

use super::{Call, find_user, find_user_mut};
use crate::cloud::model::PolicyType;
use crate::sandbox::account::{AccountDate, PolicyAttachment};
use crate::sandbox::api_error::ApiError;
use crate::sandbox::names::NameRule;

/// System policies one user may hold (`AttachedSystemPoliciesPerUserQuota`).
const SYSTEM_POLICIES_PER_USER: usize = 20;
/// Custom policies one user may hold (`AttachedPoliciesPerUserQuota`).
const CUSTOM_POLICIES_PER_USER: usize = 10;

/// ListPoliciesForUser: each attachment with its policy's description.
pub fn list_policies_for_user(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let name = call.required_name(NameRule::User)?;
    let user = find_user(call.account, name)?;
    let policies: Vec<Value> = user
        .policies
        .iter()
        .map(|attached| {
            let policy = call
                .account
                .policy(&attached.policy_name, attached.policy_type);
            json!({
                "PolicyName": attached.policy_name,
                "PolicyType": attached.policy_type.as_str(),
                "Description": policy.map(|p| p.description.as_str()).unwrap_or_default(),
                "DefaultVersion": policy.map_or("v1", |p| p.default_version.as_str()),
                "AttachDate": call.wire_date(attached.attach_date),
            })
        })
        .collect();
    Ok(json!({ "Policies": { "Policy": policies } }))
}

/// AttachPolicyToUser: 404 for an unknown user or policy, 409 when attached.
pub fn attach_policy_to_user(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let target = Target::read(call)?;
    let now = call.now;
    let user = find_user_mut(call.account, target.user_name)?;
    if target.position_in(&user.policies).is_some() {
        return Err(ApiError::already_exists(
            "User.Policy",
            "The policy is already attached to the user.",
        ));
    }
    let quota = match target.policy_type {
        PolicyType::System => SYSTEM_POLICIES_PER_USER,
        PolicyType::Custom => CUSTOM_POLICIES_PER_USER,
    };
    let held = user
        .policies
        .iter()
        .filter(|p| p.policy_type == target.policy_type);
    if held.count() >= quota {
        return Err(ApiError::limit_exceeded(
            "User.Policy",
            "The count of policies attached to the user beyond the current limits.",
        ));
    }
    user.policies.push(PolicyAttachment {
        policy_name: target.policy_name.to_owned(),
        policy_type: target.policy_type,
        attach_date: AccountDate::At(now),
    });
    Ok(json!({}))
}

/// DetachPolicyFromUser: 404 `EntityNotExist.User.Policy` when not attached.
pub fn detach_policy_from_user(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let target = Target::read(call)?;
    let user = find_user_mut(call.account, target.user_name)?;
    let position = target.position_in(&user.policies).ok_or_else(|| {
        ApiError::not_exist("User.Policy", "The policy is not attached to the user.")
    })?;
    user.policies.remove(position);
    Ok(json!({}))
}

/// The parameters of an attach or detach, checked in production's order:
/// presence, values, then that the user and the policy exist.
struct Target<'a> {
    policy_type: PolicyType,
    policy_name: &'a str,
    user_name: &'a str,
}

impl<'a> Target<'a> {
    fn read(call: &Call<'a>) -> Result<Self, ApiError> {
        let policy_type = call.required("PolicyType")?;
        let policy_name = call.required_name(NameRule::Policy)?;
        let user_name = call.required_name(NameRule::User)?;
        let policy_type = parse_policy_type(policy_type)?;
        find_user(call.account, user_name)?;
        if call.account.policy(policy_name, policy_type).is_none() {
            return Err(ApiError::not_exist("Policy", "The policy does not exist."));
        }
        Ok(Self {
            policy_type,
            policy_name,
            user_name,
        })
    }

    fn position_in(&self, attached: &[PolicyAttachment]) -> Option<usize> {
        attached
            .iter()
            .position(|p| p.policy_name == self.policy_name && p.policy_type == self.policy_type)
    }
}

fn parse_policy_type(text: &str) -> Result<PolicyType, ApiError> {
    match text {
        "System" => Ok(PolicyType::System),
        "Custom" => Ok(PolicyType::Custom),
        _ => Err(ApiError::invalid_parameter(
            "PolicyType",
            "The parameter PolicyType must be System or Custom.",
        )),
    }
}
