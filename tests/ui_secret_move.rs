//! A whole move by keys against the real engine and the in-process sandbox,
//! the new secret copied (OSC 52) and saved in both forms on the way, every
//! log line captured at trace level: afterwards the secret, and its base64,
//! is in the terminal's bytes and the files the admin named, and nowhere
//! else — not in the log, the state file, the audit log or any other file
//! beside them, nor in the wizard's `Debug`. The move ends on its summary.

#[path = "support/log_capture.rs"]
mod log_capture;
#[path = "rotation_support/mod.rs"]
mod rotation_support;
mod ui_support;

use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use chrono::Duration;
use crossterm::event::KeyCode;
use log_capture::LogCapture;
use ramkey::clock::Clock;
use ramkey::ui::app::Msg;
use ramkey::ui::engine_bridge::EngineBackend;
use ramkey::ui::flow::Dialog;
use ramkey::ui::secret_io::{self, Places};
use ramkey::ui::{App, Backend as _};
use rotation_support::World;
use ui_support::{draw, press, release};

const USER: &str = "ci-deployer";
const NEW_USER: &str = "ci-deployer-v2";

struct Wizard {
    app: App,
    backend: EngineBackend,
    terminal: Vec<u8>,
    places: Places,
}

impl Wizard {
    async fn start(world: &World, saved_in: &Path) -> Self {
        let clock: Arc<dyn Clock> = Arc::new(world.clock.clone());
        let (backend, _report) = EngineBackend::start(world.engine(), clock)
            .await
            .expect("scan");
        let caller = world.client.get_caller_identity().await.unwrap();
        let app = App::new(backend.header(&caller, true), backend.snapshot());
        Self {
            app,
            backend,
            terminal: Vec::new(),
            places: Places {
                home: Some(saved_in.to_path_buf()),
                cwd: saved_in.to_path_buf(),
            },
        }
    }

    /// Taps `keys`; performs each effect and the secret dialog's jobs as
    /// the event loop does.
    async fn keys(&mut self, keys: &[KeyCode]) {
        for &key in keys {
            for msg in [press(key), release(key)] {
                // Every effect, the looks for changes included, goes to the engine.
                let mut next = self.app.update(msg);
                while let Some(effect) = next {
                    let result = self.backend.perform(effect).await;
                    next = self.app.update(Msg::Performed(result));
                }
            }
            secret_io::run_pending_in(&mut self.app, &mut self.terminal, &self.places);
        }
    }

    async fn text(&mut self, text: &str) {
        let keys: Vec<KeyCode> = text.chars().map(KeyCode::Char).collect();
        self.keys(&keys).await;
    }

    fn open(&mut self, user: &str) {
        let index = self
            .app
            .snapshot
            .users
            .iter()
            .position(|u| u.user_name == user);
        self.app.list_cursor = index.expect("listed");
    }

    fn shows(&self, text: &str) -> bool {
        draw(&self.app, 120, 32).contains(text)
    }
}

/// Every file under `dir`, with its path.
fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    found
}

fn holds(bytes: &[u8], needle: &str) -> bool {
    bytes
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[tokio::test]
async fn a_whole_move_leaves_the_secret_only_where_the_admin_sent_it() {
    let log = LogCapture::start();
    let world = World::demo().await;
    let saved_in = tempfile::tempdir().unwrap();
    let mut wizard = Wizard::start(&world, saved_in.path()).await;

    // Open, start the move, accept the name; create the user, copy all,
    // create the key.
    wizard.open(USER);
    wizard.keys(&[KeyCode::Enter; 5]).await;
    wizard
        .keys(&[KeyCode::Enter, KeyCode::Char('y'), KeyCode::Enter])
        .await;
    wizard
        .keys(&[KeyCode::Enter, KeyCode::Enter, KeyCode::Char('y')])
        .await;
    assert!(
        wizard.shows("New AccessKey"),
        "{}",
        draw(&wizard.app, 120, 32)
    );

    let account = world.sandbox.account_snapshot();
    let secret = account.user(NEW_USER).unwrap().access_keys[0]
        .access_key_secret
        .expose()
        .to_owned();
    let encoded = base64::engine::general_purpose::STANDARD.encode(&secret);
    assert!(!wizard.shows(&secret), "hidden");

    // Copy, save both forms, show it, then say it is stored.
    wizard.keys(&[KeyCode::Char('c')]).await;
    wizard.keys(&[KeyCode::Char('e')]).await;
    wizard.keys(&[KeyCode::Backspace; 60]).await;
    wizard.text("app.env").await;
    wizard.keys(&[KeyCode::Enter, KeyCode::Char('p')]).await;
    wizard.keys(&[KeyCode::Backspace; 60]).await;
    wizard.text("~/aliyun.json").await;
    wizard.keys(&[KeyCode::Enter, KeyCode::Char('s')]).await;
    assert!(wizard.shows(&secret));
    wizard.keys(&[KeyCode::Char('y')]).await;
    assert!(!wizard.shows(&secret), "gone once stored");

    // Staging, production, the disable; the deletion 91 days later (seen
    // after reopening the user), keeping every policy.
    wizard.keys(&[KeyCode::Enter, KeyCode::Char('y')]).await;
    wizard.keys(&[KeyCode::Enter, KeyCode::Char('y')]).await;
    wizard.keys(&[KeyCode::Enter]).await;
    wizard.text(USER).await;
    wizard.keys(&[KeyCode::Enter]).await;
    world.advance(Duration::days(91));
    wizard.keys(&[KeyCode::Esc]).await;
    wizard.open(USER);
    wizard.keys(&[KeyCode::Enter, KeyCode::Enter]).await;
    wizard.text(USER).await;
    wizard.keys(&[KeyCode::Enter]).await;
    wizard
        .keys(&[KeyCode::Enter, KeyCode::Enter, KeyCode::Char('y')])
        .await;

    let drawn = draw(&wizard.app, 120, 32);
    assert!(
        matches!(
            wizard.app.dialog.as_ref().map(|open| &open.dialog),
            Some(Dialog::Notice(notice)) if notice.title == format!("Move finished: {USER}")
        ),
        "{drawn}"
    );
    assert!(
        drawn.contains(&format!("created user {NEW_USER}")),
        "{drawn}"
    );

    // Where the admin sent it: the terminal, the two files.
    assert!(holds(&wizard.terminal, &encoded));
    let saved = files_under(saved_in.path());
    assert_eq!(
        saved.len(),
        2,
        "{:?}",
        saved.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    assert!(saved.iter().all(|(_, bytes)| holds(bytes, &secret)));

    // Nowhere else.
    let logged = log.text();
    assert!(
        logged.contains("CreateAccessKey"),
        "logged at trace: {logged}"
    );
    for needle in [&secret, &encoded] {
        assert!(!logged.contains(needle.as_str()), "the log holds it");
        for (path, bytes) in files_under(world.state.parent().unwrap()) {
            assert!(!holds(&bytes, needle), "{path} holds it");
        }
        assert!(!format!("{:?}", wizard.app).contains(needle.as_str()));
    }
}
