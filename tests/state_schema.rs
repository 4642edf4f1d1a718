//! Schema versions of the state file (BC-20): an older file is migrated in
//! memory and backed up before its first save, a newer one opens read-only,
//! and unknown fields of either survive.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use chrono::{DateTime, Utc};
use ramkey::state::steps::{Disabled, IdleStep};
use ramkey::state::{
    AuditEntry, Progress, SCHEMA_VERSION, StateError, StateStore, StepRecord, WriteCall,
    audit_path, read_document, read_history,
};
use serde_json::{Value, json};

const ACCOUNT: &str = "1234567890123456";

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("test date")
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// BC-20 (a): the schema 1 layout, `app-user` with its old key disabled.
fn v1_file() -> Value {
    json!({
        "schema_version": 1,
        "account_id": ACCOUNT,
        "annotations": {"owner": "secops"},
        "rotations": [
            {
                "id": "0123456789ab",
                "user": "app-user",
                "key_id": "LTAI-OLD",
                "started_at": "2024-01-01T00:00:00Z",
                "path": {
                    "kind": "disable_idle",
                    "step": "await_deletion",
                    "reviewed": {"at": "2024-01-02T03:00:00Z", "request_ids": []},
                    "disabled": {
                        "record": {"at": "2024-01-02T03:04:05Z", "request_ids": ["REQ-DISABLE"]},
                        "delete_after": "2024-04-01T03:04:05Z"
                    }
                },
                "ticket": "SEC-42"
            },
            {
                "id": "ba9876543210",
                "user": "other-user",
                "key_id": "LTAI-OTHER",
                "started_at": "2024-01-03T00:00:00Z",
                "path": {"kind": "disable_idle", "step": "review"}
            }
        ]
    })
}

fn awaiting_app_user() -> Progress {
    Progress::DisableIdle(IdleStep::AwaitDeletion {
        reviewed: StepRecord::at(at("2024-01-02T03:00:00Z")),
        disabled: Disabled {
            record: StepRecord::written(at("2024-01-02T03:04:05Z"), "REQ-DISABLE"),
            delete_after: at("2024-04-01T03:04:05Z"),
        },
    })
}

fn write_pretty(path: &Path, value: &Value) -> Vec<u8> {
    let bytes = serde_json::to_vec_pretty(value).unwrap();
    fs::write(path, &bytes).unwrap();
    bytes
}

fn entry() -> AuditEntry {
    let call = WriteCall::CreateUser {
        user_name: "app-v2".into(),
    };
    AuditEntry::intent(
        at("2026-01-01T00:00:00Z"),
        "0123456789ab",
        "app",
        "i-1",
        &call,
    )
}

#[test]
fn an_older_file_is_migrated_with_its_steps_and_dates_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let original = write_pretty(&path, &v1_file());

    let store = StateStore::open(&path, ACCOUNT).unwrap();

    let document = store.document();
    assert_eq!(document.schema_version, SCHEMA_VERSION);
    let app = &document.rotations[0];
    assert_eq!(app.user, "app-user");
    assert_eq!(app.progress, awaiting_app_user(), "step or dates changed");
    assert_eq!(app.wait_days, 90, "from the disable to the deletion date");
    assert_eq!(app.pending, None);
    assert!(app.rollbacks.is_empty());
    assert_eq!(document.rotations[1].wait_days, 90);

    let notices = store.notices().join("\n");
    assert!(notices.contains("schema_version 1"), "{notices}");
    assert!(notices.contains("state.json.v1.bak"), "{notices}");
    assert!(
        notices.contains("other-user") && notices.contains("90 days (the default)"),
        "{notices}"
    );
    assert!(
        !notices.contains("app-user"),
        "app-user's period is known: {notices}"
    );

    // Opening writes nothing: no backup yet, the file as it was.
    assert_eq!(fs::read(&path).unwrap(), original);
    assert!(!dir.path().join("state.json.v1.bak").exists());
}

