//! Typed confirmation for destructive steps (disable, delete, detach): the
//! admin types the user name, and Enter does nothing until it matches.
//!
//! Typing the name, rather than pressing `y`, makes the admin read whose
//! key is about to go, and a stray Enter cannot confirm. Depends on the
//! shared dialog pieces only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style, Stylize as _};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::input::{Input, Reply};
use super::keys::{Command, Context};
use super::popup;

/// A destructive step waiting for the user name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedConfirm {
    /// The box title, e.g. "Disable key".
    pub title: String,
    /// What will happen, including the exact API call.
    pub body: Vec<String>,
    /// The name that must be typed.
    pub expected: String,
    /// What has been typed so far.
    pub typed: String,
}

impl TypedConfirm {
    /// A confirmation that needs `expected` typed.
    pub fn new(title: impl Into<String>, body: Vec<String>, expected: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            body,
            expected: expected.into(),
            typed: String::new(),
        }
    }

    /// Whether Enter would confirm.
    pub fn matches(&self) -> bool {
        self.typed == self.expected
    }

    /// Types, erases, confirms (only on a match) or cancels.
    pub fn handle(&mut self, input: &Input) -> Reply<String> {
        match input {
            Input::Char(c) => self.typed.push(*c),
            Input::Paste(text) => self.typed.push_str(text),
            Input::Command(Command::Erase) => {
                self.typed.pop();
            }
            Input::Command(Command::Act) if self.matches() => {
                return Reply::Done(self.typed.clone());
            }
            Input::Command(Command::Back) => return Reply::Close,
            Input::Command(_) => {}
        }
        Reply::Stay
    }

    /// Draws the box over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let body_height = u16::try_from(self.body.len()).unwrap_or(u16::MAX);
        let inner = popup::open(
            frame,
            popup::centered(area, 72, body_height.saturating_add(8)),
            &self.title,
        );
        let [body, prompt, field, status, hints] = Layout::vertical([
            Constraint::Min(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);

        let lines: Vec<Line> = self.body.iter().map(|l| Line::from(l.as_str())).collect();
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
        let ask = format!("Type the user name {} to confirm:", self.expected);
        frame.render_widget(Paragraph::new(ask), prompt);
        frame.render_widget(
            Line::from(vec![
                Span::raw("> "),
                Span::raw(self.typed.as_str()).bold(),
                "_".into(),
            ]),
            field,
        );
        frame.render_widget(self.status_line(), status);
        frame.render_widget(popup::hints(Context::TypedConfirm), hints);
    }

    fn status_line(&self) -> Line<'static> {
        if self.matches() {
            Line::styled(
                "Name matches: Enter confirms.",
                Style::new().fg(Color::Green),
            )
        } else if self.typed.is_empty() {
            Line::raw("Enter stays disabled until the name matches.")
        } else {
            Line::styled(
                "Does not match yet: Enter is disabled.",
                Style::new().fg(Color::Yellow),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(dialog: &mut TypedConfirm, text: &str) {
        for c in text.chars() {
            assert_eq!(dialog.handle(&Input::Char(c)), Reply::Stay);
        }
    }

    #[test]
    fn a_wrong_name_is_refused() {
        let mut dialog = TypedConfirm::new("Disable key", vec![], "alice");
        typed(&mut dialog, "alicf");
        assert_eq!(dialog.handle(&Input::Command(Command::Act)), Reply::Stay);
    }

    #[test]
    fn the_right_name_confirms_after_correction() {
        let mut dialog = TypedConfirm::new("Disable key", vec![], "alice");
        typed(&mut dialog, "alicf");
        dialog.handle(&Input::Command(Command::Erase));
        typed(&mut dialog, "e");
        assert_eq!(
            dialog.handle(&Input::Command(Command::Act)),
            Reply::Done("alice".to_owned())
        );
    }

    #[test]
    fn a_prefix_or_a_longer_name_is_not_a_match() {
        let mut dialog = TypedConfirm::new("Delete key", vec![], "alice");
        typed(&mut dialog, "alic");
        assert!(!dialog.matches());
        typed(&mut dialog, "e2");
        assert!(!dialog.matches());
    }
}
