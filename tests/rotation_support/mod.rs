//! Shared by the engine and scan tests: the in-process sandbox with the demo
//! account (or a variant), a client signing as its caller, and a state file
//! in a temporary directory. One fixed clock drives all three.

#![allow(dead_code, reason = "each test file uses a different part")]

pub mod cutoff;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use ramkey::clock::{Clock, FixedClock};
use ramkey::cloud::model::KeyStatus;
use ramkey::cloud::model::PolicyType;
use ramkey::cloud::retry::NoSleep;
use ramkey::cloud::{
    Client, ClientConfig, Credentials, Endpoints, Retry, SignatureVersion, Timeouts,
};
use ramkey::rotation::{
    Action, Confirmation, Engine, EngineError, EngineOptions, Outcome, PolicyRef, Start, StepKind,
};
use ramkey::sandbox::{self, Account, SandboxHandle};
use ramkey::secret::Secret;
use ramkey::state::steps::Grant;
use ramkey::state::{
    AuditEntry, Intent, Rotation, StateStore, WriteCall, audit_path, read_document,
};

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

    /// A client signing as the caller, calling `endpoint` (a relay in front
    /// of the sandbox).
    pub fn client_via(&self, endpoint: &str) -> Client {
        let credentials = Credentials::new(
            self.sandbox.caller_access_key_id(),
            self.sandbox.caller_secret().clone(),
            None,
            "test",
        )
        .unwrap();
        let config = ClientConfig {
            endpoints: Endpoints::single(endpoint).unwrap(),
            credentials,
            clock: Arc::new(self.clock.clone()),
            signature: self.signature,
        };
        Client::with_retry(config, Timeouts::default(), no_waiting()).unwrap()
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

/// The demo account's move-path user, the key that moves, the new user's name.
pub const MOVE_USER: &str = "ci-deployer";
pub const MOVED_KEY: &str = "LTAI5tta73aMlWBWNXMqU75Y";
pub const NEW_USER: &str = "ci-deployer-v2";
/// The demo account's idle-path user and its idle key.
pub const IDLE_USER: &str = "billing-exporter";
pub const IDLE_KEY: &str = "LTAI5tHYcNLlk2r7wbVdZbSe";

impl World {
    /// A fresh engine with these options.
    pub fn engine_with_options(&self, options: EngineOptions) -> Engine {
        let store = StateStore::open(&self.state, ACCOUNT).expect("state file opens");
        Engine::new(
            self.client.clone(),
            store,
            Arc::new(self.clock.clone()),
            options,
        )
    }

    /// Leaves `call` as the user's write in flight, as a run that died
    /// between saving the intent and recording the outcome would.
    /// No engine may be open on the state file.
    pub fn leave_intent(&self, user: &str, call: WriteCall) -> Intent {
        let mut store = StateStore::open(&self.state, ACCOUNT).expect("state file opens");
        let intent = Intent {
            id: "0000intent01".to_owned(),
            call,
            at: self.now(),
        };
        store
            .document_mut()
            .open_rotation_mut(user)
            .expect("a rotation in progress")
            .pending = Some(intent.clone());
        store.save().expect("saved");
        intent
    }

    /// The user's latest rotation as the state file on disk has it.
    pub fn rotation_on_disk(&self, user: &str) -> Rotation {
        read_document(&self.state)
            .expect("state file reads")
            .latest_rotation(user)
            .expect("a rotation")
            .clone()
    }

    /// How many requests for `action` the sandbox has seen.
    pub fn requests_for(&self, action: &str) -> usize {
        self.sandbox
            .requests()
            .iter()
            .filter(|request| request.action == action)
            .count()
    }

    /// How many write requests (of any write action) the sandbox has seen.
    pub fn write_requests(&self) -> usize {
        WRITES.iter().map(|action| self.requests_for(action)).sum()
    }

    /// The audit log's lines.
    pub fn audit_lines(&self) -> Vec<AuditEntry> {
        let text = std::fs::read_to_string(audit_path(&self.state)).unwrap_or_default();
        text.lines()
            .map(|line| serde_json::from_str(line).expect("an audit line"))
            .collect()
    }
}

/// Every RAM write action.
pub const WRITES: [&str; 7] = [
    "CreateUser",
    "CreateAccessKey",
    "UpdateAccessKey",
    "DeleteAccessKey",
    "AttachPolicyToUser",
    "DetachPolicyFromUser",
    "AddUserToGroup",
];

/// The grants the move-path tests copy.
pub fn grants_to_copy() -> Vec<Grant> {
    vec![
        Grant::Policy {
            policy_name: "AliyunContainerRegistryFullAccess".to_owned(),
            policy_type: PolicyType::System,
        },
        Grant::Policy {
            policy_name: "ci-deploy-artifacts".to_owned(),
            policy_type: PolicyType::Custom,
        },
        Grant::Group {
            group_name: "deployers".to_owned(),
        },
    ]
}

/// The move path's actions in order, each with the step it performs.
pub fn move_script() -> Vec<(Option<StepKind>, Action)> {
    let typed = || Confirmation::typed(MOVE_USER);
    vec![
        (
            None,
            Action::Start(Start::MoveToNewUser {
                key_id: MOVED_KEY.to_owned(),
            }),
        ),
        (
            Some(StepKind::ChooseName),
            Action::SetName(NEW_USER.to_owned()),
        ),
        (Some(StepKind::CreateUser), Action::CreateUser),
        (
            Some(StepKind::CopyPermissions),
            Action::CopyPermissions(grants_to_copy()),
        ),
        (Some(StepKind::CreateKey), Action::CreateKey),
        (
            Some(StepKind::ConfirmSecretStored),
            Action::ConfirmSecretStored,
        ),
        (Some(StepKind::ConfirmStaging), Action::ConfirmStaging),
        (Some(StepKind::ConfirmProduction), Action::ConfirmProduction),
        (Some(StepKind::DisableKey), Action::DisableKey(typed())),
        (Some(StepKind::DeleteKey), Action::DeleteKey(typed())),
        (
            Some(StepKind::ReviewPolicies),
            Action::DetachPolicies {
                policies: vec![PolicyRef {
                    policy_name: "ci-deploy-artifacts".to_owned(),
                    policy_type: PolicyType::Custom,
                }],
                confirmation: typed(),
            },
        ),
    ]
}

/// Runs the move path until the rotation waits at `until` (advancing the
/// clock past the wait before the deletion).
pub async fn move_until(world: &World, until: StepKind) {
    let mut engine = world.engine();
    for (step, action) in move_script() {
        if step.is_some() && engine.next_step(MOVE_USER) == Some(until) {
            return;
        }
        if step == Some(StepKind::DeleteKey) {
            world.advance(Duration::days(91));
        }
        ok(&mut engine, MOVE_USER, action).await;
    }
    panic!("the move path never waited at {until:?}");
}

/// Runs the idle path until the rotation waits at `until`.
pub async fn idle_until(world: &World, until: StepKind) {
    let mut engine = world.engine();
    let script = [
        Action::Start(Start::DisableIdle {
            key_id: IDLE_KEY.to_owned(),
        }),
        Action::ConfirmReview,
        Action::DisableKey(Confirmation::typed(IDLE_USER)),
    ];
    for action in script {
        if engine.next_step(IDLE_USER) == Some(until) {
            return;
        }
        ok(&mut engine, IDLE_USER, action).await;
    }
    assert_eq!(engine.next_step(IDLE_USER), Some(until));
}

impl World {
    /// Changes the user's open rotation in the state file, as a test of what
    /// the engine makes of a state it could have reached. No engine may be
    /// open on the state file.
    pub fn edit_rotation(&self, user: &str, edit: impl FnOnce(&mut Rotation)) {
        let mut store = StateStore::open(&self.state, ACCOUNT).expect("state file opens");
        edit(
            store
                .document_mut()
                .open_rotation_mut(user)
                .expect("a rotation in progress"),
        );
        store.save().expect("saved");
    }
}
