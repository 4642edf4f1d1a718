//! State-transition tests: build the wizard's state, feed key sequences,
//! check where it ends up and which engine calls it asks for.

mod ui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ramkey::secret::Secret;
use ramkey::ui::App;
use ramkey::ui::app::{Exit, Msg, OpenDialog, Screen};
use ramkey::ui::flow::{self, Dialog};
use ramkey::ui::help::Help;
use ramkey::ui::keys::{self, Context};
use ramkey::ui::view::{Effect, PathKind, Performed, Request, ShownSecret, StepKind};
use ui_support::{app, draw, event, release, repeat, tap, type_text};

fn on_step(user: &str, kind: &StepKind) -> App {
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
    let snapshot = app.snapshot.clone();
    let dialog = flow::open_step(snapshot.user(user).unwrap(), kind, &snapshot).unwrap();
    app.dialog = Some(OpenDialog {
        user: user.to_owned(),
        dialog,
    });
    app
}

fn disable_dialog() -> App {
    on_step(
        "ops-zhangsan",
        &StepKind::DisableKey {
            key_id: "LTAI5tZhangBusy00000001".to_owned(),
        },
    )
}

#[test]
fn a_press_and_release_pair_moves_one_row() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Down]);
    assert_eq!(app.list_cursor, 1);
    tap(&mut app, &[KeyCode::Char('j')]);
    assert_eq!(app.list_cursor, 2);
    tap(&mut app, &[KeyCode::Char('k'), KeyCode::Up]);
    assert_eq!(app.list_cursor, 0);
}

#[test]
fn releases_alone_do_nothing() {
    let mut app = app();
    for code in [KeyCode::Down, KeyCode::Enter, KeyCode::Char('q')] {
        assert_eq!(app.update(release(code)), None);
    }
    assert_eq!(app.list_cursor, 0);
    assert_eq!(app.screen, Screen::Findings);
    assert_eq!(app.exit, None);
}

#[test]
fn held_keys_repeat_movement_but_never_act() {
    let mut app = app();
    app.update(repeat(KeyCode::Down));
    app.update(repeat(KeyCode::Down));
    assert_eq!(app.list_cursor, 2);
    app.update(repeat(KeyCode::Enter));
    assert_eq!(app.screen, Screen::Findings);
}

#[test]
fn bc16_events_move_once_and_only_the_first_dialog_reacts() {
    // [Press(Down), Release(Down), Press(Enter), Release(Enter)] on the list.
    let mut app = app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    assert_eq!(app.list_cursor, 1);
    assert!(matches!(app.screen, Screen::Rotation { ref user, .. } if user == "ops-zhangsan"));
    assert!(
        app.dialog.is_none(),
        "the one Enter opened the screen, not a dialog"
    );

    // A two-step flow: the detach checklist, then the typed confirmation.
    let policies = ui_support::policies();
    let mut app = on_step("ops-zhangsan", &StepKind::DetachPolicies { policies });
    tap(&mut app, &[KeyCode::Char(' ')]);
    let effects = tap(&mut app, &[KeyCode::Enter]);
    assert!(effects.is_empty());
    let open = app.dialog.as_ref().expect("the confirmation follows");
    assert_eq!(open.dialog.context(), Context::TypedConfirm);
    let Dialog::Confirm(confirm, _) = &open.dialog else {
        unreachable!()
    };
    assert_eq!(confirm.typed, "", "the release of Enter reached nothing");
}

#[test]
fn typed_confirmation_refuses_a_wrong_name() {
    let mut app = disable_dialog();
    type_text(&mut app, "ops-zhangsam");
    assert_eq!(tap(&mut app, &[KeyCode::Enter]), vec![]);
    assert!(app.dialog.is_some(), "still open");

    tap(&mut app, &[KeyCode::Backspace]);
    type_text(&mut app, "n");
    let effects = tap(&mut app, &[KeyCode::Enter]);
    assert_eq!(
        effects,
        vec![Effect {
            user: "ops-zhangsan".to_owned(),
            request: Request::DisableKey {
                key_id: "LTAI5tZhangBusy00000001".to_owned(),
                typed_user: "ops-zhangsan".to_owned(),
            },
        }]
    );
    assert!(app.dialog.is_none());
    assert!(app.is_pending());
}

