//! `ramkey sandbox` as a script sees it: three `NAME=value` lines first, a
//! signed call to the printed endpoint with the printed credentials works,
//! SIGTERM stops it cleanly.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use ramkey::clock::{Clock as _, SystemClock};
use ramkey::cloud::sign::{self, HttpMethod, RequestStamp};

/// Kills the child if a test fails before stopping it.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str]) -> (Running, HashMap<String, String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ramkey"))
        .arg("sandbox")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("ramkey runs");
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);

    let mut lines = BufReader::new(stdout).lines();
    let mut assignments = HashMap::new();
    for expected in [
        "RAMKEY_ENDPOINT",
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    ] {
        let line = lines.next().expect("a line").expect("utf-8");
        let (name, value) = line.split_once('=').expect("NAME=value");
        assert_eq!(name, expected, "{line}");
        assignments.insert(name.to_owned(), value.to_owned());
    }
    (running, assignments)
}

fn signed_query(key_id: &str, secret: &str, action: &str, version: &str) -> String {
    let nonce = uuid::Uuid::new_v4().to_string();
    let stamp = RequestStamp {
        access_key_id: key_id,
        security_token: None,
        timestamp: SystemClock::new().now(),
        nonce: &nonce,
    };
    let params = sign::common_params(stamp, action, version);
    sign::sign(HttpMethod::Get, &params, secret).wire_query()
}

#[tokio::test]
async fn the_printed_credentials_sign_a_call_to_the_printed_endpoint() {
    let (mut running, env) = spawn(&["--listen", "127.0.0.1:0"]);
    let endpoint = &env["RAMKEY_ENDPOINT"];
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    assert!(
        !endpoint.ends_with(":0"),
        "the real port is printed: {endpoint}"
    );

    let query = signed_query(
        &env["ALIBABA_CLOUD_ACCESS_KEY_ID"],
        &env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
        "GetCallerIdentity",
        "2015-04-01",
    );
    let response = reqwest::get(format!("{endpoint}/?{query}")).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["Arn"], "acs:ram::5123874409316254:user/ramkey-admin");

    let pid = running.0.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let status = running.0.wait().unwrap();
    assert!(status.success(), "SIGTERM exits cleanly: {status}");
}

#[tokio::test]
async fn an_account_file_is_served_and_a_bad_one_is_refused_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("account.json");
    let mut account = serde_json::to_value(ramkey::sandbox::Account::demo()).unwrap();
    account["AccountId"] = "1111222233334444".into();
    std::fs::write(&good, account.to_string()).unwrap();

    let (_running, env) = spawn(&[
        "--listen",
        "127.0.0.1:0",
        "--account",
        good.to_str().unwrap(),
    ]);
    let query = signed_query(
        &env["ALIBABA_CLOUD_ACCESS_KEY_ID"],
        &env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
        "GetCallerIdentity",
        "2015-04-01",
    );
    let body: serde_json::Value = reqwest::get(format!("{}/?{query}", env["RAMKEY_ENDPOINT"]))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["AccountId"], "1111222233334444");

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"AccountId\": 5\n}\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_ramkey"))
        .args([
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--account",
            bad.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.json, line 2, column"), "{stderr}");
}

#[test]
fn a_non_loopback_address_is_refused() {
    let output = Command::new(env!("CARGO_BIN_EXE_ramkey"))
        .args(["sandbox", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("loopback only"), "{stderr}");
}
