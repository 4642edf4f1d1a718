//! The engine under the sandbox's fault switches: a write whose answer is
//! lost is looked for before it is made again (CreateUser by GetUser and
//! ramkey's mark, CreateAccessKey by ListAccessKeys, grants, disable and
//! delete by reading back), a key found without its secret is replaced on
//! the admin's word, a skewed clock stops the step and leaves it resumable,
//! a key limit met on create names the keys holding the slots (BC-07),
//! and (issue 3, "Done when") a scan and both rotation paths under
//! throttling and dropped answers end exactly where they end without faults.

mod rotation_support;

use chrono::Duration;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use ramkey::clock::Clock;
use ramkey::cloud::model::{KeyStatus, PolicyType};
use ramkey::cloud::retry::Sleeper;
use ramkey::cloud::sts::AssumeRoleRequest;
use ramkey::cloud::{
    Client, ClientConfig, CloudError, Endpoints, Retry, SignatureVersion, Timeouts,
};
use ramkey::rotation::{
    Action, Confirmation, EngineError, Outcome, PolicyRef, Start, StepKind, StepStatus,
};
use ramkey::sandbox::{Account, Ending, Faults, Schedule};
use ramkey::scan::{ScanReport, ScanStats};
use ramkey::secret::Secret;
use ramkey::state::steps::Grant;
use rotation_support::{World, no_waiting, ok, refused};

const IDLE_USER: &str = "billing-exporter";
const IDLE_KEY: &str = "LTAI5tHYcNLlk2r7wbVdZbSe";
const MOVE_USER: &str = "ci-deployer";
const MOVED_KEY: &str = "LTAI5tta73aMlWBWNXMqU75Y";
const NEW_USER: &str = "ci-deployer-v2";

const WRITES: [&str; 7] = [
    "CreateUser",
    "CreateAccessKey",
    "UpdateAccessKey",
    "DeleteAccessKey",
    "AttachPolicyToUser",
    "DetachPolicyFromUser",
    "AddUserToGroup",
];

fn policy(name: &str, policy_type: PolicyType) -> Grant {
    Grant::Policy {
        policy_name: name.to_owned(),
        policy_type,
    }
}

fn grants_to_copy() -> Vec<Grant> {
    vec![
        policy("AliyunContainerRegistryFullAccess", PolicyType::System),
        policy("ci-deploy-artifacts", PolicyType::Custom),
        Grant::Group {
            group_name: "deployers".to_owned(),
        },
    ]
}

fn faults(set: impl FnOnce(&mut Faults)) -> Faults {
    let mut faults = Faults::none();
    set(&mut faults);
    faults
}

/// Starts the move path and brings it to `until`.
async fn move_until(world: &World, until: StepKind) {
    let script = [
        Action::Start(Start::MoveToNewUser {
            key_id: MOVED_KEY.to_owned(),
        }),
        Action::SetName(NEW_USER.to_owned()),
        Action::CreateUser,
        Action::CopyPermissions(grants_to_copy()),
        Action::CreateKey,
    ];
    let mut engine = world.engine();
    for action in script {
        if engine.next_step(MOVE_USER) == Some(until) {
            return;
        }
        ok(&mut engine, MOVE_USER, action).await;
    }
}

fn requests_ending(world: &World, action: &str) -> Vec<Ending> {
    world
        .sandbox
        .requests()
        .into_iter()
        .filter(|request| request.action == action)
        .map(|request| request.ended)
        .collect()
}

#[tokio::test]
async fn a_created_user_whose_answer_was_lost_is_found_by_its_mark() {
    let world = World::demo().await;
    move_until(&world, StepKind::CreateUser).await;
    world.sandbox.set_faults(faults(|f| {
        f.reset_after_acting = Some(Schedule::first(1).only(&["CreateUser"]));
    }));

    let outcome = ok(&mut world.engine(), MOVE_USER, Action::CreateUser).await;

    assert!(
        outcome.summary.contains("answer was lost"),
        "{}",
        outcome.summary
    );
    assert_eq!(
        requests_ending(&world, "CreateUser"),
        [Ending::Reset { acted: true }]
    );
    let account = world.sandbox.account_snapshot();
    let made: Vec<_> = account
        .users
        .iter()
        .filter(|u| u.user_name == NEW_USER)
        .collect();
    assert_eq!(made.len(), 1);
    assert_eq!(
        world.step_on_disk(MOVE_USER),
        Some(StepKind::CopyPermissions)
    );
    // The found user's id is recorded, as a created one's would be.
    let state = String::from_utf8(world.state_bytes()).unwrap();
    assert!(state.contains(&made[0].user_id), "{state}");
}

