//! End to end under a pty: `ramkey demo`, alive. Its simulated applications
//! follow the swaps, so the move path's two confirmations show the evidence
//! a real switch leaves (the new key in use since the swap, the old key
//! quiet after production moved) and Enter confirms; the demo-only `>`
//! jumps the clock past the waiting period, so both paths reach their
//! deletion and end. Every wait is for text on the screen, bounded only as
//! a failure limit.

#[path = "support/pty.rs"]
mod pty;
#[path = "support/sandbox_process.rs"]
mod sandbox_process;
#[path = "support/wizard_steps.rs"]
mod wizard_steps;

use pty::{Key, PATIENCE, PtyCommand, PtyProgram};
use wizard_steps::{
    FINDINGS, ask_for_the_key, create_user_and_copy, disable_old_key, open_user, quit,
    selected_row, start_move, take_the_secret,
};

fn start_demo(home: &std::path::Path) -> PtyProgram {
    let demo = PtyProgram::spawn(&PtyCommand::ramkey(home, ["demo"]));
    demo.wait_for(FINDINGS, PATIENCE);
    demo
}

/// At a step waiting for deletion: `>` makes it due, then the typed name deletes.
fn jump_and_delete(demo: &PtyProgram, user: &str) {
    demo.wait_for("> skip", PATIENCE);
    demo.press(Key::Char('>'));
    demo.wait_for("the waiting period is over", PATIENCE);
    demo.press(Key::Enter);
    demo.wait_for(&format!("Type the user name {user} to confirm"), PATIENCE);
    wizard_steps::type_name(demo, user);
    demo.press(Key::Enter);
}

#[test]
fn the_idle_path_reaches_its_deletion_with_the_clock_jump() {
    let home = tempfile::tempdir().unwrap();
    let mut demo = start_demo(home.path());
    open_user(&demo, "billing-exporter");
    demo.press(Key::Enter);
    demo.wait_for("Start a rotation", PATIENCE);
    assert!(
        selected_row(&demo.screen()).contains("Disable idle key"),
        "{}",
        demo.report()
    );
    demo.press(Key::Enter);
    demo.wait_for("Step 1 of 4: Review the evidence", PATIENCE);
    demo.press(Key::Enter);
    demo.wait_for("Reviewed: go on? [y/n]", PATIENCE);
    demo.press(Key::Char('y'));
    demo.wait_for("Step 2 of 4: Disable the old key", PATIENCE);
    demo.press(Key::Enter);
    demo.wait_for("Type the user name billing-exporter to confirm", PATIENCE);
    wizard_steps::type_name(&demo, "billing-exporter");
    demo.press(Key::Enter);
    demo.wait_for("waiting for deletion", PATIENCE);

    jump_and_delete(&demo, "billing-exporter");
    demo.wait_for("disable idle key · finished", PATIENCE);
    quit(&mut demo);
}

#[test]
fn the_move_path_shows_the_swap_evidence_and_reaches_the_end() {
    let home = tempfile::tempdir().unwrap();
    let mut demo = start_demo(home.path());
    open_user(&demo, "ci-deployer");
    start_move(&demo);
    create_user_and_copy(&demo, "ci-deployer-v2");
    ask_for_the_key(&demo);
    take_the_secret(&demo);

    // Staging moved to the new key when the secret was stored.
    demo.press(Key::Enter);
    // (Whether production used the old key since depends on its timing:
    // staging's confirmation does not rest on it.)
    demo.wait_for("in use since the swap began", PATIENCE);
    demo.wait_for("Is staging running on the new key? [y/N]", PATIENCE);
    demo.press(Key::Char('y'));
    demo.wait_for(
        "Step 7 of 11: Confirm production uses the new key",
        PATIENCE,
    );

    // Production moved when staging was confirmed: the old key is quiet.
    demo.press(Key::Enter);
    demo.wait_for("not used since the swap began", PATIENCE);
    demo.wait_for("The evidence supports confirming", PATIENCE);
    demo.wait_for("Is production running on the new key? [y/N]", PATIENCE);
    demo.press(Key::Char('y'));
    demo.wait_for("Step 8 of 11: Disable the old key", PATIENCE);

    disable_old_key(&demo, "ci-deployer");
    jump_and_delete(&demo, "ci-deployer");
    demo.wait_for(
        "Step 11 of 11: Review the original user's policies",
        PATIENCE,
    );
    demo.press(Key::Enter);
    demo.wait_for("[ ]", PATIENCE);
    demo.press(Key::Enter);
    demo.wait_for("Finish without detaching anything? [y/n]", PATIENCE);
    demo.press(Key::Char('y'));
    // The move's summary opens first: what was done, KMS or STS next.
    demo.wait_for_all(&["Move finished: ci-deployer", "RequestId"], PATIENCE);
    demo.press(Key::Enter);
    demo.wait_for("move to new user · finished", PATIENCE);
    quit(&mut demo);
}
