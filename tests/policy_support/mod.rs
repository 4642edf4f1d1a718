//! Shared by the policy tests: the policy documents ramkey ships, and the
//! demo account with ramkey's identity holding exactly one given document
//! (no other policy, no group), plus a console administrator who can grant
//! it more.

#![allow(dead_code, reason = "each test file uses a different part")]

use ramkey::cloud::CloudError;
use ramkey::cloud::model::PolicyType;
use ramkey::sandbox::Account;
use serde_json::{Value, json};

/// `ramkey policy`, as shipped.
pub const REMEDIATE: &str = include_str!("../../assets/policy-remediate.json");
/// `ramkey policy --scan-only`, as shipped.
pub const SCAN_ONLY: &str = include_str!("../../assets/policy-scan-only.json");

/// ramkey's identity in the demo account.
pub const CALLER: &str = "ramkey-admin";
/// The Custom policy the caller holds in these tests.
pub const UNDER_TEST: &str = "ramkey-under-test";
/// A Custom policy with the whole remediate document, attached to nobody.
pub const FULL_REMEDIATE: &str = "ramkey-remediate";
/// An administrator with AdministratorAccess, as the console would be.
pub const CONSOLE_ADMIN_KEY: &str = "LTAI5tConsoleAdmin000001";

/// A shipped document as JSON.
pub fn document(text: &str) -> Value {
    serde_json::from_str(text).expect("the shipped policy is JSON")
}

/// The demo account where ramkey's identity holds exactly `policy`.
pub fn account_with_caller_policy(policy: &Value) -> Account {
    let mut account = serde_json::to_value(Account::demo()).unwrap();
    let policies = account["Policies"].as_array_mut().unwrap();
    policies.push(custom_policy(UNDER_TEST, policy));
    policies.push(custom_policy(FULL_REMEDIATE, &document(REMEDIATE)));

    let users = account["Users"].as_array_mut().unwrap();
    let caller = users
        .iter_mut()
        .find(|user| user["UserName"] == CALLER)
        .expect("the demo caller");
    caller["Policies"] = json!([attachment(UNDER_TEST, PolicyType::Custom)]);
    caller["Groups"] = json!([]);
    users.push(console_admin());
    Account::parse(&account.to_string(), "policy test account").expect("valid account")
}

/// `document` without `action`, and without a statement left with none.
pub fn without_action(document: &Value, action: &str) -> Value {
    let mut reduced = document.clone();
    let statements = reduced["Statement"].as_array_mut().unwrap();
    for statement in statements.iter_mut() {
        let kept: Vec<Value> = listed(&statement["Action"])
            .into_iter()
            .filter(|listed| listed != action)
            .map(Value::from)
            .collect();
        statement["Action"] = Value::Array(kept);
    }
    statements.retain(|statement| {
        statement["Action"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    });
    reduced
}

/// Every action a document lists, in order, without repeats.
pub fn actions_of(document: &Value) -> Vec<String> {
    let mut actions: Vec<String> = Vec::new();
    for statement in document["Statement"].as_array().unwrap() {
        for action in listed(&statement["Action"]) {
            if !actions.contains(&action) {
                actions.push(action);
            }
        }
    }
    actions
}

/// `Action` as one string or a list.
fn listed(action: &Value) -> Vec<String> {
    match action {
        Value::String(one) => vec![one.clone()],
        Value::Array(many) => many
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect(),
        other => panic!("Action is neither a string nor a list: {other}"),
    }
}

/// Checks `error` is 403 NoPermission for `ram:<action>`, named in the
/// message, and that the hint says what to grant and where to look.
pub fn assert_no_permission(error: &CloudError, action: &str) {
    let api = error
        .api()
        .unwrap_or_else(|| panic!("not an API error: {error}"));
    assert_eq!(
        (api.http_status, api.code.as_str()),
        (403, "NoPermission"),
        "{error}"
    );
    assert_eq!(api.action, action, "{error}");
    let qualified = format!("ram:{action}");
    assert!(
        api.message
            .starts_with("You are not authorized to do this action."),
        "{error}"
    );
    assert!(api.message.contains(&qualified), "{error}");
    let hint = error.hint().expect("NoPermission has a hint");
    assert!(hint.contains(&qualified), "{hint}");
    assert!(hint.contains("ramkey policy"), "{hint}");
}

fn custom_policy(name: &str, document: &Value) -> Value {
    json!({
        "PolicyName": name,
        "PolicyType": "Custom",
        "Description": "ramkey's own permissions, under test",
        "PolicyDocument": document,
    })
}

fn attachment(name: &str, policy_type: PolicyType) -> Value {
    json!({"PolicyName": name, "PolicyType": policy_type.as_str(), "AttachDate": "-1d"})
}

fn console_admin() -> Value {
    json!({
        "UserName": "console-admin",
        "UserId": "2900000000000001",
        "CreateDate": "-900d",
        "AccessKeys": [{
            "AccessKeyId": CONSOLE_ADMIN_KEY,
            "AccessKeySecret": "fake-console-admin-secret",
            "Status": "Active",
            "CreateDate": "-900d",
            "LastUsedDate": "-1d"
        }],
        "Policies": [attachment("AdministratorAccess", PolicyType::System)],
    })
}
