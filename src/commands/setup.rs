//! What several commands build the same way from the global flags: the
//! client (credentials from the official chain, `--profile` choosing a
//! profile), who ramkey is, the state file's path, and plain messages for
//! cloud errors.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;

use crate::cli::{GlobalArgs, SignatureArg};
use crate::clock::Clock;
use crate::cloud::credentials::{self, CredentialReport, Lookup};
use crate::cloud::model::CallerIdentity;
use crate::cloud::{Client, ClientOptions, CloudError, Endpoints, Region, Retry, SignatureVersion};
use crate::rotation::{Engine, EngineOptions};
use crate::scan::KmsOptions;
use crate::state::{self, StateStore};

/// A client for `--endpoint` (or production), signing with the credentials
/// the official chain finds: environment, `~/.aliyun/config.json`,
/// `~/.alibabacloud/credentials`, ECS metadata. Role credentials are fetched
/// on the first call and renewed before they expire.
pub fn client(global: &GlobalArgs, clock: Arc<dyn Clock>) -> anyhow::Result<Client> {
    observed_client(global, clock, Retry::default())
}

/// [`client`] with these retry settings (the wizard's tells its screen).
pub fn observed_client(
    global: &GlobalArgs,
    clock: Arc<dyn Clock>,
    retry: Retry,
) -> anyhow::Result<Client> {
    let endpoints = Endpoints::from_flag(global.endpoint.as_deref())?;
    let lookup = Lookup::process();
    let provider = credentials::resolve(
        &lookup,
        global.profile.as_deref(),
        &endpoints,
        Arc::clone(&clock),
    )?;
    Ok(Client::with_provider(
        endpoints,
        Arc::new(provider),
        clock,
        ClientOptions {
            signature: signature(global),
            retry,
            ..ClientOptions::default()
        },
    )?)
}

/// `--signature`.
pub fn signature(global: &GlobalArgs) -> SignatureVersion {
    match global.signature {
        SignatureArg::V1 => SignatureVersion::V1,
        SignatureArg::V3 => SignatureVersion::V3,
    }
}

/// GetCallerIdentity, printed to stderr with what ramkey knows of its own
/// credentials, so the admin sees whose they are before anything else.
pub async fn identify(client: &Client) -> anyhow::Result<CallerIdentity> {
    let caller = client
        .get_caller_identity()
        .await
        .map_err(|error| cloud_failure("cannot tell whose credentials these are", &error))?;
    for line in identity_lines(&caller, &client.credential_report()) {
        eprintln!("ramkey: {line}");
    }
    Ok(caller)
}

/// Who ramkey is (account, ARN, identity type), its credential's kind,
/// source, key and STS expiry, and a warning when one is due.
pub fn identity_lines(caller: &CallerIdentity, report: &CredentialReport) -> Vec<String> {
    let identity_type = if caller.identity_type.is_empty() {
        "unknown type"
    } else {
        &caller.identity_type
    };
    let mut lines = vec![
        format!(
            "account {}, signed in as {} ({identity_type})",
            caller.account_id, caller.arn
        ),
        format!("credentials: {}", report.describe()),
    ];
    lines.extend(
        report
            .warning()
            .map(|warning| format!("warning: {warning}")),
    );
    lines
}

/// `--state PATH`, or the account's default file (its directory made 0700).
pub fn state_path(global: &GlobalArgs, account_id: &str) -> anyhow::Result<PathBuf> {
    match &global.state {
        Some(path) => Ok(path.clone()),
        None => state::default_path(account_id).context("cannot prepare the state directory"),
    }
}

/// Everything the wizard needs: the client, who ramkey is (on stderr), and
/// the engine over the account's state file (locked while it lives).
pub async fn engine(global: &GlobalArgs, clock: Arc<dyn Clock>) -> anyhow::Result<Engine> {
    let client = client(global, Arc::clone(&clock))?;
    let caller = identify(&client).await?;
    let path = state_path(global, &caller.account_id)?;
    let store = StateStore::open(&path, &caller.account_id)?;
    let options = EngineOptions {
        idle_days: global.idle_days,
        wait_days: global.wait_days,
    };
    Ok(Engine::new(client, store, clock, options).with_kms(kms_options(global, &[])))
}

/// Where to look for KMS RAM secrets: the `--kms-region` list, else
/// `fallback` (the demo's own sandbox regions; none for a real account,
/// where no region can be guessed and the scan says KMS was not checked).
pub fn kms_options(global: &GlobalArgs, fallback: &[Region]) -> KmsOptions {
    let regions = if global.kms_regions.is_empty() {
        fallback.to_vec()
    } else {
        global.kms_regions.clone()
    };
    KmsOptions::new(regions, global.kms_window_hours)
}

/// A cloud error as the admin should read it: what failed, the service's
/// code, message and RequestId (all in the error's own text), then a hint.
pub fn cloud_failure(context: &str, error: &CloudError) -> anyhow::Error {
    let mut text = format!("{context}: {error}");
    if let Some(hint) = error.hint() {
        text.push_str("\nhint: ");
        text.push_str(&hint);
    }
    anyhow::Error::msg(text)
}
