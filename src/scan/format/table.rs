//! The `ramkey scan --format table` text, for people. Notes are not part of
//! it: `ramkey scan` prints them on stderr.
//!
//! Pure: a [`ScanReport`] in, a string out. Key lines are aligned; display
//! names (often Chinese, wider than one column per character) are kept off the
//! aligned columns so no width arithmetic can misalign them.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::scan::finding::{ExemptUser, Finding, KeyFinding, ManagedUser, ScanReport, source_name};

/// The whole report as text, ending with a newline.
pub fn render(report: &ScanReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Account {}: {} of {} users flagged (two Active AccessKeys); source {}, data as of {}; \
         scanned {}, idle after {} days",
        report.account_id,
        report.flagged.len(),
        report.users_scanned,
        source_name(report.source),
        stamp(report.data_as_of),
        stamp(report.scanned_at),
        report.idle_days,
    );
    for finding in &report.flagged {
        out.push('\n');
        render_finding(&mut out, finding);
    }
    if !report.exempt.is_empty() {
        out.push('\n');
        render_exempt(&mut out, &report.exempt);
    }
    if !report.kms_managed.is_empty() {
        out.push('\n');
        render_managed(&mut out, &report.kms_managed);
    }
    out
}

fn render_managed(out: &mut String, managed: &[ManagedUser]) {
    let _ = writeln!(
        out,
        "KMS-managed ({}; two Active AccessKeys while KMS rotates them, not flagged; never \
         disable or delete their keys by hand):",
        managed.len()
    );
    for user in managed {
        let display = if user.display_name.is_empty() {
            String::new()
        } else {
            format!(" ({})", user.display_name)
        };
        let by = &user.managed_by;
        let _ = writeln!(
            out,
            "  {}{display}  secret {} in {}, rotated {}, change-over until {}  keys {}",
            user.user,
            by.secret,
            by.region,
            day_or_dash(by.last_rotation),
            stamp(user.window_ends),
            user.keys.join(", "),
        );
    }
}

fn render_exempt(out: &mut String, exempt: &[ExemptUser]) {
    let _ = writeln!(
        out,
        "Exempt ({}; two Active AccessKeys, not flagged):",
        exempt.len()
    );
    for user in exempt {
        let display = if user.display_name.is_empty() {
            String::new()
        } else {
            format!(" ({})", user.display_name)
        };
        let _ = writeln!(out, "  {}{display}  reason: {}", user.user, user.reason);
    }
}

fn render_finding(out: &mut String, finding: &Finding) {
    let display = if finding.display_name.is_empty() {
        String::new()
    } else {
        format!(" ({})", finding.display_name)
    };
    let _ = writeln!(
        out,
        "{}{display}  recommendation: {}",
        finding.user,
        finding.recommendation.as_str()
    );

    let id_width = finding.keys.iter().map(|k| k.id.len()).max().unwrap_or(0);
    for key in &finding.keys {
        render_key(out, key, id_width);
    }
    if let Some(stuck) = &finding.kms {
        let by = &stuck.managed_by;
        let _ = writeln!(
            out,
            "  KMS rotation stuck: secret {} in {} (AutomaticRotation {}): {}\n  advice: {}",
            by.secret, by.region, by.automatic_rotation, stuck.reason, stuck.advice
        );
    }
}

fn render_key(out: &mut String, key: &KeyFinding, id_width: usize) {
    let _ = write!(
        out,
        "  {:<id_width$}  {:<8}  created {:<10}  last used {:<10}  {:<7}  {}",
        key.id,
        key.status.as_str(),
        day_or_dash(key.created),
        day_or_dash(key.last_used),
        key.verdict.as_str(),
        key.reason,
    );
    if key.used_by_ramkey {
        out.push_str("  [ramkey is signing with this key]");
    }
    out.push('\n');
}

