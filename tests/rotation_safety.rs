//! The safety rules around retiring a key: the rollback (re-enable while the
//! key waits for deletion), ramkey's own key (BC-11), the waiting period fixed
//! per rotation, and the key limit (BC-07).

mod rotation_support;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use chrono::Duration;
use ramkey::cloud::model::KeyStatus;
use ramkey::cloud::retry::Sleeper;
use ramkey::cloud::{Client, Retry, Timeouts};
use ramkey::rotation::{
    Action, Confirmation, EngineError, EngineOptions, Start, StepKind, StepStatus,
};
use ramkey::sandbox::{Account, Faults, Schedule};
use ramkey::state::{AuditKind, AuditOutcome, WriteCall};
use rotation_support::{
    IDLE_KEY, IDLE_USER, MOVE_USER, MOVED_KEY, NEW_USER, World, idle_until, move_until, ok, refused,
};

fn re_enable(typed: &str, reason: &str) -> Action {
    Action::ReEnableKey {
        confirmation: Confirmation::typed(typed),
        reason: Some(reason.to_owned()),
    }
}

#[tokio::test]
async fn a_rollback_on_the_idle_path_re_enables_the_key_and_goes_back_to_disable() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    let mut engine = world.engine();

    let error = refused(&world, &mut engine, IDLE_USER, re_enable("billing", "x")).await;
    assert!(
        matches!(error, EngineError::ConfirmationMismatch { .. }),
        "{error}"
    );
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Inactive)
    );

    let outcome = ok(
        &mut engine,
        IDLE_USER,
        re_enable(IDLE_USER, "the nightly export failed"),
    )
    .await;
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Active)
    );
    assert_eq!(outcome.rotation.current, Some(StepKind::DisableKey));
    assert_eq!(outcome.rotation.rollbacks, 1);
    assert_eq!(outcome.rotation.delete_after, None);
    assert!(
        matches!(outcome.rotation.steps[0].status, StepStatus::Done { .. }),
        "the review is kept"
    );

    let rotation = world.rotation_on_disk(IDLE_USER);
    assert_eq!(rotation.rollbacks.len(), 1);
    let rollback = &rotation.rollbacks[0];
    assert_eq!(
        rollback.reason.as_deref(),
        Some("the nightly export failed")
    );
    assert_eq!(rollback.record.request_ids.len(), 1);

    let lines = world.audit_lines();
    let confirmation = lines
        .iter()
        .find(|line| line.kind == AuditKind::Confirmation && line.action == "re_enable_key")
        .expect("the rollback's confirmation");
    assert_eq!(
        confirmation.detail.as_deref(),
        Some("the nightly export failed")
    );
    let outcome_line = lines.last().unwrap();
    assert_eq!(outcome_line.kind, AuditKind::Outcome);
    assert_eq!(outcome_line.outcome, Some(AuditOutcome::Done));
    assert!(outcome_line.target.contains("(Active)"), "{outcome_line:?}");

    // Disabled again later, with a fresh deletion date.
    world.advance(Duration::days(3));
    let again = ok(
        &mut engine,
        IDLE_USER,
        Action::DisableKey(Confirmation::typed(IDLE_USER)),
    )
    .await;
    assert_eq!(
        again.rotation.delete_after,
        Some(world.now() + Duration::days(90))
    );
}

#[tokio::test]
async fn a_rollback_on_the_move_path_goes_back_to_confirm_production_keeping_staging() {
    let world = World::demo().await;
    move_until(&world, StepKind::DeleteKey).await;
    let mut engine = world.engine();

    let outcome = ok(&mut engine, MOVE_USER, re_enable(MOVE_USER, "batch jobs")).await;
    assert_eq!(
        world.key_status(MOVE_USER, MOVED_KEY),
        Some(KeyStatus::Active)
    );
    assert_eq!(outcome.rotation.current, Some(StepKind::ConfirmProduction));
    assert_eq!(outcome.rotation.rollbacks, 1);
    let staging = &outcome.rotation.steps[5];
    assert_eq!(staging.kind, StepKind::ConfirmStaging);
    assert!(matches!(staging.status, StepStatus::Done { .. }));
    assert!(outcome.rotation.new_key_id.is_some(), "the new key is kept");

    ok(&mut engine, MOVE_USER, Action::ConfirmProduction).await;
    assert_eq!(engine.next_step(MOVE_USER), Some(StepKind::DisableKey));
}

#[tokio::test]
async fn a_rollback_is_offered_only_while_the_key_waits_for_deletion() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DisableKey).await;
    let error = refused(
        &world,
        &mut world.engine(),
        IDLE_USER,
        re_enable(IDLE_USER, "early"),
    )
    .await;
    assert!(matches!(error, EngineError::WrongStep { .. }), "{error}");
    assert_eq!(world.requests_for("UpdateAccessKey"), 0);
}

