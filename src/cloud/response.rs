//! Turns one HTTP answer into the decoded reply or the one typed error:
//! the error envelope (read case-tolerantly, on any status), or a readable
//! report of a body that is not the expected JSON.
//!
//! Also owns [`Redactor`], which keeps ramkey's secret and STS token out of
//! every server text that ends up in an error. Knows nothing of the actions.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::{ApiError, CloudError, UnexpectedBody};
use super::sign::percent_encode;
use super::transport::WireResponse;
use crate::secret::Secret;

/// How much of a bad body an error shows.
const BODY_START_BYTES: usize = 200;

/// A decoded success, with the `RequestId` every RAM and STS answer carries.
#[derive(Debug)]
pub(crate) struct Reply<T> {
    pub value: T,
    pub request_id: String,
}

/// What the decoder needs to know about the call that was made.
pub(crate) struct CallContext<'a> {
    pub action: &'a str,
    pub endpoint: &'a str,
    /// The `Timestamp` that was signed.
    pub sent_at: DateTime<Utc>,
    /// ramkey's own string to sign, kept on `SignatureDoesNotMatch`.
    pub string_to_sign: &'a str,
    pub redactor: &'a Redactor,
}

/// The envelope's fields, under the spellings the official SDKs accept.
/// Everything else in the body is skipped unread.
#[derive(Debug, Default, Deserialize)]
struct Envelope {
    #[serde(rename = "Code", alias = "code")]
    code: Option<Scalar>,
    #[serde(rename = "Message", alias = "message")]
    message: Option<Scalar>,
    #[serde(rename = "RequestId", alias = "requestId", alias = "requestid")]
    request_id: Option<Scalar>,
    #[serde(rename = "HostId", alias = "hostId", alias = "hostid")]
    host_id: Option<Scalar>,
    #[serde(rename = "Recommend", alias = "recommend")]
    recommend: Option<Scalar>,
}

/// A string or number field, as text (some gateways send numeric codes).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Number(serde_json::Number),
    Other(serde::de::IgnoredAny),
}

impl Scalar {
    fn into_text(self) -> Option<String> {
        match self {
            Scalar::Text(text) => Some(text),
            Scalar::Number(number) => Some(number.to_string()),
            Scalar::Other(_) => None,
        }
    }
}

/// Codes some services put on a *successful* answer.
const SUCCESS_CODES: [&str; 3] = ["OK", "Success", "200"];

/// Decodes `response` as `T`, or says exactly why it cannot.
pub(crate) fn decode<T: DeserializeOwned>(
    response: &WireResponse,
    context: &CallContext<'_>,
) -> Result<Reply<T>, CloudError> {
    let envelope: Envelope = serde_json::from_slice(&response.body).map_err(|error| {
        let request_id = scan_request_id(&response.body);
        unexpected(response, context, request_id, &unreadable(response, &error))
    })?;
    let code = envelope
        .code
        .and_then(Scalar::into_text)
        .filter(|c| !c.is_empty());
    let request_id = envelope.request_id.and_then(Scalar::into_text);
    let success = (200..300).contains(&response.status);

    match code {
        Some(code) if !success || !is_success_code(&code) => Err(api_error(
            response,
            context,
            code,
            request_id,
            envelope.message,
            envelope.host_id,
            envelope.recommend,
        )),
        _ if !success => Err(unexpected(
            response,
            context,
            request_id,
            "an error status without an error Code",
        )),
        _ => decode_success(response, context, request_id),
    }
}

fn decode_success<T: DeserializeOwned>(
    response: &WireResponse,
    context: &CallContext<'_>,
    request_id: Option<String>,
) -> Result<Reply<T>, CloudError> {
    let Some(request_id) = request_id.filter(|id| !id.is_empty()) else {
        return Err(unexpected(
            response,
            context,
            None,
            "the answer has no RequestId",
        ));
    };
    match serde_json::from_slice(&response.body) {
        Ok(value) => Ok(Reply { value, request_id }),
        Err(error) => Err(unexpected(
            response,
            context,
            Some(request_id),
            &format!("the answer lacks expected fields ({error})"),
        )),
    }
}

fn is_success_code(code: &str) -> bool {
    SUCCESS_CODES.iter().any(|ok| ok.eq_ignore_ascii_case(code))
}

