//! What the client puts on the wire with `--signature v3`: POST with the
//! action's parameters in the query (exactly the canonical query), an empty
//! body whose hash is stated, action, version, time, nonce and STS token in
//! signed headers, and an `Authorization` a server recomputes from what it
//! received. Then a `SignatureDoesNotMatch` answer set beside ramkey's own.

mod support;

use ramkey::cloud::sign::HttpMethod;
use ramkey::cloud::sign_v3::{self, RequestToSign, SignedV3};
use ramkey::cloud::{Client, Credentials, SignatureVersion, Timeouts};
use ramkey::sandbox::MISMATCH_PREFIX;
use support::{NOW, Received, Reply, TestServer, permanent, temporary};

const LIST_USERS_LAST_PAGE: &str =
    r#"{"RequestId":"R-LIST","IsTruncated":false,"Users":{"User":[]}}"#;

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn v3_client(server: &TestServer, credentials: Credentials) -> Client {
    support::client_signing(
        server.endpoint(),
        credentials,
        Timeouts::default(),
        SignatureVersion::V3,
    )
}

/// The received request's headers, read the way a server reads them.
trait Headers {
    fn header(&self, name: &str) -> Option<&str>;
    fn authorization_part(&self, part: &str) -> String;
    fn query_pairs(&self) -> Vec<(String, String)>;
    fn recompute(&self, secret: &str) -> SignedV3;
}

impl Headers for Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }

    fn authorization_part(&self, part: &str) -> String {
        let value = self
            .header("authorization")
            .expect("an Authorization header");
        let rest = value
            .strip_prefix("ACS3-HMAC-SHA256 ")
            .expect("the V3 algorithm");
        rest.split(',')
            .find_map(|item| item.strip_prefix(&format!("{part}=")))
            .unwrap_or_else(|| panic!("no {part} in {value}"))
            .to_owned()
    }

    fn query_pairs(&self) -> Vec<(String, String)> {
        let query = self.query.clone().unwrap_or_default();
        query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                let decode = |raw: &str| {
                    percent_encoding::percent_decode_str(raw)
                        .decode_utf8()
                        .unwrap()
                        .into_owned()
                };
                (decode(name), decode(value))
            })
            .collect()
    }

    /// Signs what arrived, over the headers the request says it signed.
    fn recompute(&self, secret: &str) -> SignedV3 {
        let signed_names = self.authorization_part("SignedHeaders");
        let headers: Vec<(String, String)> = signed_names
            .split(';')
            .flat_map(|name| self.headers.iter().filter(move |(n, _)| n == name).cloned())
            .collect();
        sign_v3::sign(
            &RequestToSign {
                method: HttpMethod::Post,
                canonical_uri: &self.path,
                query: &self.query_pairs(),
                headers: &headers,
                hashed_payload: &sign_v3::sha256_hex(self.body.as_bytes()),
            },
            secret,
        )
    }
}

#[tokio::test]
async fn a_v3_call_is_a_post_with_the_params_in_the_query_and_signed_headers() {
    let server = TestServer::always(Reply::json(LIST_USERS_LAST_PAGE)).await;
    let client = v3_client(&server, permanent());

    client
        .list_users_page(Some("a+b*c~d e"), Some(100))
        .await
        .unwrap();

    let request = server.only_request();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/")
    );
    assert_eq!(
        request.query.as_deref(),
        Some("Marker=a%2Bb%2Ac~d%20e&MaxItems=100"),
        "the query is the canonical query, byte for byte"
    );
    assert_eq!(request.body, "", "the body is empty");
    assert_eq!(request.content_type, None);

    let endpoint_host = server.endpoint().trim_start_matches("http://");
    assert_eq!(request.header("host"), Some(endpoint_host));
    assert_eq!(request.header("x-acs-action"), Some("ListUsers"));
    assert_eq!(request.header("x-acs-version"), Some("2015-05-01"));
    assert_eq!(request.header("x-acs-date"), Some(NOW));
    assert_eq!(request.header("x-acs-content-sha256"), Some(EMPTY_SHA256));
    assert_eq!(request.header("x-acs-security-token"), None);
    assert_eq!(request.authorization_part("Credential"), "testid");
    assert_eq!(
        request.authorization_part("SignedHeaders"),
        "accept;host;x-acs-action;x-acs-content-sha256;x-acs-date;\
         x-acs-signature-nonce;x-acs-version"
    );

    // What a server recomputes from the bytes it received is what was sent.
    let recomputed = request.recompute("testsecret");
    assert_eq!(
        request.authorization_part("Signature"),
        recomputed.signature
    );
    assert!(
        recomputed
            .canonical_request
            .contains("\nMarker=a%2Bb%2Ac~d%20e&MaxItems=100\n"),
        "{}",
        recomputed.canonical_request
    );
}

