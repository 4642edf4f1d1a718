//! The wizard's first screen: who ramkey is (account, identity, credential
//! kind, warnings), the state file in use and what it said on opening, the
//! scan's gauge while it runs, then where to begin: each rotation in
//! progress first (deletions due now before the rest), then the findings
//! list.
//!
//! What it shows is known before the scan ends: the rotations come from
//! the state file ([`StartView`], filled by the bridge), so resuming can be
//! chosen at once. Depends on [`super::app`] (read only),
//! [`super::findings`] (the identity lines and the heading),
//! [`super::scan_gauge`], [`super::text`] and [`super::view`].

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize as _};
use ratatui::text::Line;
use ratatui::widgets::{List, ListItem, ListState, Paragraph};

use super::app::App;
use super::view::PathKind;
use super::{findings, scan_gauge, text};

/// The title the screen opens with; tests wait for it.
pub const TITLE: &str = "Where to begin";

/// What the start screen knows from the state file before the scan ends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartView {
    /// Rotations in progress, as recorded.
    pub resume: Vec<ResumeView>,
    /// What the state file said on opening (migrated, a newer schema…).
    pub notices: Vec<String>,
}

/// One rotation in progress, as the start screen offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumeView {
    /// The flagged user.
    pub user: String,
    /// The path it follows.
    pub path: PathKind,
    /// "3/7 steps" or "waiting for deletion (due 2025-09-01)".
    pub progress: String,
    /// When the retired key may be deleted, once it is disabled.
    pub deletion_due: Option<DateTime<Utc>>,
}

impl ResumeView {
    /// Whether its deletion is due at `now`.
    pub fn due_at(&self, now: DateTime<Utc>) -> bool {
        self.deletion_due.is_some_and(|due| due <= now)
    }
}

/// One line of the menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Open this rotation (an index into [`StartView::resume`]).
    Resume(usize),
    /// Go to the findings list.
    Findings,
}

/// The menu in the order offered: deletions due now, the other rotations
/// in progress, then the findings list.
pub fn choices(start: &StartView, now: DateTime<Utc>) -> Vec<Choice> {
    let (due, rest): (Vec<usize>, Vec<usize>) =
        (0..start.resume.len()).partition(|&i| start.resume[i].due_at(now));
    due.into_iter()
        .chain(rest)
        .map(Choice::Resume)
        .chain([Choice::Findings])
        .collect()
}

