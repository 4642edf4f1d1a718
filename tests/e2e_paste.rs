//! Bracketed paste under a pty (BC-16 test 2): the real wizard switches it on, and a
//! user name pasted with its line break into the typed confirmation of a disable fills
//! the field without submitting it; only the Enter pressed after it confirms.

#[path = "support/pty.rs"]
mod pty;
#[path = "support/sandbox_process.rs"]
mod sandbox_process;
#[path = "support/wizard_steps.rs"]
mod wizard_steps;

use pty::{Key, PATIENCE, PtyCommand, PtyProgram};

/// What the typed confirmation says once the typed name matches (the dialog is open).
const MATCHES: &str = "Name matches: Enter confirms.";

#[test]
fn a_pasted_name_with_its_line_break_fills_the_confirmation_without_submitting_it() {
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("demo.json");
    let args = ["demo".as_ref(), "--state".as_ref(), state.as_os_str()];
    let mut demo = PtyProgram::spawn(&PtyCommand::ramkey(home.path(), args));
    demo.wait_for(wizard_steps::FINDINGS, PATIENCE);
    assert!(demo.bracketed_paste(), "bracketed paste is off");

    wizard_steps::open_user(&demo, "billing-exporter");
    demo.press(Key::Enter);
    demo.wait_for("Start a rotation", PATIENCE);
    demo.press(Key::Enter);
    demo.wait_for("Step 1 of 4: Review the evidence", PATIENCE);
    demo.press(Key::Enter);
    demo.wait_for("Reviewed: go on? [y/n]", PATIENCE);
    demo.press(Key::Char('y'));
    demo.wait_for("Step 2 of 4: Disable the old key", PATIENCE);
    demo.press(Key::Enter);
    demo.wait_for("Type the user name billing-exporter to confirm", PATIENCE);

    // One paste event: had its line break submitted, the dialog would be gone with it.
    demo.send(b"\x1b[200~billing-exporter\r\n\x1b[201~");
    demo.wait_for(MATCHES, PATIENCE);

    demo.press(Key::Enter);
    demo.wait_for("waiting for deletion", PATIENCE);
    wizard_steps::quit(&mut demo);
}
