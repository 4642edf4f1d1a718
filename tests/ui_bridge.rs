//! The wizard driven by keys against the real engine and the in-process
//! sandbox: both paths, what the sandbox holds afterwards, resuming from
//! the state file with a fresh engine, who the findings screen says ramkey
//! is, what it says when the service calls the STS token expired, and the
//! client's retries on the status line.

mod credentials_support;
#[path = "rotation_support/mod.rs"]
mod rotation_support;
mod ui_support;

use std::sync::Arc;

use chrono::Duration;
use credentials_support::{Home, ROTATOR};
use crossterm::event::KeyCode;
use ramkey::clock::{Clock, FixedClock};
use ramkey::cloud::credentials::{self, Credentials, CredentialsProvider};
use ramkey::cloud::model::KeyStatus;
use ramkey::cloud::sts::AssumeRoleRequest;
use ramkey::cloud::{Client, ClientOptions, Endpoints, Timeouts};
use ramkey::rotation::StepKind;
use ramkey::sandbox::{Faults, Schedule};
use ramkey::ui::app::Msg;
use ramkey::ui::engine_bridge::EngineBackend;
use ramkey::ui::event_loop;
use ramkey::ui::flow::{Dialog, Then};
use ramkey::ui::view::{self, ErrorView, Recommendation, Verdict};
use ramkey::ui::{App, Backend as _};
use rotation_support::{World, no_waiting};
use ui_support::{draw, drive, tap, type_text};

async fn wizard(world: &World) -> (App, EngineBackend) {
    wizard_as(world, world.client.clone(), true).await
}

