//! The sandbox's gateway checks, in production's order and with production's
//! codes: transports, signature encoding (bc-01), timestamps (bc-03), nonces,
//! unknown and disabled keys (bc-11), unknown actions, the error envelope.

mod sandbox_support;

use chrono::{DateTime, Duration, Utc};
use sandbox_support::{Harness, RAM, STS, Signer, Transport, signed_pairs, test_key, test_start};

const N1: &str = "11111111-1111-4111-8111-111111111111";

#[tokio::test]
async fn get_post_query_and_post_form_are_all_accepted() {
    let harness = Harness::demo().await;
    for transport in [Transport::Get, Transport::PostQuery, Transport::PostForm] {
        let body = harness
            .call(&harness.caller(), transport, STS, "GetCallerIdentity", &[])
            .await
            .ok();
        assert_eq!(body["IdentityType"], "RAMUser", "{transport:?}");
    }
}

#[tokio::test]
async fn a_form_post_signs_query_and_body_together() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    let pairs = signed_pairs(
        &caller,
        N1,
        harness.now(),
        RAM,
        "GetUser",
        &[("UserName", "ci-deployer")],
    );
    let signed = ramkey::cloud::sign::sign(
        ramkey::cloud::sign::HttpMethod::Post,
        &pairs,
        &caller.secret,
    );
    let wire = signed.wire_query();
    let (query, body) = wire.split_at(wire.find("&SignatureMethod").unwrap());

    let base = harness.sandbox.endpoint();
    let response = reqwest::Client::new()
        .post(format!("{base}/?{query}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.trim_start_matches('&').to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

#[tokio::test]
async fn lowercase_json_format_is_accepted() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    let mut pairs = signed_pairs(&caller, N1, harness.now(), STS, "GetCallerIdentity", &[]);
    for (name, value) in &mut pairs {
        if name == "Format" {
            *value = "json".to_owned();
        }
    }
    harness
        .send_pairs(&caller, Transport::PostQuery, pairs)
        .await
        .ok();
}

#[tokio::test]
async fn timestamps_outside_fifteen_minutes_are_expired() {
    let harness = Harness::with_test_key().await;
    let signer = test_key();
    // bc-03: local time labelled Z, 8 hours off.
    let local_as_utc: DateTime<Utc> = "2024-01-02T11:04:05Z".parse().unwrap();
    for at in [
        local_as_utc,
        harness.now() - Duration::minutes(16),
        harness.now() + Duration::minutes(16),
    ] {
        let pairs = signed_pairs(&signer, &uuid(), at, RAM, "ListUsers", &[]);
        let reply = harness.send_pairs(&signer, Transport::Get, pairs).await;
        reply.assert_error(400, "InvalidTimeStamp.Expired");
        assert_eq!(
            reply.message(),
            "Specified time stamp or date value is expired."
        );
        assert_eq!(reply.headers["date"], "Tue, 02 Jan 2024 03:04:30 GMT");
    }
    for at in [
        harness.now() - Duration::minutes(15),
        harness.now() + Duration::minutes(15),
    ] {
        let pairs = signed_pairs(&signer, &uuid(), at, RAM, "ListUsers", &[]);
        harness
            .send_pairs(&signer, Transport::Get, pairs)
            .await
            .ok();
    }
}

#[tokio::test]
async fn a_misspelled_timestamp_is_missing() {
    let harness = Harness::with_test_key().await;
    let signer = test_key();
    let mut pairs = signed_pairs(&signer, N1, test_start(), RAM, "ListUsers", &[]);
    for (name, _) in &mut pairs {
        if name == "Timestamp" {
            "TimeStamp".clone_into(name);
        }
    }
    let reply = harness.send_pairs(&signer, Transport::Get, pairs).await;
    reply.assert_error(400, "MissingTimestamp");
    assert_eq!(reply.message(), "Timestamp is mandatory for this action.");
}

#[tokio::test]
async fn malformed_timestamps_are_refused() {
    let harness = Harness::with_test_key().await;
    let signer = test_key();
    let mut pairs = signed_pairs(&signer, N1, test_start(), RAM, "ListUsers", &[]);
    for (name, value) in &mut pairs {
        if name == "Timestamp" {
            *value = "2024-01-02T03:04:05.000+08:00".to_owned();
        }
    }
    let reply = harness.send_pairs(&signer, Transport::Get, pairs).await;
    reply.assert_error(400, "InvalidTimeStamp.Format");
}

#[tokio::test]
async fn a_reused_nonce_is_refused_even_with_a_fresh_signature() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    let first = signed_pairs(&caller, N1, harness.now(), STS, "GetCallerIdentity", &[]);
    harness
        .send_pairs(&caller, Transport::Get, first)
        .await
        .ok();

    harness.advance(Duration::seconds(5));
    let replay = signed_pairs(&caller, N1, harness.now(), RAM, "ListUsers", &[]);
    let reply = harness
        .send_pairs(&caller, Transport::PostForm, replay)
        .await;
    reply.assert_error(400, "SignatureNonceUsed");
    assert_eq!(
        reply.message(),
        "Specified signature nonce was used already."
    );
}

