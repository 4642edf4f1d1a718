//! End to end under a pty: what the real `ramkey` wizard says about itself before
//! anything changes. Against `ramkey sandbox` as a separate process, the findings screen
//! names the caller (ARN, identity type), the credential's kind and source, and warns
//! about a permanent AccessKey; `ramkey demo` names its key the demo sandbox key and does
//! not warn. Without credentials the wizard does not start and says where credentials
//! come from, as `ramkey scan` does.

#[path = "support/pty.rs"]
mod pty;
#[path = "support/sandbox_process.rs"]
mod sandbox_process;

use pty::{Key, PATIENCE, PtyCommand, PtyProgram};
use sandbox_process::SandboxProcess;

const FINDINGS: &str = "users hold two Active AccessKeys";

/// Quits from the findings list and checks the exit code.
fn quit(wizard: &mut PtyProgram) {
    wizard.press(Key::Char('q'));
    assert_eq!(wizard.wait_exit(PATIENCE), 0, "{}", wizard.report());
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
        ],
        PATIENCE,
    );
    quit(&mut wizard);
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
