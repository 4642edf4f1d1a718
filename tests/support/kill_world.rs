//! The kill tests' world: a generated sandbox account with one fresh user
//! per case, the headless driver (`examples/kill_matrix_driver.rs`) run as a
//! process of its own, the account read back through signed calls, and the
//! sandbox's request log and ramkey's audit log counted per write.
//!
//! Depends on ramkey's library for its client and the audit entry type, on
//! the driver's documented stdout, and on `ramkey sandbox`'s stderr format
//! (`<Action> by <key>: <status>` per request).

#![allow(dead_code, reason = "each test crate uses part of this harness")]

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::sync::{Arc, OnceLock};

use ramkey::clock::SystemClock;
use ramkey::cloud::model::KeyStatus;
use ramkey::cloud::{Client, ClientConfig, Credentials, Endpoints, SignatureVersion};
use ramkey::secret::Secret;
use ramkey::state::{AuditEntry, AuditKind, AuditOutcome, audit_path};
use serde_json::{Value, json};

use super::sandbox_process::SandboxProcess;

/// The API actions that change the account.
pub const WRITES: [&str; 7] = [
    "CreateUser",
    "AttachPolicyToUser",
    "AddUserToGroup",
    "CreateAccessKey",
    "UpdateAccessKey",
    "DeleteAccessKey",
    "DetachPolicyFromUser",
];

/// The policy every moved user holds and the driver detaches at the end.
pub const DETACHED: &str = "Custom:deploy-artifacts";

/// Days the engine's clock runs ahead in the second phase: past the wait.
pub const DAYS_LATER: i64 = 91;

const CALLER_KEY: &str = "LTAI5tKillAdmin000000001";

/// The account's id, as the generated account file has it.
pub const ACCOUNT_ID: &str = "5100000000000042";

/// A role ramkey's caller may assume, for runs with STS credentials.
pub const ROTATOR_ROLE: &str = "kill-rotator";

/// Which path a case's user is set up for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    /// One idle key and one busy key: disable the idle one, delete it later.
    Idle,
    /// Two busy keys, two policies and a group: move to a new user.
    Move,
}

impl PathKind {
    fn flag(self) -> &'static str {
        match self {
            PathKind::Idle => "idle",
            PathKind::Move => "move",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            PathKind::Idle => "idle",
            PathKind::Move => "mv",
        }
    }
}

/// The user of case `n`, its key to retire, the key that stays and (move
/// path) the new user's name.
#[derive(Debug, Clone)]
pub struct CaseUser {
    pub path: PathKind,
    pub name: String,
    pub retired_key: String,
    pub staying_key: String,
    pub new_user: Option<String>,
}

impl CaseUser {
    pub fn new(path: PathKind, n: usize) -> Self {
        let name = format!("{}-{n:02}", path.prefix());
        let tag = match path {
            PathKind::Idle => "Idle",
            PathKind::Move => "Move",
        };
        Self {
            path,
            retired_key: format!("LTAI5tKill{tag}{n:02}Retired0"),
            staying_key: format!("LTAI5tKill{tag}{n:02}Staying0"),
            new_user: (path == PathKind::Move).then(|| format!("{name}-v2")),
            name,
        }
    }
}

/// An account file with ramkey's own user and `cases` users of `path`.
pub fn account(path: PathKind, cases: usize) -> Value {
    let users: Vec<Value> = (0..cases)
        .map(|n| case_user_json(&CaseUser::new(path, n), n))
        .collect();
    let mut all = vec![json!({
        "UserName": "ramkey-admin", "UserId": "3000000000000001", "CreateDate": "-30d",
        "AccessKeys": [{"AccessKeyId": CALLER_KEY, "AccessKeySecret": "kill-matrix-caller-secret-0001",
                        "Status": "Active", "CreateDate": "-30d", "LastUsedDate": "-10m"}],
        "Policies": [
            {"PolicyName": "AliyunRAMFullAccess", "PolicyType": "System", "AttachDate": "-30d"},
            {"PolicyName": "AliyunSTSAssumeRoleAccess", "PolicyType": "System", "AttachDate": "-30d"}
        ]
    })];
    all.extend(users);
    json!({
        "AccountId": ACCOUNT_ID,
        "AccountAlias": "kill-matrix",
        "CallerAccessKeyId": CALLER_KEY,
        "Policies": [
            {"PolicyName": "AliyunRAMFullAccess", "PolicyType": "System"},
            {"PolicyName": "AliyunSTSAssumeRoleAccess", "PolicyType": "System"},
            {"PolicyName": "ReadOnlyAccess", "PolicyType": "System"},
            {"PolicyName": "deploy-artifacts", "PolicyType": "Custom"}
        ],
        "Groups": [{"GroupName": "deployers", "CreateDate": "-600d"}],
        "Roles": [{
            "RoleName": ROTATOR_ROLE, "RoleId": "310000000000000001",
            "TrustedPrincipals": ["user/ramkey-admin"],
            "Policies": [{"PolicyName": "AliyunRAMFullAccess", "PolicyType": "System", "AttachDate": "-30d"}]
        }],
        "Users": all
    })
}

