//! Pastes under a pty (BC-16 test 2). With bracketed paste, which the real wizard
//! switches on, a user name pasted with its line break into the typed confirmation of
//! a disable fills the field without submitting it; only the Enter pressed after it
//! confirms. Without it (a terminal that types the paste), a secret and its line break
//! written in one go into the secret field fill the field and submit nothing, and the
//! Enter pressed after it only asks the question that `y` answers.

#[path = "support/pty.rs"]
mod pty;
#[path = "support/sandbox_process.rs"]
mod sandbox_process;
#[path = "support/wizard_steps.rs"]
mod wizard_steps;

use std::process::Command;

use pty::{Key, PATIENCE, PtyCommand, PtyProgram};
use sandbox_process::SandboxProcess;

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

/// The move's user in the sandbox's default account, and the new user's suggested name.
const MOVED: &str = "ci-deployer";
const NEW_USER: &str = "ci-deployer-v2";

/// Not the new key's real secret: the test only shows that nothing is submitted.
const TYPED_SECRET: &str = "wJalrXUtnFEMI0K7MDENGbPxRfiCY";

#[test]
fn a_secret_typed_by_the_terminal_with_its_line_break_does_not_submit_the_secret_field() {
    // The new key stays refused, so it is not verified; killed while its
    // secret is shown, the next ramkey no longer holds the secret and `v`
    // asks for it.
    let sandbox = SandboxProcess::start(["--new-key-delay", "3600"]);
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state.json");
    let mut wizard = wizard_steps::start_wizard(&sandbox, home.path(), &state, &[], &[]);
    wizard_steps::open_user(&wizard, MOVED);
    wizard_steps::start_move(&wizard);
    wizard_steps::create_user_and_copy(&wizard, NEW_USER);
    wizard_steps::ask_for_the_key(&wizard);
    wizard.wait_for("is not accepted yet", PATIENCE);
    let killed = Command::new("kill")
        .args(["-KILL", &wizard.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let _ = wizard.wait_exit_status(PATIENCE);

    let mut wizard = wizard_steps::start_wizard(&sandbox, home.path(), &state, &[], &[]);
    wizard_steps::open_user(&wizard, MOVED);
    wizard.press(Key::Char('v'));
    wizard.wait_for("Verify the new key", PATIENCE);
    wizard.wait_for("Secret:", PATIENCE);

    // One write, no brackets: the terminal typed the paste, line break included.
    wizard.send(format!("{TYPED_SECRET}\r").as_bytes());
    wizard.wait_for("(29 characters)", PATIENCE);
    wizard.wait_for("does not submit", PATIENCE);
    let screen = wizard.screen();
    assert!(
        screen.contains("Secret:"),
        "the field is still open\n{screen}"
    );
    assert!(!screen.contains(TYPED_SECRET), "masked\n{screen}");
    assert!(!screen.contains("Check the new key"), "{}", wizard.report());

    // The admin's own Enter asks; Esc leaves without a check.
    wizard.press(Key::Enter);
    wizard.wait_for(
        "Check the new key with this secret (29 characters)? [y/n]",
        PATIENCE,
    );
    wizard.press(Key::Esc);
    wizard.wait_gone("Check the new key", PATIENCE);
    wizard_steps::quit(&mut wizard);
}
