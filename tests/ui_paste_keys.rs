//! BC-16 without bracketed paste: a paste typed by the terminal arrives as a
//! burst of key presses, its line break as Enter. Keys that came together
//! reach the wizard as `Msg::PastedKey`: they type into a field, but never
//! submit, confirm or answer. The secret field needs an explicit `y` on the
//! next screen, and a blank typed into it is refused before its first use.
//! The last tests drive the event loop, which decides what came together
//! from what its stream has ready at once (no clock involved).

mod ui_support;

use std::io;
use std::sync::{Arc, Mutex};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures::stream;
use ramkey::ui::App;
use ramkey::ui::app::{Exit, Msg, OpenDialog, Screen};
use ramkey::ui::flow::{self, Dialog};
use ramkey::ui::paste_secret;
use ramkey::ui::view::{Effect, ErrorView, Performed, Request, StepKind};
use ramkey::ui::{Backend, run};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ui_support::{app, draw, event, tap, type_text};

const USER: &str = "ops-zhangsan";
const NEW_KEY: &str = "LTAI5tZhangNew000000003";
const SECRET: &str = "wJalrXUtnFEMI0K7MDENGbPxRfiCY";

/// The wizard on `USER`'s rotation screen with `dialog` open.
fn with_dialog(dialog: Dialog) -> App {
    let mut app = app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    assert!(matches!(app.screen, Screen::Rotation { ref user, .. } if user == USER));
    app.dialog = Some(OpenDialog {
        user: USER.to_owned(),
        dialog,
    });
    app
}

fn on_step(kind: &StepKind) -> App {
    let snapshot = ui_support::snapshot();
    let dialog = flow::open_step(snapshot.user(USER).unwrap(), kind, &snapshot).unwrap();
    with_dialog(dialog)
}

fn secret_field() -> App {
    with_dialog(Dialog::PasteSecret(paste_secret::field(NEW_KEY)))
}

/// The key events a terminal without bracketed paste types for `text`
/// (`\r` is Enter).
fn key_codes(text: &str) -> Vec<KeyCode> {
    text.chars()
        .map(|c| match c {
            '\r' => KeyCode::Enter,
            c => KeyCode::Char(c),
        })
        .collect()
}

/// Feeds `text` as the loop hands over a burst: every press and release a
/// `PastedKey`. Returns the effects.
fn paste_keys(app: &mut App, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for code in key_codes(text) {
        for kind in [KeyEventKind::Press, KeyEventKind::Release] {
            effects.extend(app.update(Msg::PastedKey(event(code, kind))));
        }
    }
    effects
}

fn dialog(app: &App) -> &Dialog {
    &app.dialog.as_ref().expect("a dialog is open").dialog
}

fn secret_length(app: &App) -> usize {
    match dialog(app) {
        Dialog::PasteSecret(field) => field.value.chars().count(),
        other => panic!("not the secret field: {other:?}"),
    }
}

fn both(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), draw(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_160x40"), draw(app, 160, 40));
}

#[test]
fn a_pasted_secret_with_its_line_breaks_fills_the_field_and_submits_nothing() {
    let mut app = secret_field();
    let effects = paste_keys(&mut app, &format!("{SECRET}\r\r"));

    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(
        secret_length(&app),
        SECRET.len(),
        "typed, line breaks dropped"
    );
    let notice = app.notice.clone().unwrap_or_default();
    assert!(notice.contains("does not submit"), "{notice}");
    let screen = draw(&app, 160, 40);
    assert!(!screen.contains(SECRET), "the field stays masked: {screen}");
    assert!(screen.contains("(29 characters)"), "{screen}");
}

