//! The credentials chain without the network: the environment (with the
//! ALICLOUD_* aliases), the aliyun CLI's config.json and the INI file in a
//! temporary HOME, each mode with good and bad inputs, the chain's order and
//! profile selection. Role and ECS profiles are only resolved here (nothing
//! is fetched); credentials_sandbox.rs and credentials_ecs.rs fetch them.

mod credentials_support;

use credentials_support::{Home, lookup, resolve, resolve_error};
use ramkey::cloud::credentials::CredentialKind;

const ENV_PAIR: [(&str, &str); 2] = [
    ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-env"),
    ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
];

const CLI: &str = r#"{
  "current": "default",
  "meta_path": "",
  "profiles": [
    {"name": "default", "mode": "AK", "access_key_id": "LTAI-cli", "access_key_secret": "cli-secret",
     "region_id": "cn-hangzhou", "output_format": "json", "language": "en"},
    {"name": "prod", "mode": "AK", "access_key_id": "LTAI-prod", "access_key_secret": "prod-secret"},
    {"name": "sts", "mode": "StsToken", "access_key_id": "STS.cli", "access_key_secret": "sts-secret",
     "sts_token": "CAIS+ab/cd=="},
    {"name": "role", "mode": "RamRoleArn", "access_key_id": "LTAI-role-src", "access_key_secret": "s",
     "ram_role_arn": "acs:ram::5123874409316254:role/ramkey-rotator", "ram_session_name": "rotator",
     "expired_seconds": 900},
    {"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "role",
     "ram_role_arn": "acs:ram::5123874409316254:role/ramkey-auditor"},
    {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "EcsRole"}
  ]
}"#;

const INI: &str = "\
# ramkey test credentials
[default]
type = access_key                # a permanent key
access_key_id = LTAI-ini
access_key_secret = ini-secret

[prod]
type = access_key
access_key_id = LTAI-ini-prod
access_key_secret = \"ini-prod-secret\"

