//! Role credentials end to end against the in-process sandbox on
//! 127.0.0.1: RamRoleArn and ChainableRamRoleArn profiles from a temporary
//! HOME assume the demo roles, a whole scan runs as the assumed role, the
//! provider renews before expiry on a fixed clock, and the sandbox refuses
//! expired, missing and mismatched tokens with their codes and hints.

mod credentials_support;
mod support;

use std::sync::Arc;

use chrono::Duration;
use credentials_support::{ACCOUNT, AUDITOR, Home, ROTATOR, Sandbox, start};
use ramkey::clock::{Clock, FixedClock};
use ramkey::cloud::credentials::{self, CredentialKind, Credentials, CredentialsProvider};
use ramkey::cloud::sts::AssumeRoleRequest;
use ramkey::cloud::{Client, ClientOptions, CloudError, Endpoints};
use ramkey::scan::{self, ScanOptions};
use ramkey::secret::Secret;
use support::{Reply, TestServer};

/// The demo caller's key as fixed credentials.
fn caller(sandbox: &Sandbox) -> CredentialsProvider {
    let credentials = Credentials::new(
        sandbox.caller_id(),
        Secret::new(sandbox.caller_secret()),
        None,
        "test",
    )
    .unwrap();
    CredentialsProvider::fixed(credentials).unwrap()
}

/// A profile of the sandbox's CLI config, resolved.
fn profile(sandbox: &Sandbox, home: &Home, name: &str) -> Client {
    home.cli_config(&sandbox.cli_config());
    let provider = sandbox.resolve(&home.lookup(&[]), Some(name));
    sandbox.client(provider)
}

#[tokio::test]
async fn a_ram_role_arn_profile_scans_the_account_as_the_assumed_role() {
    let sandbox = Sandbox::demo().await;
    let home = Home::new();
    let client = profile(&sandbox, &home, "rotator");

    let identity = client.get_caller_identity().await.unwrap();
    assert_eq!(identity.identity_type, "AssumedRoleUser");
    assert_eq!(
        identity.arn,
        format!("acs:ram::{ACCOUNT}:assumed-role/ramkey-rotator/rotation-2024")
    );
    assert_eq!(
        identity.principal_id.as_deref(),
        Some("300812944306152710:rotation-2024")
    );
    assert_eq!(identity.user_id, None);

    let report = client.credential_report();
    assert_eq!(report.kind, CredentialKind::RamRoleArn);
    assert_eq!(
        report.source,
        "profile `rotator` from ~/.aliyun/config.json"
    );
    assert!(report.access_key_id.as_deref().unwrap().starts_with("STS."));
    assert_eq!(report.expires_at, Some(start() + Duration::hours(1)));
    // The permanent key that assumes the role is the one ramkey must not retire.
    assert_eq!(client.access_key_id(), sandbox.caller_id());
    assert!(client.uses_temporary_credentials());

    let options = ScanOptions::per_user(90, sandbox.clock.now());
    let scanned = scan::run(&client, &options, &scan::Quiet).await.unwrap();
    assert_eq!(scanned.users_scanned, 33);
    assert_eq!(scanned.flagged.len(), 6);
}

#[tokio::test]
async fn a_chained_profile_assumes_its_role_with_the_source_roles_credentials() {
    let sandbox = Sandbox::demo().await;
    let home = Home::new();
    let client = profile(&sandbox, &home, "auditor");

    let identity = client.get_caller_identity().await.unwrap();
    assert_eq!(
        identity.arn,
        format!("acs:ram::{ACCOUNT}:assumed-role/ramkey-auditor/audit")
    );
    assert_eq!(
        client.credential_report().kind,
        CredentialKind::ChainableRamRoleArn
    );
    assert_eq!(client.access_key_id(), sandbox.caller_id());
}

#[tokio::test]
async fn a_role_that_does_not_trust_the_caller_is_refused_with_advice() {
    let sandbox = Sandbox::demo().await;
    let home = Home::new();
    // ramkey-auditor trusts only ramkey-rotator sessions, not the user.
    let config = sandbox.cli_config().replace(ROTATOR, AUDITOR);
    home.cli_config(&config);
    let client = sandbox.client(sandbox.resolve(&home.lookup(&[]), Some("rotator")));

    let error = client.get_caller_identity().await.unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, CloudError::Credentials(_)), "{error:?}");
    for needle in [
        "cannot assume role acs:ram::5123874409316254:role/ramkey-auditor for profile `rotator` \
         from ~/.aliyun/config.json",
        "AssumeRole was refused: NoPermission",
        "the role's trust policy must name the identity that assumes it",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in {text}");
    }
    assert!(!text.contains(&sandbox.caller_secret()), "{text}");
}

