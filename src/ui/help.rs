//! The `?` overlay: every key of the focused screen or dialog with its
//! hint, read from the key table that dispatches them.
//!
//! Depends on [`super::keys`] and the shared dialog pieces only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::input::{Input, Reply};
use super::keys::{self, Command, Context};
use super::{popup, text};

/// The overlay: which context it explains and how far it is scrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Help {
    /// The screen or dialog under the overlay.
    pub about: Context,
    /// Lines scrolled past.
    pub scroll: u16,
}

impl Help {
    /// Help for `about`.
    pub fn new(about: Context) -> Self {
        Self { about, scroll: 0 }
    }

    /// One line per binding: keys, then what they do.
    pub fn lines(&self) -> Vec<(String, &'static str)> {
        keys::bindings_for(self.about)
            .chain(keys::bindings_for(Context::Help))
            .map(|binding| (keys::keys_label(binding.keys), binding.hint))
            .collect()
    }

    /// Scrolls or closes.
    pub fn handle(&mut self, input: &Input) -> Reply<()> {
        match input {
            Input::Command(Command::Up) => self.scroll = self.scroll.saturating_sub(1),
            Input::Command(Command::Down) => self.scroll = self.scroll.saturating_add(1),
            Input::Command(Command::Back) => return Reply::Close,
            _ => {}
        }
        Reply::Stay
    }

    /// Draws the overlay over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let entries = self.lines();
        let height = u16::try_from(entries.len())
            .unwrap_or(u16::MAX)
            .saturating_add(4);
        let inner = popup::open(frame, popup::centered(area, 60, height), "Keys");
        let [body, hints] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);

        let key_width = entries
            .iter()
            .map(|(k, _)| text::width(k))
            .max()
            .unwrap_or(0);
        let lines: Vec<Line> = entries
            .iter()
            .map(|(k, hint)| Line::from(format!("{}  {hint}", text::fit(k, key_width))))
            .collect();
        frame.render_widget(Paragraph::new(lines).scroll((self.scroll, 0)), body);
        frame.render_widget(popup::hints(Context::Help), hints);
    }
}