[role]
type = ram_role_arn
access_key_id = LTAI-ini-role-src
access_key_secret = s
role_arn = acs:ram::5123874409316254:role/ramkey-rotator
role_session_name = from-ini
role_session_expiration = 1800
policy = {\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ram:List*\",\"Resource\":\"*\"}]}

[ecs]
type = ecs_ram_role
role_name = EcsRole
";

async fn key_id(provider: &ramkey::cloud::credentials::CredentialsProvider) -> String {
    provider.current().await.unwrap().access_key_id.clone()
}

#[tokio::test]
async fn the_environment_comes_first() {
    let home = Home::new();
    home.cli_config(CLI);
    home.ini(INI);
    let provider = resolve(&home.lookup(&ENV_PAIR), None).unwrap();

    assert_eq!(key_id(&provider).await, "LTAI-env");
    assert_eq!(provider.kind(), CredentialKind::AccessKey);
    assert_eq!(
        provider.source(),
        "from the environment (ALIBABA_CLOUD_ACCESS_KEY_ID)"
    );
}

#[tokio::test]
async fn terraform_and_cli_aliases_work_and_are_named() {
    let home = Home::new();
    for (vars, id, named) in [
        (
            [
                ("ALICLOUD_ACCESS_KEY", "LTAI-tf"),
                ("ALICLOUD_SECRET_KEY", "tf"),
            ],
            "LTAI-tf",
            "ALICLOUD_ACCESS_KEY",
        ),
        (
            [
                ("ALICLOUD_ACCESS_KEY_ID", "LTAI-ali"),
                ("ALICLOUD_ACCESS_KEY_SECRET", "ali"),
            ],
            "LTAI-ali",
            "ALICLOUD_ACCESS_KEY_ID",
        ),
        (
            [
                ("ALIBABACLOUD_ACCESS_KEY_ID", "LTAI-abc"),
                ("ALIBABACLOUD_ACCESS_KEY_SECRET", "abc"),
            ],
            "LTAI-abc",
            "ALIBABACLOUD_ACCESS_KEY_ID",
        ),
    ] {
        let provider = resolve(&home.lookup(&vars), None).unwrap();
        assert_eq!(key_id(&provider).await, id);
        assert!(provider.source().contains(named), "{}", provider.source());
    }
}

#[tokio::test]
async fn an_sts_token_in_the_environment_is_a_static_token() {
    let home = Home::new();
    let vars = [
        ("ALICLOUD_ACCESS_KEY", "STS.tf"),
        ("ALICLOUD_SECRET_KEY", "tf"),
        ("ALICLOUD_SECURITY_TOKEN", "CAIS+ab/cd=="),
    ];
    let provider = resolve(&home.lookup(&vars), None).unwrap();
    assert_eq!(provider.kind(), CredentialKind::StsToken);
    let credentials = provider.current().await.unwrap();
    assert_eq!(
        credentials.security_token.as_ref().unwrap().expose(),
        "CAIS+ab/cd=="
    );
}

#[tokio::test]
async fn without_the_environment_the_cli_current_profile_wins_over_the_ini_file() {
    let home = Home::new();
    home.cli_config(CLI);
    home.ini(INI);
    let provider = resolve(&home.lookup(&[]), None).unwrap();

    assert_eq!(key_id(&provider).await, "LTAI-cli");
    assert_eq!(
        provider.source(),
        "profile `default` from ~/.aliyun/config.json"
    );
}

#[tokio::test]
async fn the_ini_default_section_is_next() {
    let home = Home::new();
    home.ini(INI);
    let provider = resolve(&home.lookup(&[]), None).unwrap();
    assert_eq!(key_id(&provider).await, "LTAI-ini");
    assert_eq!(
        provider.source(),
        "profile `default` from ~/.alibabacloud/credentials"
    );

    // The CLI file is skipped when switched off.
    home.cli_config(CLI);
    let off = home.lookup(&[("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")]);
    assert_eq!(key_id(&resolve(&off, None).unwrap()).await, "LTAI-ini");
}

#[tokio::test]
async fn the_python_librarys_ini_name_and_an_explicit_file_are_read() {
    let home = Home::new();
    home.write(".alibabacloud/credentials.ini", INI);
    let provider = resolve(&home.lookup(&[]), None).unwrap();
    assert_eq!(key_id(&provider).await, "LTAI-ini");

    let elsewhere = home.write(
        "etc/ramkey.ini",
        "[default]\ntype=access_key\naccess_key_id=LTAI-file\naccess_key_secret=f\n",
    );
    let vars = [(
        "ALIBABA_CLOUD_CREDENTIALS_FILE",
        elsewhere.to_str().unwrap(),
    )];
    let provider = resolve(&home.lookup(&vars), None).unwrap();
    assert_eq!(key_id(&provider).await, "LTAI-file");
    assert_eq!(provider.source(), "profile `default` from ~/etc/ramkey.ini");

    let vars = [("ALIBABA_CLOUD_CREDENTIALS_FILE", "/nonexistent/creds.ini")];
    let text = resolve_error(&home.lookup(&vars), None);
    assert!(
        text.starts_with("ALIBABA_CLOUD_CREDENTIALS_FILE=/nonexistent/creds.ini: no such file"),
        "{text}"
    );
}

#[tokio::test]
async fn the_profile_flag_skips_the_environment() {
    let home = Home::new();
    home.cli_config(CLI);
    let provider = resolve(&home.lookup(&ENV_PAIR), Some("prod")).unwrap();
    assert_eq!(key_id(&provider).await, "LTAI-prod");
    assert_eq!(
        provider.source(),
        "profile `prod` from ~/.aliyun/config.json"
    );
}

#[tokio::test]
async fn the_profile_variable_selects_in_the_files_after_the_environment() {
    let home = Home::new();
    home.cli_config(CLI);
    home.ini(INI);

    let with_env = home.lookup(&[ENV_PAIR[0], ENV_PAIR[1], ("ALIBABA_CLOUD_PROFILE", "prod")]);
    assert_eq!(key_id(&resolve(&with_env, None).unwrap()).await, "LTAI-env");

    for variable in [
        "ALIBABA_CLOUD_PROFILE",
        "ALIBABACLOUD_PROFILE",
        "ALICLOUD_PROFILE",
    ] {
        let alone = home.lookup(&[(variable, "prod")]);
        assert_eq!(
            key_id(&resolve(&alone, None).unwrap()).await,
            "LTAI-prod",
            "{variable}"
        );
    }

    // A profile only the INI file has is found there.
    std::fs::write(
        home.path().join(".aliyun/config.json"),
        r#"{"current":"default","profiles":[]}"#,
    )
    .unwrap();
    let provider = resolve(&home.lookup(&[("ALIBABA_CLOUD_PROFILE", "prod")]), None).unwrap();
    assert_eq!(key_id(&provider).await, "LTAI-ini-prod");
    assert_eq!(
        provider.source(),
        "profile `prod` from ~/.alibabacloud/credentials"
    );
}

#[test]
fn a_profile_no_file_has_is_an_error_listing_what_there_is() {
    let home = Home::new();
    home.cli_config(CLI);
    home.ini(INI);
    let text = resolve_error(&home.lookup(&ENV_PAIR), Some("staging"));

    assert!(
        text.starts_with("profile `staging` (chosen by --profile) was not found"),
        "{text}"
    );
    assert!(
        text.contains("~/.aliyun/config.json: no profile `staging` (it has `default`, `prod`"),
        "{text}"
    );
    assert!(
        text.contains("~/.alibabacloud/credentials: no profile `staging` (it has `default`, `ecs`"),
        "{text}"
    );

    let text = resolve_error(&home.lookup(&[("ALICLOUD_PROFILE", "staging")]), None);
    assert!(text.contains("(chosen by ALICLOUD_PROFILE)"), "{text}");
    assert!(text.contains("unset ALICLOUD_PROFILE"), "{text}");
}

#[test]
fn nothing_anywhere_lists_every_place_looked_at() {
    let home = Home::new();
    let disabled = home.lookup(&[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]);
    let text = resolve_error(&disabled, None);

    for needle in [
        "no Alibaba Cloud credentials found",
        "environment: no ALIBABA_CLOUD_ACCESS_KEY_ID",
        "~/.aliyun/config.json: not present",
        "~/.alibabacloud/credentials: not present",
        "ECS metadata: not asked (ALIBABA_CLOUD_ECS_METADATA_DISABLED=true)",
        "RamRoleArn profile is preferred",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in {text}");
    }

    let no_home = lookup(&[], None);
    let text = resolve_error(&no_home, None);
    assert!(text.contains("the home directory is unknown"), "{text}");
}

#[tokio::test]
async fn every_cli_mode_gives_its_kind_and_the_key_it_rests_on() {
    let home = Home::new();
    home.cli_config(CLI);
    let lookup = home.lookup(&[]);

    let sts = resolve(&lookup, Some("sts")).unwrap();
    assert_eq!(sts.kind(), CredentialKind::StsToken);
    let credentials = sts.current().await.unwrap();
    assert_eq!(credentials.access_key_id, "STS.cli");
    assert_eq!(
        credentials.security_token.as_ref().unwrap().expose(),
        "CAIS+ab/cd=="
    );

    for (profile, kind, anchor) in [
        ("default", CredentialKind::AccessKey, "LTAI-cli"),
        ("role", CredentialKind::RamRoleArn, "LTAI-role-src"),
        (
            "chain",
            CredentialKind::ChainableRamRoleArn,
            "LTAI-role-src",
        ),
        ("ecs", CredentialKind::EcsRamRole, ""),
    ] {
        let lookup = if kind == CredentialKind::EcsRamRole {
            lookup
                .clone()
                .with_metadata_url("http://127.0.0.1:9".parse().unwrap())
        } else {
            lookup.clone()
        };
        let provider = resolve(&lookup, Some(profile)).unwrap();
        assert_eq!(provider.kind(), kind, "{profile}");
        assert_eq!(provider.anchor_key_id(), anchor, "{profile}");
        assert_eq!(
            provider.source(),
            format!("profile `{profile}` from ~/.aliyun/config.json")
        );
    }
}

#[test]
fn an_ecs_profile_with_the_metadata_service_disabled_says_so() {
    let home = Home::new();
    home.cli_config(CLI);
    let lookup = home
        .lookup(&[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")])
        .with_metadata_url("http://127.0.0.1:9".parse().unwrap());
    let text = resolve_error(&lookup, Some("ecs"));
    assert_eq!(
        text,
        "profile `ecs` from ~/.aliyun/config.json: uses the ECS instance's RAM role, but \
         ALIBABA_CLOUD_ECS_METADATA_DISABLED=true forbids asking the metadata service; unset it \
         or choose another profile"
    );
}

/// One profile in an otherwise empty CLI config, resolved by name.
fn cli_profile_error(profile: &str) -> String {
    let home = Home::new();
    let file = format!(r#"{{"current":"p","profiles":[{profile}]}}"#);
    home.cli_config(&file);
    resolve_error(&home.lookup(&[]), None)
}

#[test]
fn bad_cli_profiles_name_the_profile_and_the_field() {
    for (profile, needle) in [
        (
            r#"{"name":"p","mode":"AK","access_key_id":"LTAI-1"}"#,
            "profile `p` from ~/.aliyun/config.json: `access_key_secret` is missing or empty; \
             mode AK needs access_key_id and access_key_secret",
        ),
        (
            r#"{"name":"p","mode":"StsToken","access_key_id":"STS.1","access_key_secret":"s"}"#,
            "`sts_token` is missing or empty; mode StsToken needs access_key_id, \
             access_key_secret and sts_token",
        ),
        (
            r#"{"name":"p","mode":"RamRoleArn","access_key_id":"LTAI-1","access_key_secret":"s"}"#,
            "`ram_role_arn` is missing",
        ),
        (
            r#"{"name":"p","mode":"RamRoleArn","access_key_id":"LTAI-1","access_key_secret":"s",
                "ram_role_arn":"acs:ram::1:user/alice"}"#,
            "`ram_role_arn` is not a role ARN",
        ),
        (
            r#"{"name":"p","mode":"RamRoleArn","access_key_id":"LTAI-1","access_key_secret":"s",
                "ram_role_arn":"acs:ram::1:role/r","expired_seconds":60}"#,
            "`expired_seconds` is 60: STS sessions last 900 to 43200 seconds",
        ),
        (
            r#"{"name":"p","mode":"RamRoleArn","access_key_id":"LTAI-1","access_key_secret":"s",
                "ram_role_arn":"acs:ram::1:role/r","ram_session_name":"has space"}"#,
            "`ram_session_name` must be 2-64 letters, digits and `.@-_`",
        ),
        (
            r#"{"name":"p","mode":"ChainableRamRoleArn","ram_role_arn":"acs:ram::1:role/r"}"#,
            "`source_profile` is missing",
        ),
        (
            r#"{"name":"p","mode":"ChainableRamRoleArn","ram_role_arn":"acs:ram::1:role/r",
                "source_profile":"gone"}"#,
            "profile `p` from ~/.aliyun/config.json: `source_profile` names `gone`, which is \
             not in the file",
        ),
        (
            r#"{"name":"p","mode":"ChainableRamRoleArn","ram_role_arn":"acs:ram::1:role/r",
                "source_profile":"p"}"#,
            "`source_profile` goes round in a loop (p -> p)",
        ),
        (
            r#"{"name":"p","mode":"CloudSSO"}"#,
            "mode `CloudSSO` is not supported by ramkey; use one of AK, StsToken, RamRoleArn, \
             ChainableRamRoleArn, EcsRamRole",
        ),
        (r#"{"name":"p"}"#, "`mode` is missing"),
    ] {
        let text = cli_profile_error(profile);
        assert!(text.contains(needle), "missing {needle:?} in {text}");
    }
}

