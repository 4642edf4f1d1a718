//! No secret on disk (issue 4, "Done when"): a full move rotation by ramkey's
//! engine (the headless driver, `examples/kill_matrix_driver.rs`) with every
//! log at trace level, then every file under its HOME is read: state file,
//! lock, audit log, backups, logs, temp files left by a kill. None may hold
//! the caller's secret, the new key's secret, or the STS token.
//!
//! The binary's own trace log is checked the same way by the wizard case in
//! `tests/kill_matrix.rs`.

#[path = "support/kill_world.rs"]
mod kill_world;
#[path = "support/sandbox_process.rs"]
mod sandbox_process;

use std::path::Path;

use kill_world::{
    CaseUser, Cloud, DAYS_LATER, Driver, DriverRun, PathKind, account, files_holding, files_under,
    start_sandbox,
};

/// The driver's flags for a trace-level log under its HOME.
fn trace_log(home: &Path) -> Vec<String> {
    let log = home.join("logs").join("driver.log");
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    vec![
        "--log-file".to_owned(),
        log.display().to_string(),
        "--log-level".to_owned(),
        "trace".to_owned(),
    ]
}

#[test]
fn a_full_move_rotation_logged_at_trace_leaves_no_secret_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(dir.path(), &account(PathKind::Move, 1), &[]);
    let driver = Driver::new(&sandbox, CaseUser::new(PathKind::Move, 0));
    let driver = {
        let args = trace_log(driver.home.path());
        driver.with_args(&args)
    };

    let first = driver.run(0, None);
    assert!(first.waiting(), "{}", first.describe());
    let second = driver.run(DAYS_LATER, None);
    assert!(second.complete(), "{}", second.describe());
    let (_, new_secret) = first.new_key().expect("the new key was printed");

    let home = driver.home.path();
    assert_logged_at_trace(home);
    assert_no_secret(home, "the caller's secret", sandbox.secret());
    assert_no_secret(home, "the new key's secret", &new_secret);
}

#[test]
fn with_sts_credentials_and_kills_no_secret_or_token_is_left_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(dir.path(), &account(PathKind::Move, 1), &[]);
    let (id, secret, token) = Cloud::new(&sandbox).assume_rotator();
    let driver = Driver::new(&sandbox, CaseUser::new(PathKind::Move, 0)).with_credentials(
        &id,
        &secret,
        Some(&token),
    );
    let driver = {
        let args = trace_log(driver.home.path());
        driver.with_args(&args)
    };

    // Killed once after the key's creation (its secret dies with the
    // process; the next run replaces that key) and once just before a
    // state file's rename (its temp file stays behind). Every file is read
    // after every run, so files a later run tidies away are read too.
    let home = driver.home.path();
    let mut secrets = vec![
        ("the STS secret", secret.clone()),
        ("the STS token", token.clone()),
        ("the caller's permanent secret", sandbox.secret().to_owned()),
    ];
    let mut look = |run: &DriverRun| {
        if let Some((_, new_secret)) = run.new_key() {
            secrets.push(("a new key's secret", new_secret));
        }
        for (what, secret) in &secrets {
            assert_no_secret(home, what, secret);
        }
    };
    for die_at in ["after:CreateAccessKey", "before:rename#2"] {
        let run = driver.run(0, Some(die_at));
        assert!(
            run.killed(),
            "not killed at {die_at} (the death point is missing)\n{}",
            run.describe()
        );
        look(&run);
    }
    let state_dir = driver.state.parent().unwrap();
    let left_over: Vec<_> = files_under(state_dir)
        .into_iter()
        .filter(|file| {
            let name = file.file_name().unwrap().to_string_lossy();
            !["state.json", "state.json.lock", "state.json.audit.jsonl"].contains(&&*name)
        })
        .collect();
    assert!(
        !left_over.is_empty(),
        "the kill before the rename left no temp file to read: {:?}",
        files_under(state_dir)
    );
    let resumed = driver.run(0, None);
    assert!(resumed.waiting(), "{}", resumed.describe());
    look(&resumed);
    let last = driver.run(DAYS_LATER, None);
    assert!(last.complete(), "{}", last.describe());
    look(&last);
    assert!(
        resumed.new_key().is_some(),
        "the run after the kills did not replace the lost key"
    );
    assert_logged_at_trace(home);
}

#[test]
fn the_search_finds_a_secret_where_there_is_one() {
    // The assertions above are only worth something if the search works.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
    std::fs::write(dir.path().join("a/b/log"), b"\x00 x=Vh2kQ9sPzLm3 \xff").unwrap();
    assert_eq!(files_holding(dir.path(), "Vh2kQ9sPzLm3").len(), 1);
    assert!(files_holding(dir.path(), "Vh2kQ9sPzLm4").is_empty());
}

/// The trace log is there and saw the traffic, so it had the chance to leak.
fn assert_logged_at_trace(home: &Path) {
    let log = std::fs::read_to_string(home.join("logs").join("driver.log")).unwrap();
    assert!(log.contains("TRACE"), "no trace line in the log:\n{log}");
    assert!(
        log.contains("CreateAccessKey"),
        "the log does not mention the key's creation:\n{log}"
    );
}

fn assert_no_secret(home: &Path, what: &str, secret: &str) {
    let holding = files_holding(home, secret);
    assert!(
        holding.is_empty(),
        "{what} is on disk in {holding:?} (files written: {:?})",
        files_under(home)
    );
}
