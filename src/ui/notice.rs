//! A notice: something ramkey tells before the admin goes on, such as what
//! it settled from an earlier run on start, or the outcome of a rollback.
//!
//! Nothing is asked and nothing follows: Enter or Esc closes it, ↑/↓ scroll
//! a long one. The text is wrapped to the box, so nothing is cut off at
//! 80x24. Depends on the shared dialog pieces only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::input::{Input, Reply};
use super::keys::{Command, Context};
use super::{popup, text};

/// The box's width, the terminal's when narrower.
const WIDTH: u16 = 76;

/// One paragraph of a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// The text, wrapped when drawn.
    pub text: String,
    /// Shown highlighted (a failure the admin must see).
    pub warning: bool,
}

/// The notice and how far it is scrolled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The box title.
    pub title: String,
    /// The paragraphs, separated by a blank line.
    pub paragraphs: Vec<Passage>,
    /// Lines scrolled past.
    pub scroll: u16,
}

impl Notice {
    /// A notice of `paragraphs`.
    pub fn new(title: impl Into<String>, paragraphs: Vec<Passage>) -> Self {
        Self {
            title: title.into(),
            paragraphs,
            scroll: 0,
        }
    }

    /// Scrolls, or closes on Enter and Esc.
    pub fn handle(&mut self, input: &Input) -> Reply<()> {
        match input {
            Input::Command(Command::Up) => self.scroll = self.scroll.saturating_sub(1),
            Input::Command(Command::Down) => self.scroll = self.scroll.saturating_add(1),
            Input::Command(Command::Act | Command::Back) => return Reply::Close,
            _ => {}
        }
        Reply::Stay
    }

    fn lines(&self, width: usize) -> Vec<Line<'static>> {
        let warning = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
        let mut lines = Vec::new();
        for paragraph in &self.paragraphs {
            if !lines.is_empty() {
                lines.push(Line::raw(""));
            }
            let style = if paragraph.warning {
                warning
            } else {
                Style::new()
            };
            lines.extend(
                text::wrap(&paragraph.text, width)
                    .into_iter()
                    .map(|row| Line::from(row).style(style)),
            );
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
        let inner = popup::open(frame, popup::centered(area, WIDTH, height), &self.title);
        let [body, hints] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        let hidden = u16::try_from(lines.len())
            .unwrap_or(u16::MAX)
            .saturating_sub(body.height);
        let scroll = self.scroll.min(hidden);
        frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), body);
        let mut hint_line = popup::hints(Context::Notice);
        if hidden > scroll {
            hint_line.spans.push(" · more below".into());
        }
        frame.render_widget(hint_line, hints);
    }
}
