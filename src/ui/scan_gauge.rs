//! The scan's gauge, above the findings list while the scan runs: what it
//! is doing and from which source, a line gauge of the users checked (once
//! their total is known), the counts (users listed, keys checked, flagged,
//! rate, throttled, ETA), and the scan's notes, such as why the credential
//! report was not used. After the scan it says that the settling runs, or
//! that the scan failed.
//!
//! Every line is wrapped or cut by display width. Depends on
//! [`super::scan_view`], [`super::text`] and the spinner of
//! [`super::render`].

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{LineGauge, Paragraph};

use super::render::spinner;
use super::scan_view::{ScanPhase, ScanState, ScanView, Stage};
use super::text;

/// The lines the gauge takes at `width` columns (a blank one under it).
pub fn height(scan: &ScanState, width: u16) -> u16 {
    let lines = 1 + 1 + words(scan, usize::from(width)).len() + 1;
    u16::try_from(lines).unwrap_or(u16::MAX)
}

/// Draws the gauge into `area` (cut at its bottom when short); the spinner
/// at `ticks` shows the start is alive while nothing else moves.
pub fn render(scan: &ScanState, ticks: u64, frame: &mut Frame, area: Rect) {
    let width = usize::from(area.width);
    let [title, bar, rest] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);
    let said = match scan.stage {
        Stage::Failed(_) => title_text(scan),
        Stage::Scanning | Stage::Settling => format!("{} {}", spinner(ticks), title_text(scan)),
    };
    let title_line =
        Line::from(text::truncate(&said, width)).style(Style::new().add_modifier(Modifier::BOLD));
    frame.render_widget(title_line, title);
    frame.render_widget(gauge(&scan.progress, width), bar);
    frame.render_widget(Paragraph::new(words(scan, width)), rest);
}

/// `Scanning (per-user API calls): listing users and checking their keys`.
fn title_text(scan: &ScanState) -> String {
    let progress = &scan.progress;
    // Before the first report neither the source nor the phase is known.
    let source = match progress.phase {
        ScanPhase::Starting => String::new(),
        _ => format!(" ({})", progress.source.label()),
    };
    match &scan.stage {
        Stage::Scanning => format!("Scanning{source}: {}", progress.phase.label()),
        Stage::Settling => {
            format!("Scan complete{source}; checking writes a past run left in flight…")
        }
        Stage::Failed(_) => format!("The scan failed{source}; nothing was changed."),
    }
}

/// The bar of users checked, its label first; filled with blocks so it
/// reads without colour too.
fn gauge(progress: &ScanView, width: usize) -> LineGauge<'static> {
    let (ratio, label) = match (progress.ratio(), progress.users_total) {
        (Some(ratio), Some(total)) => (
            ratio,
            format!("{} of {total} users checked", progress.users_checked),
        ),
        _ => (
            0.0,
            format!(
                "{} users checked, total not known yet",
                progress.users_checked
            ),
        ),
    };
    // At most half the width, so the bar always shows.
    let label = text::truncate(&label, width / 2);
    LineGauge::default()
        .ratio(ratio)
        .label(label)
        .filled_symbol("█")
        .unfilled_symbol("░")
        .filled_style(Style::new().fg(Color::Green))
        .unfilled_style(Style::new().fg(Color::DarkGray))
}

/// The counts, then the notes (highlighted), then a failure, wrapped.
fn words(scan: &ScanState, width: usize) -> Vec<Line<'static>> {
    let plain = Style::new();
    let highlight = Style::new().fg(Color::Yellow);
    let mut said = vec![(counts(&scan.progress), plain)];
    said.extend(
        scan.notes
            .iter()
            .map(|note| (format!("Note: {note}"), highlight)),
    );
    if let Stage::Failed(error) = &scan.stage {
        let message = error.message.trim_end_matches('.');
        said.push((
            format!("{message}. Nothing can be acted on: quit (q) and start ramkey again."),
            highlight,
        ));
    }
    said.iter()
        .flat_map(|(line, style)| {
            text::wrap(line, width)
                .into_iter()
                .map(|row| Line::from(row).style(*style))
        })
        .collect()
}

/// `Users listed 1200 of 2000 · keys checked 2310 · flagged 12 · 48.5
/// calls/s · throttled 3 · ETA 42 s · elapsed 1 min 05 s`.
pub fn counts(progress: &ScanView) -> String {
    let listed = match progress.users_total {
        Some(total) => format!("Users listed {} of {total}", progress.users_listed),
        None => format!("Users listed {}", progress.users_listed),
    };
    let eta = progress.eta.map_or_else(
        || "ETA not known yet".to_owned(),
        |eta| format!("ETA {}", duration(eta)),
    );
    [
        listed,
        format!("keys checked {}", progress.keys_checked),
        format!("flagged {}", progress.flagged),
        format!("{:.1} calls/s", progress.rate),
        format!("throttled {}", progress.throttled),
        eta,
        format!("elapsed {}", duration(progress.elapsed)),
    ]
    .join(" · ")
}

/// `42 s`, `3 min 05 s`, `1 h 02 min`.
pub fn duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min {:02} s", seconds / 60, seconds % 60),
        _ => format!("{} h {:02} min", seconds / 3600, seconds % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_the_largest_sensible_units() {
        assert_eq!(duration(Duration::from_secs(42)), "42 s");
        assert_eq!(duration(Duration::from_secs(185)), "3 min 05 s");
        assert_eq!(duration(Duration::from_secs(3720)), "1 h 02 min");
    }

    #[test]
    fn the_ratio_is_known_only_with_a_total_and_stays_within_bounds() {
        let mut view = ScanView {
            users_checked: 5,
            ..ScanView::default()
        };
        assert_eq!(view.ratio(), None);
        view.users_total = Some(0);
        assert_eq!(view.ratio(), None);
        view.users_total = Some(10);
        assert_eq!(view.ratio(), Some(0.5));
        // A count ahead of its total (a page listed twice) never overflows.
        view.users_checked = 12;
        assert_eq!(view.ratio(), Some(1.0));
    }

    #[test]
    fn the_counts_say_what_is_not_known_yet() {
        let view = ScanView {
            users_listed: 300,
            keys_checked: 410,
            flagged: 7,
            rate: 48.26,
            throttled: 3,
            elapsed: Duration::from_secs(65),
            ..ScanView::default()
        };
        assert_eq!(
            counts(&view),
            "Users listed 300 · keys checked 410 · flagged 7 · 48.3 calls/s · throttled 3 · \
             ETA not known yet · elapsed 1 min 05 s"
        );
    }
}
