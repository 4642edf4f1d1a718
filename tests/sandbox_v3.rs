//! The sandbox's V3 (`ACS3-HMAC-SHA256`) gateway, driven by ramkey's V3
//! signer alone (not its client): accepted requests in every layout, then
//! each refusal with production's code — wrong secret, a header, the query
//! or the body changed after signing, headers left unsigned, dates out of
//! the window, nonces used twice (shared with 1.0), a malformed
//! `Authorization`.

mod sandbox_support;

use chrono::{DateTime, Duration, Utc};
use ramkey::cloud::sign::{HttpMethod, RequestStamp};
use ramkey::cloud::sign_v3::{self, RequestToSign, SignedV3};
use ramkey::sandbox::MISMATCH_PREFIX;
use sandbox_support::{Harness, RAM, Reply, STS, Signer, Transport, signed_pairs};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// One V3 request: built, signed, then possibly changed before it is sent.
struct V3 {
    method: HttpMethod,
    query: Vec<(String, String)>,
    /// Every header that is signed (and sent).
    headers: Vec<(String, String)>,
    body: String,
}

impl V3 {
    /// A POST with `params` in the query and an empty body, as the SDKs send.
    fn new(harness: &Harness, signer: &Signer, version: &str, action: &str) -> V3 {
        V3::stamped(
            harness,
            signer,
            version,
            action,
            harness.now(),
            &fresh_nonce(),
        )
    }

    fn stamped(
        harness: &Harness,
        signer: &Signer,
        version: &str,
        action: &str,
        at: DateTime<Utc>,
        nonce: &str,
    ) -> V3 {
        let stamp = RequestStamp {
            access_key_id: &signer.key_id,
            security_token: None,
            timestamp: at,
            nonce,
        };
        let headers = sign_v3::rpc_headers(
            &host(harness),
            action,
            version,
            stamp,
            &sign_v3::sha256_hex(b""),
        );
        V3 {
            method: HttpMethod::Post,
            query: Vec::new(),
            headers,
            body: String::new(),
        }
    }

    fn query(mut self, params: &[(&str, &str)]) -> V3 {
        self.query.extend(pairs(params));
        self
    }