#[test]
fn letters_that_are_keys_elsewhere_are_typed_in_a_text_field() {
    let mut app = disable_dialog();
    type_text(&mut app, "qjk?");
    assert_eq!(app.exit, None);
    assert!(app.help.is_none());
    let Dialog::Confirm(confirm, _) = &app.dialog.as_ref().unwrap().dialog else {
        panic!("confirmation closed")
    };
    assert_eq!(confirm.typed, "qjk?");
}

#[test]
fn a_pasted_newline_never_submits() {
    let mut app = disable_dialog();
    assert_eq!(app.update(Msg::Paste("ops-zhangsan\r\n".to_owned())), None);
    assert!(app.dialog.is_some());
    assert!(!app.is_pending());
    // The paste was cleaned, so the name matches; only a real Enter confirms.
    assert_eq!(tap(&mut app, &[KeyCode::Enter]).len(), 1);
}

#[test]
fn a_pasted_name_with_stray_whitespace_is_cleaned() {
    let suggested = "ops-zhangsan-v2".to_owned();
    let mut app = on_step("ops-zhangsan", &StepKind::ChooseName { suggested });
    for _ in 0.."ops-zhangsan-v2".len() {
        tap(&mut app, &[KeyCode::Backspace]);
    }
    assert_eq!(app.update(Msg::Paste(" ops-payments\n".to_owned())), None);
    let effects = tap(&mut app, &[KeyCode::Enter]);
    assert_eq!(
        effects[0].request,
        Request::ChooseName {
            new_user: "ops-payments".to_owned()
        }
    );
}

#[test]
fn paste_outside_a_text_field_is_ignored() {
    let mut app = app();
    assert_eq!(app.update(Msg::Paste("\r\nq\r\n".to_owned())), None);
    assert_eq!(app.screen, Screen::Findings);
    assert_eq!(app.exit, None);
}

#[test]
fn an_invalid_name_stays_in_the_field_with_its_error() {
    let suggested = "ops-zhangsan-v2".to_owned();
    let mut app = on_step("ops-zhangsan", &StepKind::ChooseName { suggested });
    type_text(&mut app, "!");
    assert_eq!(tap(&mut app, &[KeyCode::Enter]), vec![]);
    let Dialog::Name(field) = &app.dialog.as_ref().unwrap().dialog else {
        panic!("name dialog closed")
    };
    assert!(field.error.is_some());
}

#[test]
fn help_lists_exactly_the_table_keys_of_each_context() {
    for context in Context::ALL {
        let listed: Vec<(String, &str)> = Help::new(context)
            .sections()
            .into_iter()
            .flat_map(|(_, entries)| entries)
            .collect();
        // The help's own keys once, also in the help about the help.
        let own = if context == Context::Help {
            None
        } else {
            Some(Context::Help)
        };
        // A key with the same meaning (Ctrl-C "quit now") is listed once.
        let mut expected: Vec<(String, &str)> = Vec::new();
        for entry in keys::bindings_for(context)
            .chain(own.into_iter().flat_map(keys::bindings_for))
            .map(|b| (keys::keys_label(b.keys), b.help))
        {
            if !expected.contains(&entry) {
                expected.push(entry);
            }
        }
        assert_eq!(listed, expected, "{context:?}");
        let ctrl_c = listed.iter().filter(|(keys, _)| keys == "Ctrl-C").count();
        assert_eq!(ctrl_c, 1, "{context:?}: Ctrl-C listed once");
    }
}

#[test]
fn the_drawn_help_shows_every_hint_of_the_screen() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Char('?')]);
    let drawn = draw(&app, 80, 24);
    for binding in keys::bindings_for(Context::Findings) {
        assert!(drawn.contains(binding.hint), "{:?} missing", binding.hint);
    }
    tap(&mut app, &[KeyCode::Esc]);
    assert!(app.help.is_none());
}

