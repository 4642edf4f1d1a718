//! Signature 1.0 against Alibaba's published vectors and the failure cases in
//! `../shared/cases` (BC-01, BC-03, BC-05, BC-16). Every intermediate string is
//! checked where the source gives it.

use ramkey::cloud::sign::{
    HttpMethod, RequestStamp, canonical_query, common_params, percent_encode, sign,
};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

const N1: &str = "11111111-1111-4111-8111-111111111111";
const N3: &str = "33333333-3333-4333-8333-333333333333";
const N5: &str = "55555555-5555-4555-8555-555555555555";

/// The fixed RAM parameters of the case files, plus the given ones.
fn ram_params(nonce: &str, timestamp: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut params = pairs(&[
        ("AccessKeyId", "testid"),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", nonce),
        ("SignatureVersion", "1.0"),
        ("Timestamp", timestamp),
        ("Version", "2015-05-01"),
    ]);
    params.extend(pairs(extra));
    params
}

const TS: &str = "2024-01-02T03:04:05Z";

#[test]
fn vector_a_ims_create_user_official_doc() {
    let params = pairs(&[
        ("AccessKeyId", "testid"),
        ("Action", "CreateUser"),
        ("DisplayName", "test"),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", "3f6b4e80-56f7-11eb-a256-a9f756ea7e85"),
        ("SignatureVersion", "1.0"),
        ("Timestamp", "2021-01-15T06:02:28Z"),
        ("UserPrincipalName", "test@example.onaliyun.com"),
        ("Version", "2019-08-15"),
    ]);
    let signed = sign(HttpMethod::Get, &params, "testsecret");
    assert_eq!(
        signed.canonical_query,
        "AccessKeyId=testid&Action=CreateUser&DisplayName=test&Format=JSON&SignatureMethod=HMAC-SHA1&SignatureNonce=3f6b4e80-56f7-11eb-a256-a9f756ea7e85&SignatureVersion=1.0&Timestamp=2021-01-15T06%3A02%3A28Z&UserPrincipalName=test%40example.onaliyun.com&Version=2019-08-15"
    );
    assert_eq!(
        signed.string_to_sign,
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DCreateUser%26DisplayName%3Dtest%26Format%3DJSON%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3f6b4e80-56f7-11eb-a256-a9f756ea7e85%26SignatureVersion%3D1.0%26Timestamp%3D2021-01-15T06%253A02%253A28Z%26UserPrincipalName%3Dtest%2540example.onaliyun.com%26Version%3D2019-08-15"
    );
    assert_eq!(signed.signature, "02heLegtw4+BFamznl1Ltj+vJ4A=");
    assert!(
        signed
            .wire_query()
            .ends_with("&Signature=02heLegtw4%2BBFamznl1Ltj%2BvJ4A%3D")
    );
}

