//! The RAM and STS actions against the demo account: paging (bc-06), users,
//! keys and the two-key limit (bc-07), last use, policies, groups, identity.

mod sandbox_support;

use std::collections::HashSet;

use chrono::Duration;
use ramkey::cloud::model::KeyStatus;
use sandbox_support::{Harness, STS, Signer, Transport, all_user_names};
use serde_json::Value;

#[tokio::test]
async fn list_users_pages_over_every_user_exactly_once() {
    let harness = Harness::demo().await;
    let expected: HashSet<String> = harness
        .sandbox
        .account_snapshot()
        .users
        .into_iter()
        .map(|user| user.user_name)
        .collect();
    assert!(expected.len() > 30, "the demo account pages");

    for max_items in [None, Some("7"), Some("1000")] {
        let (names, pages) = all_user_names(&harness, max_items).await;
        let unique: HashSet<String> = names.iter().cloned().collect();
        assert_eq!(
            names.len(),
            unique.len(),
            "a user listed twice ({max_items:?})"
        );
        assert_eq!(unique, expected, "{max_items:?}");
        // The demo caps pages at 10 whatever MaxItems asks.
        let page_size = max_items.map_or(10, |m| m.parse::<usize>().unwrap().min(10));
        assert_eq!(pages, expected.len().div_ceil(page_size), "{max_items:?}");
    }
}

#[tokio::test]
async fn users_created_while_paging_are_neither_skipped_nor_repeated() {
    let harness = Harness::demo().await;
    let first = harness.ram("ListUsers", &[]).await.ok();
    let marker = first["Marker"].as_str().unwrap().to_owned();
    let last_on_page_one = first["Users"]["User"][9]["UserName"]
        .as_str()
        .unwrap()
        .to_owned();

    // One user sorts before the marker, one after.
    harness
        .ram("CreateUser", &[("UserName", "aaa-early")])
        .await
        .ok();
    harness
        .ram("CreateUser", &[("UserName", "zzz-late")])
        .await
        .ok();

    let mut seen = Vec::new();
    let mut marker = Some(marker);
    while let Some(current) = marker {
        let page = harness.ram("ListUsers", &[("Marker", &current)]).await.ok();
        seen.extend(names(&page["Users"]["User"]));
        marker = page["Marker"].as_str().map(str::to_owned);
    }
    assert!(seen.iter().all(|name| *name > last_on_page_one));
    assert!(seen.contains(&"zzz-late".to_owned()));
    assert!(!seen.contains(&"aaa-early".to_owned()));
}

#[tokio::test]
async fn get_user_and_the_user_errors() {
    let harness = Harness::demo().await;
    let user = harness
        .ram("GetUser", &[("UserName", "ops-zhangsan")])
        .await
        .ok();
    assert_eq!(user["User"]["DisplayName"], "运维-张三");
    assert_eq!(
        user["User"]["CreateDate"], "2021-07-16T03:04:05Z",
        "900 days before start"
    );

    harness
        .ram("GetUser", &[])
        .await
        .assert_error(400, "MissingUserName");
    let reply = harness.ram("GetUser", &[("UserName", "nobody")]).await;
    reply.assert_error(404, "EntityNotExist.User");
    harness
        .ram("GetUser", &[("UserName", "ops bot")])
        .await
        .assert_error(400, "InvalidParameter.UserName.InvalidChars");
    harness
        .ram("GetUser", &[("UserName", &"a".repeat(65))])
        .await
        .assert_error(400, "InvalidParameter.UserName.Length");
}