    /// Puts `form` in the body as a form, with its content type and hash.
    fn form_body(mut self, form: &str) -> V3 {
        form.clone_into(&mut self.body);
        self.set(
            "x-acs-content-sha256",
            &sign_v3::sha256_hex(form.as_bytes()),
        );
        self.headers.push((
            "content-type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        ));
        self
    }

    fn set(&mut self, name: &str, value: &str) {
        let header = self.headers.iter_mut().find(|(n, _)| n == name);
        value.clone_into(&mut header.expect("a header the request has").1);
    }

    fn sign(&self, secret: &str) -> SignedV3 {
        sign_v3::sign(
            &RequestToSign {
                method: self.method,
                canonical_uri: "/",
                query: &self.query,
                headers: &self.headers,
                hashed_payload: &sign_v3::sha256_hex(self.body.as_bytes()),
            },
            secret,
        )
    }

    /// Sends the request with `authorization` as is.
    async fn send_with(&self, harness: &Harness, authorization: &str) -> Reply {
        let query = sign_v3::canonical_query(&self.query);
        let url = format!("{}/?{query}", harness.sandbox.endpoint());
        let client = reqwest::Client::new();
        let mut request = match self.method {
            HttpMethod::Get => client.get(url),
            HttpMethod::Post => client.post(url),
        };
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request
            .header("authorization", authorization)
            .body(self.body.clone())
            .send()
            .await
            .expect("the sandbox answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a body");
        let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Signs with `signer` and sends.
    async fn send(&self, harness: &Harness, signer: &Signer) -> Reply {
        let signed = self.sign(&signer.secret);
        self.send_with(harness, &signed.authorization(&signer.key_id))
            .await
    }
}

fn host(harness: &Harness) -> String {
    harness
        .sandbox
        .endpoint()
        .trim_start_matches("http://")
        .to_owned()
}

fn fresh_nonce() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn assert_mismatch_quotes(reply: &Reply, server_side: &SignedV3) {
    reply.assert_error(400, "SignatureDoesNotMatch");
    assert_eq!(
        reply.message(),
        format!("{MISMATCH_PREFIX}{}", server_side.evidence())
    );
}

#[tokio::test]
async fn a_v3_request_is_accepted_with_params_in_the_query() {
    let harness = Harness::demo().await;
    let caller = harness.caller();

    let identity = V3::new(&harness, &caller, STS, "GetCallerIdentity")
        .send(&harness, &caller)
        .await
        .ok();
    assert_eq!(identity["IdentityType"], "RAMUser");

    let page = V3::new(&harness, &caller, RAM, "ListUsers")
        .query(&[("MaxItems", "2")])
        .send(&harness, &caller)
        .await
        .ok();
    assert_eq!(page["Users"]["User"].as_array().unwrap().len(), 2);
    assert_eq!(page["IsTruncated"], true);
}

#[tokio::test]
async fn get_and_a_form_body_are_accepted_too() {
    let harness = Harness::demo().await;
    let caller = harness.caller();

    let mut get = V3::new(&harness, &caller, RAM, "GetUser").query(&[("UserName", "ci-deployer")]);
    get.method = HttpMethod::Get;
    let user = get.send(&harness, &caller).await.ok();
    assert_eq!(user["User"]["UserName"], "ci-deployer");

    // The form's fields reach the action; they are covered by the payload
    // hash, not by the canonical query.
    let form = V3::new(&harness, &caller, RAM, "GetUser").form_body("UserName=ci-deployer");
    let user = form.send(&harness, &caller).await.ok();
    assert_eq!(user["User"]["UserName"], "ci-deployer");
}

#[tokio::test]
async fn every_signed_header_counts_repeated_and_extra_ones_included() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    let mut request = V3::new(&harness, &caller, STS, "GetCallerIdentity");
    // What the Python SDK signs besides the gateway's own headers, and one
    // header sent twice: the server joins its values as the signer did.
    request.headers.extend(pairs(&[
        ("user-agent", "AlibabaCloud (test) TeaDSL/2"),
        ("x-acs-credentials-provider", "static_ak"),
        ("x-acs-test", "https"),
        ("x-acs-test", "http"),
    ]));
    request.send(&harness, &caller).await.ok();
}

#[tokio::test]
async fn a_wrong_secret_gets_the_servers_string_to_sign_and_canonical_request() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    let request = V3::new(&harness, &caller, RAM, "ListUsers").query(&[("MaxItems", "5")]);

    let wrong = request.sign("not-the-secret");
    let reply = request
        .send_with(&harness, &wrong.authorization(&caller.key_id))
        .await;

    // Both sides built the same canonical request; only the key differs.
    assert_mismatch_quotes(&reply, &request.sign(&caller.secret));
    assert!(reply.message().contains("\nPOST\n/\nMaxItems=5\n"));
}

#[tokio::test]
async fn a_header_changed_after_signing_is_refused_with_what_the_server_saw() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    let mut request = V3::new(&harness, &caller, RAM, "ListUsers");
    let authorization = request.sign(&caller.secret).authorization(&caller.key_id);

    request.set("x-acs-action", "ListAccessKeys");
    let reply = request.send_with(&harness, &authorization).await;

    assert_mismatch_quotes(&reply, &request.sign(&caller.secret));
    assert!(reply.message().contains("\nx-acs-action:ListAccessKeys\n"));
}

#[tokio::test]
async fn the_query_or_the_body_changed_after_signing_is_refused() {
    let harness = Harness::demo().await;
    let caller = harness.caller();

    let mut query =
        V3::new(&harness, &caller, RAM, "GetUser").query(&[("UserName", "ci-deployer")]);
    let authorization = query.sign(&caller.secret).authorization(&caller.key_id);
    query.query = pairs(&[("UserName", "alice.wang")]);
    let reply = query.send_with(&harness, &authorization).await;
    assert_mismatch_quotes(&reply, &query.sign(&caller.secret));

    // The body changes but the stated hash does not.
    let mut body = V3::new(&harness, &caller, RAM, "GetUser").form_body("UserName=ci-deployer");
    let authorization = body.sign(&caller.secret).authorization(&caller.key_id);
    body.body = "UserName=alice.wang".to_owned();
    let reply = body.send_with(&harness, &authorization).await;
    reply.assert_error(400, "SignatureDoesNotMatch");
    assert!(
        reply.message().contains(&format!(
            "the body received hashes to {}",
            sign_v3::sha256_hex(b"UserName=alice.wang")
        )),
        "{}",
        reply.message()
    );
}

