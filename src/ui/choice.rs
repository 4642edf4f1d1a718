//! Picking one option, such as how to retire one of a user's two keys.
//!
//! The options are listed with the recommended one first and selected.
//! Depends on the shared dialog pieces and [`super::text`] only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{List, ListItem, ListState, Paragraph};

use super::input::{Input, Reply};
use super::keys::{Command, Context};
use super::{popup, text};

/// The options and the selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The box title.
    pub title: String,
    /// What is being chosen.
    pub body: Vec<String>,
    /// One label per option.
    pub labels: Vec<String>,
    /// The selected option.
    pub cursor: usize,
}

impl Choice {
    /// A choice with the first option selected.
    pub fn new(title: impl Into<String>, body: Vec<String>, labels: Vec<String>) -> Self {
        Self {
            title: title.into(),
            body,
            labels,
            cursor: 0,
        }
    }

    /// Moves, chooses the selected index, or cancels.
    pub fn handle(&mut self, input: &Input) -> Reply<usize> {
        let last = self.labels.len().saturating_sub(1);
        match input {
            Input::Command(Command::Up) => self.cursor = self.cursor.saturating_sub(1),
            Input::Command(Command::Down) => self.cursor = (self.cursor + 1).min(last),
            Input::Command(Command::Act) if !self.labels.is_empty() => {
                return Reply::Done(self.cursor);
            }
            Input::Command(Command::Back) => return Reply::Close,
            _ => {}
        }
        Reply::Stay
    }

    /// Draws the box over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        // Wrapped here, so the box is as tall as its text at this width.
        let inside = usize::from(area.width.min(72).saturating_sub(2));
        let wrapped: Vec<String> = self
            .body
            .iter()
            .flat_map(|line| {
                let lead = line.len() - line.trim_start().len();
                let indent = &line[..lead];
                text::wrap(line.trim_start(), inside.saturating_sub(lead))
                    .into_iter()
                    .map(move |row| format!("{indent}{row}"))
            })
            .collect();
        let body_height = u16::try_from(wrapped.len()).unwrap_or(u16::MAX);
        let rows = u16::try_from(self.labels.len()).unwrap_or(u16::MAX);
        let inner = popup::open(
            frame,
            popup::centered(area, 72, body_height.saturating_add(rows).saturating_add(5)),
            &self.title,
        );
        let [body, list, hints] = Layout::vertical([
            Constraint::Length(body_height.saturating_add(1)),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(inner);

        let lines: Vec<Line> = wrapped.into_iter().map(Line::from).collect();
        frame.render_widget(Paragraph::new(lines), body);
        let label_width = usize::from(list.width).saturating_sub(2);
        let items: Vec<ListItem> = self
            .labels
            .iter()
            .map(|label| ListItem::new(text::truncate(label, label_width)))
            .collect();
        let mut state = ListState::default().with_selected(Some(self.cursor));
        let list_widget = List::new(items)
            .highlight_style(Style::new().add_modifier(Modifier::REVERSED))
            .highlight_symbol("› ");
        frame.render_stateful_widget(list_widget, list, &mut state);
        frame.render_widget(popup::hints(Context::Choice), hints);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enter_chooses_the_selected_option() {
        let mut choice = Choice::new("t", vec![], vec!["a".into(), "b".into()]);
        choice.handle(&Input::Command(Command::Down));
        assert_eq!(choice.handle(&Input::Command(Command::Act)), Reply::Done(1));
    }

    #[test]
    fn nothing_to_choose_from_never_chooses() {
        let mut choice = Choice::new("t", vec![], vec![]);
        assert_eq!(choice.handle(&Input::Command(Command::Act)), Reply::Stay);
    }
}
