//! STS GetCallerIdentity: who signed the request.

use serde_json::{Value, json};

use super::{Call, find_user};
use crate::sandbox::api_error::ApiError;

/// GetCallerIdentity for a RAM user's AccessKey (the only kind the sandbox
/// issues): `PrincipalId` is the `UserId`.
pub fn get_caller_identity(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let user = find_user(call.account, &call.caller.user_name)?;
    Ok(json!({
        "AccountId": call.account.account_id,
        "UserId": user.user_id,
        "PrincipalId": user.user_id,
        "IdentityType": "RAMUser",
        "Arn": format!("acs:ram::{}:user/{}", call.account.account_id, user.user_name),
    }))
}
