//! The disable-idle path end to end against the in-process sandbox: review,
//! disable (typed name), wait, re-check, delete; and every refusal on the way.

mod rotation_support;

use chrono::Duration;
use ramkey::cloud::model::KeyStatus;
use ramkey::rotation::{Action, Confirmation, EngineError, PathKind, Start, StepKind, StepStatus};
use rotation_support::{World, ok, refused};

const USER: &str = "billing-exporter";
const IDLE_KEY: &str = "LTAI5tHYcNLlk2r7wbVdZbSe";
const BUSY_KEY: &str = "LTAI5tj7wYlNzO8u2xVXitmg";

fn start() -> Action {
    Action::Start(Start::DisableIdle {
        key_id: IDLE_KEY.to_owned(),
    })
}

#[tokio::test]
async fn the_idle_path_from_review_to_deletion() {
    let world = World::demo().await;
    let mut engine = world.engine();

    let outcome = ok(&mut engine, USER, start()).await;
    assert_eq!(outcome.rotation.path, PathKind::DisableIdle);
    assert_eq!(outcome.rotation.current, Some(StepKind::Review));

    ok(&mut engine, USER, Action::ConfirmReview).await;
    let error = refused(
        &world,
        &mut engine,
        USER,
        Action::DisableKey(Confirmation::typed("billing")),
    )
    .await;
    assert!(
        matches!(error, EngineError::ConfirmationMismatch { .. }),
        "{error}"
    );
    assert_eq!(world.key_status(USER, IDLE_KEY), Some(KeyStatus::Active));

    let disabled = ok(
        &mut engine,
        USER,
        Action::DisableKey(Confirmation::typed(USER)),
    )
    .await;
    assert_eq!(world.key_status(USER, IDLE_KEY), Some(KeyStatus::Inactive));
    assert_eq!(world.key_status(USER, BUSY_KEY), Some(KeyStatus::Active));
    let due = disabled
        .rotation
        .delete_after
        .expect("deletion date recorded");
    assert_eq!(due, world.now() + Duration::days(90));
    assert!(matches!(
        disabled.rotation.steps[3].status,
        StepStatus::Waiting { until } if until == due
    ));
    let StepStatus::Done { request_ids, .. } = &disabled.rotation.steps[1].status else {
        panic!("disable not done");
    };
    assert_eq!(
        request_ids.len(),
        1,
        "the UpdateAccessKey RequestId is recorded"
    );

    let error = refused(
        &world,
        &mut engine,
        USER,
        Action::DeleteKey(Confirmation::typed(USER)),
    )
    .await;
    assert!(matches!(error, EngineError::NotDue { .. }), "{error}");

    world.advance(Duration::days(90));
    let deleted = ok(
        &mut engine,
        USER,
        Action::DeleteKey(Confirmation::typed(USER)),
    )
    .await;
    assert!(deleted.rotation.is_complete());
    assert_eq!(world.key_status(USER, IDLE_KEY), None);
    assert_eq!(world.key_status(USER, BUSY_KEY), Some(KeyStatus::Active));

    let error = refused(&world, &mut engine, USER, Action::ConfirmReview).await;
    assert!(matches!(error, EngineError::NoRotation { .. }), "{error}");
}

#[tokio::test]
async fn a_key_that_is_not_idle_cannot_start_the_disable_path() {
    let world = World::demo().await;
    let mut engine = world.engine();
    let cases = [
        ("billing-exporter", BUSY_KEY, "in_use"),
        // A key created yesterday and never used: too new to judge.
        ("data-sync", "LTAI5tclG3ZlvP6q1tFB9szn", "unknown"),
    ];
    for (user, key_id, verdict) in cases {
        let action = Action::Start(Start::DisableIdle {
            key_id: key_id.to_owned(),
        });
        let error = refused(&world, &mut engine, user, action).await;
        let EngineError::KeyNotIdle { verdict: got, .. } = &error else {
            panic!("{user}: {error}");
        };
        assert_eq!(got.as_str(), verdict, "{user}");
    }
    assert!(engine.rotations().is_empty());
}

#[tokio::test]
async fn users_that_are_not_flagged_cannot_be_rotated() {
    let world = World::demo().await;
    let mut engine = world.engine();
    // One Active key; Active + Inactive (BC-07: holds both slots, not the finding).
    for (user, key_id) in [
        ("backup-agent", "LTAI5tim31jEG7YGFXUDOba9"),
        ("log-shipper", "LTAI5t1JAwM8qGrzy2V8wXfc"),
    ] {
        let action = Action::Start(Start::MoveToNewUser {
            key_id: key_id.to_owned(),
        });
        let error = refused(&world, &mut engine, user, action).await;
        assert!(
            matches!(error, EngineError::NotFlagged { active: 1, .. }),
            "{user}: {error}"
        );
    }
}

