//! The sandbox's policy evaluator on its own: wildcards, explicit Deny
//! winning, NotAction, Resource matching, conditions, actions on several
//! resources, the built-in System documents and the grammar check.

use ramkey::sandbox::policy::{
    Decision, PolicyDocument, Refusal, decide, decide_all, system_document,
};

const USER_CI: &str = "acs:ram:*:5123874409316254:user/ci-deployer";
const USER_BILLING: &str = "acs:ram:*:5123874409316254:user/billing-exporter";
const GROUP_DEPLOYERS: &str = "acs:ram:*:5123874409316254:group/deployers";

fn doc(text: &str) -> PolicyDocument {
    PolicyDocument::parse(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// A document of one Allow statement.
fn allow(actions: &str, resources: &str) -> PolicyDocument {
    doc(&format!(
        r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Action":{actions},"Resource":{resources}}}]}}"#
    ))
}

fn decision(documents: &[&PolicyDocument], action: &str, resource: &str) -> Decision {
    decide(documents.iter().copied(), action, resource)
}

#[test]
fn action_wildcards_match_without_regard_to_case() {
    let cases = [
        (r#""ram:List*""#, "ram:ListUsers", Decision::Allowed),
        (r#""ram:List*""#, "ram:ListAccessKeys", Decision::Allowed),
        (r#""ram:List*""#, "ram:CreateUser", Decision::ImplicitDeny),
        (r#""ram:?etUser""#, "ram:GetUser", Decision::Allowed),
        (r#""ram:?etUser""#, "ram:ListUsers", Decision::ImplicitDeny),
        (r#""*""#, "sts:AssumeRole", Decision::Allowed),
        (r#""RAM:listusers""#, "ram:ListUsers", Decision::Allowed),
        (
            r#"["ram:GetUser","ram:CreateUser"]"#,
            "ram:CreateUser",
            Decision::Allowed,
        ),
        (
            r#""ram:ListUsers""#,
            "sts:ListUsers",
            Decision::ImplicitDeny,
        ),
        (r#""ram:ListUser""#, "ram:ListUsers", Decision::ImplicitDeny),
    ];
    for (actions, action, expected) in cases {
        let policy = allow(actions, r#""*""#);
        assert_eq!(
            decision(&[&policy], action, USER_CI),
            expected,
            "{actions} vs {action}"
        );
    }
}

#[test]
fn no_policy_at_all_is_an_implicit_refusal() {
    assert_eq!(
        decision(&[], "ram:ListUsers", USER_CI),
        Decision::ImplicitDeny
    );
}

#[test]
fn an_explicit_deny_wins_in_any_document_and_any_order() {
    let everything = allow(r#""ram:*""#, r#""*""#);
    let deny_delete = doc(r#"{"Version":"1","Statement":[
            {"Effect":"Deny","Action":"ram:DeleteAccessKey","Resource":"*"}]}"#);
    let deny_then_allow = doc(r#"{"Version":"1","Statement":[
            {"Effect":"Deny","Action":"ram:Delete*","Resource":"*"},
            {"Effect":"Allow","Action":"*","Resource":"*"}]}"#);
    for documents in [
        vec![&everything, &deny_delete],
        vec![&deny_delete, &everything],
        vec![&deny_then_allow],
    ] {
        assert_eq!(
            decision(&documents, "ram:DeleteAccessKey", USER_CI),
            Decision::ExplicitDeny
        );
        assert_eq!(
            decision(&documents, "ram:ListUsers", USER_CI),
            Decision::Allowed
        );
    }
}

#[test]
fn not_action_covers_every_action_but_those_listed() {
    let all_but_deletes = doc(r#"{"Version":"1","Statement":[
            {"Effect":"Allow","NotAction":["ram:Delete*","sts:*"],"Resource":"*"}]}"#);
    assert_eq!(
        decision(&[&all_but_deletes], "ram:CreateUser", USER_CI),
        Decision::Allowed
    );
    assert_eq!(
        decision(&[&all_but_deletes], "ram:DeleteAccessKey", USER_CI),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decision(&[&all_but_deletes], "sts:AssumeRole", USER_CI),
        Decision::ImplicitDeny
    );

    let everything = allow(r#""*""#, r#""*""#);
    let deny_all_but_reads = doc(r#"{"Version":"1","Statement":[
            {"Effect":"Deny","NotAction":["ram:List*","ram:Get*"],"Resource":"*"}]}"#);
    let both = [&everything, &deny_all_but_reads];
    assert_eq!(decision(&both, "ram:ListUsers", USER_CI), Decision::Allowed);
    assert_eq!(
        decision(&both, "ram:CreateUser", USER_CI),
        Decision::ExplicitDeny
    );
}

#[test]
fn resources_match_arns_with_wildcards_exactly_as_written() {
    let ci_only = allow(r#""ram:UpdateAccessKey""#, r#""acs:ram:*:*:user/ci-*""#);
    assert_eq!(
        decision(&[&ci_only], "ram:UpdateAccessKey", USER_CI),
        Decision::Allowed
    );
    assert_eq!(
        decision(&[&ci_only], "ram:UpdateAccessKey", USER_BILLING),
        Decision::ImplicitDeny
    );

    let other_account = allow(r#""ram:*""#, r#""acs:ram:*:999:user/*""#);
    assert_eq!(
        decision(&[&other_account], "ram:GetUser", USER_CI),
        Decision::ImplicitDeny
    );
    let upper_case = allow(r#""ram:*""#, r#""acs:ram:*:*:user/CI-DEPLOYER""#);
    assert_eq!(
        decision(&[&upper_case], "ram:GetUser", USER_CI),
        Decision::ImplicitDeny,
        "resource names compare case and all"
    );
    let listed = allow(
        r#""ram:*""#,
        r#"["acs:ram:*:*:group/*","acs:ram:*:*:user/billing-exporter"]"#,
    );
    assert_eq!(
        decision(&[&listed], "ram:GetUser", USER_BILLING),
        Decision::Allowed
    );
    assert_eq!(
        decision(&[&listed], "ram:GetUser", USER_CI),
        Decision::ImplicitDeny
    );

    // A Deny scoped to one user refuses only that user.
    let everything = allow(r#""*""#, r#""*""#);
    let protect_ci = doc(r#"{"Version":"1","Statement":[
            {"Effect":"Deny","Action":"ram:*","Resource":"acs:ram:*:*:user/ci-deployer"}]}"#);
    let both = [&everything, &protect_ci];
    assert_eq!(
        decision(&both, "ram:GetUser", USER_CI),
        Decision::ExplicitDeny
    );
    assert_eq!(
        decision(&both, "ram:GetUser", USER_BILLING),
        Decision::Allowed
    );
}

#[test]
fn an_action_on_several_resources_needs_each_and_a_deny_on_any_wins() {
    let users_only = allow(r#""ram:AddUserToGroup""#, r#""acs:ram:*:*:user/*""#);
    let resources = [USER_CI.to_owned(), GROUP_DEPLOYERS.to_owned()];
    assert_eq!(
        decide_all(&[&users_only], "ram:AddUserToGroup", &resources),
        Err(Refusal {
            resource: GROUP_DEPLOYERS.to_owned(),
            decision: Decision::ImplicitDeny,
        })
    );

    let both_kinds = allow(
        r#""ram:AddUserToGroup""#,
        r#"["acs:ram:*:*:user/*","acs:ram:*:*:group/*"]"#,
    );
    assert_eq!(
        decide_all(&[&both_kinds], "ram:AddUserToGroup", &resources),
        Ok(())
    );

    // The group is refused implicitly, the user explicitly: the Deny is reported.
    let deny_user = doc(r#"{"Version":"1","Statement":[
            {"Effect":"Deny","Action":"*","Resource":"acs:ram:*:*:user/ci-deployer"}]}"#);
    let refused = decide_all(&[&users_only, &deny_user], "ram:AddUserToGroup", &resources);
    assert_eq!(
        refused,
        Err(Refusal {
            resource: USER_CI.to_owned(),
            decision: Decision::ExplicitDeny,
        })
    );
}

#[test]
fn a_statement_with_a_condition_never_applies() {
    let conditional_allow = doc(
        r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:*","Resource":"*",
            "Condition":{"IpAddress":{"acs:SourceIp":["203.0.113.0/24"]}}}]}"#,
    );
    assert_eq!(
        decision(&[&conditional_allow], "ram:ListUsers", USER_CI),
        Decision::ImplicitDeny
    );

    let everything = allow(r#""*""#, r#""*""#);
    let conditional_deny = doc(
        r#"{"Version":"1","Statement":[{"Effect":"Deny","Action":"ram:*","Resource":"*",
            "Condition":{"Bool":{"acs:MFAPresent":["false"]}}}]}"#,
    );
    assert_eq!(
        decision(&[&everything, &conditional_deny], "ram:ListUsers", USER_CI),
        Decision::Allowed
    );
}

#[test]
fn system_policies_have_their_well_known_documents() {
    let decide_system = |name: &str, action: &str| {
        let document = system_document(name).unwrap_or_else(|| panic!("{name} is known"));
        decision(&[document], action, USER_CI)
    };
    assert_eq!(
        decide_system("AdministratorAccess", "sts:AssumeRole"),
        Decision::Allowed
    );
    assert_eq!(
        decide_system("AliyunRAMFullAccess", "ram:DeleteAccessKey"),
        Decision::Allowed
    );
    assert_eq!(
        decide_system("AliyunRAMFullAccess", "sts:AssumeRole"),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide_system("AliyunRAMReadOnlyAccess", "ram:ListUsers"),
        Decision::Allowed
    );
    assert_eq!(
        decide_system("AliyunRAMReadOnlyAccess", "ram:CreateAccessKey"),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide_system("ReadOnlyAccess", "ram:GetAccessKeyLastUsed"),
        Decision::Allowed
    );
    assert_eq!(
        decide_system("ReadOnlyAccess", "ram:UpdateAccessKey"),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide_system("AliyunSTSAssumeRoleAccess", "sts:AssumeRole"),
        Decision::Allowed
    );
    assert!(system_document("AliyunOSSFullAccess").is_none());
}

#[test]
fn malformed_documents_are_refused_with_the_reason() {
    let cases = [
        (
            r#"{"Version":"2","Statement":[]}"#,
            "RAM policy documents have Version \"1\"",
        ),
        (
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","NotAction":"ram:*","Resource":"*"}]}"#,
            "exactly one of Action and NotAction",
        ),
        (
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
            "exactly one of Action and NotAction",
        ),
        (
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}"#,
            "statement 1 has an empty Action",
        ),
        (
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"*"}]}"#,
            "missing field `Resource`",
        ),
        (
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","NotResource":"*","Resource":"*"}]}"#,
            "unknown field `NotResource`",
        ),
        (
            r#"{"Version":"1","Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}"#,
            "unknown variant `allow`",
        ),
    ];
    for (text, expected) in cases {
        let error = PolicyDocument::parse(text).expect_err(text).to_string();
        assert!(error.contains(expected), "{text}: {error}");
    }
}

#[test]
fn a_document_round_trips_through_its_json() {
    let original = doc(r#"{"Version":"1","Statement":[
            {"Effect":"Allow","Action":"ram:List*","Resource":"*"},
            {"Effect":"Deny","NotAction":["ram:Get*"],"Resource":["acs:ram:*:*:user/x"],
             "Condition":{"Bool":{"acs:SecureTransport":["true"]}}}]}"#);
    let text = serde_json::to_string(&original).unwrap();
    assert_eq!(doc(&text), original);
    assert!(text.contains(r#""Version":"1""#), "{text}");
}