fn case_user_json(user: &CaseUser, n: usize) -> Value {
    let retired_last_used = match user.path {
        PathKind::Idle => "-200d",
        PathKind::Move => "-1h",
    };
    let mut value = json!({
        "UserName": user.name, "UserId": format!("{}", 3_100_000_000_000_000_u64 + n as u64),
        "CreateDate": "-400d",
        "AccessKeys": [
            {"AccessKeyId": user.retired_key, "AccessKeySecret": format!("kill-retired-secret-{n:02}"),
             "Status": "Active", "CreateDate": "-300d", "LastUsedDate": retired_last_used},
            {"AccessKeyId": user.staying_key, "AccessKeySecret": format!("kill-staying-secret-{n:02}"),
             "Status": "Active", "CreateDate": "-100d", "LastUsedDate": "-3h"}
        ]
    });
    if user.path == PathKind::Move {
        value["Policies"] = json!([
            {"PolicyName": "ReadOnlyAccess", "PolicyType": "System", "AttachDate": "-400d"},
            {"PolicyName": "deploy-artifacts", "PolicyType": "Custom", "AttachDate": "-400d"}
        ]);
        value["Groups"] = json!([{"GroupName": "deployers", "JoinDate": "-400d"}]);
    }
    value
}

/// Writes `account` to `dir/account.json` and starts `ramkey sandbox` on it
/// with `faults` (extra flags).
pub fn start_sandbox(dir: &Path, account: &Value, faults: &[&str]) -> SandboxProcess {
    let file = dir.join("account.json");
    std::fs::write(&file, serde_json::to_vec_pretty(account).unwrap()).unwrap();
    let mut args = vec!["--account".to_owned(), file.display().to_string()];
    args.extend(faults.iter().map(|&flag| flag.to_owned()));
    SandboxProcess::start(args)
}

// --- the driver ---

/// The driver binary. Cargo tells integration tests where the crate's
/// binaries are (`CARGO_BIN_EXE_*`) but not its examples; examples are built
/// into `examples/` beside the `deps/` directory holding this test, so the
/// path from this test's own executable holds for any target directory.
/// `cargo test --test X` does not build examples, so it is built here once
/// (a no-op when a bare `cargo test` already built it, and never stale).
pub fn driver() -> &'static Path {
    static DRIVER: OnceLock<PathBuf> = OnceLock::new();
    DRIVER.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test's own path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("the test runs from <target>/<profile>/deps");
        build_driver(profile_dir);
        let driver = profile_dir.join("examples").join("kill_matrix_driver");
        assert!(
            driver.is_file(),
            "{} is missing; build it with `cargo build --example kill_matrix_driver`",
            driver.display()
        );
        driver
    })
}

/// `cargo build --example kill_matrix_driver` in the profile of this test.
fn build_driver(profile_dir: &Path) {
    let Some(cargo) = std::env::var_os("CARGO") else {
        return;
    };
    let profile = match profile_dir.file_name().and_then(|name| name.to_str()) {
        Some("debug") | None => "dev",
        Some(other) => other,
    };
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--example", "kill_matrix_driver"])
        .args(["--profile", profile])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run cargo to build the driver");
    assert!(status.success(), "building the driver failed: {status}");
}

/// One case's driver: its user, state file and the sandbox's credentials.
pub struct Driver {
    pub user: CaseUser,
    pub home: tempfile::TempDir,
    pub state: PathBuf,
    env: Vec<(String, String)>,
    extra: Vec<String>,
}

impl Driver {
    pub fn new(sandbox: &SandboxProcess, user: CaseUser) -> Self {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join("state").join("state.json");
        let env = sandbox
            .client_env()
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        Self {
            user,
            home,
            state,
            env,
            extra: Vec::new(),
        }
    }

