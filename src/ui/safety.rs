//! What the safety modes say on screen: the dry run (`--dry-run`: every
//! write shown as the exact call it would make, none sent) and read-only
//! (`--read-only`: no write can start), and the exact calls the current
//! step will make.
//!
//! The gates themselves are the engine's (`rotation::engine::journal`) and
//! [`super::app::App`]'s refusal of writing requests; this file only draws
//! and words them. Depends on [`super::view`] and the dialog pieces.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::flow::Dialog;
use super::notice::{Notice, Passage};
use super::text;
use super::view::{Header, RotationView};

/// The header line's first words in a dry run.
pub fn header_prefix(header: &Header) -> &'static str {
    if header.dry_run { "DRY RUN · " } else { "" }
}

/// The banner under the header in a dry run, wrapped to `width`.
pub fn dry_run_banner(header: &Header, width: u16) -> Vec<Line<'static>> {
    if !header.dry_run {
        return Vec::new();
    }
    let said = "DRY RUN: every write is shown as the exact call it would make; none is sent, and \
                nothing is recorded in the state file.";
    let style = Style::new()
        .fg(Color::Black)
        .bg(Color::Cyan)
        .add_modifier(Modifier::BOLD);
    text::wrap(said, usize::from(width))
        .into_iter()
        .map(|row| Line::from(row).style(style))
        .collect()
}

/// The footer's first words while the state file is read-only (first, so
/// a narrow terminal never cuts them off).
pub fn footer_note(header: &Header) -> Option<Span<'static>> {
    header
        .read_only
        .as_ref()
        .map(|_| Span::styled("READ-ONLY · ", Style::new().add_modifier(Modifier::BOLD)))
}

/// What the dry run shows instead of making a step's writes.
pub fn not_sent(calls: &[String]) -> Dialog {
    let mut paragraphs = vec![Passage {
        text: "Dry run: this step would make the calls below. None was sent, and nothing was \
               recorded in the state file."
            .to_owned(),
        warning: true,
    }];
    paragraphs.extend(calls.iter().map(|call| Passage {
        text: call.clone(),
        warning: false,
    }));
    paragraphs.push(Passage {
        text: "The rotation stays at this step. Run ramkey without --dry-run to make them."
            .to_owned(),
        warning: false,
    });
    Dialog::Notice(Notice::new("DRY RUN: nothing sent", paragraphs))
}

/// The writes the current step `index` will make, exactly as sent (`API:`
/// and one call a line); none for another step, or one that only records.
pub fn next_calls_lines(rotation: &RotationView, index: usize) -> Vec<Line<'static>> {
    if rotation.current() != Some(index) {
        return Vec::new();
    }
    rotation
        .next_calls
        .iter()
        .enumerate()
        .map(|(i, call)| {
            let lead = if i == 0 { "API: " } else { "     " };
            Line::raw(format!("{lead}{call}"))
        })
        .collect()
}