#[tokio::test]
async fn a_refused_request_does_not_burn_its_nonce() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    let wrong = Signer {
        secret: "not-the-secret".to_owned(),
        ..caller.clone()
    };
    let pairs = signed_pairs(&caller, N1, harness.now(), STS, "GetCallerIdentity", &[]);
    harness
        .send_pairs(&wrong, Transport::Get, pairs.clone())
        .await
        .assert_error(400, "SignatureDoesNotMatch");
    harness
        .send_pairs(&caller, Transport::Get, pairs)
        .await
        .ok();
}

#[tokio::test]
async fn an_unknown_key_is_not_found() {
    let harness = Harness::demo().await;
    let stranger = Signer {
        key_id: "LTAI5tNoSuchKey000000000".to_owned(),
        secret: "whatever".to_owned(),
    };
    let reply = harness
        .call(&stranger, Transport::Get, STS, "GetCallerIdentity", &[])
        .await;
    reply.assert_error(404, "InvalidAccessKeyId.NotFound");
    assert_eq!(reply.message(), "Specified access key is not found.");
}

#[tokio::test]
async fn a_disabled_caller_key_is_inactive() {
    // bc-11: ramkey disables the key it signs with; the next call is refused.
    let harness = Harness::demo().await;
    let caller = harness.caller();
    harness
        .ram(
            "UpdateAccessKey",
            &[("UserAccessKeyId", &caller.key_id), ("Status", "Inactive")],
        )
        .await
        .ok();
    let reply = harness
        .call(&caller, Transport::Get, STS, "GetCallerIdentity", &[])
        .await;
    reply.assert_error(400, "InvalidAccessKeyId.Inactive");
    assert_eq!(reply.message(), "Specified access key is disabled.");
}

#[tokio::test]
async fn checks_run_in_production_order() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    let stale = harness.now() - Duration::hours(1);

    // An unknown key wins over an expired timestamp and a bad signature.
    let stranger = Signer {
        key_id: "LTAI5tNoSuchKey000000000".to_owned(),
        secret: "x".to_owned(),
    };
    let pairs = signed_pairs(&stranger, N1, stale, RAM, "ListUsers", &[]);
    harness
        .send_pairs(&stranger, Transport::Get, pairs)
        .await
        .assert_error(404, "InvalidAccessKeyId.NotFound");

    // An expired timestamp wins over a bad signature.
    let wrong = Signer {
        secret: "x".to_owned(),
        ..caller.clone()
    };
    let pairs = signed_pairs(&caller, N1, stale, RAM, "ListUsers", &[]);
    harness
        .send_pairs(&wrong, Transport::Get, pairs)
        .await
        .assert_error(400, "InvalidTimeStamp.Expired");

    // A missing parameter wins over everything.
    let mut pairs = signed_pairs(&stranger, N1, stale, RAM, "ListUsers", &[]);
    pairs.retain(|(name, _)| name != "SignatureNonce");
    harness
        .send_pairs(&stranger, Transport::Get, pairs)
        .await
        .assert_error(400, "MissingSignatureNonce");
}

