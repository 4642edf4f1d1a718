//! What the client logs: each call's action, user and RequestId, and never
//! the secret, the STS token, the signature or the parameters wholesale.
//!
//! Alone in its own test binary: tracing caches per-callsite interest, and a
//! test running in parallel without a subscriber could make this one miss
//! events.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use ramkey::cloud::sign::{self, HttpMethod};
use support::{Reply, TestServer, client_for, temporary};

/// Collects everything the tracing subscriber writes.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_name_the_call_but_never_the_secret_token_or_signature() {
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = TestServer::start(|request| {
        if request.param("Action").as_deref() == Some("ListAccessKeys") {
            Reply::json(r#"{"RequestId":"R-KEYS","AccessKeys":{"AccessKey":[]}}"#)
        } else {
            let unsigned: Vec<_> = request
                .pairs()
                .into_iter()
                .filter(|(name, _)| name != "Signature")
                .collect();
            let server_sts = sign::sign(HttpMethod::Post, &unsigned, "x").string_to_sign;
            let message = format!(
                "Specified signature is not matched with our calculation. \
                 server string to sign is:{server_sts}"
            );
            Reply::error(400, "SignatureDoesNotMatch", &message)
        }
    })
    .await;
    let client = client_for(server.endpoint(), temporary());
    client.list_access_keys("alice").await.unwrap();
    client.get_user("bob").await.unwrap_err();

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
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
