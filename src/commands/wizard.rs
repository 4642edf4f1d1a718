//! `ramkey` / `ramkey wizard`: the interactive wizard against the account
//! the environment's credentials belong to; also the session `ramkey demo`
//! runs against its sandbox.
//!
//! Order matters: refuse a non-terminal first, send logs to a file, read
//! who ramkey is and open the state file on the normal screen (errors there
//! print plainly), then take over the terminal: the start screen says who
//! ramkey is, which state file it uses and what it said, and offers the
//! rotations in progress first, while the scan runs under its gauge and
//! the findings list fills in; a scan error shows in the error dialog. Depends on the cloud client, the state store, the engine
//! and the UI.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use crossterm::event::EventStream;

use super::setup;
use crate::cli::{GlobalArgs, WizardArgs};
use crate::clock::{Clock, SystemClock};
use crate::cloud::{Client, Retry};
use crate::rotation::{Engine, EngineOptions};
use crate::scan::{ConfigFile, Exemptions};
use crate::state::StateStore;
use crate::ui::engine_bridge::{DemoWorld, Starting};
use crate::ui::event_loop::{self, Inputs, RetryNotices};
use crate::ui::scan_feed::scan_feed;
use crate::ui::terminal::TerminalGuard;
use crate::ui::view::{ErrorView, Snapshot};
use crate::ui::{App, Exit};

/// What a wizard session runs against.
pub struct Session {
    /// The client, already pointed at its endpoint, its retries observed
    /// by the sender of `retries`.
    pub client: Client,
    /// The client's retries, shown while a call waits for its next try.
    pub retries: RetryNotices,
    /// The clock the client and engine use.
    pub clock: Arc<dyn Clock>,
    /// `--state`, or a path the caller chose (the demo's temporary file).
    pub state_path: Option<PathBuf>,
    /// Running against the built-in sandbox.
    pub demo: bool,
    /// The last line printed: how to come back to this progress.
    pub resume_hint: String,
    /// The regions to look for KMS RAM secrets in when `--kms-region`
    /// names none (the demo's sandbox regions).
    pub kms_regions: Vec<crate::cloud::Region>,
    /// `ramkey demo`'s world (its clock and simulated applications).
    pub demo_world: Option<Arc<dyn DemoWorld>>,
}

/// `ramkey` and `ramkey wizard`.
pub async fn run(global: &GlobalArgs, args: &WizardArgs) -> anyhow::Result<ExitCode> {
    require_terminal()?;
    // Read as `ramkey scan` reads them, before anything is called.
    let config = ConfigFile::choose(args.config.as_deref());
    let exemptions = Exemptions::load(config.as_ref(), &args.exempt)?;

    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    // The cause says what to set or write (environment, profiles,
    // docs/credentials.md), exactly as `ramkey scan` says it.
    let (observer, retries) = event_loop::retry_channel();
    let retry = Retry::default().observed_by(observer);
    let client = setup::observed_client(global, Arc::clone(&clock), retry).context(
        "cannot start the wizard (`ramkey demo` runs it against a built-in sandbox, \
         without credentials)",
    )?;

    let session = Session {
        client,
        retries,
        clock,
        state_path: global.state.clone(),
        demo: false,
        resume_hint: "run ramkey again (with the same --state, if any) to resume".to_owned(),
        kms_regions: Vec::new(),
        demo_world: None,
    };
    run_session_marking(session, global, exemptions).await
}

/// Why every write is refused with `--read-only`, on the banner and in
/// each refusal.
const READ_ONLY_REASON: &str = "started with --read-only (for auditors): ramkey only reads";

/// Refuses to start the wizard without a terminal on both ends.
pub fn require_terminal() -> anyhow::Result<()> {
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        return Ok(());
    }
    anyhow::bail!(
        "the wizard needs an interactive terminal (stdin and stdout); \
         for scripts and pipes use `ramkey scan` (and `ramkey status`)"
    )
}