/// The wizard as `ramkey` starts it: who ramkey is, the scan, the header.
async fn wizard_as(world: &World, client: Client, demo: bool) -> (App, EngineBackend) {
    let caller = client.get_caller_identity().await.expect("caller identity");
    let clock: Arc<dyn Clock> = Arc::new(world.clock.clone());
    let (backend, _report) = EngineBackend::start(world.engine_with(client), clock)
        .await
        .expect("scan");
    let header = backend.header(&caller, demo);
    (App::new(header, backend.snapshot()), backend)
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

/// The deletion date the rotation screen shows for `user`'s retired key.
fn deletion_date(app: &App, user: &str) -> chrono::DateTime<chrono::Utc> {
    let rotation = app.snapshot.user(user).and_then(|u| u.rotation.as_ref());
    let steps = &rotation.expect("a rotation").steps;
    steps
        .iter()
        .find_map(|step| match step.kind {
            view::StepKind::DeleteKey { due, .. } => Some(due),
            _ => None,
        })
        .expect("a delete step")
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

/// The list says what the rotation did to the retired key: the scan saw it
/// Active, so without this a disabled key still reads "idle" and a deleted
/// one still shows its last use, as if nothing had happened.
#[tokio::test]
async fn the_list_shows_the_retired_key_disabled_then_deleted() {
    let world = World::demo().await;
    let (mut app, mut backend) = wizard(&world).await;
    let idle_key = app.snapshot.user("billing-exporter").unwrap().keys[0]
        .access_key_id
        .clone();
    let verdict = |app: &App| {
        let user = app.snapshot.user("billing-exporter").expect("listed");
        let key = user.keys.iter().find(|k| k.access_key_id == idle_key);
        key.expect("the retired key stays listed").verdict
    };
    assert_eq!(verdict(&app), Verdict::Idle);

    select(&mut app, "billing-exporter");
    let keys = [KeyCode::Enter, KeyCode::Enter, KeyCode::Enter];
    drive(&mut app, &mut backend, &keys).await;
    let keys = [KeyCode::Enter, KeyCode::Char('y'), KeyCode::Enter];
    drive(&mut app, &mut backend, &keys).await;
    type_text(&mut app, "billing-exporter");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    assert_eq!(
        verdict(&app),
        Verdict::Disabled,
        "in the session that disabled it"
    );

    let due = deletion_date(&app, "billing-exporter");

    // 91 days later a fresh ramkey finds it Inactive and deletes it.
    drop(backend);
    world.advance(Duration::days(91));
    let (mut app, mut backend) = wizard(&world).await;
    assert_eq!(verdict(&app), Verdict::Disabled, "after a restart");
    select(&mut app, "billing-exporter");
    drive(&mut app, &mut backend, &[KeyCode::Enter, KeyCode::Enter]).await;
    type_text(&mut app, "billing-exporter");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;

    assert_eq!(world.key_status("billing-exporter", &idle_key), None);
    assert_eq!(
        verdict(&app),
        Verdict::Deleted,
        "in the session that deleted it"
    );
    assert_eq!(
        deletion_date(&app, "billing-exporter"),
        due,
        "a finished rotation still shows the date the disable recorded, not one counted from now"
    );
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

    // The secret shows once, hidden; Enter and Esc do not close it, nor
    // does y before it was shown; y after s does.
    let drawn = draw(&app, 120, 32);
    assert!(drawn.contains("never be shown again"), "{drawn}");
    let keys = [KeyCode::Enter, KeyCode::Esc, KeyCode::Char('y')];
    drive(&mut app, &mut backend, &keys).await;
    assert!(draw(&app, 120, 32).contains("never be shown again"));
    drive(
        &mut app,
        &mut backend,
        &[KeyCode::Char('s'), KeyCode::Char('y')],
    )
    .await;
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

/// The error the open dialog shows; fails the test when none is open.
fn error_dialog(app: &App) -> &ErrorView {
    match app.dialog.as_ref().map(|open| &open.dialog) {
        Some(Dialog::Error(dialog)) => &dialog.error,
        other => panic!("expected the error dialog, got {other:?}"),
    }
}

/// Opens billing-exporter, starts the idle path and records the review;
/// leaves the disable step's typed confirmation open.
async fn up_to_the_disable_step(app: &mut App, backend: &mut EngineBackend) {
    select(app, "billing-exporter");
    drive(
        app,
        backend,
        &[KeyCode::Enter, KeyCode::Enter, KeyCode::Enter],
    )
    .await;
    drive(
        app,
        backend,
        &[KeyCode::Enter, KeyCode::Char('y'), KeyCode::Enter],
    )
    .await;
    let open = app.dialog.as_ref().map(|open| &open.dialog);
    assert!(
        matches!(open, Some(Dialog::Confirm(..))),
        "the typed confirmation is open: {open:?}"
    );
}

/// STS credentials for ramkey-rotator, fetched by hand with the demo
/// caller's key, valid for 15 minutes.
async fn rotator_credentials(world: &World) -> Credentials {
    let request = AssumeRoleRequest {
        role_arn: ROTATOR.to_owned(),
        session_name: "by-hand".to_owned(),
        duration_seconds: 900,
        policy: None,
        external_id: None,
    };
    let role = world.client.assume_role(&request, "test").await.unwrap();
    role.credentials
}

fn client_over(world: &World, provider: CredentialsProvider, clock: Arc<dyn Clock>) -> Client {
    let options = ClientOptions {
        signature: world.signature,
        ..ClientOptions::default()
    };
    let endpoints = Endpoints::single(&world.sandbox.endpoint()).unwrap();
    Client::with_provider(endpoints, Arc::new(provider), clock, options).unwrap()
}

#[tokio::test]
async fn the_findings_screen_says_who_ramkey_is_and_warns_about_a_permanent_key() {
    let world = World::demo().await;
    let (app, backend) = wizard_as(&world, world.client.clone(), false).await;
    let identity = &app.header.identity;
    assert_eq!(identity.identity_type, "RAMUser");
    assert_eq!(
        identity.access_key_id.as_deref(),
        Some(world.sandbox.caller_access_key_id())
    );
    assert_eq!(identity.expires_at, None);
    let drawn = draw(&app, 120, 32);
    for shown in [
        "Signed in as acs:ram::5123874409316254:user/ramkey-admin (RAMUser)",
        "Credentials: AccessKey from test",
        "Warning: ramkey is signing with a permanent AccessKey.",
    ] {
        assert!(drawn.contains(shown), "{shown:?} not in\n{drawn}");
    }
    assert!(
        identity
            .warning
            .as_ref()
            .unwrap()
            .contains("RamRoleArn profile")
    );
    drop(backend);

    // The demo signs with the sandbox's own key: named so, and no warning.
    let (demo, _backend) = wizard(&world).await;
    let drawn = draw(&demo, 120, 32);
    assert!(drawn.contains("Credentials: demo sandbox key"), "{drawn}");
    assert!(!drawn.contains("Warning"), "{drawn}");
}

#[tokio::test]
async fn an_expired_static_token_asks_for_fresh_credentials_and_a_restart_resumes_the_step() {
    let world = World::demo().await;
    let shared: Arc<dyn Clock> = Arc::new(world.clock.clone());
    let provider = CredentialsProvider::fixed(rotator_credentials(&world).await).unwrap();
    let client = client_over(&world, provider, Arc::clone(&shared));
    let (mut app, mut backend) = wizard_as(&world, client, false).await;
    assert_eq!(app.header.identity.identity_type, "AssumedRoleUser");
    let idle_key = app.snapshot.user("billing-exporter").unwrap().keys[0]
        .access_key_id
        .clone();
    up_to_the_disable_step(&mut app, &mut backend).await;
    let before = progress(&app, "billing-exporter");

    world.advance(Duration::seconds(901));
    type_text(&mut app, "billing-exporter");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;

    let error = error_dialog(&app).clone();
    assert_eq!(error.code.as_deref(), Some("InvalidSecurityToken.Expired"));
    let hint = error.hint.clone().expect("a hint");
    let state = world.state.display().to_string();
    for said in [
        "cannot renew it",
        "Get fresh STS credentials",
        &format!("Progress so far is saved in {state}"),
        &format!("start ramkey again with them and --state {state}"),
        "it resumes at this step",
    ] {
        assert!(hint.contains(said), "{said:?} not in {hint:?}");
    }
    // The whole hint fits on an 80x24 screen.
    let drawn = draw(&app, 80, 24);
    assert!(drawn.contains("resumes at this step"), "{drawn}");
    assert_eq!(
        world.step_on_disk("billing-exporter"),
        Some(StepKind::DisableKey)
    );
    assert_eq!(
        world.key_status("billing-exporter", &idle_key),
        Some(KeyStatus::Active)
    );

    // Restarted with fresh credentials over the same state file.
    drop(backend);
    let provider = CredentialsProvider::fixed(rotator_credentials(&world).await).unwrap();
    let fresh = client_over(&world, provider, shared);
    let (mut app, mut backend) = wizard_as(&world, fresh, false).await;
    assert_eq!(progress(&app, "billing-exporter"), before);
    select(&mut app, "billing-exporter");
    drive(&mut app, &mut backend, &[KeyCode::Enter, KeyCode::Enter]).await;
    type_text(&mut app, "billing-exporter");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    assert!(app.dialog.is_none(), "{:?}", app.dialog);
    assert_eq!(
        world.key_status("billing-exporter", &idle_key),
        Some(KeyStatus::Inactive)
    );
}

#[tokio::test]
async fn a_role_token_the_server_expired_early_is_renewed_and_the_step_runs_again() {
    let world = World::demo().await;
    let home = Home::new();
    home.cli_config(&role_profile(&world));
    // ramkey's clock runs ten minutes behind the sandbox's, so the server
    // expires the token while ramkey still thinks it has time.
    let behind = FixedClock::new(world.now() - Duration::minutes(10));
    let clock: Arc<dyn Clock> = Arc::new(behind.clone());
    let endpoints = Endpoints::single(&world.sandbox.endpoint()).unwrap();
    let provider = credentials::resolve(
        &home.lookup(&[]),
        Some("rotator"),
        &endpoints,
        Arc::clone(&clock),
    )
    .unwrap();
    let (mut app, mut backend) =
        wizard_as(&world, client_over(&world, provider, clock), false).await;
    let identity = app.header.identity.clone();
    assert_eq!(identity.identity_type, "AssumedRoleUser");
    assert!(
        identity.renewed && identity.warning.is_none(),
        "{identity:?}"
    );
    let expires = identity.expires_at.expect("an STS expiry");
    let drawn = draw(&app, 120, 32);
    for shown in [
        "Credentials: RamRoleArn profile `rotator` from",
        &format!(
            "STS token expires {}",
            expires.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        "(renewed before then)",
    ] {
        assert!(drawn.contains(shown), "{shown:?} not in\n{drawn}");
    }
    let idle_key = app.snapshot.user("billing-exporter").unwrap().keys[0]
        .access_key_id
        .clone();
    up_to_the_disable_step(&mut app, &mut backend).await;

    world.advance(Duration::minutes(16));
    behind.set(behind.now() + Duration::minutes(16));
    type_text(&mut app, "billing-exporter");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    let error = error_dialog(&app);
    assert_eq!(error.code.as_deref(), Some("InvalidSecurityToken.Expired"));
    let hint = error.hint.as_deref().unwrap();
    assert!(hint.contains("run the step again"), "{hint}");
    assert!(!hint.contains("Get fresh STS credentials"), "{hint}");

    // Close the box, run the step again: ramkey renewed its credentials.
    drive(&mut app, &mut backend, &[KeyCode::Enter, KeyCode::Enter]).await;
    type_text(&mut app, "billing-exporter");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    assert!(app.dialog.is_none(), "{:?}", app.dialog);
    assert_eq!(
        world.key_status("billing-exporter", &idle_key),
        Some(KeyStatus::Inactive)
    );
}

/// An aliyun CLI config whose `rotator` profile assumes ramkey-rotator for
/// 15 minutes with the demo caller's key.
fn role_profile(world: &World) -> String {
    serde_json::json!({
        "current": "rotator",
        "profiles": [
            {"name": "rotator", "mode": "RamRoleArn",
             "access_key_id": world.sandbox.caller_access_key_id(),
             "access_key_secret": world.sandbox.caller_secret().expose(),
             "ram_role_arn": ROTATOR, "ram_session_name": "wizard", "expired_seconds": 900,
             "region_id": "cn-hangzhou"}
        ]
    })
    .to_string()
}

#[tokio::test]
async fn a_throttled_step_says_so_on_the_status_line_then_finishes() {
    let world = World::demo().await;
    let (observer, mut retries) = event_loop::retry_channel();
    let client = world.caller_client(Timeouts::default(), no_waiting().observed_by(observer));
    let (mut app, mut backend) = wizard_as(&world, client, true).await;
    let idle_key = app.snapshot.user("billing-exporter").unwrap().keys[0]
        .access_key_id
        .clone();
    up_to_the_disable_step(&mut app, &mut backend).await;
    while retries.try_recv().is_ok() {}
    world.sandbox.set_faults(Faults {
        throttle: Some(Schedule::first(2).only(&["UpdateAccessKey"])),
        ..Faults::none()
    });

    type_text(&mut app, "billing-exporter");
    let effects = tap(&mut app, &[KeyCode::Enter]);
    let [effect] = &effects[..] else {
        panic!("{effects:?}")
    };
    let result = backend.perform(effect.clone()).await;
    // What the event loop does with each notice while the call waits.
    while let Ok(notice) = retries.try_recv() {
        app.update(Msg::Retrying(notice));
    }
    let drawn = draw(&app, 160, 24);
    let status = drawn
        .lines()
        .find(|line| line.contains("working…"))
        .unwrap_or_default();
    assert!(
        status.contains("UpdateAccessKey: throttled (Throttling.User), retrying in"),
        "{drawn}"
    );
    assert!(status.contains("(try 3 of 5)"), "{status}");
    app.update(Msg::Performed(result));

    assert!(app.dialog.is_none(), "{:?}", app.dialog);
    assert!(!draw(&app, 160, 24).contains("retrying"));
    assert_eq!(
        world.key_status("billing-exporter", &idle_key),
        Some(KeyStatus::Inactive)
    );
}

/// The question the wizard asks instead of a plain error; fails the test
/// when another dialog (or none) is open.
fn offered_question(app: &App) -> &ramkey::ui::question::Question {
    match app.dialog.as_ref().map(|open| &open.dialog) {
        Some(Dialog::Ask(question, Then::Confirm(..))) => question,
        other => panic!("expected the offer to replace the lost key, got {other:?}"),
    }
}

#[tokio::test]
async fn a_key_whose_secret_was_lost_is_replaced_after_typing_the_new_users_name() {
    let world = World::demo().await;
    let (mut app, mut backend) = wizard(&world).await;
    select(&mut app, "ci-deployer");
    let keys = [KeyCode::Enter; 5]; // open, start the move, accept the name
    drive(&mut app, &mut backend, &keys).await;
    let keys = [KeyCode::Enter, KeyCode::Char('y'), KeyCode::Enter]; // create, copy
    drive(&mut app, &mut backend, &keys).await;
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    world.sandbox.set_faults(Faults {
        reset_after_acting: Some(Schedule::first(1).only(&["CreateAccessKey"])),
        ..Faults::none()
    });

    drive(
        &mut app,
        &mut backend,
        &[KeyCode::Enter, KeyCode::Char('y')],
    )
    .await;

    let lost = world
        .sandbox
        .account_snapshot()
        .user("ci-deployer-v2")
        .unwrap()
        .access_keys[..]
        .iter()
        .map(|key| key.access_key_id.clone())
        .collect::<Vec<_>>();
    let [lost] = &lost[..] else {
        panic!("one key was created: {lost:?}")
    };
    let question = offered_question(&app);
    let said = question.body.join(" ");
    assert!(said.contains("can never be used"), "{said}");
    assert!(
        said.contains(&format!("ramkey can delete {lost}")),
        "{said}"
    );
    let drawn = draw(&app, 100, 32);
    assert!(
        drawn.contains("Replace the lost key: delete it and create a fresh one? [y/n]"),
        "{drawn}"
    );

    // No: nothing changes; running the step again finds the key and offers again.
    drive(&mut app, &mut backend, &[KeyCode::Char('n')]).await;
    assert!(app.dialog.is_none(), "{:?}", app.dialog);
    drive(
        &mut app,
        &mut backend,
        &[KeyCode::Enter, KeyCode::Char('y')],
    )
    .await;
    assert!(
        offered_question(&app)
            .body
            .join(" ")
            .contains(lost.as_str())
    );

    // Yes, then the new user's name: the flagged user's does not do.
    drive(&mut app, &mut backend, &[KeyCode::Char('y')]).await;
    type_text(&mut app, "ci-deployer");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    assert!(matches!(
        app.dialog.as_ref().map(|open| &open.dialog),
        Some(Dialog::Confirm(..))
    ));
    type_text(&mut app, "-v2");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;

    let drawn = draw(&app, 120, 32);
    assert!(drawn.contains("never be shown again"), "{drawn}");
    assert!(
        app.notice
            .as_deref()
            .unwrap_or_default()
            .contains(&format!("Deleted the lost key {lost}"))
    );
    let account = world.sandbox.account_snapshot();
    let keys = &account.user("ci-deployer-v2").unwrap().access_keys;
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_ne!(&keys[0].access_key_id, lost);
    drive(
        &mut app,
        &mut backend,
        &[KeyCode::Char('s'), KeyCode::Char('y')],
    )
    .await;
    assert_eq!(progress(&app, "ci-deployer"), "5/11 steps");
}

#[tokio::test]
async fn a_secret_lost_in_its_dialog_is_replaced_after_a_restart_by_answering_no() {
    let world = World::demo().await;
    let (mut app, mut backend) = wizard(&world).await;
    select(&mut app, "ci-deployer");
    let keys = [KeyCode::Enter; 5]; // open, start the move, accept the name
    drive(&mut app, &mut backend, &keys).await;
    let keys = [KeyCode::Enter, KeyCode::Char('y'), KeyCode::Enter]; // create, copy
    drive(&mut app, &mut backend, &keys).await;
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    drive(
        &mut app,
        &mut backend,
        &[KeyCode::Enter, KeyCode::Char('y')],
    )
    .await;
    assert!(draw(&app, 120, 32).contains("never be shown again"));
    let lost = world
        .sandbox
        .account_snapshot()
        .user("ci-deployer-v2")
        .unwrap()
        .access_keys[0]
        .access_key_id
        .clone();

    // Quit with the secret on screen, never confirmed; start afresh.
    drop((app, backend));
    assert_eq!(
        world.step_on_disk("ci-deployer"),
        Some(StepKind::ConfirmSecretStored)
    );
    let (mut app, mut backend) = wizard(&world).await;
    select(&mut app, "ci-deployer");
    drive(&mut app, &mut backend, &[KeyCode::Enter, KeyCode::Enter]).await;
    let drawn = draw(&app, 120, 32);
    assert!(drawn.contains("Is the secret stored? [y/n]"), "{drawn}");

    // No: the way out names the key it deletes and wants the new user's name.
    drive(&mut app, &mut backend, &[KeyCode::Char('n')]).await;
    let Some(Dialog::Confirm(confirm, _)) = app.dialog.as_ref().map(|open| &open.dialog) else {
        panic!("expected the typed confirmation, got {:?}", app.dialog);
    };
    let said = confirm.body.join(" ");
    assert!(
        said.contains(&format!("ramkey will delete {lost}")),
        "{said}"
    );
    type_text(&mut app, "ci-deployer");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    assert_eq!(
        world.step_on_disk("ci-deployer"),
        Some(StepKind::ConfirmSecretStored),
        "a wrong name records nothing"
    );
    type_text(&mut app, "-v2");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;

    let drawn = draw(&app, 120, 32);
    assert!(drawn.contains("never be shown again"), "{drawn}");
    assert!(
        app.notice
            .as_deref()
            .unwrap_or_default()
            .contains(&format!("Deleted the lost key {lost}")),
        "{:?}",
        app.notice
    );
    let account = world.sandbox.account_snapshot();
    let keys = &account.user("ci-deployer-v2").unwrap().access_keys;
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_ne!(keys[0].access_key_id, lost);
    assert!(drawn.contains(&keys[0].access_key_id), "{drawn}");
    assert_eq!(
        world.step_on_disk("ci-deployer"),
        Some(StepKind::ConfirmSecretStored)
    );
    let state = String::from_utf8(world.state_bytes()).unwrap();
    assert!(state.contains(&format!("replaces {lost}")), "{state}");
    drive(
        &mut app,
        &mut backend,
        &[KeyCode::Char('s'), KeyCode::Char('y')],
    )
    .await;
    assert_eq!(progress(&app, "ci-deployer"), "5/11 steps");
}

/// A scan the service keeps failing ends in an error dialog that still has
/// every part: a code line, the message in the client's words (not a
/// rotation's, since there is none), the RequestId line and what to try.
#[tokio::test]
async fn a_scan_the_service_keeps_failing_gets_a_whole_error_dialog() {
    let world = World::demo().await;
    world.sandbox.set_faults(Faults {
        unavailable: Some(Schedule::every(1).only(&["ListUsers"])),
        ..Faults::none()
    });
    let clock: Arc<dyn Clock> = Arc::new(world.clock.clone());
    let Err(error) = EngineBackend::start(world.engine(), clock).await else {
        panic!("the scan must fail");
    };
    let view = ramkey::ui::engine_bridge::error_view("Scanning the account", &error);
    assert!(
        view.message.contains("ListUsers still failed after"),
        "{}",
        view.message
    );
    assert!(!view.message.contains("rotation"), "{}", view.message);
    let hint = view.hint.as_deref().expect("a hint");
    assert!(hint.contains("wait a few minutes and try again"), "{hint}");

    let mut app = ui_support::app();
    app.update(Msg::Performed(Err(view)));
    let drawn = draw(&app, 120, 32);
    for part in [
        "Code     : none",
        "RequestId: none",
        "What to try: The service kept",
    ] {
        assert!(drawn.contains(part), "{part:?} in\n{drawn}");
    }
}

/// An `unknown` key says why it is unknown in the scan's own words, on the
/// user's screen and in the typed override (here: a key too new to judge).
#[tokio::test]
async fn an_unknown_key_says_why_in_the_scans_words() {
    let world = World::demo().await;
    let (mut app, mut backend) = wizard(&world).await;
    let user = app.snapshot.user("data-sync").expect("flagged").clone();
    let unknown = user
        .keys
        .iter()
        .find(|key| key.verdict == Verdict::Unknown)
        .expect("an unknown key");
    let reason = unknown.reason.clone().expect("the scan's reason");
    assert!(reason.contains("too new to judge"), "{reason}");

    select(&mut app, "data-sync");
    drive(&mut app, &mut backend, &[KeyCode::Enter]).await;
    let screen = draw(&app, 160, 40);
    assert!(
        screen.contains("too new to judge (under 90 days) (not proof of no use)"),
        "{screen}"
    );
    let why = ramkey::ui::override_dialog::why_not_idle(unknown);
    assert!(why.contains("too new to judge"), "{why}");
    assert!(why.contains("does not show it is unused"), "{why}");
}
