//! The state file on disk (BC-18, BC-20): atomic 0600 saves, refusal of every
//! file that is not this account's ramkey state (kept byte-identical), unknown
//! fields kept, and the lock. Every test works in its own temporary directory.
//! Schema versions are in `state_schema.rs`, kills in `state_crash.rs`, the
//! umask in `state_umask.rs`.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use ramkey::clock::FixedClock;
use ramkey::cloud::model::PolicyType;
use ramkey::state::steps::{
    Copied, Detached, Disabled, Grant, GrantRecord, IdleStep, MoveStep, NewKey, NewUser, Prepared,
    Swap,
};
use ramkey::state::{
    Progress, Refusal, Rotation, SCHEMA_VERSION, StateError, StateStore, StepRecord, read_document,
};

const ACCOUNT: &str = "1234567890123456";

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("test date")
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn record(text: &str, request_id: &str) -> StepRecord {
    StepRecord::written(at(text), request_id)
}

fn rotation(user: &str, progress: Progress) -> Rotation {
    Rotation {
        id: "0123456789ab".to_owned(),
        user: user.to_owned(),
        key_id: "LTAI-OLD".to_owned(),
        started_at: at("2026-01-01T00:00:00Z"),
        progress,
        wait_days: 90,
        pending: None,
        rollbacks: Vec::new(),
        not_idle_override: None,
        extra: serde_json::Map::new(),
    }
}

fn complete_move() -> Progress {
    let prepared = Prepared {
        new_user: NewUser {
            name: "app-v2".to_owned(),
            user_id: Some("222".to_owned()),
            named: StepRecord::at(at("2026-01-01T00:00:30Z")),
            created: record("2026-01-01T00:01:00Z", "REQ-CREATE-USER"),
        },
        copied: Copied {
            grants: vec![
                GrantRecord {
                    grant: Grant::Policy {
                        policy_name: "ReadOnlyAccess".to_owned(),
                        policy_type: PolicyType::System,
                    },
                    record: record("2026-01-01T00:02:00Z", "REQ-ATTACH"),
                },
                GrantRecord {
                    grant: Grant::Group {
                        group_name: "Dev-Team".to_owned(),
                    },
                    record: record("2026-01-01T00:02:01Z", "REQ-GROUP"),
                },
            ],
            record: StepRecord::at(at("2026-01-01T00:02:02Z")),
        },
        new_key: NewKey::created("LTAI-NEW", record("2026-01-01T00:03:00Z", "REQ-KEY")),
    };
    Progress::MoveToNewUser(Box::new(MoveStep::Complete {
        prepared,
        swap: Swap {
            secret_stored: StepRecord::at(at("2026-01-01T00:04:00Z")),
            staging: StepRecord::at(at("2026-01-02T00:00:00Z")),
            production: StepRecord::at(at("2026-01-03T00:00:00Z")),
        },
        disabled: Disabled {
            record: record("2026-01-04T00:00:00Z", "REQ-DISABLE"),
            delete_after: at("2026-04-04T00:00:00Z"),
        },
        deleted: record("2026-04-05T00:00:00Z", "REQ-DELETE"),
        detached: Detached {
            policies: Vec::new(),
            record: StepRecord::at(at("2026-04-05T00:01:00Z")),
        },
    }))
}

fn state_path(dir: &Path) -> PathBuf {
    dir.join("nested")
        .join("ramkey")
        .join(format!("{ACCOUNT}.json"))
}

#[test]
fn a_missing_file_opens_empty_and_is_written_only_on_save() {
    let dir = tempfile::tempdir().unwrap();
    let path = state_path(dir.path());

    let mut store = StateStore::open(&path, ACCOUNT).unwrap();
    assert!(store.document().rotations.is_empty());
    assert!(!path.exists(), "opening must not write the state file");

    store.document_mut().rotations.push(rotation(
        "app-user",
        Progress::DisableIdle(IdleStep::Review),
    ));
    store.save().unwrap();

    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    assert_eq!(mode(path.parent().unwrap().parent().unwrap()), 0o700);
    let document = read_document(&path).unwrap();
    assert_eq!(document.schema_version, SCHEMA_VERSION);
    assert_eq!(document.account_id, ACCOUNT);
    assert_eq!(document.rotations, store.document().rotations);
}

