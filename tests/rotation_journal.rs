//! The write-ahead journal against the in-process sandbox: every write of a
//! full rotation has one intent and one outcome in the audit log; an intent
//! left by a run that died is settled by reading (found done → its step is
//! recorded; not made → the intent goes) and the write is never made again.

mod rotation_support;

use chrono::Duration;
use ramkey::cloud::model::{KeyStatus, PolicyType};
use ramkey::rotation::{Action, Confirmation, Drift, EngineError, StepKind, StepStatus, marker};
use ramkey::state::steps::{Grant, MoveStep};
use ramkey::state::{AuditKind, AuditOutcome, Progress, WriteCall};
/// security-audit's key: ReadOnlyAccess, so its writes are refused.
const AUDITOR_KEY: &str = "LTAI5tso6pJhdOferbDESaGN";

use rotation_support::cutoff::CutOff;
use rotation_support::{
    IDLE_KEY, IDLE_USER, MOVE_USER, NEW_USER, World, idle_until, move_script, move_until, ok,
    refused,
};

#[tokio::test]
async fn every_write_of_a_full_rotation_has_one_intent_and_one_outcome_with_its_request_id() {
    let world = World::demo().await;
    let mut secret = None;
    for (_, action) in move_script() {
        if action.step() == Some(StepKind::DeleteKey) {
            world.advance(Duration::days(91));
        }
        let outcome = ok(&mut world.engine(), MOVE_USER, action).await;
        if let Some(key) = outcome.new_key {
            secret = Some(key.secret.expose().to_owned());
        }
    }
    assert!(world.engine().plan(MOVE_USER).unwrap().is_complete());

    let lines = world.audit_lines();
    let intents: Vec<_> = lines
        .iter()
        .filter(|line| line.kind == AuditKind::Intent)
        .collect();
    assert_eq!(
        intents.len(),
        world.write_requests(),
        "one intent per write"
    );
    for intent in &intents {
        let id = intent.intent.as_deref().expect("an intent id");
        let outcomes: Vec<_> = lines
            .iter()
            .filter(|line| line.kind == AuditKind::Outcome && line.intent.as_deref() == Some(id))
            .collect();
        assert_eq!(outcomes.len(), 1, "{intent:?}");
        assert_eq!(outcomes[0].outcome, Some(AuditOutcome::Done));
        assert_eq!(outcomes[0].action, intent.action);
        assert!(outcomes[0].request_id.is_some(), "{:?}", outcomes[0]);
    }
    let actions: Vec<&str> = intents.iter().map(|line| line.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "CreateUser",
            "AttachPolicyToUser",
            "AttachPolicyToUser",
            "AddUserToGroup",
            "CreateAccessKey",
            "UpdateAccessKey",
            "DeleteAccessKey",
            "DetachPolicyFromUser",
        ]
    );

    let confirmations: Vec<&str> = lines
        .iter()
        .filter(|line| line.kind == AuditKind::Confirmation)
        .map(|line| line.action.as_str())
        .collect();
    assert_eq!(
        confirmations,
        [
            "start",
            "choose_name",
            "confirm_secret_stored",
            "confirm_staging",
            "confirm_production",
            "disable_key",
            "delete_key",
            "detach_policies",
        ]
    );
    assert!(world.rotation_on_disk(MOVE_USER).pending.is_none());

    // Neither the new secret nor ramkey's own is in the state or the log.
    let audit = std::fs::read_to_string(ramkey::state::audit_path(&world.state)).unwrap();
    let state = String::from_utf8(world.state_bytes()).unwrap();
    for secret in [
        secret.unwrap(),
        world.sandbox.caller_secret().expose().to_owned(),
    ] {
        assert!(!audit.contains(&secret));
        assert!(!state.contains(&secret));
    }
}