#[tokio::test]
async fn signature_method_and_version_are_checked() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    for (name, value, code) in [
        ("SignatureMethod", "HMAC-SHA256", "InvalidSignatureMethod"),
        ("SignatureVersion", "2.0", "InvalidSignatureVersion"),
    ] {
        let mut pairs = signed_pairs(&caller, &uuid(), harness.now(), RAM, "ListUsers", &[]);
        for (n, v) in &mut pairs {
            if n == name {
                value.clone_into(v);
            }
        }
        harness
            .send_pairs(&caller, Transport::Get, pairs)
            .await
            .assert_error(400, code);
    }
}

#[tokio::test]
async fn unknown_actions_and_versions_get_the_gateway_codes() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    let reply = harness
        .call(&caller, Transport::Get, RAM, "ListUserz", &[])
        .await;
    reply.assert_error(404, "InvalidAction.NotFound");
    assert_eq!(
        reply.message(),
        "Specified api is not found, please check your url and method."
    );
    // GetCallerIdentity is STS's, not RAM's.
    harness
        .call(&caller, Transport::Get, RAM, "GetCallerIdentity", &[])
        .await
        .assert_error(404, "InvalidAction.NotFound");
    let reply = harness
        .call(&caller, Transport::Get, "2016-01-01", "ListUsers", &[])
        .await;
    reply.assert_error(400, "InvalidVersion");
    assert_eq!(reply.message(), "Specified parameter Version is not valid.");
}

#[tokio::test]
async fn errors_have_the_production_envelope_and_fresh_request_ids() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    let first = harness
        .call(&caller, Transport::Get, STS, "Nope", &[])
        .await;
    let second = harness
        .call(&caller, Transport::Get, STS, "Nope", &[])
        .await;

    let mut fields: Vec<&String> = first.body.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(
        fields,
        ["Code", "HostId", "Message", "Recommend", "RequestId"]
    );
    assert_eq!(first.body["HostId"], "sts.aliyuncs.com");

    let id = first.body["RequestId"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(id, id.to_uppercase());
    assert_ne!(id, second.body["RequestId"].as_str().unwrap());
    assert_eq!(first.headers["x-acs-request-id"], id);
}

#[tokio::test]
async fn successes_carry_a_request_id_and_the_sandbox_date() {
    let harness = Harness::demo().await;
    harness.advance(Duration::minutes(20));
    let reply = harness
        .call(
            &harness.caller(),
            Transport::Get,
            STS,
            "GetCallerIdentity",
            &[],
        )
        .await;
    assert_eq!(reply.headers.get_all("date").iter().count(), 1);
    assert_eq!(reply.headers["date"], "Tue, 02 Jan 2024 03:24:05 GMT");
    let body = reply.ok();
    assert_eq!(body["RequestId"].as_str().unwrap().len(), 36);
}

#[tokio::test]
async fn other_methods_and_paths_are_refused() {
    let harness = Harness::demo().await;
    let base = harness.sandbox.endpoint();
    let client = reqwest::Client::new();
    let put = client.put(format!("{base}/")).send().await.unwrap();
    assert_eq!(put.status(), 400);
    let body: serde_json::Value = put.json().await.unwrap();
    assert_eq!(body["Code"], "UnsupportedHTTPMethod");

    let elsewhere = client.get(format!("{base}/v2/users")).send().await.unwrap();
    assert_eq!(elsewhere.status(), 404);
}

#[tokio::test]
async fn only_loopback_addresses_are_served() {
    let error = ramkey::sandbox::start(
        "0.0.0.0:0".parse().unwrap(),
        ramkey::sandbox::Account::demo(),
        std::sync::Arc::new(ramkey::clock::SystemClock::new()),
    )
    .await
    .expect_err("refused");
    assert!(error.to_string().contains("loopback only"), "{error}");
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}
