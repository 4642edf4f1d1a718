//! The progress bar `ramkey scan` draws on stderr while it runs (only when
//! stderr is a terminal): users listed and checked, keys, flagged, the
//! request rate, throttling and the time left. Driven by the scan's
//! observer; the report itself goes to stdout or the output file.

use std::fmt::Write as _;
use std::time::Duration;

use indicatif::{ProgressDrawTarget, ProgressStyle};

use crate::scan::{Phase, ScanObserver, ScanProgress};

/// How often the spinner moves while nothing else changes.
const TICK: Duration = Duration::from_millis(120);

/// An indicatif bar fed by the scan.
pub struct ProgressBar {
    bar: indicatif::ProgressBar,
}

impl ProgressBar {
    /// A bar drawn on stderr from now on.
    pub fn start() -> Self {
        let bar = indicatif::ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {elapsed:>4} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_message("starting the scan");
        bar.enable_steady_tick(TICK);
        Self { bar }
    }

    /// Removes the bar, leaving stderr as it was.
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}

impl ScanObserver for ProgressBar {
    fn progress(&self, progress: &ScanProgress) {
        self.bar.set_message(line(progress));
    }
}

/// The bar's text for one moment of the scan.
fn line(progress: &ScanProgress) -> String {
    let mut text = match progress.phase {
        Phase::Generating => "waiting for the credential report".to_owned(),
        Phase::Downloading => "reading the credential report".to_owned(),
        Phase::Listing | Phase::Checking | Phase::Done => users(progress),
    };
    let _ = write!(
        text,
        ", {} keys, {} flagged · {} calls, {:.0}/s",
        progress.keys_checked, progress.flagged, progress.calls, progress.rate
    );
    if progress.throttled > 0 {
        let _ = write!(text, ", {} throttled", progress.throttled);
    }
    if let Some(eta) = progress.eta {
        let _ = write!(text, " · about {} s left", eta.as_secs());
    }
    text
}

fn users(progress: &ScanProgress) -> String {
    match progress.users_total {
        Some(total) => format!("{} of {total} users checked", progress.users_checked),
        None => format!(
            "{} users checked, {} listed so far",
            progress.users_checked, progress.users_listed
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_how_far_and_how_fast() {
        let mut progress = ScanProgress {
            phase: Phase::Listing,
            users_listed: 300,
            users_checked: 120,
            keys_checked: 6,
            flagged: 3,
            calls: 130,
            rate: 48.4,
            ..ScanProgress::default()
        };
        assert_eq!(
            line(&progress),
            "120 users checked, 300 listed so far, 6 keys, 3 flagged · 130 calls, 48/s"
        );

        progress.users_total = Some(300);
        progress.throttled = 2;
        progress.eta = Some(Duration::from_secs(9));
        assert_eq!(
            line(&progress),
            "120 of 300 users checked, 6 keys, 3 flagged · 130 calls, 48/s, 2 throttled \
             · about 9 s left"
        );
    }
}
