//! IMS GenerateCredentialReport and GetCredentialReport: the state of the
//! account's credential report (started, in progress, completed; a fresh one
//! at most every four hours) and its pages (Base64 CSV, `NextToken`).
//!
//! The rows are built by [`rows`]; this file holds the state machine and the
//! wire shapes. A report is a snapshot of the account when its generation
//! started, dated when the generation ends (sandbox clock).

mod rows;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{Call, wire_date};
use crate::sandbox::api_error::ApiError;

/// A report younger than this is handed out again instead of a new one.
const FRESH_FOR: chrono::Duration = chrono::Duration::hours(4);
/// `MaxItems` when none is given, and the largest accepted.
const MAX_ITEMS: usize = 3501;
/// What an IMS without paging returns at most: `<root>` and this many users.
const UNPAGED_USERS: usize = 3500;
/// Tokens name the report they page and the next row.
const TOKEN_PREFIX: &str = "report:";

/// How the report emulation behaves; changeable while the sandbox runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportSettings {
    /// How long generating a report takes (sandbox clock).
    pub generation_time: Duration,
    /// `false` emulates IMS before report paging (2023-09): one page, cut
    /// at `<root>` and 3,500 users, `IsTruncated` false.
    pub paging: bool,
}

impl Default for ReportSettings {
    fn default() -> Self {
        Self {
            generation_time: Duration::from_millis(300),
            paging: true,
        }
    }
}

/// The account's reports: the one being generated and the latest completed.
#[derive(Debug, Default)]
pub struct CredentialReports {
    settings: ReportSettings,
    generating: Option<Report>,
    latest: Option<Report>,
}

/// One generated report.
#[derive(Debug, Clone)]
struct Report {
    generated_at: DateTime<Utc>,
    header: String,
    /// `<root>` first, then one line per user.
    rows: Vec<String>,
}

impl CredentialReports {
    /// Changes how the emulation behaves from the next call on.
    pub fn set_settings(&mut self, settings: ReportSettings) {
        self.settings = settings;
    }

    /// The emulation's settings.
    pub fn settings(&self) -> ReportSettings {
        self.settings
    }

    /// Moves a generation whose time has come to the latest report.
    fn settle(&mut self, now: DateTime<Utc>) {
        if self
            .generating
            .as_ref()
            .is_some_and(|report| report.generated_at <= now)
        {
            self.latest = self.generating.take();
        }
    }

    fn fresh(&self, now: DateTime<Utc>) -> bool {
        self.latest
            .as_ref()
            .is_some_and(|report| now - report.generated_at < FRESH_FOR)
    }
}

/// GenerateCredentialReport: `STARTED` when it begins a report, `INPROGRESS`
/// while one is being made, `COMPLETED` once the latest is under four hours old.
#[allow(
    clippy::unnecessary_wraps,
    reason = "every action has the Handler signature"
)]
pub fn generate_credential_report(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let now = call.now;
    call.reports.settle(now);
    let state = if call.reports.generating.is_some() {
        "INPROGRESS"
    } else if call.reports.fresh(now) {
        "COMPLETED"
    } else {
        let (header, rows) = rows::build(call.account, now);
        let takes = chrono::Duration::from_std(call.reports.settings.generation_time)
            .unwrap_or(chrono::Duration::zero());
        call.reports.generating = Some(Report {
            generated_at: now + takes,
            header,
            rows,
        });
        "STARTED"
    };
    Ok(json!({ "State": state }))
}

/// GetCredentialReport: a page of the latest completed report.
pub fn get_credential_report(call: &mut Call<'_>) -> Result<Value, ApiError> {
    call.reports.settle(call.now);
    let paging = call.reports.settings.paging;
    let Some(report) = call.reports.latest.as_ref() else {
        return Err(no_report(call.reports.generating.is_some()));
    };
    let (from, count) = if paging {
        let count = max_items(call.params.non_empty("MaxItems"))?;
        let from = call
            .params
            .non_empty("NextToken")
            .map(|token| decode_token(token, report))
            .transpose()?
            .unwrap_or(0);
        (from, count)
    } else {
        // An older IMS knows neither parameter and cuts the report.
        (0, UNPAGED_USERS + 1)
    };
    let end = from.saturating_add(count).min(report.rows.len());
    let is_truncated = paging && end < report.rows.len();
    let mut body = json!({
        "GeneratedTime": wire_date(report.generated_at),
        "Content": STANDARD.encode(page_csv(report, from, end)),
        "IsTruncated": is_truncated,
    });
    if is_truncated {
        body["NextToken"] = encode_token(report, end).into();
    }
    Ok(body)
}

