//! Shared by the sandbox tests: start a sandbox in-process on 127.0.0.1:0,
//! sign requests with ramkey's signer and send them with reqwest.
//!
//! Deliberately independent of ramkey's client, so the sandbox is checked
//! against the signer alone.

#![allow(dead_code, reason = "each test file uses a different part")]

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use ramkey::clock::{Clock, FixedClock};
use ramkey::cloud::sign::{self, HttpMethod, RequestStamp};
use ramkey::sandbox::{self, Account, SandboxHandle};
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde_json::Value;

pub const RAM: &str = "2015-05-01";
pub const STS: &str = "2015-04-01";

/// The moment the fixed-clock tests run at.
pub fn test_start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-01-02T03:04:05Z")
        .unwrap()
        .to_utc()
}

/// A sandbox and the means to call it.
pub struct Harness {
    pub sandbox: SandboxHandle,
    pub clock: FixedClock,
    http: reqwest::Client,
}

/// How the parameters travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// GET, parameters in the query.
    Get,
    /// POST, parameters in the query, empty body (what the official SDKs send).
    PostQuery,
    /// POST, parameters in a form body, no query.
    PostForm,
}

/// One answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["Code"].as_str().unwrap_or_default()
    }

    pub fn message(&self) -> &str {
        self.body["Message"].as_str().unwrap_or_default()
    }

    /// Panics with the whole body unless the call succeeded.
    pub fn ok(self) -> Value {
        assert_eq!(self.status, 200, "expected success, got {:#}", self.body);
        self.body
    }

    /// Asserts an error's status and code.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.code()),
            (status, code),
            "body: {:#}",
            self.body
        );
    }
}

/// Credentials to sign with.
#[derive(Clone)]
pub struct Signer {
    pub key_id: String,
    pub secret: String,
}

impl Harness {
    /// The demo account at [`test_start`].
    pub async fn demo() -> Harness {
        Harness::with_account(Account::demo()).await
    }

    /// The demo account plus the `testid`/`testsecret` key of the published
    /// vectors, the clock 25 seconds after their timestamp.
    pub async fn with_test_key() -> Harness {
        let harness = Harness::with_account(account_with_test_key()).await;
        harness.advance(Duration::seconds(25));
        harness
    }

    pub async fn with_account(account: Account) -> Harness {
        let clock = FixedClock::new(test_start());
        let sandbox = sandbox::start(
            "127.0.0.1:0".parse().unwrap(),
            account,
            Arc::new(clock.clone()),
        )
        .await
        .expect("sandbox starts");
        Harness {
            sandbox,
            clock,
            http: reqwest::Client::new(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn advance(&self, by: Duration) {
        self.clock.set(self.clock.now() + by);
    }

    /// The account's caller (ramkey's identity).
    pub fn caller(&self) -> Signer {
        Signer {
            key_id: self.sandbox.caller_access_key_id().to_owned(),
            secret: self.sandbox.caller_secret().expose().to_owned(),
        }
    }

    /// The caller's signed call, POST with a form body.
    pub async fn ram(&self, action: &str, params: &[(&str, &str)]) -> Reply {
        self.call(&self.caller(), Transport::PostForm, RAM, action, params)
            .await
    }

    /// A signed call with a fresh nonce and the sandbox clock's time.
    pub async fn call(
        &self,
        signer: &Signer,
        transport: Transport,
        version: &str,
        action: &str,
        params: &[(&str, &str)],
    ) -> Reply {
        let nonce = uuid::Uuid::new_v4().to_string();
        let pairs = signed_pairs(signer, &nonce, self.now(), version, action, params);
        self.send_pairs(signer, transport, pairs).await
    }

    /// Signs `pairs` and sends them exactly as signed.
    pub async fn send_pairs(
        &self,
        signer: &Signer,
        transport: Transport,
        pairs: Vec<(String, String)>,
    ) -> Reply {
        let method = match transport {
            Transport::Get => HttpMethod::Get,
            Transport::PostQuery | Transport::PostForm => HttpMethod::Post,
        };
        let signed = sign::sign(method, &pairs, &signer.secret);
        self.send_raw(transport, &signed.wire_query()).await
    }

    /// Sends an already encoded query (or form body) as is.
    pub async fn send_raw(&self, transport: Transport, encoded: &str) -> Reply {
        let base = self.sandbox.endpoint();
        let request = match transport {
            Transport::Get => self.http.get(format!("{base}/?{encoded}")),
            Transport::PostQuery => self.http.post(format!("{base}/?{encoded}")),
            Transport::PostForm => self
                .http
                .post(format!("{base}/"))
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(encoded.to_owned()),
        };
        let response = request.send().await.expect("the sandbox answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a body");
        let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
        Reply {
            status,
            headers,
            body,
        }
    }
}

/// The demo account with one more user `testuser` holding the key
/// `testid`/`testsecret` of the published vectors.
pub fn account_with_test_key() -> Account {
    let mut value = serde_json::to_value(Account::demo()).unwrap();
    let users = value["Users"].as_array_mut().unwrap();
    users.push(serde_json::json!({
        "UserName": "testuser",
        "UserId": "2000000000000001",
        "CreateDate": "-10d",
        "AccessKeys": [{
            "AccessKeyId": "testid",
            "AccessKeySecret": "testsecret",
            "Status": "Active",
            "CreateDate": "-10d"
        }],
        // The sandbox evaluates policies: the vectors' calls need RAM rights.
        "Policies": [{
            "PolicyName": "AliyunRAMFullAccess", "PolicyType": "System", "AttachDate": "-10d"
        }]
    }));
    Account::parse(&value.to_string(), "test account").unwrap()
}

pub fn test_key() -> Signer {
    Signer {
        key_id: "testid".to_owned(),
        secret: "testsecret".to_owned(),
    }
}

/// Every user name ListUsers returns, following markers to the end.
pub async fn all_user_names(harness: &Harness, max_items: Option<&str>) -> (Vec<String>, usize) {
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut params: Vec<(&str, &str)> = Vec::new();
        if let Some(marker) = &marker {
            params.push(("Marker", marker));
        }
        if let Some(max_items) = max_items {
            params.push(("MaxItems", max_items));
        }
        let body = harness.ram("ListUsers", &params).await.ok();
        pages += 1;
        for user in body["Users"]["User"].as_array().unwrap() {
            names.push(user["UserName"].as_str().unwrap().to_owned());
        }
        if body["IsTruncated"] == Value::Bool(false) {
            assert!(body.get("Marker").is_none(), "Marker only when truncated");
            return (names, pages);
        }
        marker = Some(body["Marker"].as_str().unwrap().to_owned());
        assert!(pages < 1000, "paging never ends");
    }
}

/// The common and action parameters, before signing.
pub fn signed_pairs(
    signer: &Signer,
    nonce: &str,
    at: DateTime<Utc>,
    version: &str,
    action: &str,
    params: &[(&str, &str)],
) -> Vec<(String, String)> {
    let stamp = RequestStamp {
        access_key_id: &signer.key_id,
        security_token: None,
        timestamp: at,
        nonce,
    };
    let mut pairs = sign::common_params(stamp, action, version);
    pairs.extend(
        params
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
    );
    pairs
}
