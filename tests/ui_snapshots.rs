//! Snapshots of every screen and dialog at 80x24 and 120x32.
//!
//! Reviewed by eye when accepted; a change to any screen shows up here.

mod ui_support;

use crossterm::event::KeyCode;
use ramkey::cloud::credentials::{CredentialKind, CredentialReport};
use ramkey::rotation::EngineError;
use ramkey::secret::Secret;
use ramkey::ui::App;
use ramkey::ui::app::{Msg, OpenDialog};
use ramkey::ui::view::{ErrorView, Performed, ShownSecret, Snapshot, StepKind};
use ramkey::ui::{engine_bridge, flow};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use ui_support::{app, draw, tap, type_text};

/// Snapshots `app` at both sizes.
fn both(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), draw(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x32"), draw(app, 120, 32));
}

/// Opens the dialog of `kind` for `user` directly.
fn with_step_dialog(user: &str, kind: &StepKind) -> App {
    let mut app = app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    let snapshot = app.snapshot.clone();
    let view = snapshot.user(user).expect("fixture user");
    let dialog = flow::open_step(view, kind, &snapshot).expect("step opens a dialog");
    app.dialog = Some(OpenDialog {
        user: user.to_owned(),
        dialog,
    });
    app
}

#[test]
fn findings_list() {
    both("findings", &app());
}

#[test]
fn findings_list_empty() {
    let app = App::new(ui_support::header(), Snapshot::default());
    both("findings_empty", &app);
}

#[test]
fn findings_list_in_the_demo() {
    let mut header = ui_support::header();
    header.demo = true;
    header.state_file = "/tmp/ramkey-demo-x1y2/state.json".to_owned();
    header.identity = ui_support::permanent_key_identity(true);
    both("findings_demo", &App::new(header, ui_support::snapshot()));
}

#[test]
fn findings_list_signed_in_with_a_permanent_key() {
    let mut header = ui_support::header();
    header.identity = ui_support::permanent_key_identity(false);
    let app = App::new(header, ui_support::snapshot());
    both("findings_permanent_key", &app);

    // Highlighted, not just present.
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| ramkey::ui::render::render(&app, frame))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let row = (0..24)
        .find(|&y| buffer[(0, y)].symbol() == "W")
        .expect("a warning row");
    assert_eq!(buffer[(0, row)].fg, Color::Yellow);
    assert!(buffer[(0, row)].modifier.contains(Modifier::BOLD));
}

#[test]
fn rotation_not_started() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Enter]);
    both("rotation_not_started", &app);
}

#[test]
fn rotation_in_progress() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    both("rotation_move_in_progress", &app);
}

#[test]
fn rotation_selected_done_step() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter, KeyCode::Up]);
    both("rotation_done_step_selected", &app);
}

#[test]
fn rotation_waiting_for_deletion() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Down, KeyCode::Enter]);
    both("rotation_waiting_for_deletion", &app);
}

#[test]
fn rotation_waiting_refuses_to_delete_early() {
    let mut app = app();
    tap(
        &mut app,
        &[KeyCode::Down, KeyCode::Down, KeyCode::Enter, KeyCode::Enter],
    );
    both("rotation_waiting_enter", &app);
}

#[test]
fn start_choice() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Enter, KeyCode::Enter]);
    both("dialog_start_choice", &app);
}

#[test]
fn question_create_user() {
    let kind = StepKind::CreateUser {
        new_user: "ops-zhangsan-v2".to_owned(),
    };
    both("dialog_question", &with_step_dialog("ops-zhangsan", &kind));
}

#[test]
fn typed_confirmation_states() {
    let kind = StepKind::DisableKey {
        key_id: "LTAI5tZhangBusy00000001".to_owned(),
    };
    let mut app = with_step_dialog("ops-zhangsan", &kind);
    both("dialog_typed_confirm_empty", &app);
    type_text(&mut app, "ops-zhang");
    both("dialog_typed_confirm_mismatch", &app);
    type_text(&mut app, "san");
    both("dialog_typed_confirm_match", &app);
}

#[test]
fn text_input_states() {
    let kind = StepKind::ChooseName {
        suggested: "ops-zhangsan-v2".to_owned(),
    };
    let mut app = with_step_dialog("ops-zhangsan", &kind);
    both("dialog_name_default", &app);
    type_text(&mut app, " x");
    tap(&mut app, &[KeyCode::Enter]);
    both("dialog_name_error", &app);
}

#[test]
fn copy_checklist() {
    let mut app = app();
    tap(
        &mut app,
        &[KeyCode::Down, KeyCode::Enter, KeyCode::Enter, KeyCode::Down],
    );
    tap(&mut app, &[KeyCode::Char(' ')]);
    both("dialog_copy_checklist", &app);
}