#[test]
fn modes_are_matched_case_insensitively() {
    let home = Home::new();
    home.cli_config(
        r#"{"current":"p","profiles":[{"name":"p","mode":"ak","access_key_id":"LTAI-1",
            "access_key_secret":"s"}]}"#,
    );
    assert_eq!(
        resolve(&home.lookup(&[]), None).unwrap().kind(),
        CredentialKind::AccessKey
    );
}

#[test]
fn a_pasted_secret_in_a_profile_is_refused_by_field_without_its_value() {
    let text = cli_profile_error(
        r#"{"name":"p","mode":"AK","access_key_id":"LTAI-1","access_key_secret":"topsecret\n"}"#,
    );
    assert_eq!(
        text,
        "`access_key_secret` of profile `p` from ~/.aliyun/config.json contains a line break: \
         remove it and try again (a pasted value often carries a trailing newline); nothing was \
         sent"
    );

    let home = Home::new();
    home.ini("[default]\ntype = access_key\naccess_key_id = LTAI-1 \naccess_key_secret = x y\n");
    let text = resolve_error(&home.lookup(&[]), None);
    assert!(
        text.starts_with(
            "`access_key_secret` of profile `default` from ~/.alibabacloud/credentials contains \
             whitespace"
        ),
        "{text}"
    );
    assert!(!text.contains("x y"), "{text}");
}

