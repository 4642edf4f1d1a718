//! The state file under SIGKILL (BC-18 a): a save killed just before or just
//! after its rename leaves the previous or the next document, whole; and a
//! lock left by a killed process is free again.
//!
//! The process that dies is this test binary itself, started again to run
//! only [`child`]: a test cannot SIGKILL its own process, and a separate
//! example binary would not exist when the tests run, because cargo builds
//! examples as plain binaries only under a bare `cargo test` (neither under
//! `cargo test --all-targets`, which CI runs, nor under `--test state_crash`).

use std::io::{BufRead as _, BufReader};
use std::os::unix::process::ExitStatusExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};

use ramkey::death::DIE_AT;
use ramkey::state::steps::IdleStep;
use ramkey::state::{Progress, Rotation, StateError, StateStore, read_document};

const ACCOUNT: &str = "1234567890123456";
/// Tells [`child`] what to do: `save PATH COUNT` or `hold PATH`.
const CHILD_JOB: &str = "RAMKEY_STATE_CHILD_JOB";
/// Saves per child run; the death point picks one of them.
const SAVES: usize = 10;
const ITERATIONS: usize = 100;

/// One test of this file at a time: a child forked by one test inherits,
/// until its exec, the lock descriptors another test's thread holds, and
/// for that moment the lock stays taken after that thread lets it go.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The rotations of document `n`: `n` of them, each named by its index.
fn document(n: usize) -> Vec<Rotation> {
    (1..=n)
        .map(|i| Rotation {
            id: format!("{i:012}"),
            user: format!("user-{i}"),
            key_id: format!("LTAI-{i}"),
            started_at: "2026-01-01T00:00:00Z".parse().unwrap(),
            progress: Progress::DisableIdle(IdleStep::Review),
            wait_days: 90,
            pending: None,
            rollbacks: Vec::new(),
            not_idle_override: None,
            extra: serde_json::Map::new(),
        })
        .collect()
}

/// The child half: does nothing unless started by a test below.
#[test]
fn child() {
    let Ok(job) = std::env::var(CHILD_JOB) else {
        return;
    };
    let words: Vec<&str> = job.split('\t').collect();
    match words[..] {
        ["save", path, count] => {
            let mut store = StateStore::open(path, ACCOUNT).unwrap();
            for n in 1..=count.parse().unwrap() {
                store.document_mut().rotations = document(n);
                store.save().unwrap();
            }
        }
        ["hold", path] => {
            let _store = StateStore::open(path, ACCOUNT).unwrap();
            println!("ready");
            loop {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            }
        }
        _ => panic!("unknown job {job:?}"),
    }
}

fn child_command(job: &[&str]) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--exact",
            "child",
            "--nocapture",
            "--test-threads",
            "1",
            "-q",
        ])
        .env(CHILD_JOB, job.join("\t"))
        .env_remove(DIE_AT);
    command
}

fn seed(path: &Path) {
    let mut store = StateStore::open(path, ACCOUNT).unwrap();
    store.save().unwrap();
}

/// Runs a child that saves [`SAVES`] documents and dies at `die_at`; returns
/// how many rotations the file then holds.
fn killed_save(dir: &Path, die_at: &str) -> usize {
    let path = dir.join("state.json");
    seed(&path);

    let status = child_command(&["save", path.to_str().unwrap(), &SAVES.to_string()])
        .env(DIE_AT, die_at)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(
        status.signal(),
        Some(9),
        "{die_at}: the child was not killed: {status}"
    );

    let document = read_document(&path).unwrap_or_else(|e| panic!("{die_at}: {e}"));
    let n = document.rotations.len();
    assert_eq!(
        document.rotations,
        self::document(n),
        "{die_at}: not a whole document"
    );
    n
}

fn kill_around_the_rename(stage: &str, expected: impl Fn(usize) -> usize) {
    let _serial = serial();
    for i in 0..ITERATIONS {
        let k = 1 + i % SAVES;
        let dir = tempfile::tempdir().unwrap();
        let die_at = format!("{stage}:rename#{k}");

        let found = killed_save(dir.path(), &die_at);

        // The previous document (k - 1) or the next (k); with a kill rather
        // than a power cut, exactly the one on the side of the rename it hit.
        assert_eq!(found, expected(k), "{die_at}");
        // Restarted, the store opens (the lock died with the child) and its
        // next save clears the temp file a death before the rename left.
        let path = dir.path().join("state.json");
        let mut store = StateStore::open(&path, ACCOUNT).unwrap();
        store.save().unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["state.json", "state.json.lock"], "{die_at}");
    }
}

#[test]
fn killed_just_before_the_rename_the_file_holds_the_previous_document() {
    kill_around_the_rename("before", |k| k - 1);
}

#[test]
fn killed_just_after_the_rename_the_file_holds_the_next_document() {
    kill_around_the_rename("after", |k| k);
}

#[test]
fn a_lock_left_by_a_killed_process_is_free_again() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let mut holder = child_command(&["hold", path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(holder.stdout.take().unwrap());
    let ready = stdout
        .lines()
        .map(Result::unwrap)
        .any(|line| line == "ready");
    assert!(ready, "the holder never said it was ready");

    let error = StateStore::open(&path, ACCOUNT).expect_err("the holder has the lock");
    assert!(matches!(error, StateError::Locked { .. }), "{error}");
    assert!(
        error
            .to_string()
            .contains(&format!("process {}", holder.id())),
        "{error}"
    );

    holder.kill().unwrap(); // SIGKILL: no destructor, no unlock by the holder
    let status = holder.wait().unwrap();
    assert_eq!(status.signal(), Some(9));

    StateStore::open(&path, ACCOUNT).expect("the OS released the dead holder's lock");
}