/// The demo account where ramkey signs with the key the move path retires
/// (BC-11), with the RAM rights it needs.
fn signing_with_the_moved_key() -> Account {
    let mut account = Account::demo();
    MOVED_KEY.clone_into(&mut account.caller_access_key_id);
    let admin = account.user("ramkey-admin").unwrap().policies.clone();
    account.user_mut(MOVE_USER).unwrap().policies.extend(admin);
    account
}

#[tokio::test]
async fn ramkeys_own_key_is_refused_with_how_to_restart_and_nothing_is_audited_as_confirmed() {
    let world = World::with_account(signing_with_the_moved_key()).await;
    move_until(&world, StepKind::DisableKey).await;
    let before = world.audit_lines().len();

    let error = refused(
        &world,
        &mut world.engine(),
        MOVE_USER,
        Action::DisableKey(Confirmation::typed(MOVE_USER)),
    )
    .await;
    assert!(matches!(error, EngineError::OwnKey { .. }), "{error}");
    let text = error.to_string();
    for needed in ["RamRoleArn", "--profile", "docs/credentials.md", "STS"] {
        assert!(text.contains(needed), "{needed} not in {text}");
    }
    assert_eq!(world.requests_for("UpdateAccessKey"), 0);
    assert_eq!(world.audit_lines().len(), before);
}

/// The demo account where another admin (the "console") can act on
/// ramkey's own user.
fn with_a_second_admin() -> Account {
    let mut account = Account::demo();
    let admin = account.user("ramkey-admin").unwrap().policies.clone();
    account
        .user_mut("security-audit")
        .unwrap()
        .policies
        .extend(admin);
    account
}

const CONSOLE_KEY: &str = "LTAI5tso6pJhdOferbDESaGN";

