//! Shared by the credentials tests: a temporary HOME with the aliyun CLI and
//! INI files, a lookup over a fixed set of variables, and an in-process
//! sandbox on 127.0.0.1 with a fixed clock.

#![allow(dead_code, reason = "each test file uses a different part")]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use ramkey::clock::{Clock, FixedClock};
use ramkey::cloud::credentials::{self, CredentialsProvider, Lookup};
use ramkey::cloud::{Client, ClientOptions, CloudError, Endpoints};
use ramkey::sandbox::{self, Account, SandboxHandle};

/// The demo account's id.
pub const ACCOUNT: &str = "5123874409316254";
/// The demo role the demo caller may assume.
pub const ROTATOR: &str = "acs:ram::5123874409316254:role/ramkey-rotator";
/// The demo role only a ramkey-rotator session may assume.
pub const AUDITOR: &str = "acs:ram::5123874409316254:role/ramkey-auditor";

/// When every fixed-clock test starts.
pub fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-01-02T03:04:05Z")
        .unwrap()
        .to_utc()
}

/// A temporary home directory.
pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `~/.aliyun/config.json`.
    pub fn cli_config(&self, json: &str) -> PathBuf {
        self.write(".aliyun/config.json", json)
    }

    /// Writes `~/.alibabacloud/credentials`.
    pub fn ini(&self, text: &str) -> PathBuf {
        self.write(".alibabacloud/credentials", text)
    }

    /// Writes any file under the home directory.
    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// A lookup of `vars` with this home; no metadata service.
    pub fn lookup(&self, vars: &[(&str, &str)]) -> Lookup {
        lookup(vars, Some(self.path().to_owned()))
    }
}

/// A lookup that sees only `vars`.
pub fn lookup(vars: &[(&str, &str)], home: Option<PathBuf>) -> Lookup {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Lookup::new(move |name| map.get(name).cloned(), home)
}

/// Endpoints nothing listens on: for sources that must not call out.
pub fn nowhere() -> Endpoints {
    Endpoints::single("http://127.0.0.1:9").unwrap()
}

/// The chain's provider, with a fixed clock at [`start`].
pub fn resolve(lookup: &Lookup, profile: Option<&str>) -> Result<CredentialsProvider, CloudError> {
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(start()));
    credentials::resolve(lookup, profile, &nowhere(), clock)
}

/// The error of a chain that must fail, as text.
pub fn resolve_error(lookup: &Lookup, profile: Option<&str>) -> String {
    match resolve(lookup, profile) {
        Ok(provider) => panic!("expected an error, got {provider:?}"),
        Err(error) => error.to_string(),
    }
}

/// The demo account served on 127.0.0.1, its clock at [`start`].
pub struct Sandbox {
    pub handle: SandboxHandle,
    pub clock: FixedClock,
}

impl Sandbox {
    pub async fn demo() -> Self {
        let clock = FixedClock::new(start());
        let handle = sandbox::start(
            "127.0.0.1:0".parse().unwrap(),
            Account::demo(),
            Arc::new(clock.clone()),
        )
        .await
        .unwrap();
        Self { handle, clock }
    }

    pub fn endpoints(&self) -> Endpoints {
        Endpoints::single(&self.handle.endpoint()).unwrap()
    }

    pub fn caller_id(&self) -> String {
        self.handle.caller_access_key_id().to_owned()
    }

    pub fn caller_secret(&self) -> String {
        self.handle.caller_secret().expose().to_owned()
    }

    /// Moves the one clock ramkey and the sandbox both read.
    pub fn advance(&self, by: Duration) {
        self.clock.set(self.clock.now() + by);
    }

    /// The chain's provider for this sandbox, sharing its clock.
    pub fn resolve(&self, lookup: &Lookup, profile: Option<&str>) -> CredentialsProvider {
        let clock: Arc<dyn Clock> = Arc::new(self.clock.clone());
        credentials::resolve(lookup, profile, &self.endpoints(), clock).unwrap()
    }

    /// A client over `provider`, sharing the sandbox's clock.
    pub fn client(&self, provider: CredentialsProvider) -> Client {
        Client::with_provider(
            self.endpoints(),
            Arc::new(provider),
            Arc::new(self.clock.clone()),
            ClientOptions::default(),
        )
        .unwrap()
    }

    /// An aliyun CLI config whose `rotator` profile assumes ramkey-rotator
    /// with the demo caller's key, and whose `base` profile is that key.
    pub fn cli_config(&self) -> String {
        serde_json::json!({
            "current": "base",
            "profiles": [
                {"name": "base", "mode": "AK", "access_key_id": self.caller_id(),
                 "access_key_secret": self.caller_secret(), "region_id": "cn-hangzhou"},
                {"name": "rotator", "mode": "RamRoleArn", "access_key_id": self.caller_id(),
                 "access_key_secret": self.caller_secret(), "ram_role_arn": ROTATOR,
                 "ram_session_name": "rotation-2024", "expired_seconds": 3600},
                {"name": "auditor", "mode": "ChainableRamRoleArn", "source_profile": "rotator",
                 "ram_role_arn": AUDITOR, "ram_session_name": "audit"}
            ]
        })
        .to_string()
    }
}
