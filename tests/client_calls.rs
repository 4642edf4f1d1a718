//! Each typed call: its action, its exact parameter names, and how it
//! decodes the sample answers of the API facts (§3, §5); and ListUsers
//! paging as in BC-06.

mod support;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use ramkey::cloud::CloudError;
use ramkey::cloud::ListProgress;
use ramkey::cloud::model::{KeyStatus, PolicyType};
use support::{Received, Reply, TestServer, pairs};

fn date(raw: &str) -> DateTime<Utc> {
    raw.parse().unwrap()
}

fn assert_call(request: &Received, action: &str, params: &[(&str, &str)]) {
    assert_eq!(request.param("Action").as_deref(), Some(action));
    assert_eq!(request.param("Version").as_deref(), Some("2015-05-01"));
    assert_eq!(request.action_params(), pairs(params));
    request.assert_signed_with("testsecret");
}

const ACK: &str = r#"{"RequestId":"04F0F334-1335-436C-A1D7-6C044FE73368"}"#;

#[tokio::test]
async fn get_user() {
    let body = r#"{"RequestId":"R-GU","User":{"UserId":"1227489245380721","UserName":"example-user",
        "DisplayName":"运维-张三","MobilePhone":"86-18600008888","Email":"user@example.com",
        "Comments":"app","CreateDate":"2015-01-23T12:33:18Z","UpdateDate":"2015-01-23T12:33:18Z",
        "LastLoginDate":"2015-01-23T12:33:18Z"}}"#;
    let server = TestServer::always(Reply::json(body)).await;

    let user = server.client().get_user("example-user").await.unwrap();

    assert_call(
        &server.only_request(),
        "GetUser",
        &[("UserName", "example-user")],
    );
    assert_eq!(user.user_id, "1227489245380721");
    assert_eq!(user.user_name, "example-user");
    assert_eq!(user.display_name, "运维-张三");
    assert_eq!(user.comments, "app");
    assert_eq!(user.create_date, Some(date("2015-01-23T12:33:18Z")));
}

#[tokio::test]
async fn create_user() {
    let body = r#"{"RequestId":"R-CU","User":{"UserId":"1227489245380721","UserName":"app-v2",
        "DisplayName":"App v2","Comments":"replaces app (ramkey)","CreateDate":"2024-01-02T03:04:05Z"}}"#;
    let server = TestServer::always(Reply::json(body)).await;

    let written = server
        .client()
        .create_user("app-v2", Some("App v2"), Some("replaces app (ramkey)"))
        .await
        .unwrap();

    assert_call(
        &server.only_request(),
        "CreateUser",
        &[
            ("Comments", "replaces app (ramkey)"),
            ("DisplayName", "App v2"),
            ("UserName", "app-v2"),
        ],
    );
    assert_eq!(written.request_id, "R-CU");
    assert_eq!(written.value.user_name, "app-v2");
    assert_eq!(
        written.value.create_date,
        Some(date("2024-01-02T03:04:05Z"))
    );
}

#[tokio::test]
async fn list_access_keys() {
    let body = r#"{"RequestId":"4B450CA1-36E8-4AA2-8461-86B42BF4CC4E","AccessKeys":{"AccessKey":[
        {"AccessKeyId":"0wNEpMMlzy7s****","Status":"Active","CreateDate":"2015-01-23T12:33:18Z"},
        {"AccessKeyId":"WnIWUruvfaDT****","Status":"Inactive","CreateDate":"2015-03-24T21:12:21Z"}]}}"#;
    let server = TestServer::always(Reply::json(body)).await;

    let keys = server.client().list_access_keys("alice").await.unwrap();

    assert_call(
        &server.only_request(),
        "ListAccessKeys",
        &[("UserName", "alice")],
    );
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].access_key_id, "0wNEpMMlzy7s****");
    assert_eq!(keys[0].status, KeyStatus::Active);
    assert_eq!(keys[0].create_date, Some(date("2015-01-23T12:33:18Z")));
    assert_eq!(keys[1].status, KeyStatus::Inactive);
}

