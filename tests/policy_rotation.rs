//! Both rotation paths with exactly the remediate policy, and the proof that
//! it holds nothing extra: without any one of its actions, the step needing
//! it fails with NoPermission naming that action, the state file stays at
//! that step, and once the permission is granted the same step resumes and
//! the journey ends as it would have.

mod policy_support;
mod rotation_support;

use chrono::Duration;
use policy_support::{
    CALLER, CONSOLE_ADMIN_KEY, FULL_REMEDIATE, REMEDIATE, account_with_caller_policy, actions_of,
    assert_no_permission, document, without_action,
};
use ramkey::cloud::CloudError;
use ramkey::cloud::model::{KeyStatus, PolicyType};
use ramkey::rotation::{Action, Confirmation, EngineError, PolicyRef, Start};
use ramkey::state::steps::Grant;
use rotation_support::World;

const IDLE_USER: &str = "billing-exporter";
const IDLE_KEY: &str = "LTAI5tHYcNLlk2r7wbVdZbSe";
const BUSY_KEY: &str = "LTAI5tj7wYlNzO8u2xVXitmg";
const MOVE_USER: &str = "ci-deployer";
const MOVED_KEY: &str = "LTAI5tta73aMlWBWNXMqU75Y";
const STAYING_KEY: &str = "LTAI5tWwszLIWSpNrAYqNz1w";
const NEW_USER: &str = "ci-deployer-v2";

