//! Drift: changes made outside ramkey are reported by `Engine::drift`
//! (reading only) and never overwritten; a step that would act on a drifted
//! fact refuses, naming it.

mod rotation_support;

use ramkey::cloud::model::{KeyStatus, PolicyType};
use ramkey::rotation::{Action, Confirmation, Drift, EngineError, StepKind, StepStatus};
use ramkey::state::steps::MoveStep;
use ramkey::state::{AuditKind, Progress};
use rotation_support::{
    IDLE_KEY, IDLE_USER, MOVE_USER, MOVED_KEY, NEW_USER, World, idle_until, move_until, ok, refused,
};

/// `engine.drift(user)`, checking it made no write.
async fn drift_of(world: &World, user: &str) -> Vec<Drift> {
    let writes = world.write_requests();
    let drift = world.engine().drift(user).await.expect("drift reads");
    assert_eq!(world.write_requests(), writes, "drift wrote");
    drift
}

fn new_key_of(world: &World) -> String {
    world
        .engine()
        .plan(MOVE_USER)
        .unwrap()
        .new_key_id
        .expect("a new key")
}

#[tokio::test]
async fn an_untouched_rotation_shows_no_drift() {
    let world = World::demo().await;
    move_until(&world, StepKind::DisableKey).await;
    assert_eq!(drift_of(&world, MOVE_USER).await, []);
    idle_until(&world, StepKind::DeleteKey).await;
    assert_eq!(drift_of(&world, IDLE_USER).await, []);
    assert_eq!(drift_of(&world, "no-rotation-user").await, []);
}

#[tokio::test]
async fn a_disabled_key_re_enabled_in_the_console_is_shown_and_not_deleted() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    world
        .client
        .update_access_key(IDLE_USER, IDLE_KEY, KeyStatus::Active)
        .await
        .unwrap();

    let drift = drift_of(&world, IDLE_USER).await;
    let expected = Drift::KeyReEnabled {
        user: IDLE_USER.to_owned(),
        key_id: IDLE_KEY.to_owned(),
    };
    assert_eq!(drift, std::slice::from_ref(&expected));
    assert!(expected.describe().contains(IDLE_KEY));
    assert!(!expected.advice().is_empty());

    world.advance(chrono::Duration::days(91));
    let error = refused(
        &world,
        &mut world.engine(),
        IDLE_USER,
        Action::DeleteKey(Confirmation::typed(IDLE_USER)),
    )
    .await;
    assert!(matches!(error, EngineError::KeyReEnabled { .. }), "{error}");
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Active)
    );
}

/// The step records' notes, for the steps done.
fn notes(world: &World, user: &str) -> Vec<(StepKind, Option<String>)> {
    let plan = world.engine().plan(user).expect("a rotation");
    plan.steps
        .into_iter()
        .filter_map(|step| match step.status {
            StepStatus::Done { note, .. } => Some((step.kind, note)),
            _ => None,
        })
        .collect()
}

fn recorded_gone(world: &World, user: &str, step: StepKind) -> bool {
    notes(world, user).into_iter().any(|(kind, note)| {
        kind == step && note.is_some_and(|note| note.contains("deleted outside ramkey"))
    })
}

/// The last confirmation line: its action and detail.
fn last_confirmation(world: &World) -> (String, Option<String>) {
    let line = world
        .audit_lines()
        .into_iter()
        .rev()
        .find(|line| line.kind == AuditKind::Confirmation)
        .expect("a confirmation");
    (line.action, line.detail)
}