#[tokio::test]
async fn a_create_refused_with_a_503_page_is_made_once_more_after_looking() {
    let world = World::demo().await;
    move_until(&world, StepKind::CreateUser).await;
    world.sandbox.set_faults(faults(|f| {
        f.unavailable = Some(Schedule::first(1).only(&["CreateUser"]));
    }));

    ok(&mut world.engine(), MOVE_USER, Action::CreateUser).await;

    let ends = requests_ending(&world, "CreateUser");
    assert!(
        matches!(ends[0], Ending::Answered { status: 503, .. }),
        "{ends:?}"
    );
    assert!(
        matches!(ends[1], Ending::Answered { status: 200, .. }),
        "{ends:?}"
    );
    assert_eq!(ends.len(), 2);
    assert!(world.sandbox.account_snapshot().user(NEW_USER).is_some());
}

#[tokio::test]
async fn a_key_whose_answer_was_lost_is_reported_and_replaced_on_the_admins_word() {
    let world = World::demo().await;
    move_until(&world, StepKind::CreateKey).await;
    world.sandbox.set_faults(faults(|f| {
        f.reset_after_acting = Some(Schedule::first(1).only(&["CreateAccessKey"]));
    }));

    // Refused, but the key found without its secret is recorded (for
    // `ramkey status` and the drift panel).
    let mut engine = world.engine();
    let Err(error) = engine.perform(MOVE_USER, Action::CreateKey).await else {
        panic!("the create must be refused");
    };
    let recorded = engine.plan(MOVE_USER).expect("the rotation").lost_keys;
    drop(engine);

    let EngineError::SecretLost { user, key_ids } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(user, NEW_USER);
    let account = world.sandbox.account_snapshot();
    let lost = &account.user(NEW_USER).unwrap().access_keys;
    assert_eq!(key_ids, &[lost[0].access_key_id.clone()]);
    assert_eq!(&recorded, key_ids);
    let text = error.to_string();
    assert!(text.contains("can never be used"), "{text}");
    assert!(
        text.contains("must be deleted and a new one created"),
        "{text}"
    );
    assert_eq!(world.step_on_disk(MOVE_USER), Some(StepKind::CreateKey));

    // The original user's name is not the confirmation: the keys are the new user's.
    let wrong = Action::ReplaceLostKey(Confirmation::typed(MOVE_USER));
    let error = refused(&world, &mut world.engine(), MOVE_USER, wrong).await;
    assert!(
        matches!(error, EngineError::ConfirmationMismatch { .. }),
        "{error}"
    );

    let replace = Action::ReplaceLostKey(Confirmation::typed(NEW_USER));
    let outcome = ok(&mut world.engine(), MOVE_USER, replace).await;

    let new_key = outcome.new_key.expect("the new key comes with its secret");
    assert!(!new_key.secret.expose().is_empty());
    assert!(outcome.summary.contains(&key_ids[0]), "{}", outcome.summary);
    let keys = world
        .sandbox
        .account_snapshot()
        .user(NEW_USER)
        .unwrap()
        .access_keys
        .clone();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].access_key_id, new_key.access_key_id);
    assert_eq!(
        outcome.rotation.new_key_id.as_deref(),
        Some(new_key.access_key_id.as_str())
    );
    assert_eq!(
        world.step_on_disk(MOVE_USER),
        Some(StepKind::ConfirmSecretStored)
    );
}

