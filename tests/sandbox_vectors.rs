//! The published vectors of cases bc-01 and bc-03 and API facts §9.1, sent to
//! the sandbox byte for byte: right signatures pass the gateway, the wrong
//! encoders' signatures are refused with the server's string to sign.
//!
//! The wire strings and signatures are typed out, not computed, so these
//! tests hold the sandbox to the published values rather than to ramkey's
//! own signer.

mod sandbox_support;

use chrono::{DateTime, Duration, Utc};
use ramkey::sandbox::MISMATCH_PREFIX;
use sandbox_support::{Harness, Transport, account_with_test_key};

/// bc-01 vector 1 on the wire, without the signature.
const VECTOR_1_QUERY: &str = "AccessKeyId=testid&Action=ListUsers&Format=JSON&Marker=a%2Bb%2Ac~d%20e&MaxItems=100&SignatureMethod=HMAC-SHA1&SignatureNonce=11111111-1111-4111-8111-111111111111&SignatureVersion=1.0&Timestamp=2024-01-02T03%3A04%3A05Z&Version=2015-05-01";

/// bc-01 vector 1, as the server must reconstruct it.
const VECTOR_1_STRING_TO_SIGN: &str = "GET&%2F&AccessKeyId%3Dtestid%26Action%3DListUsers%26Format%3DJSON%26Marker%3Da%252Bb%252Ac~d%2520e%26MaxItems%3D100%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D11111111-1111-4111-8111-111111111111%26SignatureVersion%3D1.0%26Timestamp%3D2024-01-02T03%253A04%253A05Z%26Version%3D2015-05-01";

/// bc-01 vector 2 without the signature; `Comments` encoded strictly.
const VECTOR_2_QUERY: &str = "AccessKeyId=testid&Action=CreateUser&Comments=rotated%20%28run%207%29%21%20it%27s%20ok&Format=JSON&SignatureMethod=HMAC-SHA1&SignatureNonce=11111111-1111-4111-8111-111111111111&SignatureVersion=1.0&Timestamp=2024-01-02T03%3A04%3A05Z&UserName=ops-bot&Version=2015-05-01";

/// bc-03 with nonce N3, without the signature.
const BC03_QUERY: &str = "AccessKeyId=testid&Action=ListUsers&Format=JSON&SignatureMethod=HMAC-SHA1&SignatureNonce=33333333-3333-4333-8333-333333333333&SignatureVersion=1.0&Timestamp=2024-01-02T03%3A04%3A05Z&Version=2015-05-01";

#[tokio::test]
async fn bc01_vector_1_passes_the_gateway_by_get_and_by_form_post() {
    let harness = Harness::with_test_key().await;
    let get = format!("{VECTOR_1_QUERY}&Signature=yKXHEheqk7PkLBWJK1Bvgd%2F0B8I%3D");
    // Past the signature check, ListUsers refuses a Marker it never issued.
    harness
        .send_raw(Transport::Get, &get)
        .await
        .assert_error(400, "InvalidParameter.Marker");

    // Vector 5: the same parameters as a form body, signed with POST.
    let harness = Harness::with_test_key().await;
    let form = format!("{VECTOR_1_QUERY}&Signature=H131L4dxyCJBOLEkCUBv8p%2Bv31w%3D");
    harness
        .send_raw(Transport::PostForm, &form)
        .await
        .assert_error(400, "InvalidParameter.Marker");
}

#[tokio::test]
async fn bc01_vector_1_wrong_encoders_are_refused_with_the_server_string_to_sign() {
    let harness = Harness::with_test_key().await;
    let cases = [
        // `~` sent as %7E and `*` left raw decode to the same Marker, so the
        // server's string to sign is the correct one.
        (
            VECTOR_1_QUERY.replace("c~d", "c%7Ed"),
            "E8b0JuYtR39M3AK1O%2BLEjaKbQoM%3D",
            VECTOR_1_STRING_TO_SIGN.to_owned(),
        ),
        (
            VECTOR_1_QUERY.replace("%2Ac", "*c"),
            "2OD4nU7C%2FsMC5%2Bq9nk%2FyjKzNw5w%3D",
            VECTOR_1_STRING_TO_SIGN.to_owned(),
        ),
        // A space sent as `+` decodes to a space, which the server signs as
        // %20: the client that signed it as `+` is refused.
        (
            VECTOR_1_QUERY.replace("d%20e", "d+e"),
            "ZTHMrdWMVue60QMdMeQPJfKbnXM%3D",
            VECTOR_1_STRING_TO_SIGN.to_owned(),
        ),
    ];
    for (query, signature, server_string_to_sign) in cases {
        let reply = harness
            .send_raw(Transport::Get, &format!("{query}&Signature={signature}"))
            .await;
        reply.assert_error(400, "SignatureDoesNotMatch");
        assert_eq!(
            reply.message(),
            format!("{MISMATCH_PREFIX}{server_string_to_sign}")
        );
    }
}

