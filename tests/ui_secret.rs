//! The new secret dialog, fed key sequences through `App::update`: hidden
//! until shown, copied through the terminal (OSC 52), saved to a new file
//! (env file or aliyun CLI profile, 0600, never over an existing one), and
//! closed only by `y` once handed over; a paste never confirms. Snapshots
//! at 80x24 and 120x32 (the revealed one with a fake secret), and of the
//! closing summary of a move.

mod ui_support;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use crossterm::event::KeyCode;
use ramkey::clock::{Clock, FixedClock};
use ramkey::cloud::Endpoints;
use ramkey::cloud::credentials::{self, Credentials, Lookup};
use ramkey::cloud::model::PolicyType;
use ramkey::secret::Secret;
use ramkey::ui::App;
use ramkey::ui::app::{Msg, OpenDialog};
use ramkey::ui::clipboard;
use ramkey::ui::flow::Dialog;
use ramkey::ui::keys::Context;
use ramkey::ui::move_summary;
use ramkey::ui::secret_io::{self, Places};
use ramkey::ui::view::{
    GrantView, MoveSummaryView, Performed, PolicyRef, Recorded, Request, ShownSecret,
};
use ui_support::{at, draw, tap, type_text};

/// A fake secret for the tests and the revealed snapshots.
const FAKE_SECRET: &str = "dEm0sEcReTdEm0sEcReTdEm0sEcReT";
const NEW_KEY: &str = "LTAI5tNewKey000000000003";
const NEW_USER: &str = "ops-zhangsan-v2";

/// The wizard on ops-zhangsan's rotation with the new key's dialog open.
fn with_secret() -> App {
    let mut app = ui_support::app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    // As if CreateAccessKey had been asked for ops-zhangsan.
    app.pending = Some("Creating the new AccessKey".to_owned());
    app.pending_user = Some("ops-zhangsan".to_owned());
    app.pending_request = Some(Request::CreateAccessKey);
    app.update(Msg::Performed(Ok(Performed {
        snapshot: ui_support::snapshot(),
        notice: format!("Created key {NEW_KEY} (RequestId 7A2B…)"),
        new_secret: Some(ShownSecret {
            user: NEW_USER.to_owned(),
            access_key_id: NEW_KEY.to_owned(),
            secret: Secret::new(FAKE_SECRET),
        }),
    })));
    assert_eq!(app.context(), Context::Secret);
    app
}

fn both(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), draw(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x32"), draw(app, 120, 32));
}

/// Places under `dir`: home and current directory both.
fn places(dir: &Path) -> Places {
    Places {
        home: Some(dir.to_path_buf()),
        cwd: dir.to_path_buf(),
    }
}

/// Taps `keys`, then runs what the dialog asked for, as the loop does.
fn tap_and_run(app: &mut App, keys: &[KeyCode], terminal: &mut Vec<u8>, places: &Places) {
    for &key in keys {
        assert!(tap(app, &[key]).is_empty(), "no engine call");
        secret_io::run_pending_in(app, terminal, places);
    }
}

fn secret_dialog_open(app: &App) -> bool {
    matches!(
        app.dialog.as_ref().map(|open| &open.dialog),
        Some(Dialog::Secret(_))
    )
}

/// Backspaces over the suggested file name, then types `name`.
fn retype(app: &mut App, name: &str) {
    let suggested = draw(app, 120, 32);
    assert!(suggested.contains("File: "), "{suggested}");
    tap(app, &[KeyCode::Backspace; 60]);
    type_text(app, name);
}

#[test]
fn the_secret_is_hidden_until_s_shows_it_and_s_hides_it_again() {
    let mut app = with_secret();
    assert!(!draw(&app, 120, 32).contains(FAKE_SECRET));
    both("secret_hidden", &app);

    tap(&mut app, &[KeyCode::Char('s')]);
    assert!(draw(&app, 80, 24).contains(FAKE_SECRET));
    both("secret_revealed", &app);

    tap(&mut app, &[KeyCode::Char('s')]);
    assert!(!draw(&app, 120, 32).contains(FAKE_SECRET));
}

