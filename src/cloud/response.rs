//! Turns one HTTP answer into the decoded reply or the one typed error:
//! the error envelope (JSON or XML, names in any letter case, on any
//! status), or a readable report of a body that is not the expected JSON.
//!
//! Also owns [`Redactor`], which keeps ramkey's secret and STS token, and the
//! call's signature, out of every server text that ends up in an error.
//! Knows nothing of the actions.

mod envelope;
mod excerpt;
#[cfg(test)]
mod properties;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{ApiError, CloudError, UnexpectedBody};
use super::sign::percent_encode;
use super::transport::{MAX_BODY_BYTES, WireResponse};
use crate::secret::Secret;
use envelope::Envelope;
use excerpt::{body_start, scan_request_id};

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

/// What a non-JSON page with `<` markup most likely is.
const MARKUP_PROBLEM: &str =
    "the body is HTML or XML, not JSON (often a proxy's or gateway's error page)";

/// Codes some services put on a *successful* answer.
const SUCCESS_CODES: [&str; 3] = ["OK", "Success", "200"];

/// Decodes `response` as `T`, or says exactly why it cannot.
pub(crate) fn decode<T: DeserializeOwned>(
    response: &WireResponse,
    context: &CallContext<'_>,
) -> Result<Reply<T>, CloudError> {
    if response.too_long {
        return Err(too_long(response, context));
    }
    let body = without_byte_order_mark(&response.body);
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => return Err(not_json(response, context, &error)),
    };
    let Some(object) = value.as_object() else {
        let problem = "the body is JSON but not the expected object";
        return Err(unexpected(response, context, None, problem));
    };

    let envelope = Envelope::from_json(object);
    let success = (200..300).contains(&response.status);
    match &envelope.code {
        Some(code) if !success || !is_success_code(code) => {
            Err(api_error(response, context, envelope))
        }
        _ if !success => Err(unexpected(
            response,
            context,
            envelope.request_id,
            "an error status without an error Code",
        )),
        _ => decode_success(response, context, envelope.request_id, value),
    }
}

fn too_long(response: &WireResponse, context: &CallContext<'_>) -> CloudError {
    let problem = format!(
        "the answer is longer than {} MiB, far more than any RAM or STS answer, \
         so ramkey stopped reading it",
        MAX_BODY_BYTES >> 20
    );
    let request_id = scan_request_id(&response.body);
    unexpected(response, context, request_id, &problem)
}

