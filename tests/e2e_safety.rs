//! End to end under a pty, against `ramkey sandbox` running as a separate
//! process whose stderr logs every request it answers: the dry run walks
//! the idle path to the disable and the sandbox sees no write, the state
//! file and audit log are never written; `--read-only` starts no write at
//! all; and ramkey refuses to disable the key it signs with (BC-11).

#[path = "support/pty.rs"]
mod pty;
#[path = "support/sandbox_process.rs"]
mod sandbox_process;
#[path = "support/wizard_steps.rs"]
mod wizard_steps;

use std::path::Path;

use pty::{Key, PATIENCE, PtyProgram};
use ramkey::sandbox::Account;
use ramkey::state::audit_path;
use sandbox_process::SandboxProcess;
use wizard_steps::{
    ask_for_the_key, confirm_swaps, create_user_and_copy, open_user, quit, start_move,
    start_wizard, take_the_secret,
};

const IDLE_USER: &str = "billing-exporter";
const IDLE_KEY: &str = "LTAI5tHYcNLlk2r7wbVdZbSe";
const MOVE_USER: &str = "ci-deployer";
const MOVED_KEY: &str = "LTAI5tta73aMlWBWNXMqU75Y";

/// Every RAM write action.
const WRITES: [&str; 7] = [
    "CreateUser",
    "CreateAccessKey",
    "UpdateAccessKey",
    "DeleteAccessKey",
    "AttachPolicyToUser",
    "DetachPolicyFromUser",
    "AddUserToGroup",
];

/// The sandbox's request lines that name a write action.
fn writes_seen(sandbox: &SandboxProcess) -> Vec<String> {
    sandbox
        .stderr_lines()
        .into_iter()
        .filter(|line| WRITES.iter().any(|w| line.contains(&format!(" {w} by "))))
        .collect()
}

/// Opens the idle user and walks the idle path to its disable dialog,
/// typing the user's name and pressing Enter.
fn to_the_disable(wizard: &PtyProgram) {
    open_user(wizard, IDLE_USER);
    wizard.press(Key::Enter);
    wizard.wait_for("Start a rotation", PATIENCE);
    let choice = wizard_steps::selected_row(&wizard.screen());
    assert!(
        choice.contains("Disable") && choice.contains(IDLE_KEY),
        "{}",
        wizard.report()
    );
    wizard.press(Key::Enter);
    wizard.wait_for("Step 1 of 4: Review the evidence", PATIENCE);
    wizard.press(Key::Enter);
    wizard.wait_for("Reviewed: go on? [y/n]", PATIENCE);
    wizard.press(Key::Char('y'));
    wizard.wait_for("Step 2 of 4: Disable the old key", PATIENCE);
    wizard.press(Key::Enter);
    wizard.wait_for(
        &format!("Type the user name {IDLE_USER} to confirm"),
        PATIENCE,
    );
    wizard_steps::type_name(wizard, IDLE_USER);
    wizard.press(Key::Enter);
}

#[test]
fn a_dry_run_walks_the_idle_path_shows_the_disable_and_sends_no_write() {
    let sandbox = SandboxProcess::start::<_, &str>([]);
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state.json");

    let mut wizard = start_wizard(&sandbox, home.path(), &state, &["--dry-run"], &[]);
    wizard.wait_for("DRY RUN · ramkey", PATIENCE);
    to_the_disable(&wizard);
    wizard.wait_for("DRY RUN: nothing sent", PATIENCE);
    // The call, wrapped in the notice's box.
    let call = [
        format!("UpdateAccessKey UserName={IDLE_USER}"),
        format!("UserAccessKeyId={IDLE_KEY} Status=Inactive"),
    ];
    wizard.wait_for_all(&[call[0].as_str(), call[1].as_str()], PATIENCE);
    wizard.press(Key::Enter);
    wizard.wait_gone("DRY RUN: nothing sent", PATIENCE);
    wizard.wait_for("Step 2 of 4: Disable the old key", PATIENCE);
    quit(&mut wizard);

    assert_eq!(writes_seen(&sandbox), Vec::<String>::new());
    assert!(
        sandbox
            .stderr_lines()
            .iter()
            .any(|line| line.contains(" ListAccessKeys by ")),
        "reads still run"
    );
    assert!(!state.exists(), "the dry run wrote the state file");
    assert!(
        !audit_path(&state).exists(),
        "the dry run wrote the audit log"
    );
}