#[tokio::test]
async fn an_empty_key_list_may_come_without_its_inner_list() {
    let server = TestServer::always(Reply::json(r#"{"RequestId":"R","AccessKeys":{}}"#)).await;

    let keys = server
        .client()
        .list_access_keys("nobody-keys")
        .await
        .unwrap();

    assert!(keys.is_empty());
}

#[tokio::test]
async fn get_access_key_last_used() {
    let answers = [
        (
            r#"{"RequestId":"R","AccessKeyLastUsed":{"LastUsedDate":"2024-01-01T10:00:00Z"}}"#,
            Some(date("2024-01-01T10:00:00Z")),
        ),
        (
            r#"{"RequestId":"R","AccessKeyLastUsed":{"LastUsedDate":""}}"#,
            None,
        ),
        (r#"{"RequestId":"R","AccessKeyLastUsed":{}}"#, None),
        (r#"{"RequestId":"R"}"#, None),
    ];
    for (body, expected) in answers {
        let server = TestServer::always(Reply::json(body)).await;

        let last_used = server
            .client()
            .get_access_key_last_used("alice", "LTAI-KEY-1")
            .await
            .unwrap();

        assert_call(
            &server.only_request(),
            "GetAccessKeyLastUsed",
            &[("UserAccessKeyId", "LTAI-KEY-1"), ("UserName", "alice")],
        );
        assert_eq!(last_used, expected, "{body}");
    }
}

#[tokio::test]
async fn create_access_key_returns_the_secret_once_and_never_debugs_it() {
    let body = r#"{"RequestId":"04F0F334-1335-436C-A1D7-6C044FE73368","AccessKey":{
        "AccessKeyId":"0wNEpMMlzy7szvai","AccessKeySecret":"PupkTg8jdmau1cXxYacgE736PJj4cA",
        "Status":"Active","CreateDate":"2015-01-23T12:33:18Z"}}"#;
    let server = TestServer::always(Reply::json(body)).await;

    let written = server.client().create_access_key("app-v2").await.unwrap();

    assert_call(
        &server.only_request(),
        "CreateAccessKey",
        &[("UserName", "app-v2")],
    );
    assert_eq!(written.request_id, "04F0F334-1335-436C-A1D7-6C044FE73368");
    let key = &written.value;
    assert_eq!(key.access_key_id, "0wNEpMMlzy7szvai");
    assert_eq!(key.secret.expose(), "PupkTg8jdmau1cXxYacgE736PJj4cA");
    assert_eq!(key.status, KeyStatus::Active);
    assert!(!format!("{written:?}").contains("PupkTg8"), "{written:?}");
}

#[tokio::test]
async fn create_access_key_with_an_empty_secret_is_an_error_naming_the_key() {
    let body = r#"{"RequestId":"R","AccessKey":{"AccessKeyId":"LTAI-LOST","AccessKeySecret":"",
        "Status":"Active","CreateDate":"2015-01-23T12:33:18Z"}}"#;
    let server = TestServer::always(Reply::json(body)).await;

    let error = server
        .client()
        .create_access_key("app-v2")
        .await
        .unwrap_err();

    let text = error.to_string();
    assert!(text.contains("LTAI-LOST"), "{text}");
    assert!(text.contains("delete it"), "{text}");
    assert_eq!(error.request_id(), Some("R"));
}

#[tokio::test]
async fn update_access_key() {
    let server = TestServer::always(Reply::json(ACK)).await;

    let written = server
        .client()
        .update_access_key("alice", "LTAI-KEY-1", KeyStatus::Inactive)
        .await
        .unwrap();

    assert_call(
        &server.only_request(),
        "UpdateAccessKey",
        &[
            ("Status", "Inactive"),
            ("UserAccessKeyId", "LTAI-KEY-1"),
            ("UserName", "alice"),
        ],
    );
    assert_eq!(written.request_id, "04F0F334-1335-436C-A1D7-6C044FE73368");
}

#[tokio::test]
async fn delete_access_key() {
    let server = TestServer::always(Reply::json(ACK)).await;

    let written = server
        .client()
        .delete_access_key("alice", "LTAI-KEY-1")
        .await
        .unwrap();

    assert_call(
        &server.only_request(),
        "DeleteAccessKey",
        &[("UserAccessKeyId", "LTAI-KEY-1"), ("UserName", "alice")],
    );
    assert_eq!(written.request_id, "04F0F334-1335-436C-A1D7-6C044FE73368");
}