#[tokio::test]
async fn bc01_vector_2_strict_encoding_passes_and_encode_uri_component_does_not() {
    let harness = Harness::with_test_key().await;
    let loose = VECTOR_2_QUERY
        .replace("%28", "(")
        .replace("%29", ")")
        .replace("%21", "!")
        .replace("%27", "'");
    let reply = harness
        .send_raw(
            Transport::Get,
            &format!("{loose}&Signature=bUuNUCQPhb09zL%2FhnGKw727SS8E%3D"),
        )
        .await;
    reply.assert_error(400, "SignatureDoesNotMatch");

    let strict = format!("{VECTOR_2_QUERY}&Signature=RY98SijWgFGx0S0FjurnH7U93OU%3D");
    let created = harness.send_raw(Transport::Get, &strict).await.ok();
    assert_eq!(created["User"]["Comments"], "rotated (run 7)! it's ok");
}

#[tokio::test]
async fn bc01_vector_3_an_empty_value_may_be_signed_or_omitted() {
    let signed_empty = VECTOR_2_QUERY.replace(
        "Comments=rotated%20%28run%207%29%21%20it%27s%20ok",
        "Comments=",
    );
    let omitted = signed_empty.replace("Comments=&", "");
    for (query, signature) in [
        (signed_empty, "hrN%2BgdlC6agvkVWcdG0a8hve7Zc%3D"),
        (omitted, "zBwBlKOfrL%2FCCtVMRph47IPpLUw%3D"),
    ] {
        let harness = Harness::with_test_key().await;
        let created = harness
            .send_raw(Transport::Get, &format!("{query}&Signature={signature}"))
            .await
            .ok();
        assert_eq!(created["User"]["UserName"], "ops-bot");
        assert_eq!(created["User"]["Comments"], "");
    }
}

#[tokio::test]
async fn bc03_timestamps_name_format_and_window() {
    let harness = Harness::with_test_key().await;

    let misspelled = BC03_QUERY.replace("&Timestamp=", "&TimeStamp=");
    let reply = harness
        .send_raw(
            Transport::Get,
            &format!("{misspelled}&Signature=ZAylvgcSGTUoCR9TIWlIDMh4OT4%3D"),
        )
        .await;
    reply.assert_error(400, "MissingTimestamp");

    let local_as_utc = BC03_QUERY.replace("T03%3A04", "T11%3A04");
    let reply = harness
        .send_raw(
            Transport::Get,
            &format!("{local_as_utc}&Signature=sPe%2B3UQ%2Bo7NFpNbbVTgadTJ%2FmBY%3D"),
        )
        .await;
    reply.assert_error(400, "InvalidTimeStamp.Expired");
    assert_eq!(reply.headers["date"], "Tue, 02 Jan 2024 03:04:30 GMT");

    let correct = format!("{BC03_QUERY}&Signature=poC3DgskBYkjdmGUaUaOPRlUoMA%3D");
    harness.send_raw(Transport::Get, &correct).await.ok();
}

#[tokio::test]
async fn bc03_a_skewed_sandbox_clock_refuses_a_correct_request() {
    let harness = Harness::with_test_key().await;
    harness.advance(Duration::minutes(20));
    let correct = format!("{BC03_QUERY}&Signature=poC3DgskBYkjdmGUaUaOPRlUoMA%3D");
    let reply = harness.send_raw(Transport::Get, &correct).await;
    reply.assert_error(400, "InvalidTimeStamp.Expired");
    assert_eq!(reply.headers["date"], "Tue, 02 Jan 2024 03:24:30 GMT");
}

#[tokio::test]
async fn the_legacy_sdk_golden_request_is_accepted() {
    // API facts §9.1: aliyun-python-sdk-core's ListUsers, POST with every
    // parameter in the query, RegionId and an empty SignatureType included.
    let harness = Harness::with_account(account_with_test_key()).await;
    let sdk_time: DateTime<Utc> = "2016-02-23T12:46:24Z".parse().unwrap();
    harness.clock.set(sdk_time + Duration::seconds(3));
    let query = "MaxItems=100&Version=2015-05-01&Action=ListUsers&Format=JSON&RegionId=cn-hangzhou&Timestamp=2016-02-23T12%3A46%3A24Z&SignatureMethod=HMAC-SHA1&SignatureType=&SignatureVersion=1.0&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&AccessKeyId=testid&Signature=379KP2JRjChBka4xVQpqMXLOOz0%3D";
    let body = harness.send_raw(Transport::PostQuery, query).await.ok();
    let users = body["Users"]["User"].as_array().unwrap();
    assert_eq!(users.len(), 10, "the demo's page cap");
}
