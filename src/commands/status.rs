//! `ramkey status`: the rotations in progress, their next step and the
//! deletions due, read from the state file(s) only; `--history` prints the
//! audit logs, `--ics FILE` also writes a calendar of the deletion dates.
//! No network, and no writes but the calendar asked for.

mod history;
mod ics;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{DateTime, SubsecRound as _, Utc};
use serde::Serialize;

use super::demo::world_path;
use crate::cli::{GlobalArgs, OutputFormat, StatusArgs};
use crate::clock::{Clock, SystemClock};
use crate::rotation::{RotationView, StepStatus, rotation_view};
use crate::state::{self, Loaded, StateDocument};

/// One state file's rotations, as `--format json` prints them.
#[derive(Debug, Serialize)]
struct FileStatus {
    path: PathBuf,
    account_id: String,
    schema_version: u32,
    rotations: Vec<RotationStatus>,
    #[serde(skip)]
    reminders: Vec<ics::Reminder>,
}

#[derive(Debug, Serialize)]
struct RotationStatus {
    #[serde(flatten)]
    view: RotationView,
    complete: bool,
    deletion_due: bool,
}

/// Prints every rotation of `--state PATH`, or of each file in the default
/// state directory (or their audit logs, with `--history`).
pub fn run(global: &GlobalArgs, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let now = SystemClock::new().now().trunc_subsecs(0);
    let files = match &global.state {
        Some(path) => vec![path.clone()],
        None => default_files()?,
    };
    if args.history {
        return print_history(&files, args.format, now);
    }

    let mut statuses = Vec::new();
    let mut refused = false;
    for path in files {
        match state::inspect(&path) {
            Ok(parsed) => {
                report_schema(&path, &parsed.loaded);
                statuses.push(file_status(&path, parsed.document, now));
            }
            Err(error) => {
                eprintln!("ramkey: {error}");
                refused = true;
            }
        }
    }

    if let Some(calendar) = &args.ics {
        write_calendar(calendar, &statuses, now)?;
    }
    let text = match args.format {
        OutputFormat::Table => render_table(&statuses, now),
        OutputFormat::Json => render_json(&statuses, now)?,
    };
    print(&text)?;
    Ok(exit_code(refused))
}

fn print_history(
    files: &[PathBuf],
    format: OutputFormat,
    now: DateTime<Utc>,
) -> anyhow::Result<ExitCode> {
    let (histories, failed) = history::read_all(files);
    let text = match format {
        OutputFormat::Table => history::render_table(&histories),
        OutputFormat::Json => history::render_json(&histories, now)?,
    };
    print(&text)?;
    Ok(exit_code(failed))
}

fn print(text: &str) -> anyhow::Result<()> {
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("cannot write the status to stdout")
}

