//! The error dialog: what was being done, the API error code, the message,
//! the RequestId (for a support ticket) and what to try.
//!
//! Errors are shown inside the wizard instead of ending it; Enter or Esc
//! closes the box and the admin can try again. Depends on the shared dialog
//! pieces only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::input::{Input, Reply};
use super::keys::{Command, Context};
use super::popup;
use super::view::ErrorView;

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

    fn lines(&self) -> Vec<Line<'static>> {
        let error = &self.error;
        let mut lines = vec![Line::from(error.doing.clone()), Line::raw("")];
        if let Some(code) = &error.code {
            lines.push(popup::field("Code     ", code.clone()));
        }
        lines.push(popup::field("Message  ", error.message.clone()));
        if let Some(request_id) = &error.request_id {
            lines.push(popup::field("RequestId", request_id.clone()));
        }
        if let Some(hint) = &error.hint {
            lines.push(Line::raw(""));
            lines.push(Line::from(format!("What to try: {hint}")));
        }
        lines
    }

    /// Draws the box over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let lines = self.lines();
        let height = u16::try_from(lines.len())
            .unwrap_or(u16::MAX)
            .saturating_add(6);
        let inner = popup::open(frame, popup::centered(area, 76, height), "Error");
        let [body, hints] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
        frame.render_widget(popup::hints(Context::Error), hints);
    }
}
