//! Shared drawing for dialogs: a centred box over the screen and the hint
//! line built from the key table.
//!
//! Depends on ratatui and [`super::keys`] only.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style, Stylize as _};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear};

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
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    inner
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