#[test]
fn every_step_survives_a_save_and_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = state_path(dir.path());
    let progresses = vec![
        Progress::DisableIdle(IdleStep::Review),
        Progress::DisableIdle(IdleStep::Complete {
            reviewed: StepRecord::at(at("2026-01-01T00:00:00Z")),
            disabled: Disabled {
                record: record("2026-01-01T00:01:00Z", "REQ-1"),
                delete_after: at("2026-04-01T00:01:00Z"),
            },
            deleted: StepRecord::found_done(at("2026-04-02T00:00:00Z"), "already deleted"),
        }),
        Progress::MoveToNewUser(Box::new(MoveStep::ChooseName)),
        Progress::MoveToNewUser(Box::new(MoveStep::CreateUser {
            new_user_name: "app-v2".to_owned(),
            named: StepRecord::at(at("2026-01-01T00:00:00Z")),
        })),
        complete_move(),
    ];
    {
        let mut store = StateStore::open(&path, ACCOUNT).unwrap();
        for (i, progress) in progresses.iter().enumerate() {
            store
                .document_mut()
                .rotations
                .push(rotation(&format!("user-{i}"), progress.clone()));
        }
        store.save().unwrap();
    }

    let store = StateStore::open(&path, ACCOUNT).unwrap();
    let reread: Vec<Progress> = store
        .document()
        .rotations
        .iter()
        .map(|r| r.progress.clone())
        .collect();
    assert_eq!(reread, progresses);

    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(r#""kind": "move_to_new_user""#), "{text}");
    assert!(text.contains(r#""step": "complete""#), "{text}");
    assert!(text.contains("REQ-DELETE"), "{text}");
}

/// BC-20 (c): a current-version file with fields this ramkey does not know.
#[test]
fn unknown_fields_survive_a_save() {
    let dir = tempfile::tempdir().unwrap();
    let path = state_path(dir.path());
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let original = serde_json::json!({
        "schema_version": 2,
        "account_id": ACCOUNT,
        "annotations": {"owner": "secops", "n": [1, 2]},
        "rotations": [{
            "id": "0123456789ab",
            "user": "app-user",
            "key_id": "LTAI-OLD",
            "started_at": "2026-01-01T00:00:00Z",
            "path": {"kind": "disable_idle", "step": "review"},
            "wait_days": 30,
            "ticket": "SEC-42"
        }]
    });
    fs::write(&path, serde_json::to_vec(&original).unwrap()).unwrap();

    let mut store = StateStore::open(&path, ACCOUNT).unwrap();
    store.document_mut().rotations[0].progress = Progress::DisableIdle(IdleStep::Disable {
        reviewed: StepRecord::at(at("2026-01-02T00:00:00Z")),
    });
    store.save().unwrap();

    let saved: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    assert_eq!(saved["annotations"], original["annotations"]);
    assert_eq!(saved["rotations"][0]["ticket"], "SEC-42");
    assert_eq!(saved["rotations"][0]["wait_days"], 30);
    assert_eq!(saved["rotations"][0]["path"]["step"], "disable");
    assert!(
        !dir.path()
            .join("nested/ramkey")
            .join(format!("{ACCOUNT}.json.v2.bak"))
            .exists(),
        "a current file needs no backup"
    );
}

/// A name, the file's bytes, and the refusal expected for them.
type ForeignFile = (&'static str, Vec<u8>, fn(&Refusal) -> bool);

/// The damaged files BC-18 and BC-20 name, and others that are not ramkey's.
fn corrupt_files() -> Vec<ForeignFile> {
    vec![
        ("empty", Vec::new(), |r| matches!(r, Refusal::Empty)),
        ("nul-filled", vec![0; 4096], |r| {
            matches!(r, Refusal::NulFilled)
        }),
        (
            "truncated",
            br#"{"schema_version":2,"users":[{"name":"app-user","step":"key_cre"#.to_vec(),
            |r| matches!(r, Refusal::NotJson(_)),
        ),
        ("array", b"[]".to_vec(), |r| {
            matches!(r, Refusal::NotAnObject)
        }),
        (
            "no version (BC-20 d)",
            format!(r#"{{"account_id":"{ACCOUNT}","rotations":[]}}"#).into_bytes(),
            |r| matches!(r, Refusal::NoSchemaVersion),
        ),
        (
            "version as a string",
            format!(r#"{{"schema_version":"2","account_id":"{ACCOUNT}"}}"#).into_bytes(),
            |r| matches!(r, Refusal::BadSchemaVersion(_)),
        ),
        (
            "damaged rotation",
            format!(r#"{{"schema_version":2,"account_id":"{ACCOUNT}","rotations":[{{"id":1}}]}}"#)
                .into_bytes(),
            |r| matches!(r, Refusal::Malformed(_)),
        ),
        (
            "rotation without wait_days",
            format!(
                r#"{{"schema_version":2,"account_id":"{ACCOUNT}","rotations":[{{
                "id":"0123456789ab","user":"u","key_id":"LTAI","started_at":"2026-01-01T00:00:00Z",
                "path":{{"kind":"disable_idle","step":"review"}}}}]}}"#
            )
            .into_bytes(),
            |r| matches!(r, Refusal::Malformed(_)),
        ),
    ]
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// BC-18 (b): refused, copied aside, the original kept byte for byte.
#[test]
fn a_damaged_file_is_copied_aside_refused_and_kept_byte_identical() {
    let clock = FixedClock::new(at("2026-12-03T13:20:31Z"));
    for (name, bytes, expected) in corrupt_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        fs::write(&path, &bytes).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();

        let error = StateStore::open_with_clock(&path, ACCOUNT, &clock).expect_err(name);

        let StateError::Corrupt { reason, copy, .. } = &error else {
            panic!("{name}: not refused as damaged: {error}");
        };
        assert!(expected(reason), "{name}: {reason:?}");
        assert_eq!(
            copy,
            &dir.path().join("state.json.corrupt-20261203T132031Z"),
            "{name}"
        );
        assert_eq!(fs::read(copy).unwrap(), bytes, "{name}: the copy differs");
        assert_eq!(mode(copy), 0o600, "{name}: the copy's mode");
        assert_eq!(fs::read(&path).unwrap(), bytes, "{name}: bytes changed");
        assert_eq!(mode(&path), 0o644, "{name}: mode changed");

        let message = error.to_string();
        for words in [
            "untouched",
            "state.json.corrupt-20261203T132031Z",
            "--state",
            "backup",
        ] {
            assert!(message.contains(words), "{name}: no {words:?} in {message}");
        }

        // Refused again later: the copy made the first time is named again.
        let later = FixedClock::new(at("2026-12-04T00:00:00Z"));
        let again = StateStore::open_with_clock(&path, ACCOUNT, &later).expect_err(name);
        assert!(
            matches!(&again, StateError::Corrupt { copy: c, .. } if c == copy),
            "{again}"
        );

        // `ramkey status` reads without writing: refused, and no copy.
        let before = names_in(dir.path());
        let error = read_document(&path).expect_err(name);
        assert!(
            matches!(error, StateError::Refused { .. }),
            "{name}: {error}"
        );
        assert_eq!(names_in(dir.path()), before, "{name}: read_document wrote");
    }
}

#[test]
fn another_accounts_file_is_refused_without_a_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let bytes = br#"{"schema_version":2,"account_id":"999","rotations":[]}"#;
    fs::write(&path, bytes).unwrap();

    let error = StateStore::open(&path, ACCOUNT).expect_err("another account's file");

    let StateError::Refused { reason, .. } = &error else {
        panic!("not a refusal: {error}");
    };
    assert_eq!(
        reason,
        &Refusal::OtherAccount {
            found: "999".to_owned()
        }
    );
    let message = error.to_string();
    assert!(
        message.contains("account 999") && message.contains("--state"),
        "{message}"
    );
    assert_eq!(fs::read(&path).unwrap(), bytes);
    assert_eq!(names_in(dir.path()), ["state.json", "state.json.lock"]);
    assert_eq!(read_document(&path).unwrap().account_id, "999");
}

