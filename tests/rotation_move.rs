//! The move-to-new-user path end to end against the in-process sandbox, with
//! the engine rebuilt from the state file before every step (as after a quit),
//! plus the refusals: a name ramkey did not create, keys it has no record of,
//! and ramkey's own key (BC-11).

mod rotation_support;

use chrono::Duration;
use ramkey::cloud::model::{KeyStatus, PolicyType};
use ramkey::rotation::{
    Action, Confirmation, EngineError, PolicyRef, Start, StepKind, StepStatus, marker,
};
use ramkey::sandbox::Account;
use ramkey::state::steps::Grant;
use rotation_support::{World, ok, refused};

const USER: &str = "ci-deployer";
const MOVED_KEY: &str = "LTAI5tta73aMlWBWNXMqU75Y";
const STAYING_KEY: &str = "LTAI5tWwszLIWSpNrAYqNz1w";
const NEW_USER: &str = "ci-deployer-v2";

fn start() -> Action {
    Action::Start(Start::MoveToNewUser {
        key_id: MOVED_KEY.to_owned(),
    })
}

fn policy(name: &str, policy_type: PolicyType) -> Grant {
    Grant::Policy {
        policy_name: name.to_owned(),
        policy_type,
    }
}

fn sandbox_policies(world: &World, user: &str) -> Vec<(String, PolicyType)> {
    let account = world.sandbox.account_snapshot();
    let mut policies: Vec<_> = account
        .user(user)
        .expect("user exists")
        .policies
        .iter()
        .map(|p| (p.policy_name.clone(), p.policy_type))
        .collect();
    policies.sort_by(|a, b| a.0.cmp(&b.0));
    policies
}

fn sandbox_groups(world: &World, user: &str) -> Vec<String> {
    let account = world.sandbox.account_snapshot();
    account
        .user(user)
        .expect("user exists")
        .groups
        .iter()
        .map(|g| g.group_name.clone())
        .collect()
}

#[tokio::test]
async fn the_move_path_end_to_end_resuming_from_the_state_file_before_every_step() {
    let world = World::demo().await;
    let mut secret_seen = String::new();

    // Each entry: the step the reopened engine must show, then the action.
    let script: Vec<(Option<StepKind>, Action)> = vec![
        (None, start()),
        (
            Some(StepKind::ChooseName),
            Action::SetName(NEW_USER.to_owned()),
        ),
        (Some(StepKind::CreateUser), Action::CreateUser),
        (
            Some(StepKind::CopyPermissions),
            Action::CopyPermissions(vec![
                policy("AliyunContainerRegistryFullAccess", PolicyType::System),
                policy("ci-deploy-artifacts", PolicyType::Custom),
                Grant::Group {
                    group_name: "deployers".to_owned(),
                },
                // Unticked: AliyunOSSReadOnlyAccess.
            ]),
        ),
        (Some(StepKind::CreateKey), Action::CreateKey),
        (
            Some(StepKind::ConfirmSecretStored),
            Action::ConfirmSecretStored,
        ),
        (Some(StepKind::ConfirmStaging), Action::ConfirmStaging),
        (Some(StepKind::ConfirmProduction), Action::ConfirmProduction),
        (
            Some(StepKind::DisableKey),
            Action::DisableKey(Confirmation::typed(USER)),
        ),
        (
            Some(StepKind::DeleteKey),
            Action::DeleteKey(Confirmation::typed(USER)),
        ),
        (
            Some(StepKind::ReviewPolicies),
            Action::DetachPolicies {
                policies: vec![PolicyRef {
                    policy_name: "ci-deploy-artifacts".to_owned(),
                    policy_type: PolicyType::Custom,
                }],
                confirmation: Confirmation::typed(USER),
            },
        ),
    ];

    for (expected, action) in script {
        // A new engine from the file each time: what a restarted ramkey sees.
        let mut engine = world.engine();
        assert_eq!(
            engine.next_step(USER),
            expected,
            "resumed at the wrong step"
        );
        assert_eq!(
            world.step_on_disk(USER),
            expected,
            "state file at the wrong step"
        );
        if expected == Some(StepKind::DeleteKey) {
            world.advance(Duration::days(90));
        }
        let outcome = ok(&mut engine, USER, action).await;
        if let Some(new_key) = outcome.new_key {
            assert!(!new_key.secret.expose().is_empty());
            secret_seen = new_key.secret.expose().to_owned();
        }
    }

    let engine = world.engine();
    let plan = engine.plan(USER).expect("rotation kept");
    assert!(plan.is_complete(), "{plan:?}");
    assert!(
        plan.steps
            .iter()
            .all(|s| matches!(s.status, StepStatus::Done { .. }))
    );

    // The cloud: new user with the chosen grants and an Active key; the moved
    // key gone; the other key untouched; the detached policy gone.
    let account = world.sandbox.account_snapshot();
    let new_user = account.user(NEW_USER).expect("new user created");
    assert_eq!(new_user.comments, marker::comments(USER, &plan.id));
    assert_eq!(new_user.access_keys.len(), 1);
    assert_eq!(new_user.access_keys[0].status, KeyStatus::Active);
    assert_eq!(
        plan.new_key_id.as_deref(),
        Some(new_user.access_keys[0].access_key_id.as_str())
    );
    assert_eq!(
        sandbox_policies(&world, NEW_USER),
        [
            (
                "AliyunContainerRegistryFullAccess".to_owned(),
                PolicyType::System
            ),
            ("ci-deploy-artifacts".to_owned(), PolicyType::Custom),
        ]
    );
    assert_eq!(sandbox_groups(&world, NEW_USER), ["deployers"]);
    assert_eq!(world.key_status(USER, MOVED_KEY), None);
    assert_eq!(world.key_status(USER, STAYING_KEY), Some(KeyStatus::Active));
    assert_eq!(
        sandbox_policies(&world, USER),
        [
            (
                "AliyunContainerRegistryFullAccess".to_owned(),
                PolicyType::System
            ),
            ("AliyunOSSReadOnlyAccess".to_owned(), PolicyType::System),
        ]
    );

    // The state file: no secret, but every RequestId of the writes.
    let text = String::from_utf8(world.state_bytes()).unwrap();
    assert!(!secret_seen.is_empty());
    assert!(
        !text.contains(&secret_seen),
        "the new secret reached the state file"
    );
    assert!(!text.contains(world.sandbox.caller_secret().expose()));
    assert!(!text.to_lowercase().contains("secret\""), "{text}");
    let users_made = account
        .users
        .iter()
        .filter(|u| u.user_name.starts_with(NEW_USER))
        .count();
    assert_eq!(users_made, 1);
}

