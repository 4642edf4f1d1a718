//! The `?` overlay: every key of the focused screen or dialog with its
//! hint, then the overlay's own keys, read from the key table that
//! dispatches them.
//!
//! Depends on [`super::keys`] and the shared dialog pieces only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Stylize as _;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::input::{Input, Reply};
use super::keys::{self, Command, Context};
use super::{popup, text};

/// Said first while the state file is read-only.
const READ_ONLY: &str = "Read-only: keys that would write are refused.";

/// The overlay: which context it explains and how far it is scrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Help {
    /// The screen or dialog under the overlay.
    pub about: Context,
    /// Lines scrolled past.
    pub scroll: u16,
    /// Whether the demo's own keys are listed too (`ramkey demo`, on a screen).
    pub demo: bool,
    /// The state file is read-only: the overlay says first that every
    /// step that writes is refused.
    pub read_only: bool,
}

impl Help {
    /// Help for `about`.
    pub fn new(about: Context) -> Self {
        Self {
            about,
            scroll: 0,
            demo: false,
            read_only: false,
        }
    }

    /// The same help, listing the demo's own keys after `about`'s.
    #[must_use]
    pub fn with_demo_keys(self) -> Self {
        Self { demo: true, ..self }
    }

    /// The same help, saying first that writes are refused.
    #[must_use]
    pub fn read_only(self, read_only: bool) -> Self {
        Self { read_only, ..self }
    }

    /// The sections shown: the focused context's keys, then the overlay's.
    pub fn sections(&self) -> Vec<(Context, Vec<(String, &'static str)>)> {
        let demo = self.demo.then_some(Context::Demo);
        // Help about the help lists its keys once.
        let own = (self.about != Context::Help).then_some(Context::Help);
        // A key listed once with the same meaning (Ctrl-C) is not repeated
        // in the later sections.
        let mut listed: Vec<(String, &'static str)> = Vec::new();
        [Some(self.about), demo, own]
            .into_iter()
            .flatten()
            .map(|context| {
                let entries: Vec<_> = keys::bindings_for(context)
                    .map(|binding| (keys::keys_label(binding.keys), binding.help))
                    .filter(|entry| !listed.contains(entry))
                    .collect();
                listed.extend(entries.iter().cloned());
                (context, entries)
            })
            .filter(|(_, entries)| !entries.is_empty())
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

    /// The overlay's lines, each hint wrapped to `width` under its own
    /// column, so a long one is never cut off.
    fn lines(self, width: usize) -> Vec<Line<'static>> {
        let sections = self.sections();
        let key_width = sections
            .iter()
            .flat_map(|(_, entries)| entries.iter().map(|(k, _)| text::width(k)))
            .max()
            .unwrap_or(0);
        let mut lines = Vec::new();
        if self.read_only {
            lines.push(Line::from(READ_ONLY).bold());
        }
        for (context, entries) in sections {
            if !lines.is_empty() {
                lines.push(Line::raw(""));
            }
            lines.push(Line::from(format!("Keys in {}:", context.name())).bold());
            let hang = " ".repeat(key_width + 4);
            let room = width.saturating_sub(hang.len());
            for (k, hint) in &entries {
                for (i, row) in text::wrap(hint, room).into_iter().enumerate() {
                    let lead = if i == 0 {
                        format!("  {}  ", text::fit(k, key_width))
                    } else {
                        hang.clone()
                    };
                    lines.push(Line::from(format!("{lead}{row}")));
                }
            }
        }
        lines
    }

    /// Draws the overlay over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        // Inside the borders of a box 60 wide, or of the screen when narrower.
        let lines = self.lines(usize::from(area.width.min(60)).saturating_sub(2));
        let height = u16::try_from(lines.len())
            .unwrap_or(u16::MAX)
            .saturating_add(4);
        let inner = popup::open(frame, popup::centered(area, 60, height), "Help");
        let [body, hints] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        frame.render_widget(Paragraph::new(lines).scroll((self.scroll, 0)), body);
        frame.render_widget(popup::hints(Context::Help), hints);
    }
}
