//! Carries out what the secret dialog asked for, right after the key press
//! that asked: the only place the wizard hands the new secret to anything —
//! the terminal (OSC 52, through the [`TerminalWriter`] the wizard draws on)
//! or a new file the admin named ([`crate::secret::export`]).
//!
//! Logs what was done (copied; saved to which path, in which form), never
//! the secret or the sequence. Depends on [`super::app`], the dialog,
//! [`super::clipboard`] and [`crate::secret::export`].

use std::path::PathBuf;

use super::app::App;
use super::clipboard::{self, TerminalWriter};
use super::flow::Dialog;
use super::secret_dialog::{Job, JobOutcome, SecretDialog};
use crate::secret::export::{self, Form, KeyToSave};

/// Where a typed file name is resolved: `~` and relative paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Places {
    /// The admin's home, for `~`.
    pub home: Option<PathBuf>,
    /// The directory ramkey was started in, for relative paths.
    pub cwd: PathBuf,
}

impl Places {
    /// This process's home and current directory.
    pub fn process() -> Self {
        Self {
            home: dirs::home_dir(),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        }
    }
}

/// Runs the secret dialog's pending job, if it has one, with this
/// process's home and current directory.
pub fn run_pending<T: TerminalWriter + ?Sized>(app: &mut App, terminal: &mut T) {
    if has_job(app) {
        run_pending_in(app, terminal, &Places::process());
    }
}

/// [`run_pending`], resolving file names in `places`.
pub fn run_pending_in<T: TerminalWriter + ?Sized>(
    app: &mut App,
    terminal: &mut T,
    places: &Places,
) {
    let Some(dialog) = secret_dialog(app) else {
        return;
    };
    let Some(job) = dialog.take_job() else {
        return;
    };
    let outcome = match job {
        Job::Copy => copy(dialog, terminal),
        Job::Save { form, typed } => save(dialog, form, typed, places),
    };
    dialog.finish(outcome);
}

fn has_job(app: &App) -> bool {
    matches!(
        app.dialog.as_ref().map(|open| &open.dialog),
        Some(Dialog::Secret(dialog)) if dialog.job().is_some()
    )
}

fn secret_dialog(app: &mut App) -> Option<&mut SecretDialog> {
    match &mut app.dialog.as_mut()?.dialog {
        Dialog::Secret(dialog) => Some(dialog),
        _ => None,
    }
}

fn copy<T: TerminalWriter + ?Sized>(dialog: &SecretDialog, terminal: &mut T) -> JobOutcome {
    match clipboard::copy(terminal, dialog.secret()) {
        Ok(()) => {
            tracing::info!(
                key = dialog.access_key_id(),
                "new secret sent to the clipboard (OSC 52)"
            );
            JobOutcome::Copied
        }
        Err(error) => {
            tracing::warn!(key = dialog.access_key_id(), %error, "could not copy the new secret");
            JobOutcome::CopyFailed(format!("the terminal could not be written to ({error})"))
        }
    }
}

fn save(dialog: &SecretDialog, form: Form, typed: String, places: &Places) -> JobOutcome {
    let key = KeyToSave {
        user: dialog.user(),
        access_key_id: dialog.access_key_id(),
        secret: dialog.secret(),
    };
    let home = places.home.as_deref();
    let saved = export::resolve(&typed, home, &places.cwd)
        .and_then(|path| export::save(&path, home, form, &key).map(|()| path));
    match saved {
        Ok(path) => {
            let path = export::shown(&path, home);
            tracing::info!(key = key.access_key_id, form = form.label(), %path, "new key saved");
            JobOutcome::Saved { form, path }
        }
        Err(error) => {
            tracing::warn!(key = key.access_key_id, %error, "new key not saved");
            JobOutcome::SaveFailed {
                form,
                typed,
                why: error.to_string(),
            }
        }
    }
}