#[tokio::test]
async fn role_credentials_are_renewed_before_they_expire() {
    let sandbox = Sandbox::demo().await;
    let home = Home::new();
    let client = profile(&sandbox, &home, "rotator");

    client.get_caller_identity().await.unwrap();
    let first = client.credential_report();

    sandbox.advance(Duration::minutes(54));
    client.get_caller_identity().await.unwrap();
    assert_eq!(client.credential_report(), first, "plenty of time left");

    sandbox.advance(Duration::minutes(2));
    client.get_caller_identity().await.unwrap();
    let second = client.credential_report();
    assert_ne!(second.access_key_id, first.access_key_id);
    assert_eq!(
        second.expires_at,
        Some(start() + Duration::minutes(56) + Duration::hours(1))
    );

    // Past the first token's expiry the session goes on with the second.
    sandbox.advance(Duration::minutes(10));
    let identity = client.get_caller_identity().await.unwrap();
    assert_eq!(identity.identity_type, "AssumedRoleUser");
    assert_eq!(
        client.credential_report().access_key_id,
        second.access_key_id
    );
}

/// STS credentials for ramkey-rotator, fetched by hand.
async fn assumed(sandbox: &Sandbox, duration_seconds: u32) -> Credentials {
    let client = sandbox.client(caller(sandbox));
    let request = AssumeRoleRequest {
        role_arn: ROTATOR.to_owned(),
        session_name: "by-hand".to_owned(),
        duration_seconds,
        policy: None,
        external_id: None,
    };
    let role = client.assume_role(&request, "test").await.unwrap();
    assert_eq!(
        role.expiration,
        sandbox.clock.now() + Duration::seconds(900)
    );
    assert_eq!(
        role.arn,
        format!("acs:ram::{ACCOUNT}:role/ramkey-rotator/by-hand")
    );
    role.credentials
}

#[tokio::test]
async fn an_expired_static_token_is_refused_with_a_hint_to_get_fresh_credentials() {
    let sandbox = Sandbox::demo().await;
    let credentials = assumed(&sandbox, 900).await;
    let token = credentials.security_token.clone().unwrap();
    let secret = credentials.secret.clone();
    let client = sandbox.client(CredentialsProvider::fixed(credentials).unwrap());
    client.get_caller_identity().await.unwrap();

    sandbox.advance(Duration::seconds(900));
    let error = client.get_caller_identity().await.unwrap_err();

    let api = error.api().expect("the service's error envelope");
    assert_eq!(
        (api.http_status, api.code.as_str()),
        (400, "InvalidSecurityToken.Expired")
    );
    assert_eq!(api.message, "Specified SecurityToken is expired.");
    let hint = error.hint().unwrap();
    assert!(hint.contains("get fresh STS credentials"), "{hint}");
    assert!(
        hint.contains("resumes at the step where it stopped"),
        "{hint}"
    );
    let text = format!("{error} {error:?} {hint}");
    assert!(!text.contains(token.expose()) && !text.contains(secret.expose()));
}

#[tokio::test]
async fn missing_mismatched_and_unknown_tokens_are_refused() {
    let sandbox = Sandbox::demo().await;
    let one = assumed(&sandbox, 900).await;
    let other = assumed(&sandbox, 900).await;

    let code = |credentials: Credentials| {
        let client = sandbox.client(CredentialsProvider::fixed(credentials).unwrap());
        async move {
            let error = client.get_caller_identity().await.unwrap_err();
            let api = error.api().unwrap().clone();
            (api.http_status, api.code, error.hint())
        }
    };
    let without_token =
        Credentials::new(&one.access_key_id, one.secret.clone(), None, "t").unwrap();
    let (status, missing, hint) = code(without_token).await;
    assert_eq!((status, missing.as_str()), (400, "MissingSecurityToken"));
    assert!(hint.unwrap().contains("needs its security token"));

    let swapped = Credentials::new(
        &one.access_key_id,
        one.secret.clone(),
        other.security_token.clone(),
        "t",
    )
    .unwrap();
    let (status, mismatch, _) = code(swapped).await;
    assert_eq!(
        (status, mismatch.as_str()),
        (400, "InvalidSecurityToken.MismatchWithAccessKey")
    );

    let unknown = Credentials::new(
        "STS.NoSuchSession",
        one.secret.clone(),
        one.security_token,
        "t",
    )
    .unwrap();
    let (status, not_found, _) = code(unknown).await;
    assert_eq!(
        (status, not_found.as_str()),
        (404, "InvalidAccessKeyId.NotFound")
    );
}