/// Draws the screen into `area`.
pub fn render(app: &App, cursor: usize, frame: &mut Frame, area: Rect) {
    let width = usize::from(area.width);
    let room = usize::from(area.height / 2);
    // The identity in one line (and one of warning) when the whole block
    // would push the state file out of its half, even without blank lines.
    let mut who = about_lines(app, width, false);
    if who.iter().filter(|line| line.width() > 0).count() > room {
        who = about_lines(app, width, true);
    }
    let who = fit(who, room);
    let who_height = u16::try_from(who.len()).unwrap_or(u16::MAX);
    let gauge_room = area.height.saturating_sub(who_height) / 2;
    let gauge_height = app.scan.as_ref().map_or(0, |scan| {
        scan_gauge::height(scan, area.width).min(gauge_room)
    });
    let [who_area, gauge_area, title, menu] = Layout::vertical([
        Constraint::Length(who_height),
        Constraint::Length(gauge_height),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(who), who_area);
    if let Some(scan) = &app.scan {
        scan_gauge::render(scan, app.ticks, frame, gauge_area);
    }
    let said = text::truncate(&menu_title(app), width);
    frame.render_widget(Paragraph::new(said).bold(), title);
    render_menu(app, cursor, frame, menu);
}

/// "Where to begin: 2 rotations in progress, 1 deletion due now".
fn menu_title(app: &App) -> String {
    let now = app.snapshot.taken_at;
    let resume = &app.start_view.resume;
    let due = resume.iter().filter(|r| r.due_at(now)).count();
    let rotations = match resume.len() {
        0 => "no rotation in progress".to_owned(),
        1 => "1 rotation in progress".to_owned(),
        n => format!("{n} rotations in progress"),
    };
    let deletions = match due {
        0 => String::new(),
        1 => ", 1 deletion due now".to_owned(),
        n => format!(", {n} deletions due now"),
    };
    format!("{TITLE}: {rotations}{deletions}")
}

fn render_menu(app: &App, cursor: usize, frame: &mut Frame, area: Rect) {
    let width = usize::from(area.width).saturating_sub(2);
    let now = app.snapshot.taken_at;
    let menu = choices(&app.start_view, now);
    let items: Vec<ListItem> = menu
        .iter()
        .map(|choice| ListItem::new(choice_line(app, *choice, now, width)))
        .collect();
    let selected = cursor.min(menu.len().saturating_sub(1));
    let mut state = ListState::default().with_selected(Some(selected));
    let list = List::new(items)
        .highlight_style(Style::new().add_modifier(Modifier::BOLD))
        .highlight_symbol("› ");
    frame.render_stateful_widget(list, area, &mut state);
}

fn choice_line(app: &App, choice: Choice, now: DateTime<Utc>, width: usize) -> Line<'static> {
    match choice {
        Choice::Resume(i) => {
            let resume = &app.start_view.resume[i];
            let what = format!("{}: {}", resume.path.label(), resume.progress);
            // What is due goes first: a narrow terminal cuts the end.
            if let Some(due) = resume.deletion_due.filter(|_| resume.due_at(now)) {
                // Not "waiting for deletion": the wait is over.
                let said = format!(
                    "Resume {} (deletion due now) — {}, due since {}",
                    resume.user,
                    resume.path.label(),
                    due.format("%Y-%m-%d")
                );
                Line::from(text::truncate(&said, width)).style(Style::new().fg(Color::Yellow))
            } else {
                Line::from(text::truncate(
                    &format!("Resume {} — {what}", resume.user),
                    width,
                ))
            }
        }
        Choice::Findings => {
            let heading = if app.scan.is_some() {
                format!(
                    "(scan running) {}",
                    findings::heading_so_far(&app.snapshot.users)
                )
            } else {
                findings::heading(&app.snapshot.users)
            };
            let said = format!("Findings list: {}", heading.trim_end_matches(':'));
            Line::from(text::truncate(&said, width))
        }
    }
}

/// Who ramkey is (`compact`: the identity on one line, and one of
/// warning), the state file, and what the state file said; wrapped.
fn about_lines(app: &App, width: usize, compact: bool) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from("Who ramkey is").bold()];
    let account = format!("Account {}", app.header.account_id);
    lines.extend(wrapped(&account, width, Style::new()));
    let identity = &app.header.identity;
    if compact {
        lines.extend(findings::identity::compact(identity, width));
    } else {
        lines.extend(findings::identity_lines(identity, width));
    }
    lines.push(Line::raw(""));
    let state = format!("State file: {}", app.header.state_file);
    lines.extend(wrapped(&state, width, Style::new()));
    let loud = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
    for notice in &app.start_view.notices {
        lines.extend(wrapped(&format!("Note: {notice}"), width, loud));
    }
    lines.push(Line::raw(""));
    lines
}

fn wrapped(said: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    text::wrap(said, width)
        .into_iter()
        .map(|row| Line::from(row).style(style))
        .collect()
}

/// `lines` in `room` rows: the blank spacers go first, then the last
/// rows, the last kept one ending in `…`.
fn fit(mut lines: Vec<Line<'static>>, room: usize) -> Vec<Line<'static>> {
    if lines.len() > room {
        lines.retain(|line| line.width() > 0);
    }
    if lines.len() > room {
        lines.truncate(room);
        if let Some(last) = lines.last_mut() {
            last.spans.push(" …".into());
        }
    }
    lines
}
