//! Policy evaluation inside the sandbox, over HTTP: the caller's own and its
//! groups' policies decide; a refusal is 403 `NoPermission` naming the
//! action and resource, with production's `AccessDeniedDetail`; and the
//! account file's policy rules.

mod sandbox_support;

use ramkey::sandbox::Account;
use sandbox_support::{Harness, RAM, STS, Signer, Transport};
use serde_json::{Value, json};

const ACCOUNT: &str = "1234567890123456";

fn signer(key_id: &str) -> Signer {
    Signer {
        key_id: key_id.to_owned(),
        secret: format!("secret-of-{key_id}"),
    }
}

fn key(id: &str) -> Value {
    json!({"AccessKeyId": id, "AccessKeySecret": format!("secret-of-{id}"),
           "Status": "Active", "CreateDate": "-10d"})
}

fn attached(name: &str, policy_type: &str) -> Value {
    json!({"PolicyName": name, "PolicyType": policy_type, "AttachDate": "-1d"})
}

fn user(name: &str, keys: &[&str], policies: &Value, groups: &[&str]) -> Value {
    let groups: Vec<Value> = groups
        .iter()
        .map(|g| json!({"GroupName": g, "JoinDate": "-1d"}))
        .collect();
    json!({
        "UserName": name, "UserId": format!("id-{name}"), "CreateDate": "-10d",
        "AccessKeys": keys.iter().map(|k| key(k)).collect::<Vec<_>>(),
        "Policies": policies, "Groups": groups,
    })
}

fn custom(name: &str, statements: &Value) -> Value {
    json!({"PolicyName": name, "PolicyType": "Custom",
           "PolicyDocument": {"Version": "1", "Statement": statements}})
}

/// Users whose only differences are their policies and groups.
fn account_json() -> Value {
    json!({
        "AccountId": ACCOUNT,
        "AccountAlias": "policy-tests",
        "CallerAccessKeyId": "LTAI-ADMIN",
        "Policies": [
            {"PolicyName": "AliyunRAMFullAccess", "PolicyType": "System"},
            {"PolicyName": "AliyunRAMReadOnlyAccess", "PolicyType": "System"},
            custom("no-deletes", &json!([{"Effect": "Deny", "Action": "ram:Delete*", "Resource": "*"}])),
            {"PolicyName": "undocumented", "PolicyType": "Custom"},
            custom("own-keys", &json!([{"Effect": "Allow", "Action": "ram:*AccessKey*",
                                       "Resource": "acs:ram:*:*:user/self-service"}])),
            custom("system-attacher", &json!([{"Effect": "Allow", "Action": "ram:AttachPolicyToUser",
                "Resource": ["acs:ram:*:*:user/*", "acs:ram:*:system:policy/*"]}])),
        ],
        "Groups": [
            {"GroupName": "auditors", "CreateDate": "-1d",
             "Policies": [attached("AliyunRAMReadOnlyAccess", "System")]},
            {"GroupName": "careful", "CreateDate": "-1d",
             "Policies": [attached("no-deletes", "Custom")]},
        ],
        "Users": [
            user("admin", &["LTAI-ADMIN"], &json!([attached("AliyunRAMFullAccess", "System")]), &[]),
            user("auditor", &["LTAI-AUDITOR"], &json!([]), &["auditors"]),
            user("operator", &["LTAI-OPERATOR"],
                 &json!([attached("AliyunRAMFullAccess", "System")]), &["careful"]),
            user("nobody", &["LTAI-NOBODY"], &json!([attached("undocumented", "Custom")]), &[]),
            user("self-service", &["LTAI-SELF"], &json!([attached("own-keys", "Custom")]), &[]),
            user("attacher", &["LTAI-ATTACHER"],
                 &json!([attached("system-attacher", "Custom")]), &[]),
            user("target", &["LTAI-TARGET-1", "LTAI-TARGET-2"], &json!([]), &[]),
        ],
    })
}

async fn harness() -> Harness {
    let account = Account::parse(&account_json().to_string(), "policy account").unwrap();
    Harness::with_account(account).await
}

async fn ram(harness: &Harness, key_id: &str, action: &str, params: &[(&str, &str)]) -> Value {
    let reply = harness
        .call(&signer(key_id), Transport::PostForm, RAM, action, params)
        .await;
    json!({"status": reply.status, "body": reply.body})
}

/// Asserts a 403 NoPermission for `action` on `resource`, and returns the detail.
fn assert_refused(reply: &Value, action: &str, resource: &str) -> Value {
    assert_eq!(reply["status"], 403, "{reply:#}");
    let body = &reply["body"];
    assert_eq!(body["Code"], "NoPermission", "{reply:#}");
    assert_eq!(
        body["Message"],
        format!("You are not authorized to do this action. Action: {action} Resource: {resource}")
    );
    assert_eq!(body["HostId"], "ram.aliyuncs.com");
    assert!(body["RequestId"].as_str().is_some_and(|id| !id.is_empty()));
    let detail = body["AccessDeniedDetail"].clone();
    assert_eq!(detail["AuthAction"], action, "{detail:#}");
    assert_eq!(detail["AuthPrincipalOwnerId"], ACCOUNT, "{detail:#}");
    assert_eq!(detail["PolicyType"], "AccountLevelIdentityBasedPolicy");
    detail
}

fn user_arn(name: &str) -> String {
    format!("acs:ram:*:{ACCOUNT}:user/{name}")
}

