//! `ramkey status`: the rotations in progress, their next step and the
//! deletions due, read from the state file(s) only. No network, no writes.

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
use crate::state::{self, StateDocument};

/// One state file's rotations, as `--format json` prints them.
#[derive(Debug, Serialize)]
struct FileStatus {
    path: PathBuf,
    account_id: String,
    rotations: Vec<RotationStatus>,
}

#[derive(Debug, Serialize)]
struct RotationStatus {
    #[serde(flatten)]
    view: RotationView,
    complete: bool,
    deletion_due: bool,
}

/// Prints every rotation of `--state PATH`, or of each file in the default
/// state directory.
pub fn run(global: &GlobalArgs, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let now = SystemClock::new().now().trunc_subsecs(0);
    let files = match &global.state {
        Some(path) => vec![path.clone()],
        None => default_files()?,
    };

    let mut statuses = Vec::new();
    let mut refused = false;
    for path in files {
        match state::read_document(&path) {
            Ok(document) => statuses.push(file_status(&path, document, now)),
            Err(error) => {
                eprintln!("ramkey: {error}");
                refused = true;
            }
        }
    }

    let text = match args.format {
        OutputFormat::Table => render_table(&statuses, now),
        OutputFormat::Json => render_json(&statuses, now)?,
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("cannot write the status to stdout")?;
    Ok(if refused {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
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
        rotations,
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
    format!("{head}\n    {next}\n    {}\n", view.explanation)
}

/// Whole days from `now` to `until`, rounded to the nearest day.
fn days_until(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    ((until - now).num_seconds().max(0) + 43_200) / 86_400
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}