#[test]
fn broken_json_names_the_line_and_never_quotes_a_value() {
    let home = Home::new();
    home.cli_config(
        "{\n  \"current\": \"p\",\n  \"profiles\": [\n    {\"name\": \"p\", \"mode\": \"AK\", \
         \"access_key_id\": \"LTAI-1\", \"access_key_secret\": 12345678}\n  ]\n}",
    );
    let text = resolve_error(&home.lookup(&[]), None);
    assert!(
        text.starts_with("~/.aliyun/config.json, line 4: invalid type: integer `…`"),
        "{text}"
    );
    assert!(!text.contains("12345678"), "{text}");

    home.cli_config("{\"current\": \"p\", \"profiles\": [");
    let text = resolve_error(&home.lookup(&[]), None);
    assert!(
        text.contains("~/.aliyun/config.json, line 1: EOF"),
        "{text}"
    );
    assert!(text.contains("fix the file"), "{text}");
}

#[tokio::test]
async fn every_ini_type_resolves() {
    let home = Home::new();
    home.ini(INI);
    let lookup = home
        .lookup(&[])
        .with_metadata_url("http://127.0.0.1:9".parse().unwrap());

    let prod = resolve(&lookup, Some("prod")).unwrap();
    let credentials = prod.current().await.unwrap();
    assert_eq!(credentials.access_key_id, "LTAI-ini-prod");
    assert_eq!(
        credentials.secret.expose(),
        "ini-prod-secret",
        "quotes are removed"
    );

    let role = resolve(&lookup, Some("role")).unwrap();
    assert_eq!(role.kind(), CredentialKind::RamRoleArn);
    assert_eq!(role.anchor_key_id(), "LTAI-ini-role-src");

    let ecs = resolve(&lookup, Some("ecs")).unwrap();
    assert_eq!(ecs.kind(), CredentialKind::EcsRamRole);
}

