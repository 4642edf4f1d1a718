//! The findings screen: first who ramkey is signed in as and with what
//! credentials (a permanent AccessKey highlighted with a warning), then
//! each listed user with display name, its keys with the cloud's status
//! (marked where ramkey's records disagree), verdict and last use, and how
//! far its rotation has come. The heading counts the users holding two
//! Active keys now apart from those listed for a rotation in progress.
//!
//! The list is a table: a column line names the key lines' cells (verdict,
//! key, last use, the data's age) and the sort (`s` cycles the column,
//! [`sort`]); under each user a line of marks says what must be known
//! before acting (exempt, KMS-managed, ramkey's own key).
//!
//! While the scan runs, its gauge shows above the list, which fills in as
//! users are found. The `/` filter ([`filter`](mod@filter)) narrows the rows; only the
//! rows that fit on the screen are drawn, so 10,000 rows draw as fast as
//! ten.
//!
//! Every cell is cut by display width (display names are often Chinese),
//! so nothing overflows or panics at any terminal size. Depends on
//! [`super::app`] (read only), [`super::scan_gauge`], [`super::text`] and
//! [`super::view`].

pub mod filter;
pub mod identity;
pub mod sort;

use std::ops::Range;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize as _};
use ratatui::text::Line;
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph};

use super::app::App;
use super::findings::filter::FilterLine;
use super::scan_gauge;
use super::text;
use super::view::{Identity, KeyView, RowMark, UserView};
use chrono::{DateTime, Utc};
use sort::{Column, Sort};

pub use filter::filter;

/// Columns taken by the highlight symbol.
const MARK: usize = 2;

/// Draws who ramkey is, then the list, into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    // The whole block only while the table keeps room for several users;
    // else one line (and one of warning), and never more than half.
    let width = usize::from(area.width);
    let full = identity_lines(&app.header.identity, width);
    let (who, whole) = identity::fit(&app.header.identity, full, width, area.height.into());
    let room = usize::from(area.height / 2).saturating_sub(1);
    let who = fit_height(who, room);
    // A blank line under the whole block, when there is anything to show.
    let who_height = match who.len() {
        0 => 0,
        lines => u16::try_from(lines + usize::from(whole)).unwrap_or(u16::MAX),
    };
    // The gauge takes at most half of what is left, so the list shows too.
    let gauge_room = area.height.saturating_sub(who_height) / 2;
    let gauge_height = app.scan.as_ref().map_or(0, |scan| {
        scan_gauge::height(scan, area.width).min(gauge_room)
    });
    let filter_height = u16::from(app.filter.is_some());
    let [who_area, gauge_area, title, filter_area, columns, list] = Layout::vertical([
        Constraint::Length(who_height),
        Constraint::Length(gauge_height),
        Constraint::Length(1),
        Constraint::Length(filter_height),
        Constraint::Length(u16::from(!app.snapshot.users.is_empty())),
        Constraint::Min(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(who), who_area);
    if let Some(scan) = &app.scan {
        scan_gauge::render(scan, app.ticks, frame, gauge_area);
    }

    let said = if app.scan.is_some() {
        heading_so_far(&app.snapshot.users)
    } else {
        heading(&app.snapshot.users)
    };
    let said = text::truncate(&said, usize::from(title.width));
    frame.render_widget(Paragraph::new(said).bold(), title);
    if let Some(filter) = &app.filter {
        let line = filter_line(filter, app.snapshot.users.len(), filter_area.width);
        frame.render_widget(line, filter_area);
    }
    frame.render_widget(column_line(app.sort, columns.width), columns);
    render_list(app, frame, list);
}

/// Draws the rows that fit in `area`, the cursor's among them.
fn render_list(app: &App, frame: &mut Frame, area: Rect) {
    let width = usize::from(area.width).saturating_sub(MARK);
    let lines = |position: usize| {
        app.visible_index(position).map_or_else(Vec::new, |index| {
            user_lines(&app.snapshot.users[index], width, app.snapshot.taken_at)
        })
    };
    let count = app.visible_len();
    let cursor = app.list_cursor.min(count.saturating_sub(1));
    let (shown, rows) = window(count, cursor, usize::from(area.height), lines);
    let items: Vec<ListItem> = rows.into_iter().map(ListItem::new).collect();
    let selected = (count > 0).then(|| cursor - shown.start);
    let mut state = ListState::default().with_selected(selected);
    let widget = List::new(items)
        .block(Block::new())
        .highlight_style(Style::new().add_modifier(Modifier::BOLD))
        .highlight_symbol("› ");
    frame.render_stateful_widget(widget, area, &mut state);
}

/// The rows of a list of `count` to draw in `height` lines, and their
/// lines: the same rows a ratatui `List` holding all of them would show
/// with `cursor` selected (from the top while the cursor's row fits there,
/// else the rows that fit ending with the cursor's). Builds only the rows
/// looked at, about two screens' worth.
pub fn window(
    count: usize,
    cursor: usize,
    height: usize,
    lines: impl Fn(usize) -> Vec<Line<'static>>,
) -> (Range<usize>, Vec<Vec<Line<'static>>>) {
    let mut from_top = Vec::new();
    let mut used = 0;
    for position in 0..count {
        let row = lines(position);
        if used + row.len() > height {
            break;
        }
        used += row.len();
        from_top.push(row);
    }
    if cursor < from_top.len() || count == 0 {
        return (0..from_top.len(), from_top);
    }
    let mut ending = vec![lines(cursor)];
    let mut used = ending[0].len();
    let mut first = cursor;
    while first > 0 {
        let row = lines(first - 1);
        if used + row.len() > height {
            break;
        }
        used += row.len();
        first -= 1;
        ending.push(row);
    }
    ending.reverse();
    (first..cursor + 1, ending)
}

/// The table's column line, aligned with the key lines: the column the
/// rows are sorted by marked ▲ (its first way) or ▼, then the sort.
fn column_line(sort: Sort, width: u16) -> Line<'static> {
    let name = |label: &str, column: Column, columns: usize| {
        let arrow = match (sort.column == column, sort.reversed) {
            (false, _) => "",
            (true, false) => "▲",
            (true, true) => "▼",
        };
        text::fit(&format!("{label}{arrow}"), columns)
    };
    let columns = format!(
        "    {} {}  {}  {}",
        name("Verdict", Column::Verdict, VERDICT),
        text::fit("Key", KEY),
        name("Last use", Column::LastUse, LAST_USE),
        name("Data age", Column::DataAge, AGE + 1),
    );
    let said = format!("{columns} sort: {}", sort.label());
    // A column's arrow already says the sort; its words are not cut in half.
    let arrowed = matches!(
        sort.column,
        Column::Verdict | Column::LastUse | Column::DataAge
    );
    let said = if text::width(&said) > usize::from(width) && arrowed {
        columns
    } else {
        said
    };
    Line::from(text::truncate(&said, usize::from(width)))
        .style(Style::new().add_modifier(Modifier::UNDERLINED))
}