#[tokio::test]
async fn create_user_twice_is_a_conflict() {
    let harness = Harness::demo().await;
    let created = harness
        .ram(
            "CreateUser",
            &[
                ("UserName", "ci-deployer-2"),
                ("DisplayName", "CI 部署机器人 (新)"),
                ("Comments", "Replaces ci-deployer"),
            ],
        )
        .await
        .ok();
    assert_eq!(created["User"]["UserName"], "ci-deployer-2");
    assert_eq!(created["User"]["CreateDate"], "2024-01-02T03:04:05Z");
    assert_eq!(created["User"]["UserId"].as_str().unwrap().len(), 16);

    let again = harness
        .ram("CreateUser", &[("UserName", "ci-deployer-2")])
        .await;
    again.assert_error(409, "EntityAlreadyExists.User");
    assert_eq!(again.message(), "The user does already EXIST.");

    let snapshot = harness.sandbox.account_snapshot();
    let user = snapshot.user("ci-deployer-2").unwrap();
    assert_eq!(user.comments, "Replaces ci-deployer");
    harness
        .ram("CreateUser", &[("UserName", "bad/name")])
        .await
        .assert_error(400, "InvalidParameter.UserName.InvalidChars");
    harness
        .ram(
            "CreateUser",
            &[("UserName", "x"), ("Comments", &"c".repeat(129))],
        )
        .await
        .assert_error(400, "InvalidParameter.Comments.Length");
}

#[tokio::test]
async fn a_third_key_is_refused_whatever_the_status_of_the_two() {
    // bc-07: Inactive keys hold slots too.
    let harness = Harness::demo().await;
    for user in ["ci-deployer", "log-shipper", "legacy-ftp-sync"] {
        let reply = harness.ram("CreateAccessKey", &[("UserName", user)]).await;
        reply.assert_error(409, "LimitExceeded.User.AccessKey");
        assert_eq!(
            reply.message(),
            "The access key count of the user access keys beyond the current limits."
        );
    }

    harness
        .ram("CreateUser", &[("UserName", "fresh")])
        .await
        .ok();
    for _ in 0..2 {
        let key = harness
            .ram("CreateAccessKey", &[("UserName", "fresh")])
            .await
            .ok();
        assert_eq!(key["AccessKey"]["Status"], "Active");
        assert_eq!(
            key["AccessKey"]["AccessKeySecret"].as_str().unwrap().len(),
            30
        );
    }
    harness
        .ram("CreateAccessKey", &[("UserName", "fresh")])
        .await
        .assert_error(409, "LimitExceeded.User.AccessKey");
    harness
        .ram("CreateAccessKey", &[("UserName", "nobody")])
        .await
        .assert_error(404, "EntityNotExist.User");
}

#[tokio::test]
async fn a_new_key_signs_at_once_and_is_refused_once_disabled() {
    let harness = Harness::demo().await;
    harness
        .ram("CreateUser", &[("UserName", "app-v2")])
        .await
        .ok();
    let new_key = create_key(&harness, "app-v2").await;

    let identity = harness
        .call(&new_key, Transport::Get, STS, "GetCallerIdentity", &[])
        .await
        .ok();
    assert_eq!(identity["Arn"], "acs:ram::5123874409316254:user/app-v2");

    harness
        .ram(
            "UpdateAccessKey",
            &[
                ("UserName", "app-v2"),
                ("UserAccessKeyId", &new_key.key_id),
                ("Status", "Inactive"),
            ],
        )
        .await
        .ok();
    let listed = harness
        .ram("ListAccessKeys", &[("UserName", "app-v2")])
        .await
        .ok();
    assert_eq!(listed["AccessKeys"]["AccessKey"][0]["Status"], "Inactive");
    harness
        .call(&new_key, Transport::Get, STS, "GetCallerIdentity", &[])
        .await
        .assert_error(400, "InvalidAccessKeyId.Inactive");

    harness
        .ram(
            "UpdateAccessKey",
            &[
                ("UserName", "app-v2"),
                ("UserAccessKeyId", &new_key.key_id),
                ("Status", "Active"),
            ],
        )
        .await
        .ok();
    harness
        .call(&new_key, Transport::Get, STS, "GetCallerIdentity", &[])
        .await
        .ok();
}

