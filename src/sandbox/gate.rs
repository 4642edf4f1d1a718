//! The gateway's checks, in production's order, before any action runs:
//! required parameters, the API, the signature method, the caller's key, the
//! timestamp window, nonce reuse, and finally the signature itself.
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
    /// The RAM user holding that key: the caller.
    pub user_name: String,
    /// The nonce, recorded once the request is accepted.
    pub nonce: String,
}

/// Runs every check against the account as it is now.
pub fn verify(
    params: &Params,
    method: HttpMethod,
    now: DateTime<Utc>,
    account: &Account,
    nonces: &NonceBook,
) -> Result<Verified, ApiError> {
    let common = Common::read(params)?;
    let (service, action) = find_action(common.version, common.action)?;
    check_signature_method(&common)?;

    let (user, key) = account
        .key_owner(common.access_key_id)
        .ok_or_else(key_not_found)?;
    if key.status == KeyStatus::Inactive {
        return Err(key_disabled());
    }
    check_timestamp(common.timestamp, now)?;
    if nonces.was_used(common.access_key_id, common.nonce, now) {
        return Err(nonce_used());
    }

    let expected = sign::sign(method, params.pairs(), key.access_key_secret.expose());
    if !same_signature(&expected.signature, common.signature) {
        return Err(signature_mismatch(&expected.string_to_sign));
    }
    Ok(Verified {
        service,
        action,
        access_key_id: key.access_key_id.clone(),
        user_name: user.user_name.clone(),
        nonce: common.nonce.to_owned(),
    })
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
/// nothing about how much of a forged signature was right.
pub(super) fn same_signature(expected: &str, given: &str) -> bool {
    expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}