fn ini_error(text: &str) -> String {
    let home = Home::new();
    home.ini(text);
    resolve_error(&home.lookup(&[]), None)
}

#[test]
fn bad_ini_sections_name_the_section_line_and_key() {
    for (text, needle) in [
        (
            "[default]\naccess_key_id = a\n",
            "profile `default` from ~/.alibabacloud/credentials (section at line 1): `type` is \
             missing; set one of access_key, ram_role_arn, ecs_ram_role",
        ),
        (
            "\n[default]\ntype = oidc_role_arn\n",
            "(section at line 2): type `oidc_role_arn` is not supported by ramkey",
        ),
        (
            "[default]\ntype = access_key\naccess_key_id = a\n",
            "`access_key_secret` is missing or empty; type access_key needs access_key_id and \
             access_key_secret",
        ),
        (
            "[default]\ntype = ram_role_arn\naccess_key_id = a\naccess_key_secret = b\n",
            "`role_arn` is missing",
        ),
        (
            "[default]\ntype = ram_role_arn\naccess_key_id = a\naccess_key_secret = b\n\
             role_arn = acs:ram::1:role/r\nrole_session_expiration = soon\n",
            "`role_session_expiration` must be a number of seconds",
        ),
        (
            "[default]\nenable = false\ntype = access_key\naccess_key_id = a\naccess_key_secret = b\n",
            "is switched off (`enable = false`)",
        ),
        (
            "[default]\ntype = access_key\nthis line is wrong\n",
            "~/.alibabacloud/credentials, line 3: expected `key = value`",
        ),
    ] {
        let message = ini_error(text);
        assert!(message.contains(needle), "missing {needle:?} in {message}");
    }
}
