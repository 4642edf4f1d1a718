//! The typed STS 2015-04-01 calls ramkey makes: GetCallerIdentity, which
//! tells whose credentials these are and names the state file's account,
//! and AssumeRole, which turns a role profile into STS credentials.
//!
//! Knows nothing of the UI, the scan, the rotation engine or the state file.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};

use super::client::{Call, Client};
use super::credentials::Credentials;
use super::error::{CloudError, UnexpectedBody};
use super::lenient::text_or_empty;
use super::model::CallerIdentity;
use super::response::Reply;
use crate::secret::Secret;

/// The answer's fields; `UserId` only for RAM users, and an account owner
/// may get `AccountId` and `Arn` alone.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetCallerIdentity {
    account_id: String,
    arn: String,
    #[serde(default, deserialize_with = "text_or_empty")]
    identity_type: String,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    principal_id: Option<String>,
}

/// The parameters of one AssumeRole call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRoleRequest {
    /// `RoleArn`, e.g. `acs:ram::5123874409316254:role/ramkey-rotator`.
    pub role_arn: String,
    /// `RoleSessionName`: shows in ActionTrail as `role:session`.
    pub session_name: String,
    /// `DurationSeconds`: 900 up to the role's `MaxSessionDuration`.
    pub duration_seconds: u32,
    /// `Policy`: an inline policy that narrows the role's permissions.
    pub policy: Option<String>,
    /// `ExternalId`, when the role's trust policy asks for one.
    pub external_id: Option<String>,
}

/// What AssumeRole handed out.
#[derive(Debug, Clone)]
pub struct AssumedRole {
    /// The STS credentials (`STS.` key id, secret, token).
    pub credentials: Credentials,
    /// `Expiration`: when the token stops working.
    pub expiration: DateTime<Utc>,
    /// `AssumedRoleUser.Arn`.
    pub arn: String,
    /// `AssumedRoleUser.AssumedRoleId`.
    pub assumed_role_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssumeRoleBody {
    credentials: StsCredentials,
    assumed_role_user: AssumedRoleUser,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StsCredentials {
    access_key_id: String,
    #[serde(deserialize_with = "secret")]
    access_key_secret: Secret,
    #[serde(deserialize_with = "secret")]
    security_token: Secret,
    expiration: String,
}

/// Read straight into a [`Secret`], so no plain copy lingers.
fn secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
    String::deserialize(deserializer).map(Secret::new)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssumedRoleUser {
    #[serde(default)]
    arn: String,
    #[serde(default)]
    assumed_role_id: String,
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

    /// STS AssumeRole, signed with this client's credentials. `source`
    /// becomes the new credentials' [`Credentials::source`].
    pub async fn assume_role(
        &self,
        request: &AssumeRoleRequest,
        source: &str,
    ) -> Result<AssumedRole, CloudError> {
        let call = Call::sts("AssumeRole")
            .param("RoleArn", request.role_arn.as_str())
            .param("RoleSessionName", request.session_name.as_str())
            .param("DurationSeconds", request.duration_seconds.to_string())
            .optional("Policy", request.policy.as_deref())
            .optional("ExternalId", request.external_id.as_deref());
        let reply: Reply<AssumeRoleBody> = self.call(call).await?;
        let body = reply.value;

        let expiration = parse_expiration(&body.credentials.expiration)
            .ok_or_else(|| bad_expiration(self, &reply.request_id))?;
        let credentials = Credentials::new(
            body.credentials.access_key_id,
            body.credentials.access_key_secret,
            Some(body.credentials.security_token),
            source,
        )?;
        Ok(AssumedRole {
            credentials,
            expiration,
            arn: body.assumed_role_user.arn,
            assumed_role_id: body.assumed_role_user.assumed_role_id,
        })
    }
}

/// `YYYY-MM-DDThh:mm:ssZ`, as STS and the metadata service write it.
pub(crate) fn parse_expiration(raw: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%SZ")
        .ok()
        .map(|at| at.and_utc())
        .or_else(|| DateTime::parse_from_rfc3339(raw).ok().map(|at| at.to_utc()))
}

fn bad_expiration(client: &Client, request_id: &str) -> CloudError {
    UnexpectedBody {
        action: "AssumeRole".to_owned(),
        endpoint: client
            .endpoints()
            .url(super::Service::Sts)
            .as_str()
            .trim_end_matches('/')
            .to_owned(),
        http_status: 200,
        request_id: Some(request_id.to_owned()),
        problem: "Credentials.Expiration is not a UTC time like 2024-01-02T03:04:05Z".to_owned(),
        body_start: String::new(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expirations_parse_in_both_shapes() {
        let at = parse_expiration("2015-04-09T11:52:19Z").unwrap();
        assert_eq!(at.to_rfc3339(), "2015-04-09T11:52:19+00:00");
        let at = parse_expiration("2015-04-09T19:52:19+08:00").unwrap();
        assert_eq!(at.to_rfc3339(), "2015-04-09T11:52:19+00:00");
        assert_eq!(parse_expiration("tomorrow"), None);
    }
}
