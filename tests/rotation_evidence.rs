//! The swap evidence (BC-12) against the in-process sandbox: the new key's
//! use and the old key's since the swap began, read with
//! GetAccessKeyLastUsed and judged, and the confirmation audited with the
//! evidence that was shown (or with the fact that none was read).

#[path = "rotation_support/mod.rs"]
mod rotation_support;

use chrono::Duration;
use ramkey::rotation::evidence::{NewKeyUse, OldKeyUse};
use ramkey::rotation::{Action, Engine, EngineError, StepKind, SwapStage};
use ramkey::state::AuditKind;
use rotation_support::{MOVE_USER, MOVED_KEY, NEW_USER, World, move_script, ok};

/// Runs the move path with `engine` until it waits at `until`, a minute of
/// the clock between actions (so ramkey's own check of the new key comes
/// before the swap); returns the new key's id.
async fn until(world: &World, engine: &mut Engine, until: StepKind) -> String {
    for (step, action) in move_script() {
        if step.is_some() && engine.next_step(MOVE_USER) == Some(until) {
            break;
        }
        world.advance(Duration::minutes(1));
        ok(engine, MOVE_USER, action).await;
    }
    assert_eq!(engine.next_step(MOVE_USER), Some(until));
    engine
        .plan(MOVE_USER)
        .and_then(|plan| plan.new_key_id)
        .expect("the new key exists")
}

/// An application signs one request with `key_id` now.
async fn used(world: &World, key_id: &str) {
    world
        .client_as(key_id)
        .get_caller_identity()
        .await
        .expect("the key signs");
}

fn confirmation_detail(world: &World, action: &str) -> String {
    world
        .audit_lines()
        .into_iter()
        .find(|line| line.kind == AuditKind::Confirmation && line.action == action)
        .unwrap_or_else(|| panic!("no {action} confirmation in the audit log"))
        .detail
        .unwrap_or_default()
}

#[tokio::test]
async fn staging_evidence_needs_a_use_of_the_new_key_since_the_swap_began() {
    let world = World::demo().await;
    let mut engine = world.engine();
    let new_key = until(&world, &mut engine, StepKind::ConfirmStaging).await;
    world.advance(Duration::minutes(1));

    // Only ramkey's own check has signed with the new key: before the swap.
    let read = engine.swap_evidence(MOVE_USER).await.unwrap();
    assert_eq!(read.stage, SwapStage::Staging);
    assert!(
        matches!(read.new_key, NewKeyUse::NotSinceSwap { .. }),
        "{read:?}"
    );
    assert!(!read.supports_confirming());
    assert_eq!(read.old_key_id, MOVED_KEY);

    // Staging signs with it: the evidence supports confirming, and the old
    // key, still used by production, is busy as expected.
    used(&world, &new_key).await;
    world.advance(Duration::seconds(30));
    used(&world, &new_key).await;
    used(&world, MOVED_KEY).await;
    let read = engine.swap_evidence(MOVE_USER).await.unwrap();
    let NewKeyUse::UsedSinceSwap {
        first_seen,
        last_used,
    } = read.new_key
    else {
        panic!("{read:?}");
    };
    assert_eq!(last_used, world.now());
    assert_eq!(first_seen, world.now(), "the first reading of a use");
    assert!(matches!(read.old_key, OldKeyUse::Busy { .. }), "{read:?}");
    assert!(read.supports_confirming());

    ok(&mut engine, MOVE_USER, Action::ConfirmStaging).await;
    let detail = confirmation_detail(&world, "confirm_staging");
    assert!(
        detail.contains(&format!("new key {new_key} in use since the swap")),
        "{detail}"
    );
    assert!(
        detail.contains("the evidence supported confirming"),
        "{detail}"
    );
}

