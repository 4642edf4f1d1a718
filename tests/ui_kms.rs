//! State-transition tests of a KMS-managed user in the wizard: its keys are
//! never offered for disabling or deleting, whatever keys are pressed.

mod ui_support;

use crossterm::event::KeyCode;
use ramkey::ui::App;
use ramkey::ui::app::Screen;
use ramkey::ui::view::{Recommendation, RowMark, StepKind, StepStatus};
use ui_support::{app, tap};

const SECRET: &str = "acs/ram/user/alice";

/// The fixture's alice (an idle and a busy key) with her keys managed by
/// a KMS secret: without the mark she would be offered "Disable idle key".
fn managed_alice() -> App {
    let mut app = app();
    let alice = &mut app.snapshot.users[0];
    assert_eq!(alice.user_name, "alice");
    alice.recommendation = Recommendation::KmsRotating;
    alice.marks = vec![RowMark::KmsManaged {
        secret: SECRET.to_owned(),
    }];
    app
}

fn refused(app: &App) {
    assert!(app.dialog.is_none(), "a dialog opened: {:?}", app.dialog);
    let notice = app.notice.as_deref().expect("a notice says why");
    assert!(
        notice.contains("alice's keys are managed by the KMS secret"),
        "{notice}"
    );
    assert!(notice.contains(SECRET), "{notice}");
    assert!(notice.contains("never disables or deletes"), "{notice}");
}

#[test]
fn an_unmarked_user_is_offered_the_disable() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Enter, KeyCode::Enter]);
    assert!(app.dialog.is_some(), "the start choice opens");
}

#[test]
fn a_managed_user_is_never_offered_a_start() {
    let mut app = managed_alice();
    tap(&mut app, &[KeyCode::Enter]);
    assert!(
        matches!(app.screen, Screen::Rotation { .. }),
        "{:?}",
        app.screen
    );

    let effects = tap(&mut app, &[KeyCode::Enter]);
    assert!(effects.is_empty(), "{effects:?}");
    refused(&app);

    // Pressing on asks for nothing either, nor does "disable again".
    let effects = tap(
        &mut app,
        &[KeyCode::Enter, KeyCode::Char('a'), KeyCode::Enter],
    );
    assert!(effects.is_empty(), "{effects:?}");
    refused(&app);
}

#[test]
fn a_managed_user_s_rotation_stops_before_its_disable() {
    // A rotation started before its keys were known to be KMS-managed.
    let mut app = managed_alice();
    let zhangsan = ui_support::zhangsan();
    let mut rotation = zhangsan.rotation.expect("a rotation fixture");
    let disable = rotation
        .steps
        .iter()
        .position(|step| matches!(step.kind, StepKind::DisableKey { .. }))
        .expect("the fixture's rotation has a disable step");
    for step in &mut rotation.steps[..disable] {
        step.status = StepStatus::Done {
            at: ui_support::at("2025-06-01T09:05:00Z"),
            request_id: None,
        };
    }
    rotation.blocked = None;
    rotation.new_key = None;
    app.snapshot.users[0].rotation = Some(rotation);

    tap(&mut app, &[KeyCode::Enter]);
    let effects = tap(&mut app, &[KeyCode::Enter]);
    assert!(effects.is_empty(), "{effects:?}");
    refused(&app);
}

fn snapshot_both(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), ui_support::draw(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_160x40"), ui_support::draw(app, 160, 40));
}

#[test]
fn the_findings_row_carries_the_kms_mark() {
    let app = managed_alice();
    let drawn = ui_support::draw(&app, 160, 40);
    assert!(
        drawn.contains("→ KMS rotating: KMS-managed by acs/ram/user/alice"),
        "{drawn}"
    );
    snapshot_both("kms_findings", &app);
}

#[test]
fn the_refusal_is_on_screen() {
    let mut app = managed_alice();
    tap(&mut app, &[KeyCode::Enter, KeyCode::Enter]);
    snapshot_both("kms_refused", &app);
}