#[test]
fn the_first_save_of_a_migrated_file_keeps_its_original_bytes_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let original = write_pretty(&path, &v1_file());
    let backup = dir.path().join("state.json.v1.bak");

    let mut store = StateStore::open(&path, ACCOUNT).unwrap();
    store.save().unwrap();

    assert_eq!(
        fs::read(&backup).unwrap(),
        original,
        "the backup is the exact original"
    );
    assert_eq!(mode(&backup), 0o600);
    let saved: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    assert_eq!(saved["schema_version"], 2);
    assert_eq!(saved["rotations"][0]["wait_days"], 90);
    assert_eq!(
        saved["rotations"][0]["path"],
        v1_file()["rotations"][0]["path"]
    );
    assert_eq!(saved["rotations"][0]["ticket"], "SEC-42");
    assert_eq!(saved["annotations"], json!({"owner": "secops"}));

    // Later saves leave the backup alone; a reopen is a plain schema 2 file.
    store.document_mut().rotations.pop();
    store.save().unwrap();
    drop(store);
    assert_eq!(fs::read(&backup).unwrap(), original);
    let reopened = StateStore::open(&path, ACCOUNT).unwrap();
    assert!(reopened.notices().is_empty(), "{:?}", reopened.notices());
    assert_eq!(
        reopened.document().rotations[0].progress,
        awaiting_app_user()
    );
}

#[test]
fn status_reads_an_older_file_without_writing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let original = write_pretty(&path, &v1_file());

    let document = read_document(&path).unwrap();

    assert_eq!(document.rotations[0].progress, awaiting_app_user());
    assert_eq!(fs::read(&path).unwrap(), original);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// BC-20 (b).
#[test]
fn a_newer_file_opens_read_only_and_refuses_every_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let bytes = br#"{"schema_version":99,"x_future":{"k":1}}"#;
    fs::write(&path, bytes).unwrap();

    let mut store = StateStore::open(&path, ACCOUNT).unwrap();

    let reason = store.read_only().expect("read-only").to_owned();
    assert!(reason.contains("schema_version 99"), "{reason}");
    assert!(
        store.notices().join("\n").contains("read-only"),
        "{:?}",
        store.notices()
    );
    assert!(store.document().rotations.is_empty());
    assert_eq!(store.document().extra["x_future"], json!({"k": 1}));

    for error in [
        store.save().unwrap_err(),
        store.audit(&entry()).unwrap_err(),
    ] {
        assert!(matches!(error, StateError::ReadOnly { .. }), "{error}");
        let message = error.to_string();
        for words in [
            "schema_version 99",
            "No changes will be made",
            "Upgrade ramkey",
        ] {
            assert!(message.contains(words), "no {words:?} in {message}");
        }
    }
    assert_eq!(fs::read(&path).unwrap(), bytes);
    assert!(!audit_path(&path).exists(), "the audit log was written");
    assert_eq!(read_document(&path).unwrap().schema_version, 99);
}

#[test]
fn a_newer_file_with_rotations_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let mut file = v1_file();
    file["schema_version"] = json!(3);
    file["rotations"][0]["wait_days"] = json!(90);
    file["rotations"][1]["wait_days"] = json!(90);
    write_pretty(&path, &file);

    let store = StateStore::open(&path, ACCOUNT).unwrap();

    assert!(store.read_only().is_some());
    assert_eq!(store.document().rotations[0].progress, awaiting_app_user());
}

#[test]
fn a_newer_file_that_cannot_be_shown_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let bytes = br#"{"schema_version":3,"rotations":[{"id":1}]}"#;
    fs::write(&path, bytes).unwrap();

    let error = StateStore::open(&path, ACCOUNT).unwrap_err();

    assert!(matches!(error, StateError::Refused { .. }), "{error}");
    let message = error.to_string();
    assert!(
        message.contains("schema_version 3") && message.contains("Upgrade"),
        "{message}"
    );
    assert_eq!(fs::read(&path).unwrap(), bytes);
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        2,
        "only the lock beside it"
    );
}

#[test]
fn audit_lines_are_appended_0600_and_read_back_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let mut store = StateStore::open(&path, ACCOUNT).unwrap();

    let first = entry();
    let mut second = entry();
    second.kind = ramkey::state::AuditKind::Outcome;
    second.request_id = Some("REQ-1".to_owned());
    store.audit(&first).unwrap();
    store.audit(&second).unwrap();

    let log = audit_path(&path);
    assert_eq!(log, dir.path().join("state.json.audit.jsonl"));
    assert_eq!(mode(&log), 0o600);
    assert_eq!(fs::read_to_string(&log).unwrap().lines().count(), 2);
    let history = read_history(&path).unwrap();
    assert_eq!(history.entries, [first, second]);
    assert_eq!(history.unreadable, 0);
}

#[test]
fn a_looser_audit_log_is_tightened_and_reported_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let log = audit_path(&path);
    fs::write(&log, b"").unwrap();
    fs::set_permissions(&log, fs::Permissions::from_mode(0o644)).unwrap();

    let store = StateStore::open(&path, ACCOUNT).unwrap();

    assert_eq!(mode(&log), 0o600);
    assert!(
        store.notices()[0].contains("audit.jsonl"),
        "{:?}",
        store.notices()
    );
}
