//! Shared drawing for dialogs: a centred box over the screen and the hint
//! line built from the key table.
//!
//! Depends on ratatui and [`super::keys`] only.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style, Stylize as _};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear};
use unicode_width::UnicodeWidthStr as _;

use super::keys::{self, Context};

/// A box of at most `width` x `height` centred in `area`, shrunk to fit.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Clears `area`, draws a titled border and returns the inside.
pub fn open(frame: &mut Frame, area: Rect, title: &str) -> Rect {
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .title(Line::from(format!(" {title} ")).bold());
    let inner = block.inner(area);
    unsplit_edges(frame.buffer_mut(), area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    inner
}

/// Blanks the wide characters (Chinese display names) the box's left and
/// right edges would cut in half: a terminal draws a wide character whole,
/// so its half outside the box would cover the border.
fn unsplit_edges(buffer: &mut Buffer, area: Rect) {
    let screen = buffer.area;
    for y in area.top()..area.bottom().min(screen.bottom()) {
        if area.left() > screen.left() {
            let cell = &mut buffer[(area.left() - 1, y)];
            if cell.symbol().width() > 1 {
                cell.set_symbol(" ");
            }
        }
        // The second half of a wide character that starts on the right
        // border is an empty cell just outside the box.
        let outside = area.right();
        if outside < screen.right() && area.width > 0 {
            let last = buffer[(outside - 1, y)].symbol().width();
            let next = &mut buffer[(outside, y)];
            if last > 1 && next.symbol().is_empty() {
                next.set_symbol(" ");
            }
        }
    }
}

/// The footer hints of `context`, e.g. `Enter submit · Esc cancel`.
pub fn hints(context: Context) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, (keys, hint)) in keys::footer_hints(context).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" · "));
        }
        spans.push(Span::styled(
            keys,
            Style::new().add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(format!(" {hint}")));
    }
    Line::from(spans)
}

/// A labelled value, e.g. `AccessKeyId: LTAI…`.
pub fn field(label: &str, value: impl Into<String>) -> Line<'static> {
    Line::from(vec![
        Span::raw(format!("{label}: ")),
        Span::styled(value.into(), Style::new().add_modifier(Modifier::BOLD)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Chinese name under the box's edges: no half of it is left to
    /// cover a border (bc-16's width case).
    #[test]
    fn wide_characters_cut_by_the_edges_are_blanked() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 12, 1));
        buffer.set_string(0, 0, "运维张三组长", Style::new());
        // Columns 0..12 hold six wide characters, each starting at an even column.
        let area = Rect::new(3, 0, 6, 1);
        unsplit_edges(&mut buffer, area);
        assert_eq!(buffer[(2, 0)].symbol(), " ", "the one across the left edge");
        assert_eq!(buffer[(9, 0)].symbol(), " ", "the half past the right edge");
        assert_eq!(buffer[(0, 0)].symbol(), "运", "the others stay");
        assert_eq!(buffer[(10, 0)].symbol(), "长");
    }
}
