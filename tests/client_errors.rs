//! How failures reach the caller: the error envelope as one typed error
//! with a hint, odd bodies as readable errors (BC-08), signature and clock
//! errors with what to check (BC-01, BC-03), no token in any error (BC-05),
//! refused credentials (BC-16), and an endpoint that does not answer.

mod support;

use std::time::Duration;

use ramkey::cloud::sign;
use ramkey::cloud::{
    Client, ClientConfig, CloudError, Credentials, CredentialsError, Endpoints, Timeouts,
};
use ramkey::secret::Secret;
use support::{Reply, TestServer, client_for, client_with, permanent, temporary};

#[tokio::test]
async fn the_error_envelope_becomes_an_api_error() {
    let server = TestServer::always(Reply::error(
        404,
        "EntityNotExist.User",
        "The user does not exist.",
    ))
    .await;

    let error = server.client().get_user("ghost").await.unwrap_err();

    let api = error.api().expect("an API error");
    assert_eq!(api.code, "EntityNotExist.User");
    assert_eq!(api.message, "The user does not exist.");
    assert_eq!(
        api.request_id.as_deref(),
        Some("E7A1D1C2-0000-4000-8000-000000000001")
    );
    assert_eq!(api.http_status, 404);
    assert_eq!(api.host_id.as_deref(), Some("ram.aliyuncs.com"));
    assert!(
        api.recommend
            .as_deref()
            .unwrap()
            .contains("EntityNotExist.User")
    );
    assert_eq!(api.action, "GetUser");
    assert_eq!(api.endpoint, server.endpoint());
    assert_eq!(error.code(), Some("EntityNotExist.User"));
    assert_eq!(
        error.request_id(),
        Some("E7A1D1C2-0000-4000-8000-000000000001")
    );
    assert_eq!(
        error.to_string(),
        "GetUser was refused: EntityNotExist.User: The user does not exist. \
         (HTTP 404, RequestId E7A1D1C2-0000-4000-8000-000000000001)"
    );
}

#[tokio::test]
async fn a_key_limit_error_explains_that_deleting_frees_a_slot() {
    let server = TestServer::always(Reply::error(
        409,
        "LimitExceeded.User.AccessKey",
        "The access key count of the user access keys beyond the current limits.",
    ))
    .await;

    let error = server.client().create_access_key("app").await.unwrap_err();

    assert_eq!(error.api().unwrap().http_status, 409);
    let hint = error.hint().unwrap();
    assert!(hint.contains("Only deleting a key frees a slot"), "{hint}");
}

#[tokio::test]
async fn a_signature_mismatch_keeps_both_strings_to_sign_and_suggests_the_secret() {
    let server = TestServer::start(Reply::signature_mismatch).await;

    let error = server
        .client()
        .list_users_page(None, None)
        .await
        .unwrap_err();

    let expected = server.only_request().string_to_sign();
    let api = error.api().unwrap();
    assert_eq!(api.own_string_to_sign.as_deref(), Some(expected.as_str()));
    assert_eq!(api.server_string_to_sign(), Some(expected.as_str()));
    let hint = error.hint().unwrap();
    assert!(
        hint.contains("check the AccessKey secret (no spaces or line breaks)"),
        "{hint}"
    );
    assert!(hint.contains("the secret is what differs"), "{hint}");
    assert!(
        hint.contains(&format!("ramkey's string to sign: {expected}")),
        "{hint}"
    );
}

#[tokio::test]
async fn no_error_text_shows_the_sts_token_in_any_encoding() {
    let server = TestServer::start(|request| {
        let message = format!(
            "token CAIS+ab/cd== server string to sign is:{}",
            request.string_to_sign()
        );
        Reply::error(400, "SignatureDoesNotMatch", &message)
    })
    .await;
    let client = client_for(server.endpoint(), temporary());

    let error = client.list_users_page(None, None).await.unwrap_err();

    let everything = format!("{error} {error:?} {}", error.hint().unwrap());
    for form in [
        "CAIS+ab/cd==",
        "CAIS%2Bab%2Fcd%3D%3D",
        "CAIS%252Bab%252Fcd%253D%253D",
        "CAIS",
    ] {
        assert!(!everything.contains(form), "{form} leaked: {everything}");
    }
    assert!(
        everything.contains("SecurityToken%3D[redacted]"),
        "{everything}"
    );
}

