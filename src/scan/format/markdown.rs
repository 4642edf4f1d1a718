//! `--format markdown`: a heading line, a table of the flagged keys, the
//! exempt users and the notes, for tickets and wikis. Pure.

use std::fmt::Write as _;

use super::{day_or_dash, stamp};
use crate::scan::finding::{ScanReport, source_name};

/// The document, ending with a newline.
pub fn render(report: &ScanReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# ramkey scan of account {}\n",
        cell(&report.account_id)
    );
    let _ = writeln!(
        out,
        "{} of {} users flagged (two Active AccessKeys); source `{}`, data as of {}, \
         scanned {}, idle after {} days.",
        report.flagged.len(),
        report.users_scanned,
        source_name(report.source),
        stamp(report.data_as_of),
        stamp(report.scanned_at),
        report.idle_days,
    );
    flagged_table(&mut out, report);
    exempt_table(&mut out, report);
    notes(&mut out, &report.notes);
    out
}

fn flagged_table(out: &mut String, report: &ScanReport) {
    if report.flagged.is_empty() {
        return;
    }
    out.push_str(
        "\n| User | Display name | Recommendation | AccessKey | Created | Last used | Verdict | Evidence |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for finding in &report.flagged {
        for key in &finding.keys {
            let mut evidence = cell(&key.reason);
            if key.used_by_ramkey {
                evidence.push_str(" (ramkey is signing with this key)");
            }
            let _ = writeln!(
                out,
                "| {} | {} | {} | `{}` | {} | {} | {} | {evidence} |",
                cell(&finding.user),
                cell(&finding.display_name),
                finding.recommendation.as_str(),
                cell(&key.id),
                day_or_dash(key.created),
                day_or_dash(key.last_used),
                key.verdict.as_str(),
            );
        }
    }
}

fn exempt_table(out: &mut String, report: &ScanReport) {
    if report.exempt.is_empty() {
        return;
    }
    out.push_str("\n## Exempt\n\n| User | Display name | Reason |\n|---|---|---|\n");
    for user in &report.exempt {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            cell(&user.user),
            cell(&user.display_name),
            cell(&user.reason)
        );
    }
}

fn notes(out: &mut String, notes: &[String]) {
    if notes.is_empty() {
        return;
    }
    out.push_str("\n## Notes\n\n");
    for note in notes {
        let _ = writeln!(out, "- {}", note.replace('\n', " "));
    }
}

/// Text that cannot break the table: pipes escaped, lines joined.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::format::sample;

    #[test]
    fn the_document_has_its_heading_table_exempt_users_and_notes() {
        let text = render(&sample::report());
        let expected = "\
# ramkey scan of account 1234

1 of 250 users flagged (two Active AccessKeys); source `report`, data as of 2026-12-03T14:02:00Z, scanned 2026-12-03T16:00:00Z, idle after 90 days.

| User | Display name | Recommendation | AccessKey | Created | Last used | Verdict | Evidence |
|---|---|---|---|---|---|---|---|
| u007 | 应用, \"app\" \\| 7 | review | `LTAI-A` | 2020-01-01 | 2024-01-02 | idle | last used 2024-01-02 |
| u007 | 应用, \"app\" \\| 7 | review | `LTAI-B` | 2020-01-01 | - | unknown | no last-use date |

## Exempt

| User | Display name | Reason |
|---|---|---|
| ci |  | rotated by vault |

## Notes

- report generated 2026-12-03 14:02 UTC, 1 h ago
";
        assert_eq!(text, expected);
    }

    #[test]
    fn a_clean_report_is_the_heading_alone() {
        let mut report = sample::report();
        report.flagged.clear();
        report.exempt.clear();
        report.notes.clear();
        let text = render(&report);
        assert_eq!(text.lines().count(), 3, "{text}");
    }
}