/// Signs `request` over all its headers but `left_out`, and says so in
/// `SignedHeaders`.
async fn send_leaving_unsigned(harness: &Harness, caller: &Signer, left_out: &str) -> Reply {
    let request = V3::new(harness, caller, STS, "GetCallerIdentity");
    let mut signed_part = V3 {
        method: request.method,
        query: request.query.clone(),
        headers: request.headers.clone(),
        body: request.body.clone(),
    };
    signed_part.headers.retain(|(name, _)| name != left_out);
    let authorization = signed_part
        .sign(&caller.secret)
        .authorization(&caller.key_id);
    request.send_with(harness, &authorization).await
}

#[tokio::test]
async fn host_and_every_x_acs_header_must_be_signed() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    for left_out in [
        "host",
        "x-acs-signature-nonce",
        "x-acs-date",
        "x-acs-action",
    ] {
        let reply = send_leaving_unsigned(&harness, &caller, left_out).await;
        reply.assert_error(400, "IncompleteSignature");
        assert!(
            reply
                .message()
                .contains(&format!("header {left_out} must be signed")),
            "{left_out}: {}",
            reply.message()
        );
    }
    // `accept` is not one the gateway reads: it may go unsigned.
    send_leaving_unsigned(&harness, &caller, "accept")
        .await
        .ok();
}

#[tokio::test]
async fn a_signed_header_that_did_not_arrive_is_refused() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    let mut request = V3::new(&harness, &caller, STS, "GetCallerIdentity");
    request
        .headers
        .push(("x-custom-trace".to_owned(), "abc".to_owned()));
    let authorization = request.sign(&caller.secret).authorization(&caller.key_id);
    request.headers.retain(|(name, _)| name != "x-custom-trace");

    let reply = request.send_with(&harness, &authorization).await;
    reply.assert_error(400, "IncompleteSignature");
    assert!(
        reply.message().contains("x-custom-trace"),
        "{}",
        reply.message()
    );
}

#[tokio::test]
async fn dates_outside_the_window_or_badly_formed_are_refused() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    let now = harness.now();

    for (at, expected) in [
        (now - Duration::minutes(16), "InvalidTimeStamp.Expired"),
        (now + Duration::minutes(16), "InvalidTimeStamp.Expired"),
    ] {
        let reply = V3::stamped(
            &harness,
            &caller,
            STS,
            "GetCallerIdentity",
            at,
            &fresh_nonce(),
        )
        .send(&harness, &caller)
        .await;
        reply.assert_error(400, expected);
    }
    let inside = now - Duration::minutes(14);
    V3::stamped(
        &harness,
        &caller,
        STS,
        "GetCallerIdentity",
        inside,
        &fresh_nonce(),
    )
    .send(&harness, &caller)
    .await
    .ok();

    let mut request = V3::new(&harness, &caller, STS, "GetCallerIdentity");
    request.set("x-acs-date", "2024-01-02 03:04:05");
    request
        .send(&harness, &caller)
        .await
        .assert_error(400, "InvalidTimeStamp.Format");
}

#[tokio::test]
async fn a_nonce_is_refused_the_second_time_whichever_signature_used_it() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    let nonce = fresh_nonce();
    let twice = || {
        V3::stamped(
            &harness,
            &caller,
            STS,
            "GetCallerIdentity",
            harness.now(),
            &nonce,
        )
    };

    twice().send(&harness, &caller).await.ok();
    twice()
        .send(&harness, &caller)
        .await
        .assert_error(400, "SignatureNonceUsed");

    // A nonce that signed a 1.0 request is used for V3 as well.
    let shared = "shared-nonce-1";
    let v1 = signed_pairs(
        &caller,
        shared,
        harness.now(),
        STS,
        "GetCallerIdentity",
        &[],
    );
    harness
        .send_pairs(&caller, Transport::PostForm, v1)
        .await
        .ok();
    V3::stamped(
        &harness,
        &caller,
        STS,
        "GetCallerIdentity",
        harness.now(),
        shared,
    )
    .send(&harness, &caller)
    .await
    .assert_error(400, "SignatureNonceUsed");
}

