//! `scan::run` against the in-process sandbox: the demo account's findings,
//! the BC-07 key-slot cases, never-used keys in both answer shapes, and proof
//! that a scan writes nothing.

mod rotation_support;

use ramkey::clock::Clock as _;
use ramkey::cloud::model::KeyStatus;
use ramkey::sandbox::{Account, NeverUsedKeys};
use ramkey::scan::{self, Recommendation, ScanOptions, Verdict};
use rotation_support::World;

fn options(world: &World) -> ScanOptions {
    ScanOptions::per_user(90, world.clock.now())
}

#[tokio::test]
async fn the_demo_account_flags_the_users_with_two_active_keys() {
    let world = World::demo().await;
    let report = scan::run(&world.client, &options(&world), &scan::Quiet)
        .await
        .unwrap();

    assert_eq!(report.account_id, rotation_support::ACCOUNT);
    assert_eq!(report.users_scanned, 33, "every page of ListUsers was read");
    let found: Vec<(&str, Recommendation)> = report
        .flagged
        .iter()
        .map(|f| (f.user.as_str(), f.recommendation))
        .collect();
    assert_eq!(
        found,
        [
            ("billing-exporter", Recommendation::DisableIdle),
            ("ci-deployer", Recommendation::MoveToNewUser),
            ("data-sync", Recommendation::Review),
            ("sms-gateway", Recommendation::DisableIdle),
            ("wechat-bot", Recommendation::DisableIdle),
            // KMS was not checked: its managed user looks like any other.
            ("wxpay-notify", Recommendation::MoveToNewUser),
        ]
    );

    let billing = &report.flagged[0];
    assert_eq!(billing.display_name, "账单导出服务");
    let verdicts: Vec<(&str, Verdict)> = billing
        .keys
        .iter()
        .map(|k| (k.id.as_str(), k.verdict))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("LTAI5tHYcNLlk2r7wbVdZbSe", Verdict::Idle),
            ("LTAI5tj7wYlNzO8u2xVXitmg", Verdict::InUse),
        ]
    );
    assert!(
        billing.keys[0].reason.contains("200 days ago"),
        "{}",
        billing.keys[0].reason
    );
    assert!(report.flagged.iter().all(|f| f.ramkey_key().is_none()));

    // The never-used key created yesterday: unknown, too new, null in JSON.
    let data_sync = &report.flagged[2];
    let new_key = data_sync.key("LTAI5tclG3ZlvP6q1tFB9szn").unwrap();
    assert_eq!(new_key.verdict, Verdict::Unknown);
    assert!(new_key.reason.contains("too new"), "{}", new_key.reason);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["flagged"][2]["keys"][1]["last_used"],
        serde_json::Value::Null
    );
    assert_eq!(json["flagged"][2]["keys"][1]["verdict"], "unknown");
    assert_eq!(json["flagged"][1]["recommendation"], "move_to_new_user");
}

#[tokio::test]
async fn a_scan_makes_no_writes() {
    let world = World::demo().await;
    // The caller key's last use moves with its first request; take the
    // "before" picture after it, so only a write could make a difference.
    world.client.get_caller_identity().await.unwrap();
    let before = world.sandbox.account_snapshot();

    scan::run(&world.client, &options(&world), &scan::Quiet)
        .await
        .unwrap();
    world.engine().scan(&scan::Quiet).await.unwrap();

    assert_eq!(world.sandbox.account_snapshot(), before);
}

/// BC-07: `a` [Active, Active], `b` [Active, Inactive], `c` [Inactive,
/// Inactive], `d` [Active]; ramkey signs as `admin`.
fn bc07_account(never_used: NeverUsedKeys) -> Account {
    let key = |id: &str, status: KeyStatus, last_used: Option<&str>| {
        serde_json::json!({
            "AccessKeyId": id, "AccessKeySecret": format!("secret-of-{id}"),
            "Status": status.as_str(), "CreateDate": "-400d", "LastUsedDate": last_used,
        })
    };
    let user = |name: &str, keys: Vec<serde_json::Value>| {
        serde_json::json!({
            "UserName": name, "UserId": format!("id-{name}"), "CreateDate": "-500d",
            "AccessKeys": keys,
        })
    };
    let never_used = match never_used {
        NeverUsedKeys::OmitLastUsedDate => "OmitLastUsedDate",
        NeverUsedKeys::EmptyLastUsedDate => "EmptyLastUsedDate",
    };
    // The sandbox evaluates policies: the scanning admin may read RAM.
    let mut admin = user(
        "admin",
        vec![key("LTAI-ADMIN", KeyStatus::Active, Some("-1m"))],
    );
    admin["Policies"] = serde_json::json!([{
        "PolicyName": "AliyunRAMReadOnlyAccess", "PolicyType": "System", "AttachDate": "-1d"
    }]);
    let account = serde_json::json!({
        "AccountId": rotation_support::ACCOUNT,
        "AccountAlias": "bc07",
        "CallerAccessKeyId": "LTAI-ADMIN",
        "NeverUsedKeys": never_used,
        "Policies": [{"PolicyName": "AliyunRAMReadOnlyAccess", "PolicyType": "System"}],
        "Users": [
            admin,
            user("a", vec![
                key("LTAI-A1", KeyStatus::Active, None),
                key("LTAI-A2", KeyStatus::Active, Some("-1d")),
            ]),
            user("b", vec![
                key("LTAI-B1", KeyStatus::Active, Some("-1d")),
                key("LTAI-B2", KeyStatus::Inactive, Some("-300d")),
            ]),
            user("c", vec![
                key("LTAI-C1", KeyStatus::Inactive, None),
                key("LTAI-C2", KeyStatus::Inactive, None),
            ]),
            user("d", vec![key("LTAI-D1", KeyStatus::Active, Some("-1d"))]),
        ],
    });
    Account::parse(&account.to_string(), "bc-07 test account").expect("valid account")
}

#[tokio::test]
async fn only_two_active_keys_are_the_finding_and_never_used_is_unknown_in_both_shapes() {
    for shape in [
        NeverUsedKeys::OmitLastUsedDate,
        NeverUsedKeys::EmptyLastUsedDate,
    ] {
        let world = World::with_account(bc07_account(shape)).await;
        let report = scan::run(&world.client, &options(&world), &scan::Quiet)
            .await
            .unwrap();

        assert_eq!(report.users_scanned, 5);
        let users: Vec<&str> = report.flagged.iter().map(|f| f.user.as_str()).collect();
        assert_eq!(users, ["a"], "{shape:?}");
        let a = &report.flagged[0];
        // An old key with no last-use date is unknown, never idle.
        assert_eq!(
            a.key("LTAI-A1").unwrap().verdict,
            Verdict::Unknown,
            "{shape:?}"
        );
        assert_eq!(a.key("LTAI-A1").unwrap().last_used, None);
        assert_eq!(a.key("LTAI-A2").unwrap().verdict, Verdict::InUse);
        assert_eq!(a.recommendation, Recommendation::Review);
    }
}
