//! Alibaba Cloud signature V3, `ACS3-HMAC-SHA256`.
//!
//! Pure functions only, like [`super::sign`]: the clock and the nonce are
//! passed in, and every intermediate (canonical request, its hash, string to
//! sign, signature, `Authorization` header) can be checked against the
//! published vectors. The client signs with it and the sandbox verifies with
//! it. Depends only on [`super::sign`] (percent-encoding, the method, the
//! timestamp format); nothing else in the crate.

use std::fmt::{self, Write as _};

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use super::sign::{HttpMethod, RequestStamp, format_timestamp, percent_encode};

/// The algorithm's name: first word of `Authorization`, first line of the
/// string to sign.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// The header carrying the STS token; its value is masked in `Debug`.
pub const SECURITY_TOKEN_HEADER: &str = "x-acs-security-token";

/// What V3 signs of one request.
#[derive(Clone, Copy)]
pub struct RequestToSign<'a> {
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path; `/` for every RPC API.
    pub canonical_uri: &'a str,
    /// The query parameters, decoded; the body's form fields are not here.
    pub query: &'a [(String, String)],
    /// Every header to sign, names in any letter case; a name given twice
    /// (in any case) is one header with several values.
    pub headers: &'a [(String, String)],
    /// Lowercase hex SHA-256 of the body, as sent in `x-acs-content-sha256`.
    pub hashed_payload: &'a str,
}

/// Every intermediate of one V3 signature.
///
/// The canonical request holds the STS token (as a signed header), so `Debug`
/// masks it and leaves out the signature.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedV3 {
    /// Method, URI, query, headers, signed header names and payload hash,
    /// one per line.
    pub canonical_request: String,
    /// Lowercase hex SHA-256 of the canonical request.
    pub hashed_canonical_request: String,
    /// `ACS3-HMAC-SHA256\n` followed by the hashed canonical request.
    pub string_to_sign: String,
    /// The lowercase header names that were signed, sorted, joined by `;`.
    pub signed_headers: String,
    /// Lowercase hex HMAC-SHA256 of the string to sign, keyed by the secret.
    pub signature: String,
}

impl SignedV3 {
    /// The `Authorization` header value.
    pub fn authorization(&self, access_key_id: &str) -> String {
        format!(
            "{ALGORITHM} Credential={access_key_id},SignedHeaders={},Signature={}",
            self.signed_headers, self.signature
        )
    }

    /// The string to sign, a line break, then the canonical request it
    /// hashes: what the sandbox quotes on `SignatureDoesNotMatch` and what
    /// ramkey sets beside it. The hash alone would not show what differs.
    pub fn evidence(&self) -> String {
        format!("{}\n{}", self.string_to_sign, self.canonical_request)
    }
}

impl fmt::Debug for SignedV3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedV3")
            .field("canonical_request", &without_token(&self.canonical_request))
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &"** redacted **")
            .finish_non_exhaustive()
    }
}

/// The canonical request with the security-token header line masked.
fn without_token(canonical_request: &str) -> String {
    let prefix = format!("{SECURITY_TOKEN_HEADER}:");
    let lines: Vec<String> = canonical_request
        .split('\n')
        .map(|line| {
            if line.starts_with(&prefix) {
                format!("{prefix}** redacted **")
            } else {
                line.to_owned()
            }
        })
        .collect();
    lines.join("\n")
}

/// Sorted, percent-encoded `name=value` pairs joined by `&`; an empty value
/// gives `name=`. The encoding is the RPC one (§1.2), so this is also the
/// query string to send.
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> = query
        .iter()
        .map(|(name, value)| (percent_encode(name), percent_encode(value)))
        .collect();
    // Stable: values of a repeated name keep their order.
    encoded.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));

    let pairs: Vec<String> = encoded
        .into_iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    pairs.join("&")
}

/// The canonical header block and the signed-header list of a header set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalHeaders {
    /// `name:value\n` per header: lowercase names sorted, values trimmed, the
    /// values of a repeated header sorted and joined by `,`.
    pub block: String,
    /// The lowercase names, sorted, joined by `;`.
    pub signed_headers: String,
}

