//! A headless ramkey for the kill tests (`tests/kill_matrix.rs`,
//! `tests/secrets_on_disk.rs`): ramkey's engine in a process of its own,
//! doing what an admin at the wizard would do, so a test can SIGKILL it at a
//! death point (`RAMKEY_TEST_DIE_AT`) and start it again.
//!
//! It resolves credentials from the environment like the binary
//! (`ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET`, `RAMKEY_ENDPOINT`), opens the
//! state file, settles what an earlier run left, then performs the rest of
//! the chosen path from whatever step the state file is at, typing the
//! confirmations a human would type. A key whose secret died with an
//! earlier process is replaced as the wizard offers (`ReplaceLostKey`, the
//! new user's name typed). It stops when the rotation is complete (prints
//! `COMPLETE`) or when the old key's deletion is not due yet (prints
//! `WAITING <date>`); `--days-ahead` moves the engine's clock (never the
//! signing clock) so a later run finds the 90 days passed.
//!
//! The disable waits for the new key to be verified (BC-12): refused that
//! way, it checks the key again once, as the wizard's `v` does, with the
//! secret this process holds or `--new-key-secret`.
//!
//! Stdout, one line each: `step: <summary>`, `not verified: <key id>`, `NEW_KEY_ID=<id>` and
//! `NEW_KEY_SECRET=<secret>` (so tests can look for that secret on disk; a
//! real ramkey shows it only on screen), `COMPLETE` or `WAITING <date>`.
//! Errors go to stderr with exit status 1. Depends on ramkey's library only,
//! never on its UI or commands.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, bail};
use clap::{Parser, ValueEnum};
use ramkey::clock::{Clock, SystemClock};
use ramkey::cloud::model::PolicyType;
use ramkey::cloud::{Client, ClientConfig, Credentials, Endpoints, SignatureVersion};
use ramkey::rotation::{
    Action, Confirmation, Engine, EngineError, EngineOptions, KeyCheckOptions, Outcome, PolicyRef,
    Start, StepKind,
};
use ramkey::secret::Secret;
use ramkey::state::StateStore;
use ramkey::state::steps::Grant;

/// The kill tests' headless ramkey.
#[derive(Debug, Parser)]
struct Args {
    /// The state file.
    #[arg(long)]
    state: PathBuf,
    /// Which path to take.
    #[arg(long, value_enum)]
    path: PathArg,
    /// The flagged user.
    #[arg(long)]
    user: String,
    /// The key to retire.
    #[arg(long)]
    key: String,
    /// The new user's name (move path).
    #[arg(long)]
    new_user: Option<String>,
    /// The policy to detach from the original user at the end (move path),
    /// as `System:Name` or `Custom:Name`.
    #[arg(long)]
    detach: Option<String>,
    /// Run the engine's clock this many days ahead (the signing clock stays).
    #[arg(long, default_value_t = 0)]
    days_ahead: i64,
    /// Write the engine's logs to this file.
    #[arg(long)]
    log_file: Option<PathBuf>,
    /// The log level for `--log-file`.
    #[arg(long, default_value = "info")]
    log_level: String,
    /// The new key's secret as an earlier run printed it, pasted when the
    /// new key must be verified again and this process never saw it.
    #[arg(long)]
    new_key_secret: Option<String>,
    /// Stop checking a new key after this many seconds (default 120).
    #[arg(long)]
    key_check_cap: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PathArg {
    Idle,
    Move,
}

/// How a run ended, when it did not fail.
enum Ended {
    Complete,
    Waiting(String),
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(run(&args)) {
        Ok(Ended::Complete) => println!("COMPLETE"),
        Ok(Ended::Waiting(due)) => println!("WAITING {due}"),
        Err(error) => {
            eprintln!("kill_matrix_driver: {error:#}");
            return std::process::ExitCode::FAILURE;
        }
    }
    std::process::ExitCode::SUCCESS
}

async fn run(args: &Args) -> anyhow::Result<Ended> {
    if let Some(path) = &args.log_file {
        init_logging(path, &args.log_level)?;
    }
    let mut engine = open_engine(args).await?;
    settle_earlier_runs(&mut engine, &args.user).await?;
    Driver { args, engine }.run().await
}

/// The client as the binary builds it from the environment, and the engine
/// over the state file with a clock `--days-ahead` days later.
async fn open_engine(args: &Args) -> anyhow::Result<Engine> {
    let endpoint = std::env::var("RAMKEY_ENDPOINT").context("RAMKEY_ENDPOINT is not set")?;
    let credentials = Credentials::from_env().context("no credentials in the environment")?;
    let config = ClientConfig {
        endpoints: Endpoints::single(&endpoint)?,
        credentials,
        clock: Arc::new(SystemClock::new()),
        signature: SignatureVersion::V1,
    };
    let client = Client::new(config)?;
    let caller = client
        .get_caller_identity()
        .await
        .context("GetCallerIdentity")?;
    let store = StateStore::open(&args.state, &caller.account_id)?;
    let mut key_check = KeyCheckOptions::default();
    if let Some(cap) = args.key_check_cap {
        key_check.cap = std::time::Duration::from_secs(cap);
    }
    let engine = Engine::new(client, store, engine_clock(args), EngineOptions::default())
        .with_key_check(key_check);
    Ok(engine)
}

/// The system clock, `--days-ahead` days later.
fn engine_clock(args: &Args) -> Arc<dyn Clock> {
    let clock = SystemClock::new();
    clock.advance(chrono::Duration::days(args.days_ahead));
    Arc::new(clock)
}

/// What the wizard does on opening: an intent left by a killed run is
/// settled by reading (never by calling again).
async fn settle_earlier_runs(engine: &mut Engine, user: &str) -> anyhow::Result<()> {
    if let Some(found) = engine.reconcile(user).await? {
        println!("settled: {found}");
    }
    Ok(())
}

struct Driver<'a> {
    args: &'a Args,
    engine: Engine,
}

