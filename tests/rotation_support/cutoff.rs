//! A loopback relay in front of the sandbox that loses the network right
//! after a chosen write was acted on: that write's answer is a 503 (the
//! client cannot tell whether it took effect), and every request after it
//! gets a 503 too, so reading back fails as well.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;

struct Relay {
    upstream: String,
    after: String,
    cut: AtomicBool,
    http: reqwest::Client,
}

/// The relay; it stops when the test's runtime ends.
pub struct CutOff {
    endpoint: String,
    relay: Arc<Relay>,
}

impl CutOff {
    /// Relays to `upstream` until a request for `action` was acted on.
    pub async fn after(upstream: &str, action: &str) -> Self {
        let relay = Arc::new(Relay {
            upstream: upstream.to_owned(),
            after: format!("Action={action}"),
            cut: AtomicBool::new(false),
            http: reqwest::Client::new(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new()
            .fallback(relay_one)
            .with_state(Arc::clone(&relay));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { endpoint, relay }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Whether the network is lost yet.
    pub fn is_cut(&self) -> bool {
        self.relay.cut.load(Ordering::SeqCst)
    }
}

async fn relay_one(
    State(relay): State<Arc<Relay>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if relay.cut.load(Ordering::SeqCst) {
        return unavailable();
    }
    let text = String::from_utf8_lossy(&body);
    let query = uri.query().unwrap_or_default();
    let is_the_write = text.contains(&relay.after) || query.contains(&relay.after);

    let url = format!("{}{}", relay.upstream, uri);
    let mut request = relay.http.request(method, url).body(body.clone());
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            request = request.header(name, value);
        }
    }
    let answer = request.send().await.expect("the sandbox answers");
    if is_the_write {
        relay.cut.store(true, Ordering::SeqCst);
        return unavailable();
    }

    let mut response = Response::builder().status(answer.status().as_u16());
    for (name, value) in answer.headers() {
        if name != "content-length" && name != "transfer-encoding" {
            response = response.header(name, value);
        }
    }
    let bytes = answer.bytes().await.expect("the sandbox's body");
    response.body(Body::from(bytes)).unwrap()
}

/// A load balancer's 503 page: no JSON, no RequestId.
fn unavailable() -> Response {
    Response::builder()
        .status(503)
        .header("content-type", "text/html")
        .body(Body::from(
            "<html><body>503 Service Unavailable</body></html>",
        ))
        .unwrap()
}
