//! A checklist: policies and groups to copy, or policies to detach. Every
//! item starts ticked or unticked as the caller decides; Space toggles the
//! selected one, Enter goes on with the ticked set.
//!
//! Depends on the shared dialog pieces and [`super::text`] only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};

use super::input::{Input, Reply};
use super::keys::{Command, Context};
use super::{popup, text};

/// The list and which items are ticked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checklist {
    /// The box title.
    pub title: String,
    /// What ticking means here.
    pub body: Vec<String>,
    /// One label per item.
    pub labels: Vec<String>,
    /// Whether each item is ticked.
    pub ticked: Vec<bool>,
    /// Whether each item is done already and so cannot be unticked.
    pub locked: Vec<bool>,
    /// The selected row.
    pub cursor: usize,
}

impl Checklist {
    /// A list with every item ticked (`all_ticked`) or none.
    pub fn new(
        title: impl Into<String>,
        body: Vec<String>,
        labels: Vec<String>,
        all_ticked: bool,
    ) -> Self {
        let ticked = vec![all_ticked; labels.len()];
        Self::with_ticks(title, body, labels, ticked, Vec::new())
    }

    /// A list with the given items ticked; `locked` ones (done already)
    /// stay ticked whatever is pressed.
    pub fn with_ticks(
        title: impl Into<String>,
        body: Vec<String>,
        labels: Vec<String>,
        ticked: Vec<bool>,
        locked: Vec<bool>,
    ) -> Self {
        let mut locked = locked;
        locked.resize(labels.len(), false);
        let mut ticked = ticked;
        ticked.resize(labels.len(), false);
        for (tick, done) in ticked.iter_mut().zip(&locked) {
            *tick |= *done;
        }
        Self {
            title: title.into(),
            body,
            labels,
            ticked,
            locked,
            cursor: 0,
        }
    }

    /// Moves, toggles, goes on with the ticked indices, or cancels.
    pub fn handle(&mut self, input: &Input) -> Reply<Vec<usize>> {
        let last = self.labels.len().saturating_sub(1);
        match input {
            Input::Command(Command::Up) => self.cursor = self.cursor.saturating_sub(1),
            Input::Command(Command::Down) => self.cursor = (self.cursor + 1).min(last),
            Input::Command(Command::Toggle) => {
                let locked = self.locked.get(self.cursor).copied().unwrap_or(false);
                if let Some(tick) = self.ticked.get_mut(self.cursor).filter(|_| !locked) {
                    *tick = !*tick;
                }
            }
            Input::Command(Command::Act) => return Reply::Done(self.chosen()),
            Input::Command(Command::Back) => return Reply::Close,
            _ => {}
        }
        Reply::Stay
    }

    /// The indices of the ticked items.
    pub fn chosen(&self) -> Vec<usize> {
        (0..self.labels.len()).filter(|&i| self.ticked[i]).collect()
    }

    /// Draws the box over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let rows = u16::try_from(self.body.len() + self.labels.len()).unwrap_or(u16::MAX);
        let inner = popup::open(
            frame,
            popup::centered(area, 72, rows.saturating_add(5)),
            &self.title,
        );
        let body_height = u16::try_from(self.body.len()).unwrap_or(u16::MAX);
        let [body, list, hints] = Layout::vertical([
            Constraint::Length(body_height.saturating_add(1)),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(inner);

        let lines: Vec<Line> = self.body.iter().map(|l| Line::from(l.as_str())).collect();
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
        let label_width = usize::from(list.width).saturating_sub(6);
        let items: Vec<ListItem> = self
            .labels
            .iter()
            .zip(&self.ticked)
            .map(|(label, ticked)| {
                let mark = if *ticked { "[x]" } else { "[ ]" };
                ListItem::new(format!("{mark} {}", text::truncate(label, label_width)))
            })
            .collect();
        let mut state = ListState::default().with_selected(Some(self.cursor));
        let highlight = Style::new().add_modifier(Modifier::REVERSED);
        let list_widget = List::new(items)
            .highlight_style(highlight)
            .highlight_symbol("› ");
        frame.render_stateful_widget(list_widget, list, &mut state);
        let hint_line = super::footer::one_row(popup::hints(Context::Checklist), hints.width);
        frame.render_widget(hint_line, hints);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(list: &mut Checklist, command: Command) -> Reply<Vec<usize>> {
        list.handle(&Input::Command(command))
    }

    #[test]
    fn space_unticks_the_selected_item_only() {
        let labels = vec!["a".into(), "b".into(), "c".into()];
        let mut list = Checklist::new("t", vec![], labels, true);
        press(&mut list, Command::Down);
        press(&mut list, Command::Toggle);
        assert_eq!(press(&mut list, Command::Act), Reply::Done(vec![0, 2]));
    }

    #[test]
    fn a_done_item_stays_ticked() {
        let labels = vec!["a".into(), "b".into()];
        let mut list =
            Checklist::with_ticks("t", vec![], labels, vec![false, false], vec![true, false]);
        press(&mut list, Command::Toggle);
        assert_eq!(press(&mut list, Command::Act), Reply::Done(vec![0]));
    }

    #[test]
    fn the_cursor_stays_inside_the_list() {
        let mut list = Checklist::new("t", vec![], vec!["a".into(), "b".into()], false);
        for _ in 0..5 {
            press(&mut list, Command::Down);
        }
        assert_eq!(list.cursor, 1);
        for _ in 0..5 {
            press(&mut list, Command::Up);
        }
        assert_eq!(list.cursor, 0);
    }

    #[test]
    fn an_empty_list_goes_on_with_nothing() {
        let mut list = Checklist::new("t", vec![], vec![], true);
        press(&mut list, Command::Toggle);
        press(&mut list, Command::Down);
        assert_eq!(press(&mut list, Command::Act), Reply::Done(vec![]));
    }
}
