//! The `ramkey status` binary: reads only the state file, prints each
//! rotation's next step and the deletions due, refuses (and keeps) a file
//! that is not ramkey's, and never writes; `--history` prints the audit log,
//! `--ics FILE` writes the one file asked for.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use ramkey::clock::{Clock as _, SystemClock};
use ramkey::cloud::model::KeyStatus;
use ramkey::state::steps::{Copied, Disabled, IdleStep, MoveStep, NewKey, NewUser, Prepared};
use ramkey::state::{
    AuditEntry, AuditKind, AuditOutcome, Progress, Rotation, StateStore, StepRecord, WriteCall,
};
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
        not_idle_override: None,
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
            new_key: NewKey::created("LTAI-NEW", StepRecord::written(at, "REQ-KEY")),
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

fn audit_some_writes(path: &Path) {
    let mut store = StateStore::open(path, ACCOUNT).unwrap();
    let at: DateTime<Utc> = "2026-01-02T03:04:05Z".parse().unwrap();
    let call = WriteCall::UpdateAccessKey {
        user_name: "billing-exporter".into(),
        access_key_id: "LTAI-billing-exporter".into(),
        status: KeyStatus::Inactive,
    };
    let intent = AuditEntry::intent(at, "aaaaaaaaaaaa", "billing-exporter", "i-1", &call);
    let outcome = AuditEntry {
        kind: AuditKind::Outcome,
        outcome: Some(AuditOutcome::Done),
        request_id: Some("REQ-DISABLE".into()),
        detail: Some("disabled; may be deleted from 2026-04-02".into()),
        ..intent.clone()
    };
    store.audit(&intent).unwrap();
    store.audit(&outcome).unwrap();
}

#[test]
fn history_prints_the_audit_log_as_a_table() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("elsewhere.json");
    write_state(&path);
    audit_some_writes(&path);
    let log = ramkey::state::audit_path(&path);
    let before = std::fs::read(&log).unwrap();

    let run = ramkey(
        home.path(),
        &["status", "--history", "--state", path.to_str().unwrap()],
    );

    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with(&log.display().to_string()),
        "{}",
        run.stdout
    );
    for words in [
        "TIME",
        "USER",
        "KIND",
        "ACTION",
        "TARGET",
        "OUTCOME",
        "REQUEST ID",
        "DETAIL",
    ] {
        assert!(lines[1].contains(words), "no {words} in {:?}", lines[1]);
    }
    let intent: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(
        intent[..4],
        [
            "2026-01-02T03:04:05Z",
            "billing-exporter",
            "intent",
            "UpdateAccessKey"
        ]
    );
    for words in [
        "outcome",
        "key LTAI-billing-exporter of billing-exporter (Inactive)",
        "done",
        "REQ-DISABLE",
        "disabled; may be deleted from 2026-04-02",
    ] {
        assert!(lines[3].contains(words), "no {words:?} in {:?}", lines[3]);
    }
    assert_eq!(std::fs::read(&log).unwrap(), before, "status wrote the log");
}

#[test]
fn history_as_json_lists_the_entries_and_reports_a_torn_line() {
    let home = tempfile::tempdir().unwrap();
    let path = default_state_file(home.path());
    write_state(&path);
    audit_some_writes(&path);
    let log = ramkey::state::audit_path(&path);
    let mut bytes = std::fs::read(&log).unwrap();
    bytes.extend_from_slice(br#"{"at":"2026-01-02T03:04:06Z","rotation":"aaa"#);
    std::fs::write(&log, &bytes).unwrap();

    let run = ramkey(home.path(), &["status", "--history", "--format", "json"]);

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("1 unreadable line(s)") && run.stderr.contains("line 3"),
        "{}",
        run.stderr
    );
    let history: Value = serde_json::from_str(&run.stdout).unwrap();
    let file = &history["histories"][0];
    assert_eq!(file["state_file"], path.to_str().unwrap());
    assert_eq!(file["unreadable_lines"], serde_json::json!([3]));
    let entries = file["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["kind"], "intent");
    assert_eq!(entries[1]["outcome"], "done");
    assert_eq!(entries[1]["request_id"], "REQ-DISABLE");
}

#[test]
fn history_without_a_log_says_nothing_is_recorded() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("state.json");
    write_state(&path);

    let run = ramkey(
        home.path(),
        &["status", "--history", "--state", path.to_str().unwrap()],
    );

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("nothing recorded yet"),
        "{}",
        run.stdout
    );
    assert!(!ramkey::state::audit_path(&path).exists());
}

