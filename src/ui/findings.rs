//! The findings screen: first who ramkey is signed in as and with what
//! credentials (a permanent AccessKey highlighted with a warning), then
//! each listed user with display name, its keys with the cloud's status
//! (marked where ramkey's records disagree), verdict and last use, and how
//! far its rotation has come. The heading counts the users holding two
//! Active keys now apart from those listed for a rotation in progress.
//!
//! Every cell is cut by display width (display names are often Chinese),
//! so nothing overflows or panics at any terminal size. Depends on
//! [`super::app`] (read only), [`super::text`] and [`super::view`].

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize as _};
use ratatui::text::Line;
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph};

use super::app::App;
use super::text;
use super::view::{Identity, KeyView, UserView};

/// Columns taken by the highlight symbol.
const MARK: usize = 2;

/// Draws who ramkey is, then the list, into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    // At most half the screen, so the list always keeps room.
    let room = usize::from(area.height / 2).saturating_sub(1);
    let who = fit_height(
        identity_lines(&app.header.identity, usize::from(area.width)),
        room,
    );
    // A blank line under it, when there is anything to show.
    let who_height = match who.len() {
        0 => 0,
        lines => u16::try_from(lines + 1).unwrap_or(u16::MAX),
    };
    let [who_area, title, list] = Layout::vertical([
        Constraint::Length(who_height),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(who), who_area);

    let count = app.snapshot.users.len();
    let heading = text::truncate(&heading(&app.snapshot.users), usize::from(title.width));
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

/// The list's heading: how many users hold two Active keys now, then, apart,
/// those listed only for their rotation (its disable left one Active key).
pub fn heading(users: &[UserView]) -> String {
    let flagged = users.iter().filter(|user| user.holds_two_active()).count();
    let (in_progress, finished): (Vec<&UserView>, Vec<&UserView>) = users
        .iter()
        .filter(|user| !user.holds_two_active())
        .partition(|user| user.rotation_in_progress());
    if users.is_empty() {
        return "No user holds two Active AccessKeys. Nothing to rotate.".to_owned();
    }
    let mut said = vec![match flagged {
        0 => "No user holds two Active AccessKeys".to_owned(),
        1 => "1 user holds two Active AccessKeys".to_owned(),
        n => format!("{n} users hold two Active AccessKeys"),
    }];
    // "more" only after a count of users it adds to.
    let more = if flagged == 0 { "" } else { " more" };
    if !in_progress.is_empty() {
        said.push(format!(
            "{}{more} with a rotation in progress",
            in_progress.len()
        ));
    }
    if !finished.is_empty() {
        said.push(format!("{}{more} with a rotation finished", finished.len()));
    }
    format!("{}:", said.join(" · "))
}

/// Who ramkey is signed in as, what it signs with and until when, then
/// the warning (highlighted), each wrapped to at most `width` columns:
/// nothing of it may be cut off.
pub fn identity_lines(identity: &Identity, width: usize) -> Vec<Line<'static>> {
    let identity_type = if identity.identity_type.is_empty() {
        "unknown type"
    } else {
        identity.identity_type.as_str()
    };
    let plain = Style::new();
    let highlight = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
    let mut said = vec![
        (
            format!("Signed in as {} ({identity_type})", identity.arn),
            plain,
        ),
        (format!("Credentials: {}", identity.credentials), plain),
    ];
    said.extend(key_and_expiry(identity).map(|line| (line, plain)));
    said.extend(
        identity
            .warning
            .as_ref()
            .map(|warning| (format!("Warning: {warning}"), highlight)),
    );
    said.iter()
        .flat_map(|(line, style)| {
            text::wrap(line, width)
                .into_iter()
                .map(|row| Line::from(row).style(*style))
        })
        .collect()
}

/// "Key STS.…, STS token expires 2025-06-01 13:00:00 UTC (renewed before
/// then)", or just the key, or nothing before the first call.
fn key_and_expiry(identity: &Identity) -> Option<String> {
    let expiry = identity.expires_at.map(|at| {
        let renewed = if identity.renewed {
            " (renewed before then)"
        } else {
            ""
        };
        format!(
            "STS token expires {}{renewed}",
            at.format("%Y-%m-%d %H:%M:%S UTC")
        )
    });
    match (&identity.access_key_id, expiry) {
        (Some(key), Some(expiry)) => Some(format!("Key {key}, {expiry}")),
        (Some(key), None) => Some(format!("Key {key}")),
        (None, expiry) => expiry,
    }
}

/// `lines` cut to `room` lines, the last kept one ending in `…` when any
/// were dropped.
fn fit_height(mut lines: Vec<Line<'static>>, room: usize) -> Vec<Line<'static>> {
    if lines.len() <= room {
        return lines;
    }
    lines.truncate(room);
    if let Some(last) = lines.last_mut() {
        let cut: String = last
            .spans
            .iter()
            .map(|span| span.content.as_ref())
            .collect();
        let width = text::width(&cut);
        let style = last.style;
        *last = Line::from(text::truncate(&format!("{cut} …"), width.max(1))).style(style);
    }
    lines
}

/// The lines of one user (four, and one under each key ramkey's records
/// disagree about), each at most `width` columns.
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
    for key in &user.keys {
        lines.push(Line::from(key_line(key, width)));
        // On its own line, so a narrow terminal cuts neither it nor the date.
        if let Some(disagreement) = &key.disagreement {
            let mark = format!("    {disagreement}");
            lines.push(
                Line::from(text::truncate(&mark, width)).style(Style::new().fg(Color::Yellow)),
            );
        }
    }
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
    // The marker before the date: the date is what may be cut.
    let used = if key.used_by_ramkey {
        format!("ramkey's own key · {used}")
    } else {
        used
    };
    // The verdict first: on a narrow terminal it is what must stay visible.
    let line = format!(
        "  {} {}  {used}",
        text::fit(key.verdict.label(), 8),
        text::fit(&key.access_key_id, 24)
    );
    text::truncate(line.trim_end(), width)
}
