//! A yes/no question: start a step, confirm a swap, quit while busy.
//!
//! `y` answers yes; `n` and Esc close it. Nothing is typed. Depends on the
//! shared dialog pieces only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::input::{Input, Reply};
use super::keys::{Command, Context};
use super::popup;

/// The question and what it explains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The box title.
    pub title: String,
    /// What answering yes will do.
    pub body: Vec<String>,
    /// The question itself, e.g. "Create the user now? [y/n]".
    pub prompt: String,
}

impl Question {
    /// A question with its explanation.
    pub fn new(title: impl Into<String>, body: Vec<String>, prompt: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            body,
            prompt: prompt.into(),
        }
    }

    /// `y` is yes; `n` and Esc close.
    pub fn handle(&mut self, input: &Input) -> Reply<()> {
        match input {
            Input::Command(Command::Yes) => Reply::Done(()),
            Input::Command(Command::No | Command::Back) => Reply::Close,
            _ => Reply::Stay,
        }
    }

    /// Draws the box over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let body_height = u16::try_from(self.body.len()).unwrap_or(u16::MAX);
        let inner = popup::open(
            frame,
            popup::centered(area, 70, body_height.saturating_add(7)),
            &self.title,
        );
        let [body, prompt, hints] = Layout::vertical([
            Constraint::Min(1),
            Constraint::Length(2),
            Constraint::Length(1),
        ])
        .areas(inner);

        let lines: Vec<Line> = self.body.iter().map(|l| Line::from(l.as_str())).collect();
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
        frame.render_widget(Paragraph::new(self.prompt.as_str()), prompt);
        frame.render_widget(popup::hints(Context::Question), hints);
    }
}