#[test]
fn the_secret_is_checked_only_on_a_typed_y_after_a_typed_enter() {
    let mut app = secret_field();
    paste_keys(&mut app, SECRET);

    // A typed Enter opens the question; Enter does not answer it.
    assert!(tap(&mut app, &[KeyCode::Enter]).is_empty());
    assert!(
        matches!(dialog(&app), Dialog::Ask(..)),
        "{:?}",
        dialog(&app)
    );
    assert!(tap(&mut app, &[KeyCode::Enter, KeyCode::Enter]).is_empty());
    // A `y` that came with a paste answers nothing either.
    assert!(paste_keys(&mut app, "y").is_empty());
    assert!(matches!(dialog(&app), Dialog::Ask(..)));
    assert!(!format!("{:?}", app.dialog).contains(SECRET));

    let effects = tap(&mut app, &[KeyCode::Char('y')]);
    let [effect] = &effects[..] else {
        panic!("{effects:?}")
    };
    let Request::VerifyKey {
        secret: Some(secret),
    } = &effect.request
    else {
        panic!("{effect:?}")
    };
    assert_eq!(secret.expose(), SECRET);
    assert_eq!(effect.user, USER);
}

#[test]
fn n_or_esc_on_the_question_checks_nothing() {
    for code in [KeyCode::Char('n'), KeyCode::Esc] {
        let mut app = secret_field();
        app.update(Msg::Paste(SECRET.to_owned()));
        tap(&mut app, &[KeyCode::Enter]);
        assert!(tap(&mut app, &[code]).is_empty());
        assert!(app.dialog.is_none(), "{code:?} closes it");
    }
}

#[test]
fn a_blank_typed_around_the_secret_is_flagged_before_it_is_used() {
    let mut app = secret_field();
    type_text(&mut app, " ");
    app.update(Msg::Paste(SECRET.to_owned()));
    assert!(tap(&mut app, &[KeyCode::Enter]).is_empty());

    let Dialog::PasteSecret(field) = dialog(&app) else {
        panic!("the field stays open: {:?}", dialog(&app))
    };
    let error = field.error.as_ref().expect("flagged").to_string();
    assert!(error.contains("starts or ends with a blank"), "{error}");
    both("verify_paste_blank", &app);

    // Trailing blanks too; erasing one lets the value through.
    let mut app = secret_field();
    app.update(Msg::Paste(SECRET.to_owned()));
    type_text(&mut app, " ");
    tap(&mut app, &[KeyCode::Enter]);
    assert!(matches!(dialog(&app), Dialog::PasteSecret(_)));
    tap(&mut app, &[KeyCode::Backspace, KeyCode::Enter]);
    assert!(matches!(dialog(&app), Dialog::Ask(..)));
}

#[test]
fn the_question_before_the_check_is_drawn_without_the_secret() {
    let mut app = secret_field();
    app.update(Msg::Paste(SECRET.to_owned()));
    tap(&mut app, &[KeyCode::Enter]);
    let screen = draw(&app, 80, 24);
    assert!(
        screen.contains("Check the new key with this secret (29"),
        "{screen}"
    );
    assert!(!screen.contains(SECRET), "{screen}");
    both("verify_paste_question", &app);
}

#[test]
fn a_pasted_name_with_its_line_break_does_not_confirm_a_disable() {
    let mut app = on_step(&StepKind::DisableKey {
        key_id: "LTAI5tZhangBusy00000001".to_owned(),
    });
    assert!(paste_keys(&mut app, &format!("{USER}\r")).is_empty());
    let Dialog::Confirm(confirm, _) = dialog(&app) else {
        panic!("{:?}", dialog(&app))
    };
    assert!(confirm.matches(), "the name was typed: {}", confirm.typed);

    // The admin's own Enter confirms.
    let effects = tap(&mut app, &[KeyCode::Enter]);
    assert!(
        matches!(&effects[..], [Effect { request: Request::DisableKey { typed_user, .. }, .. }]
            if typed_user == USER),
        "{effects:?}"
    );
}

#[test]
fn a_pasted_line_break_submits_no_text_field() {
    let name = StepKind::ChooseName {
        suggested: "ops-zhangsan-v2".to_owned(),
    };
    let delete = StepKind::DeleteKey {
        key_id: "LTAI5tZhangBusy00000001".to_owned(),
        due: ui_support::at("2025-01-01T00:00:00Z"),
        wait_days: 7,
    };
    for kind in [name, delete] {
        let mut app = on_step(&kind);
        let text = match kind {
            StepKind::DeleteKey { .. } => format!("{USER}\r"),
            _ => "x\r\r".to_owned(),
        };
        assert!(paste_keys(&mut app, &text).is_empty(), "{kind:?}");
        assert!(app.dialog.is_some(), "{kind:?}: still open");
    }
}

