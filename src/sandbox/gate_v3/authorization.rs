//! Reads the `Authorization` header of a V3 request:
//! `ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<a;b;...>,Signature=<hex>`.
//!
//! Anything that is not exactly these three parts, each once and not empty,
//! is `IncompleteSignature`; another `ACS3-` algorithm is
//! `InvalidSignatureMethod`. Knows nothing of the account or the headers'
//! values.

use axum::http::StatusCode;

use crate::cloud::sign_v3::ALGORITHM;

use super::super::api_error::ApiError;

/// The prefix that marks a request as V3-signed (any ACS3 algorithm).
pub const V3_PREFIX: &str = "ACS3-";

/// The three parts of a well-formed V3 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// `Credential`: the AccessKey ID that signed.
    pub credential: &'a str,
    /// `SignedHeaders`, lowercased, in the order given.
    pub signed_headers: Vec<String>,
    /// `Signature`: lowercase hex.
    pub signature: &'a str,
}

impl<'a> Authorization<'a> {
    /// Parses the header's value.
    pub fn parse(value: &'a str) -> Result<Self, ApiError> {
        let (algorithm, rest) = value
            .trim()
            .split_once(' ')
            .ok_or_else(|| incomplete("it has no Credential, SignedHeaders or Signature"))?;
        if algorithm != ALGORITHM {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "InvalidSignatureMethod",
                format!(
                    "Specified signature method is not valid: {algorithm} (the sandbox \
                     verifies {ALGORITHM})."
                ),
            ));
        }

        let mut parts = Parts::default();
        for part in rest.split(',') {
            parts.take(part.trim())?;
        }
        parts.finish()
    }
}

/// The parts seen so far.
#[derive(Default)]
struct Parts<'a> {
    credential: Option<&'a str>,
    signed_headers: Option<&'a str>,
    signature: Option<&'a str>,
}

impl<'a> Parts<'a> {
    fn take(&mut self, part: &'a str) -> Result<(), ApiError> {
        let (name, value) = part
            .split_once('=')
            .ok_or_else(|| incomplete(&format!("`{part}` is not name=value")))?;
        let slot = match name {
            "Credential" => &mut self.credential,
            "SignedHeaders" => &mut self.signed_headers,
            "Signature" => &mut self.signature,
            other => return Err(incomplete(&format!("`{other}` is not one of its parts"))),
        };
        if slot.is_some() {
            return Err(incomplete(&format!("{name} is given twice")));
        }
        if value.is_empty() {
            return Err(incomplete(&format!("{name} is empty")));
        }
        *slot = Some(value);
        Ok(())
    }

    fn finish(self) -> Result<Authorization<'a>, ApiError> {
        let credential = self
            .credential
            .ok_or_else(|| incomplete("Credential is missing"))?;
        let signed_headers = self
            .signed_headers
            .ok_or_else(|| incomplete("SignedHeaders is missing"))?;
        let signature = self
            .signature
            .ok_or_else(|| incomplete("Signature is missing"))?;

        let names: Vec<String> = signed_headers
            .split(';')
            .map(str::to_ascii_lowercase)
            .collect();
        if names.iter().any(String::is_empty) {
            return Err(incomplete("SignedHeaders has an empty name"));
        }
        Ok(Authorization {
            credential,
            signed_headers: names,
            signature,
        })
    }
}

/// 400 `IncompleteSignature`, saying what is wrong.
pub fn incomplete(problem: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "IncompleteSignature",
        format!("The request signature does not conform to Aliyun standards: {problem}."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sdk_form_is_read_whole() {
        let parsed = Authorization::parse(
            "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;X-Acs-Date,Signature=abc",
        )
        .unwrap();
        assert_eq!(parsed.credential, "testid");
        assert_eq!(parsed.signed_headers, ["host", "x-acs-date"]);
        assert_eq!(parsed.signature, "abc");
    }

    #[test]
    fn spaces_after_commas_are_tolerated() {
        let parsed =
            Authorization::parse("ACS3-HMAC-SHA256 Credential=id, SignedHeaders=host, Signature=f")
                .unwrap();
        assert_eq!(parsed.signed_headers, ["host"]);
    }

    #[test]
    fn malformed_headers_are_incomplete_signatures() {
        for value in [
            "ACS3-HMAC-SHA256",
            "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host",
            "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host,Signature=",
            "ACS3-HMAC-SHA256 Credential=id,Credential=id,SignedHeaders=host,Signature=f",
            "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host;;x-acs-date,Signature=f",
            "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host,Signature=f,Region=x",
            "ACS3-HMAC-SHA256 Credential id,SignedHeaders=host,Signature=f",
        ] {
            let error = Authorization::parse(value).unwrap_err();
            assert_eq!(error.code, "IncompleteSignature", "{value}");
        }
    }

    #[test]
    fn other_acs3_algorithms_are_an_invalid_method() {
        let error =
            Authorization::parse("ACS3-HMAC-SM3 Credential=id,SignedHeaders=host,Signature=f")
                .unwrap_err();
        assert_eq!(error.code, "InvalidSignatureMethod");
    }
}