#[tokio::test]
async fn names_are_validated_and_a_user_ramkey_did_not_create_is_never_adopted() {
    let world = World::demo().await;
    let mut engine = world.engine();
    ok(&mut engine, USER, start()).await;

    for (name, wanted) in [("bad name", "' '"), (USER, "not"), ("", "empty")] {
        let error = refused(&world, &mut engine, USER, Action::SetName(name.to_owned())).await;
        assert!(
            matches!(error, EngineError::InvalidName(_)),
            "{name}: {error}"
        );
        assert!(error.to_string().contains(wanted), "{name}: {error}");
    }
    // Taken already (a user of the demo account).
    let error = refused(
        &world,
        &mut engine,
        USER,
        Action::SetName("ops-zhangsan".into()),
    )
    .await;
    assert!(matches!(error, EngineError::NameTaken { .. }), "{error}");

    ok(&mut engine, USER, Action::SetName(NEW_USER.to_owned())).await;
    // Someone else takes the name before CreateUser runs.
    world
        .client
        .create_user(NEW_USER, None, Some("made by hand"))
        .await
        .unwrap();
    let error = refused(&world, &mut engine, USER, Action::CreateUser).await;
    assert!(matches!(error, EngineError::NameTaken { .. }), "{error}");
    assert_eq!(engine.next_step(USER), Some(StepKind::CreateUser));
    let stranger = world.sandbox.account_snapshot();
    assert_eq!(stranger.user(NEW_USER).unwrap().comments, "made by hand");

    // The name stays editable until the user exists.
    ok(
        &mut engine,
        USER,
        Action::SetName("ci-deployer-v3".to_owned()),
    )
    .await;
    ok(&mut engine, USER, Action::CreateUser).await;
    assert_eq!(
        engine.plan(USER).unwrap().new_user.as_deref(),
        Some("ci-deployer-v3")
    );
}

#[tokio::test]
async fn a_retried_create_finds_what_the_interrupted_run_made_instead_of_creating_twice() {
    let world = World::demo().await;
    let mut engine = world.engine();
    ok(&mut engine, USER, start()).await;
    ok(&mut engine, USER, Action::SetName(NEW_USER.to_owned())).await;
    let rotation_id = engine.plan(USER).unwrap().id;

    // As if CreateUser had succeeded and ramkey died before recording it.
    world
        .client
        .create_user(NEW_USER, None, Some(&marker::comments(USER, &rotation_id)))
        .await
        .unwrap();
    let outcome = ok(&mut engine, USER, Action::CreateUser).await;
    let StepStatus::Done {
        note, request_ids, ..
    } = &outcome.rotation.steps[1].status
    else {
        panic!("create user not done");
    };
    assert!(request_ids.is_empty());
    assert!(note.as_deref().unwrap().contains("found"));

    // A grant already on the new user is recorded, not attached twice.
    world
        .client
        .add_user_to_group(NEW_USER, "deployers")
        .await
        .unwrap();
    ok(
        &mut engine,
        USER,
        Action::CopyPermissions(vec![Grant::Group {
            group_name: "deployers".to_owned(),
        }]),
    )
    .await;
    assert_eq!(sandbox_groups(&world, NEW_USER), ["deployers"]);

    // A key on the new user that ramkey has no record of: its secret is lost.
    let stray = world.client.create_access_key(NEW_USER).await.unwrap();
    let error = refused(&world, &mut engine, USER, Action::CreateKey).await;
    let EngineError::UnrecordedKeys { key_ids, .. } = &error else {
        panic!("{error}");
    };
    assert_eq!(key_ids, std::slice::from_ref(&stray.value.access_key_id));
    assert!(error.to_string().contains("must be deleted"), "{error}");

    world
        .client
        .delete_access_key(NEW_USER, &stray.value.access_key_id)
        .await
        .unwrap();
    let created = ok(&mut engine, USER, Action::CreateKey).await;
    assert!(created.new_key.is_some());
    let account = world.sandbox.account_snapshot();
    assert_eq!(account.user(NEW_USER).unwrap().access_keys.len(), 1);
}

