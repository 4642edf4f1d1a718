//! Property checks of the decoder without a property-testing crate: a small
//! seeded generator feeds it arbitrary bytes and damaged versions of real
//! answers. Nothing may panic, every error must print, and a new secret must
//! never show in an error, wherever its answer is cut.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use super::{CallContext, Redactor, decode};
use crate::cloud::error::CloudError;
use crate::cloud::lenient::lenient_date;
use crate::cloud::transport::WireResponse;
use crate::secret::Secret;

const NEW_SECRET: &str = "PupkTg8jdmau1cXxYacgE736PJj4cA";

/// Real answers and error bodies to damage.
const SEEDS: [&str; 6] = [
    r#"{"RequestId":"R-1","IsTruncated":true,"Marker":"AbC+/x==","Users":{"User":[{"UserId":"1","UserName":"u","DisplayName":"运维-张三","CreateDate":"2015-01-23T12:33:18Z"}]}}"#,
    r#"{"RequestId":"R-2","AccessKey":{"AccessKeyId":"LTAI-NEW","AccessKeySecret":"PupkTg8jdmau1cXxYacgE736PJj4cA","Status":"Active","CreateDate":"2015-01-23T12:33:18Z"}}"#,
    r#"{"RequestId":"R-3","HostId":"ram.aliyuncs.com","Code":"EntityNotExist.User","Message":"The user does not exist.","Recommend":"https://api.aliyun.com/troubleshoot?q=x"}"#,
    r#"{"code":"Throttling.User","message":"Request was denied due to user flow control.","requestId":"R-4"}"#,
    "<?xml version=\"1.0\"?><Error><RequestId>R-5</RequestId><Code>InternalError</Code><Message>a &amp; b</Message></Error>",
    "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
];

/// Bytes that tend to break parsers: structure, escapes, multi-byte UTF-8
/// (and halves of it), a byte-order mark, controls.
const NASTY: [&[u8]; 14] = [
    b"{",
    b"}",
    b"[",
    b"\"",
    b":",
    b",",
    b"<",
    b">",
    b"\\",
    b"\\u",
    "张".as_bytes(),
    b"\xE5\xBC",
    b"\xEF\xBB\xBF",
    b"\x00\x1b",
];

/// xorshift64*: enough spread for this, and the same run every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("below n")
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next().to_le_bytes()[0]).collect()
    }
}

/// A seed cut, overwritten and spliced at random places.
fn damaged(rng: &mut Rng) -> Vec<u8> {
    let mut body = SEEDS[rng.below(SEEDS.len())].as_bytes().to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(body.len() + 1);
        match rng.below(3) {
            0 => body.truncate(at),
            1 if at < body.len() => body[at] = rng.bytes(1)[0],
            _ => {
                let nasty = NASTY[rng.below(NASTY.len())];
                body.splice(at..at, nasty.iter().copied());
            }
        }
    }
    body
}

fn answer(rng: &mut Rng, body: Vec<u8>) -> WireResponse {
    const STATUSES: [u16; 7] = [200, 204, 302, 400, 404, 503, 599];
    const TYPES: [&str; 3] = ["application/json", "text/html", "text/xml"];
    WireResponse {
        status: STATUSES[rng.below(STATUSES.len())],
        content_type: Some(TYPES[rng.below(TYPES.len())].to_owned()),
        date: Some("Tue, 02 Jan 2024 03:24:05 GMT".to_owned()),
        request_id: None,
        body: body.into(),
        too_long: false,
        retry_after: None,
    }
}

fn decode_as<T: DeserializeOwned>(answer: &WireResponse) -> Result<T, CloudError> {
    let token = Secret::new("CAIS+ab/cd==");
    let redactor = Redactor::new(&[&token]).with("c2lnbmF0dXJl");
    let context = CallContext {
        action: "CreateAccessKey",
        endpoint: "http://127.0.0.1:1",
        sent_at: DateTime::<Utc>::UNIX_EPOCH,
        string_to_sign: "POST&%2F&SecurityToken%3DCAIS%252Bab%252Fcd%253D%253D",
        redactor: &redactor,
    };
    decode(answer, &context).map(|reply| reply.value)
}

/// Shaped like the answers the typed calls read: nested lists, a lenient
/// date and a secret.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[expect(dead_code, reason = "only decoding is exercised")]
struct Shaped {
    #[serde(default)]
    is_truncated: bool,
    #[serde(default)]
    access_key: Option<Created>,
    #[serde(default, deserialize_with = "lenient_date")]
    create_date: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[expect(dead_code, reason = "only decoding is exercised")]
struct Created {
    access_key_secret: String,
    #[serde(default, deserialize_with = "lenient_date")]
    create_date: Option<DateTime<Utc>>,
}

/// Every error prints, with its hint, and never shows the token.
fn check_printable<T>(result: Result<T, CloudError>) -> Option<String> {
    let error = result.err()?;
    let text = format!("{error} {error:?} {}", error.hint().unwrap_or_default());
    assert!(!text.contains("CAIS"), "{text}");
    Some(text)
}

#[test]
fn arbitrary_and_damaged_bodies_never_panic_and_always_print() {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    for round in 0..6_000 {
        let body = if round % 3 == 0 {
            let len = rng.below(300);
            rng.bytes(len)
        } else {
            damaged(&mut rng)
        };
        let answer = answer(&mut rng, body);

        check_printable(decode_as::<Shaped>(&answer));
        check_printable(decode_as::<IgnoredAny>(&answer));
        check_printable(decode_as::<serde_json::Value>(&answer));
    }
}

#[test]
fn a_new_secret_never_shows_wherever_its_answer_is_cut() {
    let json = SEEDS[1];
    let xml = format!(
        "<CreateAccessKeyResponse><RequestId>R</RequestId><AccessKey><AccessKeyId>LTAI-NEW\
         </AccessKeyId><AccessKeySecret>{NEW_SECRET}</AccessKeySecret><Status>Active</Status>\
         </AccessKey></CreateAccessKeyResponse>"
    );
    for body in [json, xml.as_str()] {
        for cut in 0..body.len() {
            let answer = WireResponse {
                status: 200,
                content_type: Some("application/json".to_owned()),
                date: None,
                request_id: None,
                body: body.as_bytes()[..cut].to_vec().into(),
                too_long: false,
                retry_after: None,
            };
            let text = check_printable(decode_as::<Shaped>(&answer)).expect("a cut body fails");
            assert!(!text.contains(&NEW_SECRET[..8]), "cut at {cut}: {text}");
        }
    }
}