#[test]
fn detach_checklist() {
    let kind = StepKind::DetachPolicies {
        policies: ui_support::policies(),
    };
    both(
        "dialog_detach_checklist",
        &with_step_dialog("ops-zhangsan", &kind),
    );
}

#[test]
fn secret_dialog() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    app.update(Msg::Performed(Ok(Performed {
        snapshot: ui_support::snapshot(),
        notice: "Created key LTAI5tNewKey000000000003 (RequestId 7A2B…)".to_owned(),
        new_secret: Some(ShownSecret {
            user: "ops-zhangsan-v2".to_owned(),
            access_key_id: "LTAI5tNewKey000000000003".to_owned(),
            secret: Secret::new("dEm0sEcReTdEm0sEcReTdEm0sEcReT"),
        }),
    })));
    both("dialog_secret", &app);
}

#[test]
fn error_dialog() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    app.update(Msg::Performed(Err(ErrorView {
        doing: "Creating user ops-zhangsan-v2".to_owned(),
        code: Some("EntityAlreadyExists.User".to_owned()),
        message: "The user already exists.".to_owned(),
        request_id: Some("04F0F334-1335-436C-A1D7-6C044FE73368".to_owned()),
        hint: Some("choose another name for the new user".to_owned()),
        offer: None,
        drift: None,
    })));
    both("dialog_error", &app);
}

#[test]
fn error_dialog_for_an_sts_token_ramkey_cannot_renew() {
    let report = CredentialReport {
        kind: CredentialKind::StsToken,
        source: "profile `sts` from ~/.aliyun/config.json".to_owned(),
        access_key_id: Some("STS.NUgYrLnoTJbQ6XexW9Zx28".to_owned()),
        expires_at: None,
    };
    let state = "/home/admin/.local/state/ramkey/1234567890123456.json";
    let mut app = app();
    tap(&mut app, &[KeyCode::Enter]);
    app.update(Msg::Performed(Err(ErrorView {
        doing: "Disabling key LTAI5tAliceIdle000000001 of alice: not done.".to_owned(),
        code: Some("InvalidSecurityToken.Expired".to_owned()),
        message: "Specified SecurityToken is expired.".to_owned(),
        request_id: Some("0B1C2D3E-4F50-4617-8293-A4B5C6D7E8F9".to_owned()),
        hint: Some(engine_bridge::expired_token_hint(&report, state)),
        offer: None,
        drift: None,
    })));
    both("dialog_error_token_expired", &app);
}

#[test]
fn the_offer_to_replace_a_key_whose_secret_was_lost() {
    let lost = EngineError::SecretLost {
        user: "ops-zhangsan-v2".to_owned(),
        key_ids: vec!["LTAI5tLostKey00000000001".to_owned()],
    };
    let mut app = app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    let doing = "Creating the new AccessKey";
    app.update(Msg::Performed(Err(engine_bridge::error_view(doing, &lost))));
    both("dialog_lost_key_offer", &app);

    tap(&mut app, &[KeyCode::Char('y')]);
    both("dialog_lost_key_confirm", &app);
}

#[test]
fn help_overlay() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Char('?')]);
    both("help_findings", &app);
}

#[test]
fn help_overlay_on_a_dialog() {
    let mut app = app();
    tap(
        &mut app,
        &[
            KeyCode::Down,
            KeyCode::Enter,
            KeyCode::Enter,
            KeyCode::Char('?'),
        ],
    );
    both("help_checklist", &app);
}

#[test]
fn working_line_and_quit_while_busy() {
    let mut app = app();
    tap(
        &mut app,
        &[
            KeyCode::Down,
            KeyCode::Enter,
            KeyCode::Enter,
            KeyCode::Enter,
        ],
    );
    tap(&mut app, &[KeyCode::Esc, KeyCode::Char('q')]);
    assert!(app.is_pending());
    both("quit_while_busy", &app);
}

/// A read in flight (here alice's policies, read as her screen opens)
/// does not hold up `q`: quitting during a read half-writes nothing.
#[test]
fn quitting_during_a_read_does_not_ask() {
    let mut app = app();
    app.snapshot.users[0].grants = None;
    tap(&mut app, &[KeyCode::Enter]);
    assert!(
        app.is_pending(),
        "the read of alice's policies is in flight"
    );
    tap(&mut app, &[KeyCode::Esc, KeyCode::Char('q')]);
    assert_eq!(app.exit, Some(ramkey::ui::Exit::Quit));
    assert!(app.dialog.is_none(), "{:?}", app.dialog);
}
