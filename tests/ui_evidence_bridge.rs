//! The living demo through the wizard, the real engine and the in-process
//! sandbox with its simulated applications on: storing the secret moves
//! the application's staging to the new key and confirming staging moves
//! its production, so both swap confirmations open with evidence that
//! supports them (Enter confirms); the demo's clock jump makes the
//! deletion due on both paths. One fixed clock stands for the demo's.

#[path = "rotation_support/mod.rs"]
mod rotation_support;
mod ui_support;

use std::sync::Arc;

use chrono::Duration;
use crossterm::event::KeyCode;
use ramkey::clock::{Clock, FixedClock};
use ramkey::cloud::model::KeyStatus;
use ramkey::sandbox::{Applications, Stage};
use ramkey::state::AuditKind;
use ramkey::ui::App;
use ramkey::ui::engine_bridge::{DemoSwap, DemoWorld, EngineBackend};
use ramkey::ui::flow::Dialog;
use rotation_support::{MOVE_USER, MOVED_KEY, World};
use ui_support::{draw, drive, type_text};

/// The demo's world over the test's fixed clock.
struct TestWorld {
    clock: FixedClock,
    applications: Applications,
}

impl DemoWorld for TestWorld {
    fn jump_clock(&self, by: Duration) {
        self.clock.set(self.clock.now() + by);
    }

    fn swapped(&self, swap: &DemoSwap) -> Option<String> {
        let stage = if swap.production {
            Stage::Production
        } else {
            Stage::Staging
        };
        let name = self
            .applications
            .switch(stage, &swap.old_key_id, &swap.new_key_id, swap.at)
            .ok()?;
        Some(format!("Demo: {name} moved"))
    }
}

async fn demo(world: &World) -> (App, EngineBackend) {
    world.sandbox.set_living(true);
    let caller = world.client.get_caller_identity().await.unwrap();
    let clock: Arc<dyn Clock> = Arc::new(world.clock.clone());
    let (backend, _) = EngineBackend::start(world.engine(), clock).await.unwrap();
    let backend = backend.with_demo_world(Arc::new(TestWorld {
        clock: world.clock.clone(),
        applications: world.sandbox.applications(),
    }));
    let header = backend.header(&caller, true);
    (App::new(header, backend.snapshot()), backend)
}

async fn typed(app: &mut App, backend: &mut EngineBackend, name: &str) {
    type_text(app, name);
    drive(app, backend, &[KeyCode::Enter]).await;
}

fn select(app: &mut App, user: &str) {
    app.list_cursor = app
        .snapshot
        .users
        .iter()
        .position(|u| u.user_name == user)
        .expect("listed");
}

fn progress(app: &App, user: &str) -> String {
    app.snapshot.user(user).expect("listed").progress()
}

fn swap_dialog(app: &App) -> String {
    assert!(
        matches!(
            app.dialog.as_ref().map(|open| &open.dialog),
            Some(Dialog::Swap(..))
        ),
        "{:?}",
        app.dialog
    );
    draw(app, 120, 40)
}

#[tokio::test]
async fn the_move_path_shows_the_evidence_the_demo_leaves_and_ends_after_the_jump() {
    let world = World::demo().await;
    let (mut app, mut backend) = demo(&world).await;
    select(&mut app, MOVE_USER);
    drive(&mut app, &mut backend, &[KeyCode::Enter; 5]).await;
    let create_and_copy = [
        KeyCode::Enter,
        KeyCode::Char('y'),
        KeyCode::Enter,
        KeyCode::Enter,
    ];
    drive(&mut app, &mut backend, &create_and_copy).await;
    drive(
        &mut app,
        &mut backend,
        &[KeyCode::Enter, KeyCode::Char('y')],
    )
    .await;
    assert!(draw(&app, 120, 40).contains("never be shown again"));

    // The secret stored: the demo's staging moves to the new key.
    world.advance(Duration::minutes(1));
    drive(
        &mut app,
        &mut backend,
        &[KeyCode::Char('s'), KeyCode::Char('y')],
    )
    .await;
    assert!(
        app.notice.as_deref().unwrap_or_default().contains("Demo:"),
        "{:?}",
        app.notice
    );
    world.advance(Duration::minutes(1));
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    let screen = swap_dialog(&app);
    assert!(screen.contains("in use since the swap began"), "{screen}");
    assert!(screen.contains("as expected while production"), "{screen}");
    assert!(screen.contains("[y/N]"), "{screen}");
    drive(&mut app, &mut backend, &[KeyCode::Char('y')]).await;

    // Staging confirmed: production moves, the old key goes quiet.
    world.advance(Duration::minutes(1));
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    let screen = swap_dialog(&app);
    assert!(screen.contains("not used since the swap began"), "{screen}");
    assert!(screen.contains("supports confirming"), "{screen}");
    drive(&mut app, &mut backend, &[KeyCode::Char('y')]).await;
    assert!(app.dialog.is_none(), "{:?}", app.dialog);

    // Disable, jump past the wait, delete, keep every policy.
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    typed(&mut app, &mut backend, MOVE_USER).await;
    assert!(progress(&app, MOVE_USER).starts_with("waiting for deletion"));
    drive(&mut app, &mut backend, &[KeyCode::Char('>')]).await;
    assert!(
        app.notice
            .as_deref()
            .unwrap_or_default()
            .contains("waiting period is over")
    );
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    typed(&mut app, &mut backend, MOVE_USER).await;
    assert_eq!(world.key_status(MOVE_USER, MOVED_KEY), None, "deleted");
    let finish = [KeyCode::Enter, KeyCode::Enter, KeyCode::Char('y')];
    drive(&mut app, &mut backend, &finish).await;
    assert_eq!(progress(&app, MOVE_USER), "finished");

    // Both swaps were audited with the evidence shown.
    for action in ["confirm_staging", "confirm_production"] {
        let line = world
            .audit_lines()
            .into_iter()
            .find(|line| line.kind == AuditKind::Confirmation && line.action == action)
            .unwrap();
        let detail = line.detail.unwrap_or_default();
        assert!(
            detail.contains("the evidence supported confirming"),
            "{action}: {detail}"
        );
    }
}

#[tokio::test]
async fn the_idle_path_reaches_its_deletion_with_the_clock_jump() {
    let world = World::demo().await;
    let (mut app, mut backend) = demo(&world).await;
    let user = "billing-exporter";
    select(&mut app, user);
    let idle_key = app.snapshot.user(user).unwrap().keys[0]
        .access_key_id
        .clone();
    let keys = [KeyCode::Enter, KeyCode::Enter, KeyCode::Enter];
    drive(&mut app, &mut backend, &keys).await;
    let review_and_disable = [KeyCode::Enter, KeyCode::Char('y'), KeyCode::Enter];
    drive(&mut app, &mut backend, &review_and_disable).await;
    typed(&mut app, &mut backend, user).await;
    assert_eq!(world.key_status(user, &idle_key), Some(KeyStatus::Inactive));

    // Not due: Enter says so; the jump makes it due.
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    assert!(app.dialog.is_none());
    drive(&mut app, &mut backend, &[KeyCode::Char('>')]).await;
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    typed(&mut app, &mut backend, user).await;
    assert_eq!(world.key_status(user, &idle_key), None);
    assert_eq!(progress(&app, user), "finished");
}