#[tokio::test]
async fn list_policies_for_user() {
    let body = r#"{"RequestId":"7B8A4E7D-6CFF-471D-84DF-195A7A241ECB","Policies":{"Policy":[
        {"PolicyName":"OSS-Administrator","PolicyType":"Custom","Description":"OSS administrator","DefaultVersion":"v1","AttachDate":"2015-01-23T12:33:18Z"},
        {"PolicyName":"ReadOnlyAccess","PolicyType":"System","Description":"Read-only permission","DefaultVersion":"v1","AttachDate":"2015-02-18T17:22:08Z"}]}}"#;
    let server = TestServer::always(Reply::json(body)).await;

    let policies = server
        .client()
        .list_policies_for_user("alice")
        .await
        .unwrap();

    assert_call(
        &server.only_request(),
        "ListPoliciesForUser",
        &[("UserName", "alice")],
    );
    assert_eq!(policies.len(), 2);
    assert_eq!(policies[0].policy_name, "OSS-Administrator");
    assert_eq!(policies[0].policy_type, PolicyType::Custom);
    assert_eq!(policies[0].description, "OSS administrator");
    assert_eq!(policies[1].policy_type, PolicyType::System);
    assert_eq!(policies[1].attach_date, Some(date("2015-02-18T17:22:08Z")));
}

#[tokio::test]
async fn attach_and_detach_policy_pass_the_same_policy_type() {
    let server = TestServer::always(Reply::json(ACK)).await;
    let client = server.client();

    client
        .attach_policy_to_user("app-v2", PolicyType::Custom, "OSS-Administrator")
        .await
        .unwrap();
    client
        .detach_policy_from_user("app", PolicyType::System, "ReadOnlyAccess")
        .await
        .unwrap();

    let requests = server.received();
    assert_call(
        &requests[0],
        "AttachPolicyToUser",
        &[
            ("PolicyName", "OSS-Administrator"),
            ("PolicyType", "Custom"),
            ("UserName", "app-v2"),
        ],
    );
    assert_call(
        &requests[1],
        "DetachPolicyFromUser",
        &[
            ("PolicyName", "ReadOnlyAccess"),
            ("PolicyType", "System"),
            ("UserName", "app"),
        ],
    );
}

#[tokio::test]
async fn list_groups_for_user() {
    let body = r#"{"RequestId":"0945BF6F-54A4-C384-C89C-C500DCEE367C","Groups":{"Group":[
        {"GroupName":"Dev-Team","Comments":"developers","JoinDate":"2015-01-23T12:33:18Z"}]}}"#;
    let server = TestServer::always(Reply::json(body)).await;

    let groups = server.client().list_groups_for_user("alice").await.unwrap();

    assert_call(
        &server.only_request(),
        "ListGroupsForUser",
        &[("UserName", "alice")],
    );
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].group_name, "Dev-Team");
    assert_eq!(groups[0].comments, "developers");
    assert_eq!(groups[0].join_date, Some(date("2015-01-23T12:33:18Z")));
}

#[tokio::test]
async fn add_user_to_group() {
    let server = TestServer::always(Reply::json(ACK)).await;

    let written = server
        .client()
        .add_user_to_group("app-v2", "Dev-Team")
        .await
        .unwrap();

    assert_call(
        &server.only_request(),
        "AddUserToGroup",
        &[("GroupName", "Dev-Team"), ("UserName", "app-v2")],
    );
    assert_eq!(written.request_id, "04F0F334-1335-436C-A1D7-6C044FE73368");
}

#[tokio::test]
async fn get_caller_identity() {
    let body = r#"{"RequestId":"2C9BE469-4A35-44D5-9529-CAA280B11603","AccountId":"196813200012****",
        "UserId":"216959339000****","IdentityType":"RAMUser","PrincipalId":"28877424437521****",
        "Arn":"acs:ram::196813200012****:user/admin"}"#;
    let server = TestServer::always(Reply::json(body)).await;

    let identity = server.client().get_caller_identity().await.unwrap();

    assert_eq!(identity.account_id, "196813200012****");
    assert_eq!(identity.arn, "acs:ram::196813200012****:user/admin");
    assert_eq!(identity.identity_type, "RAMUser");
    assert_eq!(identity.user_id.as_deref(), Some("216959339000****"));
    assert_eq!(identity.principal_id.as_deref(), Some("28877424437521****"));
}

