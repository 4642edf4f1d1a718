//! The error dialog: what was being done, the API error code, the message,
//! the RequestId (for a support ticket) and what to try.
//!
//! Errors are shown inside the wizard instead of ending it; Enter or Esc
//! closes the box and the admin can try again. Depends on the shared dialog
//! pieces only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::input::{Input, Reply};
use super::keys::{Command, Context};
use super::popup;
use super::text;
use super::view::ErrorView;

/// The box's width, the terminal's when narrower.
const WIDTH: u16 = 76;

/// The dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDialog {
    /// What failed.
    pub error: ErrorView,
}

impl ErrorDialog {
    /// Shows `error`.
    pub fn new(error: ErrorView) -> Self {
        Self { error }
    }

    /// Enter or Esc closes it.
    pub fn handle(&mut self, input: &Input) -> Reply<()> {
        match input {
            Input::Command(Command::Act | Command::Back) => Reply::Close,
            _ => Reply::Stay,
        }
    }

    /// The box's lines for an inside `width` columns wide: the message and
    /// the hint wrapped here, so the box can be made tall enough for them.
    fn lines(&self, width: usize) -> Vec<Line<'static>> {
        let error = &self.error;
        let mut lines: Vec<Line<'static>> = text::wrap(&error.doing, width)
            .into_iter()
            .map(Line::from)
            .collect();
        lines.push(Line::raw(""));
        // Both are always there, so a missing one is seen to be missing.
        let code = error
            .code
            .as_deref()
            .unwrap_or("none (not an error the service sent)");
        lines.push(popup::field("Code     ", code.to_owned()));
        lines.extend(wrapped_field("Message  ", &error.message, width));
        let request_id = error.request_id.as_deref().unwrap_or("none");
        lines.push(popup::field("RequestId", request_id.to_owned()));
        if let Some(hint) = &error.hint {
            lines.push(Line::raw(""));
            let hint = format!("What to try: {hint}");
            lines.extend(text::wrap(&hint, width).into_iter().map(Line::from));
        }
        lines
    }

    /// Draws the box over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let outer = popup::centered(area, WIDTH, area.height);
        let lines = self.lines(usize::from(outer.width.saturating_sub(2)));
        // The borders, a blank line and the key hints around the text.
        let height = u16::try_from(lines.len())
            .unwrap_or(u16::MAX)
            .saturating_add(4);
        let inner = popup::open(frame, popup::centered(area, WIDTH, height), "Error");
        let [body, hints] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
        frame.render_widget(popup::hints(Context::Error), hints);
    }
}

/// `label: value`, the value wrapped under itself when it is long.
fn wrapped_field(label: &str, value: &str, width: usize) -> Vec<Line<'static>> {
    let indent = text::width(label) + 2;
    let mut rows = text::wrap(value, width.saturating_sub(indent).max(1)).into_iter();
    let first = popup::field(label, rows.next().unwrap_or_default());
    let rest = rows.map(|row| {
        Line::from(vec![
            Span::raw(" ".repeat(indent)),
            Span::styled(row, Style::new().add_modifier(Modifier::BOLD)),
        ])
    });
    std::iter::once(first).chain(rest).collect()
}
