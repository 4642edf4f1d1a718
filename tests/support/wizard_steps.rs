//! The real wizard's move path, step by step, for the kill tests under a
//! pty: start it against a sandbox process, open a user, start its move,
//! create the user and copy every grant, create the key, confirm the swaps.
//!
//! Depends on the pty harness (`pty.rs`) and on the wizard's screen texts.

#![allow(dead_code, reason = "each test crate uses part of this harness")]

use std::path::Path;

use super::pty::{Key, PATIENCE, PtyCommand, PtyProgram};
use super::sandbox_process::SandboxProcess;

/// The findings screen's headline ("1 user holds" or "N users hold" before
/// it; the users listed for a rotation in progress counted after it).
pub const FINDINGS: &str = "two Active AccessKeys";

/// The start screen's menu title: the wizard's first screen.
pub const START: &str = "Where to begin";

/// What a typed confirmation says once the typed name matches.
pub const NAME_MATCHES: &str = "Name matches: Enter confirms.";

/// From the start screen (the wizard's first), goes to the findings list;
/// does nothing elsewhere.
pub fn leave_start(wizard: &PtyProgram) {
    if wizard.screen().contains(START) {
        wizard.press(Key::Esc);
        // The list's footer, not only the menu gone: a redraw can hide it
        // for a moment.
        wizard.wait_until("the findings list", PATIENCE, |screen| {
            !screen.contains(START) && screen.contains("/ filter")
        });
    }
}

/// `ramkey --endpoint … --state STATE` plus `args`, signing with the
/// sandbox's caller key, with `env` added; waits for the findings.
pub fn start_wizard(
    sandbox: &SandboxProcess,
    home: &Path,
    state: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> PtyProgram {
    let mut all: Vec<String> = vec![
        "--endpoint".to_owned(),
        sandbox.endpoint().to_owned(),
        "--state".to_owned(),
        state.display().to_string(),
    ];
    all.extend(args.iter().map(|&arg| arg.to_owned()));
    let command = PtyCommand::ramkey(home, all)
        .envs([
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", sandbox.access_key_id()),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", sandbox.secret()),
        ])
        .envs(env.iter().copied());
    let wizard = PtyProgram::spawn(&command);
    wizard.wait_for(FINDINGS, PATIENCE);
    wizard
}

/// Moves the findings cursor to `user` and opens its rotation screen.
pub fn open_user(wizard: &PtyProgram, user: &str) {
    leave_start(wizard);
    // The start over (the footer offers Enter only then): while the list
    // still fills in, Down on its last row cannot move the selection.
    wizard.wait_for("Enter open", PATIENCE);
    let row = format!("› {user} ");
    for _ in 0..20 {
        let before = selected_row(&wizard.screen());
        if before.starts_with(&row) {
            wizard.press(Key::Enter);
            // The user's screen starts a line with its name (and its
            // display name, when it has one).
            let header = format!("{user} ");
            wizard.wait_until("the user's screen", PATIENCE, |screen| {
                screen.lines().any(|line| line.starts_with(&header))
            });
            return;
        }
        wizard.press(Key::Down);
        wizard.wait_until("the selection to move", PATIENCE, |screen| {
            selected_row(screen) != before
        });
    }
    panic!("{user} is not in the findings list\n{}", wizard.report());
}

/// Starts the move of the first key offered and returns that key's id.
pub fn start_move(wizard: &PtyProgram) -> String {
    wizard.press(Key::Enter);
    let choice = start_choice(wizard);
    let moved_key = choice
        .strip_prefix("› Move the application using ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no move offered first\n{}", wizard.report()))
        .to_owned();
    wizard.press(Key::Enter);
    wizard.wait_for("Step 1 of 11: Choose the new user's name", PATIENCE);
    moved_key
}

/// Takes the suggested name `new_user`, creates the user, copies every grant.
pub fn create_user_and_copy(wizard: &PtyProgram, new_user: &str) {
    wizard.press(Key::Enter);
    wizard.wait_for(&format!("New user name: {new_user}"), PATIENCE);
    wizard.press(Key::Enter);
    wizard.wait_for("Step 2 of 11: Create the new user", PATIENCE);

    wizard.press(Key::Enter);
    wizard.wait_for("Create the user now?", PATIENCE);
    wizard.press(Key::Char('y'));
    wizard.wait_for("Step 3 of 11: Copy policies and groups", PATIENCE);

    // Every grant is ticked by default; Enter copies them all.
    wizard.press(Key::Enter);
    wizard.wait_for("[x] group  deployers", PATIENCE);
    wizard.press(Key::Enter);
    wizard.wait_for("Step 4 of 11: Create the new AccessKey", PATIENCE);
}

