//! The error envelope's fields (`Code`, `Message`, `RequestId`, `HostId`,
//! `Recommend`) read from a JSON object or an XML `<Error>` document.
//!
//! Names are matched in any letter case, since the official SDKs accept
//! both `Code` and `code`, and a body that carries both spellings is still
//! one envelope. Control characters are replaced, as the text is shown on
//! the terminal. Knows nothing of the calls or of the HTTP status.

use serde_json::{Map, Value};

/// The envelope's fields as text; each may be missing.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Envelope {
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
    pub host_id: Option<String>,
    pub recommend: Option<String>,
}

impl Envelope {
    /// From a JSON object; a string or a number counts, anything else does
    /// not (some gateways send numeric codes).
    pub fn from_json(object: &Map<String, Value>) -> Self {
        let field = |name: &str| {
            object
                .iter()
                .filter(|(key, _)| key.eq_ignore_ascii_case(name))
                .find_map(|(_, value)| scalar_text(value))
        };
        Self::read(field)
    }

    /// From an XML body whose root element is `<Error>`; `None` for any
    /// other body. The RequestId is read from any XML answer, since support
    /// asks for it even when the rest cannot be used.
    pub fn from_xml(body: &str) -> Option<Self> {
        let body = body.trim_start_matches('\u{feff}').trim_start();
        if !body.starts_with('<') {
            return None;
        }
        let envelope = if root_is_error(body) {
            Self::read(|name| element_text(body, name))
        } else {
            Self {
                request_id: element_text(body, "RequestId"),
                ..Self::default()
            }
        };
        Some(envelope)
    }

    fn read(field: impl Fn(&str) -> Option<String>) -> Self {
        let field = |name: &str| field(name).map(|text| printable(&text));
        let non_empty = |name: &str| field(name).filter(|text| !text.trim().is_empty());
        Self {
            code: non_empty("Code"),
            message: field("Message"),
            request_id: non_empty("RequestId"),
            host_id: non_empty("HostId"),
            recommend: non_empty("Recommend"),
        }
    }
}

/// Server text reaches the terminal and the TUI: control characters (an
/// escape sequence, a carriage return) become spaces.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Whether the first element, after any `<?xml ...?>` prolog and comments,
/// is `<Error>`.
fn root_is_error(body: &str) -> bool {
    let mut rest = body;
    loop {
        rest = rest.trim_start();
        let skip_to = if rest.starts_with("<?") {
            "?>"
        } else if rest.starts_with("<!--") {
            "-->"
        } else {
            break;
        };
        match rest.find(skip_to) {
            Some(end) => rest = &rest[end + skip_to.len()..],
            None => return false,
        }
    }
    let name_end = rest
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '>' || *c == '/' || c.is_whitespace())
        .map_or(rest.len(), |(at, _)| at);
    rest.get(1..name_end)
        .is_some_and(|name| name.eq_ignore_ascii_case("Error"))
}

/// The text of the first `<name>...</name>` element (any letter case), with
/// the five predefined entities and a CDATA wrapper undone.
fn element_text(body: &str, name: &str) -> Option<String> {
    // ASCII lowercasing keeps every byte offset, so offsets found in
    // `lower` index `body` too.
    let lower = body.to_ascii_lowercase();
    let open = format!("<{}>", name.to_ascii_lowercase());
    let close = format!("</{}>", name.to_ascii_lowercase());
    let start = lower.find(&open)? + open.len();
    let end = start + lower[start..].find(&close)?;
    Some(unescape(body[start..end].trim()))
}

fn unescape(raw: &str) -> String {
    if let Some(inner) = raw
        .strip_prefix("<![CDATA[")
        .and_then(|rest| rest.strip_suffix("]]>"))
    {
        return inner.to_owned();
    }
    raw.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(body: &str) -> Envelope {
        let value: Value = serde_json::from_str(body).unwrap();
        Envelope::from_json(value.as_object().unwrap())
    }

    #[test]
    fn json_fields_are_read_in_any_case_and_both_spellings_at_once() {
        let envelope = json(
            r#"{"Code":"Throttling.User","code":"Throttling.User","message":"slow",
                "RequestId":"R-1","requestId":"R-1","hostid":"ram.aliyuncs.com"}"#,
        );
        assert_eq!(envelope.code.as_deref(), Some("Throttling.User"));
        assert_eq!(envelope.message.as_deref(), Some("slow"));
        assert_eq!(envelope.request_id.as_deref(), Some("R-1"));
        assert_eq!(envelope.host_id.as_deref(), Some("ram.aliyuncs.com"));
    }

    #[test]
    fn numbers_count_and_other_json_values_do_not() {
        let envelope = json(r#"{"Code":404,"Message":{"text":"x"},"RequestId":null}"#);
        assert_eq!(envelope.code.as_deref(), Some("404"));
        assert_eq!(envelope.message, None);
        assert_eq!(envelope.request_id, None);
        assert_eq!(
            json(r#"{"Code":""}"#).code,
            None,
            "an empty code is no code"
        );
    }

    #[test]
    fn control_characters_cannot_reach_the_terminal() {
        let envelope = json(r#"{"Code":"X\u001b]0;pwned\u0007","Message":"a\u001b[2J\r\nb"}"#);
        assert_eq!(envelope.code.as_deref(), Some("X ]0;pwned "));
        assert_eq!(envelope.message.as_deref(), Some("a [2J  b"));
    }

    #[test]
    fn an_xml_error_document_is_read_with_its_entities_undone() {
        let body = "<?xml version='1.0'?>\n<!-- gateway -->\n<Error><RequestId>R-X</RequestId>\
            <Code>InvalidParameter</Code><Message><![CDATA[a <b> & c]]></Message>\
            <Recommend>https://x?q=1&amp;p=Ram</Recommend></Error>";
        let envelope = Envelope::from_xml(body).unwrap();
        assert_eq!(envelope.code.as_deref(), Some("InvalidParameter"));
        assert_eq!(envelope.message.as_deref(), Some("a <b> & c"));
        assert_eq!(envelope.request_id.as_deref(), Some("R-X"));
        assert_eq!(envelope.recommend.as_deref(), Some("https://x?q=1&p=Ram"));
    }

    #[test]
    fn other_xml_gives_its_request_id_only_and_html_gives_nothing() {
        let answer =
            "<ListUsersResponse><RequestId>R-L</RequestId><Code>c</Code></ListUsersResponse>";
        let envelope = Envelope::from_xml(answer).unwrap();
        assert_eq!(envelope.request_id.as_deref(), Some("R-L"));
        assert_eq!(envelope.code, None, "only an <Error> root is an error");

        let page = Envelope::from_xml("<html><body>502 Bad Gateway</body></html>").unwrap();
        assert_eq!(page, Envelope::default());
        assert_eq!(Envelope::from_xml("plain text"), None);
        assert_eq!(
            Envelope::from_xml("<?xml unterminated").unwrap(),
            Envelope::default()
        );
    }
}
