//! The wizard's side of crash-safe rotations (issue 4): what an earlier run
//! left in flight and how it was settled, changes made outside ramkey, the
//! rollback of a disabled key, a read-only state file, the waiting period
//! and the key ramkey signs with. Snapshots at 80x24 and 120x32, and key
//! sequences fed to the pure state machine.

mod ui_support;

use crossterm::event::KeyCode;
use ramkey::ui::App;
use ramkey::ui::app::{Msg, Screen};
use ramkey::ui::flow::Dialog;
use ramkey::ui::keys::{self, Command, Context};
use ramkey::ui::view::{
    DriftView, Effect, ErrorView, Performed, Request, Settled, StepKind, StepStatus, UserView,
};
use ui_support::{at, draw, nothing_changed, press, release, tap, type_text};

/// Snapshots `app` at both sizes.
fn both(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), draw(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x32"), draw(app, 120, 32));
}

const BOB: usize = 2;
const ZHANGSAN: usize = 1;
const BOB_KEY: &str = "LTAI5tBobIdle00000000001";

/// The engine's answer to a look that found `drift` for `user`.
fn found(app: &App, user: &str, drift: Vec<DriftView>) -> Msg {
    let mut snapshot = app.snapshot.clone();
    let view = snapshot.users.iter_mut().find(|u| u.user_name == user);
    view.expect("fixture user").drift = Some(drift);
    Msg::Performed(Ok(Performed {
        snapshot,
        notice: "changes made outside ramkey: see above the steps.".to_owned(),
        new_secret: None,
    }))
}

fn re_enabled_in_console() -> DriftView {
    DriftView {
        what: format!("{BOB_KEY} of bob is Active again (re-enabled outside ramkey)"),
        advice: "find out who re-enabled it and why; ramkey will not delete an Active key"
            .to_owned(),
    }
}

fn third_party_key() -> DriftView {
    DriftView {
        what: "bob holds a key ramkey has no record of: LTAI5tSomeoneElse0000009".to_owned(),
        advice: "ask who created it; ramkey leaves it alone".to_owned(),
    }
}

/// Opens the list row `index` and returns the effect the opening asked for.
fn open(app: &mut App, index: usize) -> Option<Effect> {
    for _ in 0..index {
        tap(app, &[KeyCode::Down]);
    }
    let effect = app.update(press(KeyCode::Enter));
    assert_eq!(app.update(release(KeyCode::Enter)), None);
    effect
}

/// Opens `index` and answers its look with `drift`.
fn opened_with(index: usize, drift: Vec<DriftView>) -> App {
    let mut app = ui_support::app();
    let effect = open(&mut app, index).expect("a rotation in progress is looked at");
    let msg = found(&app, &effect.user, drift);
    assert_eq!(app.update(msg), None);
    app
}

fn user_mut<'a>(app: &'a mut App, user: &str) -> &'a mut UserView {
    app.snapshot
        .users
        .iter_mut()
        .find(|u| u.user_name == user)
        .expect("fixture user")
}

fn read_only_app() -> App {
    let mut header = ui_support::header();
    header.read_only = Some(
        "the state file has schema version 3, newer than this ramkey understands (2)".to_owned(),
    );
    App::new(header, ui_support::snapshot())
}

fn settled() -> Vec<Settled> {
    vec![
        Settled::Done {
            user: "ops-zhangsan".to_owned(),
            summary: "ramkey was interrupted during CreateAccessKey for ops-zhangsan-v2; it \
                      looked: the key LTAI5tLostKey00000000001 exists but its secret was lost, \
                      so the step stays at \"Create the new AccessKey\" and offers to replace it."
                .to_owned(),
        },
        Settled::Failed {
            user: "bob".to_owned(),
            error: "reading the keys of bob: cannot reach https://ram.aliyuncs.com (connect \
                    timeout)"
                .to_owned(),
        },
    ]
}

// ---- 1. What an earlier run left in flight, settled on start ----