#[test]
fn read_only_starts_no_write_and_says_why() {
    let sandbox = SandboxProcess::start::<_, &str>([]);
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state.json");

    let mut wizard = start_wizard(&sandbox, home.path(), &state, &["--read-only"], &[]);
    wizard.wait_for("READ-ONLY: started with --read-only", PATIENCE);
    wizard.wait_for("READ-ONLY · ↑/k up", PATIENCE);
    open_user(&wizard, IDLE_USER);
    wizard.press(Key::Enter);
    wizard.wait_for(
        "Refused, nothing was changed: started with --read-only",
        PATIENCE,
    );
    assert!(
        !wizard.screen().contains("Start a rotation"),
        "a dialog leading to a write opened\n{}",
        wizard.report()
    );
    quit(&mut wizard);

    assert_eq!(writes_seen(&sandbox), Vec::<String>::new());
    assert!(!state.exists(), "read-only wrote the state file");
}

#[test]
fn the_dry_run_and_read_only_flags_cannot_be_combined() {
    let home = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ramkey"))
        .args(["--dry-run", "--read-only", "demo"])
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("cannot be used with"), "{said}");
}

/// The demo account where ramkey signs with `ci-deployer`'s first key
/// (BC-11), with the RAM rights it needs, written to `dir`.
fn signing_with_the_moved_key(dir: &Path) -> std::path::PathBuf {
    let mut account = Account::demo();
    MOVED_KEY.clone_into(&mut account.caller_access_key_id);
    let admin = account.user("ramkey-admin").unwrap().policies.clone();
    account.user_mut(MOVE_USER).unwrap().policies.extend(admin);
    let path = dir.join("account.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&account).unwrap()).unwrap();
    path
}

#[test]
fn ramkeys_own_key_is_marked_at_the_start_and_its_disable_refused() {
    let dir = tempfile::tempdir().unwrap();
    let account = signing_with_the_moved_key(dir.path());
    let sandbox = SandboxProcess::start([std::ffi::OsStr::new("--account"), account.as_os_str()]);
    assert_eq!(sandbox.access_key_id(), MOVED_KEY);
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state.json");

    let mut wizard = start_wizard(&sandbox, home.path(), &state, &[], &[]);
    open_user(&wizard, MOVE_USER);
    wizard.press(Key::Enter);
    wizard.wait_for("the key ramkey is using", PATIENCE);
    wizard.press(Key::Esc);
    let moved = start_move(&wizard);
    assert_eq!(moved, MOVED_KEY, "{}", wizard.report());
    create_user_and_copy(&wizard, "ci-deployer-v2");
    ask_for_the_key(&wizard);
    take_the_secret(&wizard);
    confirm_swaps(&wizard);

    wizard.wait_for("is the key ramkey is using", PATIENCE);
    let refusal = "Not now: ramkey is signing its own calls";
    wizard.wait_for(refusal, PATIENCE);
    wizard.press(Key::Enter);
    // The step's panel says it already; Enter says it again on the status line.
    wizard.wait_until("the refusal on the status line", PATIENCE, |screen| {
        screen.matches(refusal).count() >= 2
    });
    assert!(
        !wizard.screen().contains("Type the user name"),
        "the disable's confirmation opened\n{}",
        wizard.report()
    );
    quit(&mut wizard);

    let updates: Vec<String> = writes_seen(&sandbox)
        .into_iter()
        .filter(|line| line.contains(" UpdateAccessKey by "))
        .collect();
    assert_eq!(
        updates,
        Vec::<String>::new(),
        "ramkey's own key was touched"
    );
    let document = ramkey::state::read_document(&state).expect("state file");
    let rotation = document.latest_rotation(MOVE_USER).expect("the move");
    assert_eq!(
        ramkey::rotation::step::current_step(&rotation.progress),
        Some(ramkey::rotation::StepKind::DisableKey)
    );
}