/// At "Create the new AccessKey": Enter, then yes.
pub fn ask_for_the_key(wizard: &PtyProgram) {
    wizard.press(Key::Enter);
    wizard.wait_for("Create the key now?", PATIENCE);
    wizard.press(Key::Char('y'));
}

/// The key and secret once the dialog shows them (hidden until `s` shows
/// it); confirms they are stored and waits for the next step.
pub fn take_the_secret(wizard: &PtyProgram) -> (String, String) {
    wizard.wait_for("AccessKeySecret", PATIENCE);
    wizard.press(Key::Char('s'));
    wizard.wait_for("(s hides it)", PATIENCE);
    let screen = wizard.screen();
    let key = field(&screen, "AccessKeyId    :");
    let secret = field(&screen, "AccessKeySecret:");
    assert!(!secret.is_empty() && !key.is_empty(), "{}", wizard.report());
    wizard.press(Key::Char('y'));
    wizard.wait_for("Step 6 of 11: Confirm staging uses the new key", PATIENCE);
    wizard.wait_gone(&secret, PATIENCE);
    (key, secret)
}

/// Staging and production confirmed.
pub fn confirm_swaps(wizard: &PtyProgram) {
    wizard.press(Key::Enter);
    wizard.wait_for("Is staging running on the new key?", PATIENCE);
    wizard.press(Key::Char('y'));
    wizard.wait_for(
        "Step 7 of 11: Confirm production uses the new key",
        PATIENCE,
    );
    wizard.press(Key::Enter);
    wizard.wait_for("Is production running on the new key?", PATIENCE);
    wizard.press(Key::Char('y'));
    wizard.wait_for("Step 8 of 11: Disable the old key", PATIENCE);
}

/// Disables the moved key of `user`, typing its name.
///
/// The new key must have been seen to work (BC-12), and the confirmation
/// shows the old key's last use before anything is typed.
pub fn disable_old_key(wizard: &PtyProgram, user: &str) {
    wizard.wait_for("works: verified", PATIENCE);
    wizard.press(Key::Enter);
    wizard.wait_for(&format!("Type the user name {user} to confirm"), PATIENCE);
    wizard.wait_for("Last use of", PATIENCE);
    type_name(wizard, user);
    wizard.press(Key::Enter);
    wizard.wait_for("waiting for deletion", PATIENCE);
}

/// Types `user` into a typed confirmation and waits until it matches:
/// characters that arrive in one write are a paste to the wizard (BC-16), so
/// an Enter written right behind them would not confirm.
pub fn type_name(wizard: &PtyProgram, user: &str) {
    wizard.type_text(user);
    wizard.wait_for(NAME_MATCHES, PATIENCE);
}

/// Back to the findings, `q`, and a clean exit that leaves the terminal restored.
pub fn quit(wizard: &mut PtyProgram) {
    wizard.press(Key::Esc);
    wizard.wait_for(FINDINGS, PATIENCE);
    wizard.press(Key::Char('q'));
    assert_eq!(wizard.wait_exit(PATIENCE), 0, "{}", wizard.report());
    assert!(
        !wizard.in_alternate_screen() && !wizard.cursor_hidden(),
        "the terminal was not restored (alternate screen or hidden cursor)\n{}",
        wizard.report()
    );
}

/// The line holding the selection mark `›`, trimmed of borders and blanks.
/// Waits for the "Start a rotation" choice to be drawn whole (its selected
/// line, not only its title) and returns the selected line.
pub fn start_choice(wizard: &PtyProgram) -> String {
    wizard.wait_until("the start choice", PATIENCE, |screen| {
        screen.contains("Start a rotation") && selected_row(screen).len() > 2
    });
    selected_row(&wizard.screen())
}

pub fn selected_row(screen: &str) -> String {
    screen
        .lines()
        .filter_map(|line| line.find('›').map(|at| &line[at..]))
        .map(|row| row.trim_end_matches(['│', ' ']).to_owned())
        .next_back()
        .unwrap_or_default()
}

/// The first word after `label` on the screen.
pub fn field(screen: &str, label: &str) -> String {
    screen
        .lines()
        .find_map(|line| line.split_once(label))
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .unwrap_or_default()
        .trim_end_matches('│')
        .to_owned()
}

/// At a disable step: Enter, types `user`'s name, Enter, and expects the
/// process to die there (a death point on the disable).
pub fn disable_old_key_then_die(wizard: &mut PtyProgram, user: &str) {
    wizard.press(Key::Enter);
    wizard.wait_for(&format!("Type the user name {user} to confirm"), PATIENCE);
    type_name(wizard, user);
    wizard.press(Key::Enter);
    let status = wizard.wait_exit_status(PATIENCE);
    assert!(!status.success(), "{status:?}\n{}", wizard.report());
}
