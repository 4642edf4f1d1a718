//! The dry run and read-only gates of the engine against the in-process
//! sandbox: in a dry run every write comes back as the exact call it would
//! make and the sandbox's request journal shows none of them; the state
//! file and the audit log are never written. Read-only refuses every
//! action, reads included nothing that writes.

mod rotation_support;

use chrono::Duration;
use ramkey::cloud::model::KeyStatus;
use ramkey::rotation::{Action, Confirmation, EngineError, Start, StepKind};
use rotation_support::{
    IDLE_KEY, IDLE_USER, MOVE_USER, MOVED_KEY, NEW_USER, World, grants_to_copy, idle_until, ok,
};

fn dry_engine(world: &World) -> ramkey::rotation::Engine {
    world.engine().in_dry_run()
}

fn shown(error: &EngineError) -> Vec<String> {
    match error {
        EngineError::DryRun { calls } => calls.iter().map(ToString::to_string).collect(),
        other => panic!("expected the dry run's refusal, got: {other}"),
    }
}

#[tokio::test]
async fn the_idle_path_in_a_dry_run_shows_the_disable_and_sends_no_write() {
    let world = World::demo().await;
    let mut engine = dry_engine(&world);
    assert!(engine.is_dry_run());

    let start = Action::Start(Start::DisableIdle {
        key_id: IDLE_KEY.to_owned(),
    });
    ok(&mut engine, IDLE_USER, start).await;
    ok(&mut engine, IDLE_USER, Action::ConfirmReview).await;
    let plan = engine.plan(IDLE_USER).expect("walked in memory");
    assert_eq!(plan.current, Some(StepKind::DisableKey));
    let planned: Vec<String> = plan.next_calls.iter().map(ToString::to_string).collect();
    let disable =
        format!("UpdateAccessKey UserName={IDLE_USER} UserAccessKeyId={IDLE_KEY} Status=Inactive");
    assert_eq!(planned, std::slice::from_ref(&disable));

    let error = engine
        .perform(
            IDLE_USER,
            Action::DisableKey(Confirmation::typed(IDLE_USER)),
        )
        .await
        .expect_err("a dry run makes no write");
    assert_eq!(shown(&error), [disable]);
    assert!(error.to_string().contains("not sent"), "{error}");

    assert_eq!(world.write_requests(), 0, "the sandbox saw a write");
    assert!(world.requests_for("ListAccessKeys") > 0, "reads still run");
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Active)
    );
    assert_eq!(
        engine.next_step(IDLE_USER),
        Some(StepKind::DisableKey),
        "the rotation stays at the step whose write was not sent"
    );
    assert!(!world.state.exists(), "a dry run wrote the state file");
    assert!(
        world.audit_lines().is_empty(),
        "a dry run wrote the audit log"
    );
}

#[tokio::test]
async fn a_dry_run_over_a_rotation_in_progress_leaves_its_file_byte_for_byte() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    world.advance(Duration::days(91));
    let before = world.state_bytes();
    let audit_before = world.audit_lines().len();
    let writes_before = world.write_requests();

    let mut engine = dry_engine(&world);
    let error = engine
        .perform(IDLE_USER, Action::DeleteKey(Confirmation::typed(IDLE_USER)))
        .await
        .expect_err("a dry run makes no write");
    assert_eq!(
        shown(&error),
        [format!(
            "DeleteAccessKey UserName={IDLE_USER} UserAccessKeyId={IDLE_KEY}"
        )]
    );
    assert_eq!(world.write_requests(), writes_before);
    assert_eq!(world.state_bytes(), before);
    assert_eq!(world.audit_lines().len(), audit_before);
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Inactive)
    );
}

#[tokio::test]
async fn the_move_path_in_a_dry_run_shows_create_user_with_its_mark() {
    let world = World::demo().await;
    let mut engine = dry_engine(&world);
    let start = Action::Start(Start::MoveToNewUser {
        key_id: MOVED_KEY.to_owned(),
    });
    ok(&mut engine, MOVE_USER, start).await;
    ok(&mut engine, MOVE_USER, Action::SetName(NEW_USER.to_owned())).await;
    let rotation_id = engine.plan(MOVE_USER).unwrap().id;

    let error = engine
        .perform(MOVE_USER, Action::CreateUser)
        .await
        .expect_err("a dry run makes no write");
    assert_eq!(
        shown(&error),
        [format!(
            "CreateUser UserName={NEW_USER} Comments=\"ramkey: replaces {MOVE_USER} (rotation \
             {rotation_id})\""
        )]
    );
    assert!(world.sandbox.account_snapshot().user(NEW_USER).is_none());
    assert_eq!(world.write_requests(), 0);
    assert!(!world.state.exists());
}

#[tokio::test]
async fn every_grant_of_a_copy_is_shown_not_only_the_first() {
    let world = World::demo().await;
    rotation_support::move_until(&world, StepKind::CopyPermissions).await;
    let writes_before = world.write_requests();
    let before = world.state_bytes();

    let mut engine = dry_engine(&world);
    let error = engine
        .perform(MOVE_USER, Action::CopyPermissions(grants_to_copy()))
        .await
        .expect_err("a dry run makes no write");
    assert_eq!(
        shown(&error),
        [
            format!(
                "AttachPolicyToUser UserName={NEW_USER} PolicyType=System \
                 PolicyName=AliyunContainerRegistryFullAccess"
            ),
            format!(
                "AttachPolicyToUser UserName={NEW_USER} PolicyType=Custom \
                 PolicyName=ci-deploy-artifacts"
            ),
            format!("AddUserToGroup UserName={NEW_USER} GroupName=deployers"),
        ]
    );
    assert_eq!(world.write_requests(), writes_before);
    assert_eq!(world.state_bytes(), before);
}

#[tokio::test]
async fn read_only_refuses_every_action_and_writes_nothing() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DisableKey).await;
    let before = world.state_bytes();
    let audit_before = world.audit_lines().len();
    let writes_before = world.write_requests();

    let mut store = ramkey::state::StateStore::open(&world.state, rotation_support::ACCOUNT)
        .expect("state file opens");
    store.refuse_changes("started with --read-only");
    let mut engine = ramkey::rotation::Engine::new(
        world.client.clone(),
        store,
        std::sync::Arc::new(world.clock.clone()),
        ramkey::rotation::EngineOptions::default(),
    );
    assert_eq!(
        engine.read_only().as_deref(),
        Some("started with --read-only")
    );

    let actions = [
        Action::DisableKey(Confirmation::typed(IDLE_USER)),
        Action::Start(Start::MoveToNewUser {
            key_id: MOVED_KEY.to_owned(),
        }),
    ];
    for action in actions {
        let user = if matches!(action, Action::Start(_)) {
            MOVE_USER
        } else {
            IDLE_USER
        };
        let error = engine.perform(user, action).await.expect_err("read-only");
        assert!(matches!(error, EngineError::ReadOnly { .. }), "{error}");
    }
    assert!(engine.drift(IDLE_USER).await.is_ok(), "reads still run");
    assert_eq!(world.write_requests(), writes_before);
    assert_eq!(world.state_bytes(), before);
    assert_eq!(world.audit_lines().len(), audit_before);
}