#[test]
fn y_closes_only_after_the_secret_was_shown_copied_or_saved() {
    let mut app = with_secret();
    let effects = tap(
        &mut app,
        &[KeyCode::Char('y'), KeyCode::Enter, KeyCode::Esc],
    );
    assert!(effects.is_empty());
    assert!(secret_dialog_open(&app));
    assert!(draw(&app, 120, 32).contains("Not closed"));

    let dir = tempfile::tempdir().unwrap();
    let mut terminal = Vec::new();
    tap_and_run(
        &mut app,
        &[KeyCode::Char('c')],
        &mut terminal,
        &places(dir.path()),
    );
    let effects = tap(&mut app, &[KeyCode::Char('y')]);
    assert_eq!(effects.len(), 1);
    assert_eq!(effects[0].request, Request::ConfirmSecretStored);
    assert_eq!(effects[0].user, "ops-zhangsan", "for the flagged user");
    assert!(app.dialog.is_none(), "closed, and the secret with it");
}

#[test]
fn a_paste_never_confirms_nor_submits_a_file_name() {
    let mut app = with_secret();
    tap(&mut app, &[KeyCode::Char('s')]);
    assert_eq!(app.update(Msg::Paste("y\r\n".to_owned())), None);
    assert_eq!(app.update(Msg::Paste("\n".to_owned())), None);
    assert!(secret_dialog_open(&app), "a paste is not a key press");

    let dir = tempfile::tempdir().unwrap();
    let mut terminal = Vec::new();
    tap_and_run(
        &mut app,
        &[KeyCode::Char('e')],
        &mut terminal,
        &places(dir.path()),
    );
    tap(&mut app, &[KeyCode::Backspace; 60]);
    assert_eq!(app.update(Msg::Paste("pasted.env\r\n".to_owned())), None);
    secret_io::run_pending_in(&mut app, &mut terminal, &places(dir.path()));
    assert_eq!(app.context(), Context::TextInput, "still naming the file");
    assert!(draw(&app, 120, 32).contains("File: pasted.env_"));
    assert!(!dir.path().join("pasted.env").exists());
    assert!(terminal.is_empty());
}

#[test]
fn copy_sends_osc_52_of_the_secret_to_the_terminal_writer_only() {
    let mut app = with_secret();
    let dir = tempfile::tempdir().unwrap();
    let mut terminal = Vec::new();
    tap_and_run(
        &mut app,
        &[KeyCode::Char('c')],
        &mut terminal,
        &places(dir.path()),
    );

    let text = String::from_utf8(terminal.clone()).unwrap();
    let encoded = text
        .strip_prefix("\x1b]52;c;")
        .and_then(|rest| rest.strip_suffix('\x07'))
        .unwrap_or_else(|| panic!("not OSC 52: {text:?}"));
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    assert_eq!(decoded, FAKE_SECRET.as_bytes());
    assert_eq!(terminal, *clipboard::osc52(&Secret::new(FAKE_SECRET)));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no file");
    assert!(!draw(&app, 120, 32).contains(FAKE_SECRET), "still hidden");
    assert!(draw(&app, 120, 32).contains("through the terminal (OSC 52)"));
    both("secret_copied", &app);
}

#[test]
fn a_terminal_that_takes_no_raw_output_says_copying_failed() {
    let mut app = with_secret();
    tap(&mut app, &[KeyCode::Char('c')]);
    let mut terminal = ratatui::backend::TestBackend::new(10, 2);
    secret_io::run_pending_in(&mut app, &mut terminal, &places(Path::new("/nonexistent")));
    assert!(draw(&app, 120, 32).contains("Not copied"));
    assert!(
        tap(&mut app, &[KeyCode::Char('y')]).is_empty(),
        "not handed over"
    );
}

#[test]
fn saving_an_env_file_creates_it_0600_and_it_reads_back_as_the_key() {
    let mut app = with_secret();
    let dir = tempfile::tempdir().unwrap();
    let places = places(dir.path());
    let mut terminal = Vec::new();
    tap_and_run(&mut app, &[KeyCode::Char('e')], &mut terminal, &places);
    assert_eq!(app.context(), Context::TextInput);
    assert!(draw(&app, 120, 32).contains(&format!("File: ~/{NEW_USER}.env_")));
    both("secret_save_env", &app);
    retype(&mut app, "~/keys.env");
    tap_and_run(&mut app, &[KeyCode::Enter], &mut terminal, &places);

    let path = dir.path().join("keys.env");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    let text = std::fs::read_to_string(&path).unwrap();
    let vars: Vec<(String, String)> = text
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    let read = Credentials::from_lookup(|name| {
        vars.iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.clone())
    })
    .expect("the env file's variables are what ramkey and the SDKs read");
    assert_eq!(read.access_key_id, NEW_KEY);
    assert_eq!(read.secret.expose(), FAKE_SECRET);

    assert_eq!(app.context(), Context::Secret);
    let drawn = draw(&app, 120, 32);
    assert!(drawn.contains("Saved as an env file"), "{drawn}");
    assert!(!drawn.contains(FAKE_SECRET));
    assert!(terminal.is_empty(), "nothing went to the terminal");
    assert_eq!(tap(&mut app, &[KeyCode::Char('y')]).len(), 1);
}

