//! End to end under a pty: `ramkey demo --state FILE` on a file that is not the demo's
//! ramkey state. The demo keeps its sandbox beside a kept state file
//! (`FILE.sandbox.json`) and locks it (`FILE.lock`); for a file it refuses, it must
//! write neither: the refused file stays byte-identical and nothing appears beside it.

#[path = "support/pty.rs"]
mod pty;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use pty::{PATIENCE, PtyCommand, PtyProgram};

/// The names in `dir`.
fn names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Runs `ramkey demo --state <dir>/<name>` over `bytes` and expects a refusal
/// that leaves the directory exactly as it was.
fn refused_and_untouched(name: &str, bytes: &[u8], said: &str) {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("work");
    fs::create_dir(&dir).unwrap();
    let file = dir.join(name);
    fs::write(&file, bytes).unwrap();

    let args = ["demo".as_ref(), "--state".as_ref(), file.as_os_str()];
    let mut demo = PtyProgram::spawn(&PtyCommand::ramkey(home.path(), args));
    assert_eq!(demo.wait_exit(PATIENCE), 1, "{}", demo.report());

    let screen = demo.screen().replace('\n', "");
    assert!(screen.contains(said), "{said:?} not in {screen:?}");
    assert_eq!(fs::read(&file).unwrap(), bytes, "{name} was changed");
    assert_eq!(names(&dir), BTreeSet::from([name.to_owned()]), "{name}");
}

#[test]
fn a_file_that_is_not_ramkey_state_is_refused_and_nothing_is_written_beside_it() {
    refused_and_untouched(
        "package.json",
        b"{\"name\":\"my-app\",\"version\":\"1.0.0\"}\n",
        "it has no schema_version",
    );
    refused_and_untouched("notes.txt", b"important notes\n", "it is not JSON");
    refused_and_untouched("empty.json", b"", "it is empty");
}

#[test]
fn another_accounts_state_file_is_refused_and_nothing_is_written_beside_it() {
    let other =
        b"{\"schema_version\": 1, \"account_id\": \"1111222233334444\", \"rotations\": []}\n";
    refused_and_untouched("other.json", other, "1111222233334444");
}
