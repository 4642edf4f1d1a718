//! The typed STS 2015-04-01 call ramkey makes: GetCallerIdentity, which
//! tells whose credentials these are and names the state file's account.
//!
//! Knows nothing of the UI, the scan, the rotation engine or the state file.

use serde::Deserialize;

use super::client::{Call, Client};
use super::error::CloudError;
use super::model::CallerIdentity;
use super::response::Reply;

/// The answer's fields; `UserId` only for RAM users, and an account owner
/// may get `AccountId` and `Arn` alone.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetCallerIdentity {
    account_id: String,
    arn: String,
    #[serde(default)]
    identity_type: String,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    principal_id: Option<String>,
}

impl Client {
    /// STS GetCallerIdentity: who ramkey is signing as.
    pub async fn get_caller_identity(&self) -> Result<CallerIdentity, CloudError> {
        let reply: Reply<GetCallerIdentity> = self.call(Call::sts("GetCallerIdentity")).await?;
        let identity = reply.value;
        Ok(CallerIdentity {
            account_id: identity.account_id,
            arn: identity.arn,
            identity_type: identity.identity_type,
            user_id: identity.user_id.filter(|id| !id.is_empty()),
            principal_id: identity.principal_id.filter(|id| !id.is_empty()),
        })
    }
}