#[test]
fn an_existing_file_is_refused_the_field_reopens_and_esc_leaves_it() {
    let mut app = with_secret();
    let dir = tempfile::tempdir().unwrap();
    let places = places(dir.path());
    let taken = dir.path().join("config.json");
    std::fs::write(&taken, "{\"current\":\"mine\"}").unwrap();
    let mut terminal = Vec::new();

    tap_and_run(&mut app, &[KeyCode::Char('p')], &mut terminal, &places);
    retype(&mut app, "config.json");
    tap_and_run(&mut app, &[KeyCode::Enter], &mut terminal, &places);
    assert_eq!(
        std::fs::read_to_string(&taken).unwrap(),
        "{\"current\":\"mine\"}"
    );
    assert_eq!(app.context(), Context::TextInput, "offered again");
    let drawn = draw(&app, 120, 32);
    assert!(drawn.contains("already exists"), "{drawn}");
    both("secret_save_refused", &app);

    // A directory is refused too, with a name to use inside it.
    retype(&mut app, "~");
    tap_and_run(&mut app, &[KeyCode::Enter], &mut terminal, &places);
    assert!(draw(&app, 120, 32).contains("is a directory"));

    tap_and_run(&mut app, &[KeyCode::Esc], &mut terminal, &places);
    assert_eq!(app.context(), Context::Secret);
    assert!(
        tap(&mut app, &[KeyCode::Char('y')]).is_empty(),
        "nothing saved"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn saving_a_profile_writes_a_config_the_credentials_chain_reads() {
    let mut app = with_secret();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".aliyun")).unwrap();
    let places = places(dir.path());
    let mut terminal = Vec::new();
    tap_and_run(&mut app, &[KeyCode::Char('p')], &mut terminal, &places);
    retype(&mut app, "~/.aliyun/config.json");
    tap_and_run(&mut app, &[KeyCode::Enter], &mut terminal, &places);
    let path = dir.path().join(".aliyun").join("config.json");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    both("secret_saved_profile", &app);

    let lookup = Lookup::new(|_| None, Some(dir.path().to_path_buf()));
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(at("2026-01-01T00:00:00Z")));
    let provider =
        credentials::resolve(&lookup, Some(NEW_USER), &Endpoints::production(), clock).unwrap();
    let read = provider.current().await.unwrap();
    assert_eq!(read.access_key_id, NEW_KEY);
    assert_eq!(read.secret.expose(), FAKE_SECRET);
}

#[test]
fn debug_of_the_wizard_never_shows_the_secret_nor_its_base64() {
    let encoded = base64::engine::general_purpose::STANDARD.encode(FAKE_SECRET);
    let mut app = with_secret();
    let dir = tempfile::tempdir().unwrap();
    let mut terminal = Vec::new();
    let steps: [&[KeyCode]; 4] = [
        &[KeyCode::Char('s')],
        &[KeyCode::Char('c')],
        &[KeyCode::Char('e')],
        &[KeyCode::Esc],
    ];
    for keys in steps {
        tap_and_run(&mut app, keys, &mut terminal, &places(dir.path()));
        let debug = format!("{app:?}");
        assert!(
            !debug.contains(FAKE_SECRET) && !debug.contains(&encoded),
            "{debug}"
        );
    }
}

fn recorded(when: &str, request_id: &str) -> Recorded {
    Recorded {
        at: at(when),
        request_ids: vec![request_id.to_owned()],
        note: None,
    }
}