fn api_error(
    response: &WireResponse,
    context: &CallContext<'_>,
    code: String,
    request_id: Option<String>,
    message: Option<Scalar>,
    host_id: Option<Scalar>,
    recommend: Option<Scalar>,
) -> CloudError {
    let message = message.and_then(Scalar::into_text).unwrap_or_default();
    let own_string_to_sign =
        (code == "SignatureDoesNotMatch").then(|| context.redactor.redact(context.string_to_sign));
    ApiError {
        code,
        message: context.redactor.redact(&message),
        request_id: request_id.or_else(|| response.request_id.clone()),
        http_status: response.status,
        host_id: host_id.and_then(Scalar::into_text),
        recommend: recommend.and_then(Scalar::into_text),
        action: context.action.to_owned(),
        endpoint: context.endpoint.to_owned(),
        server_date: response.date.as_deref().and_then(parse_http_date),
        sent_at: Some(context.sent_at),
        own_string_to_sign,
    }
    .into()
}

fn parse_http_date(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(raw)
        .ok()
        .map(|date| date.with_timezone(&Utc))
}

fn unreadable(response: &WireResponse, error: &serde_json::Error) -> String {
    let trimmed = response.body.trim_ascii_start();
    let html = response
        .content_type
        .as_deref()
        .is_some_and(|kind| kind.contains("html") || kind.contains("xml"));
    if trimmed.is_empty() {
        "the body is empty".to_owned()
    } else if html || trimmed.starts_with(b"<") {
        "the body is HTML or XML, not JSON (often a proxy's or gateway's error page)".to_owned()
    } else if error.is_eof() {
        format!("the JSON is cut short ({error})")
    } else if error.is_data() {
        format!("the body is JSON but not the expected object ({error})")
    } else {
        format!("the body is not JSON ({error})")
    }
}

/// Finds `"RequestId":"..."` in a body that does not parse as a whole
/// (cut short, say), since the RequestId is what support asks for.
fn scan_request_id(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let start = text.find("\"RequestId\"")? + "\"RequestId\"".len();
    let value = text[start..].trim_start().strip_prefix(':')?.trim_start();
    let value = value.strip_prefix('"')?;
    let end = value.find('"')?;
    let id = &value[..end];
    let plausible = !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    plausible.then(|| id.to_owned())
}

fn unexpected(
    response: &WireResponse,
    context: &CallContext<'_>,
    request_id: Option<String>,
    problem: &str,
) -> CloudError {
    UnexpectedBody {
        action: context.action.to_owned(),
        endpoint: context.endpoint.to_owned(),
        http_status: response.status,
        request_id: request_id.or_else(|| response.request_id.clone()),
        problem: problem.to_owned(),
        body_start: context.redactor.redact(&body_start(&response.body)),
    }
    .into()
}

/// The first bytes of a body, printable, with secret-looking values masked
/// (a cut-short CreateAccessKey answer may hold the new secret).
fn body_start(body: &[u8]) -> String {
    let cut = &body[..body.len().min(BODY_START_BYTES)];
    let text: String = String::from_utf8_lossy(cut)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    mask_sensitive_values(text.trim())
}

/// Replaces the string value of any JSON key naming a secret or a token.
fn mask_sensitive_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    let mut last_string = String::new();
    let mut mask_next = false;

    while let Some(c) = chars.next() {
        if c == '"' {
            let (content, closed) = read_json_string(&mut chars);
            out.push('"');
            out.push_str(if mask_next { "***" } else { &content });
            if closed {
                out.push('"');
            }
            mask_next = false;
            last_string = content;
            continue;
        }
        if c == ':' {
            let key = last_string.to_ascii_lowercase();
            mask_next = key.contains("secret") || key.contains("token");
        } else if !c.is_whitespace() {
            mask_next = false;
        }
        if !c.is_whitespace() {
            last_string.clear();
        }
        out.push(c);
    }
    out
}

/// Reads up to the closing quote; says whether there was one.
fn read_json_string(chars: &mut std::str::Chars<'_>) -> (String, bool) {
    let mut content = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return (content, true),
            '\\' => {
                content.push(c);
                content.extend(chars.next());
            }
            _ => content.push(c),
        }
    }
    (content, false)
}

/// Removes ramkey's secret and STS token from texts that came back from the
/// server or were built from the signed pairs, in every encoding they can
/// appear in there (raw, percent-encoded once, and twice in a string to sign).
#[derive(Debug, Clone)]
pub(crate) struct Redactor {
    forms: Vec<Secret>,
}

