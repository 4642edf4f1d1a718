//! The HTTP layer: one POST per call, whose form body is the exact string
//! that was signed, and the raw answer back.
//!
//! Knows nothing of signing or of the JSON shapes; the body arrives already
//! encoded and is sent as is, so reqwest never re-encodes it.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, DATE, HeaderMap};
use reqwest::{Url, redirect};

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

/// One answer, as it came.
#[derive(Debug)]
pub(crate) struct WireResponse {
    pub status: u16,
    pub content_type: Option<String>,
    /// The HTTP `Date` header, the server's clock.
    pub date: Option<String>,
    /// Gateways also put the RequestId here, useful when the body is broken.
    pub request_id: Option<String>,
    pub body: Vec<u8>,
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

    /// POSTs `form_body` (already percent-encoded) to `endpoint`.
    pub async fn post_form(
        &self,
        endpoint: &Url,
        action: &str,
        form_body: String,
    ) -> Result<WireResponse, CloudError> {
        let sent = self
            .http
            .post(endpoint.clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form_body)
            .send()
            .await
            .map_err(|error| classify(error, endpoint, action))?;

        let status = sent.status().as_u16();
        let headers = sent.headers().clone();
        let body = sent
            .bytes()
            .await
            .map_err(|error| classify(error, endpoint, action))?;
        Ok(WireResponse {
            status,
            content_type: header(&headers, CONTENT_TYPE.as_str()),
            date: header(&headers, DATE.as_str()),
            request_id: header(&headers, "x-acs-request-id"),
            body: body.to_vec(),
        })
    }
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
    let endpoint = endpoint.as_str().trim_end_matches('/').to_owned();
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