#[test]
fn what_was_settled_shows_first_and_enter_goes_on() {
    let mut app = ui_support::app();
    app.show_settled(&settled());
    assert_eq!(app.context(), Context::Notice);
    both("settled_on_start", &app);

    let drawn = draw(&app, 80, 24);
    assert!(
        drawn.contains("interrupted during CreateAccessKey"),
        "{drawn}"
    );
    assert!(drawn.contains("stays blocked"), "{drawn}");

    // Keys of the list under it do nothing; Enter closes, and nothing was asked of the engine.
    assert_eq!(tap(&mut app, &[KeyCode::Down, KeyCode::Char('q')]), vec![]);
    assert_eq!(app.exit, None);
    assert_eq!(app.list_cursor, 0);
    assert_eq!(tap(&mut app, &[KeyCode::Enter]), vec![]);
    assert!(app.dialog.is_none());
    assert_eq!(app.context(), Context::Findings);
}

#[test]
fn nothing_settled_opens_nothing() {
    let mut app = ui_support::app();
    app.show_settled(&[]);
    assert!(app.dialog.is_none());
}

#[test]
fn a_failed_settle_blocks_the_step_with_the_plain_error() {
    let mut app = ui_support::app();
    let why = "ramkey could not check the write an earlier run left in flight (reading the \
               keys of bob: connect timeout); it checks again when you reopen this screen (Esc, \
               then Enter)";
    let rotation = user_mut(&mut app, "bob").rotation.as_mut().unwrap();
    rotation.blocked = Some(why.to_owned());
    rotation.pending = Some(format!("UpdateAccessKey key {BOB_KEY} of bob (Inactive)"));
    // Due, so only the block keeps Enter from deleting.
    app.snapshot.taken_at = at("2025-09-01T00:00:00Z");
    let effect = open(&mut app, BOB).expect("looked at");
    nothing_changed(&mut app, &effect.user);

    assert_eq!(tap(&mut app, &[KeyCode::Enter]), vec![]);
    assert!(app.dialog.is_none(), "no dialog may lead to the delete");
    assert!(
        app.notice
            .as_deref()
            .unwrap_or_default()
            .starts_with("Not now: ramkey could not")
    );
    both("rotation_unsettled", &app);
}

// ---- 2. Changes made outside ramkey, and a write still in flight ----

#[test]
fn opening_a_rotation_looks_for_changes_and_a_new_one_does_not() {
    let mut app = ui_support::app();
    assert_eq!(open(&mut app, 0), None, "alice has no rotation to compare");
    tap(&mut app, &[KeyCode::Esc]);

    let effect = open(&mut app, BOB);
    assert_eq!(
        effect,
        Some(Effect {
            user: "bob".to_owned(),
            request: Request::CheckDrift,
        })
    );
    assert!(app.is_pending());
}

#[test]
fn each_change_shows_with_its_advice_above_the_steps() {
    let mut app = opened_with(BOB, vec![re_enabled_in_console(), third_party_key()]);
    let rotation = user_mut(&mut app, "bob").rotation.as_mut().unwrap();
    rotation.pending = Some(format!("UpdateAccessKey key {BOB_KEY} of bob (Inactive)"));
    both("rotation_drift_and_pending", &app);

    let drawn = draw(&app, 80, 24);
    assert!(
        drawn.contains("Changed outside ramkey: check first"),
        "{drawn}"
    );
    assert!(
        drawn.contains("• LTAI5tBobIdle00000000001 of bob is Active again"),
        "{drawn}"
    );
    // What Enter and r do stays visible although the explanation is cut.
    assert!(
        drawn.contains("Waiting for deletion: come back on or after"),
        "{drawn}"
    );
    assert!(drawn.contains("r re-enables the old key"), "{drawn}");
    assert!(
        drawn.contains("ramkey will not delete an Active key"),
        "{drawn}"
    );
    assert!(
        drawn.contains("will be checked before the next step"),
        "{drawn}"
    );
}