/// Scans under the gauge, then runs the wizard until the admin quits.
pub async fn run_session(session: Session, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    run_session_marking(session, global, Exemptions::default()).await
}

/// [`run_session`], marking the users in `exemptions` as exempt.
pub async fn run_session_marking(
    session: Session,
    global: &GlobalArgs,
    exemptions: Exemptions,
) -> anyhow::Result<ExitCode> {
    let Session {
        client,
        retries,
        clock,
        state_path,
        demo,
        resume_hint,
        kms_regions,
        demo_world,
    } = session;

    // Who ramkey is and what the state file said show on the start screen.
    let identity = setup::caller(&client).await?;
    let path = match state_path {
        Some(path) => path,
        None => setup::state_path(global, &identity.account_id)?,
    };
    let mut store = StateStore::open(&path, &identity.account_id)?;
    if global.read_only {
        store.refuse_changes(READ_ONLY_REASON);
    }
    let options = EngineOptions {
        idle_days: global.idle_days,
        wait_days: global.wait_days,
    };
    let mut engine = Engine::new(client, store, Arc::clone(&clock), options)
        .with_kms(setup::kms_options(global, &kms_regions));
    if global.dry_run {
        engine = engine.in_dry_run();
    }

    // The list starts empty and fills in as the scan finds users; what an
    // earlier run left in flight is told once the start is over.
    let (sender, feed) = scan_feed();
    let starting = Starting::new(engine, Arc::clone(&clock), sender)
        .with_demo_world(demo_world)
        .with_exemptions(exemptions);
    let empty = Snapshot {
        users: Vec::new(),
        taken_at: clock.now(),
    };
    let mut app =
        App::scanning(starting.header(&identity, demo), empty).at_start(starting.start_view());
    app.no_color = crate::ui::color::requested();

    let exit = {
        let mut guard = TerminalGuard::enter()?;
        let stops = event_loop::signals().context("cannot listen for SIGTERM")?;
        let inputs = Inputs {
            events: EventStream::new(),
            stops,
            retries,
        };
        event_loop::run_starting(guard.screen(), inputs, &mut app, starting, feed).await?
        // The guard drops here: the terminal is restored before anything prints.
    };

    if let Some(failure) = app.start_failure() {
        // The dialog is gone with the screen: the failure stays readable.
        eprintln!("ramkey: {}", said_plainly(failure));
    }
    match exit {
        Exit::Quit => {}
        Exit::Interrupted => eprintln!("ramkey: stopped by Ctrl-C (SIGINT)."),
        Exit::Terminated => eprintln!("ramkey: stopped by a signal (SIGTERM or SIGHUP)."),
    }
    if global.dry_run {
        eprintln!(
            "ramkey: dry run: nothing was sent, and nothing recorded in {}.",
            path.display()
        );
    } else {
        eprintln!("ramkey: state file {}; {resume_hint}.", path.display());
    }
    if let Some(log) = super::logging::current_path() {
        eprintln!("ramkey: log file {}", log.display());
    }
    if app.start_failure().is_some() && exit == Exit::Quit {
        return Ok(ExitCode::FAILURE);
    }
    Ok(exit_code(exit))
}

/// The error dialog's content on one line: what failed, the code, the
/// message, the RequestId and the hint.
fn said_plainly(error: &ErrorView) -> String {
    let mut said = vec![format!("{} {}", error.doing, error.message)];
    said.extend(error.code.as_ref().map(|code| format!("code {code}")));
    said.extend(
        error
            .request_id
            .as_ref()
            .map(|id| format!("RequestId {id}")),
    );
    said.extend(error.hint.as_ref().map(|hint| format!("hint: {hint}")));
    said.join("; ")
}

/// 0 for `q`; the shell's codes for a signal otherwise.
fn exit_code(exit: Exit) -> ExitCode {
    match exit {
        Exit::Quit => ExitCode::SUCCESS,
        Exit::Interrupted => ExitCode::from(130),
        Exit::Terminated => ExitCode::from(143),
    }
}
