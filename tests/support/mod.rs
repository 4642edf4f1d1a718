//! A small loopback HTTP server for the client tests: it records every
//! request as received and answers with canned replies.
#![allow(
    dead_code,
    reason = "each test file uses a different part of the helper"
)]

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use chrono::{DateTime, Utc};
use percent_encoding::percent_decode_str;
use ramkey::clock::FixedClock;
use ramkey::cloud::retry::NoSleep;
use ramkey::cloud::sign::{self, HttpMethod};
use ramkey::cloud::{
    Client, ClientConfig, Credentials, Endpoints, Retry, SignatureVersion, Timeouts,
};
use ramkey::secret::Secret;

/// The Timestamp every test client signs with (the cases' default).
pub const NOW: &str = "2024-01-02T03:04:05Z";
/// The parameters every call carries, besides its own.
pub const COMMON: [&str; 10] = [
    "AccessKeyId",
    "Action",
    "Format",
    "SecurityToken",
    "Signature",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "Timestamp",
    "Version",
];

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub content_type: Option<String>,
    pub user_agent: Option<String>,
    /// Every header, names lowercase, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    /// The form body's pairs, decoded the strict RFC 3986 way: `%XX` only,
    /// a literal `+` stays a plus.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.body
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(name), decode(value))
            })
            .collect()
    }

    /// The decoded value of one parameter.
    pub fn param(&self, name: &str) -> Option<String> {
        self.pairs()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// The call's own parameters (all but the common ones), sorted by name.
    pub fn action_params(&self) -> Vec<(String, String)> {
        let mut own: Vec<_> = self
            .pairs()
            .into_iter()
            .filter(|(name, _)| !COMMON.contains(&name.as_str()))
            .collect();
        own.sort();
        own
    }

    /// Every pair but `Signature`: what the client must have signed.
    pub fn unsigned_pairs(&self) -> Vec<(String, String)> {
        self.pairs()
            .into_iter()
            .filter(|(name, _)| name != "Signature")
            .collect()
    }

    /// The string to sign a server computes from the received pairs.
    pub fn string_to_sign(&self) -> String {
        sign::sign(HttpMethod::Post, &self.unsigned_pairs(), "").string_to_sign
    }

    /// Asserts that signing the received pairs (less `Signature`) with
    /// `secret` gives the received `Signature`, and that the body is exactly
    /// the signed pairs: what was on the wire is what was signed.
    pub fn assert_signed_with(&self, secret: &str) {
        let signed = sign::sign(HttpMethod::Post, &self.unsigned_pairs(), secret);
        assert_eq!(self.param("Signature"), Some(signed.signature.clone()));
        assert_eq!(self.body, signed.wire_query());
    }
}

fn decode(raw: &str) -> String {
    percent_decode_str(raw)
        .decode_utf8()
        .expect("UTF-8 parameter")
        .into_owned()
}

/// A canned answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// 200 with a JSON body.
    pub fn json(body: &str) -> Self {
        Self::with_status(200, "application/json;charset=utf-8", body)
    }

    /// Any status, content type and body.
    pub fn with_status(status: u16, content_type: &str, body: &str) -> Self {
        Self {
            status,
            content_type: content_type.to_owned(),
            headers: Vec::new(),
            body: body.to_owned(),
        }
    }

    /// The production error envelope.
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        let body = serde_json::json!({
            "RequestId": "E7A1D1C2-0000-4000-8000-000000000001",
            "HostId": "ram.aliyuncs.com",
            "Code": code,
            "Message": message,
            "Recommend": format!("https://api.aliyun.com/troubleshoot?q={code}&product=Ram"),
        });
        Self::with_status(status, "application/json;charset=utf-8", &body.to_string())
    }

    /// Production's `SignatureDoesNotMatch`, quoting the server's string to
    /// sign for `request`.
    pub fn signature_mismatch(request: &Received) -> Self {
        let message = format!(
            "Specified signature is not matched with our calculation. \
             server string to sign is:{}",
            request.string_to_sign()
        );
        Self::error(400, "SignatureDoesNotMatch", &message)
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

type Answer = dyn Fn(&Received) -> Reply + Send + Sync;

struct Shared {
    received: Mutex<Vec<Received>>,
    answer: Box<Answer>,
}

/// The server; it stops when the test's runtime ends.
pub struct TestServer {
    endpoint: String,
    shared: Arc<Shared>,
}

impl TestServer {
    /// Serves on a free 127.0.0.1 port, answering each request with `answer`.
    pub async fn start(answer: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> Self {
        let shared = Arc::new(Shared {
            received: Mutex::new(Vec::new()),
            answer: Box::new(answer),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { endpoint, shared }
    }

    /// Answers every request with the same reply.
    pub async fn always(reply: Reply) -> Self {
        Self::start(move |_| reply.clone()).await
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Every request so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// The one request so far (fails if there were more or none).
    pub fn only_request(&self) -> Received {
        let received = self.received();
        assert_eq!(received.len(), 1, "{received:#?}");
        received.into_iter().next().unwrap()
    }

    /// A client for this server signing as `testid` / `testsecret`.
    pub fn client(&self) -> Client {
        client_for(&self.endpoint, permanent())
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let received = Received {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        content_type: header("content-type"),
        user_agent: header("user-agent"),
        headers: headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect(),
        body: String::from_utf8(body.to_vec()).expect("UTF-8 body"),
    };
    shared.received.lock().unwrap().push(received.clone());

    let reply = (shared.answer)(&received);
    let mut response = Response::builder()
        .status(reply.status)
        .header("content-type", reply.content_type);
    for (name, value) in reply.headers {
        response = response.header(name, value);
    }
    response.body(Body::from(reply.body)).unwrap()
}

/// The cases' permanent key pair.
pub fn permanent() -> Credentials {
    Credentials::new("testid", Secret::new("testsecret"), None, "test").unwrap()
}

/// The cases' STS credentials (BC-05).
pub fn temporary() -> Credentials {
    Credentials::new(
        "STS.testid",
        Secret::new("stssecret"),
        Some(Secret::new("CAIS+ab/cd==")),
        "test",
    )
    .unwrap()
}

/// The fixed time every test client reads.
pub fn now() -> DateTime<Utc> {
    NOW.parse().unwrap()
}

/// A client for `endpoint` with the fixed clock and default timeouts.
pub fn client_for(endpoint: &str, credentials: Credentials) -> Client {
    client_with(endpoint, credentials, Timeouts::default())
}

/// A client for `endpoint` with the fixed clock and the given timeouts.
pub fn client_with(endpoint: &str, credentials: Credentials, timeouts: Timeouts) -> Client {
    client_signing(endpoint, credentials, timeouts, SignatureVersion::V1)
}

/// A client for `endpoint` with the fixed clock, signing with `signature`; it
/// retries as in production, but its waits between tries return at once.
pub fn client_signing(
    endpoint: &str,
    credentials: Credentials,
    timeouts: Timeouts,
    signature: SignatureVersion,
) -> Client {
    let config = ClientConfig {
        endpoints: Endpoints::single(endpoint).unwrap(),
        credentials,
        clock: Arc::new(FixedClock::new(now())),
        signature,
    };
    let retry = Retry::with_sleeper(Arc::new(NoSleep::new()));
    Client::with_retry(config, timeouts, retry).unwrap()
}

/// Pairs from string literals.
pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<_> = list
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    pairs.sort();
    pairs
}
