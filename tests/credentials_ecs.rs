//! The ECS instance RAM role against a metadata service played by a
//! 127.0.0.1 test server (never the real address): the IMDSv2 token first,
//! then the role name, then the credentials, whose `Code` must be `Success`;
//! the IMDSv1 fallback and its switch; the DISABLED switch; renewal.

mod credentials_support;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use credentials_support::{Home, ROTATOR, Sandbox, start};
use ramkey::clock::{Clock, FixedClock};
use ramkey::cloud::credentials::{self, CredentialKind, Credentials, CredentialsProvider};
use ramkey::cloud::sts::AssumeRoleRequest;
use ramkey::secret::Secret;

const TOKEN: &str = "AQAEAJk6fake-imds-token==";
const ROLES: &str = "/latest/meta-data/ram/security-credentials/";

/// One request as the metadata server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    method: String,
    path: String,
    token: Option<String>,
    ttl: Option<String>,
}

/// How the fake metadata service behaves.
#[derive(Clone)]
struct Behaviour {
    /// Answer to the token PUT: `None` gives 403 (IMDSv2 not offered).
    token: Option<&'static str>,
    code: &'static str,
    credentials: Credentials,
    expiration: DateTime<Utc>,
}

struct Metadata {
    url: reqwest::Url,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Metadata {
    async fn start(behaviour: Behaviour) -> Metadata {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let state = (behaviour, Arc::clone(&seen));
        let app = Router::new().fallback(answer).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Metadata {
            url: url.parse().unwrap(),
            seen,
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn paths(&self) -> Vec<String> {
        self.seen()
            .into_iter()
            .map(|s| format!("{} {}", s.method, s.path))
            .collect()
    }
}

async fn answer(
    State((behaviour, seen)): State<(Behaviour, Arc<Mutex<Vec<Seen>>>)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let path = uri.path().to_owned();
    seen.lock().unwrap().push(Seen {
        method: method.to_string(),
        path: path.clone(),
        token: header("x-aliyun-ecs-metadata-token"),
        ttl: header("x-aliyun-ecs-metadata-token-ttl-seconds"),
    });

    if method == Method::PUT && path == "/latest/api/token" {
        return match behaviour.token {
            Some(token) => token.into_response(),
            None => StatusCode::FORBIDDEN.into_response(),
        };
    }
    // When a token was offered, reads must carry it.
    if behaviour.token.is_some()
        && header("x-aliyun-ecs-metadata-token").as_deref() != behaviour.token
    {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    match path.strip_prefix(ROLES) {
        Some("") => "EcsRole\n".into_response(),
        Some("EcsRole") => {
            let creds = &behaviour.credentials;
            serde_json::json!({
                "AccessKeyId": creds.access_key_id,
                "AccessKeySecret": creds.secret.expose(),
                "Expiration": behaviour.expiration.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "SecurityToken": creds.security_token.as_ref().unwrap().expose(),
                "LastUpdated": "2024-01-02T03:04:05Z",
                "Code": behaviour.code,
            })
            .to_string()
            .into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

fn fake_credentials() -> Credentials {
    Credentials::new(
        "STS.ecs-1",
        Secret::new("ecssecret"),
        Some(Secret::new("CAIS+ecs/token==")),
        "metadata",
    )
    .unwrap()
}

fn behaviour(token: Option<&'static str>, code: &'static str) -> Behaviour {
    Behaviour {
        token,
        code,
        credentials: fake_credentials(),
        expiration: start() + Duration::hours(6),
    }
}

fn resolve_at(
    lookup: &credentials::Lookup,
    profile: Option<&str>,
    clock: &FixedClock,
) -> CredentialsProvider {
    let clock: Arc<dyn Clock> = Arc::new(clock.clone());
    credentials::resolve(lookup, profile, &credentials_support::nowhere(), clock).unwrap()
}

#[tokio::test]
async fn the_chain_falls_back_to_the_instance_role_and_signs_as_it() {
    let sandbox = Sandbox::demo().await;
    let caller = Credentials::new(
        sandbox.caller_id(),
        Secret::new(sandbox.caller_secret()),
        None,
        "test",
    )
    .unwrap();
    let request = AssumeRoleRequest {
        role_arn: ROTATOR.to_owned(),
        session_name: "i-instance".to_owned(),
        duration_seconds: 3600,
        policy: None,
        external_id: None,
    };
    let role = sandbox
        .client(CredentialsProvider::fixed(caller).unwrap())
        .assume_role(&request, "test")
        .await
        .unwrap();
    let metadata = Metadata::start(Behaviour {
        token: Some(TOKEN),
        code: "Success",
        credentials: role.credentials.clone(),
        expiration: role.expiration,
    })
    .await;

    let home = Home::new();
    let lookup = home.lookup(&[]).with_metadata_url(metadata.url.clone());
    let provider = sandbox.resolve(&lookup, None);
    assert_eq!(provider.kind(), CredentialKind::EcsRamRole);
    let client = sandbox.client(provider);

    let identity = client.get_caller_identity().await.unwrap();
    assert_eq!(
        identity.arn,
        "acs:ram::5123874409316254:assumed-role/ramkey-rotator/i-instance"
    );
    let seen = metadata.seen();
    assert_eq!(
        metadata.paths(),
        [
            "PUT /latest/api/token",
            "GET /latest/meta-data/ram/security-credentials/",
            "GET /latest/meta-data/ram/security-credentials/EcsRole",
        ]
    );
    assert_eq!(seen[0].ttl.as_deref(), Some("21600"));
    assert!(seen[1..].iter().all(|s| s.token.as_deref() == Some(TOKEN)));

    let report = client.credential_report();
    assert_eq!(
        report.source,
        format!(
            "from the ECS metadata service ({})",
            metadata.url.as_str().trim_end_matches('/')
        )
    );
    assert_eq!(report.expires_at, Some(role.expiration));
    assert_eq!(
        client.access_key_id(),
        "",
        "an instance role rests on no user's key"
    );
}

#[tokio::test]
async fn credentials_without_code_success_are_refused_with_what_was_looked_at() {
    let metadata = Metadata::start(behaviour(Some(TOKEN), "Failed")).await;
    let home = Home::new();
    let lookup = home.lookup(&[]).with_metadata_url(metadata.url.clone());
    let provider = resolve_at(&lookup, None, &FixedClock::new(start()));

    let text = provider.current().await.unwrap_err().to_string();
    for needle in [
        "no Alibaba Cloud credentials found",
        "environment: no ALIBABA_CLOUD_ACCESS_KEY_ID",
        "~/.aliyun/config.json: not present",
        "ECS metadata: http://127.0.0.1:",
        "the credentials of role EcsRole came with Code \"Failed\", not \"Success\"",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in {text}");
    }
    assert!(
        !text.contains("ecssecret") && !text.contains("CAIS"),
        "{text}"
    );
}

#[tokio::test]
async fn the_disabled_switch_means_the_service_is_never_asked() {
    let metadata = Metadata::start(behaviour(Some(TOKEN), "Success")).await;
    let home = Home::new();
    let lookup = home
        .lookup(&[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")])
        .with_metadata_url(metadata.url.clone());

    let text = credentials_support::resolve_error(&lookup, None);
    assert!(
        text.contains("ECS metadata: not asked (ALIBABA_CLOUD_ECS_METADATA_DISABLED=true)"),
        "{text}"
    );
    assert_eq!(metadata.seen(), []);
}

#[tokio::test]
async fn without_an_imdsv2_token_reads_go_plain_unless_imdsv1_is_disabled() {
    let metadata = Metadata::start(behaviour(None, "Success")).await;
    let home = Home::new();
    let clock = FixedClock::new(start());

    let lookup = home.lookup(&[]).with_metadata_url(metadata.url.clone());
    let credentials = resolve_at(&lookup, None, &clock).current().await.unwrap();
    assert_eq!(credentials.access_key_id, "STS.ecs-1");
    assert!(metadata.seen().iter().all(|s| s.token.is_none()));
    let reads = metadata.seen().len();

    let strict = home
        .lookup(&[("ALIBABA_CLOUD_IMDSV1_DISABLED", "true")])
        .with_metadata_url(metadata.url.clone());
    let text = resolve_at(&strict, None, &clock)
        .current()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("the IMDSv2 token request answered HTTP 403, and ALIBABA_CLOUD_IMDSV1_DISABLED=true forbids reading without one"),
        "{text}"
    );
    assert_eq!(
        metadata.seen().len(),
        reads + 1,
        "only the token was asked for"
    );
}

#[tokio::test]
async fn a_known_role_name_skips_the_listing() {
    let metadata = Metadata::start(behaviour(Some(TOKEN), "Success")).await;
    let home = Home::new();
    home.cli_config(
        r#"{"current":"ecs","profiles":[{"name":"ecs","mode":"EcsRamRole","ram_role_name":"EcsRole"}]}"#,
    );
    let clock = FixedClock::new(start());
    let lookup = home.lookup(&[]).with_metadata_url(metadata.url.clone());
    let provider = resolve_at(&lookup, None, &clock);
    assert_eq!(
        provider.source(),
        "profile `ecs` from ~/.aliyun/config.json"
    );
    provider.current().await.unwrap();

    let by_env = Home::new();
    let lookup = by_env
        .lookup(&[("ALIBABA_CLOUD_ECS_METADATA", "EcsRole")])
        .with_metadata_url(metadata.url.clone());
    resolve_at(&lookup, None, &clock).current().await.unwrap();

    let credential_reads = |paths: &[String]| {
        paths
            .iter()
            .filter(|p| p.ends_with("/security-credentials/EcsRole"))
            .count()
    };
    let paths = metadata.paths();
    assert_eq!(credential_reads(&paths), 2);
    assert!(
        !paths.iter().any(|p| p.ends_with("/security-credentials/")),
        "{paths:?}"
    );
}

#[tokio::test]
async fn instance_credentials_are_read_again_before_they_expire() {
    let metadata = Metadata::start(behaviour(Some(TOKEN), "Success")).await;
    let home = Home::new();
    let clock = FixedClock::new(start());
    let lookup = home.lookup(&[]).with_metadata_url(metadata.url.clone());
    let provider = resolve_at(&lookup, None, &clock);

    provider.current().await.unwrap();
    clock.set(start() + Duration::hours(5));
    provider.current().await.unwrap();
    let reads = |m: &Metadata| m.paths().iter().filter(|p| p.ends_with("/EcsRole")).count();
    assert_eq!(reads(&metadata), 1, "hours left: no new read");

    clock.set(start() + Duration::hours(6) - Duration::minutes(4));
    provider.current().await.unwrap();
    assert_eq!(reads(&metadata), 2, "four minutes left: read again");
}