/// Every page is a whole CSV: the header line, then its rows.
fn page_csv(report: &Report, from: usize, end: usize) -> String {
    let mut csv = report.header.clone();
    for row in &report.rows[from.min(end)..end] {
        csv.push('\n');
        csv.push_str(row);
    }
    csv
}

/// Before any report exists. Production's code is not documented; this is
/// the sandbox's guess, in RAM's `EntityNotExist.<Thing>` style.
fn no_report(generating: bool) -> ApiError {
    let message = if generating {
        "The credential report is being generated; call GenerateCredentialReport until it says COMPLETED."
    } else {
        "The credential report does not exist; call GenerateCredentialReport first."
    };
    ApiError::not_exist("CredentialReport", message)
}

fn max_items(given: Option<&str>) -> Result<usize, ApiError> {
    let Some(text) = given else {
        return Ok(MAX_ITEMS);
    };
    text.parse()
        .ok()
        .filter(|items| (1..=MAX_ITEMS).contains(items))
        .ok_or_else(|| {
            ApiError::invalid_parameter(
                "MaxItems",
                format!("The parameter MaxItems must be an integer from 1 to {MAX_ITEMS}."),
            )
        })
}

/// Opaque to clients: the report's date and the next row.
fn encode_token(report: &Report, next_row: usize) -> String {
    let stamp = report.generated_at.timestamp_millis();
    STANDARD.encode(format!("{TOKEN_PREFIX}{stamp}:{next_row}"))
}

/// The row a token continues at; a token of another report, or one the
/// sandbox did not issue, is refused.
fn decode_token(token: &str, report: &Report) -> Result<usize, ApiError> {
    let text = STANDARD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let parsed = text.as_deref().and_then(|text| {
        let (stamp, row) = text.strip_prefix(TOKEN_PREFIX)?.split_once(':')?;
        Some((stamp.parse::<i64>().ok()?, row.parse::<usize>().ok()?))
    });
    match parsed {
        Some((stamp, row))
            if stamp == report.generated_at.timestamp_millis() && row <= report.rows.len() =>
        {
            Ok(row)
        }
        Some(_) => Err(ApiError::invalid_parameter(
            "NextToken",
            "The parameter NextToken belongs to an earlier credential report; read the report again from its first page.",
        )),
        None => Err(ApiError::invalid_parameter(
            "NextToken",
            "The parameter NextToken is invalid; pass back the NextToken of the previous page unchanged.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(rows: usize) -> Report {
        Report {
            generated_at: DateTime::<Utc>::UNIX_EPOCH,
            header: "user".to_owned(),
            rows: (0..rows).map(|n| format!("row{n}")).collect(),
        }
    }

    #[test]
    fn tokens_round_trip_and_others_are_refused() {
        let first = report(10);
        assert_eq!(decode_token(&encode_token(&first, 4), &first).unwrap(), 4);
        let later = Report {
            generated_at: first.generated_at + chrono::Duration::hours(5),
            ..report(10)
        };
        let stale = decode_token(&encode_token(&first, 4), &later).unwrap_err();
        assert_eq!(stale.code, "InvalidParameter.NextToken");
        assert!(stale.message.contains("earlier credential report"));
        assert!(decode_token("AbC+/x==", &first).is_err());
        assert!(decode_token(&encode_token(&first, 11), &first).is_err());
    }

    #[test]
    fn pages_carry_the_header_and_their_rows() {
        let report = report(3);
        assert_eq!(page_csv(&report, 0, 2), "user\nrow0\nrow1");
        assert_eq!(page_csv(&report, 2, 3), "user\nrow2");
        assert_eq!(page_csv(&report, 3, 3), "user");
    }

    #[test]
    fn max_items_defaults_and_bounds() {
        assert_eq!(max_items(None).unwrap(), 3501);
        assert_eq!(max_items(Some("1")).unwrap(), 1);
        for bad in ["0", "3502", "x"] {
            assert_eq!(
                max_items(Some(bad)).unwrap_err().code,
                "InvalidParameter.MaxItems"
            );
        }
    }
}
