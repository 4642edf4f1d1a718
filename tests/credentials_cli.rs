//! The `ramkey scan` binary with credentials from a temporary HOME and a
//! cleared environment, against an in-process sandbox on 127.0.0.1: who
//! ramkey is on stderr (identity, credential kind and source, STS expiry),
//! the permanent-key warning, and the error when nothing is found. The ECS
//! metadata service is switched off in every run.

use std::net::SocketAddr;
use std::sync::Arc;

use ramkey::clock::SystemClock;
use ramkey::sandbox::{self, Account, SandboxHandle};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn sandbox() -> SandboxHandle {
    let listen: SocketAddr = "127.0.0.1:0".parse().unwrap();
    sandbox::start(listen, Account::demo(), Arc::new(SystemClock::new()))
        .await
        .unwrap()
}

/// `~/.aliyun/config.json` with the demo caller's key as `base` and a
/// `rotator` profile assuming ramkey-rotator with it.
fn write_cli_config(home: &std::path::Path, sandbox: &SandboxHandle) {
    let config = serde_json::json!({
        "current": "base",
        "profiles": [
            {"name": "base", "mode": "AK", "access_key_id": sandbox.caller_access_key_id(),
             "access_key_secret": sandbox.caller_secret().expose()},
            {"name": "rotator", "mode": "RamRoleArn",
             "access_key_id": sandbox.caller_access_key_id(),
             "access_key_secret": sandbox.caller_secret().expose(),
             "ram_role_arn": "acs:ram::5123874409316254:role/ramkey-rotator",
             "ram_session_name": "rotation-2024"}
        ]
    });
    std::fs::create_dir_all(home.join(".aliyun")).unwrap();
    std::fs::write(home.join(".aliyun/config.json"), config.to_string()).unwrap();
}

async fn ramkey(
    sandbox: &SandboxHandle,
    home: &std::path::Path,
    env: &[(&str, &str)],
    args: &[&str],
) -> Run {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_ramkey"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("RAMKEY_ENDPOINT", sandbox.endpoint())
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        .envs(env.iter().copied())
        .output()
        .await
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn assert_has(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn scan_under_a_role_profile_says_who_it_is_and_until_when() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    write_cli_config(home.path(), &sandbox);

    let run = ramkey(
        &sandbox,
        home.path(),
        &[],
        &["scan", "--profile", "rotator"],
    )
    .await;

    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_has(
        &run.stderr,
        &[
            "ramkey: account 5123874409316254, signed in as \
             acs:ram::5123874409316254:assumed-role/ramkey-rotator/rotation-2024 (AssumedRoleUser)",
            "ramkey: credentials: RamRoleArn profile `rotator` from ~/.aliyun/config.json, key STS.",
            ", expires 20",
            "(renewed before then)",
        ],
    );
    assert!(!run.stderr.contains("warning:"), "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("Account 5123874409316254: 6 of 33 users flagged")
    );
    let secret = sandbox.caller_secret().expose();
    assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_profile_variable_and_the_current_profile_work_too() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    write_cli_config(home.path(), &sandbox);

    let run = ramkey(
        &sandbox,
        home.path(),
        &[("ALIBABA_CLOUD_PROFILE", "rotator")],
        &["scan"],
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_has(
        &run.stderr,
        &["(AssumedRoleUser)", "RamRoleArn profile `rotator`"],
    );

    let run = ramkey(&sandbox, home.path(), &[], &["scan", "--format", "json"]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_has(
        &run.stderr,
        &[
            "signed in as acs:ram::5123874409316254:user/ramkey-admin (RAMUser)",
            "credentials: AccessKey profile `base` from ~/.aliyun/config.json",
            "warning: ramkey is signing with a permanent AccessKey",
        ],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_permanent_key_from_the_environment_is_warned_about() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let secret = sandbox.caller_secret().expose().to_owned();
    let env = [
        ("ALICLOUD_ACCESS_KEY", sandbox.caller_access_key_id()),
        ("ALICLOUD_SECRET_KEY", secret.as_str()),
    ];

    let run = ramkey(&sandbox, home.path(), &env, &["scan"]).await;

    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_has(
        &run.stderr,
        &[
            &format!(
                "ramkey: credentials: AccessKey from the environment (ALICLOUD_ACCESS_KEY), key {}",
                sandbox.caller_access_key_id()
            ),
            "ramkey: warning: ramkey is signing with a permanent AccessKey. STS credentials are \
             safer: add a RamRoleArn profile",
        ],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_credentials_anywhere_is_a_plain_error() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();

    let run = ramkey(&sandbox, home.path(), &[], &["scan"]).await;

    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_has(
        &run.stderr,
        &[
            "no Alibaba Cloud credentials found",
            "~/.aliyun/config.json: not present",
            "ECS metadata: not asked (ALIBABA_CLOUD_ECS_METADATA_DISABLED=true)",
        ],
    );

    let run = ramkey(&sandbox, home.path(), &[], &["scan", "--profile", "prod"]).await;
    assert_eq!(run.code, 1);
    assert_has(
        &run.stderr,
        &["profile `prod` (chosen by --profile) was not found"],
    );
}
