//! The gateway's checks, in production's order, before any action runs:
//! required parameters, the API, the signature method, the caller's key
//! (for an `STS.` key: its session's token and expiry), the timestamp
//! window, nonce reuse, and finally the signature itself.
//!
//! Verification recomputes the signature with [`crate::cloud::sign`] over
//! whatever parameters arrived (except `Signature`), so the SDKs' extras
//! (`RegionId`, an empty `SignatureType`) are signed like any other.

use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use crate::cloud::model::KeyStatus;
use crate::cloud::sign::{self, HttpMethod};

use super::account::Account;
use super::actions::{ActionSpec, Service};
use super::api_error::ApiError;
use super::nonces::NonceBook;
use super::params::Params;
use super::sessions::{Session, Sessions};
use crate::secret::Secret;

/// A request stamped further than this from the sandbox clock is refused.
pub const TIMESTAMP_WINDOW: Duration = Duration::minutes(15);

/// The fixed text production puts before its string to sign.
pub const MISMATCH_PREFIX: &str =
    "Specified signature is not matched with our calculation. server string to sign is:";

/// What a request that passed every check establishes.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The service the action belongs to (from `Version`, or V3's
    /// `x-acs-version`): the one place later checks read it from.
    pub service: Service,
    /// The action asked for.
    pub action: &'static ActionSpec,
    /// The AccessKey that signed.
    pub access_key_id: String,
    /// Who holds that key: the caller.
    pub principal: Principal,
    /// The nonce, recorded once the request is accepted.
    pub nonce: String,
}

/// Who signed: a RAM user with its own key, or a role session with STS
/// credentials from AssumeRole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A RAM user.
    User {
        /// `UserName`.
        user_name: String,
    },
    /// A session of an assumed role.
    Role {
        /// `RoleName`.
        role_name: String,
        /// `RoleId`.
        role_id: String,
        /// `RoleSessionName`.
        session_name: String,
    },
}

impl Principal {
    /// How a role's `TrustedPrincipals` names this caller.
    pub fn trust_name(&self) -> String {
        match self {
            Principal::User { user_name } => format!("user/{user_name}"),
            Principal::Role { role_name, .. } => format!("role/{role_name}"),
        }
    }
}

/// Every AccessKey ID AssumeRole issues starts with this.
const STS_PREFIX: &str = "STS.";

/// Runs every check against the account as it is now.
pub fn verify(
    params: &Params,
    method: HttpMethod,
    now: DateTime<Utc>,
    account: &Account,
    sessions: &Sessions,
    nonces: &NonceBook,
) -> Result<Verified, ApiError> {
    let common = Common::read(params)?;
    let (service, action) = find_action(common.version, common.action)?;
    check_signature_method(&common)?;

    let token = params.non_empty("SecurityToken");
    let (secret, principal) = signer(token, common.access_key_id, account, sessions, now)?;
    check_timestamp(common.timestamp, now)?;
    if nonces.was_used(common.access_key_id, common.nonce, now) {
        return Err(nonce_used());
    }

    let expected = sign::sign(method, params.pairs(), secret.expose());
    if !same_signature(&expected.signature, common.signature) {
        return Err(signature_mismatch(&expected.string_to_sign));
    }
    Ok(Verified {
        service,
        action,
        access_key_id: common.access_key_id.to_owned(),
        principal,
        nonce: common.nonce.to_owned(),
    })
}

/// The secret to verify with and who it belongs to: an Active key of a
/// user, or a live STS session whose token came along.
pub(super) fn signer<'a>(
    security_token: Option<&str>,
    access_key_id: &str,
    account: &'a Account,
    sessions: &'a Sessions,
    now: DateTime<Utc>,
) -> Result<(&'a Secret, Principal), ApiError> {
    if access_key_id.starts_with(STS_PREFIX) {
        let session = sessions.get(access_key_id).ok_or_else(key_not_found)?;
        check_token(security_token, session, now)?;
        let principal = Principal::Role {
            role_name: session.role_name.clone(),
            role_id: session.role_id.clone(),
            session_name: session.role_session_name.clone(),
        };
        return Ok((&session.secret, principal));
    }
    let (user, key) = account.key_owner(access_key_id).ok_or_else(key_not_found)?;
    if key.status == KeyStatus::Inactive {
        return Err(key_disabled());
    }
    let principal = Principal::User {
        user_name: user.user_name.clone(),
    };
    Ok((&key.access_key_secret, principal))
}