#[tokio::test]
async fn a_refused_write_clears_its_intent_and_audits_the_api_code() {
    let world = World::demo().await;
    move_until(&world, StepKind::CreateUser).await;
    // An identity that may read but not write: every write is refused.
    let reader = world.client_as(AUDITOR_KEY);

    let error = refused(
        &world,
        &mut world.engine_with(reader),
        MOVE_USER,
        Action::CreateUser,
    )
    .await;
    assert_eq!(error.cloud().and_then(|e| e.code()), Some("NoPermission"));
    assert!(world.rotation_on_disk(MOVE_USER).pending.is_none());
    assert_eq!(world.requests_for("CreateUser"), 1);

    let lines = world.audit_lines();
    let outcome = lines
        .iter()
        .find(|line| line.kind == AuditKind::Outcome)
        .expect("an outcome line");
    assert_eq!(outcome.outcome, Some(AuditOutcome::Failed));
    assert_eq!(outcome.action, "CreateUser");
    assert!(
        outcome
            .detail
            .as_deref()
            .unwrap()
            .starts_with("NoPermission: "),
        "{outcome:?}"
    );
    let intent = lines
        .iter()
        .find(|line| line.kind == AuditKind::Intent)
        .unwrap();
    assert_eq!(intent.intent, outcome.intent);
}

/// The intent lines of the log, by action.
fn audited(world: &World, kind: AuditKind) -> Vec<(String, Option<AuditOutcome>)> {
    world
        .audit_lines()
        .into_iter()
        .filter(|line| line.kind == kind)
        .map(|line| (line.action, line.outcome))
        .collect()
}

fn created_user_call() -> WriteCall {
    WriteCall::CreateUser {
        user_name: NEW_USER.to_owned(),
    }
}

#[tokio::test]
async fn a_create_user_left_done_is_recorded_without_creating_again() {
    let world = World::demo().await;
    move_until(&world, StepKind::CreateUser).await;
    let rotation_id = world.rotation_on_disk(MOVE_USER).id;
    world.leave_intent(MOVE_USER, created_user_call());
    // The call went out before the run died.
    let comments = marker::comments(MOVE_USER, &rotation_id);
    world
        .client
        .create_user(NEW_USER, None, Some(&comments))
        .await
        .unwrap();

    let mut engine = world.engine();
    assert!(engine.plan(MOVE_USER).unwrap().pending.is_some());
    let summary = engine.reconcile(MOVE_USER).await.unwrap().expect("settled");
    assert!(summary.contains("found made"), "{summary}");
    assert_eq!(engine.next_step(MOVE_USER), Some(StepKind::CopyPermissions));
    assert_eq!(world.requests_for("CreateUser"), 1, "never created twice");
    let rotation = world.rotation_on_disk(MOVE_USER);
    assert!(rotation.pending.is_none());
    let Progress::MoveToNewUser(step) = &rotation.progress else {
        panic!("path changed");
    };
    let MoveStep::CopyPermissions { new_user, .. } = &**step else {
        panic!("{step:?}");
    };
    assert!(new_user.user_id.is_some());
    assert!(new_user.created.note.is_some());
    assert_eq!(
        audited(&world, AuditKind::Settled),
        [("CreateUser".to_owned(), Some(AuditOutcome::FoundDone))]
    );
    assert_eq!(engine.reconcile(MOVE_USER).await.unwrap(), None);
}

#[tokio::test]
async fn a_create_user_left_not_made_clears_the_intent_and_the_step_makes_it_once() {
    let world = World::demo().await;
    move_until(&world, StepKind::CreateUser).await;
    world.leave_intent(MOVE_USER, created_user_call());

    let settled = world.engine().reconcile_all().await;
    assert_eq!(settled.len(), 1);
    let (user, result) = &settled[0];
    assert_eq!(user, MOVE_USER);
    assert!(
        result
            .as_ref()
            .unwrap()
            .as_ref()
            .unwrap()
            .contains("not made")
    );
    assert!(world.rotation_on_disk(MOVE_USER).pending.is_none());
    assert_eq!(world.step_on_disk(MOVE_USER), Some(StepKind::CreateUser));
    assert_eq!(world.requests_for("CreateUser"), 0);
    assert_eq!(
        audited(&world, AuditKind::Settled),
        [("CreateUser".to_owned(), Some(AuditOutcome::NotMade))]
    );

    ok(&mut world.engine(), MOVE_USER, Action::CreateUser).await;
    assert_eq!(world.requests_for("CreateUser"), 1);
}

