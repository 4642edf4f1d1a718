//! Alibaba Cloud RPC request signing, `SignatureVersion` 1.0 (HMAC-SHA1).
//!
//! Pure functions only: the clock and the nonce are passed in, so every
//! intermediate string can be checked against published vectors. Both the
//! client (to sign) and the sandbox (to verify) use this module, and the
//! request on the wire is built from exactly the encoded pairs signed here.
//! Depends on nothing else in the crate.

use std::fmt;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha1::Sha1;
use zeroize::Zeroizing;

/// RFC 3986 unreserved characters stay literal; every other byte is `%XX`
/// with uppercase hex. Space becomes `%20`, `*` becomes `%2A`, `~` stays `~`.
const RPC_ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The HTTP method takes part in the string to sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    /// Parameters in the query string.
    Get,
    /// Parameters in the query string or in a form body.
    Post,
}

impl HttpMethod {
    /// The method's name as it appears in the string to sign.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }
}

/// Every intermediate of one signature, for tests and for error reports.
///
/// None of these strings contains the secret, but the two queries carry the
/// STS token, so `Debug` masks it and leaves out the signature.
#[derive(Clone, PartialEq, Eq)]
pub struct Signed {
    /// Sorted, percent-encoded `name=value` pairs joined by `&`.
    pub canonical_query: String,
    /// `METHOD&%2F&` followed by the encoded canonical query.
    pub string_to_sign: String,
    /// Base64 of HMAC-SHA1 over the string to sign, keyed by `secret&`.
    pub signature: String,
}

impl Signed {
    /// The full query string to send: the canonical query plus the encoded
    /// signature. Sending anything else would not match what was signed.
    pub fn wire_query(&self) -> String {
        format!(
            "{}&Signature={}",
            self.canonical_query,
            percent_encode(&self.signature)
        )
    }
}

impl fmt::Debug for Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signed")
            .field("canonical_query", &without_token(&self.canonical_query))
            .field("signature", &"** redacted **")
            .finish_non_exhaustive()
    }
}

/// The canonical query with the `SecurityToken` value masked (the string to
/// sign is this query encoded once more, so it adds nothing to a debug view).
fn without_token(canonical_query: &str) -> String {
    let pairs: Vec<&str> = canonical_query
        .split('&')
        .map(|pair| {
            if pair.starts_with("SecurityToken=") {
                "SecurityToken=** redacted **"
            } else {
                pair
            }
        })
        .collect();
    pairs.join("&")
}

/// Percent-encodes one name or value the way the RPC gateway recomputes it.
pub fn percent_encode(raw: &str) -> String {
    utf8_percent_encode(raw, RPC_ENCODE_SET).to_string()
}

/// Sorts the pairs by encoded name (byte order) and joins them.
///
/// A `Signature` pair, if present, is left out: it is never signed.
pub fn canonical_query(params: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .filter(|(name, _)| name != "Signature")
        .map(|(name, value)| (percent_encode(name), percent_encode(value)))
        .collect();
    encoded.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));

    let pairs: Vec<String> = encoded
        .into_iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    pairs.join("&")
}

/// `METHOD&%2F&percentEncode(canonical_query)`.
pub fn string_to_sign(method: HttpMethod, canonical_query: &str) -> String {
    format!(
        "{}&{}&{}",
        method.as_str(),
        percent_encode("/"),
        percent_encode(canonical_query)
    )
}

/// Base64(HMAC-SHA1(`secret&`, `string_to_sign`)).
pub fn hmac_sha1_base64(secret: &str, string_to_sign: &str) -> String {
    // The key is the secret itself: wipe this copy too when done.
    let key = Zeroizing::new(format!("{secret}&"));
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Signs a complete parameter set (common and action parameters together).
pub fn sign(method: HttpMethod, params: &[(String, String)], secret: &str) -> Signed {
    let canonical_query = canonical_query(params);
    let string_to_sign = string_to_sign(method, &canonical_query);
    let signature = hmac_sha1_base64(secret, &string_to_sign);
    Signed {
        canonical_query,
        string_to_sign,
        signature,
    }
}

/// The `Timestamp` format: UTC, `YYYY-MM-DDTHH:MM:SSZ`, no fractions.
pub fn format_timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// What identifies the caller and the moment of one request.
#[derive(Clone, Copy)]
pub struct RequestStamp<'a> {
    /// The AccessKey ID (or STS AccessKey ID) that signs.
    pub access_key_id: &'a str,
    /// The STS token, when the credentials are temporary; it is signed too.
    pub security_token: Option<&'a str>,
    /// When the request is made.
    pub timestamp: DateTime<Utc>,
    /// A value never used before by this caller.
    pub nonce: &'a str,
}

/// The common parameters of one RPC call, before signing.
pub fn common_params(
    stamp: RequestStamp<'_>,
    action: &str,
    version: &str,
) -> Vec<(String, String)> {
    let mut params = vec![
        ("AccessKeyId".to_owned(), stamp.access_key_id.to_owned()),
        ("Action".to_owned(), action.to_owned()),
        ("Format".to_owned(), "JSON".to_owned()),
        ("SignatureMethod".to_owned(), "HMAC-SHA1".to_owned()),
        ("SignatureNonce".to_owned(), stamp.nonce.to_owned()),
        ("SignatureVersion".to_owned(), "1.0".to_owned()),
        ("Timestamp".to_owned(), format_timestamp(stamp.timestamp)),
        ("Version".to_owned(), version.to_owned()),
    ];
    if let Some(token) = stamp.security_token {
        params.push(("SecurityToken".to_owned(), token.to_owned()));
    }
    params
}