/// Unfolds RFC 5545 content lines.
fn unfold(text: &str) -> String {
    text.replace("\r\n ", "")
}

#[test]
fn ics_writes_one_event_per_key_awaiting_deletion() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("state.json");
    write_state(&path);
    let calendar = home.path().join("due.ics");

    let run = ramkey(
        home.path(),
        &[
            "status",
            "--state",
            path.to_str().unwrap(),
            "--ics",
            calendar.to_str().unwrap(),
        ],
    );

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("wrote 2 deletion reminder(s)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("Deletions due now:"),
        "the status still prints"
    );
    let raw = std::fs::read_to_string(&calendar).unwrap();
    assert!(raw.split("\r\n").all(|line| line.len() <= 75), "{raw}");
    assert!(!raw.replace("\r\n", "").contains('\n'), "bare LF");
    let text = unfold(&raw);
    assert!(
        text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
        "{text}"
    );
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 2, "{text}");
    for rotation in ["aaaaaaaaaaaa", "bbbbbbbbbbbb"] {
        let uid = format!("UID:ramkey-{ACCOUNT}-{rotation}-delete@ramkey\r\n");
        assert!(text.contains(&uid), "no {uid:?} in {text}");
    }
    assert!(
        !text.contains("cccccccccccc"),
        "ci-deployer is not disabled yet"
    );
    let now = SystemClock::new().now();
    let due = (now - Duration::days(1)).format("%Y%m%d");
    assert!(
        text.contains(&format!("DTSTART;VALUE=DATE:{due}\r\n")),
        "{text}"
    );
    assert!(
        text.contains("SUMMARY:ramkey: delete AccessKey LTAI-billing-exporter of RAM user billing-exporter\r\n"),
        "{text}"
    );
    assert!(
        text.contains("Run ramkey to re-check the key's last use and delete it"),
        "{text}"
    );

    // Written again, the events keep their UIDs: a calendar updates them.
    let again = ramkey(
        home.path(),
        &[
            "status",
            "--state",
            path.to_str().unwrap(),
            "--ics",
            calendar.to_str().unwrap(),
        ],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    let uids = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("UID:"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        uids(&unfold(&std::fs::read_to_string(&calendar).unwrap())),
        uids(&text)
    );
}

#[test]
fn an_older_file_is_shown_migrated_and_left_as_it_was() {
    let home = tempfile::tempdir().unwrap();
    // Not the home directory itself: the log file goes there.
    let work = home.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let path = work.join("state.json");
    let v1 = format!(
        r#"{{"schema_version":1,"account_id":"{ACCOUNT}","rotations":[{{"id":"0123456789ab",
        "user":"app-user","key_id":"LTAI-OLD","started_at":"2024-01-01T00:00:00Z",
        "path":{{"kind":"disable_idle","step":"await_deletion",
        "reviewed":{{"at":"2024-01-02T03:00:00Z"}},
        "disabled":{{"record":{{"at":"2024-01-02T03:04:05Z","request_ids":["REQ-1"]}},
        "delete_after":"2024-04-01T03:04:05Z"}}}}}}]}}"#
    );
    std::fs::write(&path, &v1).unwrap();

    let run = ramkey(home.path(), &["status", "--state", path.to_str().unwrap()]);

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("older layout (schema_version 1)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("Deletions due now:\n    LTAI-OLD of app-user (since 2024-04-01)"),
        "{}",
        run.stdout
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), v1);
    assert_eq!(
        std::fs::read_dir(&work).unwrap().count(),
        1,
        "status wrote a file"
    );
}