#[tokio::test]
async fn a_user_of_the_chosen_name_made_by_someone_else_is_never_adopted() {
    let world = World::demo().await;
    move_until(&world, StepKind::CreateUser).await;
    world.leave_intent(MOVE_USER, created_user_call());
    // Someone else took the name meanwhile, even with a ramkey-like mark
    // of another rotation.
    let other = marker::comments(MOVE_USER, "ffffffffffff");
    world
        .client
        .create_user(NEW_USER, None, Some(&other))
        .await
        .unwrap();

    let mut engine = world.engine();
    let summary = engine.reconcile(MOVE_USER).await.unwrap().unwrap();
    assert!(summary.contains("did not create"), "{summary}");
    assert_eq!(engine.next_step(MOVE_USER), Some(StepKind::CreateUser));
    assert!(world.rotation_on_disk(MOVE_USER).pending.is_none());

    let error = refused(&world, &mut engine, MOVE_USER, Action::CreateUser).await;
    assert!(matches!(error, EngineError::NameTaken { .. }), "{error}");
    assert_eq!(world.requests_for("CreateUser"), 1, "only the other's");
}

#[tokio::test]
async fn an_intent_is_settled_before_its_step_runs_again() {
    let world = World::demo().await;
    move_until(&world, StepKind::CreateUser).await;
    let rotation_id = world.rotation_on_disk(MOVE_USER).id;
    world.leave_intent(MOVE_USER, created_user_call());
    let comments = marker::comments(MOVE_USER, &rotation_id);
    world
        .client
        .create_user(NEW_USER, None, Some(&comments))
        .await
        .unwrap();

    // The admin simply runs the step again.
    let outcome = ok(&mut world.engine(), MOVE_USER, Action::CreateUser).await;
    assert!(
        outcome.summary.contains("found made"),
        "{}",
        outcome.summary
    );
    assert_eq!(outcome.rotation.current, Some(StepKind::CopyPermissions));
    assert_eq!(outcome.rotation.pending, None);
    assert_eq!(world.requests_for("CreateUser"), 1);
}

fn attach_call(policy_name: &str, policy_type: PolicyType) -> WriteCall {
    WriteCall::AttachPolicyToUser {
        user_name: NEW_USER.to_owned(),
        policy_name: policy_name.to_owned(),
        policy_type,
    }
}

fn group_call() -> WriteCall {
    WriteCall::AddUserToGroup {
        user_name: NEW_USER.to_owned(),
        group_name: "deployers".to_owned(),
    }
}

