//! End to end under a pty: the real `ramkey` wizard, driven by keyboard alone, moves
//! `ci-deployer`'s application to a new user against `ramkey sandbox` running as a
//! separate process. Half-way it quits and starts again on the same state file, which
//! must bring it back to the same step.
//!
//! Afterwards the sandbox's account is read back through signed API calls (ramkey's
//! own `cloud::Client`), and the state file is read as plain JSON: the rotation at the
//! step it reached, mode 0600, and no secret anywhere ramkey wrote.

#[path = "support/pty.rs"]
mod pty;
#[path = "support/sandbox_process.rs"]
mod sandbox_process;
#[path = "support/wizard_steps.rs"]
mod wizard_steps;

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pty::{Key, PATIENCE, PtyProgram};
use ramkey::clock::SystemClock;
use ramkey::cloud::model::KeyStatus;
use ramkey::cloud::{Client, ClientConfig, Credentials, Endpoints};
use ramkey::secret::Secret;
use sandbox_process::SandboxProcess;
use serde_json::Value;
use wizard_steps::{
    ask_for_the_key, confirm_swaps, open_user, quit, start_move, start_wizard, take_the_secret,
};

/// The demo account's user with two busy keys, policies and a group: the move path.
const ORIGINAL: &str = "ci-deployer";
/// The name the test types over the suggested one.
const NEW_USER: &str = "ci-deployer-e2e";

#[test]
fn move_path_by_keyboard_with_a_resume_then_the_account_and_state_agree() {
    let sandbox = SandboxProcess::start::<_, &str>([]);
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state.json");
    let admin = Account::new(&sandbox, sandbox.access_key_id(), sandbox.secret());
    let original_grants = admin.grants(ORIGINAL);
    assert!(
        original_grants.len() > 1 && original_grants.iter().any(|g| g.starts_with("group:")),
        "{ORIGINAL} should have policies and a group to copy: {original_grants:?}"
    );

    let mut wizard = start_wizard(&sandbox, home.path(), &state, &[], &[]);
    open_user(&wizard, ORIGINAL);
    let moved_key = start_move(&wizard);
    create_user_and_copy(&wizard);
    ask_for_the_key(&wizard);
    let (new_key, new_secret) = take_the_secret(&wizard);
    quit(&mut wizard);

    let halfway = read_state(&state);
    assert_eq!(halfway["rotations"][0]["path"]["step"], "confirm_staging");

    let mut wizard = start_wizard(&sandbox, home.path(), &state, &[], &[]);
    wizard.wait_for("move to new user: 5/11 steps", PATIENCE);
    open_user(&wizard, ORIGINAL);
    wizard.wait_for("Step 6 of 11: Confirm staging uses the new key", PATIENCE);
    confirm_swaps(&wizard);
    disable_old_key(&wizard, &admin, &moved_key);
    quit(&mut wizard);

    // The account, through signed calls.
    let comments = admin.comments_of(NEW_USER);
    assert!(
        comments.contains(ORIGINAL),
        "{NEW_USER}'s comment {comments:?}"
    );
    assert_eq!(admin.grants(NEW_USER), original_grants);
    assert_eq!(
        admin.keys(NEW_USER),
        vec![(new_key.clone(), KeyStatus::Active)]
    );
    let original_keys = admin.keys(ORIGINAL);
    assert!(original_keys.contains(&(moved_key.clone(), KeyStatus::Inactive)));
    assert_eq!(
        original_keys
            .iter()
            .filter(|(_, status)| *status == KeyStatus::Active)
            .count(),
        1,
        "the other key of {ORIGINAL} stays Active: {original_keys:?}"
    );
    let as_new_user = Account::new(&sandbox, &new_key, &new_secret);
    assert!(
        as_new_user
            .caller_arn()
            .ends_with(&format!(":user/{NEW_USER}"))
    );

    // The state file.
    let mode = std::fs::metadata(&state).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "state file mode {mode:o}");
    let document = read_state(&state);
    let rotation = &document["rotations"][0];
    assert_eq!(rotation["user"], ORIGINAL);
    assert_eq!(rotation["key_id"], moved_key.as_str());
    assert_eq!(rotation["path"]["kind"], "move_to_new_user");
    assert_eq!(rotation["path"]["step"], "await_deletion");
    let prepared = &rotation["path"]["prepared"];
    assert_eq!(prepared["new_user"]["name"], NEW_USER);
    assert_eq!(prepared["new_key"]["key_id"], new_key.as_str());
    assert!(rotation["path"]["disabled"]["delete_after"].is_string());
    assert_no_secret_under(home.path(), &new_secret);
    assert_no_secret_under(home.path(), sandbox.secret());
}

// --- the wizard, step by step ---