#[tokio::test]
async fn grants_the_original_user_does_not_hold_are_refused() {
    let world = World::demo().await;
    let mut engine = world.engine();
    ok(&mut engine, USER, start()).await;
    ok(&mut engine, USER, Action::SetName(NEW_USER.to_owned())).await;
    ok(&mut engine, USER, Action::CreateUser).await;

    for grant in [
        policy("AdministratorAccess", PolicyType::System),
        // The right name with the wrong type is another policy.
        policy("ci-deploy-artifacts", PolicyType::System),
        Grant::Group {
            group_name: "security-admins".to_owned(),
        },
    ] {
        let error = refused(
            &world,
            &mut engine,
            USER,
            Action::CopyPermissions(vec![grant]),
        )
        .await;
        assert!(
            matches!(error, EngineError::NotAGrantOfUser { .. }),
            "{error}"
        );
    }
    assert!(sandbox_policies(&world, NEW_USER).is_empty());

    // Copying nothing is a valid choice.
    let outcome = ok(&mut engine, USER, Action::CopyPermissions(Vec::new())).await;
    assert_eq!(outcome.rotation.current, Some(StepKind::CreateKey));
}

#[tokio::test]
async fn a_cloud_error_leaves_the_rotation_at_its_step() {
    let world = World::demo().await;
    let mut engine = world.engine();
    ok(&mut engine, USER, start()).await;
    ok(&mut engine, USER, Action::SetName(NEW_USER.to_owned())).await;
    drop(engine);

    // The same state file, but nothing answers: every call fails to connect.
    let mut engine = world.engine_with(world.unreachable_client());
    let before = world.state_bytes();
    let error = engine.perform(USER, Action::CreateUser).await.unwrap_err();
    assert!(error.cloud().is_some(), "{error}");
    assert!(error.to_string().contains("stays at this step"), "{error}");
    assert_eq!(world.state_bytes(), before);
    assert_eq!(engine.next_step(USER), Some(StepKind::CreateUser));
    drop(engine);

    // Back online, the step simply runs again.
    let mut engine = world.engine();
    ok(&mut engine, USER, Action::CreateUser).await;
}

#[tokio::test]
async fn ramkey_refuses_to_disable_or_delete_its_own_key() {
    // BC-11: ramkey signs with one of the flagged user's two keys.
    let mut account = Account::demo();
    account.caller_access_key_id = MOVED_KEY.to_owned();
    // The sandbox evaluates policies: ramkey's identity needs RAM rights.
    let admin_policies = account.user("ramkey-admin").unwrap().policies.clone();
    account
        .user_mut(USER)
        .unwrap()
        .policies
        .extend(admin_policies);
    let world = World::with_account(account).await;

    let report = world.engine().scan(&ramkey::scan::Quiet).await.unwrap();
    let finding = report.flagged.iter().find(|f| f.user == USER).unwrap();
    assert_eq!(finding.ramkey_key().map(|k| k.id.as_str()), Some(MOVED_KEY));

    let mut engine = world.engine();
    // Said at the start, before any user or key is created.
    let started = ok(&mut engine, USER, start()).await;
    for said in [
        "refuse to disable it (step 8)",
        "another credential before then",
    ] {
        assert!(started.summary.contains(said), "{}", started.summary);
    }
    for action in [
        Action::SetName(NEW_USER.to_owned()),
        Action::CreateUser,
        Action::CopyPermissions(Vec::new()),
        Action::CreateKey,
        Action::ConfirmSecretStored,
        Action::ConfirmStaging,
        Action::ConfirmProduction,
    ] {
        ok(&mut engine, USER, action).await;
    }
    let plan = engine.plan(USER).unwrap();
    assert!(
        plan.blocked
            .as_deref()
            .unwrap()
            .contains("another credential")
    );

    let error = refused(
        &world,
        &mut engine,
        USER,
        Action::DisableKey(Confirmation::typed(USER)),
    )
    .await;
    assert!(matches!(error, EngineError::OwnKey { .. }), "{error}");
    assert!(error.to_string().contains("another credential"), "{error}");
    assert_eq!(world.key_status(USER, MOVED_KEY), Some(KeyStatus::Active));
    assert_eq!(engine.next_step(USER), Some(StepKind::DisableKey));
}
