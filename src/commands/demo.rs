//! `ramkey demo`: the wizard against the built-in sandbox, started in this
//! process on a free loopback port; no credentials needed.
//!
//! Without `--state` the state file lives in a temporary directory and is
//! gone afterwards. With `--state FILE` it is kept, and so is the
//! sandbox's account beside it (`FILE.sandbox.json`), so that the next
//! `ramkey demo --state FILE` resumes against the same users and keys, not
//! a fresh demo account that never saw the steps already done. A kept file
//! that is not this demo's state is refused before anything is written
//! beside it. The sandbox's simulated applications run (the living demo)
//! and follow the swaps confirmed; `>` jumps the shared clock past a waiting
//! period (`world.rs`). Depends on the sandbox, the state file's checks and
//! on [`super::wizard`].

mod world;

use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;

use super::setup;
use super::wizard::{self, Session};
use crate::cli::{DemoArgs, GlobalArgs};
use crate::clock::{Clock, SystemClock};
use crate::cloud::{
    Client, ClientConfig, Credentials, Endpoints, Retry, SignatureVersion, Timeouts,
};
use crate::sandbox::{self, Account, SandboxHandle};
use crate::secret::Secret;
use crate::state::{self, Refusal, StateError, StateStore};
use crate::ui::event_loop;

/// `ramkey demo [--state PATH] [--account FILE]`.
pub async fn run(global: &GlobalArgs, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    wizard::require_terminal()?;

    // Kept alive until the end: dropping it deletes the temporary state.
    let temporary = tempfile::Builder::new().prefix("ramkey-demo-").tempdir()?;
    let state_path = global
        .state
        .clone()
        .unwrap_or_else(|| temporary.path().join("state.json"));
    // Beside the real file, as the state file itself is locked and saved: a
    // symlink or another spelling of the path must find the same sandbox.
    let saved_world = global
        .state
        .as_deref()
        .map(|path| world_path(&real_state_path(path)));

    let account = load_account(args, saved_world.as_deref())?;
    if let Some(path) = &global.state {
        check_kept_state(path, &account.account_id)?;
    }
    let kms_regions = account.kms_regions();
    // One clock for the sandbox and the engine, so the demo's jump moves both.
    let system_clock = SystemClock::new();
    let clock: Arc<dyn Clock> = Arc::new(system_clock.clone());
    let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let handle = sandbox::start(listen, account, Arc::clone(&clock))
        .await
        .context("cannot start the demo sandbox")?;
    handle.set_living(true);
    let demo_world = world::SandboxWorld::new(system_clock, handle.applications());
    eprintln!(
        "ramkey demo: built-in sandbox at {}, not a real account; state file {}",
        handle.endpoint(),
        state_path.display()
    );

    // A dry run or a read-only run changes neither the sandbox nor the state.
    let writes = !(global.dry_run || global.read_only);
    let resume_hint = match &global.state {
        Some(_) if !writes => {
            "nothing was recorded: this run was a dry run or read-only".to_owned()
        }
        Some(path) => format!("run `ramkey demo --state {}` to resume", path.display()),
        None => "it is temporary and removed now; use --state FILE to keep it".to_owned(),
    };
    let saved_world = saved_world.filter(|_| writes);
    let (observer, retries) = event_loop::retry_channel();
    let retry = Retry::default().observed_by(observer);
    let session = Session {
        client: sandbox_client(&handle, &clock, setup::signature(global), retry)?,
        retries,
        clock,
        state_path: Some(state_path),
        demo: true,
        resume_hint,
        kms_regions,
        demo_world: Some(Arc::new(demo_world)),
    };
    if let Some(path) = saved_world.clone() {
        keep_world_saved(&handle, path);
    }
    let handle = Arc::new(handle);
    let outcome = wizard::run_session(session, global).await;

    if let Some(path) = &saved_world {
        save_world(
            &handle.account_snapshot(),
            handle.caller_access_key_id(),
            path,
        )?;
    }
    if let Ok(handle) = Arc::try_unwrap(handle) {
        handle.shutdown().await?;
    }
    outcome
}

/// Saves the sandbox's account after every write it acts on, before its
/// answer is sent: ramkey records a write's outcome only after the answer,
/// so a demo killed at any point leaves a world at least as far on as its
/// state file, and the next start sees no false drift.
fn keep_world_saved(handle: &SandboxHandle, path: PathBuf) {
    let caller = handle.caller_access_key_id().to_owned();
    handle.after_each_write(Arc::new(move |account: &Account| {
        if let Err(error) = save_world(account, &caller, &path) {
            tracing::warn!("cannot save the demo sandbox: {error:#}");
        }
    }));
}

/// The state file's real path (through symlinks), as the store resolves it;
/// the path as given when its directory does not exist yet.
fn real_state_path(path: &Path) -> PathBuf {
    state::resolve::resolve(path).map_or_else(|_| path.to_path_buf(), |(real, _)| real)
}

