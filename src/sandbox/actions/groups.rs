//! RAM ListGroupsForUser, AddUserToGroup.

use serde_json::{Value, json};

use super::{Call, find_user, find_user_mut};
use crate::sandbox::account::{AccountDate, Membership};
use crate::sandbox::api_error::ApiError;
use crate::sandbox::names::NameRule;

/// Groups one user may join (`GroupsPerUserQuota`).
const GROUPS_PER_USER: usize = 5;

/// ListGroupsForUser: each membership with its group's comments.
pub fn list_groups_for_user(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let name = call.required_name(NameRule::User)?;
    let user = find_user(call.account, name)?;
    let groups: Vec<Value> = user
        .groups
        .iter()
        .map(|membership| {
            let comments = call
                .account
                .group(&membership.group_name)
                .map(|group| group.comments.as_str())
                .unwrap_or_default();
            json!({
                "GroupName": membership.group_name,
                "Comments": comments,
                "JoinDate": call.wire_date(membership.join_date),
            })
        })
        .collect();
    Ok(json!({ "Groups": { "Group": groups } }))
}

/// AddUserToGroup: 404 for an unknown user or group, 409 when already in it.
pub fn add_user_to_group(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let user_name = call.required_name(NameRule::User)?;
    let group_name = call.required_name(NameRule::Group)?;
    find_user(call.account, user_name)?;
    if call.account.group(group_name).is_none() {
        return Err(ApiError::not_exist("Group", "The group does not exist."));
    }

    let now = call.now;
    let user = find_user_mut(call.account, user_name)?;
    if user.groups.iter().any(|m| m.group_name == group_name) {
        return Err(ApiError::already_exists(
            "User.Group",
            "The user is already a member of the group.",
        ));
    }
    if user.groups.len() >= GROUPS_PER_USER {
        return Err(ApiError::limit_exceeded(
            "User.Group",
            "The count of groups the user joined beyond the current limits.",
        ));
    }
    user.groups.push(Membership {
        group_name: group_name.to_owned(),
        join_date: AccountDate::At(now),
    });
    Ok(json!({}))
}
