//! The wizard over the real engine and the in-process sandbox, for issue 4:
//! a write an earlier run left in flight is settled on start and told
//! first, a key re-enabled in the console shows on the rotation screen,
//! and the rollback key re-enables the old key once, recorded.

#[path = "rotation_support/mod.rs"]
mod rotation_support;
mod ui_support;

use std::sync::Arc;

use crossterm::event::KeyCode;
use ramkey::clock::Clock;
use ramkey::cloud::model::KeyStatus;
use ramkey::rotation::StepKind;
use ramkey::state::journal::WriteCall;
use ramkey::ui::app::Msg;
use ramkey::ui::engine_bridge::EngineBackend;
use ramkey::ui::keys::Context;
use ramkey::ui::view::Settled;
use ramkey::ui::{App, Backend as _};
use rotation_support::{IDLE_KEY, IDLE_USER, World, idle_until};
use ui_support::{draw, press, release, type_text};

/// The wizard as `ramkey` starts it, with what the start settled shown.
async fn wizard(world: &World) -> (App, EngineBackend) {
    let caller = world.client.get_caller_identity().await.expect("caller");
    let clock: Arc<dyn Clock> = Arc::new(world.clock.clone());
    let (backend, _report) = EngineBackend::start(world.engine(), clock)
        .await
        .expect("scan");
    let mut app = App::new(backend.header(&caller, true), backend.snapshot());
    app.show_settled(&backend.settled());
    (app, backend)
}

/// Presses each key; every effect, the looks included, goes to the engine.
async fn drive(app: &mut App, backend: &mut EngineBackend, keys: &[KeyCode]) {
    for &key in keys {
        for msg in [press(key), release(key)] {
            let mut effect = app.update(msg);
            while let Some(next) = effect {
                let result = backend.perform(next).await;
                effect = app.update(Msg::Performed(result));
            }
        }
    }
}

async fn open_idle_user(app: &mut App, backend: &mut EngineBackend) {
    let index = app
        .snapshot
        .users
        .iter()
        .position(|u| u.user_name == IDLE_USER)
        .expect("listed");
    app.list_cursor = index;
    drive(app, backend, &[KeyCode::Enter]).await;
}

#[tokio::test]
async fn a_write_left_in_flight_is_settled_by_reading_and_told_first() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DisableKey).await;
    // The earlier run's UpdateAccessKey went out; it died before recording it.
    world
        .client
        .update_access_key(IDLE_USER, IDLE_KEY, KeyStatus::Inactive)
        .await
        .expect("disabled");
    world.leave_intent(
        IDLE_USER,
        WriteCall::UpdateAccessKey {
            user_name: IDLE_USER.to_owned(),
            access_key_id: IDLE_KEY.to_owned(),
            status: KeyStatus::Inactive,
        },
    );
    let disables_before = world.requests_for("UpdateAccessKey");

    let (mut app, mut backend) = wizard(&world).await;

    let settled = backend.settled();
    assert!(
        matches!(settled.as_slice(), [Settled::Done { user, .. }] if user == IDLE_USER),
        "{settled:?}"
    );
    assert_eq!(app.context(), Context::Notice, "told before anything else");
    let drawn = draw(&app, 80, 24);
    assert!(drawn.contains("Settled from an earlier run"), "{drawn}");
    assert!(drawn.contains(IDLE_USER), "{drawn}");
    assert_eq!(
        world.requests_for("UpdateAccessKey"),
        disables_before,
        "settled by reading, never by calling again"
    );

    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    assert!(app.dialog.is_none());
    let progress = app.snapshot.user(IDLE_USER).expect("listed").progress();
    assert!(progress.starts_with("waiting for deletion"), "{progress}");
}

#[tokio::test]
async fn a_key_re_enabled_in_the_console_shows_when_the_rotation_opens() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    let (mut app, mut backend) = wizard(&world).await;
    assert!(app.dialog.is_none(), "nothing was left in flight");
    world
        .client
        .update_access_key(IDLE_USER, IDLE_KEY, KeyStatus::Active)
        .await
        .expect("re-enabled outside ramkey");

    open_idle_user(&mut app, &mut backend).await;

    let user = app.snapshot.user(IDLE_USER).expect("listed");
    let drift = user.drift.as_ref().expect("looked");
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert!(drift[0].what.contains("Active again"), "{drift:?}");
    let drawn = draw(&app, 80, 24);
    assert!(drawn.contains("Changed outside ramkey"), "{drawn}");
    assert!(drawn.contains("is Active again"), "{drawn}");
}