#[test]
fn a_change_on_a_long_rotation_keeps_the_current_step_readable_at_80x24() {
    let drift = DriftView {
        what: "policy deploy-bucket-write (Custom) copied to ops-zhangsan-v2 was detached"
            .to_owned(),
        advice: "attach it again, or go on without it if the application does not need it"
            .to_owned(),
    };
    let app = opened_with(ZHANGSAN, vec![drift]);
    both("rotation_drift_move", &app);
    let drawn = draw(&app, 80, 24);
    assert!(drawn.contains("was detached"), "{drawn}");
    assert!(drawn.contains("Enter: choose what to copy"), "{drawn}");
}

#[test]
fn enter_while_looking_waits_for_the_look_then_opens_the_step() {
    let mut app = ui_support::app();
    let effect = open(&mut app, ZHANGSAN).expect("looked at");
    assert_eq!(tap(&mut app, &[KeyCode::Enter]), vec![]);
    assert!(
        app.dialog.is_none(),
        "nothing opens before the look is back"
    );

    let msg = found(&app, &effect.user, Vec::new());
    assert_eq!(app.update(msg), None);
    let open = app.dialog.as_ref().expect("the step's dialog opened");
    assert_eq!(open.dialog.context(), Context::Checklist);
}

#[test]
fn enter_while_looking_does_not_act_when_the_look_found_changes() {
    let mut app = ui_support::app();
    let effect = open(&mut app, ZHANGSAN).expect("looked at");
    tap(&mut app, &[KeyCode::Enter]);
    let msg = found(&app, &effect.user, vec![third_party_key()]);
    app.update(msg);
    assert!(app.dialog.is_none(), "the admin reads the change first");
    assert!(
        app.notice
            .as_deref()
            .unwrap_or_default()
            .contains("read the panel")
    );

    tap(&mut app, &[KeyCode::Enter]);
    assert!(
        app.dialog.is_some(),
        "a second Enter, after reading, opens the step"
    );
}

#[test]
fn a_failed_look_shows_the_error() {
    let mut app = ui_support::app();
    open(&mut app, BOB).expect("looked at");
    app.update(Msg::Performed(Err(ErrorView {
        doing: "Looking for changes made outside ramkey to bob: not done.".to_owned(),
        code: Some("Throttling.User".to_owned()),
        message: "Request was denied due to user flow control.".to_owned(),
        request_id: Some("REQ-T".to_owned()),
        hint: None,
        offer: None,
        drift: None,
    })));
    assert_eq!(app.context(), Context::Error);
}

// ---- 3. Rollback: the application broke, re-enable the old key ----

#[test]
fn r_is_in_the_key_table_the_footer_and_the_help() {
    let rollback = keys::bindings_for(Context::Rotation)
        .find(|b| b.command == Command::Rollback)
        .expect("bound on the rotation screen");
    assert!(
        rollback
            .help
            .contains("application broke: re-enable the old key")
    );
    // The footer offers it only while the old key waits for deletion.
    assert!(!keys::footer_hints(Context::Rotation).contains(&("r".to_owned(), rollback.hint)));
    let mut app = opened_with(BOB, Vec::new());
    assert!(app.offers_rollback(), "bob's old key waits for deletion");
    let footer = draw(&app, 120, 32);
    assert!(footer.contains("· r roll back"), "{footer}");
    let mut alice = ui_support::app();
    tap(&mut alice, &[KeyCode::Enter]);
    assert!(!alice.offers_rollback(), "nothing of alice's is disabled");
    assert!(!draw(&alice, 120, 32).contains("roll back"));

    tap(&mut app, &[KeyCode::Char('?')]);
    both("help_rotation", &app);
    assert!(draw(&app, 80, 24).contains("application broke: re-enable the old key"));
}

