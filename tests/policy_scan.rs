//! A full scan of the demo account by an identity holding exactly the
//! scan-only policy finds what a fully privileged one finds; any write with
//! that policy is refused with NoPermission naming the action.

mod policy_support;
mod rotation_support;

use policy_support::{SCAN_ONLY, account_with_caller_policy, assert_no_permission, document};
use ramkey::cloud::model::{KeyStatus, PolicyType};
use ramkey::rotation::{Action, Start};
use rotation_support::World;

const IDLE_USER: &str = "billing-exporter";
const IDLE_KEY: &str = "LTAI5tHYcNLlk2r7wbVdZbSe";

/// KMS checked where the demo account keeps its RAM secret.
fn hangzhou() -> ramkey::scan::KmsOptions {
    let region = ramkey::cloud::Region::parse("cn-hangzhou").unwrap();
    ramkey::scan::KmsOptions::new(vec![region], 48)
}

async fn scan_only_world() -> World {
    World::with_account(account_with_caller_policy(&document(SCAN_ONLY))).await
}

#[tokio::test]
async fn the_scan_only_policy_scans_the_whole_account() {
    let limited = scan_only_world().await;
    let report = limited
        .engine()
        .with_kms(hangzhou())
        .scan(&ramkey::scan::Quiet)
        .await
        .expect("the scan-only policy suffices");

    let flagged: Vec<&str> = report.flagged.iter().map(|f| f.user.as_str()).collect();
    assert_eq!(
        flagged,
        [
            "billing-exporter",
            "ci-deployer",
            "data-sync",
            "sms-gateway",
            "wechat-bot"
        ]
    );
    // The demo account plus the test's console administrator.
    assert_eq!(report.users_scanned, 34);
    // Its KMS-managed user is recognised with exactly this policy.
    let managed: Vec<&str> = report.kms_managed.iter().map(|m| m.user.as_str()).collect();
    assert_eq!(managed, ["wxpay-notify"]);

    let privileged = World::demo().await;
    let full = privileged
        .engine()
        .with_kms(hangzhou())
        .scan(&ramkey::scan::Quiet)
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&report.flagged).unwrap(),
        serde_json::to_value(&full.flagged).unwrap(),
        "the verdicts do not depend on the policy"
    );
}

#[tokio::test]
async fn every_kind_of_write_is_refused_with_the_scan_only_policy() {
    let world = scan_only_world().await;
    let client = &world.client;

    let error = client
        .update_access_key(IDLE_USER, IDLE_KEY, KeyStatus::Inactive)
        .await
        .unwrap_err();
    assert_no_permission(&error, "UpdateAccessKey");
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Active)
    );

    let error = client
        .delete_access_key(IDLE_USER, IDLE_KEY)
        .await
        .unwrap_err();
    assert_no_permission(&error, "DeleteAccessKey");
    let error = client.create_user("sneaky", None, None).await.unwrap_err();
    assert_no_permission(&error, "CreateUser");
    let error = client.create_access_key(IDLE_USER).await.unwrap_err();
    assert_no_permission(&error, "CreateAccessKey");
    let error = client
        .attach_policy_to_user(IDLE_USER, PolicyType::System, "AdministratorAccess")
        .await
        .unwrap_err();
    assert_no_permission(&error, "AttachPolicyToUser");
    let error = client
        .add_user_to_group(IDLE_USER, "ops")
        .await
        .unwrap_err();
    assert_no_permission(&error, "AddUserToGroup");

    let account = world.sandbox.account_snapshot();
    assert!(account.user("sneaky").is_none());
    let target = account.user(IDLE_USER).unwrap();
    assert_eq!(target.access_keys.len(), 2);
    assert_eq!(target.policies.len(), 2);
    assert_eq!(target.groups.len(), 1);
}

#[tokio::test]
async fn a_rotation_cannot_start_with_the_scan_only_policy() {
    let world = scan_only_world().await;
    let mut engine = world.engine();
    let start = Action::Start(Start::DisableIdle {
        key_id: IDLE_KEY.to_owned(),
    });
    let error = engine.perform(IDLE_USER, start).await.unwrap_err();
    assert_no_permission(error.cloud().expect("a cloud refusal"), "GetUser");
    assert!(engine.plan(IDLE_USER).is_none(), "nothing was started");
}
