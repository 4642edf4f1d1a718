//! `ramkey scan`: find the users holding two Active AccessKeys and print
//! them as a table, JSON, CSV or Markdown (`docs/scan-output.md`), on
//! stdout or into `--output FILE`. Reads only.
//!
//! Exit code 0 when nothing is flagged, 3 when something is (exempt users
//! do not count), 1 on error.

mod output;
mod progress_bar;

use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::SubsecRound as _;

use super::setup;
use crate::cli::{GlobalArgs, ScanArgs, ScanFormat, ScanSource};
use crate::clock::{Clock, SystemClock};
use crate::cloud::pace::{PaceOptions, Pacer};
use crate::scan::format::{self, Format};
use crate::scan::{self, ConfigFile, Exemptions, ScanError, ScanObserver, ScanOptions, ScanReport};
use output::Destination;
use progress_bar::ProgressBar;

/// The exit code when the scan flagged at least one user.
const FLAGGED: u8 = 3;

/// Scans the account and prints the findings.
pub async fn run(global: &GlobalArgs, args: &ScanArgs) -> anyhow::Result<ExitCode> {
    // Everything the command line can get wrong is refused before any call.
    let exemptions = exemptions(args)?;
    let destination = Destination::choose(args.output.as_deref())?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let client = setup::client(global, Arc::clone(&clock))?;
    // Paced, so a throttling storm met by the first call is ridden out as the
    // scan's own calls ride it (the scan paces its calls with a pacer of its own).
    let identity_client = client.paced(Pacer::new(PaceOptions {
        max_rps: args.max_rps,
        ..PaceOptions::default()
    }));
    setup::identify(&identity_client).await?;

    let options = ScanOptions {
        idle_days: global.idle_days,
        now: clock.now().trunc_subsecs(0),
        source: source(args.source),
        exemptions,
        max_rps: args.max_rps,
        kms: setup::kms_options(global, &[]),
    };
    let report = scan_with_progress(&client, &options).await?;

    let format = output_format(args.format);
    destination.write(&format::render(&report, format)?)?;
    if !format::carries_notes(format) {
        print_notes(&report);
    }
    warn_about_own_key(&report);
    Ok(if report.flagged.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FLAGGED)
    })
}

fn exemptions(args: &ScanArgs) -> anyhow::Result<Exemptions> {
    let config = ConfigFile::choose(args.config.as_deref());
    Ok(Exemptions::load(config.as_ref(), &args.exempt)?)
}

/// The scan, with a progress bar on stderr when it is a terminal.
async fn scan_with_progress(
    client: &crate::cloud::Client,
    options: &ScanOptions,
) -> anyhow::Result<ScanReport> {
    let bar = std::io::stderr().is_terminal().then(ProgressBar::start);
    let observer: &dyn ScanObserver = match &bar {
        Some(bar) => bar,
        None => &scan::Quiet,
    };
    let result = scan::run(client, options, observer).await;
    if let Some(bar) = bar {
        bar.finish();
    }
    result.map_err(|error| match &error {
        ScanError::Cloud(cloud) => setup::cloud_failure("the scan failed", cloud),
        ScanError::ReportUnusable(_) => anyhow::anyhow!("the scan failed: {error}"),
    })
}

fn source(source: ScanSource) -> scan::Source {
    match source {
        ScanSource::Auto => scan::Source::Auto,
        ScanSource::Report => scan::Source::Report,
        ScanSource::Api => scan::Source::Api,
    }
}

fn output_format(format: ScanFormat) -> Format {
    match format {
        ScanFormat::Table => Format::Table,
        ScanFormat::Json => Format::Json,
        ScanFormat::Csv => Format::Csv,
        ScanFormat::Markdown => Format::Markdown,
    }
}

/// The notes a format does not carry (why the report was not used, its age).
fn print_notes(report: &ScanReport) {
    for note in &report.notes {
        eprintln!("ramkey: note: {note}");
    }
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
