//! Terminal correctness on the test backend: a pasted line break never submits any
//! text field (BC-16 test 2), only presses type, the minimum-size message (and the keys
//! held while it shows), and `NO_COLOR`.

mod ui_support;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures::stream;
use ramkey::ui::App;
use ramkey::ui::app::{Exit, Msg, OpenDialog, Screen};
use ramkey::ui::flow::{self, Dialog};
use ramkey::ui::keys::Context;
use ramkey::ui::text_input::TextInput;
use ramkey::ui::too_small;
use ramkey::ui::view::{Effect, ErrorView, Performed, Request, StepKind};
use ramkey::ui::{Backend, run};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ui_support::{app, draw, event, tap, type_text};

/// The secret of BC-01 vector 1.
const SECRET: &str = "testsecret";

fn with_dialog(user: &str, dialog: Dialog) -> App {
    let mut app = app();
    let index = app
        .snapshot
        .users
        .iter()
        .position(|u| u.user_name == user)
        .unwrap();
    for _ in 0..index {
        tap(&mut app, &[KeyCode::Down]);
    }
    tap(&mut app, &[KeyCode::Enter]);
    app.dialog = Some(OpenDialog {
        user: user.to_owned(),
        dialog,
    });
    app
}

fn on_step(user: &str, kind: &StepKind) -> App {
    let snapshot = ui_support::snapshot();
    let dialog = flow::open_step(snapshot.user(user).unwrap(), kind, &snapshot).unwrap();
    with_dialog(user, dialog)
}

/// The masked field `v` opens when ramkey no longer holds the new secret.
fn paste_secret_field() -> App {
    let field = TextInput::new(
        "Verify the new key",
        vec![],
        "Secret",
        "",
        Box::new(|_: &str| Ok(())),
    )
    .masked();
    with_dialog("ops-zhangsan", Dialog::PasteSecret(field))
}

/// Every kind of text field the wizard has, each freshly opened, by name.
fn text_fields() -> Vec<(&'static str, App)> {
    let disable = StepKind::DisableKey {
        key_id: "LTAI5tZhangBusy00000001".to_owned(),
    };
    let name = StepKind::ChooseName {
        suggested: "ops-zhangsan-v2".to_owned(),
    };
    let what_broke = TextInput::new("What broke", vec![], "What broke", "", Box::new(|_| Ok(())));
    let mut filter = app();
    tap(&mut filter, &[KeyCode::Char('/')]);
    vec![
        ("typed confirmation", on_step("ops-zhangsan", &disable)),
        ("new user name", on_step("ops-zhangsan", &name)),
        (
            "what broke",
            with_dialog(
                "ops-zhangsan",
                Dialog::WhatBroke(what_broke, "LTAI5tZhangBusy00000001".to_owned()),
            ),
        ),
        ("secret", paste_secret_field()),
        ("filter", filter),
    ]
}

#[test]
fn a_pasted_line_break_never_submits_any_text_field() {
    for (name, mut app) in text_fields() {
        let context = app.context();
        assert!(context.takes_text(), "{name}: {context:?}");
        for pasted in [
            "ops-zhangsan\r\n",
            "\r",
            "\n",
            "x\r\ny\r\n",
            " ops-zhangsan \n",
        ] {
            let effect = app.update(Msg::Paste(pasted.to_owned()));
            assert_eq!(effect, None, "{name}: {pasted:?} submitted");
            assert_eq!(
                app.context(),
                context,
                "{name}: {pasted:?} closed the field"
            );
            assert!(!app.is_pending(), "{name}: {pasted:?}");
        }
    }
}

#[test]
fn a_pasted_secret_loses_its_line_break_and_spaces_and_stays_masked() {
    for pasted in ["testsecret\r\n", " testsecret ", "\ttestsecret\n"] {
        let mut app = paste_secret_field();
        assert_eq!(
            app.update(Msg::Paste(pasted.to_owned())),
            None,
            "{pasted:?}"
        );
        for (width, height) in [(80, 24), (160, 40)] {
            let drawn = draw(&app, width, height);
            assert!(!drawn.contains(SECRET), "{pasted:?} shown:\n{drawn}");
        }
        // Enter asks "Check the new key with this secret?"; only `y` checks it.
        let effects = tap(&mut app, &[KeyCode::Enter, KeyCode::Char('y')]);
        let [
            Effect {
                request:
                    Request::VerifyKey {
                        secret: Some(secret),
                    },
                ..
            },
        ] = effects.as_slice()
        else {
            panic!("{pasted:?}: {effects:?}")
        };
        assert_eq!(secret.expose(), SECRET, "{pasted:?}");
    }
}

#[test]
fn only_presses_type_into_a_field_and_a_held_enter_never_submits() {
    for (name, mut app) in text_fields() {
        let context = app.context();
        let typed_before = draw(&app, 80, 24);
        for kind in [KeyEventKind::Release, KeyEventKind::Repeat] {
            for code in [KeyCode::Char('z'), KeyCode::Enter] {
                assert_eq!(app.update(Msg::Key(event(code, kind))), None, "{name}");
            }
        }
        assert_eq!(app.context(), context, "{name}");
        assert_eq!(draw(&app, 80, 24), typed_before, "{name}: a release typed");
    }
}

#[test]
fn a_typed_confirmation_takes_no_answer_from_a_pasted_burst_but_a_real_enter() {
    let disable = StepKind::DisableKey {
        key_id: "LTAI5tZhangBusy00000001".to_owned(),
    };
    let mut app = on_step("ops-zhangsan", &disable);
    assert_eq!(
        app.update(Msg::Paste("ops-zhangsan\r\ny\r\n".to_owned())),
        None
    );
    assert_eq!(app.context(), Context::TypedConfirm);
    // The burst landed as text: the name does not match until it is fixed.
    assert_eq!(tap(&mut app, &[KeyCode::Enter]), vec![]);
    assert_eq!(app.context(), Context::TypedConfirm);
}