/// The grants the state file has copied so far.
fn copied(world: &World) -> Vec<Grant> {
    let rotation = world.rotation_on_disk(MOVE_USER);
    let Progress::MoveToNewUser(step) = &rotation.progress else {
        panic!("path changed");
    };
    match &**step {
        MoveStep::CopyPermissions { copied, .. } => {
            copied.iter().map(|g| g.grant.clone()).collect()
        }
        MoveStep::CreateKey { copied, .. } => {
            copied.grants.iter().map(|g| g.grant.clone()).collect()
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn grants_left_done_are_recorded_and_never_made_again() {
    for (call, grant) in [
        (
            attach_call("ci-deploy-artifacts", PolicyType::Custom),
            Grant::Policy {
                policy_name: "ci-deploy-artifacts".to_owned(),
                policy_type: PolicyType::Custom,
            },
        ),
        (
            group_call(),
            Grant::Group {
                group_name: "deployers".to_owned(),
            },
        ),
    ] {
        let world = World::demo().await;
        move_until(&world, StepKind::CopyPermissions).await;
        world.leave_intent(MOVE_USER, call.clone());
        match &grant {
            Grant::Policy {
                policy_name,
                policy_type,
            } => world
                .client
                .attach_policy_to_user(NEW_USER, *policy_type, policy_name)
                .await
                .map(drop),
            Grant::Group { group_name } => world
                .client
                .add_user_to_group(NEW_USER, group_name)
                .await
                .map(drop),
        }
        .unwrap();
        let action = call.action();
        let made_by_test = world.requests_for(action);

        let mut engine = world.engine();
        engine.reconcile(MOVE_USER).await.unwrap().expect("settled");
        assert_eq!(copied(&world), std::slice::from_ref(&grant), "{action}");

        // The rest of the copy makes the others once and this one never.
        drop(engine);
        ok(
            &mut world.engine(),
            MOVE_USER,
            Action::CopyPermissions(rotation_support::grants_to_copy()),
        )
        .await;
        assert_eq!(copied(&world).len(), 3);
        // The attach test leaves one other policy to attach; the group is the only group.
        let expected = usize::from(action != "AddUserToGroup");
        assert_eq!(
            world.requests_for(action) - made_by_test,
            expected,
            "{action} of the settled grant made again"
        );
    }
}

#[tokio::test]
async fn grants_left_not_made_are_cleared_and_made_by_the_step() {
    for call in [
        attach_call("AliyunContainerRegistryFullAccess", PolicyType::System),
        group_call(),
    ] {
        let world = World::demo().await;
        move_until(&world, StepKind::CopyPermissions).await;
        world.leave_intent(MOVE_USER, call.clone());

        let summary = world.engine().reconcile(MOVE_USER).await.unwrap().unwrap();
        assert!(summary.contains("not made"), "{summary}");
        assert!(copied(&world).is_empty());
        assert!(world.rotation_on_disk(MOVE_USER).pending.is_none());
        assert_eq!(world.requests_for(call.action()), 0);
    }
}

fn create_key_call() -> WriteCall {
    WriteCall::CreateAccessKey {
        user_name: NEW_USER.to_owned(),
    }
}

#[tokio::test]
async fn a_key_created_before_the_run_died_is_shown_as_lost_and_replaced_on_the_admins_word() {
    let world = World::demo().await;
    move_until(&world, StepKind::CreateKey).await;
    world.leave_intent(MOVE_USER, create_key_call());
    let lost = world.client.create_access_key(NEW_USER).await.unwrap();
    let lost_id = lost.value.access_key_id;

    let mut engine = world.engine();
    let summary = engine.reconcile(MOVE_USER).await.unwrap().unwrap();
    assert!(summary.contains(&lost_id), "{summary}");
    assert!(summary.contains("secret was lost"), "{summary}");
    assert_eq!(engine.next_step(MOVE_USER), Some(StepKind::CreateKey));
    assert!(world.rotation_on_disk(MOVE_USER).pending.is_none());
    // Recorded when found, so `ramkey status` can tell of it, and told
    // apart from a key ramkey has no record of.
    assert_eq!(
        engine.plan(MOVE_USER).unwrap().lost_keys,
        std::slice::from_ref(&lost_id)
    );
    let on_disk = String::from_utf8(world.state_bytes()).unwrap();
    assert!(on_disk.contains("found without its secret"), "{on_disk}");
    let drift = engine.drift(MOVE_USER).await.unwrap();
    assert_eq!(
        drift,
        [Drift::KeyWithoutSecret {
            user: NEW_USER.to_owned(),
            key_id: lost_id.clone(),
        }]
    );
    assert!(
        !drift[0].describe().contains("no record"),
        "{}",
        drift[0].describe()
    );

    // Never left silently: CreateKey stops on it, and the replacement
    // deletes it and creates one fresh key.
    let error = refused(&world, &mut engine, MOVE_USER, Action::CreateKey).await;
    assert!(
        matches!(&error, EngineError::SecretLost { key_ids, .. } if key_ids == std::slice::from_ref(&lost_id)),
        "{error}"
    );
    assert_eq!(world.requests_for("CreateAccessKey"), 1);
    let outcome = ok(
        &mut engine,
        MOVE_USER,
        Action::ReplaceLostKey(Confirmation::typed(NEW_USER)),
    )
    .await;
    assert!(outcome.new_key.is_some());
    assert_eq!(world.key_status(NEW_USER, &lost_id), None);
    assert_eq!(world.requests_for("CreateAccessKey"), 2);
    assert!(engine.plan(MOVE_USER).unwrap().lost_keys.is_empty());
    assert_eq!(
        world
            .sandbox
            .account_snapshot()
            .user(NEW_USER)
            .unwrap()
            .access_keys
            .len(),
        1
    );
}

#[tokio::test]
async fn a_key_left_not_created_is_created_once_by_the_step() {
    let world = World::demo().await;
    move_until(&world, StepKind::CreateKey).await;
    world.leave_intent(MOVE_USER, create_key_call());

    let outcome = ok(&mut world.engine(), MOVE_USER, Action::CreateKey).await;
    assert!(outcome.new_key.is_some());
    assert!(outcome.summary.contains("not made"), "{}", outcome.summary);
    assert_eq!(world.requests_for("CreateAccessKey"), 1);
}

#[tokio::test]
async fn a_deleted_lost_key_left_in_flight_is_settled_without_moving_the_step() {
    let world = World::demo().await;
    move_until(&world, StepKind::CreateKey).await;
    let lost = world.client.create_access_key(NEW_USER).await.unwrap();
    let lost_id = lost.value.access_key_id;
    world.leave_intent(
        MOVE_USER,
        WriteCall::DeleteAccessKey {
            user_name: NEW_USER.to_owned(),
            access_key_id: lost_id.clone(),
        },
    );
    world
        .client
        .delete_access_key(NEW_USER, &lost_id)
        .await
        .unwrap();

    let summary = world.engine().reconcile(MOVE_USER).await.unwrap().unwrap();
    assert!(summary.contains(&lost_id), "{summary}");
    assert_eq!(world.step_on_disk(MOVE_USER), Some(StepKind::CreateKey));
    assert_eq!(world.requests_for("DeleteAccessKey"), 1);
}

fn disable_call(status: KeyStatus) -> WriteCall {
    WriteCall::UpdateAccessKey {
        user_name: IDLE_USER.to_owned(),
        access_key_id: IDLE_KEY.to_owned(),
        status,
    }
}

#[tokio::test]
async fn a_disable_left_done_records_the_deletion_date_from_the_rotations_wait() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DisableKey).await;
    world.leave_intent(IDLE_USER, disable_call(KeyStatus::Inactive));
    world
        .client
        .update_access_key(IDLE_USER, IDLE_KEY, KeyStatus::Inactive)
        .await
        .unwrap();

    let mut engine = world.engine();
    engine.reconcile(IDLE_USER).await.unwrap().unwrap();
    let plan = engine.plan(IDLE_USER).unwrap();
    assert_eq!(plan.current, Some(StepKind::DeleteKey));
    assert_eq!(plan.delete_after, Some(world.now() + Duration::days(90)));
    assert_eq!(world.requests_for("UpdateAccessKey"), 1);
}

#[tokio::test]
async fn a_disable_again_left_done_records_a_new_wait_not_a_second_disable_step() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    world.advance(Duration::days(91));
    // Re-enabled outside; the run that disabled it again died after the call.
    world
        .client
        .update_access_key(IDLE_USER, IDLE_KEY, KeyStatus::Active)
        .await
        .unwrap();
    world.leave_intent(IDLE_USER, disable_call(KeyStatus::Inactive));
    world
        .client
        .update_access_key(IDLE_USER, IDLE_KEY, KeyStatus::Inactive)
        .await
        .unwrap();

    let mut engine = world.engine();
    engine.reconcile(IDLE_USER).await.unwrap().unwrap();
    let plan = engine.plan(IDLE_USER).unwrap();
    assert_eq!(plan.current, Some(StepKind::DeleteKey));
    assert_eq!(plan.delete_after, Some(world.now() + Duration::days(90)));
    assert!(world.rotation_on_disk(IDLE_USER).pending.is_none());
}

