//! `ramkey status --history`: the audit log beside each state file, as a
//! table or as JSON. Reads only; a line torn by a crash is reported and
//! skipped.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::state::{self, AuditEntry, AuditOutcome, History};

/// One state file's audit log, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct FileHistory {
    state_file: PathBuf,
    audit_log: PathBuf,
    entries: Vec<AuditEntry>,
    unreadable_lines: Vec<usize>,
}

/// Reads the audit log of each state file; one that cannot be read is
/// reported on stderr and left out (the `bool` says whether any was).
pub fn read_all(files: &[PathBuf]) -> (Vec<FileHistory>, bool) {
    let mut histories = Vec::new();
    let mut failed = false;
    for path in files {
        // The audit log sits beside the real file (through symlinks), as the
        // store writes it; a directory is no state file.
        let real = state::resolve::resolve(path).map(|(real, _)| real);
        match real.and_then(|real| state::read_history(&real).map(|history| (real, history))) {
            Ok((real, history)) => {
                warn_unreadable(&real, &history);
                histories.push(FileHistory {
                    state_file: path.clone(),
                    audit_log: state::audit_path(&real),
                    entries: history.entries,
                    unreadable_lines: history.unreadable_lines,
                });
            }
            Err(error) => {
                eprintln!("ramkey: {error}");
                failed = true;
            }
        }
    }
    (histories, failed)
}

fn warn_unreadable(path: &Path, history: &History) {
    if history.unreadable == 0 {
        return;
    }
    let lines: Vec<String> = history
        .unreadable_lines
        .iter()
        .map(ToString::to_string)
        .collect();
    eprintln!(
        "ramkey: {} unreadable line(s) in {} (line {}), skipped: a last line cut short by a \
         crash is expected; others were changed by hand",
        history.unreadable,
        state::audit_path(path).display(),
        lines.join(", ")
    );
}

/// The histories as one JSON document.
pub fn render_json(histories: &[FileHistory], now: DateTime<Utc>) -> serde_json::Result<String> {
    let document = serde_json::json!({ "generated_at": now, "histories": histories });
    let mut text = serde_json::to_string_pretty(&document)?;
    text.push('\n');
    Ok(text)
}

const HEADINGS: [&str; 8] = [
    "TIME",
    "USER",
    "KIND",
    "ACTION",
    "TARGET",
    "OUTCOME",
    "REQUEST ID",
    "DETAIL",
];

/// The histories as aligned columns, one block per audit log.
pub fn render_table(histories: &[FileHistory]) -> String {
    let mut out = String::new();
    for history in histories {
        let _ = writeln!(
            out,
            "{} (state file {})",
            history.audit_log.display(),
            history.state_file.display()
        );
        if history.entries.is_empty() {
            out.push_str("  nothing recorded yet\n");
            continue;
        }
        let rows: Vec<[String; 8]> = history.entries.iter().map(row).collect();
        out.push_str(&columns(&rows));
    }
    out
}

fn row(entry: &AuditEntry) -> [String; 8] {
    let or_dash = |value: Option<&str>| value.unwrap_or("-").to_owned();
    [
        entry.at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        entry.user.clone(),
        entry.kind.as_str().to_owned(),
        entry.action.clone(),
        entry.target.clone(),
        or_dash(entry.outcome.map(AuditOutcome::as_str)),
        or_dash(entry.request_id.as_deref()),
        or_dash(entry.detail.as_deref()),
    ]
}

/// Pads every column but the last to its widest cell; two spaces between.
fn columns(rows: &[[String; 8]]) -> String {
    let width = |cell: &str| unicode_width::UnicodeWidthStr::width(cell);
    let mut widths = HEADINGS.map(width);
    for row in rows {
        for (column, cell) in row.iter().enumerate() {
            widths[column] = widths[column].max(width(cell));
        }
    }

    let headings = HEADINGS.map(str::to_owned);
    let mut out = String::new();
    for row in std::iter::once(&headings).chain(rows) {
        let (last, padded) = row.split_last().expect("eight columns");
        out.push_str("  ");
        for (cell, column_width) in padded.iter().zip(widths) {
            out.push_str(cell);
            out.extend(std::iter::repeat_n(' ', column_width - width(cell) + 2));
        }
        out.push_str(last);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{AuditKind, WriteCall};

    #[test]
    fn the_table_shows_every_field_aligned() {
        let call = WriteCall::CreateUser {
            user_name: "app-v2".into(),
        };
        let at = "2026-01-02T03:04:05Z".parse().unwrap();
        let intent = AuditEntry::intent(at, "r1", "app", "i1", &call);
        let mut outcome = intent.clone();
        outcome.kind = AuditKind::Outcome;
        outcome.outcome = Some(AuditOutcome::Done);
        outcome.request_id = Some("REQ-1".into());
        outcome.detail = Some("created".into());
        let history = FileHistory {
            state_file: "s.json".into(),
            audit_log: "s.json.audit.jsonl".into(),
            entries: vec![intent, outcome],
            unreadable_lines: Vec::new(),
        };

        let table = render_table(&[history]);

        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "s.json.audit.jsonl (state file s.json)");
        assert_eq!(
            lines[1],
            "  TIME                  USER  KIND     ACTION      TARGET       OUTCOME  REQUEST ID  DETAIL"
        );
        assert_eq!(
            lines[2],
            "  2026-01-02T03:04:05Z  app   intent   CreateUser  user app-v2  -        -           -"
        );
        assert_eq!(
            lines[3],
            "  2026-01-02T03:04:05Z  app   outcome  CreateUser  user app-v2  done     REQ-1       created"
        );
    }
}
