//! The event loop end to end on a `TestBackend`: key events in, effects
//! performed by a scripted engine, results fed back, a clean exit.

mod ui_support;

use std::io;
use std::sync::{Arc, Mutex};

use crossterm::event::{Event, KeyCode, KeyEventKind};
use futures::channel::mpsc;
use futures::stream;
use ramkey::ui::App;
use ramkey::ui::app::{Exit, Screen};
use ramkey::ui::view::{DriftView, Effect, ErrorView, Performed, Request, StepStatus};
use ramkey::ui::{Backend, run};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ui_support::{at, event};

/// Records each effect; a look for changes made outside ramkey finds one,
/// any other request marks the current step of the effect's user done.
#[derive(Clone, Default)]
struct Scripted {
    performed: Arc<Mutex<Vec<Effect>>>,
}

impl Backend for Scripted {
    async fn perform(&mut self, effect: Effect) -> Result<Performed, ErrorView> {
        let mut snapshot = ui_support::snapshot();
        if effect.request == Request::CheckDrift {
            let user = snapshot
                .users
                .iter_mut()
                .find(|u| u.user_name == effect.user);
            user.expect("known user").drift = Some(vec![DriftView {
                what: "key LTAI5tZhangBusy00000002 was added outside ramkey".to_owned(),
                advice: "find out who added it before going on".to_owned(),
            }]);
            self.performed.lock().unwrap().push(effect);
            return Ok(Performed {
                snapshot,
                notice: "1 change made outside ramkey: see above the steps.".to_owned(),
                new_secret: None,
            });
        }
        let user = snapshot
            .users
            .iter_mut()
            .find(|u| u.user_name == effect.user)
            .expect("known user");
        let rotation = user.rotation.as_mut().expect("rotation");
        let current = rotation.current().expect("a step to do");
        rotation.steps[current].status = StepStatus::Done {
            at: at("2025-06-01T12:00:00Z"),
            request_id: Some("REQ-COPY".to_owned()),
        };
        self.performed.lock().unwrap().push(effect);
        Ok(Performed {
            snapshot,
            notice: "Copied 3 grants (RequestId REQ-COPY)".to_owned(),
            new_secret: None,
        })
    }
}

/// The wizard already on `user`'s rotation screen, its look for changes
/// made outside ramkey done (keys typed while a call is in flight are
/// refused, so a test that types ahead must not start with one).
fn on_rotation(user: &str) -> App {
    let mut app = ui_support::app();
    app.list_cursor = 1;
    app.screen = Screen::Rotation {
        user: user.to_owned(),
        cursor: 2,
    };
    app
}

fn key_events(codes: &[KeyCode]) -> Vec<io::Result<Event>> {
    codes
        .iter()
        .flat_map(|&code| {
            [
                Ok(Event::Key(event(code, KeyEventKind::Press))),
                Ok(Event::Key(event(code, KeyEventKind::Release))),
            ]
        })
        .collect()
}

#[tokio::test]
async fn keys_drive_a_step_through_the_engine_and_q_quits() {
    let (keys, events) = mpsc::unbounded();
    for event in key_events(&[
        KeyCode::Enter, // copy checklist
        KeyCode::Enter, // copy everything
        KeyCode::Esc,
        KeyCode::Char('q'),
        KeyCode::Char('y'), // only read when q came while the call was in flight
    ]) {
        keys.unbounded_send(event).unwrap();
    }

    let backend = Scripted::default();
    let mut app = on_rotation("ops-zhangsan");
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let exit = run(
        &mut terminal,
        ui_support::one_by_one(events),
        stream::pending(),
        &mut app,
        backend.clone(),
    )
    .await
    .unwrap();

    assert_eq!(exit, Exit::Quit);
    let performed = backend.performed.lock().unwrap().clone();
    assert_eq!(performed.len(), 1);
    let Request::CopyPermissions { policies, groups } = &performed[0].request else {
        panic!("{performed:?}")
    };
    assert_eq!(
        (policies.len(), groups.as_slice()),
        (2, ["ops".to_owned()].as_slice())
    );

    // The result was applied before the loop returned, even if q came first.
    assert!(!app.is_pending());
    let user = app.snapshot.user("ops-zhangsan").unwrap();
    assert_eq!(user.rotation.as_ref().unwrap().current(), Some(3));
    drop(keys);
}