impl Redactor {
    pub fn new(secrets: &[&Secret]) -> Self {
        let mut forms: Vec<Secret> = Vec::new();
        for secret in secrets {
            let raw = secret.expose();
            let once = percent_encode(raw);
            let twice = percent_encode(&once);
            for form in [twice, once, raw.to_owned()] {
                if !form.is_empty() && !forms.iter().any(|known| known.expose() == form) {
                    forms.push(Secret::new(form));
                }
            }
        }
        // Longest first, so no form is left half-replaced by a shorter one.
        forms.sort_by_key(|form| std::cmp::Reverse(form.expose().len()));
        Self { forms }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for form in &self.forms {
            if out.contains(form.expose()) {
                out = out.replace(form.expose(), "[redacted]");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, content_type: &str, body: &str) -> WireResponse {
        WireResponse {
            status,
            content_type: Some(content_type.to_owned()),
            date: Some("Tue, 02 Jan 2024 03:24:05 GMT".to_owned()),
            request_id: None,
            body: body.as_bytes().to_vec(),
        }
    }

    fn decode_with<T: DeserializeOwned>(
        response: &WireResponse,
        redactor: &Redactor,
    ) -> Result<Reply<T>, CloudError> {
        let context = CallContext {
            action: "ListUsers",
            endpoint: "http://127.0.0.1:1",
            sent_at: DateTime::parse_from_rfc3339("2024-01-02T03:04:05Z")
                .unwrap()
                .with_timezone(&Utc),
            string_to_sign: "POST&%2F&x",
            redactor,
        };
        decode(response, &context)
    }

    #[derive(Debug, Deserialize)]
    struct Wanted {
        #[serde(rename = "Users")]
        #[expect(dead_code, reason = "only its presence is decoded")]
        users: serde_json::Value,
    }

    fn no_secrets() -> Redactor {
        Redactor::new(&[])
    }

    #[test]
    fn lowercase_envelope_names_are_read_too() {
        let body = r#"{"code":"Throttling.User","message":"slow down","requestId":"R-9"}"#;
        let error = decode_with::<Wanted>(&response(400, "application/json", body), &no_secrets())
            .unwrap_err();
        let api = error.api().unwrap();
        assert_eq!(api.code, "Throttling.User");
        assert_eq!(api.message, "slow down");
        assert_eq!(api.request_id.as_deref(), Some("R-9"));
        assert_eq!(
            api.server_date.unwrap().to_rfc3339(),
            "2024-01-02T03:24:05+00:00"
        );
    }

    #[test]
    fn a_success_status_with_an_error_code_is_an_error() {
        let body = r#"{"RequestId":"R","Code":"InternalError","Message":"oops"}"#;
        let error = decode_with::<Wanted>(&response(200, "application/json", body), &no_secrets())
            .unwrap_err();
        assert_eq!(error.code(), Some("InternalError"));
        assert_eq!(error.api().unwrap().http_status, 200);
    }

    #[test]
    fn a_success_code_on_a_full_answer_is_a_success() {
        let body = r#"{"RequestId":"R","Code":"OK","Users":{}}"#;
        let reply =
            decode_with::<Wanted>(&response(200, "application/json", body), &no_secrets()).unwrap();
        assert_eq!(reply.request_id, "R");
    }

    #[test]
    fn an_error_status_without_a_code_is_reported_with_its_status() {
        let body = r#"{"RequestId":"R-3"}"#;
        let error = decode_with::<Wanted>(&response(502, "application/json", body), &no_secrets())
            .unwrap_err();
        let text = error.to_string();
        assert!(text.contains("without an error Code"), "{text}");
        assert!(text.contains("HTTP 502"), "{text}");
        assert_eq!(error.request_id(), Some("R-3"));
    }

    #[test]
    fn json_that_is_not_an_object_is_reported() {
        let error =
            decode_with::<Wanted>(&response(200, "application/json", "[1,2]"), &no_secrets())
                .unwrap_err();
        assert!(
            error.to_string().contains("not the expected object"),
            "{error}"
        );
    }

    #[test]
    fn secret_values_are_masked_in_the_body_start() {
        let masked = mask_sensitive_values(
            r#"{"AccessKey":{"AccessKeyId":"LTAI1","AccessKeySecret": "PupkTg8jdmau1cX"#,
        );
        assert_eq!(
            masked,
            r#"{"AccessKey":{"AccessKeyId":"LTAI1","AccessKeySecret": "***"#
        );
        let masked = mask_sensitive_values(r#"{"SecurityToken":"CAIS","Note":"a \"q\" b"}"#);
        assert_eq!(masked, r#"{"SecurityToken":"***","Note":"a \"q\" b"}"#);
    }

    #[test]
    fn the_redactor_removes_every_encoding_of_the_token() {
        let token = Secret::new("CAIS+ab/cd==");
        let redactor = Redactor::new(&[&token]);
        let text = "raw CAIS+ab/cd== once CAIS%2Bab%2Fcd%3D%3D twice CAIS%252Bab%252Fcd%253D%253D";
        assert_eq!(
            redactor.redact(text),
            "raw [redacted] once [redacted] twice [redacted]"
        );
    }
}
