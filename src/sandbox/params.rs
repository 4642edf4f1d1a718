//! The parameters of one RPC request, decoded from the query string and, for a
//! form POST, the body: the exact set the caller signed.
//!
//! Decoding is form decoding, as production's gateway does it: `+` is a space
//! and `%XX` a byte. The current official SDK (tea-openapi) writes a space as
//! `+` in the query while signing it as `%20`, and production accepts it; a
//! client that *signs* a space as `+` still fails, because the sandbox signs
//! the decoded space as `%20` (case bc-01). Knows nothing of signing or of the
//! actions.

use axum::http::{HeaderMap, Method, StatusCode, header};
use percent_encoding::percent_decode_str;

use super::api_error::ApiError;

/// Every `name=value` pair that arrived, in arrival order (query first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Decodes a request: the query for every method, plus the body when it is
    /// a form (`application/x-www-form-urlencoded`); other bodies are ignored,
    /// as RPC carries nothing else.
    pub fn from_request(
        method: &Method,
        query: Option<&str>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Params, ApiError> {
        let mut pairs = decode_pairs(query.unwrap_or_default())?;
        if method == Method::POST && is_form(headers) && !body.is_empty() {
            let body = std::str::from_utf8(body).map_err(|_| not_decodable("the form body"))?;
            pairs.extend(decode_pairs(body)?);
        }
        Ok(Params { pairs })
    }

    /// The query string's pairs only: what a V3 signature covers (a form
    /// body is covered by the payload hash instead).
    pub fn from_query(query: Option<&str>) -> Result<Params, ApiError> {
        let pairs = decode_pairs(query.unwrap_or_default())?;
        Ok(Params { pairs })
    }

    /// The first value given for `name`, if any.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }

    /// The first value given for `name`, unless absent or empty: the SDKs
    /// send unset optional parameters either way.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|value| !value.is_empty())
    }

    /// Every pair, for signing.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
}

/// `a=1&b=&c` → `[(a, 1), (b, ""), (c, "")]`; empty segments are skipped.
fn decode_pairs(encoded: &str) -> Result<Vec<(String, String)>, ApiError> {
    encoded
        .split('&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
            Ok((decode(name)?, decode(value)?))
        })
        .collect()
}

fn decode(component: &str) -> Result<String, ApiError> {
    let component = component.replace('+', " ");
    percent_decode_str(&component)
        .decode_utf8()
        .map(std::borrow::Cow::into_owned)
        .map_err(|_| not_decodable(&format!("`{component}`")))
}

fn not_decodable(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "InvalidParameter",
        format!("The request could not be decoded: {what} is not percent-encoded UTF-8."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8"
                .parse()
                .unwrap(),
        );
        headers
    }

    #[test]
    fn plus_and_percent_twenty_are_spaces_and_percent_2b_is_a_plus() {
        let params = Params::from_request(
            &Method::GET,
            Some("Marker=a%2Bb+c%20d%7E~&SignatureType=&Lone"),
            &HeaderMap::new(),
            b"",
        )
        .unwrap();
        assert_eq!(params.get("Marker"), Some("a+b c d~~"));
        assert_eq!(params.get("SignatureType"), Some(""));
        assert_eq!(params.non_empty("SignatureType"), None);
        assert_eq!(params.get("Lone"), Some(""));
    }

    #[test]
    fn form_posts_join_query_and_body() {
        let params = Params::from_request(
            &Method::POST,
            Some("Action=ListUsers"),
            &form_headers(),
            "UserName=%E8%BF%90%E7%BB%B4".as_bytes(),
        )
        .unwrap();
        assert_eq!(params.pairs().len(), 2);
        assert_eq!(params.get("UserName"), Some("运维"));
    }

    #[test]
    fn non_form_bodies_and_get_bodies_are_ignored() {
        let json = Params::from_request(&Method::POST, None, &HeaderMap::new(), b"{}").unwrap();
        assert!(json.pairs().is_empty());
        let get = Params::from_request(&Method::GET, None, &form_headers(), b"A=1").unwrap();
        assert!(get.pairs().is_empty());
    }

    #[test]
    fn invalid_utf8_is_refused() {
        let error =
            Params::from_request(&Method::GET, Some("UserName=%FF"), &HeaderMap::new(), b"")
                .unwrap_err();
        assert_eq!(error.code, "InvalidParameter");
    }
}
