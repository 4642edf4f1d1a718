//! What the client logs: each call's action, user and RequestId, and never
//! the secret, the STS token, the signature or the parameters wholesale.
//!
//! Alone in its own test binary: tracing caches per-callsite interest, and a
//! test running in parallel without a subscriber could make this one miss
//! events.

#[path = "support/log_capture.rs"]
mod log_capture;
mod support;

use log_capture::LogCapture;
use support::{Reply, TestServer, client_for, temporary};

#[tokio::test]
async fn logs_name_the_call_but_never_the_secret_token_or_signature() {
    let logs = LogCapture::start();

    let server = TestServer::start(|request| {
        if request.param("Action").as_deref() == Some("ListAccessKeys") {
            Reply::json(r#"{"RequestId":"R-KEYS","AccessKeys":{"AccessKey":[]}}"#)
        } else {
            Reply::signature_mismatch(request)
        }
    })
    .await;
    let client = client_for(server.endpoint(), temporary());
    client.list_access_keys("alice").await.unwrap();
    client.get_user("bob").await.unwrap_err();

    let text = logs.text();
    for needle in [
        "ListAccessKeys",
        "alice",
        "R-KEYS",
        "GetUser",
        "bob",
        "SignatureDoesNotMatch",
    ] {
        assert!(text.contains(needle), "{needle} missing from: {text}");
    }
    let mut forbidden = vec![
        "stssecret".to_owned(),
        "CAIS".to_owned(),
        "SignatureNonce".to_owned(),
    ];
    for request in server.received() {
        forbidden.push(request.param("Signature").unwrap());
    }
    for needle in forbidden {
        assert!(!text.contains(&needle), "{needle} leaked into: {text}");
    }
}