#[tokio::test]
async fn a_disable_left_not_made_is_made_once_by_the_step() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DisableKey).await;
    world.leave_intent(IDLE_USER, disable_call(KeyStatus::Inactive));

    let outcome = ok(
        &mut world.engine(),
        IDLE_USER,
        Action::DisableKey(Confirmation::typed(IDLE_USER)),
    )
    .await;
    assert_eq!(outcome.rotation.current, Some(StepKind::DeleteKey));
    assert_eq!(world.requests_for("UpdateAccessKey"), 1);
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Inactive)
    );
}

#[tokio::test]
async fn a_rollback_left_done_is_recorded_as_a_rollback() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    world.leave_intent(IDLE_USER, disable_call(KeyStatus::Active));
    world
        .client
        .update_access_key(IDLE_USER, IDLE_KEY, KeyStatus::Active)
        .await
        .unwrap();

    let mut engine = world.engine();
    engine.reconcile(IDLE_USER).await.unwrap().unwrap();
    let plan = engine.plan(IDLE_USER).unwrap();
    assert_eq!(plan.current, Some(StepKind::DisableKey));
    assert_eq!(plan.rollbacks, 1);
    assert_eq!(
        world.requests_for("UpdateAccessKey"),
        2,
        "ramkey's disable, the test's"
    );
}