#[tokio::test]
async fn actions_of_other_steps_are_refused_and_change_nothing() {
    let world = World::demo().await;
    let mut engine = world.engine();
    ok(&mut engine, USER, start()).await;

    for action in [
        Action::DisableKey(Confirmation::typed(USER)),
        Action::DeleteKey(Confirmation::typed(USER)),
        Action::CreateKey,
        Action::SetName("x-v2".to_owned()),
        start(),
    ] {
        let error = refused(&world, &mut engine, USER, action).await;
        assert!(
            matches!(
                error,
                EngineError::WrongStep {
                    current: Some(StepKind::Review),
                    ..
                } | EngineError::AlreadyStarted { .. }
            ),
            "{error}"
        );
    }
    assert_eq!(world.key_status(USER, IDLE_KEY), Some(KeyStatus::Active));
}

#[tokio::test]
async fn a_key_re_enabled_or_used_after_the_disable_is_not_deleted() {
    let world = World::demo().await;
    let mut engine = world.engine();
    ok(&mut engine, USER, start()).await;
    ok(&mut engine, USER, Action::ConfirmReview).await;
    ok(
        &mut engine,
        USER,
        Action::DisableKey(Confirmation::typed(USER)),
    )
    .await;

    // Someone re-enables the key in the console and an application uses it.
    world.advance(Duration::hours(1));
    let console = world.client.clone();
    console
        .update_access_key(USER, IDLE_KEY, KeyStatus::Active)
        .await
        .unwrap();
    world
        .client_as(IDLE_KEY)
        .get_caller_identity()
        .await
        .unwrap();
    world.advance(Duration::days(90));

    let error = refused(
        &world,
        &mut engine,
        USER,
        Action::DeleteKey(Confirmation::typed(USER)),
    )
    .await;
    assert!(matches!(error, EngineError::KeyReEnabled { .. }), "{error}");

    // Disabled again, but the use after ramkey's disable is on record.
    console
        .update_access_key(USER, IDLE_KEY, KeyStatus::Inactive)
        .await
        .unwrap();
    let error = refused(
        &world,
        &mut engine,
        USER,
        Action::DeleteKey(Confirmation::typed(USER)),
    )
    .await;
    assert!(
        matches!(error, EngineError::UsedAfterDisable { .. }),
        "{error}"
    );
    assert_eq!(world.key_status(USER, IDLE_KEY), Some(KeyStatus::Inactive));
    assert_eq!(engine.next_step(USER), Some(StepKind::DeleteKey));
}

#[tokio::test]
async fn a_key_already_disabled_or_deleted_outside_is_recorded_without_a_second_call() {
    let world = World::demo().await;
    let mut engine = world.engine();
    ok(&mut engine, USER, start()).await;
    ok(&mut engine, USER, Action::ConfirmReview).await;

    // As if ramkey had disabled it and died before recording.
    world
        .client
        .update_access_key(USER, IDLE_KEY, KeyStatus::Inactive)
        .await
        .unwrap();
    let disabled = ok(
        &mut engine,
        USER,
        Action::DisableKey(Confirmation::typed(USER)),
    )
    .await;
    let StepStatus::Done {
        request_ids, note, ..
    } = &disabled.rotation.steps[1].status
    else {
        panic!("not done");
    };
    assert!(request_ids.is_empty());
    assert_eq!(note.as_deref(), Some("already Inactive"));

    world.advance(Duration::days(91));
    world
        .client
        .delete_access_key(USER, IDLE_KEY)
        .await
        .unwrap();
    let deleted = ok(
        &mut engine,
        USER,
        Action::DeleteKey(Confirmation::typed(USER)),
    )
    .await;
    assert!(deleted.rotation.is_complete());
}

#[tokio::test]
async fn a_restarted_engine_resumes_the_idle_path_at_every_step() {
    let world = World::demo().await;
    let script = [
        (None, start()),
        (Some(StepKind::Review), Action::ConfirmReview),
        (
            Some(StepKind::DisableKey),
            Action::DisableKey(Confirmation::typed(USER)),
        ),
        (
            Some(StepKind::DeleteKey),
            Action::DeleteKey(Confirmation::typed(USER)),
        ),
    ];
    for (expected, action) in script {
        let mut engine = world.engine();
        assert_eq!(engine.next_step(USER), expected);
        assert_eq!(world.step_on_disk(USER), expected);
        if expected == Some(StepKind::DeleteKey) {
            let plan = engine.plan(USER).unwrap();
            assert!(matches!(plan.steps[3].status, StepStatus::Waiting { .. }));
            world.advance(Duration::days(90));
        }
        ok(&mut engine, USER, action).await;
    }
    let engine = world.engine();
    assert_eq!(engine.next_step(USER), None);
    assert!(engine.plan(USER).unwrap().is_complete());
    assert_eq!(engine.rotations().len(), 1);
}
