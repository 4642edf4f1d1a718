//! `ramkey sandbox` with fault-switch flags, as a script starts it: the
//! switches are on from the first request, and a bad schedule is refused
//! before anything is served.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use ramkey::clock::{Clock as _, SystemClock};
use ramkey::cloud::sign::{self, HttpMethod, RequestStamp};

/// Kills the child if a test fails before it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `ramkey sandbox ARGS` and reads its three assignment lines.
fn spawn(args: &[&str]) -> (Running, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ramkey"))
        .arg("sandbox")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("ramkey runs");
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let values = BufReader::new(stdout)
        .lines()
        .take(3)
        .map(|line| line.unwrap().split_once('=').unwrap().1.to_owned())
        .collect();
    (running, values)
}

fn signed_query(key_id: &str, secret: &str) -> String {
    let nonce = uuid::Uuid::new_v4().to_string();
    let stamp = RequestStamp {
        access_key_id: key_id,
        security_token: None,
        timestamp: SystemClock::new().now(),
        nonce: &nonce,
    };
    let params = sign::common_params(stamp, "GetCallerIdentity", "2015-04-01");
    sign::sign(HttpMethod::Get, &params, secret).wire_query()
}

#[tokio::test]
async fn the_flags_turn_the_switches_on_from_the_first_request() {
    let (_running, values) = spawn(&[
        "--throttle",
        "first:1@GetCallerIdentity",
        "--retry-after-ms",
        "250",
        "--clock-skew",
        "-5",
    ]);
    let [endpoint, key_id, secret] = &values[..] else {
        panic!("{values:?}");
    };
    let call = || async {
        let url = format!("{endpoint}/?{}", signed_query(key_id, secret));
        reqwest::get(url).await.unwrap()
    };

    let throttled = call().await;
    assert_eq!(throttled.status(), 400);
    assert_eq!(throttled.headers()["x-acs-retry-after"], "250");
    let body: serde_json::Value = throttled.json().await.unwrap();
    assert_eq!(body["Code"], "Throttling.User");
    assert_eq!(
        body["Message"],
        "Request was denied due to user flow control."
    );

    // first:1 is spent; a 5 s skew is well inside the 15 minutes allowed.
    assert_eq!(call().await.status(), 200);
}

#[test]
fn a_schedule_that_cannot_be_read_is_refused_with_the_syntax() {
    let output = Command::new(env!("CARGO_BIN_EXE_ramkey"))
        .args(["sandbox", "--reset-after", "every third"])
        .output()
        .expect("ramkey runs");

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("first:N"), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing is served");
}