#[test]
fn rollback_asks_what_broke_then_the_name_then_re_enables() {
    let mut app = opened_with(BOB, Vec::new());
    tap(&mut app, &[KeyCode::Char('r')]);
    assert_eq!(app.context(), Context::TextInput);
    both("rollback_what_broke", &app);

    type_text(&mut app, "billing export gets 403");
    assert_eq!(tap(&mut app, &[KeyCode::Enter]), vec![]);
    assert_eq!(app.context(), Context::TypedConfirm);
    both("rollback_confirm", &app);

    type_text(&mut app, "bov");
    assert_eq!(
        tap(&mut app, &[KeyCode::Enter]),
        vec![],
        "a wrong name is refused"
    );
    tap(&mut app, &[KeyCode::Backspace]);
    type_text(&mut app, "b");
    let effects = tap(&mut app, &[KeyCode::Enter]);
    assert_eq!(
        effects,
        vec![Effect {
            user: "bob".to_owned(),
            request: Request::ReEnableKey {
                key_id: BOB_KEY.to_owned(),
                reason: Some("billing export gets 403".to_owned()),
                typed_user: "bob".to_owned(),
            },
        }]
    );
    assert!(app.is_pending());
}

#[test]
fn what_broke_may_be_left_empty_and_esc_cancels() {
    let mut app = opened_with(BOB, Vec::new());
    tap(&mut app, &[KeyCode::Char('r'), KeyCode::Enter]);
    type_text(&mut app, "bob");
    let effects = tap(&mut app, &[KeyCode::Enter]);
    let [
        Effect {
            request: Request::ReEnableKey { reason, .. },
            ..
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(*reason, None);

    let mut app = opened_with(BOB, Vec::new());
    tap(&mut app, &[KeyCode::Char('r'), KeyCode::Esc]);
    assert!(app.dialog.is_none());
    assert!(!app.is_pending());
}

#[test]
fn rollback_is_only_offered_while_the_key_waits_for_deletion() {
    let mut app = opened_with(ZHANGSAN, Vec::new());
    assert_eq!(tap(&mut app, &[KeyCode::Char('r')]), vec![]);
    assert!(app.dialog.is_none());
    assert!(
        app.notice
            .as_deref()
            .unwrap_or_default()
            .contains("only while the old key waits for deletion")
    );
}

#[test]
fn the_outcome_of_a_rollback_shows_and_the_screen_counts_rollbacks() {
    let mut app = opened_with(BOB, Vec::new());
    tap(&mut app, &[KeyCode::Char('r'), KeyCode::Enter]);
    type_text(&mut app, "bob");
    tap(&mut app, &[KeyCode::Enter]);

    // The engine re-enabled the key; the rotation is back before the disable.
    let mut snapshot = app.snapshot.clone();
    let bob = snapshot
        .users
        .iter_mut()
        .find(|u| u.user_name == "bob")
        .unwrap();
    let rotation = bob.rotation.as_mut().unwrap();
    rotation.rollbacks = 1;
    for step in &mut rotation.steps[1..] {
        step.status = StepStatus::Pending;
    }
    bob.drift = Some(Vec::new());
    app.update(Msg::Performed(Ok(Performed {
        snapshot,
        notice: format!(
            "Re-enabled {BOB_KEY} of bob (RequestId 5E6F7A8B-0000-4000-8000-000000000009); \
             rollback recorded: billing export gets 403"
        ),
        new_secret: None,
    })));
    assert_eq!(app.context(), Context::Notice);
    both("rollback_done", &app);

    tap(&mut app, &[KeyCode::Enter]);
    assert!(matches!(app.screen, Screen::Rotation { cursor: 1, .. }));
    both("rotation_rolled_back", &app);
    assert!(draw(&app, 80, 24).contains("Rolled back once"));
}

// ---- 4. A state file of a newer schema: read-only ----

#[test]
fn read_only_shows_a_banner_on_every_screen() {
    let mut app = read_only_app();
    both("read_only_findings", &app);
    let effect = open(&mut app, BOB);
    assert_eq!(
        effect.map(|e| e.request),
        Some(Request::CheckDrift),
        "looking writes nothing, so it still runs"
    );
    nothing_changed(&mut app, "bob");
    both("read_only_rotation", &app);
}

#[test]
fn read_only_refuses_every_write_before_any_dialog() {
    let mut app = read_only_app();
    app.snapshot.taken_at = at("2025-09-01T00:00:00Z"); // bob's deletion is due
    open(&mut app, BOB);
    nothing_changed(&mut app, "bob");

    for key in [KeyCode::Enter, KeyCode::Char('r')] {
        assert_eq!(tap(&mut app, &[key]), vec![]);
        assert!(app.dialog.is_none(), "{key:?} opened a dialog");
        let notice = app.notice.clone().unwrap_or_default();
        assert!(notice.contains("nothing was changed"), "{notice}");
        assert!(notice.contains("newer than this ramkey"), "{notice}");
    }
    both("read_only_refused", &app);

    // Alice's rotation would start with a write too.
    tap(
        &mut app,
        &[KeyCode::Esc, KeyCode::Up, KeyCode::Up, KeyCode::Enter],
    );
    assert_eq!(tap(&mut app, &[KeyCode::Enter]), vec![]);
    assert!(app.dialog.is_none());
}

#[test]
fn read_only_refuses_a_write_even_from_a_dialog_left_open() {
    // A dialog opened before the file became read-only (or by any other
    // path) still cannot start a write.
    let mut app = opened_with(BOB, Vec::new());
    tap(&mut app, &[KeyCode::Char('r'), KeyCode::Enter]);
    app.header.read_only = Some("the state file is of a newer schema".to_owned());
    type_text(&mut app, "bob");
    assert_eq!(tap(&mut app, &[KeyCode::Enter]), vec![]);
    assert!(!app.is_pending());
}

// ---- 5. The waiting period and ramkey's own key ----

#[test]
fn the_waiting_step_says_when_what_is_rechecked_the_recycle_bin_and_cloud_config() {
    let app = opened_with(BOB, Vec::new());
    let drawn = draw(&app, 80, 24);
    for said in [
        "Deletion date: 2025-08-18 (90 days after the disable).",
        "refuses to delete it if it was used after it was disabled",
        "recycle bin for 30 days",
        "Cloud Config's disabled-key rule flags the key",
    ] {
        assert!(drawn.contains(said), "{said:?} missing:\n{drawn}");
    }
}

#[test]
fn the_wait_comes_from_the_rotation() {
    let mut app = opened_with(BOB, Vec::new());
    let rotation = user_mut(&mut app, "bob").rotation.as_mut().unwrap();
    rotation.wait_days = 30;
    for step in &mut rotation.steps {
        if let StepKind::DeleteKey { due, wait_days, .. } = &mut step.kind {
            *due = at("2025-06-19T10:02:00Z");
            *wait_days = 30;
        }
    }
    let drawn = draw(&app, 120, 32);
    assert!(
        drawn.contains("Deletion date: 2025-06-19 (30 days after the disable)."),
        "{drawn}"
    );
}

fn alice_signing() -> App {
    let mut app = ui_support::app();
    let alice = user_mut(&mut app, "alice");
    alice.keys[0].used_by_ramkey = true;
    // The bridge marks the row too.
    alice.marks.push(ramkey::ui::view::RowMark::OwnKey {
        access_key_id: "LTAI5tAliceIdle000000001".to_owned(),
    });
    app
}

#[test]
fn the_key_ramkey_is_using_is_marked_in_the_user_and_the_start_choice() {
    let mut app = alice_signing();
    assert_eq!(open(&mut app, 0), None);
    both("own_key_not_started", &app);
    assert!(draw(&app, 80, 24).contains("the key ramkey is using"));

    tap(&mut app, &[KeyCode::Enter]);
    let Some(open) = &app.dialog else {
        panic!("start choice")
    };
    let Dialog::Start(choice, _) = &open.dialog else {
        panic!("start choice")
    };
    assert!(
        choice.labels[0].contains("(the key ramkey is using)"),
        "{:?}",
        choice.labels
    );
    // BC-11: a move of that key is warned of now, not at its disable.
    let body = choice.body.join(" ");
    assert!(
        body.contains("restart ramkey with another credential before then"),
        "{body}"
    );
    // Drawn whole, at 80x24 too: the box grows with its wrapped text.
    for (width, height) in [(80, 24), (120, 32)] {
        let drawn = draw(&app, width, height).replace(['│', '\n'], " ");
        let words = drawn.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words.contains("otherwise the disable is refused."),
            "{width}x{height}: {drawn}"
        );
    }
    both("own_key_start_choice", &app);
    assert!(
        choice
            .labels
            .iter()
            .any(|label| label.starts_with("Move") && label.contains("the key ramkey is using")),
        "{:?}",
        choice.labels
    );
}

#[test]
fn disabling_the_key_ramkey_is_using_is_refused_with_the_engines_message() {
    let mut app = alice_signing();
    let engine_says = "ramkey is signing its own calls with LTAI5tAliceIdle000000001; restart \
                       ramkey with another credential (preferably STS) to disable it";
    let mut with_rotation = ui_support::bob().rotation.unwrap();
    for step in &mut with_rotation.steps[1..] {
        step.status = StepStatus::Pending;
    }
    for step in &mut with_rotation.steps {
        match &mut step.kind {
            StepKind::Review { key_id }
            | StepKind::DisableKey { key_id }
            | StepKind::ScheduleDeletion { key_id, .. }
            | StepKind::DeleteKey { key_id, .. } => "LTAI5tAliceIdle000000001".clone_into(key_id),
            _ => {}
        }
    }
    with_rotation.blocked = Some(engine_says.to_owned());
    user_mut(&mut app, "alice").rotation = Some(with_rotation);

    let effect = open(&mut app, 0).expect("looked at");
    nothing_changed(&mut app, &effect.user);
    assert_eq!(tap(&mut app, &[KeyCode::Enter]), vec![]);
    assert!(app.dialog.is_none(), "no confirmation is offered");
    both("own_key_disable_refused", &app);
    let drawn = draw(&app, 80, 24);
    assert!(drawn.contains("the key ramkey is using"), "{drawn}");
    assert!(
        drawn.contains("restart ramkey with another credential"),
        "{drawn}"
    );
}

#[test]
fn the_key_ramkey_is_using_is_marked_in_the_findings_list() {
    let app = alice_signing();
    both("own_key_findings", &app);
    let drawn = draw(&app, 80, 24);
    let row = drawn
        .lines()
        .find(|line| line.contains("LTAI5tAliceIdle000000001"))
        .expect("the key's row");
    assert!(row.contains("idle") && row.contains("2024-11-02"), "{row}");
    // The row's marks name the key, whole at 80 columns.
    assert!(
        drawn.contains("! ramkey's own key LTAI5tAliceIdle000000001"),
        "{drawn}"
    );
}

#[test]
fn a_step_stopped_by_a_change_outside_ramkey_adds_it_to_the_panel() {
    let mut app = opened_with(BOB, Vec::new());
    app.snapshot.taken_at = at("2025-09-01T00:00:00Z"); // due
    tap(&mut app, &[KeyCode::Enter]);
    type_text(&mut app, "bob");
    let effects = tap(&mut app, &[KeyCode::Enter]);
    assert_eq!(effects.len(), 1, "the delete was asked for");
    app.update(Msg::Performed(Err(ErrorView {
        doing: format!("Re-checking and deleting key {BOB_KEY}: not done."),
        code: None,
        message: format!("{BOB_KEY} is Active again: someone re-enabled it outside ramkey"),
        request_id: None,
        hint: None,
        offer: None,
        drift: Some(vec![re_enabled_in_console()]),
    })));
    assert_eq!(app.context(), Context::Error);
    tap(&mut app, &[KeyCode::Enter]);
    let drawn = draw(&app, 80, 24);
    assert!(
        drawn.contains("Changed outside ramkey: check first"),
        "{drawn}"
    );
    assert!(drawn.contains("of bob is Active again"), "{drawn}");
}