fn finished_move() -> MoveSummaryView {
    MoveSummaryView {
        user: "ops-zhangsan".to_owned(),
        old_key_id: "LTAI5tZhangIdle00000001".to_owned(),
        started_at: at("2025-06-01T09:00:00Z"),
        new_user: NEW_USER.to_owned(),
        user_created: recorded(
            "2025-06-01T09:01:00Z",
            "4C3A1B2D-0000-4000-8000-000000000001",
        ),
        copied: vec![
            (
                GrantView::Policy(PolicyRef {
                    name: "AliyunOSSReadOnlyAccess".to_owned(),
                    policy_type: PolicyType::System,
                }),
                recorded(
                    "2025-06-01T09:02:00Z",
                    "4C3A1B2D-0000-4000-8000-000000000002",
                ),
            ),
            (
                GrantView::Group("ops".to_owned()),
                recorded(
                    "2025-06-01T09:02:01Z",
                    "4C3A1B2D-0000-4000-8000-000000000003",
                ),
            ),
        ],
        new_key_id: NEW_KEY.to_owned(),
        key_created: recorded(
            "2025-06-01T09:03:00Z",
            "4C3A1B2D-0000-4000-8000-000000000004",
        ),
        key_verified_at: Some(at("2025-06-01T09:03:12Z")),
        disabled: recorded(
            "2025-06-03T10:00:00Z",
            "4C3A1B2D-0000-4000-8000-000000000005",
        ),
        deleted: recorded(
            "2025-09-01T10:00:00Z",
            "4C3A1B2D-0000-4000-8000-000000000006",
        ),
        detached: vec![(
            GrantView::Policy(PolicyRef {
                name: "deploy-bucket-write".to_owned(),
                policy_type: PolicyType::Custom,
            }),
            recorded(
                "2025-09-01T10:05:00Z",
                "4C3A1B2D-0000-4000-8000-000000000007",
            ),
        )],
        finished_at: at("2025-09-01T10:05:00Z"),
    }
}

#[test]
fn the_end_of_a_move_summarises_it_and_advises_kms_or_sts() {
    let mut app = ui_support::app();
    app.dialog = Some(OpenDialog {
        user: "ops-zhangsan".to_owned(),
        dialog: Dialog::Notice(move_summary::notice(&finished_move())),
    });
    let drawn = draw(&app, 120, 32);
    for expected in [
        "Move finished: ops-zhangsan",
        "created user ops-zhangsan-v2",
        "RAMCredentials",
    ] {
        assert!(drawn.contains(expected), "{expected:?} not in\n{drawn}");
    }
    both("move_summary", &app);
}

/// The fixtures with ops-zhangsan's move finished: every step done, and
/// the summary its record gives.
fn finished_snapshot() -> ramkey::ui::view::Snapshot {
    let mut snapshot = ui_support::snapshot();
    let user = snapshot
        .users
        .iter_mut()
        .find(|user| user.user_name == "ops-zhangsan")
        .unwrap();
    let rotation = user.rotation.as_mut().unwrap();
    for step in &mut rotation.steps {
        step.status = ramkey::ui::view::StepStatus::Done {
            at: at("2025-09-01T10:05:00Z"),
            request_id: None,
        };
    }
    rotation.summary = Some(finished_move());
    snapshot
}

fn summary_open(app: &App) -> bool {
    matches!(
        app.dialog.as_ref().map(|open| &open.dialog),
        Some(Dialog::Notice(notice)) if notice.title == "Move finished: ops-zhangsan"
    )
}

#[test]
fn the_summary_opens_when_the_last_step_is_done_and_again_on_enter() {
    let mut app = ui_support::app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    app.pending = Some("Detaching policies from ops-zhangsan".to_owned());
    app.pending_user = Some("ops-zhangsan".to_owned());
    app.pending_request = Some(Request::DetachPolicies {
        policies: Vec::new(),
        typed_user: "ops-zhangsan".to_owned(),
    });
    let effect = app.update(Msg::Performed(Ok(Performed {
        snapshot: finished_snapshot(),
        notice: "Reviewed the policies of ops-zhangsan".to_owned(),
        new_secret: None,
    })));
    assert_eq!(effect, None);
    assert!(summary_open(&app), "{:?}", app.dialog);

    tap(&mut app, &[KeyCode::Enter]);
    assert!(app.dialog.is_none());
    tap(&mut app, &[KeyCode::Enter]);
    assert!(
        summary_open(&app),
        "Enter on the finished move shows it again"
    );
}

#[test]
fn another_step_done_opens_no_summary() {
    let mut app = ui_support::app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    app.pending = Some("Recording the staging swap".to_owned());
    app.pending_user = Some("ops-zhangsan".to_owned());
    app.pending_request = Some(Request::ConfirmStaging);
    app.update(Msg::Performed(Ok(Performed {
        snapshot: finished_snapshot(),
        notice: String::new(),
        new_secret: None,
    })));
    assert!(!summary_open(&app));
}
