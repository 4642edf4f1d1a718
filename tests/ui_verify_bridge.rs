//! BC-12 through the wizard and the real engine: a new key the sandbox never
//! accepts leaves the rotation "not yet verified" (the disable refused, the
//! old key Active); after a restart `v` asks for the secret, the pasted
//! secret verifies the key once the sandbox accepts it, and the disable goes
//! through. The client's waits return at once, so nothing waits for real.

#[path = "rotation_support/mod.rs"]
mod rotation_support;
mod ui_support;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::KeyCode;
use ramkey::clock::Clock;
use ramkey::cloud::model::KeyStatus;
use ramkey::sandbox::Faults;
use ramkey::ui::app::Msg;
use ramkey::ui::engine_bridge::EngineBackend;
use ramkey::ui::flow::Dialog;
use ramkey::ui::view::{NewKeyCheck, Request};
use ramkey::ui::{App, Backend as _};
use rotation_support::World;
use ui_support::{draw, drive, tap, type_text};

const USER: &str = "ci-deployer";
const NEW_USER: &str = "ci-deployer-v2";

async fn wizard(world: &World) -> (App, EngineBackend) {
    let caller = world.client.get_caller_identity().await.unwrap();
    let clock: Arc<dyn Clock> = Arc::new(world.clock.clone());
    let (backend, _) = EngineBackend::start(world.engine(), clock)
        .await
        .expect("scan");
    let header = backend.header(&caller, true);
    (App::new(header, backend.snapshot()), backend)
}

fn select(app: &mut App) {
    app.list_cursor = app
        .snapshot
        .users
        .iter()
        .position(|u| u.user_name == USER)
        .expect("listed");
}

fn check(app: &App) -> Option<NewKeyCheck> {
    let rotation = app.snapshot.user(USER)?.rotation.as_ref()?;
    rotation.new_key.as_ref().map(|key| key.check)
}

fn new_key_delay(world: &World, delay: Duration) {
    world.sandbox.set_faults(Faults {
        new_key_unaccepted_for: delay,
        ..Faults::none()
    });
}

#[tokio::test]
async fn not_verified_blocks_the_disable_and_a_pasted_secret_verifies_after_a_restart() {
    let world = World::demo().await;
    new_key_delay(&world, Duration::from_secs(3600));
    let (mut app, mut backend) = wizard(&world).await;
    let moved = app.snapshot.user(USER).unwrap().keys[0]
        .access_key_id
        .clone();

    // Start the move, name, create the user, copy, create the key.
    select(&mut app);
    let start = [KeyCode::Enter; 5];
    drive(&mut app, &mut backend, &start).await;
    let copy = [KeyCode::Enter, KeyCode::Char('y'), KeyCode::Enter];
    drive(&mut app, &mut backend, &copy).await;
    let create = [KeyCode::Enter, KeyCode::Enter, KeyCode::Char('y')];
    drive(&mut app, &mut backend, &create).await;
    assert!(draw(&app, 120, 32).contains("never be shown again"));
    assert!(
        matches!(
            check(&app),
            Some(NewKeyCheck::NotYetVerified { attempts: 1, .. })
        ),
        "the secret is shown after one try, not after the whole check: {:?}",
        check(&app)
    );
    let new_key = world
        .sandbox
        .account_snapshot()
        .user(NEW_USER)
        .unwrap()
        .access_keys[0]
        .clone();
    drive(
        &mut app,
        &mut backend,
        &[KeyCode::Char('s'), KeyCode::Char('y')],
    )
    .await;
    // Once the secret is stored, the key is checked up to the cap, which
    // passes with the key still refused: a notice says so.
    let screen = draw(&app, 120, 32);
    assert!(
        screen.contains("The new key is not verified yet"),
        "{screen}"
    );
    assert!(screen.contains("the old key stays Active"), "{screen}");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;

    // Staging and production confirmed; the disable is refused.
    drive(
        &mut app,
        &mut backend,
        &[KeyCode::Enter, KeyCode::Char('y')],
    )
    .await;
    drive(
        &mut app,
        &mut backend,
        &[KeyCode::Enter, KeyCode::Char('y')],
    )
    .await;
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    assert!(app.dialog.is_none(), "{:?}", app.dialog);
    let screen = draw(&app, 120, 32);
    assert!(screen.contains("not verified yet"), "{screen}");
    assert_eq!(world.key_status(USER, &moved), Some(KeyStatus::Active));

    // Restarted: ramkey no longer holds the secret, so `v` asks for it.
    drop(backend);
    new_key_delay(&world, Duration::ZERO);
    let (mut app, mut backend) = wizard(&world).await;
    select(&mut app);
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    assert!(tap(&mut app, &[KeyCode::Char('v')]).is_empty());
    assert!(matches!(
        app.dialog.as_ref().map(|open| &open.dialog),
        Some(Dialog::PasteSecret(_))
    ));
    app.update(Msg::Paste(new_key.access_key_secret.expose().to_owned()));
    // Enter opens the confirmation; only `y` checks the key (BC-16).
    let effects = tap(&mut app, &[KeyCode::Enter, KeyCode::Char('y')]);
    assert_eq!(effects.len(), 1, "{effects:?}");
    assert!(matches!(
        effects[0].request,
        Request::VerifyKey { secret: Some(_) }
    ));
    let result = backend.perform(effects[0].clone()).await;
    app.update(Msg::Performed(result));
    assert!(
        matches!(check(&app), Some(NewKeyCheck::Verified { .. })),
        "{:?}",
        check(&app)
    );

    // Now the disable goes through, with the last use shown first.
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    assert!(draw(&app, 120, 32).contains("Last use of"));
    type_text(&mut app, USER);
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    assert_eq!(world.key_status(USER, &moved), Some(KeyStatus::Inactive));
}