#[tokio::test]
async fn update_access_key_errors() {
    let harness = Harness::demo().await;
    let key = first_key_id(&harness, "billing-exporter");
    harness
        .ram("UpdateAccessKey", &[("Status", "Inactive")])
        .await
        .assert_error(400, "MissingUserAccessKeyId");
    harness
        .ram("UpdateAccessKey", &[("UserAccessKeyId", &key)])
        .await
        .assert_error(400, "MissingStatus");
    harness
        .ram(
            "UpdateAccessKey",
            &[
                ("UserName", "billing-exporter"),
                ("UserAccessKeyId", &key),
                ("Status", "Disabled"),
            ],
        )
        .await
        .assert_error(400, "InvalidParameter.Status");
    // The key exists, but not on the caller (no UserName).
    harness
        .ram(
            "UpdateAccessKey",
            &[("UserAccessKeyId", &key), ("Status", "Inactive")],
        )
        .await
        .assert_error(404, "EntityNotExist.User.AccessKey");
}

#[tokio::test]
async fn delete_access_key_frees_a_slot_and_the_key_stops_signing() {
    let harness = Harness::demo().await;
    let signer = signer_of(&harness, "ci-deployer", 0);
    harness
        .ram(
            "DeleteAccessKey",
            &[
                ("UserName", "ci-deployer"),
                ("UserAccessKeyId", &signer.key_id),
            ],
        )
        .await
        .ok();

    let listed = harness
        .ram("ListAccessKeys", &[("UserName", "ci-deployer")])
        .await
        .ok();
    assert_eq!(
        listed["AccessKeys"]["AccessKey"].as_array().unwrap().len(),
        1
    );
    harness
        .call(&signer, Transport::Get, STS, "GetCallerIdentity", &[])
        .await
        .assert_error(404, "InvalidAccessKeyId.NotFound");
    let again = harness
        .ram(
            "DeleteAccessKey",
            &[
                ("UserName", "ci-deployer"),
                ("UserAccessKeyId", &signer.key_id),
            ],
        )
        .await;
    again.assert_error(404, "EntityNotExist.User.AccessKey");
    create_key(&harness, "ci-deployer").await;
}

#[tokio::test]
async fn list_access_keys_without_a_user_lists_the_callers_and_never_secrets() {
    let harness = Harness::demo().await;
    let listed = harness.ram("ListAccessKeys", &[]).await.ok();
    let keys = listed["AccessKeys"]["AccessKey"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["AccessKeyId"], harness.caller().key_id.as_str());
    let mut fields: Vec<&String> = keys[0].as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(fields, ["AccessKeyId", "CreateDate", "Status"]);
}

#[tokio::test]
async fn last_use_advances_when_a_key_signs() {
    let harness = Harness::demo().await;
    let busy = signer_of(&harness, "billing-exporter", 1);
    assert_eq!(
        last_used(&harness, "billing-exporter", &busy.key_id).await,
        "2024-01-02T02:04:05Z",
        "one hour before start"
    );

    harness.advance(Duration::days(3));
    harness
        .call(&busy, Transport::PostQuery, STS, "GetCallerIdentity", &[])
        .await
        .ok();
    assert_eq!(
        last_used(&harness, "billing-exporter", &busy.key_id).await,
        "2024-01-05T03:04:05Z"
    );

    let snapshot = harness.sandbox.account_snapshot();
    let key = snapshot.key_owner(&busy.key_id).unwrap().1;
    assert_eq!(
        key.last_used_date.unwrap().resolve(harness.now()),
        harness.now()
    );
}

#[tokio::test]
async fn a_never_used_key_has_no_last_use_date() {
    let harness = Harness::demo().await;
    let never_used = harness
        .sandbox
        .account_snapshot()
        .user("data-sync")
        .unwrap()
        .access_keys[1]
        .clone();
    assert_eq!(never_used.last_used_date, None);
    let body = harness
        .ram(
            "GetAccessKeyLastUsed",
            &[
                ("UserName", "data-sync"),
                ("UserAccessKeyId", &never_used.access_key_id),
            ],
        )
        .await
        .ok();
    assert_eq!(body["AccessKeyLastUsed"], serde_json::json!({}));
    harness
        .ram("GetAccessKeyLastUsed", &[("UserName", "data-sync")])
        .await
        .assert_error(400, "MissingUserAccessKeyId");
}

