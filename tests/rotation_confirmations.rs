//! The audit log's confirmation lines: one is written only once the action
//! it confirms is accepted (a refused action leaves none), and it names
//! what was confirmed.

mod rotation_support;

use chrono::Duration;
use ramkey::cloud::model::{KeyStatus, PolicyType};
use ramkey::rotation::{Action, Confirmation, EngineError, PolicyRef, StepKind};
use ramkey::state::AuditKind;
use rotation_support::{
    IDLE_KEY, IDLE_USER, MOVE_USER, World, idle_until, move_until, ok, refused,
};

/// The audit log's confirmation lines, as `(action, target)`.
fn confirmations(world: &World) -> Vec<(String, String)> {
    world
        .audit_lines()
        .into_iter()
        .filter(|line| line.kind == AuditKind::Confirmation)
        .map(|line| (line.action, line.target))
        .collect()
}

fn delete(typed: &str) -> Action {
    Action::DeleteKey(Confirmation::typed(typed))
}

#[tokio::test]
async fn a_delete_refused_as_not_due_writes_no_confirmation() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    let before = confirmations(&world);
    let mut engine = world.engine();

    let error = refused(&world, &mut engine, IDLE_USER, delete(IDLE_USER)).await;
    assert!(matches!(error, EngineError::NotDue { .. }), "{error}");
    assert_eq!(confirmations(&world), before);

    // Accepted once due: the confirmation is audited right before the write.
    world.advance(Duration::days(91));
    ok(&mut engine, IDLE_USER, delete(IDLE_USER)).await;
    let lines = world.audit_lines();
    let at = lines
        .iter()
        .position(|line| line.kind == AuditKind::Confirmation && line.action == "delete_key")
        .expect("the delete's confirmation");
    assert_eq!(lines.len(), at + 3, "{lines:#?}");
    assert_eq!(lines[at + 1].kind, AuditKind::Intent);
    assert_eq!(lines[at + 1].action, "DeleteAccessKey");
    assert_eq!(lines[at + 2].kind, AuditKind::Outcome);
}

#[tokio::test]
async fn actions_refused_before_they_do_anything_write_no_confirmation() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DisableKey).await;
    let before = confirmations(&world);
    let mut engine = world.engine();

    // Wrong step, mismatched name.
    let error = refused(&world, &mut engine, IDLE_USER, delete(IDLE_USER)).await;
    assert!(matches!(error, EngineError::WrongStep { .. }), "{error}");
    let disable = |typed: &str| Action::DisableKey(Confirmation::typed(typed));
    let error = refused(&world, &mut engine, IDLE_USER, disable("billing")).await;
    assert!(
        matches!(error, EngineError::ConfirmationMismatch { .. }),
        "{error}"
    );
    assert_eq!(confirmations(&world), before);
    drop(engine);

    // ramkey's own key.
    let mut own = world.engine_with(world.client_as(IDLE_KEY));
    let error = refused(&world, &mut own, IDLE_USER, disable(IDLE_USER)).await;
    assert!(matches!(error, EngineError::OwnKey { .. }), "{error}");
    assert_eq!(confirmations(&world), before);
    drop(own);

    // A delete refused because the key was re-enabled outside ramkey.
    let mut engine = world.engine();
    ok(&mut engine, IDLE_USER, disable(IDLE_USER)).await;
    let before = confirmations(&world);
    world
        .client
        .update_access_key(IDLE_USER, IDLE_KEY, KeyStatus::Active)
        .await
        .unwrap();
    world.advance(Duration::days(91));
    let error = refused(&world, &mut engine, IDLE_USER, delete(IDLE_USER)).await;
    assert!(matches!(error, EngineError::KeyReEnabled { .. }), "{error}");
    assert_eq!(confirmations(&world), before);
}

#[tokio::test]
async fn the_detach_confirmation_names_the_policies_chosen() {
    let world = World::demo().await;
    move_until(&world, StepKind::ReviewPolicies).await;
    let policies = vec![
        PolicyRef {
            policy_name: "AliyunContainerRegistryFullAccess".to_owned(),
            policy_type: PolicyType::System,
        },
        PolicyRef {
            policy_name: "ci-deploy-artifacts".to_owned(),
            policy_type: PolicyType::Custom,
        },
    ];
    let mut engine = world.engine();
    let mismatched = Action::DetachPolicies {
        policies: policies.clone(),
        confirmation: Confirmation::typed("ci"),
    };
    let before = confirmations(&world);
    refused(&world, &mut engine, MOVE_USER, mismatched).await;
    assert_eq!(confirmations(&world), before);

    let action = Action::DetachPolicies {
        policies,
        confirmation: Confirmation::typed(MOVE_USER),
    };
    ok(&mut engine, MOVE_USER, action).await;
    let (action, target) = confirmations(&world).pop().expect("a confirmation");
    assert_eq!(action, "detach_policies");
    assert_eq!(
        target,
        "policies AliyunContainerRegistryFullAccess (System), ci-deploy-artifacts (Custom) of \
         ci-deployer"
    );
}