#[tokio::test]
async fn r_re_enables_the_old_key_once_and_the_rotation_counts_it() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    let (mut app, mut backend) = wizard(&world).await;
    open_idle_user(&mut app, &mut backend).await;
    assert_eq!(
        app.snapshot.user(IDLE_USER).unwrap().drift.as_deref(),
        Some(&[][..]),
        "nothing changed outside ramkey yet"
    );
    let updates_before = world.requests_for("UpdateAccessKey");

    drive(&mut app, &mut backend, &[KeyCode::Char('r')]).await;
    type_text(&mut app, "invoice export gets 403");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    type_text(&mut app, IDLE_USER);
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;

    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Active)
    );
    assert_eq!(world.requests_for("UpdateAccessKey"), updates_before + 1);
    assert_eq!(app.context(), Context::Notice, "{:?}", app.dialog);
    let drawn = draw(&app, 120, 32);
    assert!(drawn.contains("Old key re-enabled"), "{drawn}");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    let drawn = draw(&app, 80, 24);
    assert!(drawn.contains("▶ Disable the old key"), "{drawn}");
    assert!(drawn.contains("Rolled back once"), "{drawn}");

    let rotation = app.snapshot.user(IDLE_USER).unwrap().rotation.clone();
    assert_eq!(rotation.map(|r| r.rollbacks), Some(1));
    let on_disk = world.rotation_on_disk(IDLE_USER);
    assert_eq!(on_disk.rollbacks.len(), 1);
    assert_eq!(
        on_disk.rollbacks[0].reason.as_deref(),
        Some("invoice export gets 403")
    );
}

#[tokio::test]
async fn a_state_file_of_a_newer_schema_shows_the_banner_and_nothing_is_written() {
    let world = World::demo().await;
    let bytes = br#"{"schema_version":99,"x_future":{"k":1}}"#;
    let dir = world.state.parent().expect("a directory");
    std::fs::create_dir_all(dir).expect("state directory");
    std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .expect("0700");
    std::fs::write(&world.state, bytes).expect("state file written");
    std::fs::set_permissions(
        &world.state,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .expect("0600");

    let (mut app, mut backend) = wizard(&world).await;
    let why = app.header.read_only.clone().expect("read-only");
    assert!(why.contains("schema_version 99"), "{why}");
    let drawn = draw(&app, 80, 24);
    assert!(drawn.contains("READ-ONLY"), "{drawn}");
    assert!(drawn.contains("Nothing will be changed"), "{drawn}");

    open_idle_user(&mut app, &mut backend).await;
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    assert!(app.dialog.is_none(), "no dialog leads to a write");
    let notice = app.notice.clone().unwrap_or_default();
    assert!(notice.contains("nothing was changed"), "{notice}");
    assert!(draw(&app, 80, 24).contains("READ-ONLY"));

    assert_eq!(world.write_requests(), 0);
    assert_eq!(std::fs::read(&world.state).expect("state file"), bytes);
}

#[tokio::test]
async fn a_change_made_while_the_screen_was_open_stops_the_step_and_joins_the_panel() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    world.advance(chrono::Duration::days(91));
    let (mut app, mut backend) = wizard(&world).await;
    open_idle_user(&mut app, &mut backend).await;
    world
        .client
        .update_access_key(IDLE_USER, IDLE_KEY, KeyStatus::Active)
        .await
        .expect("re-enabled outside ramkey");

    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    type_text(&mut app, IDLE_USER);
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;

    assert_eq!(app.context(), Context::Error, "{:?}", app.dialog);
    assert_eq!(world.requests_for("DeleteAccessKey"), 0, "never deleted");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    let drawn = draw(&app, 80, 24);
    assert!(drawn.contains("Changed outside ramkey"), "{drawn}");
    assert!(drawn.contains("is Active again"), "{drawn}");
}