#[test]
fn q_quits_at_once_when_nothing_is_pending() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Char('q')]);
    assert_eq!(app.exit, Some(Exit::Quit));
}

#[test]
fn q_asks_first_while_a_call_is_in_flight() {
    let mut app = disable_dialog();
    type_text(&mut app, "ops-zhangsan");
    tap(
        &mut app,
        &[KeyCode::Enter, KeyCode::Esc, KeyCode::Char('q')],
    );
    assert_eq!(app.exit, None);
    tap(&mut app, &[KeyCode::Char('n')]);
    assert_eq!(app.exit, None);
    tap(&mut app, &[KeyCode::Char('q'), KeyCode::Char('y')]);
    assert_eq!(app.exit, Some(Exit::Quit));
}

#[test]
fn q_does_nothing_on_the_rotation_screen() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Enter, KeyCode::Char('q')]);
    assert_eq!(app.exit, None);
    tap(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.screen, Screen::Findings);
}

/// A step the engine will not run now (ramkey signs with the key it would
/// disable) says why in the step's own panel, where the text wraps: the
/// status line alone cuts the reason and its remedy off on a narrow screen.
#[test]
fn a_blocked_step_says_why_instead_of_offering_enter() {
    let mut app = app();
    let why = "ramkey signs with LTAI5tZhangBusy00000001";
    let user = app
        .snapshot
        .users
        .iter_mut()
        .find(|u| u.user_name == "ops-zhangsan")
        .unwrap();
    user.rotation.as_mut().unwrap().blocked = Some(why.to_owned());
    let index = app
        .snapshot
        .users
        .iter()
        .position(|u| u.user_name == "ops-zhangsan")
        .unwrap();
    for _ in 0..index {
        tap(&mut app, &[KeyCode::Down]);
    }
    tap(&mut app, &[KeyCode::Enter]);

    let screen = draw(&app, 80, 24);
    assert!(screen.contains(&format!("Not now: {why}.")), "{screen}");
    assert!(!screen.contains("Enter: choose what to copy"), "{screen}");
}

/// The status line says what happened to the user just left; on another
/// user's screen it would read as news about that user.
#[test]
fn opening_a_user_clears_the_last_users_notice() {
    let mut app = app();
    app.notice = Some("Disabled LTAI5tBobIdle00000000001 of bob".to_owned());
    tap(&mut app, &[KeyCode::Enter]);
    assert!(matches!(app.screen, Screen::Rotation { .. }));
    assert_eq!(app.notice, None);
}

#[test]
fn ctrl_c_leaves_from_a_dialog() {
    let mut app = disable_dialog();
    let ctrl_c = KeyEvent {
        modifiers: KeyModifiers::CONTROL,
        ..event(KeyCode::Char('c'), KeyEventKind::Press)
    };
    app.update(Msg::Key(ctrl_c));
    assert_eq!(app.exit, Some(Exit::Interrupted));
}

#[test]
fn starting_offers_the_idle_key_first_and_sends_the_choice() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Enter, KeyCode::Enter]);
    let effects = tap(&mut app, &[KeyCode::Enter]);
    assert_eq!(
        effects[0].request,
        Request::Start {
            path: PathKind::DisableIdle,
            key_id: "LTAI5tAliceIdle000000001".to_owned(),
        }
    );
}

#[test]
fn a_second_step_cannot_start_while_one_is_in_flight() {
    let mut app = disable_dialog();
    type_text(&mut app, "ops-zhangsan");
    assert_eq!(tap(&mut app, &[KeyCode::Enter]).len(), 1);
    assert_eq!(tap(&mut app, &[KeyCode::Enter]), vec![]);
    assert!(app.dialog.is_none());
    assert!(app.notice.as_deref().unwrap().contains("in flight"));
}