/// The token must be sent, be the session's own, and not have expired.
fn check_token(token: Option<&str>, session: &Session, now: DateTime<Utc>) -> Result<(), ApiError> {
    let Some(token) = token else {
        return Err(ApiError::missing("SecurityToken"));
    };
    if !same_signature(session.token.expose(), token) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "InvalidSecurityToken.MismatchWithAccessKey",
            "Specified SecurityToken mismatch with the AccessKey.",
        ));
    }
    if now >= session.expires_at {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "InvalidSecurityToken.Expired",
            "Specified SecurityToken is expired.",
        ));
    }
    Ok(())
}

/// The common parameters every signed request carries, all present.
struct Common<'a> {
    action: &'a str,
    version: &'a str,
    access_key_id: &'a str,
    signature_method: &'a str,
    signature_version: &'a str,
    nonce: &'a str,
    timestamp: &'a str,
    signature: &'a str,
}

impl<'a> Common<'a> {
    /// Reads every common parameter; the first absent one (in field order,
    /// which is the order of evaluation) is reported as `Missing<Param>`.
    fn read(params: &'a Params) -> Result<Self, ApiError> {
        let take = |name| {
            params
                .non_empty(name)
                .ok_or_else(|| ApiError::missing(name))
        };
        Ok(Self {
            action: take("Action")?,
            version: take("Version")?,
            access_key_id: take("AccessKeyId")?,
            signature_method: take("SignatureMethod")?,
            signature_version: take("SignatureVersion")?,
            nonce: take("SignatureNonce")?,
            timestamp: take("Timestamp")?,
            signature: take("Signature")?,
        })
    }
}

/// The service of `version` and its action called `action`.
pub(super) fn find_action(
    version: &str,
    action: &str,
) -> Result<(Service, &'static ActionSpec), ApiError> {
    let service = Service::from_version(version).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "InvalidVersion",
            "Specified parameter Version is not valid.",
        )
    })?;
    let action = service.action(action).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        )
    })?;
    Ok((service, action))
}

fn check_signature_method(common: &Common<'_>) -> Result<(), ApiError> {
    if common.signature_method != "HMAC-SHA1" {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "InvalidSignatureMethod",
            "Specified signature method is not valid.",
        ));
    }
    if common.signature_version != "1.0" {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "InvalidSignatureVersion",
            "Specified signature version is not valid.",
        ));
    }
    Ok(())
}

/// Exactly `YYYY-MM-DDThh:mm:ssZ`, within [`TIMESTAMP_WINDOW`] of `now`.
pub(super) fn check_timestamp(timestamp: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
    let stamped = NaiveDateTime::parse_from_str(timestamp, "%Y-%m-%dT%H:%M:%SZ")
        .map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "InvalidTimeStamp.Format",
                "Specified time stamp or date value is not well formatted.",
            )
        })?
        .and_utc();
    if (now - stamped).abs() > TIMESTAMP_WINDOW {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        ));
    }
    Ok(())
}

/// 404 `InvalidAccessKeyId.NotFound`.
pub(super) fn key_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "InvalidAccessKeyId.NotFound",
        "Specified access key is not found.",
    )
}

pub(super) fn key_disabled() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "InvalidAccessKeyId.Inactive",
        "Specified access key is disabled.",
    )
}

pub(super) fn nonce_used() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "SignatureNonceUsed",
        "Specified signature nonce was used already.",
    )
}

pub(super) fn signature_mismatch(server_string_to_sign: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "SignatureDoesNotMatch",
        format!("{MISMATCH_PREFIX}{server_string_to_sign}"),
    )
}

/// Compares without stopping at the first difference, so response time says
/// nothing about how much of a forged signature (or token) was right.
pub(super) fn same_signature(expected: &str, given: &str) -> bool {
    expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}