#[test]
fn a_second_opener_is_refused_until_the_first_closes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");

    let first = StateStore::open(&path, ACCOUNT).unwrap();
    let error = StateStore::open(&path, ACCOUNT).expect_err("lock must be held");
    assert!(matches!(error, StateError::Locked { .. }), "{error}");
    let message = error.to_string();
    assert!(
        message.contains(&format!("process {}", std::process::id())),
        "{message}"
    );

    drop(first);
    StateStore::open(&path, ACCOUNT).expect("free again after the first closes");
}

#[test]
fn a_state_file_readable_by_others_is_tightened_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    fs::write(
        &path,
        format!(r#"{{"schema_version":2,"account_id":"{ACCOUNT}","rotations":[]}}"#),
    )
    .unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();

    let store = StateStore::open(&path, ACCOUNT).unwrap();

    assert_eq!(mode(&path), 0o600);
    assert_eq!(store.notices().len(), 1);
    assert!(store.notices()[0].contains("0644"), "{:?}", store.notices());
}

#[test]
fn saves_leave_no_temp_files_and_replace_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let mut store = StateStore::open(&path, ACCOUNT).unwrap();

    for i in 0..20 {
        store.document_mut().rotations.push(rotation(
            &format!("user-{i}"),
            Progress::DisableIdle(IdleStep::Review),
        ));
        store.save().unwrap();
        let document = read_document(&path).unwrap();
        assert_eq!(document.rotations.len(), i + 1);
    }

    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["state.json", "state.json.lock"]);
}

#[test]
fn a_state_file_reached_through_a_symlink_is_locked_and_saved_at_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real").join("state.json");
    let mut first = StateStore::open(&target, ACCOUNT).unwrap();
    first.save().unwrap();
    drop(first);
    let link_dir = dir.path().join("link");
    fs::create_dir(&link_dir).unwrap();
    let link = link_dir.join("state.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();

    // Opened through the link, the target's lock is taken: a second ramkey
    // on the target itself is refused.
    let mut through_link = StateStore::open(&link, ACCOUNT).unwrap();
    assert!(
        through_link.notices().iter().any(|n| n.contains("symlink")),
        "{:?}",
        through_link.notices()
    );
    let error = StateStore::open(&target, ACCOUNT).expect_err("one lock for both names");
    assert!(matches!(error, StateError::Locked { .. }), "{error}");

    // A save goes to the target and leaves the link a link.
    through_link.document_mut().rotations.push(rotation(
        "app-user",
        Progress::DisableIdle(IdleStep::Review),
    ));
    through_link.save().unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(read_document(&target).unwrap().rotations.len(), 1);
}

#[test]
fn a_directory_where_the_state_file_should_be_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    fs::create_dir(&path).unwrap();
    let error = StateStore::open(&path, ACCOUNT).expect_err("a directory is no state file");
    let message = error.to_string();
    assert!(message.contains("not a regular file"), "{message}");
    assert!(message.contains("--state"), "{message}");
}
