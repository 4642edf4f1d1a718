//! BC-15 end to end under a pty: the terminal is given back exactly as it was, exactly
//! once, however the wizard ends: (a) a panic during the scan, (b) a scan that fails
//! (the sandbox answers every ListUsers 503) and the admin quits, (c) SIGTERM while a
//! confirmation is open, (d) Ctrl-C and SIGINT, (e) `q`.
//!
//! The pty runs a shell that records `stty -g` before ramkey starts and after it ended.
//! Each case checks: the settings match, the alternate screen is left, the cursor shows,
//! bracketed paste and mouse capture are off, the alternate screen and bracketed paste
//! were each switched on once and off once (the restore ran exactly once), the reason is
//! on the normal screen, the exit code, and that `ramkey status` reads the state file.

#[path = "support/pty.rs"]
mod pty;
#[path = "support/sandbox_process.rs"]
mod sandbox_process;
#[path = "support/wizard_steps.rs"]
mod wizard_steps;

use std::fs;
use std::path::Path;
use std::process::Command;

use pty::{Key, PATIENCE, PtyCommand, PtyProgram};
use sandbox_process::SandboxProcess;
use wizard_steps::FINDINGS;

/// Records the terminal's settings around ramkey; exits with ramkey's code.
const STTY_AROUND: &str = r#"stty -g > stty.before
"$@"
code=$?
stty -g > stty.after
exit "$code""#;

/// The escape sequences of the modes the wizard switches on and off.
const ALTERNATE_ON: &[u8] = b"\x1b[?1049h";
const ALTERNATE_OFF: &[u8] = b"\x1b[?1049l";
const PASTE_ON: &[u8] = b"\x1b[?2004h";
const PASTE_OFF: &[u8] = b"\x1b[?2004l";

/// A wizard run under the recording shell, in its own temporary home.
struct Run {
    home: tempfile::TempDir,
    program: PtyProgram,
}

impl Run {
    /// `ramkey demo --state <home>/state.json` plus `env`.
    fn demo(env: &[(&str, &str)]) -> Self {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state.json");
        let args = ["demo".as_ref(), "--state".as_ref(), state.as_os_str()];
        let command = PtyCommand::ramkey(home.path(), args)
            .envs(env.iter().copied())
            .in_shell(STTY_AROUND);
        let program = PtyProgram::spawn(&command);
        Self { home, program }
    }

    /// `ramkey --endpoint <sandbox> --state <home>/state.json`, signing as its caller.
    fn wizard(sandbox: &SandboxProcess) -> Self {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state.json");
        let args = [
            "--endpoint".as_ref(),
            sandbox.endpoint().as_ref(),
            "--state".as_ref(),
            state.as_os_str(),
        ];
        let command = PtyCommand::ramkey(home.path(), args)
            .envs([
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", sandbox.access_key_id()),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", sandbox.secret()),
            ])
            .in_shell(STTY_AROUND);
        let program = PtyProgram::spawn(&command);
        Self { home, program }
    }

    /// Sends `signal` (`TERM`, `INT`) to ramkey itself (the shell's child), by its id.
    fn signal(&self, signal: &str) {
        let pid = child_of(self.program.pid()).to_string();
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -{signal} {pid}");
    }

    /// Waits for the end and checks everything BC-15 asks of a restore; returns
    /// the exit code.
    fn ended_restored(&mut self) -> u32 {
        let code = self.program.wait_exit(PATIENCE);
        let report = self.program.report();
        let before = fs::read_to_string(self.home.path().join("stty.before")).unwrap();
        let after = fs::read_to_string(self.home.path().join("stty.after")).unwrap();
        assert!(!before.trim().is_empty(), "no settings recorded\n{report}");
        assert_eq!(before, after, "the terminal settings changed\n{report}");

        assert!(!self.program.in_alternate_screen(), "{report}");
        assert!(!self.program.cursor_hidden(), "cursor hidden\n{report}");
        assert!(!self.program.bracketed_paste(), "paste left on\n{report}");
        assert!(!self.program.mouse_capture(), "mouse left on\n{report}");

        let raw = self.program.raw_output();
        for (sequence, what) in [
            (ALTERNATE_ON, "entering the alternate screen"),
            (ALTERNATE_OFF, "leaving the alternate screen"),
            (PASTE_ON, "switching bracketed paste on"),
            (PASTE_OFF, "switching bracketed paste off"),
        ] {
            assert_eq!(count(&raw, sequence), 1, "{what}\n{report}");
        }
        code
    }

    /// The normal screen after the end, on one line (wrapped text joined).
    fn said(&self) -> String {
        self.program.screen().replace('\n', "")
    }

    /// `ramkey status --state <home>/state.json --format json` reads the file;
    /// `None` when the run never had anything to write into it.
    fn state_reads(&self) -> Option<serde_json::Value> {
        let state = self.home.path().join("state.json");
        if !state.exists() {
            return None;
        }
        let output = Command::new(env!("CARGO_BIN_EXE_ramkey"))
            .args(["status", "--format", "json", "--state"])
            .arg(&state)
            .env("HOME", self.home.path())
            .env("XDG_STATE_HOME", self.home.path().join("state"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "status failed: {stderr}");
        Some(serde_json::from_slice(&output.stdout).expect("status prints JSON"))
    }
}

