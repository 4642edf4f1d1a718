//! `--format csv`: one row per Active key of a flagged user, then of a
//! KMS-managed user (recommendation `none`, `kms_state` `rotating`), after a
//! header line, for spreadsheets. Exempt users and notes are left out (the
//! JSON and Markdown formats carry them). Pure.

use super::{FormatError, day_or_dash};
use crate::scan::finding::ScanReport;

/// The columns, in order.
pub const HEADER: [&str; 12] = [
    "account_id",
    "user",
    "display_name",
    "recommendation",
    "key_id",
    "created",
    "last_used",
    "verdict",
    "reason",
    "used_by_ramkey",
    "kms_secret",
    "kms_state",
];

/// The header line and one row per flagged key.
pub fn render(report: &ScanReport) -> Result<String, FormatError> {
    let mut out = ::csv::Writer::from_writer(Vec::new());
    out.write_record(HEADER)?;
    for finding in &report.flagged {
        let (secret, state) = finding
            .kms
            .as_ref()
            .map_or(("", ""), |kms| (kms.managed_by.secret.as_str(), kms.state));
        for key in &finding.keys {
            out.write_record([
                report.account_id.as_str(),
                &finding.user,
                &finding.display_name,
                finding.recommendation.as_str(),
                &key.id,
                &day_or_dash(key.created),
                &day_or_dash(key.last_used),
                key.verdict.as_str(),
                &key.reason,
                if key.used_by_ramkey { "true" } else { "false" },
                secret,
                state,
            ])?;
        }
    }
    for user in &report.kms_managed {
        for key in &user.keys {
            out.write_record([
                report.account_id.as_str(),
                &user.user,
                &user.display_name,
                "none",
                key,
                "-",
                "-",
                "-",
                "KMS rotation changing over",
                "false",
                &user.managed_by.secret,
                "rotating",
            ])?;
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|error| ::csv::Error::from(error.into_error()))?;
    Ok(String::from_utf8(bytes).expect("the rows are UTF-8 strings"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::format::sample;

    #[test]
    fn one_row_per_flagged_key_that_reads_back() {
        let text = render(&sample::report()).unwrap();
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());

        assert_eq!(reader.headers().unwrap(), HEADER.as_slice());
        let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][1], "u007");
        assert_eq!(&rows[0][2], "应用, \"app\" | 7");
        assert_eq!(&rows[0][4], "LTAI-A");
        assert_eq!(&rows[0][6], "2024-01-02");
        assert_eq!(&rows[1][6], "-");
        assert_eq!(&rows[1][7], "unknown");
        assert!(
            rows.iter().all(|row| &row[1] != "ci"),
            "exempt users are no rows"
        );
        assert!(
            rows.iter()
                .all(|row| row[10].is_empty() && row[11].is_empty())
        );
    }

    #[test]
    fn stuck_rows_name_their_secret_and_managed_users_follow_as_rotating() {
        let text = render(&sample::kms_report()).unwrap();
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 4);
        for row in &rows[..2] {
            assert_eq!(&row[3], "fix_kms_rotation");
            assert_eq!(&row[10], "acs/ram/user/u007");
            assert_eq!(&row[11], "rotation_stuck");
        }
        for (row, key) in rows[2..].iter().zip(["LTAI-OLD", "LTAI-NEW"]) {
            assert_eq!(&row[1], "pay");
            assert_eq!(&row[3], "none");
            assert_eq!(&row[4], key);
            assert_eq!(&row[11], "rotating");
        }
    }
}
