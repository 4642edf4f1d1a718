//! The safety modes in the wizard, fed key sequences and drawn on test
//! terminals (80x24 and 160x40): the dry run's header, banner and "nothing
//! sent" notice; `--read-only`'s refusals, footer and help; the exact calls
//! the current step will make.

mod ui_support;

use crossterm::event::KeyCode;
use ramkey::rotation::{EngineError, PlannedCall};
use ramkey::ui::App;
use ramkey::ui::app::Msg;
use ramkey::ui::engine_bridge;
use ramkey::ui::flow::Dialog;
use ramkey::ui::view::Request;
use ui_support::{at, draw, tap, type_text};

const BOB_KEY: &str = "LTAI5tBobIdle00000000001";
const DELETE_BOB: &str = "DeleteAccessKey UserName=bob UserAccessKeyId=LTAI5tBobIdle00000000001";

fn both(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), draw(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_160x40"), draw(app, 160, 40));
}

/// The fixture, bob's deletion due, his step's exact call known.
fn app_with(dry_run: bool, read_only: Option<&str>) -> App {
    let mut header = ui_support::header();
    header.dry_run = dry_run;
    header.read_only = read_only.map(str::to_owned);
    let mut snapshot = ui_support::snapshot();
    snapshot.taken_at = at("2025-09-01T00:00:00Z");
    for user in snapshot.users.iter_mut().filter(|u| u.user_name == "bob") {
        user.rotation.as_mut().unwrap().next_calls = vec![DELETE_BOB.to_owned()];
    }
    App::new(header, snapshot)
}

/// Opens bob's rotation (third row); its look finds nothing.
fn open_bob(app: &mut App) {
    tap(app, &[KeyCode::Down, KeyCode::Down, KeyCode::Enter]);
}

fn dry_run_refusal() -> Msg {
    let calls = vec![PlannedCall {
        action: "DeleteAccessKey",
        params: vec![
            ("UserName", "bob".to_owned()),
            ("UserAccessKeyId", BOB_KEY.to_owned()),
        ],
    }];
    let error = EngineError::DryRun { calls };
    let view = engine_bridge::error_view("Re-checking and deleting key LTAI5tBobIdle…", &error);
    Msg::Performed(Err(view))
}

#[test]
fn the_dry_run_says_so_in_the_header_and_a_banner_on_every_screen() {
    let mut app = app_with(true, None);
    let findings = draw(&app, 80, 24);
    assert!(findings.starts_with("\"DRY RUN · ramkey"), "{findings}");
    assert!(findings.contains("none is sent"), "{findings}");
    both("dry_run_findings", &app);

    open_bob(&mut app);
    let rotation = draw(&app, 80, 24);
    assert!(rotation.contains("DRY RUN"), "{rotation}");
    both("dry_run_rotation", &app);
}

#[test]
fn a_step_stopped_by_the_dry_run_shows_its_exact_calls_and_stays() {
    let mut app = app_with(true, None);
    open_bob(&mut app);
    let before = app.snapshot.clone();

    // The step is confirmed as ever: the engine's gate, not the UI, stops it.
    assert!(tap(&mut app, &[KeyCode::Enter]).is_empty());
    type_text(&mut app, "bob");
    let effects = tap(&mut app, &[KeyCode::Enter]);
    assert!(
        matches!(effects[..], [ref effect] if matches!(effect.request, Request::DeleteKey { .. })),
        "{effects:?}"
    );

    app.update(dry_run_refusal());
    let Some(open) = &app.dialog else {
        panic!("no dialog after the dry run's refusal");
    };
    let Dialog::Notice(notice) = &open.dialog else {
        panic!("not the dry run's notice: {:?}", open.dialog);
    };
    assert_eq!(notice.title, "DRY RUN: nothing sent");
    assert!(notice.paragraphs.iter().any(|p| p.text == DELETE_BOB));
    both("dry_run_not_sent", &app);

    tap(&mut app, &[KeyCode::Enter]);
    assert!(app.dialog.is_none(), "Enter closes the notice");
    assert!(!app.is_pending());
    assert_eq!(
        app.snapshot, before,
        "nothing recorded: the step is where it was"
    );
}

