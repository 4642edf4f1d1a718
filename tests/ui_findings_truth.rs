//! The findings list tells the cloud's truth: each key shows the status
//! the cloud has (from the scan, then as ramkey's own writes and its looks
//! leave it), marked where ramkey's records disagree; the heading counts
//! only the users holding two Active keys now, and the users listed for a
//! rotation in progress apart. Drawn from the real bridge over the sandbox.

#[path = "rotation_support/mod.rs"]
mod rotation_support;
mod ui_support;

use std::sync::Arc;

use crossterm::event::KeyCode;
use ramkey::clock::Clock;
use ramkey::cloud::model::KeyStatus;
use ramkey::rotation::StepKind;
use ramkey::ui::app::Msg;
use ramkey::ui::engine_bridge::EngineBackend;
use ramkey::ui::view::{
    Effect, KeyView, PathKind, Request, Snapshot, StepStatus, UserView, Verdict,
};
use ramkey::ui::{App, Backend as _};
use rotation_support::{IDLE_KEY, IDLE_USER, MOVE_USER, MOVED_KEY, World, idle_until, move_until};
use ui_support::{draw, tap};

/// The wizard over `world`, with the fixture header (the real one names a
/// temporary state file, which no snapshot may hold).
async fn wizard(world: &World) -> (App, EngineBackend) {
    let clock: Arc<dyn Clock> = Arc::new(world.clock.clone());
    let (backend, _report) = EngineBackend::start(world.engine(), clock)
        .await
        .expect("scan");
    (App::new(ui_support::header(), backend.snapshot()), backend)
}

fn key(app: &App, user: &str, key_id: &str) -> KeyView {
    let user = app.snapshot.user(user).expect("listed");
    let key = user.keys.iter().find(|key| key.access_key_id == key_id);
    key.expect("the key is listed").clone()
}

/// The heading row of the findings screen at `width` x 24.
fn heading(app: &App, width: u16) -> String {
    let drawn = draw(app, width, 24);
    let row = drawn.lines().find(|line| line.contains("AccessKeys"));
    row.expect("a heading").trim_matches(['"', ' ']).to_owned()
}

/// The trial's state: the idle path's key disabled by ramkey, then made
/// Active again in the console; the move path waiting for its deletion.
async fn disabled_then_re_enabled_outside() -> World {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    move_until(&world, StepKind::DeleteKey).await;
    world
        .client
        .update_access_key(IDLE_USER, IDLE_KEY, KeyStatus::Active)
        .await
        .expect("re-enabled in the console");
    world
}