#[tokio::test]
async fn production_evidence_is_busy_while_the_old_key_signs_and_the_audit_says_so() {
    let world = World::demo().await;
    let mut engine = world.engine();
    let new_key = until(&world, &mut engine, StepKind::ConfirmProduction).await;
    world.advance(Duration::minutes(1));
    used(&world, &new_key).await;
    used(&world, MOVED_KEY).await;

    let read = engine.swap_evidence(MOVE_USER).await.unwrap();
    assert_eq!(read.stage, SwapStage::Production);
    assert_eq!(
        read.old_key,
        OldKeyUse::Busy {
            last_used: world.now()
        }
    );
    assert!(read.old_key_busy());
    assert!(!read.supports_confirming());
    assert!(
        read.advice().starts_with("Advice: wait"),
        "{}",
        read.advice()
    );

    // Confirmed against the advice: the audit line keeps what was shown.
    ok(&mut engine, MOVE_USER, Action::ConfirmProduction).await;
    let detail = confirmation_detail(&world, "confirm_production");
    assert!(
        detail.contains(&format!("old key {MOVED_KEY} busy")),
        "{detail}"
    );
    assert!(detail.contains("the advice was to wait"), "{detail}");
}

#[tokio::test]
async fn the_old_key_quiet_since_the_production_swap_supports_confirming() {
    let world = World::demo().await;
    let mut engine = world.engine();
    used(&world, MOVED_KEY).await;
    let new_key = until(&world, &mut engine, StepKind::ConfirmProduction).await;
    world.advance(Duration::minutes(5));
    used(&world, &new_key).await;

    let read = engine.swap_evidence(MOVE_USER).await.unwrap();
    assert!(matches!(read.old_key, OldKeyUse::Quiet { .. }), "{read:?}");
    assert!(read.supports_confirming(), "{read:?}");
}

#[tokio::test]
async fn a_confirmation_without_a_reading_says_so_and_a_reading_fits_only_a_swap() {
    let world = World::demo().await;
    let mut engine = world.engine();
    until(&world, &mut engine, StepKind::ConfirmStaging).await;
    ok(&mut engine, MOVE_USER, Action::ConfirmStaging).await;
    assert_eq!(
        confirmation_detail(&world, "confirm_staging"),
        "no evidence was read before this confirmation"
    );

    // The staging reading is not kept for production's confirmation.
    let read = engine.swap_evidence(MOVE_USER).await.unwrap();
    assert_eq!(read.stage, SwapStage::Production);
    ok(&mut engine, MOVE_USER, Action::ConfirmProduction).await;
    let error = engine.swap_evidence(MOVE_USER).await.unwrap_err();
    assert!(matches!(error, EngineError::WrongStep { .. }), "{error:?}");
    // Reads only: the new key is as the swaps left it.
    assert!(world.key_status(NEW_USER, &read.new_key_id).is_some());
}

/// A new key RAM accepted only after the secret was stored is checked then,
/// after the staging swap began: that check signs with the key, and RAM
/// records it as a use. The evidence must not take it for the application.
#[tokio::test]
async fn ramkeys_own_late_check_is_not_taken_for_the_applications_use() {
    let world = World::demo().await;
    world.sandbox.set_faults(ramkey::sandbox::Faults {
        new_key_unaccepted_for: std::time::Duration::from_secs(3600),
        ..ramkey::sandbox::Faults::none()
    });
    let mut engine = world.engine();
    let new_key = until(&world, &mut engine, StepKind::ConfirmStaging).await;

    // Accepted now, an hour into the swap: the wizard's check after the
    // stored secret succeeds, signing with the new key.
    world.advance(Duration::hours(1));
    world.sandbox.set_faults(ramkey::sandbox::Faults::none());
    ok(&mut engine, MOVE_USER, Action::VerifyKey(None)).await;

    let read = engine.swap_evidence(MOVE_USER).await.unwrap();
    assert!(
        matches!(read.new_key, NewKeyUse::NotSinceSwap { .. }),
        "ramkey's own check is not the application's use: {read:?}"
    );
    assert!(!read.supports_confirming());

    // The application's first request after the check is.
    world.advance(Duration::seconds(5));
    used(&world, &new_key).await;
    let read = engine.swap_evidence(MOVE_USER).await.unwrap();
    assert!(
        matches!(read.new_key, NewKeyUse::UsedSinceSwap { .. }),
        "{read:?}"
    );
}
