//! The report in each output format: one file per format, each a pure
//! function from a [`ScanReport`] to the text written out.
//!
//! Knows nothing of where the text goes (stdout or `--output`).

pub mod csv;
pub mod json;
pub mod markdown;
pub mod table;

use chrono::{DateTime, Utc};

use super::finding::ScanReport;

/// The output formats of `ramkey scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for people (notes go to stderr).
    Table,
    /// One pretty-printed JSON document.
    Json,
    /// One row per flagged key, with a header line.
    Csv,
    /// A Markdown table plus the notes.
    Markdown,
}

/// Why a report could not be written out.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// serde_json refused the report (a bug).
    #[error("cannot write the report as JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The csv writer refused a row (a bug).
    #[error("cannot write the report as CSV: {0}")]
    Csv(#[from] ::csv::Error),
}

/// The report in `format`, ending with a newline.
pub fn render(report: &ScanReport, format: Format) -> Result<String, FormatError> {
    match format {
        Format::Table => Ok(table::render(report)),
        Format::Json => json::render(report),
        Format::Csv => csv::render(report),
        Format::Markdown => Ok(markdown::render(report)),
    }
}

/// Whether the format carries the notes itself (else they go to stderr).
pub fn carries_notes(format: Format) -> bool {
    matches!(format, Format::Json | Format::Markdown)
}

/// A day, or `-` when unknown.
fn day_or_dash(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "-".to_owned(), |at| at.format("%Y-%m-%d").to_string())
}

/// A moment as the JSON writes it.
fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
pub(crate) mod sample {
    //! A report with one flagged user, one exempt user and a note; and one
    //! with a KMS-managed user and a stuck one.

    use chrono::{DateTime, Utc};

    use crate::cloud::model::{CallerIdentity, KeyStatus};
    use crate::scan::finding::{
        ExemptUser, Finding, KeyFinding, ManagedUser, ScanReport, ScanStats, StuckRotation,
    };
    use crate::scan::kms::{ManagedBy, STUCK_ADVICE};
    use crate::scan::progress::SourceKind;
    use crate::scan::recommend::Recommendation;
    use crate::scan::verdict::Verdict;

    pub fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test date")
    }

    fn key(id: &str, last_used: Option<&str>, verdict: Verdict, reason: &str) -> KeyFinding {
        KeyFinding {
            id: id.to_owned(),
            status: KeyStatus::Active,
            created: Some(at("2020-01-01T00:00:00Z")),
            last_used: last_used.map(at),
            verdict,
            reason: reason.to_owned(),
            used_by_ramkey: false,
        }
    }

    pub fn report() -> ScanReport {
        ScanReport {
            account_id: "1234".to_owned(),
            scanned_at: at("2026-12-03T16:00:00Z"),
            users_scanned: 250,
            flagged: vec![Finding {
                user: "u007".to_owned(),
                display_name: "应用, \"app\" | 7".to_owned(),
                keys: vec![
                    key(
                        "LTAI-A",
                        Some("2024-01-02T00:00:00Z"),
                        Verdict::Idle,
                        "last used 2024-01-02",
                    ),
                    key("LTAI-B", None, Verdict::Unknown, "no last-use date"),
                ],
                recommendation: Recommendation::Review,
                kms: None,
            }],
            source: SourceKind::Report,
            data_as_of: at("2026-12-03T14:02:00Z"),
            notes: vec!["report generated 2026-12-03 14:02 UTC, 1 h ago".to_owned()],
            exempt: vec![ExemptUser {
                user: "ci".to_owned(),
                display_name: String::new(),
                reason: "rotated by vault".to_owned(),
            }],
            kms_managed: Vec::new(),
            stats: ScanStats {
                calls: 12,
                throttled: 1,
                elapsed_ms: 800,
            },
            caller: CallerIdentity {
                account_id: "1234".to_owned(),
                arn: "acs:ram::1234:user/admin".to_owned(),
                identity_type: "RAMUser".to_owned(),
                user_id: None,
                principal_id: None,
            },
            idle_days: 90,
        }
    }

    fn managed_by(secret: &str, rotation: &str, last: &str) -> ManagedBy {
        ManagedBy {
            secret: secret.to_owned(),
            region: "cn-hangzhou".to_owned(),
            automatic_rotation: rotation.to_owned(),
            last_rotation: Some(at(last)),
            next_rotation: None,
            invalid: rotation == "Invalid",
        }
    }

    /// [`report`] with a KMS-managed user rotating and one stuck user
    /// instead of its flagged and exempt users.
    pub fn kms_report() -> ScanReport {
        let mut report = report();
        report.exempt.clear();
        report.notes = vec!["KMS checked in cn-hangzhou (2 RAM secrets)".to_owned()];
        let stuck = &mut report.flagged[0];
        stuck.recommendation = Recommendation::FixKmsRotation;
        stuck.kms = Some(StuckRotation {
            managed_by: managed_by("acs/ram/user/u007", "Invalid", "2026-11-20T00:00:00Z"),
            state: "rotation_stuck",
            reason: "KMS reports AutomaticRotation=Invalid: it cannot rotate this secret"
                .to_owned(),
            advice: STUCK_ADVICE,
        });
        report.kms_managed = vec![ManagedUser {
            user: "pay".to_owned(),
            display_name: "支付".to_owned(),
            managed_by: managed_by("acs/ram/user/pay", "Enabled", "2026-12-03T08:00:00Z"),
            keys: vec!["LTAI-OLD".to_owned(), "LTAI-NEW".to_owned()],
            window_ends: at("2026-12-05T08:00:00Z"),
        }];
        report
    }
}