/// The heading while the scan runs: what it found so far.
pub fn heading_so_far(users: &[UserView]) -> String {
    if users.is_empty() {
        return "No user with two Active AccessKeys found yet.".to_owned();
    }
    format!("So far: {}", heading(users))
}

/// `Filter: alice_  12 of 2000 users · Enter keeps · Esc clears`.
fn filter_line(filter: &FilterLine, total: usize, width: u16) -> Line<'static> {
    let (cursor, keys) = if filter.editing {
        ("_", "Enter keeps it · Esc clears it")
    } else {
        ("", "/ edits it · Esc clears it")
    };
    let said = format!(
        "Filter: {}{cursor}  {} of {total} users · {keys}",
        filter.query,
        filter.rows.len()
    );
    Line::from(text::truncate(&said, usize::from(width))).style(Style::new().fg(Color::Cyan))
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

/// The lines of one user (four, one under each key ramkey's records
/// disagree about, and one of marks when it has any), each at most
/// `width` columns; the data's age is reckoned at `now`.
pub fn user_lines(user: &UserView, width: usize, now: DateTime<Utc>) -> Vec<Line<'static>> {
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
    let age = data_age(user.data_as_of, now);
    for key in &user.keys {
        lines.push(Line::from(key_line(key, &age, width)));
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
    if !user.marks.is_empty() {
        let marks: Vec<String> = user.marks.iter().map(RowMark::label).collect();
        let said = format!("  ! {}", marks.join(" · "));
        lines.push(
            Line::from(text::truncate(&said, width))
                .style(Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)),
        );
    }
    lines
}

/// The key lines' cells, in columns.
const VERDICT: usize = 8;
const KEY: usize = 24;
const LAST_USE: usize = 10;
const AGE: usize = 8;

/// How old data taken at `as_of` is at `now`: "2 min", "3 h", "5 d", or
/// "-" while the scan has not said.
pub fn data_age(as_of: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let Some(as_of) = as_of else {
        return "-".to_owned();
    };
    let minutes = (now - as_of).num_minutes().max(0);
    match minutes {
        0 => "<1 min".to_owned(),
        1..=59 => format!("{minutes} min"),
        60..=2879 => format!("{} h", minutes / 60),
        _ => format!("{} d", minutes / 1440),
    }
}

/// `  idle     LTAI…  2024-01-02  3 h`, cut to `width`.
fn key_line(key: &KeyView, age: &str, width: usize) -> String {
    let used = key.last_used.map_or_else(
        || "unknown".to_owned(),
        |at| at.format("%Y-%m-%d").to_string(),
    );
    // The verdict first: on a narrow terminal it is what must stay visible.
    let line = format!(
        "  {} {}  {}  {age}",
        text::fit(key.verdict.label(), VERDICT),
        text::fit(&key.access_key_id, KEY),
        text::fit(&used, LAST_USE),
    );
    text::truncate(line.trim_end(), width)
}
