//! A load loop against a running `ramkey sandbox`: how many requests a
//! second it answers, and how fast. Figures only, no pass or fail.
//!
//! ```sh
//! cargo build --release --bin ramkey --example sandbox_load
//! target/release/ramkey sandbox --users 10000 > sandbox.env &
//! set -a; . ./sandbox.env; set +a
//! target/release/examples/sandbox_load 10 32   # seconds, concurrent callers
//! target/release/examples/sandbox_load 10 16 10000 list   # ListUsers pages only
//! ```
//!
//! Each caller loops over a scan's calls for one user (GetUser,
//! ListAccessKeys) and a ListUsers page of 1,000 now and then,
//! each signed with signature 1.0 like ramkey's client.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ramkey::clock::{Clock as _, SystemClock};
use ramkey::cloud::sign::{self, HttpMethod, RequestStamp};

const RAM: &str = "2015-05-01";

struct Target {
    endpoint: String,
    key_id: String,
    secret: String,
    users: u32,
    list_only: bool,
    http: reqwest::Client,
}

#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    refused: AtomicU64,
}

#[tokio::main]
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "figures for people"
)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().map_or(Ok(10), |a| a.parse())?;
    let callers: u32 = args.next().map_or(Ok(32), |a| a.parse())?;
    let users: u32 = args.next().map_or(Ok(10_000), |a| a.parse())?;
    // `list`: only ListUsers first pages of 1,000, to see what a page costs.
    let list_only = args.next().as_deref() == Some("list");
    let target = Arc::new(Target {
        endpoint: std::env::var("RAMKEY_ENDPOINT")?,
        key_id: std::env::var("ALIBABA_CLOUD_ACCESS_KEY_ID")?,
        secret: std::env::var("ALIBABA_CLOUD_ACCESS_KEY_SECRET")?,
        users,
        list_only,
        http: reqwest::Client::new(),
    });
    let tally = Arc::new(Tally::default());
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..callers)
        .map(|worker: u32| {
            let (target, tally) = (Arc::clone(&target), Arc::clone(&tally));
            tokio::spawn(async move { run(&target, &tally, worker, until).await })
        })
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let at = |share: f64| {
        let index = ((latencies.len() as f64 - 1.0) * share).round() as usize;
        latencies.get(index).copied().unwrap_or_default()
    };
    let ok = tally.ok.load(Ordering::Relaxed);
    let refused = tally.refused.load(Ordering::Relaxed);
    println!(
        "{callers} callers, {elapsed:.1} s: {ok} answered 200, {refused} errors, {:.0} requests/s; \
         latency p50 {:?} p90 {:?} p99 {:?} max {:?}",
        (ok + refused) as f64 / elapsed,
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0),
    );
    Ok(())
}

/// One caller's loop; returns how long each request took.
async fn run(target: &Target, tally: &Tally, worker: u32, until: Instant) -> Vec<Duration> {
    let mut latencies = Vec::new();
    let mut n = worker;
    while Instant::now() < until {
        n = n.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let user = format!("user-{:05}", n % target.users + 1);
        let mut calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("GetUser", vec![("UserName", user.as_str())]),
            ("ListAccessKeys", vec![("UserName", user.as_str())]),
        ];
        if target.list_only {
            calls.clear();
        }
        if target.list_only || n % 10 == 0 {
            calls.push(("ListUsers", vec![("MaxItems", "1000")]));
        }
        for (action, params) in calls {
            let began = Instant::now();
            let status = call(target, action, &params).await;
            latencies.push(began.elapsed());
            let counter = if status == Some(200) {
                &tally.ok
            } else {
                &tally.refused
            };
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }
    latencies
}

async fn call(target: &Target, action: &str, params: &[(&str, &str)]) -> Option<u16> {
    let nonce = uuid::Uuid::new_v4().to_string();
    let stamp = RequestStamp {
        access_key_id: &target.key_id,
        security_token: None,
        timestamp: SystemClock::new().now(),
        nonce: &nonce,
    };
    let mut pairs = sign::common_params(stamp, action, RAM);
    pairs.extend(
        params
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
    );
    let signed = sign::sign(HttpMethod::Post, &pairs, &target.secret);
    let response = target
        .http
        .post(format!("{}/", target.endpoint))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(signed.wire_query())
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    let _ = response.bytes().await;
    Some(status)
}