#[tokio::test]
async fn no_common_one_point_zero_parameter_travels_and_each_call_gets_a_new_nonce() {
    let server = TestServer::always(Reply::json(LIST_USERS_LAST_PAGE)).await;
    let client = v3_client(&server, permanent());

    client.list_users_page(None, None).await.unwrap();
    client.list_users_page(None, None).await.unwrap();

    let requests = server.received();
    for request in &requests {
        assert_eq!(request.query, None, "ListUsers without parameters");
        assert_eq!(
            request.authorization_part("Signature"),
            request.recompute("testsecret").signature
        );
    }
    let nonces: Vec<_> = requests
        .iter()
        .map(|request| request.header("x-acs-signature-nonce").unwrap().to_owned())
        .collect();
    assert_ne!(nonces[0], nonces[1], "a nonce is never reused");
}

#[tokio::test]
async fn sts_credentials_send_the_token_in_a_signed_header_never_in_the_url() {
    let server = TestServer::always(Reply::json(LIST_USERS_LAST_PAGE)).await;
    let client = v3_client(&server, temporary());

    client.list_users_page(Some("m1"), None).await.unwrap();

    let request = server.only_request();
    assert_eq!(request.header("x-acs-security-token"), Some("CAIS+ab/cd=="));
    assert_eq!(request.header("x-acs-accesskey-id"), Some("STS.testid"));
    assert_eq!(request.query.as_deref(), Some("Marker=m1"));
    let signed = request.authorization_part("SignedHeaders");
    assert!(signed.contains("x-acs-accesskey-id;"), "{signed}");
    assert!(signed.ends_with(";x-acs-security-token;x-acs-signature-nonce;x-acs-version"));
    assert_eq!(
        request.authorization_part("Signature"),
        request.recompute("stssecret").signature
    );
}

#[tokio::test]
async fn a_mismatch_sets_the_servers_canonical_request_beside_ramkeys_own() {
    // The server quotes the same evidence the client signed: only the
    // secret can differ, and the hint says so.
    let server = TestServer::start(|request| {
        let evidence = request.recompute("the-servers-secret").evidence();
        Reply::error(
            400,
            "SignatureDoesNotMatch",
            &format!("{MISMATCH_PREFIX}{evidence}"),
        )
    })
    .await;
    let client = v3_client(&server, temporary());

    let error = client.list_users_page(None, None).await.unwrap_err();

    let api = error.api().expect("the service's error");
    let own = api.own_string_to_sign.as_deref().unwrap();
    // One line, as the server's text arrives (control characters become
    // spaces on the way in).
    assert!(own.starts_with("ACS3-HMAC-SHA256 "), "{own}");
    assert!(own.contains(" x-acs-action:ListUsers "), "{own}");
    assert!(!own.contains('\n'), "{own}");
    assert_eq!(api.server_string_to_sign(), Some(own));

    let hint = error.hint().unwrap();
    assert!(hint.contains("Both sides signed the same string"), "{hint}");
    let shown = format!("{error} {hint} {error:?}");
    assert!(!shown.contains("CAIS+ab/cd=="), "the token leaked: {shown}");
    assert!(!shown.contains("stssecret"), "{shown}");
}