#[tokio::test]
async fn a_key_ramkey_disabled_but_active_in_the_cloud_shows_active_and_marked() {
    let world = disabled_then_re_enabled_outside().await;
    let (app, _backend) = wizard(&world).await;

    let re_enabled = key(&app, IDLE_USER, IDLE_KEY);
    assert!(
        re_enabled.verdict.is_active(),
        "the cloud has it Active: {re_enabled:?}"
    );
    assert_eq!(
        re_enabled.disagreement.as_deref(),
        Some("Active (ramkey disabled it: changed outside ramkey)")
    );
    // The move path's key is Inactive in the cloud and in the records alike.
    let moved = key(&app, MOVE_USER, MOVED_KEY);
    assert_eq!(moved.verdict, Verdict::Disabled);
    assert_eq!(moved.disagreement, None);

    let drawn = draw(&app, 120, 32);
    assert!(
        drawn.contains("Active (ramkey disabled it: changed outside ramkey)"),
        "{drawn}"
    );
    insta::assert_snapshot!("findings_truth_re_enabled_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("findings_truth_re_enabled_120x32", drawn);
}

#[tokio::test]
async fn the_heading_counts_two_active_keys_now_and_rotations_in_progress_apart() {
    let world = World::demo().await;
    let (app, backend) = wizard(&world).await;
    let untouched = app.snapshot.users.len();
    let plural = if untouched == 1 {
        "user holds"
    } else {
        "users hold"
    };
    assert_eq!(
        heading(&app, 120),
        format!("{untouched} {plural} two Active AccessKeys:")
    );
    drop(backend);

    // ci-deployer's old key is disabled, waiting for deletion: one Active key.
    move_until(&world, StepKind::DeleteKey).await;
    let (app, _backend) = wizard(&world).await;
    assert_eq!(app.snapshot.users.len(), untouched, "still listed");
    let mover = app.snapshot.user(MOVE_USER).expect("listed");
    let active = mover.keys.iter().filter(|k| k.verdict.is_active()).count();
    assert_eq!(active, 1, "{:?}", mover.keys);
    let flagged = untouched - 1;
    let plural = if flagged == 1 {
        "user holds"
    } else {
        "users hold"
    };
    assert_eq!(
        heading(&app, 120),
        format!("{flagged} {plural} two Active AccessKeys · 1 more with a rotation in progress:")
    );
    insta::assert_snapshot!("findings_truth_in_progress_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("findings_truth_in_progress_120x32", draw(&app, 120, 32));
}

/// A key re-enabled in the console while the wizard runs: the look for
/// changes made outside ramkey (opening the rotation) updates the list.
#[tokio::test]
async fn a_look_that_finds_the_key_active_again_updates_the_list() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    let (mut app, mut backend) = wizard(&world).await;
    let disabled = key(&app, IDLE_USER, IDLE_KEY);
    assert_eq!(disabled.verdict, Verdict::Disabled);
    assert_eq!(disabled.disagreement, None);

    world
        .client
        .update_access_key(IDLE_USER, IDLE_KEY, KeyStatus::Active)
        .await
        .expect("re-enabled in the console");
    let index = app
        .snapshot
        .users
        .iter()
        .position(|u| u.user_name == IDLE_USER)
        .expect("listed");
    app.list_cursor = index;
    let effect = app.update(ui_support::press(KeyCode::Enter));
    let effect = effect.expect("opening the rotation looks for changes");
    let result = backend.perform(effect).await;
    app.update(Msg::Performed(result));
    tap(&mut app, &[KeyCode::Esc]);

    let re_enabled = key(&app, IDLE_USER, IDLE_KEY);
    assert!(re_enabled.verdict.is_active(), "{re_enabled:?}");
    assert_eq!(
        re_enabled.disagreement.as_deref(),
        Some("Active (ramkey disabled it: changed outside ramkey)")
    );
}

/// bob with his idle key as the cloud has it after his disable.
fn bob_disabled() -> UserView {
    let mut bob = ui_support::bob();
    bob.keys[0].verdict = Verdict::Disabled;
    bob
}

/// bob after the deletion: every step done, the key gone.
fn bob_finished() -> UserView {
    let mut bob = bob_disabled();
    "bob-finished".clone_into(&mut bob.user_name);
    bob.keys[0].verdict = Verdict::Deleted;
    let rotation = bob.rotation.as_mut().expect("bob's rotation");
    for step in &mut rotation.steps {
        step.status = StepStatus::Done {
            at: ui_support::at("2025-08-19T10:00:00Z"),
            request_id: None,
        };
    }
    bob
}

#[test]
fn the_heading_counts_each_kind_of_listed_user_apart() {
    use ramkey::ui::findings::heading;
    let alice = ui_support::alice();
    assert_eq!(
        heading(&[]),
        "No user holds two Active AccessKeys. Nothing to rotate."
    );
    assert_eq!(
        heading(std::slice::from_ref(&alice)),
        "1 user holds two Active AccessKeys:"
    );
    assert_eq!(
        heading(&[bob_disabled()]),
        "No user holds two Active AccessKeys · 1 with a rotation in progress:"
    );
    assert_eq!(
        heading(&[
            alice.clone(),
            ui_support::zhangsan(),
            bob_disabled(),
            bob_finished()
        ]),
        "2 users hold two Active AccessKeys · 1 more with a rotation in progress · 1 more with a \
         rotation finished:"
    );
}

/// A key the record says is disabled, gone from the cloud: shown deleted,
/// marked, on a screen that also lists a rotation in progress.
#[test]
fn a_key_gone_though_ramkey_only_disabled_it_is_marked() {
    let mut gone = bob_disabled();
    "carol".clone_into(&mut gone.user_name);
    gone.keys[0].verdict = Verdict::Deleted;
    gone.keys[0].disagreement =
        Some("gone (ramkey disabled it: deleted outside ramkey)".to_owned());
    let snapshot = Snapshot {
        users: vec![ui_support::alice(), gone, bob_disabled()],
        taken_at: ui_support::at("2025-06-01T12:00:00Z"),
    };
    let app = App::new(ui_support::header(), snapshot);
    let drawn = draw(&app, 80, 24);
    assert!(
        drawn.contains("gone (ramkey disabled it: deleted outside ramkey)"),
        "{drawn}"
    );
    assert!(drawn.contains("1 user holds two Active AccessKeys · 2 more with a rotation"));
    insta::assert_snapshot!("findings_truth_gone_80x24", drawn);
    insta::assert_snapshot!("findings_truth_gone_120x32", draw(&app, 120, 32));
}

/// ramkey's own writes move the cloud's status the list shows: disabled
/// in this session, then re-enabled by a rollback, and never marked.
#[tokio::test]
async fn this_sessions_disable_and_rollback_show_as_the_cloud_has_them() {
    let world = World::demo().await;
    let (_app, mut backend) = wizard(&world).await;
    let typed_user = IDLE_USER.to_owned();
    let requests = [
        Request::Start {
            path: PathKind::DisableIdle,
            key_id: IDLE_KEY.to_owned(),
        },
        Request::AcknowledgeReview,
        Request::DisableKey {
            key_id: IDLE_KEY.to_owned(),
            typed_user: typed_user.clone(),
        },
    ];
    for request in requests {
        let effect = Effect {
            user: IDLE_USER.to_owned(),
            request,
        };
        backend.perform(effect).await.expect("step done");
    }
    let listed = |backend: &EngineBackend| {
        let snapshot = backend.snapshot();
        let user = snapshot.user(IDLE_USER).expect("listed").clone();
        let key = user.keys.iter().find(|k| k.access_key_id == IDLE_KEY);
        (key.expect("listed").clone(), user.holds_two_active())
    };
    let (key, two) = listed(&backend);
    assert_eq!(
        (key.verdict, key.disagreement, two),
        (Verdict::Disabled, None, false)
    );

    let rollback = Effect {
        user: IDLE_USER.to_owned(),
        request: Request::ReEnableKey {
            key_id: IDLE_KEY.to_owned(),
            reason: Some("billing export 403".to_owned()),
            typed_user,
        },
    };
    backend.perform(rollback).await.expect("re-enabled");
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Active)
    );
    let (key, two) = listed(&backend);
    assert!(key.verdict.is_active(), "{key:?}");
    assert_eq!((key.disagreement, two), (None, true));
}