#[tokio::test]
async fn ramkeys_own_key_disabled_mid_rotation_stops_with_a_plain_message() {
    let world = World::with_account(with_a_second_admin()).await;
    move_until(&world, StepKind::CopyPermissions).await;
    let own = world.sandbox.caller_access_key_id().to_owned();
    world
        .client_as(CONSOLE_KEY)
        .update_access_key("ramkey-admin", &own, KeyStatus::Inactive)
        .await
        .unwrap();

    let error = refused(
        &world,
        &mut world.engine(),
        MOVE_USER,
        Action::CopyPermissions(rotation_support::grants_to_copy()),
    )
    .await;
    let EngineError::OwnKeyDisabled { key_id, doing, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(key_id, &own);
    assert!(doing.contains("Copy policies and groups"), "{doing}");
    let text = error.to_string();
    assert!(text.contains("InvalidAccessKeyId.Inactive"), "{text}");
    assert!(text.contains("every step completed so far"), "{text}");
    assert_eq!(
        world.step_on_disk(MOVE_USER),
        Some(StepKind::CopyPermissions)
    );

    // A left-over intent is not settled without credentials either; it stays.
    world.leave_intent(
        MOVE_USER,
        WriteCall::AddUserToGroup {
            user_name: NEW_USER.to_owned(),
            group_name: "deployers".to_owned(),
        },
    );
    let error = world.engine().reconcile(MOVE_USER).await.unwrap_err();
    assert!(
        matches!(error, EngineError::OwnKeyDisabled { .. }),
        "{error}"
    );
    assert!(world.rotation_on_disk(MOVE_USER).pending.is_some());
    assert_eq!(
        world.write_requests(),
        2,
        "CreateUser and the console's disable only"
    );
}

#[tokio::test]
async fn the_wait_is_the_rotations_own_whatever_the_engine_says_later() {
    let world = World::demo().await;
    let mut short = world.engine_with_options(EngineOptions {
        wait_days: 30,
        ..EngineOptions::default()
    });
    let start = Action::Start(Start::DisableIdle {
        key_id: IDLE_KEY.to_owned(),
    });
    let started = ok(&mut short, IDLE_USER, start).await;
    assert_eq!(started.rotation.wait_days, 30);
    drop(short);

    // Resumed by a ramkey started with the default 90 days.
    let mut engine = world.engine();
    ok(&mut engine, IDLE_USER, Action::ConfirmReview).await;
    let disabled = ok(
        &mut engine,
        IDLE_USER,
        Action::DisableKey(Confirmation::typed(IDLE_USER)),
    )
    .await;
    let due = world.now() + Duration::days(30);
    assert_eq!(disabled.rotation.delete_after, Some(due));
    assert!(
        disabled.summary.contains("Cloud Config"),
        "{}",
        disabled.summary
    );
    assert!(disabled.rotation.explanation.contains("recycle bin"));
    assert!(disabled.rotation.explanation.contains("Cloud Config"));

    world.advance(Duration::days(29));
    let error = refused(
        &world,
        &mut engine,
        IDLE_USER,
        Action::DeleteKey(Confirmation::typed(IDLE_USER)),
    )
    .await;
    assert!(matches!(error, EngineError::NotDue { .. }), "{error}");
    world.advance(Duration::days(1));
    let deleted = ok(
        &mut engine,
        IDLE_USER,
        Action::DeleteKey(Confirmation::typed(IDLE_USER)),
    )
    .await;
    assert!(
        deleted.summary.contains("Cloud Config"),
        "{}",
        deleted.summary
    );
    assert!(
        deleted.summary.contains("recycle bin for 30 days"),
        "{}",
        deleted.summary
    );
    assert_eq!(world.key_status(IDLE_USER, IDLE_KEY), None);
}

#[tokio::test]
async fn a_key_used_after_its_disable_is_not_deleted() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    // Re-enabled for a while in the console, used, and disabled again.
    world.advance(Duration::days(10));
    world
        .client
        .update_access_key(IDLE_USER, IDLE_KEY, KeyStatus::Active)
        .await
        .unwrap();
    world
        .client_as(IDLE_KEY)
        .get_caller_identity()
        .await
        .unwrap();
    world
        .client
        .update_access_key(IDLE_USER, IDLE_KEY, KeyStatus::Inactive)
        .await
        .unwrap();
    world.advance(Duration::days(81));

    let error = refused(
        &world,
        &mut world.engine(),
        IDLE_USER,
        Action::DeleteKey(Confirmation::typed(IDLE_USER)),
    )
    .await;
    assert!(
        matches!(error, EngineError::UsedAfterDisable { .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("after it was disabled"),
        "{error}"
    );
    assert_eq!(world.requests_for("DeleteAccessKey"), 0);
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Inactive)
    );
    assert!(error.to_string().contains("disable again"), "{error}");

    // The way on: a new disable record whose wait counts from now; the key
    // is Inactive already, so nothing is called.
    let updates = world.requests_for("UpdateAccessKey");
    let mut engine = world.engine();
    let outcome = ok(
        &mut engine,
        IDLE_USER,
        Action::DisableAgain(Confirmation::typed(IDLE_USER)),
    )
    .await;
    assert!(
        outcome.summary.contains("used after the disable"),
        "{}",
        outcome.summary
    );
    assert_eq!(world.requests_for("UpdateAccessKey"), updates);
    let plan = engine.plan(IDLE_USER).unwrap();
    assert_eq!(plan.current, Some(StepKind::DeleteKey));
    assert_eq!(plan.delete_after, Some(world.now() + Duration::days(90)));
    let audited = world.audit_lines();
    let again = audited
        .iter()
        .find(|line| line.action == "disable_again")
        .expect("the confirmation is audited");
    let detail = again.detail.clone().unwrap_or_default();
    assert!(detail.contains("replaces the disable of"), "{detail}");
}

#[tokio::test]
async fn a_key_re_enabled_outside_is_disabled_again_with_a_new_wait_on_the_admins_word() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    world.advance(Duration::days(91));
    world
        .client
        .update_access_key(IDLE_USER, IDLE_KEY, KeyStatus::Active)
        .await
        .unwrap();
    let mut engine = world.engine();
    let error = refused(
        &world,
        &mut engine,
        IDLE_USER,
        Action::DeleteKey(Confirmation::typed(IDLE_USER)),
    )
    .await;
    assert!(error.to_string().contains("disable again"), "{error}");
    let wrong = Action::DisableAgain(Confirmation::typed("someone"));
    let error = refused(&world, &mut engine, IDLE_USER, wrong).await;
    assert!(
        matches!(error, EngineError::ConfirmationMismatch { .. }),
        "{error}"
    );

    let updates = world.requests_for("UpdateAccessKey");
    ok(
        &mut engine,
        IDLE_USER,
        Action::DisableAgain(Confirmation::typed(IDLE_USER)),
    )
    .await;
    assert_eq!(world.requests_for("UpdateAccessKey"), updates + 1);
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Inactive)
    );
    let plan = engine.plan(IDLE_USER).unwrap();
    assert_eq!(plan.delete_after, Some(world.now() + Duration::days(90)));
    assert_eq!(plan.current, Some(StepKind::DeleteKey));
    // Not due again until the new date; then deleted as usual.
    let error = refused(
        &world,
        &mut engine,
        IDLE_USER,
        Action::DeleteKey(Confirmation::typed(IDLE_USER)),
    )
    .await;
    assert!(matches!(error, EngineError::NotDue { .. }), "{error}");
    // Nothing left to disable again once it is Inactive and unused.
    let again = Action::DisableAgain(Confirmation::typed(IDLE_USER));
    let error = refused(&world, &mut engine, IDLE_USER, again).await;
    assert!(
        matches!(error, EngineError::NothingToDisableAgain { .. }),
        "{error}"
    );
}