#[tokio::test]
async fn a_rollback_left_not_made_leaves_the_key_waiting_for_deletion() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    world.leave_intent(IDLE_USER, disable_call(KeyStatus::Active));

    let mut engine = world.engine();
    engine.reconcile(IDLE_USER).await.unwrap().unwrap();
    let plan = engine.plan(IDLE_USER).unwrap();
    assert_eq!(plan.current, Some(StepKind::DeleteKey));
    assert_eq!(plan.rollbacks, 0);
    assert_eq!(world.requests_for("UpdateAccessKey"), 1, "ramkey's disable");
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Inactive)
    );
}

fn delete_call() -> WriteCall {
    WriteCall::DeleteAccessKey {
        user_name: IDLE_USER.to_owned(),
        access_key_id: IDLE_KEY.to_owned(),
    }
}

#[tokio::test]
async fn a_deletion_left_done_completes_the_rotation_without_deleting_again() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    world.advance(Duration::days(91));
    world.leave_intent(IDLE_USER, delete_call());
    world
        .client
        .delete_access_key(IDLE_USER, IDLE_KEY)
        .await
        .unwrap();

    let outcome = ok(
        &mut world.engine(),
        IDLE_USER,
        Action::DeleteKey(Confirmation::typed(IDLE_USER)),
    )
    .await;
    assert!(outcome.rotation.is_complete(), "{}", outcome.summary);
    assert_eq!(world.requests_for("DeleteAccessKey"), 1);
    let StepStatus::Done { note, .. } = &outcome.rotation.steps[3].status else {
        panic!("not done");
    };
    assert!(note.as_deref().unwrap().contains("settled"), "{note:?}");
}

#[tokio::test]
async fn a_deletion_left_not_made_is_made_once_by_the_step() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    world.advance(Duration::days(91));
    world.leave_intent(IDLE_USER, delete_call());

    let mut engine = world.engine();
    engine.reconcile(IDLE_USER).await.unwrap().unwrap();
    assert_eq!(world.step_on_disk(IDLE_USER), Some(StepKind::DeleteKey));
    assert_eq!(world.requests_for("DeleteAccessKey"), 0);
    let outcome = ok(
        &mut engine,
        IDLE_USER,
        Action::DeleteKey(Confirmation::typed(IDLE_USER)),
    )
    .await;
    assert!(outcome.rotation.is_complete());
    assert_eq!(world.requests_for("DeleteAccessKey"), 1);
}

fn detach_call() -> WriteCall {
    WriteCall::DetachPolicyFromUser {
        user_name: MOVE_USER.to_owned(),
        policy_name: "ci-deploy-artifacts".to_owned(),
        policy_type: PolicyType::Custom,
    }
}

#[tokio::test]
async fn a_detach_left_done_or_not_made_is_settled_and_made_at_most_once() {
    for done in [true, false] {
        let world = World::demo().await;
        move_until(&world, StepKind::ReviewPolicies).await;
        world.leave_intent(MOVE_USER, detach_call());
        if done {
            world
                .client
                .detach_policy_from_user(MOVE_USER, PolicyType::Custom, "ci-deploy-artifacts")
                .await
                .unwrap();
        }

        let mut engine = world.engine();
        engine.reconcile(MOVE_USER).await.unwrap().unwrap();
        let (_, last) = move_script().pop().unwrap();
        let outcome = ok(&mut engine, MOVE_USER, last).await;
        assert!(outcome.rotation.is_complete());
        assert_eq!(
            world.requests_for("DetachPolicyFromUser"),
            1,
            "done: {done}"
        );
    }
}

#[tokio::test]
async fn an_intent_that_cannot_be_read_back_stays_for_the_next_run() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DisableKey).await;
    world.leave_intent(IDLE_USER, disable_call(KeyStatus::Inactive));

    let mut offline = world.engine_with(world.unreachable_client());
    let error = offline.reconcile(IDLE_USER).await.unwrap_err();
    assert!(matches!(error, EngineError::Cloud { .. }), "{error}");
    // Nor does a step run over it.
    let error = offline
        .perform(
            IDLE_USER,
            Action::DisableKey(Confirmation::typed(IDLE_USER)),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, EngineError::Cloud { .. }), "{error}");
    drop(offline);
    assert!(world.rotation_on_disk(IDLE_USER).pending.is_some());
    assert_eq!(world.write_requests(), 0);

    let summary = world.engine().reconcile(IDLE_USER).await.unwrap().unwrap();
    assert!(summary.contains("not made"), "{summary}");
}

