//! End to end under a pty: in `ramkey demo`, the new secret's dialog hides
//! the secret until `s`, refuses `y` before it was handed over, copies it
//! with OSC 52 written to the terminal (the pty sees the sequence), saves it
//! as a new 0600 env file under HOME and refuses that name the second time.
//! Afterwards only that file, of everything under HOME, holds the secret.

#[path = "support/pty.rs"]
mod pty;
#[path = "support/sandbox_process.rs"]
mod sandbox_process;
#[path = "support/wizard_steps.rs"]
mod wizard_steps;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use pty::{Key, PATIENCE, PtyCommand, PtyProgram};

/// The demo's user with two busy keys, policies and a group.
const USER: &str = "ci-deployer";
const NEW_USER: &str = "ci-deployer-v2";

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// The base64 of the first OSC 52 sequence the program wrote.
fn copied(raw: &[u8]) -> String {
    let start = b"\x1b]52;c;";
    let at = raw
        .windows(start.len())
        .position(|window| window == start)
        .expect("an OSC 52 sequence was written to the terminal");
    let rest = &raw[at + start.len()..];
    let end = rest.iter().position(|&b| b == 0x07).expect("ended by BEL");
    String::from_utf8(rest[..end].to_vec()).unwrap()
}

#[test]
fn in_the_demo_the_secret_is_hidden_copied_with_osc_52_and_saved_0600() {
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("demo.json");
    let args = ["demo".as_ref(), "--state".as_ref(), state.as_os_str()];
    let mut demo = PtyProgram::spawn(&PtyCommand::ramkey(home.path(), args));
    demo.wait_for(wizard_steps::FINDINGS, PATIENCE);
    wizard_steps::open_user(&demo, USER);
    wizard_steps::start_move(&demo);
    wizard_steps::create_user_and_copy(&demo, NEW_USER);
    wizard_steps::ask_for_the_key(&demo);

    demo.wait_for("(s shows it)", PATIENCE);
    demo.press(Key::Char('y'));
    demo.wait_for("Not closed", PATIENCE);

    demo.press(Key::Char('c'));
    demo.wait_for("Sent to the clipboard", PATIENCE);
    let encoded = copied(&demo.raw_output());

    let file = home.path().join("new.env");
    for attempt in ["Saved as an env file", "already exists"] {
        demo.press(Key::Char('e'));
        demo.wait_for("Save as env file", PATIENCE);
        demo.press_all(&[Key::Backspace; 40]);
        demo.type_text("~/new.env");
        demo.wait_for("~/new.env_", PATIENCE);
        demo.press(Key::Enter);
        demo.wait_for(attempt, PATIENCE);
    }
    demo.press(Key::Esc);
    demo.wait_for("(s shows it)", PATIENCE);

    let (key, secret) = wizard_steps::take_the_secret(&demo);
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&encoded)
        .unwrap();
    assert_eq!(decoded, secret.as_bytes(), "the clipboard got the secret");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains(&format!("ALIBABA_CLOUD_ACCESS_KEY_ID={key}\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("ALIBABA_CLOUD_ACCESS_KEY_SECRET={secret}\n")),
        "{text}"
    );
    wizard_steps::quit(&mut demo);

    let holding: Vec<PathBuf> = files_under(home.path())
        .into_iter()
        .filter(|path| {
            let bytes = std::fs::read(path).unwrap();
            [secret.as_bytes(), encoded.as_bytes()]
                .iter()
                .any(|needle| bytes.windows(needle.len()).any(|window| window == *needle))
        })
        .collect();
    assert_eq!(holding, vec![file], "only the file the admin named");
}