#[test]
fn pasted_keys_answer_no_question_and_leave_nothing() {
    let mut asked = on_step(&StepKind::CreateUser {
        new_user: "ops-zhangsan-v2".to_owned(),
    });
    assert!(paste_keys(&mut asked, "yes\r").is_empty());
    assert!(matches!(dialog(&asked), Dialog::Ask(..)));

    let mut app = app();
    paste_keys(&mut app, "q");
    assert_eq!(app.exit, None, "a pasted q does not quit");
    paste_keys(&mut app, "j");
    assert_eq!(app.list_cursor, 1, "movement still moves");
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    app.update(Msg::PastedKey(ctrl_c));
    assert_eq!(app.exit, Some(Exit::Interrupted), "Ctrl-C always leaves");
}

// --- through the event loop ---

/// Records each effect and fails it (the tests only count them).
#[derive(Clone, Default)]
struct Recorded {
    effects: Arc<Mutex<Vec<Effect>>>,
}

impl Backend for Recorded {
    async fn perform(&mut self, effect: Effect) -> Result<Performed, ErrorView> {
        self.effects.lock().unwrap().push(effect);
        Err(ErrorView {
            doing: "Verifying the new key".to_owned(),
            code: None,
            message: "not performed in this test".to_owned(),
            request_id: None,
            hint: None,
            offer: None,
            drift: None,
        })
    }
}

fn presses_and_releases(codes: &[KeyCode]) -> Vec<io::Result<Event>> {
    codes
        .iter()
        .flat_map(|&code| {
            [KeyEventKind::Press, KeyEventKind::Release]
                .map(|kind| Ok(Event::Key(event(code, kind))))
        })
        .collect()
}

/// Runs the loop over `events` until they end; returns the effects.
async fn run_loop<S>(app: &mut App, events: S) -> Vec<Effect>
where
    S: futures::Stream<Item = io::Result<Event>> + Unpin,
{
    let backend = Recorded::default();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let exit = run(
        &mut terminal,
        events,
        stream::pending(),
        app,
        backend.clone(),
    )
    .await
    .unwrap();
    assert_eq!(exit, Exit::Terminated, "the events ended");
    backend.effects.lock().unwrap().clone()
}

#[tokio::test]
async fn keys_ready_together_are_a_paste_and_check_nothing() {
    // `secret`, Enter, `y`: all there at once, as a paste brings them.
    let mut codes = key_codes(&format!("{SECRET}\r"));
    codes.push(KeyCode::Char('y'));
    let mut app = secret_field();
    let effects = run_loop(&mut app, stream::iter(presses_and_releases(&codes))).await;

    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(secret_length(&app), SECRET.len() + 1, "the y was typed");
}

#[tokio::test]
async fn the_same_keys_typed_one_by_one_open_the_question_and_y_checks() {
    let mut codes = key_codes(&format!("{SECRET}\r"));
    codes.push(KeyCode::Char('y'));
    let mut app = secret_field();
    let events = ui_support::one_by_one(stream::iter(presses_and_releases(&codes)));
    let effects = run_loop(&mut app, events).await;

    assert!(
        matches!(
            &effects[..],
            [Effect {
                request: Request::VerifyKey { secret: Some(_) },
                ..
            }]
        ),
        "{effects:?}"
    );
}

#[tokio::test]
async fn a_press_and_its_release_ready_together_act_once_bc16_test_1() {
    // Windows reports both, often in one read: not a paste, and the release
    // does nothing.
    let mut app = app();
    let events = presses_and_releases(&[KeyCode::Down, KeyCode::Enter]);
    let effects = run_loop(&mut app, stream::iter(events)).await;

    assert_eq!(app.list_cursor, 1);
    assert!(matches!(app.screen, Screen::Rotation { ref user, .. } if user == USER));
    assert!(
        effects.iter().all(|e| e.request == Request::CheckDrift),
        "{effects:?}"
    );
}