#[test]
fn a_newer_file_is_shown_with_a_note_and_not_refused() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("state.json");
    std::fs::write(&path, br#"{"schema_version":99,"x_future":{"k":1}}"#).unwrap();

    let run = ramkey(home.path(), &["status", "--state", path.to_str().unwrap()]);

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("newer ramkey (schema_version 99)"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("no rotations"), "{}", run.stdout);
}

#[test]
fn a_damaged_file_is_refused_without_a_copy() {
    let home = tempfile::tempdir().unwrap();
    // Not the home directory itself: the log file goes there.
    let work = home.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let path = work.join("state.json");
    std::fs::write(&path, vec![0_u8; 4096]).unwrap();

    let run = ramkey(home.path(), &["status", "--state", path.to_str().unwrap()]);

    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("NUL"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_dir(&work).unwrap().count(),
        1,
        "status wrote a file"
    );
}

#[test]
fn a_key_found_without_its_secret_is_told_with_what_to_do() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("lost.json");
    let now = SystemClock::new().now();
    let at_create_key = Progress::MoveToNewUser(Box::new(MoveStep::CreateKey {
        new_user: NewUser {
            name: "ci-deployer-v2".to_owned(),
            user_id: None,
            named: StepRecord::at(now),
            created: StepRecord::written(now, "REQ-USER"),
        },
        copied: Copied {
            grants: Vec::new(),
            record: StepRecord::at(now),
        },
        lost_keys: vec![ramkey::state::steps::LostKey::found_without_secret(
            "LTAI-NOSECRET",
            now,
        )],
    }));
    let mut store = StateStore::open(&path, ACCOUNT).unwrap();
    store.document_mut().rotations =
        vec![rotation("dddddddddddd", "ci-deployer", at_create_key, now)];
    store.save().unwrap();
    drop(store);

    let run = ramkey(home.path(), &["status", "--state", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "ci-deployer-v2 holds a key nobody has the secret of (LTAI-NOSECRET): replace it \
             in the wizard"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_write_left_in_flight_is_told_in_the_table() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("inflight.json");
    let now = SystemClock::new().now();
    let mut in_flight = rotation("eeeeeeeeeeee", "ci-deployer", staging(now), now);
    in_flight.progress = Progress::MoveToNewUser(Box::new(MoveStep::CreateKey {
        new_user: NewUser {
            name: "ci-deployer-v2".to_owned(),
            user_id: None,
            named: StepRecord::at(now),
            created: StepRecord::written(now, "REQ-USER"),
        },
        copied: Copied {
            grants: Vec::new(),
            record: StepRecord::at(now),
        },
        lost_keys: Vec::new(),
    }));
    in_flight.pending = Some(ramkey::state::Intent {
        id: "0123456789ab".to_owned(),
        call: ramkey::state::WriteCall::CreateAccessKey {
            user_name: "ci-deployer-v2".to_owned(),
        },
        at: now,
    });
    let mut store = StateStore::open(&path, ACCOUNT).unwrap();
    store.document_mut().rotations = vec![in_flight];
    store.save().unwrap();
    drop(store);

    let run = ramkey(home.path(), &["status", "--state", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("in flight when ramkey last stopped: CreateAccessKey"),
        "{}",
        run.stdout
    );
    assert!(text.contains("the wizard checks it"), "{}", run.stdout);
}

#[test]
fn history_of_a_directory_is_refused_not_reported_empty() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("state.json");
    std::fs::create_dir(&dir).unwrap();
    let run = ramkey(
        home.path(),
        &["status", "--history", "--state", dir.to_str().unwrap()],
    );
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    assert!(!run.stdout.contains("nothing recorded"), "{}", run.stdout);
}
