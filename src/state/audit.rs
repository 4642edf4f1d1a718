//! The audit log beside the state file: append-only JSON lines, mode 0600,
//! one line per write call's intent and outcome and per admin confirmation.
//!
//! The state file says where each rotation is; the audit log says how it got
//! there, including the calls that failed and the intents settled by reading
//! after a crash. Never holds a secret: entries carry names, ids, API error
//! codes and RequestIds only. Appending goes through `StateStore::audit`
//! (which holds the lock and refuses on a read-only file); reading is
//! [`read_history`].

use std::fs::{self, OpenOptions, Permissions};
use std::io::{self, Write as _};
use std::os::unix::fs::{FileExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::atomic::{FILE_MODE, parent_dir, sync_dir};
use super::error::StateError;
use super::journal::WriteCall;

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When it happened (UTC, whole seconds).
    pub at: DateTime<Utc>,
    /// The rotation's id.
    pub rotation: String,
    /// The flagged RAM user the rotation remediates.
    pub user: String,
    /// What kind of line this is.
    pub kind: AuditKind,
    /// The API action (`CreateUser`, ...) or the confirmation's step
    /// (`confirm_staging`, ...).
    pub action: String,
    /// What it changes, in words (see [`WriteCall::target`]).
    pub target: String,
    /// The intent's id, tying an intent to its outcome or settlement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    /// The call's `RequestId`, when it was answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// How it ended (outcomes and settlements only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<AuditOutcome>,
    /// A plain detail: the API error code and message of a failure, what a
    /// reconcile found, the reason the admin gave for a rollback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The kinds of audit line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// A write call is about to be made (its intent is saved).
    Intent,
    /// The write call was answered, or failed.
    Outcome,
    /// An intent left by an earlier run was settled by reading the cloud.
    Settled,
    /// The admin confirmed something (typed name, swap, review, start).
    Confirmation,
}

/// How a write ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// The API answered success.
    Done,
    /// The change was found made (answer lost, or settled after a crash).
    FoundDone,
    /// The change was found not made (settled after a crash); nothing happened.
    NotMade,
    /// The API refused it; nothing changed.
    Failed,
    /// No clear answer and nothing could be read back yet; the intent stays.
    Unknown,
}

impl AuditKind {
    /// The name the log uses, e.g. `intent`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::Intent => "intent",
            AuditKind::Outcome => "outcome",
            AuditKind::Settled => "settled",
            AuditKind::Confirmation => "confirmation",
        }
    }
}

impl AuditOutcome {
    /// The name the log uses, e.g. `found_done`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Done => "done",
            AuditOutcome::FoundDone => "found_done",
            AuditOutcome::NotMade => "not_made",
            AuditOutcome::Failed => "failed",
            AuditOutcome::Unknown => "unknown",
        }
    }
}

impl AuditEntry {
    /// The intent line of `call`.
    pub fn intent(
        at: DateTime<Utc>,
        rotation: &str,
        user: &str,
        intent_id: &str,
        call: &WriteCall,
    ) -> Self {
        Self {
            at,
            rotation: rotation.to_owned(),
            user: user.to_owned(),
            kind: AuditKind::Intent,
            action: call.action().to_owned(),
            target: call.target(),
            intent: Some(intent_id.to_owned()),
            request_id: None,
            outcome: None,
            detail: None,
        }
    }
}

/// The audit log of the state file at `state_path`: `<file>.audit.jsonl`.
pub fn audit_path(state_path: &Path) -> PathBuf {
    let mut name = state_path.file_name().unwrap_or_default().to_os_string();
    name.push(".audit.jsonl");
    parent_dir(state_path).join(name)
}

/// Appends `entry` as one JSON line and flushes it to disk.
///
/// The log is created 0600 whatever the umask, and tightened to 0600 if it
/// was looser. A last line torn by a crash is ended first, so that it spoils
/// only itself and not the line written after it.
pub(crate) fn append(path: &Path, entry: &AuditEntry) -> Result<(), StateError> {
    let mut line = serde_json::to_vec(entry)?;
    line.push(b'\n');

    let created = !path.exists();
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .mode(FILE_MODE)
        .open(path)
        .map_err(|source| StateError::io("cannot open the audit log", path, source))?;
    let metadata = file
        .metadata()
        .map_err(|source| StateError::io("cannot inspect", path, source))?;
    if metadata.permissions().mode() & 0o777 != FILE_MODE {
        file.set_permissions(Permissions::from_mode(FILE_MODE))
            .map_err(|source| StateError::io("cannot set the mode of", path, source))?;
    }
    if !ends_a_line(&file, metadata.len()) {
        line.insert(0, b'\n');
    }

    file.write_all(&line)
        .and_then(|()| file.sync_data())
        .map_err(|source| StateError::io("cannot write to the audit log", path, source))?;
    if created {
        sync_dir(&parent_dir(path))?;
    }
    Ok(())
}