/// One thing the admin does, in the order of the journey.
#[derive(Debug, Clone)]
enum Stage {
    /// Scan the account (the wizard's first screen).
    Scan,
    /// Let the wait before deletion pass.
    Wait,
    /// One engine action for one user.
    Perform(&'static str, Action),
}

/// Both paths, interleaved as an admin would run them, with one wait:
/// every action ramkey can take on the cloud happens at least once.
fn journey() -> Vec<(&'static str, Stage)> {
    let idle = |action| Stage::Perform(IDLE_USER, action);
    let moving = |action| Stage::Perform(MOVE_USER, action);
    vec![
        ("scan", Stage::Scan),
        (
            "idle: start",
            idle(Action::Start(Start::DisableIdle {
                key_id: IDLE_KEY.into(),
            })),
        ),
        ("idle: review", idle(Action::ConfirmReview)),
        (
            "idle: disable",
            idle(Action::DisableKey(Confirmation::typed(IDLE_USER))),
        ),
        (
            "move: start",
            moving(Action::Start(Start::MoveToNewUser {
                key_id: MOVED_KEY.into(),
            })),
        ),
        ("move: name", moving(Action::SetName(NEW_USER.to_owned()))),
        ("move: create user", moving(Action::CreateUser)),
        (
            "move: copy permissions",
            moving(Action::CopyPermissions(grants())),
        ),
        ("move: create key", moving(Action::CreateKey)),
        ("move: secret stored", moving(Action::ConfirmSecretStored)),
        ("move: staging", moving(Action::ConfirmStaging)),
        ("move: production", moving(Action::ConfirmProduction)),
        (
            "move: disable",
            moving(Action::DisableKey(Confirmation::typed(MOVE_USER))),
        ),
        ("wait", Stage::Wait),
        (
            "idle: delete",
            idle(Action::DeleteKey(Confirmation::typed(IDLE_USER))),
        ),
        (
            "move: delete",
            moving(Action::DeleteKey(Confirmation::typed(MOVE_USER))),
        ),
        (
            "move: detach policies",
            moving(Action::DetachPolicies {
                policies: vec![PolicyRef {
                    policy_name: "ci-deploy-artifacts".to_owned(),
                    policy_type: PolicyType::Custom,
                }],
                confirmation: Confirmation::typed(MOVE_USER),
            }),
        ),
    ]
}

/// What the new user gets: policies first, then the group.
fn grants() -> Vec<Grant> {
    vec![
        Grant::Policy {
            policy_name: "AliyunContainerRegistryFullAccess".to_owned(),
            policy_type: PolicyType::System,
        },
        Grant::Policy {
            policy_name: "ci-deploy-artifacts".to_owned(),
            policy_type: PolicyType::Custom,
        },
        Grant::Group {
            group_name: "deployers".to_owned(),
        },
    ]
}

/// Which stage each action of the remediate policy is first needed at.
const FIRST_NEEDED_AT: &[(&str, &str)] = &[
    ("ram:ListUsers", "scan"),
    ("ram:ListAccessKeys", "scan"),
    ("ram:GetAccessKeyLastUsed", "scan"),
    ("ram:GetUser", "idle: start"),
    ("ram:UpdateAccessKey", "idle: disable"),
    ("ram:CreateUser", "move: create user"),
    ("ram:ListPoliciesForUser", "move: copy permissions"),
    ("ram:ListGroupsForUser", "move: copy permissions"),
    ("ram:AttachPolicyToUser", "move: copy permissions"),
    ("ram:AddUserToGroup", "move: copy permissions"),
    ("ram:CreateAccessKey", "move: create key"),
    ("ram:DeleteAccessKey", "idle: delete"),
    ("ram:DetachPolicyFromUser", "move: detach policies"),
];

/// Actions of the remediate policy whose absence fails no step: the
/// credential report only speeds up the scan, which without it lists users
/// one by one (`--source auto` says why in a note).
const OPTIONAL: &[&str] = &[
    "ram:GenerateCredentialReport",
    "ram:GetCredentialReport",
    "kms:ListSecrets",
    "kms:DescribeSecret",
];

/// Why a stage failed.
#[derive(Debug)]
enum Failure {
    Scan(CloudError),
    Step(EngineError),
}

impl Failure {
    fn cloud(&self) -> Option<&CloudError> {
        match self {
            Failure::Scan(error) => Some(error),
            Failure::Step(error) => error.cloud(),
        }
    }
}

/// Runs one stage with a fresh engine over the state file, as a restarted
/// ramkey would.
async fn run(world: &World, stage: &Stage) -> Result<(), Failure> {
    match stage {
        Stage::Scan => world
            .engine()
            .scan(&ramkey::scan::Quiet)
            .await
            .map(drop)
            .map_err(Failure::Scan),
        Stage::Wait => {
            world.advance(Duration::days(90));
            Ok(())
        }
        Stage::Perform(user, action) => {
            let mut engine = world.engine();
            engine
                .perform(user, action.clone())
                .await
                .map(drop)
                .map_err(Failure::Step)
        }
    }
}

/// The cloud and the state file after the whole journey.
fn assert_journey_done(world: &World) {
    let engine = world.engine();
    for user in [IDLE_USER, MOVE_USER] {
        let plan = engine.plan(user).expect("a rotation");
        assert!(plan.is_complete(), "{user}: {plan:?}");
    }

    assert_eq!(world.key_status(IDLE_USER, IDLE_KEY), None);
    assert_eq!(
        world.key_status(IDLE_USER, BUSY_KEY),
        Some(KeyStatus::Active)
    );
    assert_eq!(world.key_status(MOVE_USER, MOVED_KEY), None);
    assert_eq!(
        world.key_status(MOVE_USER, STAYING_KEY),
        Some(KeyStatus::Active)
    );

    let account = world.sandbox.account_snapshot();
    let made: Vec<_> = account
        .users
        .iter()
        .filter(|u| u.user_name.starts_with(NEW_USER))
        .collect();
    assert_eq!(made.len(), 1, "exactly one new user");
    let new_user = made[0];
    assert_eq!(new_user.access_keys.len(), 1, "exactly one new key");
    assert_eq!(new_user.access_keys[0].status, KeyStatus::Active);
    let mut policies: Vec<&str> = new_user
        .policies
        .iter()
        .map(|p| p.policy_name.as_str())
        .collect();
    policies.sort_unstable();
    assert_eq!(
        policies,
        ["AliyunContainerRegistryFullAccess", "ci-deploy-artifacts"]
    );
    let groups: Vec<&str> = new_user
        .groups
        .iter()
        .map(|g| g.group_name.as_str())
        .collect();
    assert_eq!(groups, ["deployers"]);

    let old_policies: Vec<&str> = account
        .user(MOVE_USER)
        .unwrap()
        .policies
        .iter()
        .map(|p| p.policy_name.as_str())
        .collect();
    assert!(
        !old_policies.contains(&"ci-deploy-artifacts"),
        "{old_policies:?}"
    );
}

#[tokio::test]
async fn both_paths_complete_with_exactly_the_remediate_policy() {
    let world = World::with_account(account_with_caller_policy(&document(REMEDIATE))).await;
    for (name, stage) in journey() {
        if let Err(failure) = run(&world, &stage).await {
            panic!("{name} failed with exactly the remediate policy: {failure:?}");
        }
    }
    assert_journey_done(&world);
}

#[tokio::test]
async fn without_the_report_actions_both_paths_still_complete() {
    let mut reduced = document(REMEDIATE);
    for action in OPTIONAL {
        reduced = without_action(&reduced, action);
    }
    let world = World::with_account(account_with_caller_policy(&reduced)).await;
    for (name, stage) in journey() {
        if let Err(failure) = run(&world, &stage).await {
            panic!("{name} failed without the credential report: {failure:?}");
        }
    }
    assert_journey_done(&world);
}

#[test]
fn the_table_names_every_action_of_the_remediate_policy() {
    let mut in_policy = actions_of(&document(REMEDIATE));
    let mut in_table: Vec<String> = FIRST_NEEDED_AT
        .iter()
        .map(|(a, _)| (*a).to_owned())
        .chain(OPTIONAL.iter().map(|a| (*a).to_owned()))
        .collect();
    in_policy.sort();
    in_table.sort();
    assert_eq!(in_table, in_policy);

    let stages: Vec<&str> = journey().iter().map(|(name, _)| *name).collect();
    for (action, stage) in FIRST_NEEDED_AT {
        assert!(stages.contains(stage), "{action}: no stage {stage}");
    }
}

#[tokio::test]
async fn without_any_one_action_its_step_fails_naming_it_and_resumes_once_granted() {
    let remediate = document(REMEDIATE);
    for (action, expected_stage) in FIRST_NEEDED_AT {
        let reduced = without_action(&remediate, action);
        let world = World::with_account(account_with_caller_policy(&reduced)).await;
        let stages = journey();

        // Up to the first failure.
        let mut failed_at = None;
        for (index, (name, stage)) in stages.iter().enumerate() {
            if let Err(failure) = run(&world, stage).await {
                failed_at = Some((index, *name, failure));
                break;
            }
        }
        let (index, name, failure) =
            failed_at.unwrap_or_else(|| panic!("nothing failed without {action}"));
        assert_eq!(name, *expected_stage, "without {action}: {failure:?}");
        let api_action = &action["ram:".len()..];
        let error = failure
            .cloud()
            .unwrap_or_else(|| panic!("without {action}: not a cloud error: {failure:?}"));
        assert_no_permission(error, api_action);
        if let Failure::Step(step_error) = &failure {
            assert!(
                step_error.to_string().contains("stays at this step"),
                "{step_error}"
            );
        }
        assert_still_at(&world, &stages[index].1, action);

        // The admin grants the whole policy; the same stage, then the rest.
        grant_full_remediate(&world).await;
        for (name, stage) in &stages[index..] {
            if let Err(failure) = run(&world, stage).await {
                panic!("without {action}, resuming at {name} failed: {failure:?}");
            }
        }
        assert_journey_done(&world);
    }
}

/// The state file (read from disk) still waits for the failed step.
fn assert_still_at(world: &World, stage: &Stage, action: &str) {
    let Stage::Perform(user, performed) = stage else {
        return;
    };
    match performed.step() {
        None => assert!(
            world.engine().plan(user).is_none(),
            "without {action}: a rotation of {user} was started"
        ),
        Some(step) => {
            assert_eq!(world.step_on_disk(user), Some(step), "without {action}");
            assert_eq!(
                world.engine().next_step(user),
                Some(step),
                "without {action}"
            );
        }
    }
}

/// The console administrator attaches the whole remediate policy to ramkey's identity.
async fn grant_full_remediate(world: &World) {
    world
        .client_as(CONSOLE_ADMIN_KEY)
        .attach_policy_to_user(CALLER, PolicyType::Custom, FULL_REMEDIATE)
        .await
        .expect("the console administrator may attach policies");
}