#[tokio::test]
async fn a_malformed_authorization_is_an_incomplete_signature() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    let request = V3::new(&harness, &caller, STS, "GetCallerIdentity");
    let signed = request.sign(&caller.secret);

    for authorization in [
        "ACS3-HMAC-SHA256".to_owned(),
        format!("ACS3-HMAC-SHA256 Credential={}", caller.key_id),
        format!(
            "ACS3-HMAC-SHA256 Credential={},Signature={}",
            caller.key_id, signed.signature
        ),
        format!(
            "ACS3-HMAC-SHA256 Credential=,SignedHeaders={},Signature={}",
            signed.signed_headers, signed.signature
        ),
    ] {
        request
            .send_with(&harness, &authorization)
            .await
            .assert_error(400, "IncompleteSignature");
    }
    let sm3 = signed
        .authorization(&caller.key_id)
        .replace("ACS3-HMAC-SHA256", "ACS3-HMAC-SM3");
    request
        .send_with(&harness, &sm3)
        .await
        .assert_error(400, "InvalidSignatureMethod");
}

#[tokio::test]
async fn missing_action_unknown_action_unknown_key_and_missing_hash() {
    let harness = Harness::demo().await;
    let caller = harness.caller();

    let mut no_action = V3::new(&harness, &caller, RAM, "ListUsers");
    no_action.headers.retain(|(name, _)| name != "x-acs-action");
    let reply = no_action.send(&harness, &caller).await;
    reply.assert_error(400, "MissingAction");

    let reply = V3::new(&harness, &caller, RAM, "DeleteEverything")
        .send(&harness, &caller)
        .await;
    reply.assert_error(404, "InvalidAction.NotFound");

    let stranger = Signer {
        key_id: "LTAI5tNoSuchKey0000000000".to_owned(),
        secret: "whatever".to_owned(),
    };
    V3::new(&harness, &stranger, STS, "GetCallerIdentity")
        .send(&harness, &stranger)
        .await
        .assert_error(404, "InvalidAccessKeyId.NotFound");

    let mut no_hash = V3::new(&harness, &caller, STS, "GetCallerIdentity");
    no_hash
        .headers
        .retain(|(name, _)| name != "x-acs-content-sha256");
    no_hash
        .send(&harness, &caller)
        .await
        .assert_error(400, "MissingContentSha256");
}

#[tokio::test]
async fn the_action_runs_as_under_one_point_zero() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    let name = "v3-created-user";
    let created = V3::new(&harness, &caller, RAM, "CreateUser")
        .query(&[("UserName", name), ("DisplayName", "V3 user")])
        .send(&harness, &caller)
        .await
        .ok();
    assert_eq!(created["User"]["UserName"], name);
    assert!(harness.sandbox.account_snapshot().user(name).is_some());

    V3::new(&harness, &caller, RAM, "CreateUser")
        .query(&[("UserName", name)])
        .send(&harness, &caller)
        .await
        .assert_error(409, "EntityAlreadyExists.User");
}

#[tokio::test]
async fn permissions_are_checked_on_the_service_the_v3_headers_name() {
    let harness = Harness::demo().await;
    let caller = harness.caller();
    let name = "v3-no-grants";
    V3::new(&harness, &caller, RAM, "CreateUser")
        .query(&[("UserName", name)])
        .send(&harness, &caller)
        .await
        .ok();
    let created = V3::new(&harness, &caller, RAM, "CreateAccessKey")
        .query(&[("UserName", name)])
        .send(&harness, &caller)
        .await
        .ok();
    let bare = Signer {
        key_id: created["AccessKey"]["AccessKeyId"]
            .as_str()
            .unwrap()
            .to_owned(),
        secret: created["AccessKey"]["AccessKeySecret"]
            .as_str()
            .unwrap()
            .to_owned(),
    };

    // STS's GetCallerIdentity needs no permission; RAM's ListUsers does.
    let identity = V3::new(&harness, &bare, STS, "GetCallerIdentity")
        .send(&harness, &bare)
        .await
        .ok();
    assert!(
        identity["Arn"]
            .as_str()
            .unwrap()
            .ends_with(":user/v3-no-grants")
    );
    let refused = V3::new(&harness, &bare, RAM, "ListUsers")
        .send(&harness, &bare)
        .await;
    refused.assert_error(403, "NoPermission");
    assert!(
        refused.message().contains("ram:ListUsers"),
        "{}",
        refused.message()
    );
}
