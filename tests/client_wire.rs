//! What the client puts on the wire: a POST form body that is exactly the
//! signed pairs (BC-01), fresh common parameters per call, the STS token
//! signed like any other parameter (BC-05), and unset parameters left out.

mod support;

use support::{NOW, Reply, TestServer, client_for, pairs, temporary};

const LIST_USERS_LAST_PAGE: &str =
    r#"{"RequestId":"R-LIST","IsTruncated":false,"Users":{"User":[]}}"#;

#[tokio::test]
async fn the_body_is_the_signed_pairs_and_re_signs_to_the_same_signature() {
    let server = TestServer::always(Reply::json(LIST_USERS_LAST_PAGE)).await;
    let client = server.client();

    client
        .list_users_page(Some("a+b*c~d e"), Some(100))
        .await
        .unwrap();

    let request = server.only_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/");
    assert_eq!(request.query, None, "nothing may travel in the URL");
    assert_eq!(
        request.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        request.user_agent.as_deref(),
        Some(concat!("ramkey/", env!("CARGO_PKG_VERSION")))
    );
    assert!(
        request.body.contains("&Marker=a%2Bb%2Ac~d%20e&"),
        "the Marker is encoded per RFC 3986: {}",
        request.body
    );
    assert_eq!(request.param("Marker").as_deref(), Some("a+b*c~d e"));
    request.assert_signed_with("testsecret");
}

#[tokio::test]
async fn a_marker_with_plus_slash_and_equals_survives_the_round_trip() {
    let server = TestServer::always(Reply::json(LIST_USERS_LAST_PAGE)).await;

    server
        .client()
        .list_users_page(Some("AbC+/x=="), None)
        .await
        .unwrap();

    let request = server.only_request();
    assert!(
        request.body.contains("&Marker=AbC%2B%2Fx%3D%3D&"),
        "{}",
        request.body
    );
    assert_eq!(request.param("Marker").as_deref(), Some("AbC+/x=="));
    request.assert_signed_with("testsecret");
}

#[tokio::test]
async fn common_parameters_are_fresh_and_complete_on_every_call() {
    let server = TestServer::always(Reply::json(LIST_USERS_LAST_PAGE)).await;
    let client = server.client();

    client.list_users_page(None, None).await.unwrap();
    client.list_users_page(None, None).await.unwrap();

    let requests = server.received();
    for request in &requests {
        assert_eq!(request.param("AccessKeyId").as_deref(), Some("testid"));
        assert_eq!(request.param("Action").as_deref(), Some("ListUsers"));
        assert_eq!(request.param("Version").as_deref(), Some("2015-05-01"));
        assert_eq!(request.param("Format").as_deref(), Some("JSON"));
        assert_eq!(
            request.param("SignatureMethod").as_deref(),
            Some("HMAC-SHA1")
        );
        assert_eq!(request.param("SignatureVersion").as_deref(), Some("1.0"));
        assert_eq!(request.param("Timestamp").as_deref(), Some(NOW));
        assert_eq!(request.param("SecurityToken"), None);
        let nonce = request.param("SignatureNonce").unwrap();
        let uuid = uuid::Uuid::parse_str(&nonce).unwrap();
        assert_eq!(uuid.get_version_num(), 4, "{nonce}");
        request.assert_signed_with("testsecret");
    }
    assert_ne!(
        requests[0].param("SignatureNonce"),
        requests[1].param("SignatureNonce"),
        "a nonce is never reused"
    );
}

#[tokio::test]
async fn unset_optional_parameters_are_left_out_entirely() {
    let created = r#"{"RequestId":"R-CU","User":{"UserId":"1","UserName":"ops-bot"}}"#;
    let server = TestServer::always(Reply::json(created)).await;
    let client = server.client();

    client.create_user("ops-bot", None, Some("")).await.unwrap();

    let request = server.only_request();
    assert_eq!(request.action_params(), pairs(&[("UserName", "ops-bot")]));
    assert!(!request.body.contains("Comments"), "{}", request.body);
    assert!(!request.body.contains("DisplayName"), "{}", request.body);
    request.assert_signed_with("testsecret");
}

#[tokio::test]
async fn a_first_page_request_sends_no_marker_and_no_page_size() {
    let server = TestServer::always(Reply::json(LIST_USERS_LAST_PAGE)).await;

    server.client().list_users_page(None, None).await.unwrap();

    assert_eq!(server.only_request().action_params(), pairs(&[]));
}

#[tokio::test]
async fn the_sts_token_is_sent_encoded_and_signed() {
    let server = TestServer::always(Reply::json(LIST_USERS_LAST_PAGE)).await;
    let client = client_for(server.endpoint(), temporary());

    client.list_users_page(None, None).await.unwrap();

    let request = server.only_request();
    assert_eq!(request.param("AccessKeyId").as_deref(), Some("STS.testid"));
    assert!(
        request
            .body
            .contains("&SecurityToken=CAIS%2Bab%2Fcd%3D%3D&"),
        "{}",
        request.body
    );
    request.assert_signed_with("stssecret");
}

#[tokio::test]
async fn sts_calls_go_to_the_sts_version() {
    let identity = r#"{"RequestId":"R-ID","AccountId":"1968","Arn":"acs:ram::1968:user/admin",
        "IdentityType":"RAMUser","UserId":"2169","PrincipalId":"2887"}"#;
    let server = TestServer::always(Reply::json(identity)).await;

    server.client().get_caller_identity().await.unwrap();

    let request = server.only_request();
    assert_eq!(
        request.param("Action").as_deref(),
        Some("GetCallerIdentity")
    );
    assert_eq!(request.param("Version").as_deref(), Some("2015-04-01"));
    assert_eq!(request.action_params(), pairs(&[]));
    request.assert_signed_with("testsecret");
}

#[test]
fn the_client_and_its_calls_can_move_across_tasks() {
    fn assert_send<T: Send>(_: &T) {}
    fn assert_shareable<T: Send + Sync + Clone>(_: &T) {}

    let client = client_for("http://127.0.0.1:9", support::permanent());
    assert_shareable(&client);
    assert_send(&client.list_all_users());
    assert_send(&client.list_all_users_with_progress(|_| {}));
    assert_send(&client.create_access_key("u"));
    assert_send(&client.get_caller_identity());
}