#[tokio::test]
async fn a_retired_key_deleted_outside_before_its_disable_is_shown_then_recorded_on_confirmation() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DisableKey).await;
    world
        .client
        .delete_access_key(IDLE_USER, IDLE_KEY)
        .await
        .unwrap();

    let expected = Drift::RetiredKeyGone {
        user: IDLE_USER.to_owned(),
        key_id: IDLE_KEY.to_owned(),
    };
    assert_eq!(
        drift_of(&world, IDLE_USER).await,
        std::slice::from_ref(&expected)
    );
    assert!(expected.advice().contains("typing the user name"));
    let plan = world.engine().plan(IDLE_USER).unwrap();
    assert!(
        plan.explanation.contains("deleted outside ramkey"),
        "{}",
        plan.explanation
    );

    let mut engine = world.engine();
    let error = refused(
        &world,
        &mut engine,
        IDLE_USER,
        Action::DisableKey(Confirmation::typed("billing")),
    )
    .await;
    assert!(
        matches!(error, EngineError::ConfirmationMismatch { .. }),
        "{error}"
    );

    let writes = world.write_requests();
    let outcome = ok(
        &mut engine,
        IDLE_USER,
        Action::DisableKey(Confirmation::typed(IDLE_USER)),
    )
    .await;
    assert_eq!(world.write_requests(), writes, "nothing is called");
    drop(engine);
    assert!(outcome.rotation.is_complete(), "{:?}", outcome.rotation);
    assert!(
        outcome.summary.contains("deleted outside ramkey"),
        "{}",
        outcome.summary
    );
    for step in [StepKind::DisableKey, StepKind::DeleteKey] {
        assert!(recorded_gone(&world, IDLE_USER, step), "{step:?}");
    }
    let (action, detail) = last_confirmation(&world);
    assert_eq!(action, "disable_key");
    assert!(
        detail.is_some_and(|detail| detail.contains("deleted outside ramkey")),
        "the confirmation says what was recorded"
    );
    assert!(world.rotation_on_disk(IDLE_USER).progress.is_complete());
}

#[tokio::test]
async fn on_the_move_path_a_retired_key_found_gone_at_the_disable_moves_on_to_the_policy_review() {
    let world = World::demo().await;
    move_until(&world, StepKind::DisableKey).await;
    world
        .client
        .delete_access_key(MOVE_USER, MOVED_KEY)
        .await
        .unwrap();

    let outcome = ok(
        &mut world.engine(),
        MOVE_USER,
        Action::DisableKey(Confirmation::typed(MOVE_USER)),
    )
    .await;
    assert_eq!(outcome.rotation.current, Some(StepKind::ReviewPolicies));
    assert_eq!(outcome.rotation.delete_after, None);
    for step in [StepKind::DisableKey, StepKind::DeleteKey] {
        assert!(recorded_gone(&world, MOVE_USER, step), "{step:?}");
    }
    assert_eq!(drift_of(&world, MOVE_USER).await, []);
}

#[tokio::test]
async fn a_retired_key_deleted_outside_while_it_waits_is_recorded_before_its_due_date() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    world
        .client
        .delete_access_key(IDLE_USER, IDLE_KEY)
        .await
        .unwrap();
    assert!(matches!(
        drift_of(&world, IDLE_USER).await[..],
        [Drift::RetiredKeyGone { .. }]
    ));

    // A rollback has nothing to re-enable, and says what to do instead.
    let mut engine = world.engine();
    let error = refused(
        &world,
        &mut engine,
        IDLE_USER,
        Action::ReEnableKey {
            confirmation: Confirmation::typed(IDLE_USER),
            reason: None,
        },
    )
    .await;
    assert!(
        error.to_string().contains("typing the user name"),
        "{error}"
    );

    let writes = world.write_requests();
    let outcome = ok(
        &mut engine,
        IDLE_USER,
        Action::DeleteKey(Confirmation::typed(IDLE_USER)),
    )
    .await;
    assert_eq!(world.write_requests(), writes, "nothing is called");
    drop(engine);
    assert!(outcome.rotation.is_complete());
    assert!(recorded_gone(&world, IDLE_USER, StepKind::DeleteKey));
    let (action, detail) = last_confirmation(&world);
    assert_eq!(action, "delete_key");
    assert!(detail.is_some_and(|detail| detail.contains("deleted outside ramkey")));
}

#[tokio::test]
async fn a_copied_policy_detached_from_the_new_user_is_shown_not_put_back() {
    let world = World::demo().await;
    move_until(&world, StepKind::ConfirmStaging).await;
    world
        .client
        .detach_policy_from_user(NEW_USER, PolicyType::Custom, "ci-deploy-artifacts")
        .await
        .unwrap();
    let attaches = world.requests_for("AttachPolicyToUser");

    assert_eq!(
        drift_of(&world, MOVE_USER).await,
        [Drift::GrantRemoved {
            user: NEW_USER.to_owned(),
            what: "policy ci-deploy-artifacts (Custom)".to_owned(),
        }]
    );
    assert_eq!(world.requests_for("AttachPolicyToUser"), attaches);
}

