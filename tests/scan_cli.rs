//! The `ramkey scan` binary against an in-process sandbox on loopback: the
//! JSON shape of docs/scan-output.md, the exit codes, who ramkey is on
//! stderr, and plain errors.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;

use ramkey::clock::SystemClock;
use ramkey::cloud::model::KeyStatus;
use ramkey::sandbox::{self, Account, SandboxHandle};
use serde_json::Value;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn sandbox(account: Account) -> SandboxHandle {
    let listen: SocketAddr = "127.0.0.1:0".parse().unwrap();
    sandbox::start(listen, account, Arc::new(SystemClock::new()))
        .await
        .unwrap()
}

async fn ramkey(sandbox: &SandboxHandle, secret: &str, args: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_ramkey"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("RAMKEY_ENDPOINT", sandbox.endpoint())
        .env(
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            sandbox.caller_access_key_id(),
        )
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret)
        .output()
        .await
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn keys_of(value: &Value) -> BTreeSet<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn json_output_has_exactly_the_documented_shape_and_exit_code_3() {
    let sandbox = sandbox(Account::demo()).await;
    let secret = sandbox.caller_secret().expose().to_owned();
    let run = ramkey(&sandbox, &secret, &["scan", "--format", "json"]).await;

    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    assert_eq!(
        keys_of(&report),
        BTreeSet::from([
            "account_id",
            "scanned_at",
            "users_scanned",
            "flagged",
            "source",
            "data_as_of",
            "notes",
            "exempt",
            "kms_managed",
            "stats"
        ])
    );
    assert_eq!(
        keys_of(&report["stats"]),
        BTreeSet::from(["calls", "throttled", "elapsed_ms"])
    );
    assert_eq!(report["exempt"], serde_json::json!([]));
    assert_eq!(report["account_id"], "5123874409316254");
    assert_eq!(report["users_scanned"], 33);
    let flagged = report["flagged"].as_array().unwrap();
    assert_eq!(flagged.len(), 6);
    for finding in flagged {
        assert_eq!(
            keys_of(finding),
            BTreeSet::from(["user", "display_name", "keys", "recommendation"])
        );
        for key in finding["keys"].as_array().unwrap() {
            assert_eq!(
                keys_of(key),
                BTreeSet::from(["id", "status", "created", "last_used", "verdict"])
            );
            assert_eq!(key["status"], "Active");
            assert_eq!(key["last_used"].is_null(), key["verdict"] == "unknown");
        }
    }
    let by_user = |name: &str| flagged.iter().find(|f| f["user"] == name).unwrap();
    assert_eq!(
        by_user("billing-exporter")["recommendation"],
        "disable_idle"
    );
    assert_eq!(by_user("ci-deployer")["recommendation"], "move_to_new_user");
    assert_eq!(by_user("data-sync")["recommendation"], "review");

    assert!(
        run.stderr
            .contains("acs:ram::5123874409316254:user/ramkey-admin"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains(&secret) && !run.stderr.contains(&secret));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_table_lists_each_flagged_user_with_its_evidence() {
    let sandbox = sandbox(Account::demo()).await;
    let secret = sandbox.caller_secret().expose().to_owned();
    let run = ramkey(&sandbox, &secret, &["scan"]).await;

    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    assert!(
        run.stdout
            .starts_with("Account 5123874409316254: 6 of 33 users flagged"),
        "{}",
        run.stdout
    );
    for line in [
        "billing-exporter (账单导出服务)  recommendation: disable_idle",
        "ci-deployer (CI 部署机器人)  recommendation: move_to_new_user",
        "too new to judge",
        "200 days ago (idle after 90 days)",
    ] {
        assert!(
            run.stdout.contains(line),
            "missing {line:?} in\n{}",
            run.stdout
        );
    }
}

fn active_keys(user: &ramkey::sandbox::User) -> usize {
    user.access_keys
        .iter()
        .filter(|key| key.status == KeyStatus::Active)
        .count()
}

/// The demo account without its flagged users, except those named.
fn demo_keeping(flagged: &[&str]) -> Account {
    let mut account = Account::demo();
    account
        .users
        .retain(|user| active_keys(user) < 2 || flagged.contains(&user.user_name.as_str()));
    account
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_flagged_exits_0() {
    let sandbox = sandbox(demo_keeping(&[])).await;
    let secret = sandbox.caller_secret().expose().to_owned();
    let run = ramkey(&sandbox, &secret, &["scan", "--format", "json"]).await;

    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["flagged"], serde_json::json!([]));
    assert_eq!(report["users_scanned"], 27);
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_days_moves_the_threshold() {
    let sandbox = sandbox(demo_keeping(&["billing-exporter"])).await;
    let secret = sandbox.caller_secret().expose().to_owned();

    // billing-exporter's idle key was last used 200 days ago.
    for (days, recommendation) in [("90", "disable_idle"), ("365", "move_to_new_user")] {
        let args = ["scan", "--format", "json", "--idle-days", days];
        let run = ramkey(&sandbox, &secret, &args).await;
        assert_eq!(run.code, 3, "{}", run.stderr);
        let report: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(
            report["flagged"][0]["recommendation"], recommendation,
            "{days}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_secret_exits_1_with_the_code_request_id_and_a_hint() {
    let sandbox = sandbox(Account::demo()).await;
    let run = ramkey(&sandbox, "not-the-secret", &["scan"]).await;

    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    for words in [
        "SignatureDoesNotMatch",
        "RequestId",
        "hint:",
        "check the AccessKey secret",
    ] {
        assert!(
            run.stderr.contains(words),
            "missing {words:?} in {}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("not-the-secret"));
}

#[tokio::test(flavor = "multi_thread")]
async fn signature_v3_scans_the_same_and_names_its_algorithm_on_a_mismatch() {
    let sandbox = sandbox(Account::demo()).await;
    let secret = sandbox.caller_secret().expose().to_owned();
    let json = |run: &Run| -> Value { serde_json::from_str(&run.stdout).expect("JSON") };

    let v1 = ramkey(&sandbox, &secret, &["scan", "--format", "json"]).await;
    let v3 = ramkey(
        &sandbox,
        &secret,
        &["--signature", "v3", "scan", "--format", "json"],
    )
    .await;
    assert_eq!(v3.code, 3, "stderr: {}", v3.stderr);
    assert_eq!(json(&v3)["flagged"], json(&v1)["flagged"]);

    let wrong = ramkey(&sandbox, "not-the-secret", &["scan", "--signature", "v3"]).await;
    assert_eq!(wrong.code, 1);
    assert!(
        wrong.stderr.contains("SignatureDoesNotMatch"),
        "{}",
        wrong.stderr
    );
    assert!(
        wrong
            .stderr
            .contains("ramkey's string to sign: ACS3-HMAC-SHA256 "),
        "{}",
        wrong.stderr
    );
    assert!(!wrong.stderr.contains("not-the-secret"));
}