#[tokio::test]
async fn a_key_deleted_outside_while_it_waits_is_recorded_from_the_screen_without_waiting() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    let (mut app, mut backend) = wizard(&world).await;
    world
        .client
        .delete_access_key(IDLE_USER, IDLE_KEY)
        .await
        .expect("deleted outside ramkey");
    let writes = world.write_requests();

    open_idle_user(&mut app, &mut backend).await;
    let rotation = app.snapshot.user(IDLE_USER).unwrap().rotation.clone();
    assert!(rotation.is_some_and(|r| r.retired_key_gone && r.blocked.is_none()));
    let drawn = draw(&app, 120, 32);
    assert!(drawn.contains("no longer exists"), "{drawn}");
    assert!(
        drawn.contains("Enter: record it as deleted outside ramkey"),
        "{drawn}"
    );
    assert!(!drawn.contains("API: GetAccessKeyLastUsed"), "{drawn}");

    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    assert_eq!(app.context(), Context::TypedConfirm, "{:?}", app.dialog);
    let drawn = draw(&app, 120, 32);
    assert!(drawn.contains("nothing is called"), "{drawn}");
    type_text(&mut app, IDLE_USER);
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;

    assert_eq!(world.write_requests(), writes, "nothing is called");
    assert!(world.rotation_on_disk(IDLE_USER).progress.is_complete());
    let drawn = draw(&app, 120, 32);
    assert!(drawn.contains("deleted outside ramkey"), "{drawn}");
}

#[tokio::test]
async fn a_key_deleted_outside_before_its_disable_is_recorded_from_the_disable_step() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DisableKey).await;
    let (mut app, mut backend) = wizard(&world).await;
    world
        .client
        .delete_access_key(IDLE_USER, IDLE_KEY)
        .await
        .expect("deleted outside ramkey");
    let writes = world.write_requests();

    open_idle_user(&mut app, &mut backend).await;
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    let drawn = draw(&app, 120, 32);
    assert!(
        drawn.contains("records the disable and the deletion"),
        "{drawn}"
    );
    type_text(&mut app, IDLE_USER);
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;

    assert_eq!(world.write_requests(), writes, "nothing is called");
    assert!(world.rotation_on_disk(IDLE_USER).progress.is_complete());
}

#[tokio::test]
async fn a_review_that_cannot_be_saved_says_it_was_not_recorded_and_stays_at_review() {
    let world = World::demo().await;
    idle_until(&world, StepKind::Review).await;
    let (mut app, mut backend) = wizard(&world).await;
    open_idle_user(&mut app, &mut backend).await;
    // The state file's directory is gone: no save can work (even as root).
    std::fs::remove_dir_all(world.state.parent().expect("a directory")).expect("removed");

    drive(
        &mut app,
        &mut backend,
        &[KeyCode::Enter, KeyCode::Char('y')],
    )
    .await;
    assert_eq!(app.context(), Context::Error, "{:?}", app.dialog);
    let drawn = draw(&app, 120, 40).replace(['│', '"'], " ");
    let said = drawn.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(said.contains("Recording the review of"), "{drawn}");
    assert!(said.contains("not recorded"), "{drawn}");
    assert!(said.contains("Nothing was written to the cloud"), "{drawn}");
    assert!(!said.contains("Review recorded"), "{drawn}");
    assert!(!said.contains("saves again with the next step"), "{drawn}");

    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    let drawn = draw(&app, 80, 24);
    assert!(drawn.contains("▶ Review the evidence"), "{drawn}");
    assert_eq!(world.write_requests(), 0);
}