fn without_byte_order_mark(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

fn decode_success<T: DeserializeOwned>(
    response: &WireResponse,
    context: &CallContext<'_>,
    request_id: Option<String>,
    value: Value,
) -> Result<Reply<T>, CloudError> {
    let Some(request_id) = request_id else {
        return Err(unexpected(
            response,
            context,
            None,
            "the answer has no RequestId",
        ));
    };
    match serde_json::from_value(value) {
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

/// A body that is not JSON: an XML error envelope is still the service's
/// error; anything else is reported as what it looks like.
fn not_json(
    response: &WireResponse,
    context: &CallContext<'_>,
    error: &serde_json::Error,
) -> CloudError {
    let text = String::from_utf8_lossy(&response.body);
    match Envelope::from_xml(&text) {
        Some(envelope) if envelope.code.is_some() => api_error(response, context, envelope),
        Some(envelope) => unexpected(response, context, envelope.request_id, MARKUP_PROBLEM),
        None => {
            let request_id = scan_request_id(&response.body);
            unexpected(
                response,
                context,
                request_id,
                &not_json_problem(response, error),
            )
        }
    }
}

fn not_json_problem(response: &WireResponse, error: &serde_json::Error) -> String {
    let html = response
        .content_type
        .as_deref()
        .is_some_and(|kind| kind.contains("html") || kind.contains("xml"));
    if response.body.trim_ascii().is_empty() {
        "the body is empty".to_owned()
    } else if html {
        MARKUP_PROBLEM.to_owned()
    } else if error.is_eof() {
        format!("the JSON is cut short ({error})")
    } else {
        format!("the body is not JSON ({error})")
    }
}

fn api_error(response: &WireResponse, context: &CallContext<'_>, envelope: Envelope) -> CloudError {
    let code = envelope.code.unwrap_or_default();
    let own_string_to_sign =
        (code == "SignatureDoesNotMatch").then(|| context.redactor.redact(context.string_to_sign));
    let message = envelope.message.unwrap_or_default();
    ApiError {
        code,
        message: context.redactor.redact(&message),
        request_id: envelope.request_id.or_else(|| response.request_id.clone()),
        http_status: response.status,
        host_id: envelope.host_id,
        recommend: envelope.recommend,
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
        problem: context.redactor.redact(problem),
        body_start: context.redactor.redact(&body_start(&response.body)),
    }
    .into()
}

/// Removes ramkey's secret and STS token, and a call's signature, from texts
/// that came back from the server or were built from the signed pairs, in
/// every encoding they can appear in there (raw, percent-encoded once, and
/// twice in a string to sign).
#[derive(Debug, Clone)]
pub(crate) struct Redactor {
    forms: Vec<Secret>,
}

impl Redactor {
    pub fn new(secrets: &[&Secret]) -> Self {
        let mut redactor = Self { forms: Vec::new() };
        for secret in secrets {
            redactor.add(secret.expose());
        }
        redactor
    }

    /// This redactor and one more value: the signature of the call whose
    /// answer is being read (a page that quotes the request shows it, and it
    /// can be replayed while its timestamp is fresh).
    pub fn with(&self, value: &str) -> Self {
        let mut redactor = self.clone();
        redactor.add(value);
        redactor
    }

    fn add(&mut self, raw: &str) {
        let once = percent_encode(raw);
        let twice = percent_encode(&once);
        for form in [twice, once, raw.to_owned()] {
            if !form.is_empty() && !self.forms.iter().any(|known| known.expose() == form) {
                self.forms.push(Secret::new(form));
            }
        }
        // Longest first, so no form is left half-replaced by a shorter one.
        self.forms
            .sort_by_key(|form| std::cmp::Reverse(form.expose().len()));
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
    use serde::Deserialize;

    use super::*;

    fn response(status: u16, content_type: &str, body: &str) -> WireResponse {
        WireResponse {
            status,
            content_type: Some(content_type.to_owned()),
            date: Some("Tue, 02 Jan 2024 03:24:05 GMT".to_owned()),
            request_id: None,
            body: body.as_bytes().to_vec().into(),
            too_long: false,
            retry_after: None,
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
    fn both_spellings_of_a_field_in_one_body_are_still_one_envelope() {
        let body = r#"{"Code":"Throttling.User","code":"Throttling.User","RequestId":"R-2","requestId":"R-2"}"#;
        let error = decode_with::<Wanted>(&response(400, "application/json", body), &no_secrets())
            .unwrap_err();
        assert_eq!(error.code(), Some("Throttling.User"), "{error:?}");
        assert_eq!(error.request_id(), Some("R-2"));
    }

    #[test]
    fn a_byte_order_mark_before_the_json_is_skipped() {
        let body = "\u{feff}{\"RequestId\":\"R\",\"Users\":{}}";
        let reply =
            decode_with::<Wanted>(&response(200, "application/json", body), &no_secrets()).unwrap();
        assert_eq!(reply.request_id, "R");
    }

    #[test]
    fn a_lowercase_request_id_is_found_in_a_body_cut_short() {
        let body = r#"{"requestId":"R-4","code":"Thrott"#;
        let error = decode_with::<Wanted>(&response(400, "application/json", body), &no_secrets())
            .unwrap_err();
        assert!(error.to_string().contains("cut short"), "{error}");
        assert_eq!(error.request_id(), Some("R-4"));
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