#[tokio::test]
async fn policies_list_attach_and_detach_with_their_errors() {
    let harness = Harness::demo().await;
    let listed = harness
        .ram("ListPoliciesForUser", &[("UserName", "ci-deployer")])
        .await
        .ok();
    let policies = listed["Policies"]["Policy"].as_array().unwrap();
    let types: HashSet<&str> = policies
        .iter()
        .map(|p| p["PolicyType"].as_str().unwrap())
        .collect();
    assert!(policies.len() >= 2 && types.contains("System") && types.contains("Custom"));
    assert!(
        policies
            .iter()
            .all(|p| !p["Description"].as_str().unwrap().is_empty())
    );

    harness
        .ram("CreateUser", &[("UserName", "ci-deployer-2")])
        .await
        .ok();
    let attach = |name: &'static str, kind: &'static str| {
        [
            ("UserName", "ci-deployer-2"),
            ("PolicyName", name),
            ("PolicyType", kind),
        ]
    };
    harness
        .ram(
            "AttachPolicyToUser",
            &attach("ci-deploy-artifacts", "Custom"),
        )
        .await
        .ok();
    harness
        .ram(
            "AttachPolicyToUser",
            &attach("ci-deploy-artifacts", "Custom"),
        )
        .await
        .assert_error(409, "EntityAlreadyExists.User.Policy");
    // The same name with the wrong type is another policy, which does not exist.
    harness
        .ram(
            "AttachPolicyToUser",
            &attach("ci-deploy-artifacts", "System"),
        )
        .await
        .assert_error(404, "EntityNotExist.Policy");
    harness
        .ram("AttachPolicyToUser", &attach("NoSuchPolicy", "System"))
        .await
        .assert_error(404, "EntityNotExist.Policy");
    harness
        .ram("AttachPolicyToUser", &attach("ReadOnlyAccess", "Managed"))
        .await
        .assert_error(400, "InvalidParameter.PolicyType");
    harness
        .ram(
            "AttachPolicyToUser",
            &[
                ("UserName", "nobody"),
                ("PolicyName", "ReadOnlyAccess"),
                ("PolicyType", "System"),
            ],
        )
        .await
        .assert_error(404, "EntityNotExist.User");
    harness
        .ram(
            "AttachPolicyToUser",
            &[("UserName", "ci-deployer-2"), ("PolicyType", "System")],
        )
        .await
        .assert_error(400, "MissingPolicyName");

    let copied = harness
        .ram("ListPoliciesForUser", &[("UserName", "ci-deployer-2")])
        .await
        .ok();
    assert_eq!(
        copied["Policies"]["Policy"][0]["AttachDate"],
        "2024-01-02T03:04:05Z"
    );

    harness
        .ram(
            "DetachPolicyFromUser",
            &attach("ci-deploy-artifacts", "Custom"),
        )
        .await
        .ok();
    harness
        .ram(
            "DetachPolicyFromUser",
            &attach("ci-deploy-artifacts", "Custom"),
        )
        .await
        .assert_error(404, "EntityNotExist.User.Policy");
    let empty = harness
        .ram("ListPoliciesForUser", &[("UserName", "ci-deployer-2")])
        .await
        .ok();
    assert_eq!(empty["Policies"]["Policy"], serde_json::json!([]));
}

#[tokio::test]
async fn groups_list_and_add_with_their_errors() {
    let harness = Harness::demo().await;
    let listed = harness
        .ram("ListGroupsForUser", &[("UserName", "ci-deployer")])
        .await
        .ok();
    let group = &listed["Groups"]["Group"][0];
    assert_eq!(group["GroupName"], "deployers");
    assert!(group["JoinDate"].is_string() && group["Comments"].is_string());

    harness
        .ram("CreateUser", &[("UserName", "ci-deployer-2")])
        .await
        .ok();
    let add = |group: &'static str| [("UserName", "ci-deployer-2"), ("GroupName", group)];
    harness.ram("AddUserToGroup", &add("deployers")).await.ok();
    harness
        .ram("AddUserToGroup", &add("deployers"))
        .await
        .assert_error(409, "EntityAlreadyExists.User.Group");
    harness
        .ram("AddUserToGroup", &add("no-such-group"))
        .await
        .assert_error(404, "EntityNotExist.Group");
    harness
        .ram(
            "AddUserToGroup",
            &[("UserName", "nobody"), ("GroupName", "deployers")],
        )
        .await
        .assert_error(404, "EntityNotExist.User");
    harness
        .ram("ListGroupsForUser", &[])
        .await
        .assert_error(400, "MissingUserName");

    let joined = harness
        .ram("ListGroupsForUser", &[("UserName", "ci-deployer-2")])
        .await
        .ok();
    assert_eq!(
        names_of(&joined["Groups"]["Group"], "GroupName"),
        ["deployers"]
    );
}