#[tokio::test]
async fn lost_answers_to_grants_disable_and_delete_are_settled_by_reading_back() {
    let world = World::demo().await;
    move_until(&world, StepKind::CopyPermissions).await;
    // Every write's first answer is lost: a repeat would be refused (409
    // for a grant, EntityNotExist for a delete) and show up as a failure.
    world.sandbox.set_faults(faults(|f| {
        f.reset_after_acting = Some(Schedule::first(6).only(&[
            "AttachPolicyToUser",
            "AddUserToGroup",
            "UpdateAccessKey",
            "DeleteAccessKey",
            "DetachPolicyFromUser",
        ]));
    }));

    let mut engine = world.engine();
    ok(
        &mut engine,
        MOVE_USER,
        Action::CopyPermissions(grants_to_copy()),
    )
    .await;
    ok(&mut engine, MOVE_USER, Action::CreateKey).await;
    for action in [
        Action::ConfirmSecretStored,
        Action::ConfirmStaging,
        Action::ConfirmProduction,
        Action::DisableKey(Confirmation::typed(MOVE_USER)),
    ] {
        ok(&mut engine, MOVE_USER, action).await;
    }
    world.advance(Duration::days(90));
    ok(
        &mut engine,
        MOVE_USER,
        Action::DeleteKey(Confirmation::typed(MOVE_USER)),
    )
    .await;
    let detach = Action::DetachPolicies {
        policies: vec![PolicyRef {
            policy_name: "ci-deploy-artifacts".to_owned(),
            policy_type: PolicyType::Custom,
        }],
        confirmation: Confirmation::typed(MOVE_USER),
    };
    ok(&mut engine, MOVE_USER, detach).await;
    drop(engine);

    for action in [
        "AttachPolicyToUser",
        "AddUserToGroup",
        "UpdateAccessKey",
        "DeleteAccessKey",
        "DetachPolicyFromUser",
    ] {
        let ends = requests_ending(&world, action);
        assert!(
            ends.iter()
                .all(|end| matches!(end, Ending::Reset { acted: true })),
            "{action}: {ends:?}"
        );
    }
    let account = world.sandbox.account_snapshot();
    let new_user = account.user(NEW_USER).unwrap();
    assert_eq!(new_user.policies.len(), 2);
    assert_eq!(new_user.groups.len(), 1);
    assert_eq!(world.key_status(MOVE_USER, MOVED_KEY), None);
    let original = account.user(MOVE_USER).unwrap();
    assert!(
        original
            .policies
            .iter()
            .all(|p| p.policy_name != "ci-deploy-artifacts")
    );
    let plan = world.engine().plan(MOVE_USER).unwrap();
    assert!(plan.is_complete(), "{plan:?}");
    let disable = plan
        .steps
        .iter()
        .find(|step| step.kind == StepKind::DisableKey)
        .unwrap();
    assert!(
        matches!(disable.status, StepStatus::Done { .. }),
        "{disable:?}"
    );
}

#[tokio::test]
async fn a_skewed_clock_stops_the_step_with_the_measured_difference_and_it_resumes() {
    let world = World::demo().await;
    let mut engine = world.engine();
    let start = Action::Start(Start::DisableIdle {
        key_id: IDLE_KEY.to_owned(),
    });
    ok(&mut engine, IDLE_USER, start).await;
    ok(&mut engine, IDLE_USER, Action::ConfirmReview).await;
    world.sandbox.set_faults(faults(|f| {
        f.clock_skew = Duration::minutes(-20);
    }));
    let before = world.sandbox.requests().len();

    let disable = Action::DisableKey(Confirmation::typed(IDLE_USER));
    let error = refused(&world, &mut engine, IDLE_USER, disable.clone()).await;

    assert_eq!(
        world.sandbox.requests().len(),
        before + 1,
        "one call, no loop"
    );
    let cloud = error.cloud().expect("a cloud error");
    assert_eq!(cloud.code(), Some("InvalidTimeStamp.Expired"));
    let hint = cloud.hint().unwrap();
    assert!(
        hint.contains("about 20 min ahead of the server's"),
        "{hint}"
    );
    assert!(
        error.to_string().contains("run it again to resume"),
        "{error}"
    );
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Active)
    );
    assert_eq!(world.step_on_disk(IDLE_USER), Some(StepKind::DisableKey));

    world.sandbox.set_faults(Faults::none());
    drop(engine);
    ok(&mut world.engine(), IDLE_USER, disable).await;
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Inactive)
    );
}

