//! The findings list: each flagged user with display name, both keys with
//! verdict and last use, and how far its rotation has come.
//!
//! Every cell is cut by display width (display names are often Chinese),
//! so nothing overflows or panics at any terminal size. Depends on
//! [`super::app`] (read only), [`super::text`] and [`super::view`].

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize as _};
use ratatui::text::Line;
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph};

use super::app::App;
use super::text;
use super::view::{KeyView, UserView};

/// Columns taken by the highlight symbol.
const MARK: usize = 2;

/// Draws the list into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let [title, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let count = app.snapshot.users.len();
    let heading = match count {
        0 => "No user holds two Active AccessKeys. Nothing to rotate.".to_owned(),
        1 => "1 user holds two Active AccessKeys:".to_owned(),
        n => format!("{n} users hold two Active AccessKeys:"),
    };
    let heading = text::truncate(&heading, usize::from(title.width));
    frame.render_widget(Paragraph::new(heading).bold(), title);

    let width = usize::from(list.width).saturating_sub(MARK);
    let items: Vec<ListItem> = app
        .snapshot
        .users
        .iter()
        .map(|user| ListItem::new(user_lines(user, width)))
        .collect();
    let mut state = ListState::default().with_selected((count > 0).then_some(app.list_cursor));
    let widget = List::new(items)
        .block(Block::new())
        .highlight_style(Style::new().add_modifier(Modifier::BOLD))
        .highlight_symbol("› ");
    frame.render_stateful_widget(widget, list, &mut state);
}

/// The four lines of one user, each at most `width` columns.
pub fn user_lines(user: &UserView, width: usize) -> Vec<Line<'static>> {
    let name_width = (width / 3).min(20);
    let display_width = width.saturating_sub(name_width + 1);
    let display = if user.display_name.is_empty() {
        "(no display name)"
    } else {
        user.display_name.as_str()
    };
    let first = format!(
        "{} {}",
        text::fit(&user.user_name, name_width),
        text::truncate(display, display_width)
    );
    let first = text::truncate(&first, width);

    let mut lines = vec![Line::from(first).bold()];
    lines.extend(user.keys.iter().map(|key| Line::from(key_line(key, width))));
    let path = user
        .rotation
        .as_ref()
        .map_or(user.recommendation.label(), |rotation| {
            rotation.path.label()
        });
    let progress = format!("  → {path}: {}", user.progress());
    lines.push(Line::from(text::truncate(&progress, width)).italic());
    lines
}

/// `  idle     LTAI…  last used 2024-01-02`, cut to `width`.
fn key_line(key: &KeyView, width: usize) -> String {
    let used = key.last_used.map_or_else(
        || "no last use".to_owned(),
        |at| format!("last used {}", at.format("%Y-%m-%d")),
    );
    // The verdict first: on a narrow terminal it is what must stay visible.
    let line = format!(
        "  {} {}  {used}",
        text::fit(key.verdict.label(), 8),
        text::fit(&key.access_key_id, 24)
    );
    text::truncate(line.trim_end(), width)
}