#[tokio::test]
async fn assume_role_parameters_are_checked_by_the_sandbox() {
    let sandbox = Sandbox::demo().await;
    let client = sandbox.client(caller(&sandbox));
    let request =
        |arn: &str, session: &str, duration: u32, policy: Option<&str>| AssumeRoleRequest {
            role_arn: arn.to_owned(),
            session_name: session.to_owned(),
            duration_seconds: duration,
            policy: policy.map(str::to_owned),
            external_id: None,
        };
    for (request, code) in [
        (
            request(ROTATOR, "ok", 3601, None),
            "InvalidParameter.DurationSeconds",
        ),
        (
            request(ROTATOR, "ok", 899, None),
            "InvalidParameter.DurationSeconds",
        ),
        (
            request(ROTATOR, "x", 900, None),
            "InvalidParameter.RoleSessionName",
        ),
        (
            request("acs:ram::1:user/u", "ok", 900, None),
            "InvalidParameter.RoleArn",
        ),
        (
            request("acs:ram::5123874409316254:role/nope", "ok", 900, None),
            "EntityNotExist.Role",
        ),
        (
            request(ROTATOR, "ok", 900, Some("{not json")),
            "InvalidParameter.PolicyGrammar",
        ),
    ] {
        let error = client.assume_role(&request, "t").await.unwrap_err();
        assert_eq!(error.code(), Some(code), "{request:?}: {error}");
    }
    let narrowed = request(
        ROTATOR,
        "ok",
        900,
        Some(
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:List*","Resource":"*"}]}"#,
        ),
    );
    assert!(client.assume_role(&narrowed, "t").await.is_ok());
}

#[tokio::test]
async fn a_token_the_server_calls_expired_is_renewed_for_the_next_call() {
    // ramkey's clock runs ten minutes behind the sandbox's, so the sandbox
    // expires the token while ramkey still thinks it has time.
    let sandbox = Sandbox::demo().await;
    let home = Home::new();
    home.cli_config(&sandbox.cli_config().replace("3600", "900"));
    let behind = FixedClock::new(start() - Duration::minutes(10));
    let clock: Arc<dyn Clock> = Arc::new(behind.clone());
    let provider = credentials::resolve(
        &home.lookup(&[]),
        Some("rotator"),
        &sandbox.endpoints(),
        Arc::clone(&clock),
    )
    .unwrap();
    let client = Client::with_provider(
        sandbox.endpoints(),
        Arc::new(provider),
        clock,
        ClientOptions::default(),
    )
    .unwrap();
    client.get_caller_identity().await.unwrap();
    let first = client.credential_report().access_key_id;

    sandbox.advance(Duration::minutes(16));
    behind.set(behind.now() + Duration::minutes(16));
    let error = client.get_caller_identity().await.unwrap_err();
    assert_eq!(error.code(), Some("InvalidSecurityToken.Expired"));

    client.get_caller_identity().await.unwrap();
    assert_ne!(client.credential_report().access_key_id, first);
}