#[tokio::test]
async fn a_groups_policies_grant_its_members_what_they_allow_and_no_more() {
    let harness = harness().await;
    let listed = ram(&harness, "LTAI-AUDITOR", "ListUsers", &[]).await;
    assert_eq!(listed["status"], 200, "{listed:#}");
    let keys = ram(
        &harness,
        "LTAI-AUDITOR",
        "ListAccessKeys",
        &[("UserName", "target")],
    )
    .await;
    assert_eq!(keys["status"], 200, "{keys:#}");

    let created = ram(
        &harness,
        "LTAI-AUDITOR",
        "CreateUser",
        &[("UserName", "sneaky")],
    )
    .await;
    let detail = assert_refused(&created, "ram:CreateUser", &user_arn("*"));
    assert_eq!(detail["NoPermissionType"], "ImplicitDeny");
    assert_eq!(detail["AuthPrincipalDisplayName"], "auditor");
    assert!(harness.sandbox.account_snapshot().user("sneaky").is_none());
}

#[tokio::test]
async fn a_deny_in_a_groups_policy_beats_the_users_own_allow() {
    let harness = harness().await;
    let deleted = ram(
        &harness,
        "LTAI-OPERATOR",
        "DeleteAccessKey",
        &[("UserName", "target"), ("UserAccessKeyId", "LTAI-TARGET-1")],
    )
    .await;
    let detail = assert_refused(&deleted, "ram:DeleteAccessKey", &user_arn("target"));
    assert_eq!(detail["NoPermissionType"], "ExplicitDeny");
    let account = harness.sandbox.account_snapshot();
    assert_eq!(account.user("target").unwrap().access_keys.len(), 2);

    let disabled = ram(
        &harness,
        "LTAI-OPERATOR",
        "UpdateAccessKey",
        &[
            ("UserName", "target"),
            ("UserAccessKeyId", "LTAI-TARGET-1"),
            ("Status", "Inactive"),
        ],
    )
    .await;
    assert_eq!(disabled["status"], 200, "{disabled:#}");
}

#[tokio::test]
async fn a_custom_policy_without_a_document_grants_nothing_but_anyone_may_ask_who_they_are() {
    let harness = harness().await;
    let listed = ram(&harness, "LTAI-NOBODY", "ListUsers", &[]).await;
    assert_refused(&listed, "ram:ListUsers", &user_arn("*"));

    let identity = harness
        .call(
            &signer("LTAI-NOBODY"),
            Transport::PostForm,
            STS,
            "GetCallerIdentity",
            &[],
        )
        .await
        .ok();
    assert_eq!(identity["Arn"], format!("acs:ram::{ACCOUNT}:user/nobody"));
}

#[tokio::test]
async fn key_actions_without_a_user_name_are_checked_against_the_caller() {
    let harness = harness().await;
    let own = ram(&harness, "LTAI-SELF", "ListAccessKeys", &[]).await;
    assert_eq!(own["status"], 200, "{own:#}");

    let others = ram(
        &harness,
        "LTAI-SELF",
        "ListAccessKeys",
        &[("UserName", "target")],
    )
    .await;
    assert_refused(&others, "ram:ListAccessKeys", &user_arn("target"));
}

#[tokio::test]
async fn attaching_needs_the_policy_as_a_resource_too() {
    let harness = harness().await;
    let system = ram(
        &harness,
        "LTAI-ATTACHER",
        "AttachPolicyToUser",
        &[
            ("PolicyType", "System"),
            ("PolicyName", "AliyunRAMReadOnlyAccess"),
            ("UserName", "target"),
        ],
    )
    .await;
    assert_eq!(system["status"], 200, "{system:#}");

    let custom = ram(
        &harness,
        "LTAI-ATTACHER",
        "AttachPolicyToUser",
        &[
            ("PolicyType", "Custom"),
            ("PolicyName", "no-deletes"),
            ("UserName", "target"),
        ],
    )
    .await;
    assert_refused(
        &custom,
        "ram:AttachPolicyToUser",
        &format!("acs:ram:*:{ACCOUNT}:policy/no-deletes"),
    );
    let account = harness.sandbox.account_snapshot();
    let names: Vec<&str> = account
        .user("target")
        .unwrap()
        .policies
        .iter()
        .map(|p| p.policy_name.as_str())
        .collect();
    assert_eq!(names, ["AliyunRAMReadOnlyAccess"]);
}

#[test]
fn the_account_file_checks_documents_and_group_attachments() {
    let refused = |edit: &dyn Fn(&mut Value)| {
        let mut value = account_json();
        edit(&mut value);
        let text = serde_json::to_string_pretty(&value).unwrap();
        let error = Account::parse(&text, "edited.json")
            .unwrap_err()
            .to_string();
        (text, error)
    };

    let (_, error) = refused(&|v| {
        v["Policies"][0]["PolicyDocument"] = json!({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    });
    assert!(
        error.contains("System policy `AliyunRAMFullAccess` has a PolicyDocument"),
        "{error}"
    );

    let (_, error) = refused(&|v| v["Groups"][0]["Policies"][0]["PolicyName"] = "Missing".into());
    assert!(
        error.contains(
            "group `auditors` is attached to System policy `Missing` which is not in Policies"
        ),
        "{error}"
    );

    let (text, error) = refused(&|v| v["Policies"][2]["PolicyDocument"]["Version"] = "2".into());
    assert!(error.starts_with("edited.json, line "), "{error}");
    assert!(error.contains("Version \"1\""), "{error}");
    let version_line = text
        .lines()
        .position(|l| l.contains("\"Version\": \"2\""))
        .unwrap()
        + 1;
    let reported: usize = error["edited.json, line ".len()..]
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let next_policy = text
        .lines()
        .position(|l| l.contains("\"undocumented\""))
        .unwrap()
        + 1;
    assert!(
        (version_line..next_policy).contains(&reported),
        "line {reported} is not within the document ({version_line}..{next_policy})"
    );
}