/// Where the sandbox's account is kept beside a kept state file.
pub fn world_path(state: &Path) -> PathBuf {
    let mut name = state.as_os_str().to_owned();
    name.push(".sandbox.json");
    PathBuf::from(name)
}

/// The saved sandbox account, else `--account`, else the built-in one.
fn load_account(args: &DemoArgs, saved_world: Option<&Path>) -> anyhow::Result<Account> {
    if let Some(path) = saved_world.filter(|path| path.exists()) {
        eprintln!(
            "ramkey demo: resuming the sandbox saved in {}",
            path.display()
        );
        return Account::load(path).with_context(|| format!("cannot load {}", path.display()));
    }
    match &args.account {
        Some(path) => Account::load(path)
            .with_context(|| format!("cannot load the account {}", path.display())),
        None => Ok(Account::demo()),
    }
}

/// Refuses a kept state file that is not this demo account's ramkey state
/// before anything starts, as the wizard would refuse it later: by then
/// the sandbox beside it (`FILE.sandbox.json`) would already be written next
/// to a file ramkey must leave alone. Opening (and closing) the store does
/// what the wizard's opening does: a damaged file is copied aside and kept,
/// a newer one is left for the wizard to open read-only.
fn check_kept_state(path: &Path, account_id: &str) -> anyhow::Result<()> {
    match StateStore::open(path, account_id) {
        Ok(_store) => Ok(()),
        Err(StateError::Refused {
            reason: Refusal::OtherAccount { found },
            ..
        }) => anyhow::bail!(
            "{} is the state file of account {found}, not of the demo sandbox (account \
             {account_id}); ramkey demo leaves it untouched. Pass --state with another path \
             for the demo",
            path.display()
        ),
        Err(error) => Err(error.into()),
    }
}

/// A client signing with the sandbox's caller key.
fn sandbox_client(
    handle: &SandboxHandle,
    clock: &Arc<dyn Clock>,
    signature: SignatureVersion,
    retry: Retry,
) -> anyhow::Result<Client> {
    let credentials = Credentials::new(
        handle.caller_access_key_id(),
        handle.caller_secret().clone(),
        None,
        "the demo sandbox",
    )?;
    let config = ClientConfig {
        endpoints: Endpoints::single(&handle.endpoint())?,
        credentials,
        clock: Arc::clone(clock),
        signature,
    };
    let client = Client::with_retry(config, Timeouts::default(), retry)?;
    Ok(client)
}

/// Writes the sandbox's account for the next `ramkey demo --state`.
///
/// Every secret but the caller's is replaced by a fresh random value first:
/// the secret of a key created in the demo was shown once and must not be
/// written anywhere, and only the caller's key ever signs in the demo.
fn save_world(account: &Account, caller_key_id: &str, path: &Path) -> anyhow::Result<()> {
    let mut account = account.clone();
    for key in account
        .users
        .iter_mut()
        .flat_map(|user| user.access_keys.iter_mut())
    {
        if key.access_key_id != caller_key_id {
            key.access_key_secret = Secret::new(uuid::Uuid::new_v4().simple().to_string());
        }
    }
    let json = serde_json::to_vec_pretty(&account)?;

    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty());
    let mut temp = tempfile::NamedTempFile::new_in(dir.unwrap_or(Path::new(".")))?;
    temp.write_all(&json)?;
    temp.as_file().sync_all()?;
    temp.persist(path)
        .with_context(|| format!("cannot save the demo sandbox to {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_world_file_of_a_linked_state_file_sits_beside_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        std::fs::write(&target, b"{}").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let real = std::fs::canonicalize(&target).unwrap();
        assert_eq!(world_path(&real_state_path(&link)), world_path(&real));
        // Another spelling of the same path finds the same world too.
        let dotted = dir.path().join(".").join("real.json");
        assert_eq!(world_path(&real_state_path(&dotted)), world_path(&real));
    }

    #[test]
    fn the_world_file_sits_beside_the_state_file() {
        assert_eq!(
            world_path(Path::new("/tmp/x/state.json")),
            PathBuf::from("/tmp/x/state.json.sandbox.json")
        );
    }

    #[test]
    fn the_saved_world_keeps_only_the_caller_secret() {
        let account = Account::demo();
        let caller = account.caller_access_key_id.clone();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json.sandbox.json");
        save_world(&account, &caller, &path).unwrap();

        let saved = Account::load(&path).unwrap();
        for (before, after) in account.users.iter().zip(&saved.users) {
            for (old, new) in before.access_keys.iter().zip(&after.access_keys) {
                let same = old.access_key_secret == new.access_key_secret;
                assert_eq!(same, old.access_key_id == caller, "{}", old.access_key_id);
            }
        }
    }
}
