//! The pty harness itself, on what the binary already does without any account: its
//! help screen comes through the terminal, is parsed into a screen, and it exits.

#[path = "support/pty.rs"]
mod pty;

use pty::{PATIENCE, PtyCommand, PtyProgram};

#[test]
fn help_is_read_back_from_the_screen() {
    let home = tempfile::tempdir().unwrap();
    let mut program = PtyProgram::spawn(&PtyCommand::ramkey(home.path(), ["--help"]));

    program.wait_for_all(&["Usage: ramkey", "sandbox"], PATIENCE);
    assert_eq!(program.wait_exit(PATIENCE), 0, "{}", program.report());
}

#[test]
fn exit_code_comes_through() {
    let home = tempfile::tempdir().unwrap();
    let mut program = PtyProgram::spawn(&PtyCommand::ramkey(home.path(), ["no-such-command"]));

    program.wait_for("unrecognized subcommand", PATIENCE);
    assert_eq!(program.wait_exit(PATIENCE), 2, "{}", program.report());
}
