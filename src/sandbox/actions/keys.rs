//! RAM ListAccessKeys, CreateAccessKey, UpdateAccessKey, DeleteAccessKey and
//! GetAccessKeyLastUsed. Without `UserName` they act on the caller's own keys.

use serde_json::{Value, json};

use super::{Call, find_user, find_user_mut};
use crate::cloud::model::KeyStatus;
use crate::sandbox::account::{AccountDate, Key, NeverUsedKeys, User};
use crate::sandbox::api_error::ApiError;
use crate::sandbox::ids;

/// AccessKeys per RAM user, Active and Inactive alike (`AccessKeysPerUserQuota`).
pub const KEYS_PER_USER: usize = 2;

/// ListAccessKeys: never the secret, never the last use.
pub fn list_access_keys(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let name = call.user_name_or_caller()?;
    let user = find_user(call.account, &name)?;
    let keys: Vec<Value> = user
        .access_keys
        .iter()
        .map(|key| {
            json!({
                "AccessKeyId": key.access_key_id,
                "Status": key.status.as_str(),
                "CreateDate": call.wire_date(key.create_date),
            })
        })
        .collect();
    Ok(json!({ "AccessKeys": { "AccessKey": keys } }))
}

/// CreateAccessKey: the only answer that carries the secret. 409
/// `LimitExceeded.User.AccessKey` when the user already holds two keys.
// TODO: production may refuse a new key for a while after creating it (bc-12);
// a switch to emulate that delay belongs with the fault switches of issue 3.
pub fn create_access_key(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let name = call.user_name_or_caller()?;
    let (access_key_id, secret) = ids::access_key(call.account);
    let now = call.now;
    let user = find_user_mut(call.account, &name)?;
    if user.access_keys.len() >= KEYS_PER_USER {
        return Err(ApiError::limit_exceeded(
            "User.AccessKey",
            "The access key count of the user access keys beyond the current limits.",
        ));
    }

    let body = json!({ "AccessKey": {
        "AccessKeyId": access_key_id,
        "AccessKeySecret": secret.expose(),
        "Status": KeyStatus::Active.as_str(),
        "CreateDate": super::wire_date(now),
    }});
    user.access_keys.push(Key {
        access_key_id,
        access_key_secret: secret,
        status: KeyStatus::Active,
        create_date: AccountDate::At(now),
        last_used_date: None,
    });
    Ok(body)
}

/// UpdateAccessKey: `Status` `Active` or `Inactive`.
pub fn update_access_key(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let key_id = call.required("UserAccessKeyId")?;
    let status = parse_status(call.required("Status")?)?;
    let name = call.user_name_or_caller()?;
    let user = find_user_mut(call.account, &name)?;
    let key = user.key_mut(key_id).ok_or_else(key_not_found)?;
    key.status = status;
    Ok(json!({}))
}

/// DeleteAccessKey: Active keys may be deleted directly, as in production.
pub fn delete_access_key(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let key_id = call.required("UserAccessKeyId")?;
    let name = call.user_name_or_caller()?;
    let user = find_user_mut(call.account, &name)?;
    let before = user.access_keys.len();
    user.access_keys.retain(|key| key.access_key_id != key_id);
    if user.access_keys.len() == before {
        return Err(key_not_found());
    }
    Ok(json!({}))
}

/// GetAccessKeyLastUsed (RAM flavour): `AccessKeyLastUsed.LastUsedDate`; a
/// key never used answers as the account's [`NeverUsedKeys`] says.
pub fn get_access_key_last_used(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let key_id = call.required("UserAccessKeyId")?;
    let name = call.user_name_or_caller()?;
    let user: &User = find_user(call.account, &name)?;
    let key = user.key(key_id).ok_or_else(key_not_found)?;
    let last_used = match (key.last_used_date, call.account.never_used_keys) {
        (Some(date), _) => json!({ "LastUsedDate": call.wire_date(date) }),
        (None, NeverUsedKeys::OmitLastUsedDate) => json!({}),
        (None, NeverUsedKeys::EmptyLastUsedDate) => json!({ "LastUsedDate": "" }),
    };
    Ok(json!({ "AccessKeyLastUsed": last_used }))
}

fn parse_status(status: &str) -> Result<KeyStatus, ApiError> {
    match status {
        "Active" => Ok(KeyStatus::Active),
        "Inactive" => Ok(KeyStatus::Inactive),
        _ => Err(ApiError::invalid_parameter(
            "Status",
            "The parameter Status must be Active or Inactive.",
        )),
    }
}

fn key_not_found() -> ApiError {
    ApiError::not_exist("User.AccessKey", "The user access key does not exist.")
}
