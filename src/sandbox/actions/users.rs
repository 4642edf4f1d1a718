//! RAM ListUsers, GetUser, CreateUser.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::{Call, find_user};
use crate::sandbox::account::{AccountDate, User};
use crate::sandbox::api_error::ApiError;
use crate::sandbox::ids;
use crate::sandbox::names::NameRule;

/// `MaxItems` when the caller gives none.
const DEFAULT_MAX_ITEMS: u32 = 100;
/// The largest `MaxItems` accepted.
const MAX_MAX_ITEMS: u32 = 1000;
/// RAM users per account (`UsersQuota`).
const USERS_QUOTA: usize = 1000;
/// `DisplayName` and `Comments` are 1–128 characters.
const TEXT_LIMIT: usize = 128;
/// Markers carry the last name returned; the prefix makes a forged or
/// truncated marker detectable.
const MARKER_PREFIX: &str = "after-user:";

/// ListUsers: sorted by `UserName`, paged by an opaque `Marker`.
///
/// The marker names the last user returned, so users created between pages
/// are neither skipped nor repeated.
pub fn list_users(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let max_items = max_items(call.params.non_empty("MaxItems"))?;
    let page_size = call
        .account
        .list_users_page_cap
        .map_or(max_items, |cap| max_items.min(cap.get()));
    let page_size = usize::try_from(page_size).unwrap_or(usize::MAX);
    let after = call
        .params
        .non_empty("Marker")
        .map(decode_marker)
        .transpose()?;

    // One more than the page, to tell whether another follows.
    let mut users = call
        .account
        .users_after(after.as_deref(), page_size.saturating_add(1));
    let is_truncated = users.len() > page_size;
    users.truncate(page_size);

    let listed: Vec<Value> = users.iter().map(|user| user_json(call, user)).collect();
    let mut body = json!({ "IsTruncated": is_truncated, "Users": { "User": listed } });
    if let (true, Some(last)) = (is_truncated, users.last()) {
        body["Marker"] = encode_marker(&last.user_name).into();
    }
    Ok(body)
}

/// GetUser.
pub fn get_user(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let name = call.required_name(NameRule::User)?;
    let user = find_user(call.account, name)?;
    Ok(json!({ "User": user_json(call, user) }))
}

/// CreateUser: 409 `EntityAlreadyExists.User` when the name is taken.
pub fn create_user(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let name = call.required_name(NameRule::User)?;
    let display_name = optional_text(call, "DisplayName")?;
    let comments = optional_text(call, "Comments")?;
    if call.account.user(name).is_some() {
        return Err(ApiError::already_exists(
            "User",
            "The user does already EXIST.",
        ));
    }
    if call.account.users.len() >= USERS_QUOTA {
        return Err(ApiError::limit_exceeded(
            "User",
            "The count of users beyond the current limits.",
        ));
    }

    let user = User {
        user_name: name.to_owned(),
        user_id: ids::user_id(call.account),
        display_name,
        comments,
        create_date: AccountDate::At(call.now),
        access_keys: Vec::new(),
        policies: Vec::new(),
        groups: Vec::new(),
    };
    let mut created = user_json(call, &user);
    if let Some(fields) = created.as_object_mut() {
        // CreateUser answers without UpdateDate.
        fields.remove("UpdateDate");
    }
    call.account.users.push(user);
    Ok(json!({ "User": created }))
}

/// The user as ListUsers and GetUser show it. The sandbox does not track
/// updates, so `UpdateDate` is the creation date.
fn user_json(call: &Call<'_>, user: &User) -> Value {
    let created = call.wire_date(user.create_date);
    json!({
        "UserId": user.user_id,
        "UserName": user.user_name,
        "DisplayName": user.display_name,
        "Comments": user.comments,
        "CreateDate": created,
        "UpdateDate": created,
    })
}

fn max_items(given: Option<&str>) -> Result<u32, ApiError> {
    let Some(text) = given else {
        return Ok(DEFAULT_MAX_ITEMS);
    };
    text.parse()
        .ok()
        .filter(|items| (1..=MAX_MAX_ITEMS).contains(items))
        .ok_or_else(|| {
            ApiError::invalid_parameter(
                "MaxItems",
                format!("The parameter MaxItems must be an integer from 1 to {MAX_MAX_ITEMS}."),
            )
        })
}

/// `DisplayName` or `Comments`: optional, at most [`TEXT_LIMIT`] characters.
fn optional_text(call: &Call<'_>, field: &str) -> Result<String, ApiError> {
    let text = call.params.non_empty(field).unwrap_or_default();
    if text.chars().count() > TEXT_LIMIT {
        return Err(ApiError::invalid_parameter(
            &format!("{field}.Length"),
            format!("The parameter {field} must be 1 to {TEXT_LIMIT} characters."),
        ));
    }
    Ok(text.to_owned())
}

fn encode_marker(last_user_name: &str) -> String {
    STANDARD.encode(format!("{MARKER_PREFIX}{last_user_name}"))
}

fn decode_marker(marker: &str) -> Result<String, ApiError> {
    STANDARD
        .decode(marker)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(MARKER_PREFIX).map(str::to_owned))
        .ok_or_else(|| {
            ApiError::invalid_parameter(
                "Marker",
                "The parameter Marker is invalid; pass back the Marker of the previous page unchanged.",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip_and_forgeries_are_refused() {
        let marker = encode_marker("运维-zhang");
        assert_eq!(decode_marker(&marker).unwrap(), "运维-zhang");
        assert_eq!(
            decode_marker("AbC+/x==").unwrap_err().code,
            "InvalidParameter.Marker"
        );
        let foreign = STANDARD.encode("page-2");
        assert!(decode_marker(&foreign).is_err());
    }

    #[test]
    fn max_items_defaults_and_bounds() {
        assert_eq!(max_items(None).unwrap(), 100);
        assert_eq!(max_items(Some("1000")).unwrap(), 1000);
        for bad in ["0", "1001", "-1", "ten"] {
            assert_eq!(
                max_items(Some(bad)).unwrap_err().code,
                "InvalidParameter.MaxItems"
            );
        }
    }
}