#[tokio::test]
async fn a_page_that_echoes_the_request_shows_neither_its_signature_nor_the_token() {
    // A proxy or WAF error page that quotes the request it blocked: the
    // signature could be replayed within the 15-minute window, as the
    // blocked request never reached the service to use up its nonce.
    let server = TestServer::start(|request| {
        let signature = request.param("Signature").unwrap();
        let echo = format!(
            "<html>blocked Signature={signature} in {}</html>",
            request.body
        );
        Reply::with_status(403, "text/html", &echo)
    })
    .await;
    let client = client_for(server.endpoint(), temporary());

    let error = client.list_users_page(None, None).await.unwrap_err();

    let signature = server.only_request().param("Signature").unwrap();
    let everything = format!("{error} {error:?}");
    for form in [signature.clone(), sign::percent_encode(&signature)] {
        assert!(!everything.contains(&form), "{form} leaked: {everything}");
    }
    assert!(!everything.contains("CAIS"), "{everything}");
    assert!(
        everything.contains("blocked Signature=[redacted]"),
        "{everything}"
    );
}

#[tokio::test]
async fn a_field_of_the_wrong_type_does_not_quote_the_token_back() {
    let body = r#"{"RequestId":"R","IsTruncated":"CAIS+ab/cd==","Users":{}}"#;
    let server = TestServer::always(Reply::json(body)).await;
    let client = client_for(server.endpoint(), temporary());

    let error = client.list_users_page(None, None).await.unwrap_err();

    let everything = format!("{error} {error:?}");
    assert!(!everything.contains("CAIS"), "{everything}");
    assert!(everything.contains("lacks expected fields"), "{everything}");
}

#[tokio::test]
async fn an_expired_timestamp_reports_the_skew_against_the_date_header() {
    // The test clock reads 03:04:05; the server's is 20 minutes ahead.
    let reply = Reply::error(
        400,
        "InvalidTimeStamp.Expired",
        "Specified time stamp or date value is expired.",
    )
    .header("date", "Tue, 02 Jan 2024 03:24:05 GMT");
    let server = TestServer::always(reply).await;

    let error = server
        .client()
        .list_users_page(None, None)
        .await
        .unwrap_err();

    let hint = error.hint().unwrap();
    assert!(hint.contains("about 20 min behind the server's"), "{hint}");
    assert!(hint.contains("NTP"), "{hint}");
}

#[tokio::test]
async fn an_html_gateway_page_is_a_readable_error() {
    let server = TestServer::always(Reply::with_status(
        503,
        "text/html",
        "<html>502 Bad Gateway</html>",
    ))
    .await;

    let error = server
        .client()
        .list_policies_for_user("alice")
        .await
        .unwrap_err();

    // A read is tried again on a 5xx; the last answer is the one shown.
    assert_eq!(server.received().len(), 5);
    assert!(
        matches!(error.last_answer(), CloudError::UnexpectedBody(_)),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("HTTP 503"), "{text}");
    assert!(text.contains("HTML"), "{text}");
    assert!(text.contains("<html>502 Bad Gateway</html>"), "{text}");
    assert!(text.contains("ListPoliciesForUser"), "{text}");
}

