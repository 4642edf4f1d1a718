//! The typed IMS 2019-08-15 calls ramkey makes: the credential report
//! (GenerateCredentialReport, GetCredentialReport), which lists every user's
//! keys and their last use in a few calls instead of several per user.
//!
//! Both only read the account. This file decodes the envelope (State, the
//! Base64 `Content`, `NextToken`); the CSV inside is read by
//! `crate::scan::report`. Knows nothing of the UI, the scan, the rotation
//! engine or the state file.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

use super::client::{Call, Client};
use super::endpoints::{self, Service};
use super::error::{CloudError, UnexpectedBody};
use super::lenient::parse_date;
use super::model::{CredentialReportPage, ReportGeneration};
use super::response::Reply;

const GENERATE: &str = "GenerateCredentialReport";
const GET: &str = "GetCredentialReport";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GenerateCredentialReport {
    state: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetCredentialReport {
    generated_time: String,
    content: String,
    // Servers from before paging (2023-09) send neither field.
    #[serde(default, deserialize_with = "flag_or_text")]
    is_truncated: bool,
    #[serde(default)]
    next_token: Option<String>,
}

impl Client {
    /// GenerateCredentialReport: asks for a fresh report, or learns how far
    /// the one being made is. Call it again until [`ReportGeneration::Completed`].
    pub async fn generate_credential_report(&self) -> Result<ReportGeneration, CloudError> {
        let reply: Reply<GenerateCredentialReport> = self.call(Call::ims(GENERATE)).await?;
        match reply.value.state.as_str() {
            "STARTED" => Ok(ReportGeneration::Started),
            "INPROGRESS" => Ok(ReportGeneration::InProgress),
            "COMPLETED" => Ok(ReportGeneration::Completed),
            other => Err(unexpected(
                self,
                GENERATE,
                &reply.request_id,
                format!(
                    "State {other:?} is none of STARTED, INPROGRESS, COMPLETED, so ramkey \
                     cannot tell whether the report is ready"
                ),
            )),
        }
    }

    /// GetCredentialReport: one page of the report, its CSV decoded. Pass
    /// the previous page's `next_token` back as is (`None` for the first).
    pub async fn get_credential_report(
        &self,
        next_token: Option<&str>,
    ) -> Result<CredentialReportPage, CloudError> {
        let call = Call::ims(GET).optional("NextToken", next_token);
        let reply: Reply<GetCredentialReport> = self.call(call).await?;
        let request_id = reply.request_id;
        let page = reply.value;
        let refuse = |problem: String| unexpected(self, GET, &request_id, problem);

        let generated_at = parse_date(&page.generated_time).ok_or_else(|| {
            refuse(format!(
                "GeneratedTime {:?} is not a time like 2020-10-19T15:06:52Z",
                page.generated_time
            ))
        })?;
        let csv = decode_content(&page.content).map_err(refuse)?;
        Ok(CredentialReportPage {
            generated_at,
            csv,
            is_truncated: page.is_truncated,
            next_token: page.next_token.filter(|token| !token.is_empty()),
        })
    }
}

/// `IsTruncated`: the API reference types it as a string (`"true"`), so
/// both a JSON boolean and its text are read.
fn flag_or_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    match Option::<Flag>::deserialize(deserializer)? {
        None => Ok(false),
        Some(Flag::Bool(flag)) => Ok(flag),
        Some(Flag::Text(text)) => match text.trim() {
            t if t.eq_ignore_ascii_case("true") => Ok(true),
            t if t.eq_ignore_ascii_case("false") || t.is_empty() => Ok(false),
            other => Err(D::Error::custom(format!(
                "IsTruncated {other:?} is neither true nor false"
            ))),
        },
    }
}

/// `Content` is Base64 of UTF-8 CSV text; line breaks inside the Base64
/// (as some encoders wrap it) are ignored.
fn decode_content(content: &str) -> Result<String, String> {
    let compact: String = content
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let bytes = STANDARD
        .decode(compact)
        .map_err(|error| format!("Content is not Base64 ({error})"))?;
    String::from_utf8(bytes).map_err(|error| {
        format!(
            "Content decodes to bytes that are not UTF-8 text (at byte {})",
            error.utf8_error().valid_up_to()
        )
    })
}

fn unexpected(client: &Client, action: &str, request_id: &str, problem: String) -> CloudError {
    UnexpectedBody {
        action: action.to_owned(),
        endpoint: endpoints::label(client.endpoints().url(Service::Ims)).to_owned(),
        http_status: 200,
        request_id: Some(request_id.to_owned()),
        problem,
        body_start: String::new(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_base64_of_utf8_text_wrapped_or_not() {
        let encoded = STANDARD.encode("user,user_creation_time\n<root>,-\n");
        assert_eq!(
            decode_content(&encoded).unwrap(),
            "user,user_creation_time\n<root>,-\n"
        );
        let (head, tail) = encoded.split_at(8);
        assert_eq!(
            decode_content(&format!("{head}\r\n{tail}\n")).unwrap(),
            "user,user_creation_time\n<root>,-\n"
        );
    }

    #[test]
    fn is_truncated_is_read_as_a_boolean_or_its_text() {
        let page = |is_truncated: &str| {
            let body =
                format!(r#"{{"GeneratedTime":"2020-10-19T15:06:52Z","Content":""{is_truncated}}}"#);
            serde_json::from_str::<GetCredentialReport>(&body).map(|page| page.is_truncated)
        };
        assert!(page(r#","IsTruncated":"true""#).unwrap());
        assert!(page(r#","IsTruncated":true"#).unwrap());
        assert!(!page(r#","IsTruncated":"false""#).unwrap());
        assert!(!page(r#","IsTruncated":null"#).unwrap());
        assert!(
            !page("").unwrap(),
            "servers before paging send no IsTruncated"
        );
        let error = page(r#","IsTruncated":"maybe""#).unwrap_err();
        assert!(
            error.to_string().contains("neither true nor false"),
            "{error}"
        );
    }

    #[test]
    fn content_that_is_not_base64_or_not_text_is_refused() {
        let problem = decode_content("not base64 at all!").unwrap_err();
        assert!(problem.contains("not Base64"), "{problem}");
        let problem = decode_content(&STANDARD.encode([b'a', 0xff, 0xfe])).unwrap_err();
        assert!(problem.contains("not UTF-8"), "{problem}");
        assert!(problem.contains("byte 1"), "{problem}");
    }
}
