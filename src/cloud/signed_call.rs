//! One call signed the chosen way ([`SignatureVersion`]) and laid out as it
//! goes on the wire: the pairs or headers that were signed, and nothing else.
//!
//! - 1.0: every parameter, common ones included, as a form body (keeps the
//!   STS token out of URLs and proxy logs).
//! - V3: POST with the action's parameters in the query, as the official
//!   SDKs send RPC calls; action, version, time, nonce, payload hash and STS
//!   token in signed headers; an empty body.
//!
//! Depends on the two signers and the transport's request type only.

use std::fmt;

use reqwest::Url;

use super::sign::{self, HttpMethod, RequestStamp};
use super::sign_v3::{self, RequestToSign};
use super::transport::WireRequest;

/// Which signature ramkey puts on its requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SignatureVersion {
    /// `SignatureVersion=1.0`, HMAC-SHA1 (the RPC "V2" of current docs).
    #[default]
    V1,
    /// `ACS3-HMAC-SHA256` in an `Authorization` header.
    V3,
}

impl fmt::Display for SignatureVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignatureVersion::V1 => "v1",
            SignatureVersion::V3 => "v3",
        })
    }
}

/// What is being signed: the call, where it goes, who signs and when.
pub(crate) struct CallToSign<'a> {
    pub endpoint: &'a Url,
    pub action: &'a str,
    pub version: &'a str,
    /// The action's own parameters.
    pub params: &'a [(String, String)],
    pub stamp: RequestStamp<'a>,
}

/// A signed call: the request to send, and what an error report needs.
pub(crate) struct SignedCall {
    pub wire: WireRequest,
    /// ramkey's side of a `SignatureDoesNotMatch` report: the 1.0 string to
    /// sign, or the V3 string to sign followed by its canonical request, on
    /// one line.
    pub string_to_sign: String,
    /// Redacted from every server text, like the secret.
    pub signature: String,
}

/// Signs `call` with `secret` as `version` says.
pub(crate) fn sign(version: SignatureVersion, call: &CallToSign<'_>, secret: &str) -> SignedCall {
    match version {
        SignatureVersion::V1 => sign_v1(call, secret),
        SignatureVersion::V3 => sign_v3(call, secret),
    }
}

fn sign_v1(call: &CallToSign<'_>, secret: &str) -> SignedCall {
    let mut params = sign::common_params(call.stamp, call.action, call.version);
    params.extend(call.params.iter().cloned());
    let signed = sign::sign(HttpMethod::Post, &params, secret);
    SignedCall {
        wire: WireRequest::form(signed.wire_query()),
        string_to_sign: signed.string_to_sign.clone(),
        signature: signed.signature,
    }
}

fn sign_v3(call: &CallToSign<'_>, secret: &str) -> SignedCall {
    let body = String::new();
    let hashed_payload = sign_v3::sha256_hex(body.as_bytes());
    let mut headers = sign_v3::rpc_headers(
        &host(call.endpoint),
        call.action,
        call.version,
        call.stamp,
        &hashed_payload,
    );
    let signed = sign_v3::sign(
        &RequestToSign {
            method: HttpMethod::Post,
            canonical_uri: call.endpoint.path(),
            query: call.params,
            headers: &headers,
            hashed_payload: &hashed_payload,
        },
        secret,
    );

    // The canonical query is already the encoded query string: send it as is.
    let query = sign_v3::canonical_query(call.params);
    headers.push((
        "authorization".to_owned(),
        signed.authorization(call.stamp.access_key_id),
    ));
    SignedCall {
        wire: WireRequest {
            query: (!query.is_empty()).then_some(query),
            headers,
            body,
        },
        // Flattened as the server's copy will be: its line breaks reach
        // ramkey as spaces (server text is kept free of control characters),
        // and the two are compared.
        string_to_sign: signed.evidence().replace('\n', " "),
        signature: signed.signature,
    }
}

/// The `Host` header HTTP clients derive from the URL: the host, with the
/// port only when it is not the scheme's default.
fn host(endpoint: &Url) -> String {
    let name = endpoint.host_str().unwrap_or_default();
    match endpoint.port() {
        Some(port) => format!("{name}:{port}"),
        None => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_carries_only_a_port_that_is_not_the_default() {
        let host_of = |url: &str| host(&Url::parse(url).unwrap());
        assert_eq!(host_of("https://ram.aliyuncs.com"), "ram.aliyuncs.com");
        assert_eq!(host_of("https://ram.aliyuncs.com:443/"), "ram.aliyuncs.com");
        assert_eq!(host_of("http://127.0.0.1:8400/"), "127.0.0.1:8400");
        assert_eq!(host_of("http://[::1]:8400/"), "[::1]:8400");
    }
}