#[test]
fn vector_b_ecs_describe_regions_classic() {
    let params = pairs(&[
        ("AccessKeyId", "testid"),
        ("Action", "DescribeRegions"),
        ("Format", "XML"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
        ("SignatureVersion", "1.0"),
        ("Timestamp", "2016-02-23T12:46:24Z"),
        ("Version", "2014-05-26"),
    ]);
    let signed = sign(HttpMethod::Get, &params, "testsecret");
    assert_eq!(
        signed.string_to_sign,
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
    );
    assert_eq!(signed.signature, "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
}

#[test]
fn vector_c_sms_utf8_and_json_value() {
    let params = pairs(&[
        ("AccessKeyId", "testId"),
        ("Action", "SendSms"),
        ("Format", "XML"),
        ("OutId", "123"),
        ("PhoneNumbers", "15300000001"),
        ("RegionId", "cn-hangzhou"),
        ("SignName", "阿里云短信测试专用"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
        ("SignatureVersion", "1.0"),
        ("TemplateCode", "SMS_71390007"),
        ("TemplateParam", "{\"customer\":\"test\"}"),
        ("Timestamp", "2017-07-12T02:42:19Z"),
        ("Version", "2017-05-25"),
    ]);
    let signed = sign(HttpMethod::Get, &params, "testSecret");
    assert!(signed.string_to_sign.contains("SignName%3D%25E9%2598%25BF"));
    assert_eq!(signed.signature, "zJDF+Lrzhj/ThnlvIToysFRq6t4=");
}

#[test]
fn legacy_python_sdk_list_users_post_golden() {
    // aliyun-python-sdk-core 2.16.1 with fixed clock and nonce (API facts §9.1).
    let params = pairs(&[
        ("MaxItems", "100"),
        ("Version", "2015-05-01"),
        ("Action", "ListUsers"),
        ("Format", "JSON"),
        ("RegionId", "cn-hangzhou"),
        ("Timestamp", "2016-02-23T12:46:24Z"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureType", ""),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
        ("AccessKeyId", "testid"),
    ]);
    let signed = sign(HttpMethod::Post, &params, "testsecret");
    assert_eq!(
        signed.string_to_sign,
        "POST&%2F&AccessKeyId%3Dtestid%26Action%3DListUsers%26Format%3DJSON%26MaxItems%3D100%26RegionId%3Dcn-hangzhou%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureType%3D%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2015-05-01"
    );
    assert_eq!(signed.signature, "379KP2JRjChBka4xVQpqMXLOOz0=");
}

#[test]
fn darabonba_util_unit_vector() {
    let params = pairs(&[("query", "test"), ("body", "test")]);
    let signed = sign(HttpMethod::Get, &params, "secret");
    assert_eq!(signed.string_to_sign, "GET&%2F&body%3Dtest%26query%3Dtest");
    assert_eq!(signed.signature, "XlUyV4sXjOuX5FnjUz9IF9tm5rU=");
}

#[test]
fn bc01_1_rfc3986_set_in_marker() {
    let params = ram_params(
        N1,
        TS,
        &[
            ("Action", "ListUsers"),
            ("Marker", "a+b*c~d e"),
            ("MaxItems", "100"),
        ],
    );
    let signed = sign(HttpMethod::Get, &params, "testsecret");
    assert_eq!(
        signed.canonical_query,
        "AccessKeyId=testid&Action=ListUsers&Format=JSON&Marker=a%2Bb%2Ac~d%20e&MaxItems=100&SignatureMethod=HMAC-SHA1&SignatureNonce=11111111-1111-4111-8111-111111111111&SignatureVersion=1.0&Timestamp=2024-01-02T03%3A04%3A05Z&Version=2015-05-01"
    );
    assert_eq!(
        signed.string_to_sign,
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DListUsers%26Format%3DJSON%26Marker%3Da%252Bb%252Ac~d%2520e%26MaxItems%3D100%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D11111111-1111-4111-8111-111111111111%26SignatureVersion%3D1.0%26Timestamp%3D2024-01-02T03%253A04%253A05Z%26Version%3D2015-05-01"
    );
    assert_eq!(signed.signature, "yKXHEheqk7PkLBWJK1Bvgd/0B8I=");
    assert!(
        signed
            .wire_query()
            .ends_with("&Signature=yKXHEheqk7PkLBWJK1Bvgd%2F0B8I%3D")
    );
}

#[test]
fn bc01_2_reserved_punctuation_in_comments() {
    let params = ram_params(
        N1,
        TS,
        &[
            ("Action", "CreateUser"),
            ("UserName", "ops-bot"),
            ("Comments", "rotated (run 7)! it's ok"),
        ],
    );
    let signed = sign(HttpMethod::Get, &params, "testsecret");
    assert!(
        signed
            .canonical_query
            .contains("Comments=rotated%20%28run%207%29%21%20it%27s%20ok")
    );
    assert_eq!(signed.signature, "RY98SijWgFGx0S0FjurnH7U93OU=");
}

#[test]
fn bc01_3_empty_value_signed_as_name_equals() {
    let with_empty = ram_params(
        N1,
        TS,
        &[
            ("Action", "CreateUser"),
            ("UserName", "ops-bot"),
            ("Comments", ""),
        ],
    );
    let signed = sign(HttpMethod::Get, &with_empty, "testsecret");
    assert!(signed.canonical_query.contains("&Comments=&"));
    assert_eq!(signed.signature, "hrN+gdlC6agvkVWcdG0a8hve7Zc=");

    let omitted = ram_params(N1, TS, &[("Action", "CreateUser"), ("UserName", "ops-bot")]);
    assert_eq!(
        sign(HttpMethod::Get, &omitted, "testsecret").signature,
        "zBwBlKOfrL/CCtVMRph47IPpLUw="
    );
}

#[test]
fn bc01_4_sort_by_name_only() {
    let params = ram_params(
        N1,
        TS,
        &[("Action", "ListUsers"), ("Key.1", "x"), ("Key", "y")],
    );
    let signed = sign(HttpMethod::Get, &params, "testsecret");
    assert!(
        signed
            .canonical_query
            .contains("&Format=JSON&Key=y&Key.1=x&SignatureMethod=")
    );
    assert_eq!(signed.signature, "nEcQWOaK/VO/KnPEs/9qCoa/uYg=");
}

#[test]
fn bc01_5_post_changes_only_the_method() {
    let params = ram_params(
        N1,
        TS,
        &[
            ("Action", "ListUsers"),
            ("Marker", "a+b*c~d e"),
            ("MaxItems", "100"),
        ],
    );
    let get = sign(HttpMethod::Get, &params, "testsecret");
    let post = sign(HttpMethod::Post, &params, "testsecret");
    assert!(post.string_to_sign.starts_with("POST&%2F&"));
    assert_eq!(post.string_to_sign[4..], get.string_to_sign[3..]);
    assert_eq!(post.signature, "H131L4dxyCJBOLEkCUBv8p+v31w=");
    assert_eq!(
        post.wire_query(),
        format!(
            "{}&Signature=H131L4dxyCJBOLEkCUBv8p%2Bv31w%3D",
            post.canonical_query
        )
    );
}

#[test]
fn bc01_wrong_encoders_give_other_signatures() {
    // What broken encoders produce; the sandbox must reject these, so our
    // encoder must never produce them.
    assert_eq!(percent_encode("a+b*c~d e"), "a%2Bb%2Ac~d%20e");
    assert_eq!(percent_encode("中"), "%E4%B8%AD");
    assert_eq!(percent_encode("\"/:@=&"), "%22%2F%3A%40%3D%26");
}

#[test]
fn bc03_timestamp_utc_format_and_name() {
    let params = ram_params(N3, TS, &[("Action", "ListUsers")]);
    let signed = sign(HttpMethod::Get, &params, "testsecret");
    assert!(
        signed
            .canonical_query
            .contains("Timestamp=2024-01-02T03%3A04%3A05Z")
    );
    assert!(
        signed
            .string_to_sign
            .contains("Timestamp%3D2024-01-02T03%253A04%253A05Z")
    );
    assert_eq!(signed.signature, "poC3DgskBYkjdmGUaUaOPRlUoMA=");

    let local_as_z = ram_params(N3, "2024-01-02T11:04:05Z", &[("Action", "ListUsers")]);
    assert_eq!(
        sign(HttpMethod::Get, &local_as_z, "testsecret").signature,
        "sPe+3UQ+o7NFpNbbVTgadTJ/mBY="
    );
}

#[test]
fn bc03_common_params_spell_timestamp_exactly() {
    use chrono::TimeZone;
    let at = chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2024, 1, 2, 11, 4, 5)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let stamp = RequestStamp {
        access_key_id: "testid",
        security_token: None,
        timestamp: at,
        nonce: N3,
    };
    let mut params = common_params(stamp, "ListUsers", "2015-05-01");
    assert!(params.contains(&("Timestamp".to_owned(), TS.to_owned())));
    assert!(!params.iter().any(|(k, _)| k == "TimeStamp"));
    params.sort();
    assert_eq!(
        sign(HttpMethod::Get, &params, "testsecret").signature,
        "poC3DgskBYkjdmGUaUaOPRlUoMA="
    );
}

#[test]
fn bc05_security_token_is_signed_and_encoded() {
    let stamp = RequestStamp {
        access_key_id: "STS.testid",
        security_token: Some("CAIS+ab/cd=="),
        timestamp: chrono::DateTime::parse_from_rfc3339("2024-01-02T03:04:05Z")
            .unwrap()
            .into(),
        nonce: N5,
    };
    let params = common_params(stamp, "ListUsers", "2015-05-01");
    let signed = sign(HttpMethod::Get, &params, "stssecret");
    assert!(
        signed
            .canonical_query
            .contains("&Format=JSON&SecurityToken=CAIS%2Bab%2Fcd%3D%3D&SignatureMethod=")
    );
    assert!(
        signed
            .string_to_sign
            .contains("SecurityToken%3DCAIS%252Bab%252Fcd%253D%253D")
    );
    assert_eq!(signed.signature, "8JxgH/64NvqoohemfeDK5nAyt1Q=");
}

#[test]
fn bc16_secret_with_whitespace_signs_differently() {
    let params = ram_params(
        N1,
        TS,
        &[
            ("Action", "ListUsers"),
            ("Marker", "a+b*c~d e"),
            ("MaxItems", "100"),
        ],
    );
    assert_eq!(
        sign(HttpMethod::Get, &params, "testsecret\n").signature,
        "5NX7AmXJOkCITYglBcLjnV+f8nk="
    );
    assert_eq!(
        sign(HttpMethod::Get, &params, "testsecret ").signature,
        "rOnJyyrC+e8ON8Bb4iE/8a6R+IQ="
    );
}

#[test]
fn signature_pair_is_never_part_of_the_canonical_query() {
    let params = pairs(&[("B", "2"), ("Signature", "x"), ("A", "1")]);
    assert_eq!(canonical_query(&params), "A=1&B=2");
}

#[test]
fn arbitrary_values_never_panic_and_round_trip_their_bytes() {
    // A cheap property check without a property-testing crate: every byte
    // value in names and values encodes to the unreserved set or %XX.
    for byte in 0u8..=127 {
        let value = format!("v{}w", char::from(byte));
        let encoded = percent_encode(&value);
        assert!(
            encoded
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)),
            "byte {byte} encoded as {encoded}"
        );
        let _ = sign(HttpMethod::Post, &[(value.clone(), value)], "s");
    }
}

#[test]
fn debug_shows_neither_the_signature_nor_the_sts_token() {
    let params = ram_params(
        N1,
        TS,
        &[("Action", "ListUsers"), ("SecurityToken", "CAIS+ab/cd==")],
    );
    let signed = sign(HttpMethod::Post, &params, "testsecret");

    let debug = format!("{signed:?}");

    assert!(!debug.contains(&signed.signature), "{debug}");
    assert!(!debug.contains("CAIS"), "{debug}");
    assert!(debug.contains("Action=ListUsers"), "{debug}");
}