/// A client signing with fresh STS credentials of the demo's ramkey-rotator role.
async fn role_client(world: &World) -> Client {
    let request = AssumeRoleRequest {
        role_arn: "acs:ram::5123874409316254:role/ramkey-rotator".to_owned(),
        session_name: "faults-test".to_owned(),
        duration_seconds: 3600,
        policy: None,
        external_id: None,
    };
    let assumed = world.client.assume_role(&request, "test").await.unwrap();
    let config = ClientConfig {
        endpoints: Endpoints::single(&world.sandbox.endpoint()).unwrap(),
        credentials: assumed.credentials,
        clock: Arc::new(world.clock.clone()) as Arc<dyn Clock>,
        signature: world.signature,
    };
    Client::with_retry(config, Timeouts::default(), no_waiting()).unwrap()
}

#[tokio::test]
async fn a_token_expiring_mid_step_stops_before_the_next_write_and_resumes_with_fresh_ones() {
    let world = World::demo().await;
    move_until(&world, StepKind::CopyPermissions).await;
    // The two policies are granted first, then the group: the token runs out
    // between them (BC-05).
    world.sandbox.set_faults(faults(|f| {
        f.expire_tokens = Some(Schedule::first(1).only(&["AddUserToGroup"]));
    }));
    let stale = role_client(&world).await;

    let copy = Action::CopyPermissions(grants_to_copy());
    let error = world
        .engine_with(stale.clone())
        .perform(MOVE_USER, copy.clone())
        .await
        .unwrap_err();

    let cloud = error.cloud().expect("a cloud error");
    assert_eq!(cloud.code(), Some("InvalidSecurityToken.Expired"));
    let hint = cloud.hint().unwrap();
    assert!(hint.contains("get fresh STS credentials"), "{hint}");
    assert!(
        hint.contains("resumes at the step where it stopped"),
        "{hint}"
    );
    // Nothing after the refused write; the grants before it are kept.
    let last = world.sandbox.requests().pop().unwrap();
    assert_eq!(last.action, "AddUserToGroup");
    assert_eq!(
        world.step_on_disk(MOVE_USER),
        Some(StepKind::CopyPermissions)
    );
    let account = world.sandbox.account_snapshot();
    let new_user = account.user(NEW_USER).unwrap();
    assert_eq!(new_user.policies.len(), 2);
    assert!(new_user.groups.is_empty());
    // An expired token stays expired.
    let again = stale.get_user(MOVE_USER).await.unwrap_err();
    assert_eq!(again.code(), Some("InvalidSecurityToken.Expired"));

    let fresh = role_client(&world).await;
    let attaches_before = requests_ending(&world, "AttachPolicyToUser").len();
    ok(&mut world.engine_with(fresh), MOVE_USER, copy).await;

    assert_eq!(
        requests_ending(&world, "AttachPolicyToUser").len(),
        attaches_before,
        "finished grants are not made again"
    );
    let groups = requests_ending(&world, "AddUserToGroup");
    assert!(
        matches!(groups.last(), Some(Ending::Answered { status: 200, .. })),
        "{groups:?}"
    );
    assert_eq!(world.step_on_disk(MOVE_USER), Some(StepKind::CreateKey));
    let account = world.sandbox.account_snapshot();
    assert_eq!(account.user(NEW_USER).unwrap().groups.len(), 1);
}

/// What one full run did beyond the plain path.
#[derive(Debug, Default)]
struct Detours {
    /// Steps the admin ran again after a reported failure.
    reruns: usize,
    /// Lost keys replaced.
    replaced: usize,
}

/// Performs `action` as an admin would: a fresh engine each time (as after
/// a restart), running the step again after a failure ramkey reported as
/// unclear, and replacing a key whose secret was lost.
async fn perform(world: &World, user: &str, action: Action, detours: &mut Detours) -> Outcome {
    let mut action = action;
    for _ in 0..8 {
        let error = match world.engine().perform(user, action.clone()).await {
            Ok(outcome) => return outcome,
            Err(error) => error,
        };
        match &error {
            EngineError::SecretLost { user, .. } => {
                detours.replaced += 1;
                action = Action::ReplaceLostKey(Confirmation::typed(user.clone()));
            }
            error if error.cloud().is_some_and(unclear) => detours.reruns += 1,
            error => panic!("{} failed: {error}", action.name()),
        }
    }
    panic!("{} did not finish in 8 tries", action.name());
}

fn unclear(error: &CloudError) -> bool {
    error.is_ambiguous() || matches!(error, CloudError::RetriesExhausted { .. })
}

