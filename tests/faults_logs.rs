//! What the client logs about retries and unclear writes: the action, the
//! user, why and how long it waits, and never the secret, the STS token, a
//! signature or a nonce.
//!
//! Alone in its own test binary: tracing caches per-callsite interest, and a
//! test running in parallel without a subscriber could make this one miss
//! events.

#[path = "support/log_capture.rs"]
mod log_capture;
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};

use log_capture::LogCapture;
use support::{Reply, TestServer, client_for, temporary};

#[tokio::test]
async fn retries_and_unclear_writes_are_logged_without_secrets() {
    let logs = LogCapture::start();

    let tries = AtomicUsize::new(0);
    let server = TestServer::start(move |request| match request.param("Action").as_deref() {
        Some("ListUsers") if tries.fetch_add(1, Ordering::SeqCst) == 0 => Reply::error(
            400,
            "Throttling.User",
            "Request was denied due to user flow control.",
        )
        .header("x-acs-retry-after", "10"),
        Some("ListUsers") => {
            Reply::json(r#"{"RequestId":"R-OK","IsTruncated":false,"Users":{"User":[]}}"#)
        }
        _ => Reply::with_status(503, "text/html", "<html>503</html>"),
    })
    .await;
    let client = client_for(server.endpoint(), temporary());
    client.list_users_page(None, None).await.unwrap();
    let error = client.create_user("carol", None, None).await.unwrap_err();
    assert!(error.is_ambiguous(), "{error:?}");

    let text = logs.text();
    for needle in [
        "cloud call retried",
        "throttled (Throttling.User)",
        "wait_ms=10",
        "ended without a clear answer",
        "CreateUser",
        "carol",
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
        forbidden.push(request.param("SignatureNonce").unwrap());
    }
    for needle in forbidden {
        assert!(!text.contains(&needle), "{needle} leaked into: {text}");
    }
}
