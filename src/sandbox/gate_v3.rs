//! The gateway's checks for a request signed with V3 (`Authorization:
//! ACS3-HMAC-SHA256 ...`), in the same order as for 1.0: the signature's
//! form, the API, the caller's key, the `x-acs-date` window, nonce reuse
//! (the same book as 1.0), the payload hash, then the signature itself.
//!
//! Verification takes the header list from the request's `SignedHeaders`
//! and recomputes each line from the headers that actually arrived, with
//! [`crate::cloud::sign_v3`]; `host`, every `x-acs-*` header and a
//! `content-type` must be among them. Knows nothing of the actions beyond
//! finding one.

mod authorization;

use axum::http::{HeaderMap, HeaderName, StatusCode};
use chrono::{DateTime, Utc};

use crate::cloud::sign::HttpMethod;
use crate::cloud::sign_v3::{self, RequestToSign};

use super::account::Account;
use super::api_error::ApiError;
use super::gate::{self, Verified};
use super::nonces::NonceBook;
use super::params::Params;
use super::sessions::Sessions;
use authorization::{Authorization, V3_PREFIX, incomplete};

/// What of the HTTP request a V3 signature covers.
#[derive(Clone, Copy)]
pub struct Inbound<'a> {
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    /// Every header as received.
    pub headers: &'a HeaderMap,
    /// The body as received.
    pub body: &'a [u8],
}

/// Whether `headers` carry a V3 `Authorization` (any `ACS3-` algorithm, so
/// an unsupported one is refused rather than read as 1.0).
pub fn is_v3(headers: &HeaderMap) -> bool {
    header(headers, "authorization").is_some_and(|value| value.starts_with(V3_PREFIX))
}

/// Where V3 carries what 1.0 sends as a common parameter (`Action`,
/// `Version`, `AccessKeyId`, `SignatureNonce`, `Timestamp`,
/// `SecurityToken`), for the sandbox's log line, error host and fault switches.
pub fn common_field(headers: &HeaderMap, name: &str) -> Option<String> {
    match name {
        "Action" => header(headers, "x-acs-action"),
        "Version" => header(headers, "x-acs-version"),
        "SignatureNonce" => header(headers, "x-acs-signature-nonce"),
        "Timestamp" => header(headers, "x-acs-date"),
        "SecurityToken" => header(headers, "x-acs-security-token"),
        "AccessKeyId" => {
            let value = header(headers, "authorization")?;
            Authorization::parse(&value)
                .ok()
                .map(|parsed| parsed.credential.to_owned())
        }
        _ => None,
    }
}

/// Runs every check against the account as it is now.
pub fn verify(
    method: HttpMethod,
    request: Inbound<'_>,
    now: DateTime<Utc>,
    account: &Account,
    sessions: &Sessions,
    nonces: &NonceBook,
) -> Result<Verified, ApiError> {
    let value = header(request.headers, "authorization").unwrap_or_default();
    let authorization = Authorization::parse(&value)?;
    // Action before Version, as 1.0 reads them.
    let action_name = required(request.headers, "x-acs-action", "Action")?;
    let version = required(request.headers, "x-acs-version", "Version")?;
    let (service, action) = gate::find_action(&version, &action_name)?;
    let signed = signed_header_values(&authorization, request)?;

    // An STS key's token arrives in `x-acs-security-token`, signed (every
    // x-acs-* header must be).
    let token = header(request.headers, "x-acs-security-token");
    let (secret, principal) = gate::signer(
        token.as_deref().filter(|token| !token.is_empty()),
        authorization.credential,
        account,
        sessions,
        now,
    )?;
    gate::check_timestamp(&required(request.headers, "x-acs-date", "Timestamp")?, now)?;
    let nonce = required(request.headers, "x-acs-signature-nonce", "SignatureNonce")?;
    if nonces.was_used(authorization.credential, &nonce, now) {
        return Err(gate::nonce_used());
    }
    let hashed_payload = check_payload_hash(request)?;

    let query = Params::from_query(request.query)?;
    let expected = sign_v3::sign(
        &RequestToSign {
            method,
            canonical_uri: "/",
            query: query.pairs(),
            headers: &signed,
            hashed_payload: &hashed_payload,
        },
        secret.expose(),
    );
    if !gate::same_signature(&expected.signature, authorization.signature) {
        return Err(gate::signature_mismatch(&expected.evidence()));
    }
    Ok(Verified {
        service,
        action,
        access_key_id: authorization.credential.to_owned(),
        principal,
        nonce,
    })
}

/// The values of every header `SignedHeaders` names, as received (every
/// value of a repeated header). Refuses a list that leaves out `host`, an
/// `x-acs-*` header or `content-type`, or names a header that is absent.
fn signed_header_values(
    authorization: &Authorization<'_>,
    request: Inbound<'_>,
) -> Result<Vec<(String, String)>, ApiError> {
    let signed = &authorization.signed_headers;
    let must_sign = request
        .headers
        .keys()
        .map(HeaderName::as_str)
        .filter(|name| name.starts_with("x-acs-") || *name == "content-type");
    for name in std::iter::once("host").chain(must_sign) {
        if !signed.iter().any(|listed| listed == name) {
            return Err(incomplete(&format!(
                "header {name} must be signed, and SignedHeaders does not list it"
            )));
        }
    }

    let mut values = Vec::new();
    for name in signed {
        let received = request.headers.get_all(name.as_str());
        if received.iter().next().is_none() {
            return Err(incomplete(&format!(
                "SignedHeaders lists {name}, which the request does not carry"
            )));
        }
        for value in received {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            values.push((name.clone(), value));
        }
    }
    Ok(values)
}

/// The body's SHA-256, which `x-acs-content-sha256` must state.
fn check_payload_hash(request: Inbound<'_>) -> Result<String, ApiError> {
    let stated = required(request.headers, "x-acs-content-sha256", "ContentSha256")?;
    let actual = sign_v3::sha256_hex(request.body);
    if !stated.eq_ignore_ascii_case(&actual) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "SignatureDoesNotMatch",
            format!(
                "Specified signature is not matched with our calculation: x-acs-content-sha256 \
                 is {stated}, but the body received hashes to {actual}."
            ),
        ));
    }
    Ok(actual)
}

/// A header V3 requires, present and not empty, or 400 `Missing<Param>`
/// named after the 1.0 parameter it replaces.
fn required(headers: &HeaderMap, name: &str, param: &str) -> Result<String, ApiError> {
    header(headers, name)
        .filter(|value| !value.trim().is_empty())
        .map(|value| value.trim().to_owned())
        .ok_or_else(|| {
            let mut error = ApiError::missing(param);
            error.message = format!("{param} is mandatory for this action (header {name}).");
            error
        })
}

/// The first value of `name`, as text.
fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}