/// A scan, then the idle path and the move path to the end.
async fn everything(world: &World, detours: &mut Detours) -> ScanReport {
    let report = world
        .engine()
        .scan(&ramkey::scan::Quiet)
        .await
        .expect("the scan finishes");

    let run = vec![
        (
            IDLE_USER,
            Action::Start(Start::DisableIdle {
                key_id: IDLE_KEY.to_owned(),
            }),
        ),
        (IDLE_USER, Action::ConfirmReview),
        (
            IDLE_USER,
            Action::DisableKey(Confirmation::typed(IDLE_USER)),
        ),
        (
            MOVE_USER,
            Action::Start(Start::MoveToNewUser {
                key_id: MOVED_KEY.to_owned(),
            }),
        ),
        (MOVE_USER, Action::SetName(NEW_USER.to_owned())),
        (MOVE_USER, Action::CreateUser),
        (MOVE_USER, Action::CopyPermissions(grants_to_copy())),
        (MOVE_USER, Action::CreateKey),
        (MOVE_USER, Action::ConfirmSecretStored),
        (MOVE_USER, Action::ConfirmStaging),
        (MOVE_USER, Action::ConfirmProduction),
        (
            MOVE_USER,
            Action::DisableKey(Confirmation::typed(MOVE_USER)),
        ),
    ];
    for (user, action) in run {
        perform(world, user, action, detours).await;
    }

    world.advance(Duration::days(90));
    let detach = Action::DetachPolicies {
        policies: vec![PolicyRef {
            policy_name: "ci-deploy-artifacts".to_owned(),
            policy_type: PolicyType::Custom,
        }],
        confirmation: Confirmation::typed(MOVE_USER),
    };
    for (user, action) in [
        (IDLE_USER, Action::DeleteKey(Confirmation::typed(IDLE_USER))),
        (MOVE_USER, Action::DeleteKey(Confirmation::typed(MOVE_USER))),
        (MOVE_USER, detach),
    ] {
        perform(world, user, action, detours).await;
    }
    for user in [IDLE_USER, MOVE_USER] {
        assert!(world.engine().plan(user).unwrap().is_complete(), "{user}");
    }
    report
}

/// The account with what differs between any two runs made alike: the new
/// user's id, the rotation id in its mark, and its key's id and secret.
fn comparable(mut account: Account) -> Account {
    for user in &mut account.users {
        if let Some(at) = user.comments.find(" (rotation ") {
            user.comments.truncate(at);
            "<new user>".clone_into(&mut user.user_id);
            for key in &mut user.access_keys {
                "<new key>".clone_into(&mut key.access_key_id);
                key.access_key_secret = Secret::new("<new secret>");
            }
        }
    }
    account
}

async fn full_run(
    faults: Faults,
    signature: SignatureVersion,
) -> (ScanReport, Account, World, Detours) {
    let world = World::signing(Account::demo(), signature).await;
    world.sandbox.set_faults(faults);
    let mut detours = Detours::default();
    let report = everything(&world, &mut detours).await;
    let account = world.sandbox.account_snapshot();
    (report, account, world, detours)
}

/// Runs everything without faults and with `faults`; the two must end alike.
async fn check_same_end_as_without_faults(faults: Faults) -> Detours {
    check_same_end_signing(faults, SignatureVersion::V1).await
}

async fn check_same_end_signing(faults: Faults, signature: SignatureVersion) -> Detours {
    let (plain_report, plain_account, _, plain_detours) = full_run(Faults::none(), signature).await;
    assert_eq!((plain_detours.reruns, plain_detours.replaced), (0, 0));

    let (report, account, world, detours) = full_run(faults, signature).await;
    eprintln!("detours under faults: {detours:?}");

    // What the scan saw must match; how many calls it took may not.
    let findings = |report: &ScanReport| ScanReport {
        stats: ScanStats::default(),
        ..report.clone()
    };
    assert_eq!(
        findings(&report),
        findings(&plain_report),
        "the scan saw something else"
    );
    let new_users: Vec<_> = account
        .users
        .iter()
        .filter(|u| u.user_name.starts_with(NEW_USER))
        .collect();
    assert_eq!(new_users.len(), 1, "duplicate users");
    assert_eq!(new_users[0].access_keys.len(), 1, "duplicate keys");
    assert_eq!(comparable(account), comparable(plain_account));

    // The faults did fire: throttled tries, and writes whose answer was lost.
    let seen = world.sandbox.requests();
    let throttled = seen
        .iter()
        .filter(|r| matches!(&r.ended, Ending::Answered { code, .. } if code == "Throttling.User"))
        .count();
    let lost_writes = seen
        .iter()
        .filter(|r| WRITES.contains(&r.action.as_str()) && r.ended == Ending::Reset { acted: true })
        .count();
    assert!(throttled > 10, "{throttled} throttled");
    assert!(lost_writes > 0, "no write lost its answer");
    detours
}