#[tokio::test]
async fn a_write_whose_answer_and_read_back_are_both_lost_keeps_its_intent_as_unknown() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DisableKey).await;
    let relay = CutOff::after(&world.sandbox.endpoint(), "UpdateAccessKey").await;

    let mut engine = world.engine_with(world.client_via(relay.endpoint()));
    let error = engine
        .perform(
            IDLE_USER,
            Action::DisableKey(Confirmation::typed(IDLE_USER)),
        )
        .await
        .unwrap_err();
    assert!(relay.is_cut());
    assert!(matches!(error, EngineError::Cloud { .. }), "{error}");
    drop(engine);
    // It was made, but nobody could tell: the intent stays.
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Inactive)
    );
    let rotation = world.rotation_on_disk(IDLE_USER);
    assert!(rotation.pending.is_some());
    assert_eq!(world.step_on_disk(IDLE_USER), Some(StepKind::DisableKey));
    let last = world.audit_lines().pop().unwrap();
    assert_eq!(
        (last.kind, last.outcome),
        (AuditKind::Outcome, Some(AuditOutcome::Unknown))
    );
    assert_eq!(
        last.intent.as_deref(),
        Some(rotation.pending.unwrap().id.as_str())
    );

    // The next run settles it by reading and never disables twice.
    let outcome = ok(
        &mut world.engine(),
        IDLE_USER,
        Action::DisableKey(Confirmation::typed(IDLE_USER)),
    )
    .await;
    assert_eq!(outcome.rotation.current, Some(StepKind::DeleteKey));
    assert_eq!(world.requests_for("UpdateAccessKey"), 1);
    let settled = world.audit_lines().pop().unwrap();
    assert_eq!(
        (settled.kind, settled.outcome),
        (AuditKind::Settled, Some(AuditOutcome::FoundDone))
    );
}

/// The grants the admin chose, as the state file records them.
fn chosen_on_disk(world: &World) -> Option<Vec<Grant>> {
    let rotation = world.rotation_on_disk(MOVE_USER);
    let Progress::MoveToNewUser(step) = &rotation.progress else {
        panic!("path changed");
    };
    match &**step {
        MoveStep::CopyPermissions { chosen, .. } => chosen.clone(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_copy_cut_short_keeps_the_admins_choice_and_a_new_choice_says_what_stays() {
    let world = World::demo().await;
    move_until(&world, StepKind::CopyPermissions).await;
    let [registry, artifacts, group] =
        <[Grant; 3]>::try_from(rotation_support::grants_to_copy()).unwrap();
    // The admin unticks the custom policy; the copy stops at the group.
    world.sandbox.set_faults({
        let mut faults = ramkey::sandbox::Faults::none();
        faults.unavailable = Some(ramkey::sandbox::Schedule::first(100).only(&["AddUserToGroup"]));
        faults
    });
    let choice = vec![registry.clone(), group.clone()];
    let mut engine = world.engine();
    let cut = engine
        .perform(MOVE_USER, Action::CopyPermissions(choice.clone()))
        .await;
    assert!(cut.is_err(), "{cut:?}");
    drop(engine);
    world.sandbox.set_faults(ramkey::sandbox::Faults::none());

    // Recorded before the first grant: the resumed dialog offers it again.
    assert_eq!(chosen_on_disk(&world), Some(choice));
    assert_eq!(copied(&world), std::slice::from_ref(&registry));
    let mut engine = world.engine();
    let plan = engine.plan(MOVE_USER).unwrap();
    assert_eq!(
        plan.copy_choice,
        Some(vec![registry.clone(), group.clone()])
    );
    assert_eq!(plan.copied_so_far, std::slice::from_ref(&registry));

    // A new choice that leaves out the grant already made says it stays.
    let outcome = ok(
        &mut engine,
        MOVE_USER,
        Action::CopyPermissions(vec![artifacts.clone(), group.clone()]),
    )
    .await;
    assert!(
        outcome.summary.contains("Not undone"),
        "{}",
        outcome.summary
    );
    assert!(
        outcome
            .summary
            .contains("AliyunContainerRegistryFullAccess (System) was already copied"),
        "{}",
        outcome.summary
    );
    assert!(
        outcome.summary.contains("DetachPolicyFromUser"),
        "{}",
        outcome.summary
    );
    assert_eq!(copied(&world), [registry, artifacts, group]);
}
