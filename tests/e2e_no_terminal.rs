//! The wizard and the demo without a terminal on both ends refuse to start, say to use
//! `ramkey scan`, and never take over the terminal or read an answer from a pipe: with
//! stdin and stdout piped, with stdout sent to a file, and with `y` piped into stdin
//! while stdout is a terminal.

#[path = "support/pty.rs"]
mod pty;

use std::io::Write as _;
use std::process::{Command, Stdio};

use pty::{PATIENCE, PtyCommand, PtyProgram};

/// What the refusal says.
const REFUSAL: &str = "the wizard needs an interactive terminal";
/// Where it points.
const INSTEAD: &str = "use `ramkey scan`";
/// Entering the alternate screen: the wizard took over the terminal.
const ALTERNATE_ON: &[u8] = b"\x1b[?1049h";

/// Runs ramkey with `args`, stdin and stdout pipes, `y` and Enter written to stdin.
fn piped(args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ramkey"))
        .args(args)
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("PATH", "/usr/bin:/bin")
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Refused before reading: the pipe may already be closed.
    let _ = child.stdin.take().unwrap().write_all(b"y\n");
    child.wait_with_output().unwrap()
}

#[test]
fn the_wizard_and_the_demo_refuse_piped_stdin_and_stdout() {
    for args in [&[][..], &["wizard"][..], &["demo"][..]] {
        let output = piped(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains(REFUSAL) && stderr.contains(INSTEAD),
            "{args:?}: {stderr}"
        );
        assert!(output.stdout.is_empty(), "{args:?} wrote to stdout");
    }
}

/// Runs `script` (ramkey and `args` in `"$@"`) in a pty and checks the refusal
/// on the terminal, and that the terminal was never taken over.
fn refused_in_shell(script: &str, args: &[&str]) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let command = PtyCommand::ramkey(home.path(), args).in_shell(script);
    let mut program = PtyProgram::spawn(&command);
    assert_eq!(
        program.wait_exit(PATIENCE),
        1,
        "{args:?}\n{}",
        program.report()
    );

    let said = program.screen().replace('\n', "");
    assert!(
        said.contains(REFUSAL) && said.contains(INSTEAD),
        "{args:?}: {said}"
    );
    let raw = program.raw_output();
    assert!(
        !raw.windows(ALTERNATE_ON.len()).any(|w| w == ALTERNATE_ON),
        "{args:?} took over the terminal"
    );
    home
}

#[test]
fn stdout_sent_to_a_file_is_refused() {
    for args in [&[][..], &["demo"][..]] {
        let home = refused_in_shell(r#""$@" > out.txt"#, args);
        let written = std::fs::read(home.path().join("out.txt")).unwrap();
        assert!(written.is_empty(), "{args:?} wrote {written:?}");
    }
}

#[test]
fn an_answer_piped_into_stdin_is_never_read() {
    for args in [&[][..], &["demo"][..]] {
        refused_in_shell(r#"printf 'y\ny\n' | "$@""#, args);
    }
}