#[test]
fn below_the_minimum_size_only_a_message_shows() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    let small = draw(&app, 20, 8);
    assert!(small.contains("Terminal too small"), "{small}");
    assert!(!small.contains("ops-zhan"), "{small}");
    insta::assert_snapshot!("too_small_20x8", small);
    insta::assert_snapshot!("too_small_29x30", draw(&app, 29, 30));
    insta::assert_snapshot!("too_small_100x11", draw(&app, 100, 11));

    let (width, height) = (too_small::MIN_WIDTH, too_small::MIN_HEIGHT);
    let fits = draw(&app, width, height);
    assert!(!fits.contains("Terminal too small"), "{fits}");
    assert!(fits.contains("ops-zhan"), "{fits}");
}

#[test]
fn the_message_survives_any_tiny_size() {
    let app = app();
    for width in 1..=too_small::MIN_WIDTH {
        for height in 1..=too_small::MIN_HEIGHT {
            draw(&app, width, height);
        }
    }
}

/// Performs nothing: the tests of held keys must not reach it.
struct Unreached;

impl Backend for Unreached {
    async fn perform(&mut self, effect: Effect) -> Result<Performed, ErrorView> {
        panic!("a held key reached the engine: {effect:?}")
    }
}

fn pressed(code: KeyCode, modifiers: KeyModifiers) -> Event {
    Event::Key(KeyEvent {
        modifiers,
        ..event(code, KeyEventKind::Press)
    })
}

/// Runs the loop on a `width`×`height` test terminal over `events`, then the
/// events end (which ends the wizard as a closed terminal would).
async fn run_at(
    app: &mut App,
    width: u16,
    height: u16,
    events: Vec<std::io::Result<Event>>,
) -> Exit {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    run(
        &mut terminal,
        ui_support::one_by_one(stream::iter(events)),
        stream::pending(),
        app,
        Unreached,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn keys_are_held_while_the_terminal_is_too_small() {
    let mut app = app();
    let keys = [KeyCode::Down, KeyCode::Enter, KeyCode::Char('q')]
        .map(|code| Ok(pressed(code, KeyModifiers::NONE)));
    let exit = run_at(&mut app, 20, 8, keys.into()).await;

    // q did not quit: the events ran out instead.
    assert_eq!(exit, Exit::Terminated);
    assert_eq!((app.list_cursor, &app.screen), (0, &Screen::Findings));
    assert!(app.dialog.is_none());
}

#[tokio::test]
async fn ctrl_c_leaves_while_the_terminal_is_too_small() {
    let mut app = app();
    let keys = vec![Ok(pressed(KeyCode::Char('c'), KeyModifiers::CONTROL))];
    assert_eq!(run_at(&mut app, 20, 8, keys).await, Exit::Interrupted);
}

#[tokio::test]
async fn the_same_keys_act_at_the_minimum_size() {
    let mut app = app();
    let keys = vec![Ok(pressed(KeyCode::Char('q'), KeyModifiers::NONE))];
    let (width, height) = (too_small::MIN_WIDTH, too_small::MIN_HEIGHT);
    assert_eq!(run_at(&mut app, width, height, keys).await, Exit::Quit);
}

/// Whether any cell of `app` drawn at `width`×`height` has a colour.
fn coloured(app: &App, width: u16, height: u16) -> bool {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| ramkey::ui::render::render(app, frame))
        .unwrap();
    terminal
        .backend()
        .buffer()
        .content
        .iter()
        .any(|cell| cell.fg != Color::Reset || cell.bg != Color::Reset)
}

/// Screens and dialogs that draw in colour: the findings with the read-only banner,
/// a rotation, the typed confirmation, an error.
fn colourful_states() -> Vec<App> {
    let mut banner = app();
    banner.header.read_only = Some("another ramkey holds the lock".to_owned());
    let mut rotation = app();
    tap(&mut rotation, &[KeyCode::Down, KeyCode::Enter]);
    let disable = StepKind::DisableKey {
        key_id: "LTAI5tZhangBusy00000001".to_owned(),
    };
    let mut failed = on_step("ops-zhangsan", &disable);
    type_text(&mut failed, "ops-zhangsan");
    tap(&mut failed, &[KeyCode::Enter]);
    failed.update(Msg::Performed(Err(ErrorView {
        doing: "Disabling key".to_owned(),
        code: Some("EntityNotExist.User.AccessKey".to_owned()),
        message: "The AccessKey does not exist.".to_owned(),
        request_id: Some("REQ-1".to_owned()),
        hint: None,
        offer: None,
        drift: None,
    })));
    vec![banner, rotation, on_step("ops-zhangsan", &disable), failed]
}

#[test]
fn no_color_draws_no_colour_anywhere() {
    for mut app in colourful_states() {
        let context = app.context();
        assert!(
            coloured(&app, 80, 24),
            "{context:?}: the control draws colour"
        );
        app.no_color = true;
        for (width, height) in [(80, 24), (160, 40)] {
            assert!(
                !coloured(&app, width, height),
                "{context:?} at {width}x{height}"
            );
        }
    }
}

#[test]
fn no_color_keeps_the_text() {
    for mut app in colourful_states() {
        let plain = draw(&app, 80, 24);
        app.no_color = true;
        assert_eq!(draw(&app, 80, 24), plain);
    }
}
