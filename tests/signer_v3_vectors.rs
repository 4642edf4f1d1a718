//! Signature V3 (`ACS3-HMAC-SHA256`) against the official vectors of the API
//! facts, §2: the RunInstances example of the V3 documentation and the
//! OpenAPI util unit test with a repeated header. Every intermediate the
//! sources give is checked, plus the ones that follow from them.

use chrono::{DateTime, Utc};
use ramkey::cloud::sign::{HttpMethod, RequestStamp};
use ramkey::cloud::sign_v3::{
    ALGORITHM, RequestToSign, canonical_headers, canonical_query, hmac_sha256_hex, rpc_headers,
    sha256_hex, sign, string_to_sign,
};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The official example: POST RunInstances to ecs.cn-shanghai, empty body.
fn run_instances_headers() -> Vec<(String, String)> {
    pairs(&[
        ("host", "ecs.cn-shanghai.aliyuncs.com"),
        ("x-acs-action", "RunInstances"),
        ("x-acs-version", "2014-05-26"),
        ("x-acs-date", "2023-10-26T10:22:32Z"),
        ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
        ("x-acs-content-sha256", EMPTY_SHA256),
    ])
}

fn run_instances_query() -> Vec<(String, String)> {
    pairs(&[
        (
            "ImageId",
            "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
        ),
        ("RegionId", "cn-shanghai"),
    ])
}

#[test]
fn official_run_instances_example_every_intermediate() {
    let headers = run_instances_headers();
    let query = run_instances_query();
    let signed = sign(
        &RequestToSign {
            method: HttpMethod::Post,
            canonical_uri: "/",
            query: &query,
            headers: &headers,
            hashed_payload: EMPTY_SHA256,
        },
        "YourAccessKeySecret",
    );

    assert_eq!(
        signed.canonical_request,
        "POST\n\
         /\n\
         ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n\
         host:ecs.cn-shanghai.aliyuncs.com\n\
         x-acs-action:RunInstances\n\
         x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
         x-acs-date:2023-10-26T10:22:32Z\n\
         x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n\
         x-acs-version:2014-05-26\n\
         \n\
         host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n\
         e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        signed.hashed_canonical_request,
        "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
    );
    assert_eq!(
        signed.string_to_sign,
        "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
    );
    assert_eq!(
        signed.signature,
        "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
    );
    assert_eq!(
        signed.authorization("YourAccessKeyId"),
        "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,\
         SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,\
         Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
    );
}

#[test]
fn official_example_does_not_depend_on_header_or_query_order() {
    let mut headers = run_instances_headers();
    headers.reverse();
    let mut query = run_instances_query();
    query.reverse();
    let signed = sign(
        &RequestToSign {
            method: HttpMethod::Post,
            canonical_uri: "/",
            query: &query,
            headers: &headers,
            hashed_payload: EMPTY_SHA256,
        },
        "YourAccessKeySecret",
    );
    assert_eq!(
        signed.signature,
        "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
    );
}

#[test]
fn the_steps_compose_to_the_official_signature() {
    assert_eq!(sha256_hex(b""), EMPTY_SHA256);
    let hashed = "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259";
    assert_eq!(string_to_sign(hashed), format!("{ALGORITHM}\n{hashed}"));
    // No `&` after the secret, unlike 1.0.
    assert_eq!(
        hmac_sha256_hex("YourAccessKeySecret", &string_to_sign(hashed)),
        "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
    );
}

/// OpenAPI util's unit test: GET `/`, query `test=ok`, `empty=""`, the
/// headers `x-acs-test: http` and `x-acs-TEST: https`, a given payload hash.
#[test]
fn sdk_unit_vector_with_a_repeated_header() {
    let headers = pairs(&[("x-acs-test", "http"), ("x-acs-TEST", "https")]);
    let query = pairs(&[("test", "ok"), ("empty", "")]);
    let payload = "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23";
    let signed = sign(
        &RequestToSign {
            method: HttpMethod::Get,
            canonical_uri: "/",
            query: &query,
            headers: &headers,
            hashed_payload: payload,
        },
        "secret",
    );

    assert_eq!(
        signed.canonical_request,
        format!("GET\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n{payload}")
    );
    assert_eq!(
        signed.hashed_canonical_request,
        "6c416f315497f25326e3f67e06370dbfce4d082b99aecdfc2411eeecd152f68f"
    );
    assert_eq!(signed.signed_headers, "x-acs-test");
    assert_eq!(
        signed.authorization("acesskey"),
        "ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,\
         Signature=d16b30a7699ae9e43875b13195b2f81bcc3ed10c14a9b5eb780e51619aa50be1"
    );
}