#[tokio::test]
async fn input_closing_ends_the_wizard() {
    let mut app = ui_support::app();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let events = stream::iter(key_events(&[KeyCode::Down]));
    let exit = run(
        &mut terminal,
        events,
        stream::pending(),
        &mut app,
        Scripted::default(),
    )
    .await
    .unwrap();
    assert_eq!(exit, Exit::Terminated);
    assert_eq!(app.list_cursor, 1);
}

#[tokio::test]
async fn a_signal_ends_the_wizard() {
    let mut app = ui_support::app();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let exit = run(
        &mut terminal,
        stream::pending(),
        stream::iter([Exit::Terminated]),
        &mut app,
        Scripted::default(),
    )
    .await
    .unwrap();
    assert_eq!(exit, Exit::Terminated);
}

#[tokio::test]
async fn the_last_frame_shows_the_outcome() {
    let (keys, events) = mpsc::unbounded();
    for event in key_events(&[KeyCode::Enter, KeyCode::Enter]) {
        keys.unbounded_send(event).unwrap();
    }
    drop(keys); // input ends after the last key: the loop drains the call, then stops
    let mut app = on_rotation("ops-zhangsan");
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    run(
        &mut terminal,
        events,
        stream::pending(),
        &mut app,
        Scripted::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        app.notice.as_deref(),
        Some("Copied 3 grants (RequestId REQ-COPY)")
    );
}

#[tokio::test]
async fn opening_a_rotation_looks_for_changes_made_outside_ramkey_and_shows_them() {
    let backend = Scripted::default();
    let mut app = ui_support::app();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    // Input ends after the keys: the loop waits for the look, then stops.
    let events = stream::iter(key_events(&[KeyCode::Down, KeyCode::Enter]));
    run(
        &mut terminal,
        events,
        stream::pending(),
        &mut app,
        backend.clone(),
    )
    .await
    .unwrap();

    let performed = backend.performed.lock().unwrap().clone();
    assert_eq!(
        performed,
        vec![Effect {
            user: "ops-zhangsan".to_owned(),
            request: Request::CheckDrift,
        }]
    );
    let drift = app.snapshot.user("ops-zhangsan").unwrap().drift.clone();
    assert_eq!(drift.map(|d| d.len()), Some(1));
    let drawn = ui_support::draw(&app, 80, 24);
    assert!(drawn.contains("Changed outside ramkey"), "{drawn}");
    assert!(
        drawn.contains("• key LTAI5tZhangBusy00000002 was added"),
        "{drawn}"
    );
}

/// Hangs on the new key's check, as a key RAM keeps refusing does for up to
/// two minutes; answers anything else at once.
struct CheckHangs;

impl Backend for CheckHangs {
    async fn perform(&mut self, effect: Effect) -> Result<Performed, ErrorView> {
        if matches!(effect.request, Request::VerifyKey { .. }) {
            std::future::pending::<()>().await;
        }
        Ok(Performed {
            snapshot: ui_support::snapshot(),
            notice: String::new(),
            new_secret: None,
        })
    }
}

/// Ctrl-C while the new key's check runs ends the wizard at once: the check
/// is left (the next run checks again), not waited for.
#[tokio::test]
async fn ctrl_c_during_the_new_keys_check_does_not_wait_for_it() {
    let mut app = on_rotation("ops-zhangsan");
    let user = app
        .snapshot
        .users
        .iter_mut()
        .find(|u| u.user_name == "ops-zhangsan");
    user.unwrap().rotation.as_mut().unwrap().new_key = Some(ramkey::ui::view::NewKeyView {
        key_id: "LTAI5tZhangNew000000003".to_owned(),
        check: ramkey::ui::view::NewKeyCheck::NotChecked,
        secret_held: true,
    });
    let (keys, events) = mpsc::unbounded();
    keys.unbounded_send(Ok(Event::Key(event(
        KeyCode::Char('v'),
        KeyEventKind::Press,
    ))))
    .unwrap();
    let ctrl_c = crossterm::event::KeyEvent {
        modifiers: crossterm::event::KeyModifiers::CONTROL,
        ..event(KeyCode::Char('c'), KeyEventKind::Press)
    };
    keys.unbounded_send(Ok(Event::Key(ctrl_c))).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let running = run(
        &mut terminal,
        ui_support::one_by_one(events),
        stream::pending(),
        &mut app,
        CheckHangs,
    );
    // A bound for a hang, not a speed requirement.
    let exit = tokio::time::timeout(std::time::Duration::from_secs(30), running)
        .await
        .expect("the loop waited for the check")
        .unwrap();
    assert_eq!(exit, Exit::Interrupted);
    drop(keys);
}