#[tokio::test]
async fn a_resumed_copy_ticks_the_recorded_choice_and_keeps_done_grants_ticked() {
    let world = World::demo().await;
    rotation_support::move_until(&world, StepKind::CopyPermissions).await;
    let [registry, _artifacts, group] =
        <[ramkey::state::steps::Grant; 3]>::try_from(rotation_support::grants_to_copy()).unwrap();
    world.sandbox.set_faults({
        let mut faults = ramkey::sandbox::Faults::none();
        faults.unavailable = Some(ramkey::sandbox::Schedule::first(100).only(&["AddUserToGroup"]));
        faults
    });
    let choice = vec![registry, group];
    let cut = world
        .engine()
        .perform(
            rotation_support::MOVE_USER,
            ramkey::rotation::Action::CopyPermissions(choice),
        )
        .await;
    assert!(cut.is_err(), "{cut:?}");
    world.sandbox.set_faults(ramkey::sandbox::Faults::none());

    let (mut app, mut backend) = wizard(&world).await;
    app.list_cursor = app
        .snapshot
        .users
        .iter()
        .position(|u| u.user_name == rotation_support::MOVE_USER)
        .expect("listed");
    // The write left in flight is told first (Enter closes it), then the
    // user's screen opens, then the step's checklist.
    for _ in 0..3 {
        drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
        if app.context() == Context::Checklist {
            break;
        }
    }
    let Some(open) = &app.dialog else {
        panic!("the copy checklist: {}", draw(&app, 120, 40))
    };
    let ramkey::ui::flow::Dialog::Copy(list, _) = &open.dialog else {
        panic!("the copy checklist: {:?}", open.dialog)
    };
    let ticks: Vec<(String, bool, bool)> = list
        .labels
        .iter()
        .zip(list.ticked.iter().zip(&list.locked))
        .map(|(label, (ticked, locked))| (label.clone(), *ticked, *locked))
        .collect();
    let find = |name: &str| {
        ticks
            .iter()
            .find(|(label, ..)| label.contains(name))
            .cloned()
            .unwrap_or_else(|| panic!("{name} in {ticks:?}"))
    };
    let registry = find("AliyunContainerRegistryFullAccess");
    assert!(registry.0.contains("copied already"), "{ticks:?}");
    assert!(registry.1 && registry.2, "{ticks:?}");
    assert!(!find("ci-deploy-artifacts").1, "{ticks:?}");
    assert!(find("deployers").1, "{ticks:?}");

    // Space on the grant already made does not untick it.
    let at = ticks
        .iter()
        .position(|(label, ..)| label.contains("Registry"))
        .unwrap();
    for _ in 0..at {
        drive(&mut app, &mut backend, &[KeyCode::Down]).await;
    }
    drive(&mut app, &mut backend, &[KeyCode::Char(' ')]).await;
    let Some(open) = &app.dialog else {
        panic!("still the checklist")
    };
    let ramkey::ui::flow::Dialog::Copy(list, _) = &open.dialog else {
        panic!("still the checklist")
    };
    assert!(list.ticked[at], "{list:?}");
}

#[tokio::test]
async fn a_key_active_again_is_disabled_again_from_the_delete_step_with_a_new_wait() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    world.advance(chrono::Duration::days(91));
    world
        .client
        .update_access_key(IDLE_USER, IDLE_KEY, KeyStatus::Active)
        .await
        .expect("re-enabled outside ramkey");
    let (mut app, mut backend) = wizard(&world).await;
    open_idle_user(&mut app, &mut backend).await;
    let drawn = draw(&app, 120, 32);
    assert!(drawn.contains("a disable again"), "{drawn}");
    let step_text = draw(&app, 120, 40).replace(['│', '"'], " ");
    let said = step_text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        said.contains("a disables it again and restarts the wait"),
        "{step_text}"
    );
    drive(&mut app, &mut backend, &[KeyCode::Char('?')]).await;
    let help = draw(&app, 120, 40);
    assert!(
        help.contains("old key in use again: disable again, new wait"),
        "{help}"
    );
    drive(&mut app, &mut backend, &[KeyCode::Esc]).await;

    let updates = world.requests_for("UpdateAccessKey");
    drive(&mut app, &mut backend, &[KeyCode::Char('a')]).await;
    assert_eq!(app.context(), Context::TypedConfirm, "{:?}", app.dialog);
    type_text(&mut app, IDLE_USER);
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;

    assert_eq!(world.requests_for("UpdateAccessKey"), updates + 1);
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Inactive)
    );
    let notice = app.notice.clone().unwrap_or_default();
    assert!(notice.contains("waiting period starts again"), "{notice}");
    let plan = world.rotation_on_disk(IDLE_USER);
    let due = plan.progress.deletion().expect("waiting").delete_after;
    assert_eq!(due, world.now() + chrono::Duration::days(90));
    // Inactive and unused now: the key is no longer offered.
    let drawn = draw(&app, 120, 32);
    assert!(!drawn.contains("a disable again"), "{drawn}");
}
