//! Shared by the engine and scan tests: the in-process sandbox with the demo
//! account (or a variant), a client signing as its caller, and a state file
//! in a temporary directory. One fixed clock drives all three.

#![allow(dead_code, reason = "each test file uses a different part")]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use ramkey::clock::{Clock, FixedClock};
use ramkey::cloud::model::KeyStatus;
use ramkey::cloud::retry::NoSleep;
use ramkey::cloud::{
    Client, ClientConfig, Credentials, Endpoints, Retry, SignatureVersion, Timeouts,
};
use ramkey::rotation::{Action, Engine, EngineError, EngineOptions, Outcome, StepKind};
use ramkey::sandbox::{self, Account, SandboxHandle};
use ramkey::secret::Secret;
use ramkey::state::{StateStore, read_document};

/// The demo account's id.
pub const ACCOUNT: &str = "5123874409316254";

/// A sandbox, a client of it, and a state file.
pub struct World {
    pub sandbox: SandboxHandle,
    pub clock: FixedClock,
    pub client: Client,
    pub state: PathBuf,
    /// How every client of this world signs.
    pub signature: SignatureVersion,
    _dir: tempfile::TempDir,
}

/// The moment every test starts at.
pub fn start_time() -> DateTime<Utc> {
    "2026-11-01T08:00:00Z".parse().unwrap()
}

impl World {
    /// The built-in demo account.
    pub async fn demo() -> World {
        World::with_account(Account::demo()).await
    }

    /// Any account; the client signs as its caller key.
    pub async fn with_account(account: Account) -> World {
        World::signing(account, SignatureVersion::V1).await
    }

    /// Any account; every client of the world signs with `signature`.
    pub async fn signing(account: Account, signature: SignatureVersion) -> World {
        let clock = FixedClock::new(start_time());
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        let listen: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let sandbox = sandbox::start(listen, account, Arc::clone(&shared))
            .await
            .expect("sandbox starts");
        let client = client_for(
            &sandbox,
            sandbox.caller_access_key_id(),
            sandbox.caller_secret().clone(),
            &shared,
            signature,
        );
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state").join(format!("{ACCOUNT}.json"));
        World {
            sandbox,
            clock,
            client,
            state,
            signature,
            _dir: dir,
        }
    }

    /// A fresh engine over the state file, as a restarted ramkey would build it.
    pub fn engine(&self) -> Engine {
        self.engine_with(self.client.clone())
    }

    /// A fresh engine over the state file, calling with `client`.
    pub fn engine_with(&self, client: Client) -> Engine {
        let store = StateStore::open(&self.state, ACCOUNT).expect("state file opens");
        Engine::new(
            client,
            store,
            Arc::new(self.clock.clone()),
            EngineOptions::default(),
        )
    }

    /// A client signing with another key of the account (the console, an app).
    pub fn client_as(&self, access_key_id: &str) -> Client {
        let account = self.sandbox.account_snapshot();
        let (_, key) = account.key_owner(access_key_id).expect("key exists");
        client_for(
            &self.sandbox,
            access_key_id,
            key.access_key_secret.clone(),
            &(Arc::new(self.clock.clone()) as Arc<dyn Clock>),
            self.signature,
        )
    }

    /// A client of a loopback port where nothing listens.
    pub fn unreachable_client(&self) -> Client {
        let credentials = Credentials::new(
            self.sandbox.caller_access_key_id(),
            self.sandbox.caller_secret().clone(),
            None,
            "test",
        )
        .unwrap();
        let config = ClientConfig {
            endpoints: Endpoints::single("http://127.0.0.1:9").unwrap(),
            credentials,
            clock: Arc::new(self.clock.clone()),
            signature: self.signature,
        };
        Client::with_retry(config, Timeouts::default(), no_waiting()).unwrap()
    }

    /// A client signing as the caller, with these timeouts and retry settings.
    pub fn caller_client(&self, timeouts: Timeouts, retry: Retry) -> Client {
        let credentials = Credentials::new(
            self.sandbox.caller_access_key_id(),
            self.sandbox.caller_secret().clone(),
            None,
            "test",
        )
        .unwrap();
        let config = ClientConfig {
            endpoints: Endpoints::single(&self.sandbox.endpoint()).unwrap(),
            credentials,
            clock: Arc::new(self.clock.clone()),
            signature: self.signature,
        };
        Client::with_retry(config, timeouts, retry).unwrap()
    }

    /// A client signing with any key id and secret (known to the sandbox or not).
    pub fn client_signing_as(&self, access_key_id: &str, secret: &str) -> Client {
        client_for(
            &self.sandbox,
            access_key_id,
            Secret::new(secret),
            &(Arc::new(self.clock.clone()) as Arc<dyn Clock>),
            self.signature,
        )
    }

    /// The shared clock's time.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Moves every clock forward.
    pub fn advance(&self, by: Duration) {
        self.clock.set(self.clock.now() + by);
    }

    /// The status of a key in the sandbox now (`None`: deleted).
    pub fn key_status(&self, user: &str, key_id: &str) -> Option<KeyStatus> {
        let account = self.sandbox.account_snapshot();
        let user = account.user(user)?;
        user.access_keys
            .iter()
            .find(|key| key.access_key_id == key_id)
            .map(|key| key.status)
    }

    /// The state file's bytes.
    pub fn state_bytes(&self) -> Vec<u8> {
        std::fs::read(&self.state).unwrap_or_default()
    }

    /// The step the state file (read from disk) has the user's rotation at.
    pub fn step_on_disk(&self, user: &str) -> Option<StepKind> {
        let document = read_document(&self.state).ok()?;
        let rotation = document.latest_rotation(user)?;
        ramkey::rotation::step::current_step(&rotation.progress)
    }
}

fn client_for(
    sandbox: &SandboxHandle,
    access_key_id: &str,
    secret: Secret,
    clock: &Arc<dyn Clock>,
    signature: SignatureVersion,
) -> Client {
    let credentials = Credentials::new(access_key_id, secret, None, "test").unwrap();
    let config = ClientConfig {
        endpoints: Endpoints::single(&sandbox.endpoint()).unwrap(),
        credentials,
        clock: Arc::clone(clock),
        signature,
    };
    Client::with_retry(config, Timeouts::default(), no_waiting()).unwrap()
}

/// Production's retry policy, with waits that return at once: tests never
/// wait for real.
pub fn no_waiting() -> Retry {
    Retry::with_sleeper(Arc::new(NoSleep::new()))
}

/// Performs an action that must succeed, with the error shown if not.
pub async fn ok(engine: &mut Engine, user: &str, action: Action) -> Outcome {
    let name = action.name();
    match engine.perform(user, action).await {
        Ok(outcome) => outcome,
        Err(error) => panic!("{name} failed: {error}"),
    }
}

/// Performs an action that must be refused, checking the state file did not change.
pub async fn refused(
    world: &World,
    engine: &mut Engine,
    user: &str,
    action: Action,
) -> EngineError {
    let before = world.state_bytes();
    let name = action.name();
    let error = match engine.perform(user, action).await {
        Ok(outcome) => panic!("{name} must be refused, got: {}", outcome.summary),
        Err(error) => error,
    };
    assert_eq!(
        world.state_bytes(),
        before,
        "a refused {name} changed the state file"
    );
    error
}