#[tokio::test]
async fn throttling_every_third_call_and_resets_after_acting_end_as_without_faults() {
    // The "Done when".
    let _ = check_same_end_as_without_faults(faults(|f| {
        f.throttle = Some(Schedule::every(3));
        f.reset_after_acting = Some(Schedule::every(4));
    }))
    .await;
}

#[tokio::test]
async fn the_same_holds_for_a_client_signing_with_v3() {
    let detours = check_same_end_signing(
        faults(|f| {
            f.throttle = Some(Schedule::every(3));
            f.reset_after_acting = Some(Schedule::every(2).only(&WRITES));
        }),
        SignatureVersion::V3,
    )
    .await;
    assert_eq!((detours.reruns, detours.replaced), (0, 1));
}

#[tokio::test]
async fn every_other_answer_lost_after_acting_still_ends_as_without_faults() {
    let _ = check_same_end_as_without_faults(faults(|f| {
        f.throttle = Some(Schedule::every(3));
        f.reset_after_acting = Some(Schedule::every(2));
    }))
    .await;
}

#[tokio::test]
async fn every_other_write_losing_its_answer_still_ends_as_without_faults() {
    let detours = check_same_end_as_without_faults(faults(|f| {
        f.throttle = Some(Schedule::every(3));
        f.reset_after_acting = Some(Schedule::every(2).only(&WRITES));
    }))
    .await;

    // Only writes are counted, so this is the same every run: the first
    // CreateAccessKey loses its answer, and its key is replaced once.
    assert_eq!((detours.reruns, detours.replaced), (0, 1));
}

/// A retry wait that, the first time, fills the new user's two key slots
/// (one Active, one disabled) through another client: keys appearing
/// between the engine's look and its CreateAccessKey, as after a crash of
/// another run.
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
            let second = second.value.access_key_id;
            client
                .update_access_key(NEW_USER, &second, KeyStatus::Inactive)
                .await
                .unwrap();
        })
    }
}

#[tokio::test]
async fn a_key_limit_on_create_names_the_keys_holding_the_slots_and_is_not_retried() {
    let world = World::demo().await;
    move_until(&world, StepKind::CreateKey).await;
    let sleeper = FillsTheSlots {
        filler: Mutex::new(Some(world.client.clone())),
    };
    let retry = Retry::with_sleeper(Arc::new(sleeper));
    let engine_client = world.caller_client(Timeouts::default(), retry);
    world.sandbox.set_faults(faults(|f| {
        f.throttle = Some(Schedule::first(1).only(&["CreateAccessKey"]));
    }));

    let error = refused(
        &world,
        &mut world.engine_with(engine_client),
        MOVE_USER,
        Action::CreateKey,
    )
    .await;

    let EngineError::KeyLimit { user, held, source } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(user, NEW_USER);
    assert_eq!(source.code(), Some("LimitExceeded.User.AccessKey"));
    let statuses: Vec<KeyStatus> = held.iter().map(|key| key.status).collect();
    assert_eq!(statuses, [KeyStatus::Active, KeyStatus::Inactive]);
    let text = error.to_string();
    for key in held {
        let shown = format!("{} ({})", key.access_key_id, key.status.as_str());
        assert!(text.contains(&shown), "{shown} not in {text}");
    }
    assert!(
        text.contains("freed only by deleting a key, not by disabling it"),
        "{text}"
    );
    // Throttled, the two keys filling the slots, refused: the 409 is the
    // last CreateAccessKey, not tried again.
    let statuses: Vec<u16> = requests_ending(&world, "CreateAccessKey")
        .into_iter()
        .map(|ended| match ended {
            Ending::Answered { status, .. } => status,
            other @ Ending::Reset { .. } => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(statuses, [400, 200, 200, 409]);
    assert_eq!(world.step_on_disk(MOVE_USER), Some(StepKind::CreateKey));
}