/// How often `needle` occurs in `haystack`.
fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|window| *window == needle)
        .count()
}

/// The one process whose parent is `parent` (ramkey under the shell).
fn child_of(parent: u32) -> i32 {
    let children: Vec<i32> = fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| parent_of(*pid) == Some(parent))
        .collect();
    assert_eq!(children.len(), 1, "children of the shell: {children:?}");
    children[0]
}

/// The parent of `pid`, from `/proc/PID/stat` (after the command name's parenthesis).
fn parent_of(pid: i32) -> Option<u32> {
    let stat = fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_panic_during_the_scan_restores_once_and_prints_the_panic_on_the_normal_screen() {
    let mut run = Run::demo(&[("RAMKEY_TEST_PANIC_AT", "scan")]);
    let code = run.ended_restored();

    assert_eq!(code, 101, "{}", run.program.report());
    let said = run.said();
    assert!(said.contains("panicked at"), "{said}");
    assert!(said.contains("test panic point \"scan\" reached"), "{said}");
    run.state_reads();
}

#[test]
fn a_scan_that_fails_ends_in_an_error_exit_with_the_error_on_the_normal_screen() {
    let sandbox = SandboxProcess::start(["--unavailable", "all@ListUsers"]);
    let mut run = Run::wizard(&sandbox);
    // Every try is refused, so the retries run out and the scan fails.
    run.program
        .wait_for("Scanning the account: not done.", PATIENCE);
    run.program.press(Key::Enter);
    run.program
        .wait_gone("Scanning the account: not done.", PATIENCE);
    run.program.press(Key::Char('q'));
    let code = run.ended_restored();

    assert_eq!(code, 1, "{}", run.program.report());
    let said = run.said();
    assert!(
        said.contains("ramkey: Scanning the account: not done."),
        "{said}"
    );
    run.state_reads();
}

#[test]
fn sigterm_with_a_confirmation_open_restores_once_and_keeps_the_state_file() {
    let mut run = Run::demo(&[]);
    run.program.wait_for(FINDINGS, PATIENCE);
    wizard_steps::open_user(&run.program, "billing-exporter");
    run.program.press(Key::Enter);
    run.program.wait_for("Start a rotation", PATIENCE);
    run.program.press(Key::Enter);
    run.program
        .wait_for("Step 1 of 4: Review the evidence", PATIENCE);
    run.program.press(Key::Enter);
    run.program.wait_for("Reviewed: go on? [y/n]", PATIENCE);

    run.signal("TERM");
    let code = run.ended_restored();

    assert_eq!(code, 143, "{}", run.program.report());
    assert!(run.said().contains("ramkey: state file"), "{}", run.said());
    assert!(
        run.said().contains("ramkey: stopped by a signal"),
        "{}",
        run.said()
    );
    let status = run
        .state_reads()
        .expect("the started rotation is saved")
        .to_string();
    assert!(
        status.contains("billing-exporter"),
        "the started rotation: {status}"
    );
}

#[test]
fn ctrl_c_restores_once_with_exit_code_130() {
    let mut run = Run::demo(&[]);
    run.program.wait_for(FINDINGS, PATIENCE);
    run.program.press(Key::Ctrl('c'));
    assert_eq!(run.ended_restored(), 130, "{}", run.program.report());
    assert!(run.said().contains("ramkey: state file"), "{}", run.said());
    assert!(
        run.said().contains("ramkey: stopped by Ctrl-C"),
        "the reason is on the normal screen: {}",
        run.said()
    );
    run.state_reads();
}

#[test]
fn sigint_restores_once_with_exit_code_130() {
    let mut run = Run::demo(&[]);
    run.program.wait_for(FINDINGS, PATIENCE);
    run.signal("INT");
    assert_eq!(run.ended_restored(), 130, "{}", run.program.report());
    assert!(run.said().contains("ramkey: state file"), "{}", run.said());
    run.state_reads();
}

#[test]
fn q_restores_once_with_exit_code_0() {
    let mut run = Run::demo(&[]);
    run.program.wait_for(FINDINGS, PATIENCE);
    run.program.press(Key::Char('q'));
    assert_eq!(run.ended_restored(), 0, "{}", run.program.report());
    assert!(run.said().contains("ramkey: state file"), "{}", run.said());
    run.state_reads();
}
