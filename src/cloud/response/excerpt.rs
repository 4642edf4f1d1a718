//! The part of a bad body that an error may show: its first ~200 bytes,
//! printable, with the value of any JSON key or XML element naming a secret
//! or a token masked (a cut-short or XML CreateAccessKey answer holds the new
//! secret). Also digs the RequestId out of JSON that does not parse.
//!
//! Knows nothing of the calls or of the error types.

/// How much of a bad body an error shows.
const BODY_START_BYTES: usize = 200;

/// What a masked value is replaced with.
const MASK: &str = "***";

/// The first bytes of a body, printable, with secret-looking values masked.
pub(super) fn body_start(body: &[u8]) -> String {
    let cut = &body[..body.len().min(BODY_START_BYTES)];
    let text: String = String::from_utf8_lossy(cut)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    mask_xml_values(&mask_json_values(text.trim()))
}

/// Finds `"RequestId":"..."` (any letter case) in a body that does not parse
/// as a whole (cut short, say), since the RequestId is what support asks for.
pub(super) fn scan_request_id(body: &[u8]) -> Option<String> {
    const KEY: &str = "\"requestid\"";
    let text = String::from_utf8_lossy(body);
    // ASCII lowercasing keeps every byte offset.
    let start = text.to_ascii_lowercase().find(KEY)? + KEY.len();
    let value = text[start..].trim_start().strip_prefix(':')?.trim_start();
    let value = value.strip_prefix('"')?;
    let id = &value[..value.find('"')?];
    let plausible = !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    plausible.then(|| id.to_owned())
}

fn names_a_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("secret") || name.contains("token")
}

/// Replaces the string value of any JSON key naming a secret or a token,
/// and every string inside such a key's list or object.
fn mask_json_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    let mut scan = JsonScan::default();

    while let Some(c) = chars.next() {
        if c != '"' {
            scan.other(c);
            out.push(c);
            continue;
        }
        let (content, closed) = read_json_string(&mut chars);
        out.push('"');
        out.push_str(if scan.masks_next_string() {
            MASK
        } else {
            &content
        });
        if closed {
            out.push('"');
        }
        scan.string(content);
    }
    out
}

/// What [`mask_json_values`] knows of the JSON read so far.
#[derive(Default)]
struct JsonScan {
    last_string: String,
    /// The value after this `:` belongs to a secret-named key.
    mask_next: bool,
    depth: usize,
    /// The depth of the list or object that is a secret-named key's value.
    masked_from: Option<usize>,
}

impl JsonScan {
    fn masks_next_string(&self) -> bool {
        self.mask_next || self.masked_from.is_some()
    }

    fn string(&mut self, content: String) {
        self.mask_next = false;
        self.last_string = content;
    }

    fn other(&mut self, c: char) {
        match c {
            ':' => self.mask_next = names_a_secret(&self.last_string),
            '[' | '{' => {
                self.depth += 1;
                if self.mask_next && self.masked_from.is_none() {
                    self.masked_from = Some(self.depth);
                }
                self.mask_next = false;
            }
            ']' | '}' => {
                if self.masked_from == Some(self.depth) {
                    self.masked_from = None;
                }
                self.depth = self.depth.saturating_sub(1);
                self.mask_next = false;
            }
            _ if !c.is_whitespace() => self.mask_next = false,
            _ => {}
        }
        if !c.is_whitespace() {
            self.last_string.clear();
        }
    }
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

/// Replaces the text of any XML element whose name names a secret or a
/// token, as in `<AccessKeySecret>...</AccessKeySecret>`.
fn mask_xml_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>').map(|at| open + at) else {
            break;
        };
        let tag = &rest[open + 1..close];
        out.push_str(&rest[..=close]);
        rest = &rest[close + 1..];

        let name = tag.split(|c: char| c.is_whitespace() || c == '/').next();
        let opening = !tag.starts_with(['/', '?', '!']) && !tag.ends_with('/');
        if opening && name.is_some_and(names_a_secret) {
            let text_end = rest.find('<').unwrap_or(rest.len());
            if text_end > 0 {
                out.push_str(MASK);
            }
            rest = &rest[text_end..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_secret_values_are_masked() {
        let masked = mask_json_values(
            r#"{"AccessKey":{"AccessKeyId":"LTAI1","AccessKeySecret": "PupkTg8jdmau1cX"#,
        );
        assert_eq!(
            masked,
            r#"{"AccessKey":{"AccessKeyId":"LTAI1","AccessKeySecret": "***"#
        );
        let masked = mask_json_values(r#"{"SecurityToken":"CAIS","Note":"a \"q\" b"}"#);
        assert_eq!(masked, r#"{"SecurityToken":"***","Note":"a \"q\" b"}"#);
    }

    #[test]
    fn a_secret_wrapped_in_a_list_or_an_object_is_masked_too() {
        let masked = mask_json_values(
            r#"{"AccessKeySecret":["Pupk",{"v":"Tg8j"}],"Id":"LTAI1","SecurityToken":{"v":"CAIS"},"After":"x"}"#,
        );
        assert_eq!(
            masked,
            r#"{"AccessKeySecret":["***",{"***":"***"}],"Id":"LTAI1","SecurityToken":{"***":"***"},"After":"x"}"#
        );
    }

    #[test]
    fn xml_secret_values_are_masked_even_when_cut_short() {
        let masked = mask_xml_values(
            "<AccessKey><AccessKeyId>LTAI1</AccessKeyId><AccessKeySecret>Pupk</AccessKeySecret>\
             <securitytoken a='1'>CAIS",
        );
        assert_eq!(
            masked,
            "<AccessKey><AccessKeyId>LTAI1</AccessKeyId><AccessKeySecret>***</AccessKeySecret>\
             <securitytoken a='1'>***"
        );
        assert_eq!(
            mask_xml_values("<Secret/><b>x</b> <unclosed"),
            "<Secret/><b>x</b> <unclosed"
        );
    }

    #[test]
    fn the_request_id_is_found_in_any_case_in_a_body_cut_short() {
        assert_eq!(
            scan_request_id(br#"{"requestId":"abc-1","Code":"#).as_deref(),
            Some("abc-1")
        );
        assert_eq!(
            scan_request_id(br#"{"RequestId" : "R-2""#).as_deref(),
            Some("R-2")
        );
        assert_eq!(scan_request_id(br#"{"RequestId":"has space"}"#), None);
        assert_eq!(scan_request_id(br#"{"RequestId":"unterminated"#), None);
    }

    #[test]
    fn the_body_start_is_cut_and_made_printable() {
        let start = body_start(format!("\u{1b}[31m{}", "x".repeat(500)).as_bytes());
        assert!(start.starts_with("[31m"), "{start}");
        assert_eq!(start.len(), BODY_START_BYTES - 1);
    }
}