fn exit_code(failed: bool) -> ExitCode {
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Says on stderr when a file is not in this ramkey's schema: it is shown
/// all the same (migrated in memory, or read as far as it can be).
fn report_schema(path: &Path, loaded: &Loaded) {
    match loaded {
        Loaded::Current => {}
        Loaded::Migrated { from, .. } => eprintln!(
            "ramkey: {} is in an older layout (schema_version {from}); shown as migrated, \
             unchanged on disk (the wizard migrates it, keeping a .v{from}.bak copy)",
            path.display()
        ),
        Loaded::Newer { version } => eprintln!(
            "ramkey: {} was written by a newer ramkey (schema_version {version}); shown as far \
             as this version can read it; the wizard will open it read-only",
            path.display()
        ),
    }
}

/// Writes the calendar of every rotation awaiting deletion, atomically, 0600.
fn write_calendar(path: &Path, statuses: &[FileStatus], now: DateTime<Utc>) -> anyhow::Result<()> {
    let reminders: Vec<ics::Reminder> = statuses
        .iter()
        .flat_map(|status| status.reminders.iter().cloned())
        .collect();
    let text = ics::calendar(&reminders, now);
    state::atomic::write_atomically(path, text.as_bytes())
        .with_context(|| format!("cannot write the calendar {}", path.display()))?;
    eprintln!(
        "ramkey: wrote {} deletion reminder(s) to {}",
        reminders.len(),
        path.display()
    );
    Ok(())
}

fn default_files() -> anyhow::Result<Vec<PathBuf>> {
    let dir = state::default_dir()?;
    let files = without_demo_sandboxes(state::list_state_files(&dir)?);
    if files.is_empty() {
        eprintln!(
            "ramkey: no state files in {}; pass --state PATH for one elsewhere",
            dir.display()
        );
    }
    Ok(files)
}

/// Drops the sandbox that `ramkey demo --state FILE` keeps beside FILE
/// (`FILE.sandbox.json`): it is the demo's account, not a state file.
fn without_demo_sandboxes(files: Vec<PathBuf>) -> Vec<PathBuf> {
    let sandboxes: Vec<PathBuf> = files.iter().map(|file| world_path(file)).collect();
    files
        .into_iter()
        .filter(|file| !sandboxes.contains(file))
        .collect()
}

fn file_status(path: &Path, document: StateDocument, now: DateTime<Utc>) -> FileStatus {
    let reminders = ics::reminders(&document);
    let rotations = document
        .rotations
        .iter()
        .map(|rotation| {
            let view = rotation_view(rotation, now, None);
            RotationStatus {
                complete: view.is_complete(),
                deletion_due: view.deletion_due(now),
                view,
            }
        })
        .collect();
    FileStatus {
        path: path.to_path_buf(),
        account_id: document.account_id,
        schema_version: document.schema_version,
        rotations,
        reminders,
    }
}

fn render_json(statuses: &[FileStatus], now: DateTime<Utc>) -> anyhow::Result<String> {
    let document = serde_json::json!({ "generated_at": now, "state_files": statuses });
    let mut text = serde_json::to_string_pretty(&document)?;
    text.push('\n');
    Ok(text)
}

fn render_table(statuses: &[FileStatus], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    for status in statuses {
        let _ = writeln!(
            out,
            "{} (account {})",
            status.path.display(),
            status.account_id
        );
        if status.rotations.is_empty() {
            out.push_str("  no rotations\n");
        }
        for rotation in &status.rotations {
            out.push_str(&rotation_line(&rotation.view, now));
        }
        let due: Vec<&RotationStatus> =
            status.rotations.iter().filter(|r| r.deletion_due).collect();
        if !due.is_empty() {
            out.push_str("  Deletions due now:\n");
            for rotation in due {
                let _ = writeln!(
                    out,
                    "    {} of {} (since {})",
                    rotation.view.key_id,
                    rotation.view.user,
                    day(rotation.view.delete_after.unwrap_or(now)),
                );
            }
        }
    }
    out
}

fn rotation_line(view: &RotationView, now: DateTime<Utc>) -> String {
    let new_user = view
        .new_user
        .as_ref()
        .map(|name| format!(" -> {name}"))
        .unwrap_or_default();
    let head = format!(
        "  {}{new_user}: {} ({}), started {}",
        view.user,
        view.path.title(),
        view.key_id,
        day(view.started_at)
    );
    let next = match view
        .steps
        .iter()
        .find(|step| !matches!(step.status, StepStatus::Done { .. }))
    {
        None => "complete".to_owned(),
        Some(step) => match step.status {
            StepStatus::Waiting { until } => format!(
                "next: {}, due {} (in {} days)",
                step.title,
                day(until),
                days_until(until, now)
            ),
            _ if view.deletion_due(now) => format!("next: {} (due now)", step.title),
            _ => format!("next: {}", step.title),
        },
    };
    let mut line = format!("{head}\n    {next}\n    {}\n", view.explanation);
    if let (false, Some(new_user)) = (view.lost_keys.is_empty(), &view.new_user) {
        let _ = writeln!(
            line,
            "    {new_user} holds a key nobody has the secret of ({}): replace it in the wizard",
            view.lost_keys.join(", ")
        );
    }
    if let Some(pending) = &view.pending {
        let _ = writeln!(
            line,
            "    in flight when ramkey last stopped: {pending}; the wizard checks it (by \
             reading) before anything else"
        );
    }
    line
}

/// Whole days from `now` to `until`, rounded to the nearest day.
fn days_until(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    ((until - now).num_seconds().max(0) + 43_200) / 86_400
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}