    /// Signs with these credentials instead of the sandbox's caller key.
    #[must_use]
    pub fn with_credentials(mut self, id: &str, secret: &str, token: Option<&str>) -> Self {
        self.env.retain(|(name, _)| name == "RAMKEY_ENDPOINT");
        self.env
            .push(("ALIBABA_CLOUD_ACCESS_KEY_ID".to_owned(), id.to_owned()));
        self.env.push((
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET".to_owned(),
            secret.to_owned(),
        ));
        if let Some(token) = token {
            self.env
                .push(("ALIBABA_CLOUD_SECURITY_TOKEN".to_owned(), token.to_owned()));
        }
        self
    }

    /// Adds driver flags to every run (e.g. `--log-file`).
    #[must_use]
    pub fn with_args(mut self, args: &[String]) -> Self {
        self.extra.extend(args.iter().cloned());
        self
    }

    /// Runs the driver once, `days_ahead` days later, dying at `die_at`.
    pub fn run(&self, days_ahead: i64, die_at: Option<&str>) -> DriverRun {
        let mut command = Command::new(driver());
        command
            .arg("--state")
            .arg(&self.state)
            .args(["--path", self.user.path.flag()])
            .args(["--user", &self.user.name, "--key", &self.user.retired_key])
            .args(["--days-ahead", &days_ahead.to_string()]);
        if let Some(new_user) = &self.user.new_user {
            command.args(["--new-user", new_user, "--detach", DETACHED]);
        }
        command
            .args(&self.extra)
            .env_clear()
            .env("HOME", self.home.path())
            .env("XDG_STATE_HOME", self.home.path().join("xdg"))
            .env("PATH", "/usr/bin:/bin")
            .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
            .envs(self.env.iter().map(|(n, v)| (n, v)));
        if let Some(point) = die_at {
            command.env("RAMKEY_TEST_DIE_AT", point);
        }
        let output = command.output().expect("start the driver");
        DriverRun {
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// How one driver process ended and what it printed.
#[derive(Debug)]
pub struct DriverRun {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl DriverRun {
    /// Whether it died of SIGKILL (its own death point).
    pub fn killed(&self) -> bool {
        self.status.signal() == Some(9)
    }

    pub fn complete(&self) -> bool {
        self.status.success() && self.stdout.lines().any(|line| line == "COMPLETE")
    }

    pub fn waiting(&self) -> bool {
        self.status.success() && self.stdout.lines().any(|line| line.starts_with("WAITING "))
    }

    /// The last new key it printed (id, secret).
    pub fn new_key(&self) -> Option<(String, String)> {
        let value = |name: &str| {
            self.stdout
                .lines()
                .filter_map(|line| line.strip_prefix(name))
                .next_back()
                .map(str::to_owned)
        };
        Some((value("NEW_KEY_ID=")?, value("NEW_KEY_SECRET=")?))
    }

    /// Keys it met without a secret (and replaced).
    pub fn lost_keys(&self) -> Vec<String> {
        self.stdout
            .lines()
            .filter_map(|line| line.strip_prefix("lost key: "))
            .flat_map(|ids| ids.split(','))
            .map(str::to_owned)
            .collect()
    }

    /// The run for a failure message.
    pub fn describe(&self) -> String {
        format!(
            "{}\n--- stdout\n{}--- stderr\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

// --- the account, through ramkey's own client ---

/// One user as the account has it: keys (id, status), grants, Comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserState {
    pub comments: String,
    pub keys: Vec<(String, KeyStatus)>,
    pub grants: BTreeSet<String>,
}

/// Signed calls to the sandbox as ramkey's caller.
pub struct Cloud {
    client: Client,
    runtime: tokio::runtime::Runtime,
}

impl Cloud {
    pub fn new(sandbox: &SandboxProcess) -> Self {
        let credentials = Credentials::new(
            sandbox.access_key_id(),
            Secret::new(sandbox.secret()),
            None,
            "kill matrix",
        )
        .unwrap();
        let config = ClientConfig {
            endpoints: Endpoints::single(sandbox.endpoint()).unwrap(),
            credentials,
            clock: Arc::new(SystemClock::new()),
            signature: SignatureVersion::V1,
        };
        Self {
            client: Client::new(config).unwrap(),
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
        }
    }

    /// STS credentials for the rotator role: (id, secret, token).
    pub fn assume_rotator(&self) -> (String, String, String) {
        let request = ramkey::cloud::sts::AssumeRoleRequest {
            role_arn: format!("acs:ram::{ACCOUNT_ID}:role/{ROTATOR_ROLE}"),
            session_name: "kill-matrix".to_owned(),
            duration_seconds: 3600,
            policy: None,
            external_id: None,
        };
        let assumed = self
            .runtime
            .block_on(self.client.assume_role(&request, "kill matrix"))
            .unwrap();
        let credentials = assumed.credentials;
        let token = credentials
            .security_token
            .expect("STS credentials carry a token");
        (
            credentials.access_key_id,
            credentials.secret.expose().to_owned(),
            token.expose().to_owned(),
        )
    }

    pub fn user_names(&self) -> BTreeSet<String> {
        let users = self.runtime.block_on(self.client.list_all_users()).unwrap();
        users.into_iter().map(|user| user.user_name).collect()
    }

    /// The user, or `None` when it does not exist.
    pub fn user(&self, name: &str) -> Option<UserState> {
        let found = match self.runtime.block_on(self.client.get_user(name)) {
            Ok(found) => found,
            Err(error) if error.code() == Some("EntityNotExist.User") => return None,
            Err(error) => panic!("GetUser {name}: {error}"),
        };
        let keys = self
            .runtime
            .block_on(self.client.list_access_keys(name))
            .unwrap();
        let policies = self
            .runtime
            .block_on(self.client.list_policies_for_user(name))
            .unwrap();
        let groups = self
            .runtime
            .block_on(self.client.list_groups_for_user(name))
            .unwrap();
        let policies = policies
            .into_iter()
            .map(|policy| format!("{}:{}", policy.policy_type.as_str(), policy.policy_name));
        let groups = groups
            .into_iter()
            .map(|group| format!("group:{}", group.group_name));
        Some(UserState {
            comments: found.comments,
            keys: keys
                .into_iter()
                .map(|key| (key.access_key_id, key.status))
                .collect(),
            grants: policies.chain(groups).collect(),
        })
    }
}

// --- what was written, counted ---

/// The sandbox's stderr lines from `mark` on.
pub fn log_since(sandbox: &SandboxProcess, mark: usize) -> Vec<String> {
    sandbox.stderr_lines().into_iter().skip(mark).collect()
}

/// How many times each write action took effect (answered 200; a request
/// reset after acting is logged 200 too), from the sandbox's request lines.
pub fn writes_acted(lines: &[String]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for line in lines {
        for action in WRITES {
            if line.contains(&format!(" {action} by ")) && line.contains(": 200") {
                *counts.entry(action.to_owned()).or_insert(0) += 1;
            }
        }
    }
    counts
}

/// The audit log beside `state`, every line parsed (it must parse).
pub fn audit_entries(state: &Path) -> Vec<AuditEntry> {
    let path = audit_path(state);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("the audit log {}: {error}", path.display()));
    text.lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("audit line {line:?}: {error}"))
        })
        .collect()
}

/// How many times the audit log says each write (action, target) was made:
/// answered done, or found done (an unclear answer looked up, or an earlier
/// run's intent settled by reading).
pub fn audited_writes(entries: &[AuditEntry]) -> BTreeMap<(String, String), usize> {
    let mut counts = BTreeMap::new();
    for entry in entries {
        let made = matches!(entry.kind, AuditKind::Outcome | AuditKind::Settled)
            && matches!(
                entry.outcome,
                Some(AuditOutcome::Done | AuditOutcome::FoundDone)
            );
        if made {
            *counts
                .entry((entry.action.clone(), entry.target.clone()))
                .or_insert(0) += 1;
        }
    }
    counts
}

/// Every file under `dir`, at any depth.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The files under `dir` whose bytes hold `secret` anywhere.
pub fn files_holding(dir: &Path, secret: &str) -> Vec<PathBuf> {
    assert!(secret.len() >= 8, "too short to look for: {secret:?}");
    files_under(dir)
        .into_iter()
        .filter(|file| {
            let bytes = std::fs::read(file).unwrap();
            bytes
                .windows(secret.len())
                .any(|window| window == secret.as_bytes())
        })
        .collect()
}

/// `text` with every `(from, to)` replaced, for comparing cases.
pub fn normalise(text: &str, replacements: &[(String, String)]) -> String {
    replacements
        .iter()
        .fold(text.to_owned(), |text, (from, to)| text.replace(from, to))
}
