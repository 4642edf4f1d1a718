//! The wizard driven by keys against the real engine and the in-process
//! sandbox: both paths, what the sandbox holds afterwards, and resuming
//! from the state file with a fresh engine.

#[path = "rotation_support/mod.rs"]
mod rotation_support;
mod ui_support;

use std::sync::Arc;

use crossterm::event::KeyCode;
use ramkey::clock::Clock;
use ramkey::cloud::model::KeyStatus;
use ramkey::ui::app::Msg;
use ramkey::ui::engine_bridge::EngineBackend;
use ramkey::ui::view::{Header, Recommendation};
use ramkey::ui::{App, Backend as _};
use rotation_support::World;
use ui_support::{draw, tap, type_text};

async fn wizard(world: &World) -> (App, EngineBackend) {
    let clock: Arc<dyn Clock> = Arc::new(world.clock.clone());
    let (backend, report) = EngineBackend::start(world.engine(), clock)
        .await
        .expect("scan");
    let header = Header {
        account_id: report.account_id,
        state_file: backend.state_path(),
        demo: true,
    };
    (App::new(header, backend.snapshot()), backend)
}

/// Taps `keys`; performs each effect with the engine and feeds the result back.
async fn drive(app: &mut App, backend: &mut EngineBackend, keys: &[KeyCode]) {
    for &key in keys {
        for effect in tap(app, &[key]) {
            let result = backend.perform(effect).await;
            app.update(Msg::Performed(result));
        }
    }
}

fn select(app: &mut App, user: &str) {
    let index = app
        .snapshot
        .users
        .iter()
        .position(|u| u.user_name == user)
        .expect("user listed");
    app.list_cursor = index;
}

fn progress(app: &App, user: &str) -> String {
    app.snapshot.user(user).expect("listed").progress()
}

#[tokio::test]
async fn the_idle_path_reaches_waiting_for_deletion_by_keys() {
    let world = World::demo().await;
    let (mut app, mut backend) = wizard(&world).await;
    let user = app
        .snapshot
        .user("billing-exporter")
        .expect("flagged")
        .clone();
    assert_eq!(user.recommendation, Recommendation::DisableIdle);
    let idle_key = user.keys[0].access_key_id.clone();

    select(&mut app, "billing-exporter");
    // open, start (idle key offered first), review, disable
    let keys = [KeyCode::Enter, KeyCode::Enter, KeyCode::Enter];
    drive(&mut app, &mut backend, &keys).await;
    drive(
        &mut app,
        &mut backend,
        &[KeyCode::Enter, KeyCode::Char('y'), KeyCode::Enter],
    )
    .await;
    type_text(&mut app, "billing-exporter");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;

    assert!(app.dialog.is_none(), "{:?}", app.dialog);
    assert!(progress(&app, "billing-exporter").starts_with("waiting for deletion"));
    assert_eq!(
        world.key_status("billing-exporter", &idle_key),
        Some(KeyStatus::Inactive)
    );
    assert!(draw(&app, 80, 24).contains("Waiting for deletion"));
}

#[tokio::test]
async fn the_move_path_by_keys_then_a_restart_resumes_at_the_same_step() {
    let world = World::demo().await;
    let (mut app, mut backend) = wizard(&world).await;
    let moved = app.snapshot.user("ci-deployer").unwrap().keys[0]
        .access_key_id
        .clone();

    select(&mut app, "ci-deployer");
    // open, start (move first, as recommended), accept the suggested name
    let keys = [
        KeyCode::Enter,
        KeyCode::Enter,
        KeyCode::Enter,
        KeyCode::Enter,
        KeyCode::Enter,
    ];
    drive(&mut app, &mut backend, &keys).await;
    // create the user; copy everything but the first policy
    let keys = [
        KeyCode::Enter,
        KeyCode::Char('y'),
        KeyCode::Enter,
        KeyCode::Char(' '),
    ];
    drive(&mut app, &mut backend, &keys).await;
    drive(
        &mut app,
        &mut backend,
        &[KeyCode::Enter, KeyCode::Enter, KeyCode::Char('y')],
    )
    .await;

    // The secret shows once; Enter and Esc do not close it, y does.
    let drawn = draw(&app, 120, 32);
    assert!(drawn.contains("never be shown again"), "{drawn}");
    drive(&mut app, &mut backend, &[KeyCode::Enter, KeyCode::Esc]).await;
    assert!(draw(&app, 120, 32).contains("never be shown again"));
    drive(&mut app, &mut backend, &[KeyCode::Char('y')]).await;
    assert!(!draw(&app, 120, 32).contains("never be shown again"));
    assert_eq!(progress(&app, "ci-deployer"), "5/11 steps");

    // Quit here; a new engine over the same state file shows the same step.
    drop(backend);
    let (mut app, mut backend) = wizard(&world).await;
    assert_eq!(progress(&app, "ci-deployer"), "5/11 steps");

    select(&mut app, "ci-deployer");
    let keys = [KeyCode::Enter, KeyCode::Enter, KeyCode::Char('y')]; // staging
    drive(&mut app, &mut backend, &keys).await;
    drive(
        &mut app,
        &mut backend,
        &[KeyCode::Enter, KeyCode::Char('y')],
    )
    .await; // production
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    type_text(&mut app, "ci-deployer");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;

    assert!(app.dialog.is_none(), "{:?}", app.dialog);
    assert!(progress(&app, "ci-deployer").starts_with("waiting for deletion"));
    assert_eq!(
        world.key_status("ci-deployer", &moved),
        Some(KeyStatus::Inactive)
    );

    let account = world.sandbox.account_snapshot();
    let new_user = account.user("ci-deployer-v2").expect("new user created");
    assert!(
        new_user
            .access_keys
            .iter()
            .all(|k| k.status == KeyStatus::Active)
    );
    assert_eq!(new_user.access_keys.len(), 1);
    let original = account.user("ci-deployer").unwrap();
    assert_eq!(
        new_user.policies.len(),
        original.policies.len() - 1,
        "one was unticked"
    );
    assert_eq!(new_user.groups.len(), original.groups.len());
}

#[tokio::test]
async fn a_wrong_typed_name_changes_nothing() {
    let world = World::demo().await;
    let (mut app, mut backend) = wizard(&world).await;
    let idle_key = app.snapshot.user("billing-exporter").unwrap().keys[0]
        .access_key_id
        .clone();
    select(&mut app, "billing-exporter");
    let keys = [
        KeyCode::Enter,
        KeyCode::Enter,
        KeyCode::Enter,
        KeyCode::Enter,
        KeyCode::Char('y'),
    ];
    drive(&mut app, &mut backend, &keys).await;
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    type_text(&mut app, "billing-exporterX");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;

    assert!(app.dialog.is_some(), "the confirmation stays open");
    assert_eq!(
        world.key_status("billing-exporter", &idle_key),
        Some(KeyStatus::Active)
    );
}
