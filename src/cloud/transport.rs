//! The HTTP layer: one POST per call, whose query, headers and body are
//! exactly what was signed, and the raw answer back.
//!
//! Knows nothing of signing or of the JSON shapes; every part arrives already
//! encoded and is sent as is, so reqwest never re-encodes it.

use std::fmt;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, DATE, HeaderMap};
use reqwest::{Url, redirect};
use zeroize::Zeroizing;

use super::endpoints;
use super::error::CloudError;

/// How long ramkey waits for the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// To open the connection (TCP and TLS).
    pub connect: Duration,
    /// For the whole request, from sending to the last byte of the answer.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            request: Duration::from_secs(30),
        }
    }
}

/// The reqwest client and its settings.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    http: reqwest::Client,
}

/// One answer, as it came. `Debug` gives the body's length only, and the
/// body is wiped when dropped: a CreateAccessKey answer carries the new
/// secret.
pub(crate) struct WireResponse {
    pub status: u16,
    pub content_type: Option<String>,
    /// The HTTP `Date` header, the server's clock.
    pub date: Option<String>,
    /// Gateways also put the RequestId here, useful when the body is broken.
    pub request_id: Option<String>,
    /// `x-acs-retry-after`: how many milliseconds a throttled client should wait.
    pub retry_after: Option<String>,
    /// At most [`MAX_BODY_BYTES`] of the body.
    pub body: Zeroizing<Vec<u8>>,
    /// The server sent more than [`MAX_BODY_BYTES`]; the rest was not read.
    pub too_long: bool,
}

/// The most of an answer ramkey reads: far above any RAM or STS answer (a
/// full ListUsers page is tens of KiB), so only a broken or hostile server
/// reaches it, and memory stays bounded whatever it sends.
pub(crate) const MAX_BODY_BYTES: usize = 16 << 20;

impl fmt::Debug for WireResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WireResponse")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("date", &self.date)
            .field("request_id", &self.request_id)
            .field("retry_after", &self.retry_after)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("too_long", &self.too_long)
            .finish()
    }
}

impl Transport {
    /// A client with ramkey's User-Agent; no proxy when every endpoint is
    /// loopback, and no redirects (a signed request is for one host only).
    pub fn new(timeouts: Timeouts, loopback_only: bool) -> Result<Self, CloudError> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("ramkey/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .redirect(redirect::Policy::none());
        if loopback_only {
            builder = builder.no_proxy();
        }
        let http = builder.build().map_err(CloudError::HttpSetup)?;
        Ok(Self { http })
    }

    /// POSTs `request` to `endpoint`: its query, headers and body exactly.
    pub async fn send(
        &self,
        endpoint: &Url,
        action: &str,
        request: WireRequest,
    ) -> Result<WireResponse, CloudError> {
        let mut url = endpoint.clone();
        // Already encoded with the unreserved set only, so `set_query`
        // leaves every byte as it is.
        url.set_query(request.query.as_deref());
        let mut builder = self.http.post(url);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let sent = builder
            .body(request.body)
            .send()
            .await
            .map_err(|error| classify(error, endpoint, action))?;

        let status = sent.status().as_u16();
        let headers = sent.headers().clone();
        let (body, too_long) = read_body(sent)
            .await
            .map_err(|error| classify(error, endpoint, action))?;
        Ok(WireResponse {
            status,
            content_type: header(&headers, CONTENT_TYPE.as_str()),
            date: header(&headers, DATE.as_str()),
            request_id: header(&headers, "x-acs-request-id"),
            retry_after: header(&headers, "x-acs-retry-after"),
            body,
            too_long,
        })
    }
}

/// One request as it goes out, every part already encoded and signed.
/// `Debug` is left out on purpose: headers may carry the STS token.
pub(crate) struct WireRequest {
    /// The query string, without `?`; `None` sends none.
    pub query: Option<String>,
    /// Headers to set, in order (`Host` included when it was signed).
    pub headers: Vec<(String, String)>,
    /// The body, possibly empty.
    pub body: String,
}

impl WireRequest {
    /// A form POST: no query, the encoded pairs as the body.
    pub fn form(form_body: String) -> Self {
        Self {
            query: None,
            headers: vec![(
                CONTENT_TYPE.as_str().to_owned(),
                "application/x-www-form-urlencoded".to_owned(),
            )],
            body: form_body,
        }
    }
}

/// Reads at most [`MAX_BODY_BYTES`]; says whether there was more.
///
/// TODO: the chunks reqwest hands over (hyper's and the TLS layer's
/// buffers) are freed without being wiped; ramkey cannot reach them. Only
/// its own copy, `body`, is wiped.
async fn read_body(
    mut sent: reqwest::Response,
) -> Result<(Zeroizing<Vec<u8>>, bool), reqwest::Error> {
    let announced = sent
        .content_length()
        .and_then(|length| usize::try_from(length).ok())
        .unwrap_or(0);
    let mut body = Zeroizing::new(Vec::with_capacity(announced.min(MAX_BODY_BYTES)));
    while let Some(chunk) = sent.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Ok((body, true));
        }
        append_wiping(&mut body, &chunk);
    }
    Ok((body, false))
}

/// Appends `chunk`; when `body` must grow, it moves to a larger buffer and
/// the old one is wiped (a plain `Vec` would free it with its bytes).
fn append_wiping(body: &mut Zeroizing<Vec<u8>>, chunk: &[u8]) {
    if body.capacity() - body.len() < chunk.len() {
        let wanted = (body.len() + chunk.len()).max(body.capacity() * 2);
        let mut grown = Zeroizing::new(Vec::with_capacity(wanted));
        grown.extend_from_slice(body);
        *body = grown;
    }
    body.extend_from_slice(chunk);
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// Timeouts first: a connect timeout is both a timeout and a connect error,
/// and "did not answer in time" is the more useful message.
fn classify(source: reqwest::Error, endpoint: &Url, action: &str) -> CloudError {
    let endpoint = endpoints::label(endpoint).to_owned();
    let action = action.to_owned();
    if source.is_timeout() {
        CloudError::Timeout {
            endpoint,
            action,
            source,
        }
    } else if source.is_connect() {
        CloudError::Connect {
            endpoint,
            action,
            source,
        }
    } else {
        CloudError::Transport {
            endpoint,
            action,
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_an_answer_never_shows_its_body() {
        let answer = WireResponse {
            status: 200,
            content_type: Some("application/json".to_owned()),
            date: None,
            request_id: Some("R-CAK".to_owned()),
            body: br#"{"AccessKey":{"AccessKeySecret":"PupkTg8jdmau1cXxYacgE736PJj4cA"}}"#
                .to_vec()
                .into(),
            too_long: false,
            retry_after: None,
        };

        let debug = format!("{answer:?}");

        assert!(!debug.contains("PupkTg8"), "{debug}");
        assert!(debug.contains("R-CAK"), "{debug}");
        assert!(debug.contains("66 bytes"), "{debug}");
    }

    #[test]
    fn a_growing_body_keeps_every_byte_in_order() {
        let mut body = Zeroizing::new(Vec::with_capacity(2));
        for chunk in [&b"ab"[..], b"cde", b"", b"fghijklmnop"] {
            append_wiping(&mut body, chunk);
        }
        assert_eq!(body.as_slice(), b"abcdefghijklmnop");
    }
}
