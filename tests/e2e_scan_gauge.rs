//! End to end under a pty: the real wizard takes over the terminal before it
//! scans and shows the scan's gauge, then the findings screen, whose `/`
//! filter narrows the list; `q` during the scan stops it and leaves at once
//! with the terminal restored; `ramkey scan` on a terminal draws a progress
//! bar on stderr, then prints its report. Against `ramkey sandbox` answering slowly
//! (`--delay-ms`), so the scan lasts long enough to be seen; the waits are
//! failure bounds, not speed requirements.

#[path = "support/pty.rs"]
mod pty;
#[path = "support/sandbox_process.rs"]
mod sandbox_process;

use pty::{Key, PATIENCE, PtyCommand, PtyProgram};
use sandbox_process::SandboxProcess;

/// On the gauge's title while the scan runs.
const GAUGE: &str = "Scanning";
/// In the findings screen's footer only: during the scan Enter opens nothing.
const FINDINGS_FOOTER: &str = "Enter open";
/// The start screen, the wizard's first; Esc leaves it for the findings list.
const START: &str = "Where to begin";

/// The wizard against a sandbox that waits `delay_ms` before each answer.
fn wizard(delay_ms: &str) -> (SandboxProcess, tempfile::TempDir, PtyProgram) {
    let sandbox = SandboxProcess::start(["--delay-ms", delay_ms]);
    let home = tempfile::tempdir().unwrap();
    let command = PtyCommand::ramkey(home.path(), ["--endpoint", sandbox.endpoint()]).envs([
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", sandbox.access_key_id()),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", sandbox.secret()),
    ]);
    let program = PtyProgram::spawn(&command);
    (sandbox, home, program)
}

#[test]
fn the_gauge_shows_first_then_the_findings_and_the_filter_narrows_them() {
    let (_sandbox, _home, mut wizard) = wizard("300");

    wizard.wait_for(GAUGE, PATIENCE);
    wizard.wait_for(START, PATIENCE);
    wizard.press(Key::Esc);
    wizard.wait_for_all(
        &[FINDINGS_FOOTER, "users hold two Active AccessKeys:"],
        PATIENCE,
    );
    let screen = wizard.screen();
    assert!(!screen.contains(GAUGE), "the gauge is gone: {screen}");
    assert!(screen.contains("ci-deployer"), "{screen}");

    wizard.press(Key::Char('/'));
    wizard.wait_for("Filter:", PATIENCE);
    wizard.type_text("ci-dep");
    wizard.wait_for("Filter: ci-dep_  1 of", PATIENCE);
    wizard.press(Key::Esc);
    wizard.wait_gone("Filter:", PATIENCE);

    wizard.press(Key::Char('q'));
    assert_eq!(wizard.wait_exit(PATIENCE), 0, "{}", wizard.report());
    assert!(!wizard.in_alternate_screen(), "{}", wizard.report());
}

#[test]
fn q_during_the_scan_stops_it_and_leaves_with_the_terminal_restored() {
    // Slow enough that the scan cannot end before `q` is read.
    let (_sandbox, _home, mut wizard) = wizard("4000");

    wizard.wait_for(GAUGE, PATIENCE);
    wizard.press(Key::Esc);
    // The list's footer: the menu's line can vanish for a moment in a redraw.
    wizard.wait_for("/ filter", PATIENCE);
    wizard.press(Key::Char('?'));
    wizard.wait_for("Keys in the findings list during the scan:", PATIENCE);
    wizard.press(Key::Esc);
    wizard.wait_gone("Keys in the findings list during the scan:", PATIENCE);
    wizard.press(Key::Char('q'));

    assert_eq!(wizard.wait_exit(PATIENCE), 0, "{}", wizard.report());
    assert!(!wizard.in_alternate_screen(), "{}", wizard.report());
    assert!(!wizard.cursor_hidden(), "{}", wizard.report());
    let said = wizard.screen().replace('\n', "");
    assert!(said.contains("ramkey: state file"), "{said}");
}

/// `ramkey scan` with stderr on a terminal draws its progress bar there while
/// the scan runs and erases it at the end; the report itself is printed whole.
#[test]
fn scan_on_a_terminal_draws_a_progress_bar_then_the_report() {
    let sandbox = SandboxProcess::start(["--delay-ms", "150"]);
    let home = tempfile::tempdir().unwrap();
    let command = PtyCommand::ramkey(
        home.path(),
        ["--endpoint", sandbox.endpoint(), "scan", "--source", "api"],
    )
    .envs([
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", sandbox.access_key_id()),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", sandbox.secret()),
    ]);
    let mut scan = PtyProgram::spawn(&command);

    scan.wait_for("users checked", PATIENCE);
    assert_eq!(scan.wait_exit(PATIENCE), 3, "{}", scan.report());

    let screen = scan.screen();
    assert!(
        !screen.contains("users checked"),
        "the bar is erased: {screen}"
    );
    // The report's headline may have scrolled off the screen: read the output.
    let output = String::from_utf8_lossy(&scan.raw_output()).into_owned();
    assert!(
        output.contains("users flagged (two Active AccessKeys); source api"),
        "{output}"
    );
    assert!(!scan.in_alternate_screen(), "{}", scan.report());
}