#[test]
fn the_secret_dialog_closes_only_on_y_and_records_it() {
    let mut app = on_step(
        "ops-zhangsan",
        &StepKind::CreateAccessKey {
            new_user: "ops-zhangsan-v2".to_owned(),
        },
    );
    assert_eq!(tap(&mut app, &[KeyCode::Char('y')]).len(), 1);
    app.update(Msg::Performed(Ok(Performed {
        snapshot: ui_support::snapshot(),
        notice: String::new(),
        new_secret: Some(ShownSecret {
            user: "ops-zhangsan-v2".to_owned(),
            access_key_id: "LTAI5tNewKey000000000003".to_owned(),
            secret: Secret::new("dEm0sEcReT"),
        }),
    })));
    assert!(
        !draw(&app, 80, 24).contains("dEm0sEcReT"),
        "hidden at first"
    );

    let effects = tap(
        &mut app,
        &[
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Char('q'),
            KeyCode::Char('y'),
        ],
    );
    assert!(effects.is_empty(), "y before the secret was shown");
    assert_eq!(app.exit, None);
    assert_eq!(app.context(), Context::Secret);
    tap(&mut app, &[KeyCode::Char('s')]);
    assert!(draw(&app, 80, 24).contains("dEm0sEcReT"), "s shows it");

    let effects = tap(&mut app, &[KeyCode::Char('y')]);
    assert_eq!(effects[0].request, Request::ConfirmSecretStored);
    assert_eq!(
        effects[0].user, "ops-zhangsan",
        "for the flagged user, not the new one"
    );
    assert!(app.dialog.is_none());
    assert!(
        !draw(&app, 80, 24).contains("dEm0sEcReT"),
        "the secret is gone"
    );
}

#[test]
fn an_error_shows_in_a_dialog_and_closes_with_enter() {
    let mut app = disable_dialog();
    type_text(&mut app, "ops-zhangsan");
    tap(&mut app, &[KeyCode::Enter]);
    app.update(Msg::Performed(Err(ramkey::ui::view::ErrorView {
        doing: "Disabling key".to_owned(),
        code: Some("EntityNotExist.User.AccessKey".to_owned()),
        message: "The AccessKey does not exist.".to_owned(),
        request_id: Some("REQ-1".to_owned()),
        hint: None,
        offer: None,
        drift: None,
    })));
    assert!(!app.is_pending());
    assert_eq!(app.context(), Context::Error);
    assert!(draw(&app, 80, 24).contains("EntityNotExist.User.AccessKey"));
    tap(&mut app, &[KeyCode::Enter]);
    assert!(app.dialog.is_none());
}

#[test]
fn waiting_for_deletion_refuses_before_the_date() {
    let mut app = app();
    tap(
        &mut app,
        &[KeyCode::Down, KeyCode::Down, KeyCode::Enter, KeyCode::Enter],
    );
    assert!(app.dialog.is_none());
    assert!(
        app.notice
            .as_deref()
            .unwrap()
            .contains("Waiting for deletion")
    );
}

#[test]
fn press_table_entries_all_reach_a_command() {
    // Every binding dispatches in its own context: the table is the dispatcher.
    for binding in keys::TABLE {
        for key in binding.keys {
            let event = match key {
                keys::Key::Plain(code) => event(*code, KeyEventKind::Press),
                keys::Key::Ctrl(c) => KeyEvent {
                    modifiers: KeyModifiers::CONTROL,
                    ..event(KeyCode::Char(*c), KeyEventKind::Press)
                },
            };
            assert_eq!(keys::lookup(binding.context, &event), Some(binding.command));
        }
    }
}

#[test]
fn the_original_users_own_name_is_refused_inline() {
    let suggested = "ops-zhangsan-v2".to_owned();
    let mut app = on_step("ops-zhangsan", &StepKind::ChooseName { suggested });
    for _ in 0.."-v2".len() {
        tap(&mut app, &[KeyCode::Backspace]);
    }
    assert_eq!(tap(&mut app, &[KeyCode::Enter]), vec![]);
    let Dialog::Name(field) = &app.dialog.as_ref().unwrap().dialog else {
        panic!("name dialog closed")
    };
    assert!(
        field
            .error
            .as_ref()
            .unwrap()
            .0
            .contains("a name of its own")
    );
}