#[tokio::test]
async fn assume_role_sends_the_profiles_session_duration_and_policy() {
    let assumed = r#"{"RequestId":"R-1","Credentials":{"AccessKeyId":"STS.fromserver",
        "AccessKeySecret":"stssecret","SecurityToken":"CAIS+ab/cd==","Expiration":"2024-01-02T04:04:05Z"},
        "AssumedRoleUser":{"Arn":"acs:ram::1:role/r/s","AssumedRoleId":"9:s"}}"#;
    let identity = r#"{"RequestId":"R-2","AccountId":"1","Arn":"acs:ram::1:assumed-role/r/s",
        "IdentityType":"AssumedRoleUser","PrincipalId":"9:s"}"#;
    let server = TestServer::start(move |received| match received.param("Action").as_deref() {
        Some("AssumeRole") => Reply::json(assumed),
        _ => Reply::json(identity),
    })
    .await;

    let home = Home::new();
    let policy =
        r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:List*","Resource":"*"}]}"#;
    home.ini(&format!(
        "[role]\ntype = ram_role_arn\naccess_key_id = LTAI-src\naccess_key_secret = srcsecret\n\
         role_arn = acs:ram::1:role/r\nrole_session_expiration = 1800\npolicy = {policy}\n\
         [plain]\ntype = ram_role_arn\naccess_key_id = LTAI-src\naccess_key_secret = srcsecret\n\
         role_arn = acs:ram::1:role/r\n"
    ));
    let endpoints = Endpoints::single(server.endpoint()).unwrap();
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(support::now()));
    let lookup = home.lookup(&[("USER", "alice")]);

    for profile in ["role", "plain"] {
        let provider =
            credentials::resolve(&lookup, Some(profile), &endpoints, Arc::clone(&clock)).unwrap();
        let client = Client::with_provider(
            endpoints.clone(),
            Arc::new(provider),
            Arc::clone(&clock),
            ClientOptions::default(),
        )
        .unwrap();
        client.get_caller_identity().await.unwrap();
    }

    let received = server.received();
    let actions: Vec<_> = received
        .iter()
        .map(|r| r.param("Action").unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "AssumeRole",
            "GetCallerIdentity",
            "AssumeRole",
            "GetCallerIdentity"
        ]
    );
    let role = &received[0];
    role.assert_signed_with("srcsecret");
    assert_eq!(role.param("AccessKeyId").as_deref(), Some("LTAI-src"));
    assert_eq!(role.param("SecurityToken"), None);
    assert_eq!(
        role.action_params(),
        support::pairs(&[
            ("DurationSeconds", "1800"),
            ("Policy", policy),
            ("RoleArn", "acs:ram::1:role/r"),
            ("RoleSessionName", "ramkey-alice"),
        ])
    );
    // The call after it signs with the STS credentials, token included.
    let call = &received[1];
    call.assert_signed_with("stssecret");
    assert_eq!(call.param("AccessKeyId").as_deref(), Some("STS.fromserver"));
    assert_eq!(call.param("SecurityToken").as_deref(), Some("CAIS+ab/cd=="));

    assert_eq!(
        received[2].action_params(),
        support::pairs(&[
            ("DurationSeconds", "3600"),
            ("RoleArn", "acs:ram::1:role/r"),
            ("RoleSessionName", "ramkey-alice"),
        ])
    );
}

#[tokio::test]
async fn the_key_that_assumes_the_role_counts_as_ramkeys_own_in_a_scan() {
    // billing-exporter may assume ramkey-rotator here, with the idle key
    // a scan would recommend disabling.
    let mut account = ramkey::sandbox::Account::demo();
    account.roles[0]
        .trusted_principals
        .push("user/billing-exporter".to_owned());
    let may_assume = account
        .user("ramkey-admin")
        .unwrap()
        .policies
        .iter()
        .find(|p| p.policy_name == "AliyunSTSAssumeRoleAccess")
        .unwrap()
        .clone();
    account
        .users
        .iter_mut()
        .find(|user| user.user_name == "billing-exporter")
        .unwrap()
        .policies
        .push(may_assume);
    let exporter = account.user("billing-exporter").unwrap();
    let key = exporter.access_keys[0].clone();
    let clock = FixedClock::new(start());
    let handle = ramkey::sandbox::start(
        "127.0.0.1:0".parse().unwrap(),
        account,
        Arc::new(clock.clone()),
    )
    .await
    .unwrap();
    let sandbox = Sandbox { handle, clock };

    let home = Home::new();
    let config = sandbox
        .cli_config()
        .replace(&sandbox.caller_id(), &key.access_key_id)
        .replace(&sandbox.caller_secret(), key.access_key_secret.expose());
    home.cli_config(&config);
    let client = sandbox.client(sandbox.resolve(&home.lookup(&[]), Some("rotator")));

    let options = ScanOptions::per_user(90, sandbox.clock.now());
    let scanned = scan::run(&client, &options, &scan::Quiet).await.unwrap();
    let finding = scanned
        .flagged
        .iter()
        .find(|finding| finding.user == "billing-exporter")
        .unwrap();
    assert_eq!(
        finding.ramkey_key().map(|k| k.id.as_str()),
        Some(key.access_key_id.as_str())
    );
}