impl Driver<'_> {
    async fn run(mut self) -> anyhow::Result<Ended> {
        let user = self.args.user.clone();
        if self.engine.plan(&user).is_none() {
            let start = match self.args.path {
                PathArg::Idle => Start::DisableIdle {
                    key_id: self.args.key.clone(),
                },
                PathArg::Move => Start::MoveToNewUser {
                    key_id: self.args.key.clone(),
                },
            };
            self.perform(Action::Start(start)).await?;
        }
        // Whether this process holds the new key's secret (it printed it).
        let mut secret_shown = false;
        // The new key is checked again once, when the disable needs it.
        let mut verified_again = false;
        while let Some(step) = self.engine.next_step(&user) {
            if let Some(due) = self.deletion_not_due(step) {
                // The wizard shows the step blocked; nobody asks for it.
                return Ok(Ended::Waiting(due));
            }
            let action = match step {
                StepKind::ConfirmSecretStored if !secret_shown => {
                    // A human who never saw the secret answers "n".
                    Action::SecretNotStored(self.new_user_typed()?)
                }
                StepKind::CreateKey => Action::CreateKey,
                other => self.action_for(other).await?,
            };
            match self.perform(action).await {
                Ok(outcome) => secret_shown |= outcome.new_key.is_some(),
                Err(EngineError::NotDue { delete_after, .. }) => {
                    return Ok(Ended::Waiting(delete_after.to_rfc3339()));
                }
                Err(
                    EngineError::UnrecordedKeys { key_ids, .. }
                    | EngineError::SecretLost { key_ids, .. },
                ) if step == StepKind::CreateKey => {
                    println!("lost key: {}", key_ids.join(","));
                    let typed = self.new_user_typed()?;
                    let outcome = self.perform(Action::ReplaceLostKey(typed)).await?;
                    secret_shown |= outcome.new_key.is_some();
                }
                Err(EngineError::NewKeyNotVerified { key_id, .. }) if !verified_again => {
                    // The wizard's `v`: check again, pasting the secret if needed.
                    println!("not verified: {key_id}");
                    verified_again = true;
                    self.verify_again().await?;
                }
                Err(error) => return Err(error.into()),
            }
        }
        Ok(Ended::Complete)
    }

    /// Checks the new key again, with the secret this process holds or the
    /// one passed as `--new-key-secret`.
    async fn verify_again(&mut self) -> Result<Outcome, EngineError> {
        let held = self.engine.holds_new_key_secret(&self.args.user);
        let pasted = match (&self.args.new_key_secret, held) {
            (Some(secret), false) => Some(Secret::new(secret.clone())),
            _ => None,
        };
        self.perform(Action::VerifyKey(pasted)).await
    }

    /// When the old key may be deleted, if `step` is its deletion and that
    /// is still ahead by the engine's clock.
    fn deletion_not_due(&self, step: StepKind) -> Option<String> {
        if step != StepKind::DeleteKey {
            return None;
        }
        let due = self.engine.plan(&self.args.user)?.delete_after?;
        (engine_clock(self.args).now() < due).then(|| due.to_rfc3339())
    }

    /// The action an admin takes at `step` (all but the key's creation).
    async fn action_for(&self, step: StepKind) -> anyhow::Result<Action> {
        let user = &self.args.user;
        Ok(match step {
            StepKind::Review => Action::ConfirmReview,
            StepKind::ChooseName => Action::SetName(self.new_user()?.to_owned()),
            StepKind::CreateUser => Action::CreateUser,
            StepKind::CopyPermissions => Action::CopyPermissions(self.all_grants().await?),
            StepKind::ConfirmSecretStored => Action::ConfirmSecretStored,
            StepKind::ConfirmStaging => Action::ConfirmStaging,
            StepKind::ConfirmProduction => Action::ConfirmProduction,
            StepKind::DisableKey => Action::DisableKey(Confirmation::typed(user)),
            StepKind::DeleteKey => Action::DeleteKey(Confirmation::typed(user)),
            StepKind::ReviewPolicies => Action::DetachPolicies {
                policies: self.detach()?.into_iter().collect(),
                confirmation: Confirmation::typed(user),
            },
            StepKind::CreateKey | StepKind::RecordDeletionDate => {
                bail!("the driver has no action for step {step:?}")
            }
        })
    }

    /// Every policy and group of the original user, as the wizard ticks them.
    async fn all_grants(&self) -> anyhow::Result<Vec<Grant>> {
        let held = self.engine.permissions(&self.args.user).await?;
        let policies = held.policies.into_iter().map(|policy| Grant::Policy {
            policy_name: policy.policy_name,
            policy_type: policy.policy_type,
        });
        let groups = held.groups.into_iter().map(|group| Grant::Group {
            group_name: group.group_name,
        });
        Ok(policies.chain(groups).collect())
    }

    async fn perform(&mut self, action: Action) -> Result<Outcome, EngineError> {
        let outcome = self.engine.perform(&self.args.user, action).await?;
        println!("step: {}", outcome.summary);
        if let Some(key) = &outcome.new_key {
            println!("NEW_KEY_ID={}", key.access_key_id);
            // The point of this driver: tests look for this secret on disk.
            println!("NEW_KEY_SECRET={}", key.secret.expose());
        }
        Ok(outcome)
    }

    fn new_user(&self) -> anyhow::Result<&str> {
        self.args
            .new_user
            .as_deref()
            .context("the move path needs --new-user")
    }

    fn new_user_typed(&self) -> anyhow::Result<Confirmation> {
        Ok(Confirmation::typed(self.new_user()?))
    }

    fn detach(&self) -> anyhow::Result<Option<PolicyRef>> {
        let Some(text) = &self.args.detach else {
            return Ok(None);
        };
        let (kind, name) = text
            .split_once(':')
            .context("--detach is System:Name or Custom:Name")?;
        let policy_type = match kind {
            "System" => PolicyType::System,
            "Custom" => PolicyType::Custom,
            other => bail!("--detach: unknown policy type {other}"),
        };
        Ok(Some(PolicyRef {
            policy_name: name.to_owned(),
            policy_type,
        }))
    }
}

/// Every event at `level` and above to `path` (appended, no colours).
fn init_logging(path: &std::path::Path, level: &str) -> anyhow::Result<()> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open the log file {}", path.display()))?;
    let filter = tracing_subscriber::EnvFilter::try_new(level)
        .with_context(|| format!("--log-level {level}"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .init();
    Ok(())
}