#[tokio::test]
async fn an_xml_error_envelope_becomes_an_api_error() {
    let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <RequestId>7463B73D-35CC-4D19-A010-6B8D65D242EF</RequestId>
  <HostId>ram.aliyuncs.com</HostId>
  <Code>EntityNotExist.User</Code>
  <Message>The user &quot;ghost&quot; does not exist.</Message>
</Error>"#;
    let server = TestServer::always(Reply::with_status(404, "text/xml", body)).await;

    let error = server.client().get_user("ghost").await.unwrap_err();

    assert_eq!(error.code(), Some("EntityNotExist.User"), "{error:?}");
    let api = error.api().unwrap();
    assert_eq!(api.message, r#"The user "ghost" does not exist."#);
    assert_eq!(api.http_status, 404);
    assert_eq!(api.host_id.as_deref(), Some("ram.aliyuncs.com"));
    assert_eq!(
        error.request_id(),
        Some("7463B73D-35CC-4D19-A010-6B8D65D242EF")
    );
}

#[tokio::test]
async fn an_xml_answer_to_create_access_key_never_shows_the_new_secret() {
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CreateAccessKeyResponse>\
        <RequestId>R-XML</RequestId><AccessKey><AccessKeyId>LTAI-NEW</AccessKeyId>\
        <AccessKeySecret>PupkTg8jdmau1cXxYacgE736PJj4cA</AccessKeySecret>\
        <Status>Active</Status></AccessKey></CreateAccessKeyResponse>";
    let server = TestServer::always(Reply::with_status(200, "text/xml", body)).await;

    let error = server
        .client()
        .create_access_key("app-v2")
        .await
        .unwrap_err();

    let everything = format!("{error} {error:?}");
    assert!(!everything.contains("PupkTg8"), "{everything}");
    assert!(everything.contains("LTAI-NEW"), "{everything}");
    assert!(everything.contains("XML"), "{everything}");
    assert_eq!(error.request_id(), Some("R-XML"));
}

#[tokio::test]
async fn an_unreadable_answer_to_a_change_says_to_check_before_repeating_it() {
    let server = TestServer::always(Reply::with_status(
        502,
        "text/html",
        "<html>502 Bad Gateway</html>",
    ))
    .await;
    let client = server.client();

    let create = client.create_user("app-v2", None, None).await.unwrap_err();
    let list = client.list_groups_for_user("app").await.unwrap_err();

    let text = create.to_string();
    assert!(text.contains("check whether it took effect"), "{text}");
    let text = list.to_string();
    assert!(
        !text.contains("took effect"),
        "a read changes nothing: {text}"
    );
}

#[tokio::test]
async fn an_empty_success_body_is_a_readable_error() {
    let server = TestServer::always(Reply::json("")).await;

    let error = server
        .client()
        .list_policies_for_user("alice")
        .await
        .unwrap_err();

    let text = error.to_string();
    assert!(text.contains("the body is empty"), "{text}");
    assert!(text.contains("HTTP 200"), "{text}");
}

#[tokio::test]
async fn truncated_json_is_a_readable_error_with_its_request_id() {
    let server = TestServer::always(Reply::json(r#"{"RequestId":"x","Policies":{"Pol"#)).await;

    let error = server
        .client()
        .list_policies_for_user("alice")
        .await
        .unwrap_err();

    let text = error.to_string();
    assert!(text.contains("cut short"), "{text}");
    assert!(
        text.contains(r#"{\"RequestId\":\"x\",\"Policies\":{\"Pol"#),
        "{text}"
    );
    assert_eq!(error.request_id(), Some("x"));
}

#[tokio::test]
async fn a_long_bad_body_is_shown_only_in_part() {
    let body = format!("<html>{}</html>", "x".repeat(5000));
    let server = TestServer::always(Reply::with_status(502, "text/html", &body)).await;

    let error = server
        .client()
        .list_policies_for_user("alice")
        .await
        .unwrap_err();

    let CloudError::UnexpectedBody(bad) = error.last_answer() else {
        panic!("{error:?}");
    };
    assert_eq!(bad.body_start.len(), 200);
}

#[tokio::test]
async fn an_endless_answer_is_cut_off_instead_of_filling_memory() {
    let body = format!(
        "{{\"RequestId\":\"R-BIG\",\"Pad\":\"{}\"}}",
        "x".repeat(17 << 20)
    );
    let server = TestServer::always(Reply::json(&body)).await;

    let error = server
        .client()
        .list_groups_for_user("alice")
        .await
        .unwrap_err();

    let text = error.to_string();
    assert!(text.contains("longer than 16 MiB"), "{text}");
    assert_eq!(error.request_id(), Some("R-BIG"));
}

#[tokio::test]
async fn a_cut_short_new_key_never_shows_its_secret() {
    let body = r#"{"RequestId":"R-CAK","AccessKey":{"AccessKeyId":"LTAI-NEW","AccessKeySecret":"PupkTg8jdmau"#;
    let server = TestServer::always(Reply::json(body)).await;

    let error = server
        .client()
        .create_access_key("app-v2")
        .await
        .unwrap_err();

    let everything = format!("{error} {error:?}");
    assert!(!everything.contains("PupkTg8"), "{everything}");
    assert!(everything.contains("LTAI-NEW"), "{everything}");
    assert_eq!(error.request_id(), Some("R-CAK"));
}

#[tokio::test]
async fn a_success_status_with_a_code_and_no_expected_fields_is_an_api_error() {
    let body = r#"{"RequestId":"R-200","Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#;
    let server = TestServer::always(Reply::json(body)).await;

    let error = server
        .client()
        .list_groups_for_user("alice")
        .await
        .unwrap_err();

    assert_eq!(error.code(), Some("Throttling.User"));
    assert_eq!(error.request_id(), Some("R-200"));
    assert_eq!(error.api().unwrap().http_status, 200);
}

#[tokio::test]
async fn a_success_body_missing_its_fields_is_a_readable_error() {
    let server = TestServer::always(Reply::json(r#"{"RequestId":"R-MISS"}"#)).await;

    let error = server
        .client()
        .list_groups_for_user("alice")
        .await
        .unwrap_err();

    let text = error.to_string();
    assert!(text.contains("lacks expected fields"), "{text}");
    assert!(text.contains("Groups"), "{text}");
    assert_eq!(error.request_id(), Some("R-MISS"));
}

#[tokio::test]
async fn an_endpoint_that_refuses_connections_is_named_with_what_to_check() {
    // A port that was free a moment ago and has nobody listening now.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);

    let error = client_for(&endpoint, permanent())
        .get_caller_identity()
        .await
        .unwrap_err();

    assert!(
        matches!(error.last_answer(), CloudError::Connect { .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains(&endpoint), "{text}");
    assert!(text.contains("GetCallerIdentity"), "{text}");
    assert!(
        text.contains("check that the endpoint URL is right"),
        "{text}"
    );
}

#[tokio::test]
async fn an_endpoint_that_never_answers_times_out_naming_it() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let _held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let timeouts = Timeouts {
        connect: Duration::from_secs(5),
        request: Duration::from_millis(300),
    };

    let error = client_with(&endpoint, permanent(), timeouts)
        .list_users_page(None, None)
        .await
        .unwrap_err();

    assert!(
        matches!(error.last_answer(), CloudError::Timeout { .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains(&endpoint), "{text}");
    assert!(text.contains("did not answer ListUsers in time"), "{text}");
}

#[tokio::test]
async fn transport_failures_carry_neither_the_token_nor_the_request() {
    // reqwest's errors name the URL; the signed pairs travel in the body,
    // so the URL holds nothing secret, and no body is ever quoted.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);

    let error = client_for(&endpoint, temporary())
        .list_users_page(Some("m2"), None)
        .await
        .unwrap_err();

    let mut everything = vec![format!("{error} {error:?}")];
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        everything.push(format!("{cause} {cause:?}"));
        source = cause.source();
    }
    let everything = everything.join(" ");
    for needle in ["CAIS", "stssecret", "Signature", "SignatureNonce", "m2"] {
        assert!(!everything.contains(needle), "{needle} in: {everything}");
    }
}

#[test]
fn a_client_refuses_a_padded_secret_before_any_call() {
    // The fields are public, so the check runs again when the client is built.
    let credentials = Credentials {
        access_key_id: "testid".to_owned(),
        secret: Secret::new("testsecret\n"),
        security_token: None,
        source: "test".to_owned(),
    };
    let config = ClientConfig {
        endpoints: Endpoints::single("http://127.0.0.1:9").unwrap(),
        credentials,
        clock: std::sync::Arc::new(ramkey::clock::FixedClock::new(support::now())),
        signature: ramkey::cloud::SignatureVersion::V1,
    };

    let error = Client::new(config).unwrap_err();

    assert!(
        matches!(
            &error,
            CloudError::Credentials(CredentialsError::Malformed { problem, .. })
                if *problem == "contains a line break"
        ),
        "{error:?}"
    );
    assert!(!error.to_string().contains("testsecret"), "{error}");
}