/// A retry wait that, the first time, fills the new user's two key slots
/// through another client (as keys left by an interrupted run would).
struct FillsTheSlots {
    filler: Mutex<Option<Client>>,
}

impl Sleeper for FillsTheSlots {
    fn sleep(&self, _wait: std::time::Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let filler = self.filler.lock().unwrap().take();
        Box::pin(async move {
            let Some(client) = filler else { return };
            client.create_access_key(NEW_USER).await.unwrap();
            let second = client.create_access_key(NEW_USER).await.unwrap();
            client
                .update_access_key(NEW_USER, &second.value.access_key_id, KeyStatus::Inactive)
                .await
                .unwrap();
        })
    }
}

#[tokio::test]
async fn a_key_limit_is_audited_as_failed_not_retried_and_explains_slots() {
    let world = World::demo().await;
    move_until(&world, StepKind::CreateKey).await;
    let sleeper = FillsTheSlots {
        filler: Mutex::new(Some(world.client.clone())),
    };
    let client = world.caller_client(Timeouts::default(), Retry::with_sleeper(Arc::new(sleeper)));
    world.sandbox.set_faults(Faults {
        throttle: Some(Schedule::first(1).only(&["CreateAccessKey"])),
        ..Faults::none()
    });

    let error = refused(
        &world,
        &mut world.engine_with(client),
        MOVE_USER,
        Action::CreateKey,
    )
    .await;
    let EngineError::KeyLimit { held, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(held.len(), 2);
    let text = error.to_string();
    assert!(text.contains("not by disabling it"), "{text}");
    assert!(text.contains("Inactive"), "{text}");
    // Throttled, the filler's two, the refusal: never tried again.
    assert_eq!(world.requests_for("CreateAccessKey"), 4);

    let outcome = world
        .audit_lines()
        .into_iter()
        .rfind(|line| line.kind == AuditKind::Outcome)
        .unwrap();
    assert_eq!(outcome.action, "CreateAccessKey");
    assert_eq!(outcome.outcome, Some(AuditOutcome::Failed));
    assert!(
        outcome
            .detail
            .as_deref()
            .unwrap()
            .starts_with("LimitExceeded.User.AccessKey: "),
        "{outcome:?}"
    );
    assert!(world.rotation_on_disk(MOVE_USER).pending.is_none());
}

#[tokio::test]
async fn a_read_only_state_file_refuses_every_action_before_any_call() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DisableKey).await;
    world.leave_intent(
        IDLE_USER,
        WriteCall::UpdateAccessKey {
            user_name: IDLE_USER.to_owned(),
            access_key_id: IDLE_KEY.to_owned(),
            status: KeyStatus::Inactive,
        },
    );
    // As written by a newer ramkey.
    let mut file: serde_json::Value = serde_json::from_slice(&world.state_bytes()).unwrap();
    file["schema_version"] = serde_json::json!(99);
    std::fs::write(&world.state, serde_json::to_vec_pretty(&file).unwrap()).unwrap();
    let bytes = world.state_bytes();
    let audit_lines = world.audit_lines().len();
    let requests = world.sandbox.requests().len();

    let mut engine = world.engine();
    let reason = engine.read_only().expect("read-only");
    assert!(reason.contains("99"), "{reason}");
    let actions = [
        Action::DisableKey(Confirmation::typed(IDLE_USER)),
        Action::Start(Start::MoveToNewUser {
            key_id: MOVED_KEY.to_owned(),
        }),
        Action::ConfirmReview,
    ];
    for (user, action) in [IDLE_USER, MOVE_USER, IDLE_USER].into_iter().zip(actions) {
        let error = engine.perform(user, action).await.unwrap_err();
        assert!(matches!(error, EngineError::ReadOnly { .. }), "{error}");
        assert!(error.to_string().contains("read-only"), "{error}");
    }
    let error = engine.reconcile(IDLE_USER).await.unwrap_err();
    assert!(matches!(error, EngineError::ReadOnly { .. }), "{error}");
    assert!(matches!(
        engine.reconcile_all().await[..],
        [(_, Err(EngineError::ReadOnly { .. }))]
    ));
    assert_eq!(
        world.sandbox.requests().len(),
        requests,
        "an API call was made"
    );

    // Reading is still fine: drift and the plan.
    assert_eq!(engine.drift(IDLE_USER).await.unwrap(), []);
    assert!(engine.plan(IDLE_USER).unwrap().pending.is_some());
    drop(engine);
    assert_eq!(world.state_bytes(), bytes);
    assert_eq!(world.audit_lines().len(), audit_lines);
}