/// Groups, lowercases, trims and sorts `headers`.
pub fn canonical_headers(headers: &[(String, String)]) -> CanonicalHeaders {
    let mut grouped: Vec<(String, Vec<&str>)> = Vec::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        let value = value.trim();
        match grouped.iter_mut().find(|(seen, _)| *seen == name) {
            Some((_, values)) => values.push(value),
            None => grouped.push((name, vec![value])),
        }
    }
    grouped.sort_by(|a, b| a.0.cmp(&b.0));

    let mut block = String::new();
    for (name, values) in &mut grouped {
        values.sort_unstable();
        let _ = writeln!(block, "{name}:{}", values.join(","));
    }
    let names: Vec<&str> = grouped.iter().map(|(name, _)| name.as_str()).collect();
    CanonicalHeaders {
        block,
        signed_headers: names.join(";"),
    }
}

/// Lowercase hex SHA-256 of `bytes`: the payload hash and the hashed
/// canonical request.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The six parts joined by line breaks (the header block ends with its own).
pub fn canonical_request(request: &RequestToSign<'_>) -> (String, String) {
    let headers = canonical_headers(request.headers);
    let text = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method.as_str(),
        request.canonical_uri,
        canonical_query(request.query),
        headers.block,
        headers.signed_headers,
        request.hashed_payload
    );
    (text, headers.signed_headers)
}

/// `ACS3-HMAC-SHA256\n` + the hashed canonical request.
pub fn string_to_sign(hashed_canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{hashed_canonical_request}")
}

/// Lowercase hex HMAC-SHA256(`secret`, `string_to_sign`). Unlike 1.0, the
/// key is the secret alone, with no `&` appended.
pub fn hmac_sha256_hex(secret: &str, string_to_sign: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Signs one request.
pub fn sign(request: &RequestToSign<'_>, secret: &str) -> SignedV3 {
    let (canonical_request, signed_headers) = canonical_request(request);
    let hashed_canonical_request = sha256_hex(canonical_request.as_bytes());
    let string_to_sign = string_to_sign(&hashed_canonical_request);
    let signature = hmac_sha256_hex(secret, &string_to_sign);
    SignedV3 {
        canonical_request,
        hashed_canonical_request,
        string_to_sign,
        signed_headers,
        signature,
    }
}

/// The headers an RPC call carries under V3, all of them signed: `host`,
/// action and version, the stamp's time and nonce, the payload hash, and
/// with STS credentials the key id and token. `accept` asks for JSON, as
/// `Format=JSON` does under 1.0.
pub fn rpc_headers(
    host: &str,
    action: &str,
    version: &str,
    stamp: RequestStamp<'_>,
    hashed_payload: &str,
) -> Vec<(String, String)> {
    let mut headers = vec![
        ("accept".to_owned(), "application/json".to_owned()),
        ("host".to_owned(), host.to_owned()),
        ("x-acs-action".to_owned(), action.to_owned()),
        ("x-acs-content-sha256".to_owned(), hashed_payload.to_owned()),
        ("x-acs-date".to_owned(), format_timestamp(stamp.timestamp)),
        ("x-acs-signature-nonce".to_owned(), stamp.nonce.to_owned()),
        ("x-acs-version".to_owned(), version.to_owned()),
    ];
    if let Some(token) = stamp.security_token {
        headers.push((
            "x-acs-accesskey-id".to_owned(),
            stamp.access_key_id.to_owned(),
        ));
        headers.push((SECURITY_TOKEN_HEADER.to_owned(), token.to_owned()));
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn debug_masks_the_token_and_the_signature() {
        let headers = pairs(&[("host", "h"), (SECURITY_TOKEN_HEADER, "CAIS-token-value")]);
        let signed = sign(
            &RequestToSign {
                method: HttpMethod::Post,
                canonical_uri: "/",
                query: &[],
                headers: &headers,
                hashed_payload: &sha256_hex(b""),
            },
            "secret",
        );

        let debug = format!("{signed:?}");

        assert!(!debug.contains("CAIS-token-value"), "{debug}");
        assert!(!debug.contains(&signed.signature), "{debug}");
        assert!(debug.contains("host:h"), "{debug}");
    }

    #[test]
    fn header_values_are_trimmed_and_names_lowercased() {
        let headers = pairs(&[("X-Acs-B", "  two "), ("Host", "h"), ("x-acs-b", "one")]);
        let canonical = canonical_headers(&headers);
        assert_eq!(canonical.block, "host:h\nx-acs-b:one,two\n");
        assert_eq!(canonical.signed_headers, "host;x-acs-b");
    }
}