#[tokio::test]
async fn get_caller_identity_names_the_signer() {
    let harness = Harness::demo().await;
    let body = harness
        .call(
            &harness.caller(),
            Transport::PostForm,
            STS,
            "GetCallerIdentity",
            &[],
        )
        .await
        .ok();
    let snapshot = harness.sandbox.account_snapshot();
    let (user, _) = snapshot
        .key_owner(harness.sandbox.caller_access_key_id())
        .unwrap();
    assert_eq!(body["AccountId"], "5123874409316254");
    assert_eq!(body["UserId"], user.user_id.as_str());
    assert_eq!(body["PrincipalId"], user.user_id.as_str());
    assert_eq!(body["IdentityType"], "RAMUser");
    assert_eq!(
        body["Arn"],
        format!("acs:ram::5123874409316254:user/{}", user.user_name)
    );
}

#[tokio::test]
async fn the_demo_account_has_the_cases_the_wizard_needs() {
    let snapshot = Harness::demo().await.sandbox.account_snapshot();
    let now = sandbox_support::test_start();
    let active = |name: &str| {
        snapshot
            .user(name)
            .unwrap()
            .access_keys
            .iter()
            .filter(|k| k.status == KeyStatus::Active)
            .map(|k| k.last_used_date.map(|d| (now - d.resolve(now)).num_hours()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        active("billing-exporter"),
        [Some(200 * 24), Some(1)],
        "idle + busy"
    );
    assert_eq!(active("ci-deployer"), [Some(1), Some(3)], "both busy");
    assert_eq!(active("data-sync")[1], None, "never used");
    assert_eq!(active("ops-zhangsan").len(), 1, "one key");
    assert_eq!(active("log-shipper").len(), 1, "Active + Inactive");

    let caller = snapshot
        .key_owner(&snapshot.caller_access_key_id)
        .unwrap()
        .0;
    assert_eq!(caller.access_keys.len(), 1, "the caller is not flagged");
}

async fn last_used(harness: &Harness, user: &str, key_id: &str) -> Value {
    let body = harness
        .ram(
            "GetAccessKeyLastUsed",
            &[("UserName", user), ("UserAccessKeyId", key_id)],
        )
        .await
        .ok();
    body["AccessKeyLastUsed"]["LastUsedDate"].clone()
}

async fn create_key(harness: &Harness, user: &str) -> Signer {
    let created = harness
        .ram("CreateAccessKey", &[("UserName", user)])
        .await
        .ok();
    Signer {
        key_id: created["AccessKey"]["AccessKeyId"]
            .as_str()
            .unwrap()
            .to_owned(),
        secret: created["AccessKey"]["AccessKeySecret"]
            .as_str()
            .unwrap()
            .to_owned(),
    }
}

fn signer_of(harness: &Harness, user: &str, index: usize) -> Signer {
    let snapshot = harness.sandbox.account_snapshot();
    let key = &snapshot.user(user).unwrap().access_keys[index];
    Signer {
        key_id: key.access_key_id.clone(),
        secret: key.access_key_secret.expose().to_owned(),
    }
}

fn first_key_id(harness: &Harness, user: &str) -> String {
    signer_of(harness, user, 0).key_id
}

fn names(users: &Value) -> Vec<String> {
    names_of(users, "UserName")
}

fn names_of(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap().to_owned())
        .collect()
}