/// Whether a file of `len` bytes is empty or ends with a newline.
fn ends_a_line(file: &fs::File, len: u64) -> bool {
    if len == 0 {
        return true;
    }
    let mut last = [0_u8];
    // Unreadable counts as ended: an extra blank line is skipped on reading.
    file.read_at(&mut last, len - 1)
        .map_or(true, |_| last[0] == b'\n')
}

/// The audit log as read back: every readable entry in order, and where the
/// unreadable lines were.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// The entries, oldest first.
    pub entries: Vec<AuditEntry>,
    /// How many non-blank lines could not be read (a line torn by a crash,
    /// or an edit by hand).
    pub unreadable: usize,
    /// Their line numbers, from 1.
    pub unreadable_lines: Vec<usize>,
}

/// Reads the audit log of the state file at `state_path`; a missing log is
/// an empty history. Unreadable lines are counted, not fatal.
pub fn read_history(state_path: &Path) -> Result<History, StateError> {
    let path = audit_path(state_path);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(History::default()),
        Err(source) => return Err(StateError::io("cannot read", &path, source)),
    };

    let mut history = History::default();
    for (index, line) in bytes.split(|byte| *byte == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice(line) {
            Ok(entry) => history.entries.push(entry),
            Err(_) => history.unreadable_lines.push(index + 1),
        }
    }
    history.unreadable = history.unreadable_lines.len();
    Ok(history)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str) -> AuditEntry {
        let call = WriteCall::CreateUser {
            user_name: "app-v2".into(),
        };
        let mut entry = AuditEntry::intent(
            "2026-01-02T03:04:05Z".parse().unwrap(),
            "0123456789ab",
            "app",
            "intent-1",
            &call,
        );
        entry.action = action.to_owned();
        entry
    }

    #[test]
    fn lines_read_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        for action in ["A", "B", "C"] {
            append(&audit_path(&state), &entry(action)).unwrap();
        }

        let history = read_history(&state).unwrap();

        let actions: Vec<&str> = history.entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["A", "B", "C"]);
        assert_eq!(history.unreadable, 0);
    }

    #[test]
    fn a_torn_last_line_is_counted_and_spoils_nothing_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        let log = audit_path(&state);
        append(&log, &entry("A")).unwrap();
        let mut torn = fs::read(&log).unwrap();
        torn.extend_from_slice(br#"{"at":"2026-01-02T03:04:05Z","rot"#);
        fs::write(&log, &torn).unwrap();

        assert_eq!(read_history(&state).unwrap().unreadable_lines, [2]);
        append(&log, &entry("C")).unwrap();

        let history = read_history(&state).unwrap();
        let actions: Vec<&str> = history.entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["A", "C"]);
        assert_eq!(history.unreadable, 1);
        assert_eq!(history.unreadable_lines, [2]);
    }

    #[test]
    fn names_are_the_ones_the_log_uses() {
        for kind in [
            AuditKind::Intent,
            AuditKind::Outcome,
            AuditKind::Settled,
            AuditKind::Confirmation,
        ] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        for outcome in [
            AuditOutcome::Done,
            AuditOutcome::FoundDone,
            AuditOutcome::NotMade,
            AuditOutcome::Failed,
            AuditOutcome::Unknown,
        ] {
            assert_eq!(serde_json::to_value(outcome).unwrap(), outcome.as_str());
        }
    }

    #[test]
    fn a_missing_log_is_an_empty_history() {
        let dir = tempfile::tempdir().unwrap();
        let history = read_history(&dir.path().join("state.json")).unwrap();
        assert_eq!(history, History::default());
    }

    #[test]
    fn a_looser_log_is_tightened_on_the_next_line() {
        let dir = tempfile::tempdir().unwrap();
        let log = audit_path(&dir.path().join("state.json"));
        fs::write(&log, b"").unwrap();
        fs::set_permissions(&log, Permissions::from_mode(0o644)).unwrap();

        append(&log, &entry("A")).unwrap();

        assert_eq!(
            fs::metadata(&log).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
