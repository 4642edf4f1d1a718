//! `--format markdown`: a heading line, a table of the flagged keys, the
//! stuck KMS rotations, the exempt and KMS-managed users and the notes, for
//! tickets and wikis. Pure.

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
    stuck_list(&mut out, report);
    exempt_table(&mut out, report);
    managed_table(&mut out, report);
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

fn stuck_list(out: &mut String, report: &ScanReport) {
    let stuck: Vec<_> = report
        .flagged
        .iter()
        .filter_map(|finding| finding.kms.as_ref().map(|kms| (finding, kms)))
        .collect();
    if stuck.is_empty() {
        return;
    }
    out.push_str("\n## KMS rotation stuck\n\n");
    for (finding, kms) in stuck {
        let by = &kms.managed_by;
        let _ = writeln!(
            out,
            "- {}: secret `{}` in {} (AutomaticRotation {}): {}. Advice: {}.",
            cell(&finding.user),
            cell(&by.secret),
            by.region,
            by.automatic_rotation,
            cell(&kms.reason),
            kms.advice
        );
    }
}

fn managed_table(out: &mut String, report: &ScanReport) {
    if report.kms_managed.is_empty() {
        return;
    }
    out.push_str(
        "\n## KMS-managed\n\nTwo Active AccessKeys while KMS rotates them: not flagged; never \
         disable or delete their keys by hand.\n\n\
         | User | Display name | Secret | Region | Last rotation | Change-over until | AccessKeys |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for user in &report.kms_managed {
        let by = &user.managed_by;
        let keys: Vec<String> = user
            .keys
            .iter()
            .map(|id| format!("`{}`", cell(id)))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | `{}` | {} | {} | {} | {} |",
            cell(&user.user),
            cell(&user.display_name),
            cell(&by.secret),
            by.region,
            day_or_dash(by.last_rotation),
            stamp(user.window_ends),
            keys.join(", "),
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
    fn stuck_rotations_and_managed_users_have_their_sections() {
        let text = render(&sample::kms_report());
        assert!(
            text.contains("| u007 | 应用, \"app\" \\| 7 | fix_kms_rotation | `LTAI-A` |"),
            "{text}"
        );
        let stuck = "\n## KMS rotation stuck\n\n- u007: secret `acs/ram/user/u007` in cn-hangzhou \
                     (AutomaticRotation Invalid): KMS reports AutomaticRotation=Invalid: it cannot \
                     rotate this secret. Advice: check the KMS service role";
        assert!(text.contains(stuck), "{text}");
        let managed = "| pay | 支付 | `acs/ram/user/pay` | cn-hangzhou | 2026-12-03 | \
                       2026-12-05T08:00:00Z | `LTAI-OLD`, `LTAI-NEW` |";
        assert!(text.contains(managed), "{text}");
        assert!(!text.contains("## Exempt"), "{text}");
    }

    #[test]
    fn a_clean_report_is_the_heading_alone() {
        let mut report = sample::report();
        report.flagged.clear();
        report.exempt.clear();
        report.kms_managed.clear();
        report.notes.clear();
        let text = render(&report);
        assert_eq!(text.lines().count(), 3, "{text}");
    }
}
