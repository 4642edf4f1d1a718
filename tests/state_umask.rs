//! Every file ramkey keeps beside the state file is private whatever the
//! umask (BC-18 c): with `umask 000`, the state file, the temp file of a save
//! (created 0600 by `O_CREAT|O_EXCL`), the lock, the audit log, the backup of
//! a migrated file and the copy of a refused one are 0600, and the
//! directories ramkey creates are 0700.
//!
//! The umask belongs to the whole process, so this file holds one test that
//! sets it (the other, [`child`], only acts in the child process it starts).

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use nix::sys::stat::{Mode, umask};
use ramkey::death::DIE_AT;
use ramkey::state::store::lock_path;
use ramkey::state::{AuditEntry, StateError, StateStore, WriteCall, audit_path};

const ACCOUNT: &str = "1234567890123456";
const CHILD_STATE: &str = "RAMKEY_UMASK_CHILD_STATE";

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Saves twice in a child process started with the parent's umask; dies at
/// the second rename, leaving its temp file behind.
#[test]
fn child() {
    let Ok(path) = std::env::var(CHILD_STATE) else {
        return;
    };
    let mut store = StateStore::open(&path, ACCOUNT).unwrap();
    store.save().unwrap();
    store.save().unwrap();
    unreachable!("the death point before the second rename kills this process");
}

fn temp_files(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.to_string_lossy().contains(".tmp-"))
        .collect()
}

#[test]
fn with_umask_000_every_file_is_0600_and_every_directory_0700() {
    umask(Mode::empty());
    let dir = tempfile::tempdir().unwrap();
    let probe = dir.path().join("probe");
    fs::write(&probe, b"x").unwrap();
    assert_eq!(mode(&probe), 0o666, "the umask did not open up");

    // A first run: directories, state file, lock, audit log.
    let state_dir = dir.path().join("state").join("ramkey");
    let path = state_dir.join("state.json");
    let mut store = StateStore::open(&path, ACCOUNT).unwrap();
    store.save().unwrap();
    let call = WriteCall::CreateUser {
        user_name: "app-v2".into(),
    };
    let at = "2026-01-01T00:00:00Z".parse().unwrap();
    store
        .audit(&AuditEntry::intent(at, "r", "app", "i", &call))
        .unwrap();
    drop(store);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&lock_path(&path)), 0o600);
    assert_eq!(mode(&audit_path(&path)), 0o600);
    assert_eq!(mode(&state_dir), 0o700);
    assert_eq!(mode(state_dir.parent().unwrap()), 0o700);

    // A save killed before its rename leaves its temp file: 0600 from birth.
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--test-threads", "1", "-q"])
        .env(CHILD_STATE, &path)
        .env(DIE_AT, "before:rename#2")
        .status()
        .unwrap();
    assert_eq!(status.signal(), Some(9), "{status}");
    let temps = temp_files(&state_dir);
    assert_eq!(temps.len(), 1, "{temps:?}");
    assert_eq!(mode(&temps[0]), 0o600);

    // The backup of a migrated file.
    let old = dir.path().join("old.json");
    fs::write(
        &old,
        format!(r#"{{"schema_version":1,"account_id":"{ACCOUNT}"}}"#),
    )
    .unwrap();
    StateStore::open(&old, ACCOUNT).unwrap().save().unwrap();
    assert_eq!(mode(&dir.path().join("old.json.v1.bak")), 0o600);
    assert_eq!(mode(&old), 0o600);

    // The copy of a refused file.
    let broken = dir.path().join("broken.json");
    fs::write(&broken, b"[]").unwrap();
    let error = StateStore::open(&broken, ACCOUNT).unwrap_err();
    let StateError::Corrupt { copy, .. } = error else {
        panic!("{error}");
    };
    assert_eq!(mode(&copy), 0o600);

    // The calendar `ramkey status --ics` writes (the child inherits the umask).
    let ics = dir.path().join("reminders.ics");
    let output = Command::new(env!("CARGO_BIN_EXE_ramkey"))
        .args([
            "status",
            "--state",
            path.to_str().unwrap(),
            "--ics",
            ics.to_str().unwrap(),
        ])
        .env("XDG_STATE_HOME", dir.path())
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(mode(&ics), 0o600);
}
