//! Drift: changes made outside ramkey are reported by `Engine::drift`
//! (reading only) and never overwritten; a step that would act on a drifted
//! fact refuses, naming it.

mod rotation_support;

use ramkey::cloud::model::{KeyStatus, PolicyType};
use ramkey::rotation::{Action, Confirmation, Drift, EngineError, StepKind};
use ramkey::state::Progress;
use ramkey::state::steps::MoveStep;
use rotation_support::{
    IDLE_KEY, IDLE_USER, MOVE_USER, MOVED_KEY, NEW_USER, World, idle_until, move_until, refused,
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

#[tokio::test]
async fn a_retired_key_deleted_outside_before_its_disable_is_shown_and_stops_the_disable() {
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
    let error = refused(
        &world,
        &mut world.engine(),
        IDLE_USER,
        Action::DisableKey(Confirmation::typed(IDLE_USER)),
    )
    .await;
    assert_eq!(error.drift(), Some(&expected), "{error}");
    assert!(
        error.to_string().contains("deleted outside ramkey"),
        "{error}"
    );
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