fn day_or_dash(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "-".to_owned(), |at| at.format("%Y-%m-%d").to_string())
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::model::{CallerIdentity, KeyStatus};
    use crate::scan::finding::ScanStats;
    use crate::scan::progress::SourceKind;
    use crate::scan::recommend::Recommendation;
    use crate::scan::verdict::Verdict;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test date")
    }

    #[test]
    fn table_shows_every_key_with_its_evidence_and_the_ramkey_marker() {
        let report = ScanReport {
            account_id: "1234".to_owned(),
            scanned_at: at("2026-11-01T00:00:00Z"),
            users_scanned: 3,
            flagged: vec![Finding {
                user: "app-user".to_owned(),
                display_name: "应用".to_owned(),
                keys: vec![
                    KeyFinding {
                        id: "LTAI-IDLE".to_owned(),
                        status: KeyStatus::Active,
                        created: Some(at("2020-01-01T00:00:00Z")),
                        last_used: Some(at("2024-01-02T00:00:00Z")),
                        verdict: Verdict::Idle,
                        reason: "last used 2024-01-02".to_owned(),
                        used_by_ramkey: false,
                    },
                    KeyFinding {
                        id: "LTAI-BUSY-1".to_owned(),
                        status: KeyStatus::Active,
                        created: None,
                        last_used: None,
                        verdict: Verdict::Unknown,
                        reason: "no last-use date".to_owned(),
                        used_by_ramkey: true,
                    },
                ],
                recommendation: Recommendation::Review,
                kms: None,
            }],
            caller: CallerIdentity {
                account_id: "1234".to_owned(),
                arn: "acs:ram::1234:user/app-user".to_owned(),
                identity_type: "RAMUser".to_owned(),
                user_id: None,
                principal_id: None,
            },
            idle_days: 90,
            source: SourceKind::Api,
            data_as_of: at("2026-11-01T00:00:00Z"),
            notes: vec!["a note for stderr".to_owned()],
            exempt: Vec::new(),
            kms_managed: Vec::new(),
            stats: ScanStats::default(),
        };
        let text = render(&report);
        let expected = "\
Account 1234: 1 of 3 users flagged (two Active AccessKeys); source api, data as of 2026-11-01T00:00:00Z; scanned 2026-11-01T00:00:00Z, idle after 90 days

app-user (应用)  recommendation: review
  LTAI-IDLE    Active    created 2020-01-01  last used 2024-01-02  idle     last used 2024-01-02
  LTAI-BUSY-1  Active    created -           last used -           unknown  no last-use date  [ramkey is signing with this key]
";
        assert_eq!(text, expected);

        let mut with_exempt = report;
        with_exempt.exempt = vec![ExemptUser {
            user: "ci".to_owned(),
            display_name: String::new(),
            reason: "rotated by vault".to_owned(),
        }];
        let text = render(&with_exempt);
        let tail =
            "\nExempt (1; two Active AccessKeys, not flagged):\n  ci  reason: rotated by vault\n";
        assert!(text.starts_with(expected), "{text}");
        assert!(text.ends_with(tail), "{text}");
    }

    #[test]
    fn a_stuck_rotation_says_so_with_its_advice_and_managed_users_are_apart() {
        let text = render(&crate::scan::format::sample::kms_report());
        let expected = "\
Account 1234: 1 of 250 users flagged (two Active AccessKeys); source report, data as of 2026-12-03T14:02:00Z; scanned 2026-12-03T16:00:00Z, idle after 90 days

u007 (应用, \"app\" | 7)  recommendation: fix_kms_rotation
  LTAI-A  Active    created 2020-01-01  last used 2024-01-02  idle     last used 2024-01-02
  LTAI-B  Active    created 2020-01-01  last used -           unknown  no last-use date
  KMS rotation stuck: secret acs/ram/user/u007 in cn-hangzhou (AutomaticRotation Invalid): KMS reports AutomaticRotation=Invalid: it cannot rotate this secret
  advice: check the KMS service role AliyunKMSManagedRAMCrendentialsRole and that the user has a free AccessKey slot, then rotate with KMS RotateSecret; never disable or delete this user's keys by hand (that breaks the secret and every application reading it)

KMS-managed (1; two Active AccessKeys while KMS rotates them, not flagged; never disable or delete their keys by hand):
  pay (支付)  secret acs/ram/user/pay in cn-hangzhou, rotated 2026-12-03, change-over until 2026-12-05T08:00:00Z  keys LTAI-OLD, LTAI-NEW
";
        assert_eq!(text, expected);
    }
}
