//! ramkey with `--signature v3` against the in-process sandbox: the scan
//! finds what a 1.0 scan finds, and both rotation paths run to the end, the
//! engine rebuilt from the state file before every step. A wrong secret
//! shows that these calls really were V3.

mod rotation_support;

use std::sync::Arc;

use chrono::Duration;
use ramkey::clock::{Clock as _, FixedClock};
use ramkey::cloud::model::{KeyStatus, PolicyType};
use ramkey::cloud::{Client, ClientConfig, Credentials, Endpoints, SignatureVersion};
use ramkey::rotation::{Action, Confirmation, Start, StepKind};
use ramkey::sandbox::{Account, MISMATCH_PREFIX};
use ramkey::scan::{self, ScanOptions, ScanReport};
use ramkey::secret::Secret;
use ramkey::state::steps::Grant;
use rotation_support::{World, ok};

async fn v3_world() -> World {
    World::signing(Account::demo(), SignatureVersion::V3).await
}

async fn scan(world: &World) -> ScanReport {
    let options = ScanOptions::per_user(90, world.clock.now());
    scan::run(&world.client, &options, &scan::Quiet)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_v3_scan_finds_exactly_what_a_one_point_zero_scan_finds() {
    let v1 = World::demo().await;
    let v3 = v3_world().await;

    let (by_v1, by_v3) = (scan(&v1).await, scan(&v3).await);

    assert_eq!(by_v3.users_scanned, 33, "every page of ListUsers was read");
    assert_eq!(
        serde_json::to_value(&by_v3.flagged).unwrap(),
        serde_json::to_value(&by_v1.flagged).unwrap()
    );
    assert_eq!(by_v3.flagged.len(), 6);
}

#[tokio::test]
async fn the_v3_client_is_refused_with_a_v3_string_to_sign_on_a_wrong_secret() {
    let world = v3_world().await;
    let credentials = Credentials::new(
        world.sandbox.caller_access_key_id(),
        Secret::new("not-the-secret"),
        None,
        "test",
    )
    .unwrap();
    let client = Client::new(ClientConfig {
        endpoints: Endpoints::single(&world.sandbox.endpoint()).unwrap(),
        credentials,
        clock: Arc::new(FixedClock::new(world.now())),
        signature: SignatureVersion::V3,
    })
    .unwrap();

    let error = client.get_caller_identity().await.unwrap_err();

    assert_eq!(error.code(), Some("SignatureDoesNotMatch"));
    let api = error.api().unwrap();
    assert!(api.message.starts_with(MISMATCH_PREFIX), "{}", api.message);
    assert!(
        api.server_string_to_sign()
            .is_some_and(|server| server.starts_with("ACS3-HMAC-SHA256 ")),
        "{}",
        api.message
    );
    let hint = error.hint().unwrap();
    assert!(hint.contains("Both sides signed the same string"), "{hint}");
}

#[tokio::test]
async fn the_idle_path_runs_to_deletion_under_v3() {
    const USER: &str = "billing-exporter";
    const IDLE_KEY: &str = "LTAI5tHYcNLlk2r7wbVdZbSe";
    const BUSY_KEY: &str = "LTAI5tj7wYlNzO8u2xVXitmg";
    let world = v3_world().await;

    let script = [
        Action::Start(Start::DisableIdle {
            key_id: IDLE_KEY.to_owned(),
        }),
        Action::ConfirmReview,
        Action::DisableKey(Confirmation::typed(USER)),
        Action::DeleteKey(Confirmation::typed(USER)),
    ];
    for action in script {
        let mut engine = world.engine();
        if engine.next_step(USER) == Some(StepKind::DeleteKey) {
            assert_eq!(world.key_status(USER, IDLE_KEY), Some(KeyStatus::Inactive));
            world.advance(Duration::days(90));
        }
        ok(&mut engine, USER, action).await;
    }

    assert!(world.engine().plan(USER).unwrap().is_complete());
    assert_eq!(world.key_status(USER, IDLE_KEY), None);
    assert_eq!(world.key_status(USER, BUSY_KEY), Some(KeyStatus::Active));
}

#[tokio::test]
async fn the_move_path_runs_to_the_end_under_v3() {
    const USER: &str = "ci-deployer";
    const MOVED_KEY: &str = "LTAI5tta73aMlWBWNXMqU75Y";
    const NEW_USER: &str = "ci-deployer-v3";
    let world = v3_world().await;

    let script = [
        Action::Start(Start::MoveToNewUser {
            key_id: MOVED_KEY.to_owned(),
        }),
        Action::SetName(NEW_USER.to_owned()),
        Action::CreateUser,
        Action::CopyPermissions(vec![
            Grant::Policy {
                policy_name: "ci-deploy-artifacts".to_owned(),
                policy_type: PolicyType::Custom,
            },
            Grant::Group {
                group_name: "deployers".to_owned(),
            },
        ]),
        Action::CreateKey,
        Action::ConfirmSecretStored,
        Action::ConfirmStaging,
        Action::ConfirmProduction,
        Action::DisableKey(Confirmation::typed(USER)),
        Action::DeleteKey(Confirmation::typed(USER)),
        Action::DetachPolicies {
            policies: Vec::new(),
            confirmation: Confirmation::typed(USER),
        },
    ];
    let mut new_secret = None;
    for action in script {
        let mut engine = world.engine();
        if engine.next_step(USER) == Some(StepKind::DeleteKey) {
            world.advance(Duration::days(90));
        }
        let outcome = ok(&mut engine, USER, action).await;
        if let Some(key) = outcome.new_key {
            new_secret = Some(key);
        }
    }

    assert!(world.engine().plan(USER).unwrap().is_complete());
    let account = world.sandbox.account_snapshot();
    let new_user = account.user(NEW_USER).expect("the new user exists");
    assert_eq!(new_user.access_keys.len(), 1);
    assert_eq!(new_user.access_keys[0].status, KeyStatus::Active);
    assert_eq!(new_user.groups.len(), 1);
    assert_eq!(world.key_status(USER, MOVED_KEY), None);

    // The new key signs V3 requests too.
    let new_key = new_secret.expect("CreateKey handed out the secret");
    let as_new_user = world.client_as(&new_key.access_key_id);
    let identity = as_new_user.get_caller_identity().await.unwrap();
    assert!(
        identity.arn.ends_with(&format!(":user/{NEW_USER}")),
        "{}",
        identity.arn
    );
}

#[tokio::test]
async fn odd_values_reach_the_account_exactly_as_given_under_v3() {
    let world = v3_world().await;
    let odd = [
        "运维-张三",
        "a+b",
        "a/b=c==",
        "*~%20%",
        "%E4%B8%AD",
        "x&Action=DeleteUser&UserName=alice.wang",
        " leading and trailing ",
        "tab\tnew\nline",
        "é\u{1F511}",
    ];

    for (index, value) in odd.iter().enumerate() {
        let name = format!("v3-odd-{index}");
        world
            .client
            .create_user(&name, Some(value), Some(value))
            .await
            .unwrap_or_else(|error| panic!("{value:?}: {error}"));
        let account = world.sandbox.account_snapshot();
        let user = account.user(&name).expect("created");
        assert_eq!(
            (user.display_name.as_str(), user.comments.as_str()),
            (*value, *value)
        );
    }
    assert!(
        world
            .sandbox
            .account_snapshot()
            .user("alice.wang")
            .is_some()
    );
}
