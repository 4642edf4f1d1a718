//! End to end under a pty: what the real `ramkey` wizard says about itself before
//! anything changes. Against `ramkey sandbox` as a separate process, the start screen
//! names the caller (ARN, identity type), the credential's kind and source, and warns
//! about a permanent AccessKey (on the screen, not on stderr before it, where it would
//! vanish); `ramkey demo` names its key the demo sandbox key and does not warn. A
//! rotation left in progress is the first thing the next start offers, and choosing it
//! opens its current step. Without credentials the wizard does not start and says where
//! credentials come from, as `ramkey scan` does.

#[path = "support/pty.rs"]
mod pty;
#[path = "support/sandbox_process.rs"]
mod sandbox_process;
#[path = "support/wizard_steps.rs"]
mod wizard_steps;

use pty::{Key, PATIENCE, PtyCommand, PtyProgram};
use sandbox_process::SandboxProcess;

const FINDINGS: &str = "users hold two Active AccessKeys";

/// Quits from the findings list and checks the exit code.
fn quit(wizard: &mut PtyProgram) {
    wizard.press(Key::Char('q'));
    assert_eq!(wizard.wait_exit(PATIENCE), 0, "{}", wizard.report());
}

/// `ramkey demo --state STATE` under a pty.
fn demo_at(home: &std::path::Path, state: &std::path::Path) -> PtyProgram {
    let args = ["demo".as_ref(), "--state".as_ref(), state.as_os_str()];
    PtyProgram::spawn(&PtyCommand::ramkey(home, args))
}

#[test]
fn the_wizard_says_who_it_is_and_warns_about_a_permanent_key() {
    let sandbox = SandboxProcess::start::<_, &str>([]);
    let home = tempfile::tempdir().unwrap();
    let args = ["--endpoint", sandbox.endpoint()];
    let command = PtyCommand::ramkey(home.path(), args).envs([
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", sandbox.access_key_id()),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", sandbox.secret()),
    ]);
    let mut wizard = PtyProgram::spawn(&command);

    wizard.wait_for_all(
        &[
            FINDINGS,
            "Signed in as acs:ram::5123874409316254:user/ramkey-admin (RAMUser)",
            "Credentials: AccessKey from the environment (ALIBABA_CLOUD_ACCESS_KEY_ID)",
            &format!("Key {}", sandbox.access_key_id()),
            "Warning: ramkey is signing with a permanent AccessKey.",
            wizard_steps::START,
            "State file: ",
        ],
        PATIENCE,
    );
    // Said on the screen only: lines printed before it would vanish under it.
    let printed = String::from_utf8_lossy(&wizard.raw_output()).into_owned();
    assert!(!printed.contains("ramkey: account "), "{printed}");
    assert!(!printed.contains("ramkey: warning:"), "{printed}");
    quit(&mut wizard);
}

#[test]
fn a_rotation_in_progress_is_offered_first_and_opens_at_its_current_step() {
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("demo.json");

    // First run: start the idle path for billing-exporter and stop after the review.
    let mut demo = demo_at(home.path(), &state);
    demo.wait_for_all(&[wizard_steps::START, "no rotation in progress"], PATIENCE);
    demo.wait_for(wizard_steps::FINDINGS, PATIENCE);
    wizard_steps::open_user(&demo, "billing-exporter");
    demo.press(Key::Enter);
    demo.wait_for("Start a rotation", PATIENCE);
    demo.press(Key::Enter);
    demo.wait_for("Step 1 of 4: Review the evidence", PATIENCE);
    demo.press(Key::Enter);
    demo.wait_for("Reviewed: go on? [y/n]", PATIENCE);
    demo.press(Key::Char('y'));
    demo.wait_for("Step 2 of 4: Disable the old key", PATIENCE);
    wizard_steps::quit(&mut demo);

    // Second run: the rotation is the first line of the menu, and selected.
    let mut demo = demo_at(home.path(), &state);
    demo.wait_for("Where to begin: 1 rotation in progress", PATIENCE);
    let first = wizard_steps::selected_row(&demo.screen());
    assert!(
        first.starts_with("› Resume billing-exporter — disable idle key: 1/4 steps"),
        "{first:?}\n{}",
        demo.report()
    );
    let screen = demo.screen();
    assert!(screen.contains("Credentials: demo sandbox key"), "{screen}");
    assert!(
        screen.contains(&format!("State file: {}", state.display())),
        "{screen}"
    );

    // Enter resumes it: at once, or as soon as the scan is complete.
    demo.press(Key::Enter);
    demo.wait_for("Step 2 of 4: Disable the old key", PATIENCE);
    wizard_steps::quit(&mut demo);
}

#[test]
fn the_demo_names_its_own_key_and_does_not_warn() {
    let home = tempfile::tempdir().unwrap();
    let mut demo = PtyProgram::spawn(&PtyCommand::ramkey(home.path(), ["demo"]));

    demo.wait_for_all(
        &[FINDINGS, "Credentials: demo sandbox key", "(RAMUser)"],
        PATIENCE,
    );
    let screen = demo.screen();
    assert!(!screen.contains("Warning"), "{screen}");
    quit(&mut demo);
}

#[test]
fn without_credentials_the_wizard_says_where_they_come_from() {
    let home = tempfile::tempdir().unwrap();
    let mut wizard = PtyProgram::spawn(&PtyCommand::ramkey(home.path(), ["wizard"]));

    assert_eq!(wizard.wait_exit(PATIENCE), 1, "{}", wizard.report());
    // The terminal wraps long lines: compare without the line breaks.
    let said = wizard.screen().replace('\n', "");
    for part in [
        "cannot start the wizard",
        "`ramkey demo`",
        "no Alibaba Cloud credentials found",
        "add a profile to ~/.aliyun/config.json and pass --profile NAME",
        "docs/credentials.md",
    ] {
        assert!(said.contains(part), "{part:?} not in {said:?}");
    }
}

/// `ramkey demo --dry-run` (and `--read-only`) over a kept state file keeps
/// nothing: no state file, no saved sandbox beside it, and the last words
/// say that nothing was kept rather than how to resume.
#[test]
fn a_demo_dry_run_or_read_only_run_keeps_nothing_and_says_so() {
    for flag in ["--dry-run", "--read-only"] {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("demo.json");
        let args = [
            flag.as_ref(),
            "demo".as_ref(),
            "--state".as_ref(),
            state.as_os_str(),
        ];
        let mut demo = PtyProgram::spawn(&PtyCommand::ramkey(home.path(), args));
        demo.wait_for(wizard_steps::START, PATIENCE);
        demo.wait_for("Findings list: 6 users", PATIENCE);
        quit(&mut demo);
        let said = String::from_utf8_lossy(&demo.raw_output()).into_owned();
        let last_words = said.rsplit("\x1b[?1049l").next().unwrap_or_default();
        assert!(last_words.contains("nothing"), "{flag}: {last_words}");
        assert!(!last_words.contains("to resume"), "{flag}: {last_words}");
        assert!(!state.exists(), "{flag} wrote the state file");
        let world = home.path().join("demo.json.sandbox.json");
        assert!(!world.exists(), "{flag} saved the demo's sandbox");
    }
}