fn create_user_and_copy(wizard: &PtyProgram) {
    wizard.press(Key::Enter);
    wizard.wait_for(&format!("New user name: {ORIGINAL}-v2"), PATIENCE);
    wizard.press_all(&[Key::Backspace, Key::Backspace, Key::Backspace]);
    wizard.type_text("-e2e");
    wizard.wait_for(&format!("New user name: {NEW_USER}"), PATIENCE);
    wizard.press(Key::Enter);
    wizard.wait_for("Step 2 of 11: Create the new user", PATIENCE);

    wizard.press(Key::Enter);
    wizard.wait_for("Create the user now?", PATIENCE);
    wizard.press(Key::Char('y'));
    wizard.wait_for("Step 3 of 11: Copy policies and groups", PATIENCE);

    // Every grant is ticked by default; Enter copies them all.
    wizard.press(Key::Enter);
    wizard.wait_for("[x] group  deployers", PATIENCE);
    wizard.press(Key::Enter);
    wizard.wait_for("Step 4 of 11: Create the new AccessKey", PATIENCE);
}

/// Disables the moved key; a name that does not match yet must change nothing.
/// The new key was seen to work first (BC-12), and the confirmation shows
/// the old key's last use.
fn disable_old_key(wizard: &PtyProgram, admin: &Account, moved_key: &str) {
    wizard.wait_for("works: verified", PATIENCE);
    wizard.press(Key::Enter);
    wizard.wait_for(
        &format!("Type the user name {ORIGINAL} to confirm"),
        PATIENCE,
    );
    wizard.wait_for(&format!("Last use of {moved_key}:"), PATIENCE);

    let almost = &ORIGINAL[..ORIGINAL.len() - 1];
    wizard.type_text(almost);
    wizard.wait_for("Does not match yet", PATIENCE);
    wizard.press(Key::Enter);
    wizard.wait_for("Does not match yet", PATIENCE);
    assert!(
        admin
            .keys(ORIGINAL)
            .contains(&(moved_key.to_owned(), KeyStatus::Active)),
        "a partly typed name disabled the key"
    );

    wizard.type_text(&ORIGINAL[almost.len()..]);
    wizard.wait_for(wizard_steps::NAME_MATCHES, PATIENCE);
    wizard.press(Key::Enter);
    wizard.wait_for("waiting for deletion", PATIENCE);
    wizard.wait_for("Step 10 of 11: Delete the old key", PATIENCE);
}

// --- the account, through ramkey's own client ---

struct Account {
    client: Client,
    runtime: tokio::runtime::Runtime,
}

impl Account {
    fn new(sandbox: &SandboxProcess, key_id: &str, secret: &str) -> Self {
        let credentials = Credentials::new(key_id, Secret::new(secret), None, "e2e test").unwrap();
        let config = ClientConfig {
            endpoints: Endpoints::single(sandbox.endpoint()).unwrap(),
            credentials,
            clock: Arc::new(SystemClock::new()),
            signature: ramkey::cloud::SignatureVersion::V1,
        };
        Self {
            client: Client::new(config).unwrap(),
            runtime: tokio::runtime::Runtime::new().unwrap(),
        }
    }

    /// The user's Comments; fails when the user does not exist.
    fn comments_of(&self, user: &str) -> String {
        let found = self.runtime.block_on(self.client.get_user(user)).unwrap();
        assert_eq!(found.user_name, user);
        found.comments
    }

    /// Policies (`type:name`) and groups (`group:name`) of a user.
    fn grants(&self, user: &str) -> BTreeSet<String> {
        let policies = self
            .runtime
            .block_on(self.client.list_policies_for_user(user))
            .unwrap();
        let groups = self
            .runtime
            .block_on(self.client.list_groups_for_user(user))
            .unwrap();
        let policies = policies
            .into_iter()
            .map(|policy| format!("{}:{}", policy.policy_type.as_str(), policy.policy_name));
        let groups = groups
            .into_iter()
            .map(|group| format!("group:{}", group.group_name));
        policies.chain(groups).collect()
    }

    fn keys(&self, user: &str) -> Vec<(String, KeyStatus)> {
        let keys = self
            .runtime
            .block_on(self.client.list_access_keys(user))
            .unwrap();
        keys.into_iter()
            .map(|key| (key.access_key_id, key.status))
            .collect()
    }

    fn caller_arn(&self) -> String {
        self.runtime
            .block_on(self.client.get_caller_identity())
            .unwrap()
            .arn
    }
}

// --- what ramkey wrote ---

fn read_state(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("state file: {error}\n{text}"))
}

/// No file under `dir` (state file, lock, log, anything) holds `secret`.
fn assert_no_secret_under(dir: &Path, secret: &str) {
    assert!(!secret.is_empty());
    for file in files_under(dir) {
        let bytes = std::fs::read(&file).unwrap();
        let found = bytes
            .windows(secret.len())
            .any(|window| window == secret.as_bytes());
        assert!(!found, "{} holds a secret", file.display());
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
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