#[test]
fn repeated_header_values_are_sorted_whatever_their_order() {
    let forward = canonical_headers(&pairs(&[("x-acs-test", "http"), ("x-acs-TEST", "https")]));
    let backward = canonical_headers(&pairs(&[("X-ACS-TEST", "https"), ("x-acs-test", "http")]));
    assert_eq!(forward.block, "x-acs-test:http,https\n");
    assert_eq!(forward, backward);
}

#[test]
fn sdk_canonical_query_vector() {
    assert_eq!(
        canonical_query(&pairs(&[("test", " ~/*-+")])),
        "test=%20~%2F%2A-%2B"
    );
}

#[test]
fn canonical_query_sorts_by_name_only_and_keeps_empty_values() {
    // `Key.1` sorts after `Key` whatever the values (BC-01 vector 4's trap).
    let query = pairs(&[
        ("Key.1", "x"),
        ("Key", "y"),
        ("Marker", "a+b*c~d e"),
        ("E", ""),
    ]);
    assert_eq!(
        canonical_query(&query),
        "E=&Key=y&Key.1=x&Marker=a%2Bb%2Ac~d%20e"
    );
}

fn stamp_at(timestamp: DateTime<Utc>, security_token: Option<&str>) -> RequestStamp<'_> {
    RequestStamp {
        access_key_id: "STS.testid",
        security_token,
        timestamp,
        nonce: "3156853299f313e23d1673dc12e1703d",
    }
}

#[test]
fn rpc_headers_carry_the_stamp_and_the_token_only_when_there_is_one() {
    let at: DateTime<Utc> = "2023-10-26T10:22:32Z".parse().unwrap();
    let permanent = rpc_headers(
        "ram.aliyuncs.com",
        "ListUsers",
        "2015-05-01",
        stamp_at(at, None),
        EMPTY_SHA256,
    );
    assert_eq!(
        permanent,
        pairs(&[
            ("accept", "application/json"),
            ("host", "ram.aliyuncs.com"),
            ("x-acs-action", "ListUsers"),
            ("x-acs-content-sha256", EMPTY_SHA256),
            ("x-acs-date", "2023-10-26T10:22:32Z"),
            ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
            ("x-acs-version", "2015-05-01"),
        ])
    );

    let temporary = rpc_headers(
        "ram.aliyuncs.com",
        "ListUsers",
        "2015-05-01",
        stamp_at(at, Some("CAIS-token")),
        EMPTY_SHA256,
    );
    assert_eq!(temporary.len(), permanent.len() + 2);
    assert!(temporary.contains(&("x-acs-accesskey-id".to_owned(), "STS.testid".to_owned())));
    assert!(temporary.contains(&("x-acs-security-token".to_owned(), "CAIS-token".to_owned())));
}

/// The RunInstances vector rebuilt from `rpc_headers`: the same request
/// signed through the client's own header builder gives the official value.
#[test]
fn rpc_headers_reproduce_the_official_example_when_accept_is_left_out() {
    let at: DateTime<Utc> = "2023-10-26T10:22:32Z".parse().unwrap();
    let stamp = RequestStamp {
        access_key_id: "YourAccessKeyId",
        security_token: None,
        timestamp: at,
        nonce: "3156853299f313e23d1673dc12e1703d",
    };
    let headers: Vec<(String, String)> = rpc_headers(
        "ecs.cn-shanghai.aliyuncs.com",
        "RunInstances",
        "2014-05-26",
        stamp,
        EMPTY_SHA256,
    )
    .into_iter()
    .filter(|(name, _)| name != "accept")
    .collect();
    let query = run_instances_query();
    let signed = sign(
        &RequestToSign {
            method: HttpMethod::Post,
            canonical_uri: "/",
            query: &query,
            headers: &headers,
            hashed_payload: EMPTY_SHA256,
        },
        "YourAccessKeySecret",
    );
    assert_eq!(
        signed.signature,
        "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
    );
}

#[test]
fn evidence_is_the_string_to_sign_then_the_canonical_request() {
    let headers = run_instances_headers();
    let query = run_instances_query();
    let signed = sign(
        &RequestToSign {
            method: HttpMethod::Post,
            canonical_uri: "/",
            query: &query,
            headers: &headers,
            hashed_payload: EMPTY_SHA256,
        },
        "YourAccessKeySecret",
    );
    let evidence = signed.evidence();
    let (first, rest) = evidence.split_once('\n').unwrap();
    let (hash, canonical) = rest.split_once('\n').unwrap();
    assert_eq!(first, ALGORITHM);
    assert_eq!(hash, signed.hashed_canonical_request);
    assert_eq!(canonical, signed.canonical_request);
    assert_eq!(sha256_hex(canonical.as_bytes()), hash);
}
