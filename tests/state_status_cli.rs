//! The `ramkey status` binary: reads only the state file, prints each
//! rotation's next step and the deletions due, refuses (and keeps) a file
//! that is not ramkey's, and never writes.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use ramkey::clock::{Clock as _, SystemClock};
use ramkey::state::steps::{Copied, Disabled, IdleStep, MoveStep, NewKey, NewUser, Prepared};
use ramkey::state::{Progress, Rotation, StateStore, StepRecord};
use serde_json::Value;

const ACCOUNT: &str = "5123874409316254";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn ramkey(state_home: &Path, args: &[&str]) -> Run {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ramkey"))
        .args(args)
        .env_clear()
        .env("HOME", state_home)
        .env("XDG_STATE_HOME", state_home)
        // No credentials and an endpoint nothing listens on: status needs neither.
        .env("RAMKEY_ENDPOINT", "http://127.0.0.1:9")
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn rotation(id: &str, user: &str, progress: Progress, started: DateTime<Utc>) -> Rotation {
    Rotation {
        id: id.to_owned(),
        user: user.to_owned(),
        key_id: format!("LTAI-{user}"),
        started_at: started,
        progress,
        wait_days: 90,
        pending: None,
        rollbacks: Vec::new(),
        extra: serde_json::Map::new(),
    }
}

fn awaiting(disabled_at: DateTime<Utc>, delete_after: DateTime<Utc>) -> Progress {
    Progress::DisableIdle(IdleStep::AwaitDeletion {
        reviewed: StepRecord::at(disabled_at),
        disabled: Disabled {
            record: StepRecord::written(disabled_at, "REQ-DISABLE"),
            delete_after,
        },
    })
}

fn staging(at: DateTime<Utc>) -> Progress {
    Progress::MoveToNewUser(Box::new(MoveStep::ConfirmStaging {
        prepared: Prepared {
            new_user: NewUser {
                name: "ci-deployer-v2".to_owned(),
                user_id: None,
                named: StepRecord::at(at),
                created: StepRecord::written(at, "REQ-USER"),
            },
            copied: Copied {
                grants: Vec::new(),
                record: StepRecord::at(at),
            },
            new_key: NewKey {
                key_id: "LTAI-NEW".to_owned(),
                created: StepRecord::written(at, "REQ-KEY"),
            },
        },
        secret_stored: StepRecord::at(at),
    }))
}

/// A state file with a deletion due, one waiting, and a move mid-way.
fn write_state(path: &Path) {
    let now = SystemClock::new().now();
    let mut store = StateStore::open(path, ACCOUNT).unwrap();
    store.document_mut().rotations = vec![
        rotation(
            "aaaaaaaaaaaa",
            "billing-exporter",
            awaiting(now - Duration::days(91), now - Duration::days(1)),
            now - Duration::days(92),
        ),
        rotation(
            "bbbbbbbbbbbb",
            "sms-gateway",
            awaiting(now - Duration::days(60), now + Duration::days(30)),
            now - Duration::days(61),
        ),
        rotation(
            "cccccccccccc",
            "ci-deployer",
            staging(now - Duration::days(2)),
            now - Duration::days(3),
        ),
    ];
    store.save().unwrap();
}

fn default_state_file(home: &Path) -> PathBuf {
    home.join("ramkey").join(format!("{ACCOUNT}.json"))
}

#[test]
fn the_table_shows_next_steps_and_deletions_due() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("elsewhere.json");
    write_state(&path);
    let before = std::fs::read(&path).unwrap();

    let run = ramkey(home.path(), &["status", "--state", path.to_str().unwrap()]);

    assert_eq!(run.code, 0, "{}", run.stderr);
    for words in [
        "billing-exporter: disable the idle key (LTAI-billing-exporter)",
        "next: Delete the old key (due now)",
        "sms-gateway",
        "next: Delete the old key, due",
        "(in 30 days)",
        "ci-deployer -> ci-deployer-v2: move to a new user",
        "next: Confirm staging uses the new key",
        "Deletions due now:\n    LTAI-billing-exporter of billing-exporter",
    ] {
        assert!(
            run.stdout.contains(words),
            "missing {words:?} in\n{}",
            run.stdout
        );
    }
    assert!(
        !run.stdout.contains("LTAI-sms-gateway of"),
        "not due yet:\n{}",
        run.stdout
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "status wrote the state file"
    );
}

#[test]
fn json_lists_every_rotation_with_its_current_step_and_due_flag() {
    let home = tempfile::tempdir().unwrap();
    write_state(&default_state_file(home.path()));

    let run = ramkey(home.path(), &["status", "--format", "json"]);

    assert_eq!(run.code, 0, "{}", run.stderr);
    let status: Value = serde_json::from_str(&run.stdout).unwrap();
    let files = status["state_files"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["account_id"], ACCOUNT);
    let rotations = files[0]["rotations"].as_array().unwrap();
    let summary: Vec<(&str, &str, bool)> = rotations
        .iter()
        .map(|r| {
            (
                r["user"].as_str().unwrap(),
                r["current"].as_str().unwrap(),
                r["deletion_due"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("billing-exporter", "delete_key", true),
            ("sms-gateway", "delete_key", false),
            ("ci-deployer", "confirm_staging", false),
        ]
    );
    assert_eq!(rotations[2]["new_key_id"], "LTAI-NEW");
    assert_eq!(rotations[0]["steps"][1]["status"], "done");
    assert_eq!(rotations[0]["steps"][1]["request_ids"][0], "REQ-DISABLE");
    assert_eq!(rotations[1]["steps"][3]["status"], "waiting");
}

#[test]
fn a_file_that_is_not_ramkeys_is_reported_and_kept() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("state.json");
    std::fs::write(&path, b"[]").unwrap();

    let run = ramkey(home.path(), &["status", "--state", path.to_str().unwrap()]);

    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not an object"), "{}", run.stderr);
    assert!(run.stderr.contains("untouched"), "{}", run.stderr);
    assert_eq!(std::fs::read(&path).unwrap(), b"[]");
}

#[test]
fn no_state_files_is_not_an_error() {
    let home = tempfile::tempdir().unwrap();
    let run = ramkey(home.path(), &["status"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("no state files"), "{}", run.stderr);
}

/// `ramkey demo --state FILE` keeps its sandbox in `FILE.sandbox.json`; when
/// FILE is in the default directory, that file is the demo's, not a damaged
/// state file, and `ramkey status` must not report it as one.
#[test]
fn a_demo_sandbox_beside_its_state_file_is_not_listed() {
    let home = tempfile::tempdir().unwrap();
    let state = default_state_file(home.path());
    write_state(&state);
    let sandbox = home
        .path()
        .join("ramkey")
        .join(format!("{ACCOUNT}.json.sandbox.json"));
    std::fs::write(
        &sandbox,
        br#"{"AccountId": "5123874409316254", "Users": []}"#,
    )
    .unwrap();

    let run = ramkey(home.path(), &["status"]);

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("refusing"), "{}", run.stderr);
    assert!(run.stdout.contains("billing-exporter"), "{}", run.stdout);
}

/// A stray JSON file in the default directory is still reported.
#[test]
fn another_json_file_in_the_default_directory_is_still_reported() {
    let home = tempfile::tempdir().unwrap();
    write_state(&default_state_file(home.path()));
    let stray = home.path().join("ramkey").join("notes.json");
    std::fs::write(&stray, b"{}").unwrap();

    let run = ramkey(home.path(), &["status"]);

    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("notes.json"), "{}", run.stderr);
    assert_eq!(std::fs::read(&stray).unwrap(), b"{}");
}