#[tokio::test]
async fn get_caller_identity_of_an_account_owner_has_no_user_id() {
    let body = r#"{"RequestId":"R","AccountId":"1968","Arn":"acs:ram::1968:root"}"#;
    let server = TestServer::always(Reply::json(body)).await;

    let identity = server.client().get_caller_identity().await.unwrap();

    assert_eq!(identity.account_id, "1968");
    assert_eq!(identity.user_id, None);
}

// ListUsers paging (BC-06).

fn user(n: usize) -> serde_json::Value {
    serde_json::json!({
        "UserId": format!("id-{n:03}"),
        "UserName": format!("u{n:03}"),
        "DisplayName": "",
        "CreateDate": "2015-01-23T12:33:18Z",
    })
}

fn page(users: &[usize], marker: Option<&str>) -> Reply {
    let mut body = serde_json::json!({
        "RequestId": "R-PAGE",
        "IsTruncated": marker.is_some(),
        "Users": {"User": users.iter().map(|n| user(*n)).collect::<Vec<_>>()},
    });
    if let Some(marker) = marker {
        body["Marker"] = marker.into();
    }
    Reply::json(&body.to_string())
}

#[tokio::test]
async fn pages_through_an_empty_page_and_odd_markers_and_drops_duplicates() {
    let server = TestServer::start(|request| match request.param("Marker").as_deref() {
        None => page(&[0, 1, 2], Some("a+b*c~d e")),
        Some("a+b*c~d e") => page(&[], Some("AbC+/x==")),
        Some("AbC+/x==") => page(&[2, 3], None),
        Some(other) => Reply::error(400, "InvalidParameter.Marker", other),
    })
    .await;
    let progress = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&progress);

    let users = server
        .client()
        .list_all_users_with_progress(move |step| seen.lock().unwrap().push(step))
        .await
        .unwrap();

    let names: Vec<_> = users.iter().map(|u| u.user_name.as_str()).collect();
    assert_eq!(names, ["u000", "u001", "u002", "u003"]);
    let requests = server.received();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].param("Marker"), None);
    assert_eq!(requests[1].param("Marker").as_deref(), Some("a+b*c~d e"));
    assert_eq!(requests[2].param("Marker").as_deref(), Some("AbC+/x=="));
    for request in &requests {
        assert_eq!(request.param("MaxItems").as_deref(), Some("100"));
        request.assert_signed_with("testsecret");
    }
    assert_eq!(
        *progress.lock().unwrap(),
        [
            ListProgress { pages: 1, users: 3 },
            ListProgress { pages: 2, users: 3 },
            ListProgress { pages: 3, users: 4 },
        ]
    );
}

#[tokio::test]
async fn keeps_paging_when_the_server_caps_pages_below_the_size_asked_for() {
    // 250 users served at most 100 at a time; the Marker is the next index.
    let server = TestServer::start(|request| {
        let start: usize = request.param("Marker").map_or(0, |m| m.parse().unwrap());
        let end = (start + 100).min(250);
        let next = (end < 250).then(|| end.to_string());
        page(&(start..end).collect::<Vec<_>>(), next.as_deref())
    })
    .await;

    let users = server.client().list_all_users().await.unwrap();

    assert_eq!(users.len(), 250);
    assert_eq!(users.last().unwrap().user_name, "u249");
    assert_eq!(server.received().len(), 3);
}

#[tokio::test]
async fn a_repeated_marker_stops_with_pagination_did_not_advance() {
    let server = TestServer::start(|request| match request.param("Marker").as_deref() {
        None => page(&[0], Some("m2")),
        Some("m2") => page(&[1], Some("m3")),
        Some(_) => page(&[2], Some("m3")),
    })
    .await;

    let error = server.client().list_all_users().await.unwrap_err();

    assert!(
        matches!(&error, CloudError::PaginationDidNotAdvance { marker } if marker == "m3"),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("pagination did not advance"),
        "{error}"
    );
    assert_eq!(server.received().len(), 3, "it stops instead of looping");
}

#[tokio::test]
async fn a_truncated_page_without_a_marker_is_an_error() {
    let body = r#"{"RequestId":"R","IsTruncated":true,"Users":{"User":[]}}"#;
    let server = TestServer::always(Reply::json(body)).await;

    let error = server.client().list_all_users().await.unwrap_err();

    assert!(
        matches!(error, CloudError::PaginationWithoutMarker),
        "{error:?}"
    );
}
