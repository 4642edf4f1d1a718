//! Below a minimum size the wizard shows only a message asking for a bigger
//! terminal, instead of screens and dialogs cut past reading.
//!
//! The event loop holds every key but Ctrl-C meanwhile, so nothing is
//! confirmed unseen; the next resize redraws the wizard as it was. The
//! minimum width is the narrowest the findings list and the rotation screen
//! are laid out for (30 columns, where a long display name is still cut
//! with its ellipsis). Depends on [`super::text`] only.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::text;

/// The fewest columns the wizard draws its screens in.
pub const MIN_WIDTH: u16 = 30;
/// The fewest rows: header, a few lines of a screen or dialog, status and hints.
pub const MIN_HEIGHT: u16 = 12;

/// Whether `area` is too small for the wizard.
pub fn applies(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// What the message says for a terminal of `area`'s size.
pub fn message(area: Rect) -> String {
    format!(
        "Terminal too small: {}×{}. ramkey needs at least {MIN_WIDTH}×{MIN_HEIGHT}. \
         Make the window bigger to go on; Ctrl-C quits.",
        area.width, area.height
    )
}

/// Draws the message on the whole frame, wrapped and centred, cut to the rows there are.
pub fn render(frame: &mut Frame) {
    let area = frame.area();
    let lines: Vec<Line> = text::wrap(&message(area), usize::from(area.width))
        .into_iter()
        .take(usize::from(area.height))
        .map(Line::from)
        .collect();
    let used = u16::try_from(lines.len()).unwrap_or(area.height);
    let top = area.height.saturating_sub(used) / 2;
    let body = Rect {
        y: area.y + top,
        height: area.height - top,
        ..area
    };
    frame.render_widget(Paragraph::new(lines).alignment(Alignment::Center), body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minimum_is_inclusive() {
        assert!(!applies(Rect::new(0, 0, MIN_WIDTH, MIN_HEIGHT)));
        assert!(applies(Rect::new(0, 0, MIN_WIDTH - 1, MIN_HEIGHT)));
        assert!(applies(Rect::new(0, 0, MIN_WIDTH, MIN_HEIGHT - 1)));
    }

    #[test]
    fn the_message_names_both_sizes() {
        let said = message(Rect::new(0, 0, 20, 8));
        assert!(said.contains("20×8") && said.contains("30×12"), "{said}");
    }
}