#[tokio::test]
async fn a_new_user_gone_is_shown_and_stops_the_steps_that_need_it() {
    let world = World::demo().await;
    move_until(&world, StepKind::CopyPermissions).await;
    // The sandbox has no DeleteUser: point the record at a user that is
    // not there, as after a deletion in the console.
    let gone = "ci-deployer-gone";
    world.edit_rotation(MOVE_USER, |rotation| {
        let Progress::MoveToNewUser(step) = &mut rotation.progress else {
            panic!("path changed");
        };
        let MoveStep::CopyPermissions { new_user, .. } = &mut **step else {
            panic!("{step:?}");
        };
        gone.clone_into(&mut new_user.name);
    });

    let expected = Drift::NewUserGone {
        user: gone.to_owned(),
    };
    assert_eq!(
        drift_of(&world, MOVE_USER).await,
        std::slice::from_ref(&expected)
    );
    let error = refused(
        &world,
        &mut world.engine(),
        MOVE_USER,
        Action::CopyPermissions(rotation_support::grants_to_copy()),
    )
    .await;
    assert_eq!(error.drift(), Some(&expected), "{error}");
    assert_eq!(world.requests_for("AttachPolicyToUser"), 0);
}

#[tokio::test]
async fn a_third_partys_key_on_the_new_user_is_shown_as_unrecorded() {
    let world = World::demo().await;
    move_until(&world, StepKind::ConfirmStaging).await;
    let added = world.client.create_access_key(NEW_USER).await.unwrap();

    assert_eq!(
        drift_of(&world, MOVE_USER).await,
        [Drift::UnrecordedKey {
            user: NEW_USER.to_owned(),
            key_id: added.value.access_key_id,
        }]
    );
    assert_eq!(
        world.requests_for("DeleteAccessKey"),
        0,
        "shown, not removed"
    );
}

#[tokio::test]
async fn a_new_key_disabled_outside_is_shown_and_the_old_key_is_not_disabled() {
    let world = World::demo().await;
    move_until(&world, StepKind::DisableKey).await;
    let new_key = new_key_of(&world);
    world
        .client
        .update_access_key(NEW_USER, &new_key, KeyStatus::Inactive)
        .await
        .unwrap();
    let updates = world.requests_for("UpdateAccessKey");

    let expected = Drift::NewKeyNotActive {
        user: NEW_USER.to_owned(),
        key_id: new_key,
    };
    assert_eq!(
        drift_of(&world, MOVE_USER).await,
        std::slice::from_ref(&expected)
    );
    let error = refused(
        &world,
        &mut world.engine(),
        MOVE_USER,
        Action::DisableKey(Confirmation::typed(MOVE_USER)),
    )
    .await;
    assert_eq!(error.drift(), Some(&expected), "{error}");
    assert_eq!(
        world.key_status(MOVE_USER, MOVED_KEY),
        Some(KeyStatus::Active)
    );
    assert_eq!(world.requests_for("UpdateAccessKey"), updates);
}

#[tokio::test]
async fn a_new_key_deleted_outside_stops_the_old_keys_deletion() {
    let world = World::demo().await;
    move_until(&world, StepKind::DeleteKey).await;
    let new_key = new_key_of(&world);
    world
        .client
        .delete_access_key(NEW_USER, &new_key)
        .await
        .unwrap();
    world.advance(chrono::Duration::days(91));

    let error = refused(
        &world,
        &mut world.engine(),
        MOVE_USER,
        Action::DeleteKey(Confirmation::typed(MOVE_USER)),
    )
    .await;
    assert!(
        matches!(error.drift(), Some(Drift::NewKeyNotActive { .. })),
        "{error}"
    );
    assert_eq!(
        world.key_status(MOVE_USER, MOVED_KEY),
        Some(KeyStatus::Inactive)
    );
}