#[test]
fn read_only_refuses_the_keys_that_start_writes_and_says_so_in_footer_and_help() {
    let why = "started with --read-only (for auditors): ramkey only reads";
    let mut app = app_with(false, Some(why));
    open_bob(&mut app);

    for key in [
        KeyCode::Enter,
        KeyCode::Char('r'),
        KeyCode::Char('a'),
        KeyCode::Char('v'),
    ] {
        assert_eq!(tap(&mut app, &[key]), vec![], "{key:?} started a call");
        assert!(app.dialog.is_none(), "{key:?} opened a dialog");
        let notice = app.notice.clone().unwrap_or_default();
        assert_eq!(
            notice,
            format!("Refused, nothing was changed: {why}."),
            "{key:?}"
        );
    }
    let drawn = draw(&app, 80, 24);
    assert!(drawn.contains("READ-ONLY · ↑/k up"), "{drawn}");
    both("read_only_flag_refused", &app);

    tap(&mut app, &[KeyCode::Char('?')]);
    let help = draw(&app, 80, 24);
    assert!(
        help.contains("Read-only: keys that would write are refused."),
        "{help}"
    );
    both("read_only_flag_help", &app);
}

#[test]
fn the_current_step_shows_the_exact_call_it_will_make() {
    let mut app = app_with(false, None);
    open_bob(&mut app);
    let drawn = draw(&app, 160, 40);
    assert!(drawn.contains(&format!("API: {DELETE_BOB}")), "{drawn}");
    assert!(
        !drawn.contains("GetAccessKeyLastUsed, then DeleteAccessKey"),
        "the exact call replaces the summary line:\n{drawn}"
    );
    both("exact_calls_rotation", &app);
}

const ALICE_BUSY: &str = "LTAI5tAliceBusy000000002";

/// Alice's start choice, the cursor moved to its last line (the override).
fn at_the_override_option() -> App {
    let mut app = app_with(false, None);
    tap(&mut app, &[KeyCode::Enter, KeyCode::Enter]);
    assert!(
        matches!(
            app.dialog.as_ref().map(|o| &o.dialog),
            Some(Dialog::Start(..))
        ),
        "{:?}",
        app.dialog
    );
    tap(&mut app, &[KeyCode::Down, KeyCode::Down, KeyCode::Down]);
    app
}

#[test]
fn a_key_in_use_is_offered_for_disabling_last_and_only_through_the_typed_override() {
    let app = at_the_override_option();
    let drawn = draw(&app, 160, 40);
    assert!(
        drawn.contains(&format!(
            "› Disable {ALICE_BUSY} anyway (in use): typed override"
        )),
        "{drawn}"
    );
    both("override_offered", &app);
}

#[test]
fn a_reflex_enter_or_the_key_id_alone_never_passes_the_override() {
    let mut app = at_the_override_option();
    assert!(tap(&mut app, &[KeyCode::Enter]).is_empty());
    assert!(
        matches!(
            app.dialog.as_ref().map(|o| &o.dialog),
            Some(Dialog::Override(..))
        ),
        "{:?}",
        app.dialog
    );
    both("override_field", &app);

    // Enter on the empty field, then on the key id alone: refused, still open.
    assert!(tap(&mut app, &[KeyCode::Enter, KeyCode::Enter]).is_empty());
    type_text(&mut app, ALICE_BUSY);
    assert!(tap(&mut app, &[KeyCode::Enter]).is_empty());
    assert!(matches!(
        app.dialog.as_ref().map(|o| &o.dialog),
        Some(Dialog::Override(..))
    ));
    assert!(draw(&app, 160, 40).contains("at least 4 words"));
    both("override_refused", &app);

    type_text(&mut app, " is unused: its job was retired");
    let effects = tap(&mut app, &[KeyCode::Enter]);
    let expected = Request::StartOverride {
        key_id: ALICE_BUSY.to_owned(),
        statement: format!("{ALICE_BUSY} is unused: its job was retired"),
    };
    assert_eq!(
        effects.iter().map(|e| &e.request).collect::<Vec<_>>(),
        [&expected]
    );
    assert_eq!(effects[0].user, "alice");
}

#[test]
fn unknown_says_why_it_is_unknown() {
    let mut key = ui_support::alice().keys[1].clone();
    key.verdict = ramkey::ui::view::Verdict::Unknown;
    key.last_used = None;
    let said = ramkey::ui::override_dialog::why_not_idle(&key);
    assert!(said.contains("no last-use date"), "{said}");
    assert!(said.contains("too new to judge"), "{said}");
    assert!(said.contains("none of these shows it is unused"), "{said}");
}
