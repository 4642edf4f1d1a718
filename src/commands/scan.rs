//! `ramkey scan`: find the users holding two Active AccessKeys and print
//! them as a table or as JSON (`docs/scan-output.md`). Reads only.
//!
//! Exit code 0 when nothing is flagged, 3 when something is, 1 on error.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::SubsecRound as _;

use super::setup;
use crate::cli::{GlobalArgs, OutputFormat, ScanArgs};
use crate::clock::{Clock, SystemClock};
use crate::scan::{self, ScanOptions, ScanReport};

/// The exit code when the scan flagged at least one user.
const FLAGGED: u8 = 3;

/// Scans the account and prints the findings.
pub async fn run(global: &GlobalArgs, args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let client = setup::client(global, Arc::clone(&clock))?;
    setup::identify(&client).await?;

    let options = ScanOptions {
        idle_days: global.idle_days,
        now: clock.now().trunc_subsecs(0),
    };
    let report = scan::run(&client, &options, &scan::Quiet)
        .await
        .map_err(|error| setup::cloud_failure("the scan failed", &error))?;

    print_report(&report, args.format)?;
    warn_about_own_key(&report);
    Ok(if report.flagged.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FLAGGED)
    })
}

fn print_report(report: &ScanReport, format: OutputFormat) -> anyhow::Result<()> {
    let text = match format {
        OutputFormat::Table => scan::table::render(report),
        OutputFormat::Json => {
            let mut json = serde_json::to_string_pretty(report)?;
            json.push('\n');
            json
        }
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("cannot write the report to stdout")
}

/// BC-11: say so when ramkey signs with one of the keys it would retire.
fn warn_about_own_key(report: &ScanReport) {
    for finding in &report.flagged {
        if let Some(key) = finding.ramkey_key() {
            eprintln!(
                "ramkey: note: ramkey is signing with {}, one of {}'s two Active keys; it will \
                 not disable or delete that key, so rotate {} with another credential \
                 (preferably STS)",
                key.id, finding.user, finding.user
            );
        }
    }
}
