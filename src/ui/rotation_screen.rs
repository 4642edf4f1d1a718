//! One user's rotation: first the evidence (both keys with their verdict
//! and why, the user's policies and groups, the row's marks; see
//! [`super::evidence`]), then what needs the admin's attention (changes
//! made outside ramkey, a write of an earlier run still in flight), then
//! the step checklist (done with its time, current, pending) and the
//! selected step's explanation — what it will do, the exact API call, what
//! Enter does, rollbacks done and whether the key is the one ramkey uses.
//!
//! Step names come from [`super::steps`] and are stable text a test can
//! wait for. Depends on [`super::app`] (read only), [`super::steps`],
//! [`super::text`] and [`super::view`].

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize as _};
use ratatui::text::Line;
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};

use super::app::App;
use super::{exempt_mark, kms_mark, plan_preview};
use chrono::{DateTime, Utc};

use super::view::{DriftView, NewKeyCheck, RotationView, StepKind, StepStatus, StepView, UserView};
use super::{evidence, steps, text};

/// Draws `user_name`'s rotation into `area`.
pub fn render(app: &App, user_name: &str, cursor: usize, frame: &mut Frame, area: Rect) {
    let Some(user) = app.snapshot.user(user_name) else {
        let gone = format!("{user_name} is no longer flagged. Esc goes back.");
        frame.render_widget(Paragraph::new(gone), area);
        return;
    };
    let [title, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    frame.render_widget(title_line(user, title.width), title);

    // At most half the rows, so the plan keeps room.
    let evidence = evidence::fit(
        evidence::lines(
            user,
            app.header.idle_days,
            app.snapshot.taken_at,
            usize::from(body.width),
        ),
        usize::from(body.height / 2),
    );
    let evidence_height = u16::try_from(evidence.len()).unwrap_or(u16::MAX);
    let [evidence_area, body] =
        Layout::vertical([Constraint::Length(evidence_height), Constraint::Min(1)]).areas(body);
    frame.render_widget(Paragraph::new(evidence), evidence_area);

    match &user.rotation {
        None => render_not_started(user, frame, body),
        Some(rotation) => render_steps(app, user, rotation, cursor, frame, body),
    }
}

/// `alice (Alice Wang) · move to new user · 5/11 steps`: the display name
/// is cut first, so the path and the progress always show.
fn title_line(user: &UserView, width: u16) -> Line<'static> {
    let tail = match &user.rotation {
        None => format!(
            " · not started · recommended: {}",
            user.recommendation.label()
        ),
        Some(rotation) => format!(" · {} · {}", rotation.path.label(), rotation.progress()),
    };
    let width = usize::from(width);
    // When not even the path and progress fit beside the user name, the
    // display name is drawn whole and the line cut at its end.
    let cramped = text::width(&user.user_name) + text::width(&tail) > width;
    let display = if user.display_name.is_empty() {
        String::new()
    } else if cramped {
        format!(" ({})", user.display_name)
    } else {
        // The parentheses and the name take their columns first.
        let room = width.saturating_sub(text::width(&user.user_name) + text::width(&tail) + 3);
        match text::truncate(&user.display_name, room) {
            cut if cut.is_empty() || cut == "…" => String::new(),
            cut => format!(" ({cut})"),
        }
    };
    let line = format!("{}{display}{tail}", user.user_name);
    Line::from(text::truncate(&line, width)).bold()
}

fn render_not_started(user: &UserView, frame: &mut Frame, area: Rect) {
    // The keys and their evidence are drawn above this box.
    let mut lines = vec![
        Line::raw("No rotation started for this user yet."),
        Line::raw(format!("Recommended: {}.", user.recommendation.label())),
        Line::raw(""),
    ];
    let exempt = exempt_mark::refusal(user).map(|why| vec![why]);
    if let Some(said) = kms_mark::explanation(user).or(exempt) {
        lines.extend(said.into_iter().map(Line::raw));
    } else {
        lines.push(Line::raw(
            "Enter: choose how to retire one key. Nothing changes until you confirm.",
        ));
        if let Some(plan) = plan_preview::lines(user) {
            lines.push(Line::raw(""));
            lines.extend(plan_lines(plan, usize::from(area.width.saturating_sub(2))));
        }
    }
    let block = Block::bordered().title(" Not started ");
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}

/// The plan's lines wrapped to `inner` columns, each step's call hanging
/// under its name, past the number.
fn plan_lines(plan: Vec<String>, inner: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for step in plan {
        let (lead, hang) = if step.starts_with("  ") {
            ("  ", "      ")
        } else {
            ("", "")
        };
        let wrapped = text::wrap(step.trim_start(), inner.saturating_sub(lead.len()));
        let mut rest = wrapped.into_iter();
        lines.extend(rest.next().map(|first| Line::raw(format!("{lead}{first}"))));
        let hung = inner.saturating_sub(hang.len());
        for more in rest.flat_map(|line| text::wrap(&line, hung)) {
            lines.push(Line::raw(format!("{hang}{more}")));
        }
    }
    lines
}

fn render_steps(
    app: &App,
    user: &UserView,
    rotation: &RotationView,
    cursor: usize,
    frame: &mut Frame,
    area: Rect,
) {
    let attention = attention_lines(
        user.drift.as_deref().unwrap_or_default(),
        rotation.pending.as_deref(),
        usize::from(area.width).saturating_sub(2),
    );
    // Borders around the lines, when there are any.
    let attention_height = match attention.len() {
        0 => 0,
        n => u16::try_from(n + 2).unwrap_or(u16::MAX),
    };
    let detail = rotation.steps.get(cursor).map(|step| {
        let is_current = rotation.current() == Some(cursor);
        let blocked = rotation.blocked.as_deref().filter(|_| is_current);
        let retires = matches!(
            step.kind,
            StepKind::DisableKey { .. } | StepKind::DeleteKey { .. }
        );
        let gone = rotation.retired_key_gone && retires;
        let action = if gone && is_current && matches!(step.status, StepStatus::Pending) {
            Line::from(format!("Enter: {}", steps::GONE_ACTION)).bold()
        } else {
            action_line(step, is_current, blocked, app.snapshot.taken_at)
        };
        let width = usize::from(area.width).saturating_sub(2);
        detail_lines(user, rotation, cursor, action, width)
    });
    let detail_height = detail.as_ref().map_or(0, |lines| {
        u16::try_from(lines.len() + 2).unwrap_or(u16::MAX)
    });
    let (list_height, detail_height) = heights(
        area.height.saturating_sub(attention_height),
        u16::try_from(rotation.steps.len() + 2).unwrap_or(u16::MAX),
        detail_height,
    );
    let [attention_area, list_area, detail_area] = Layout::vertical([
        Constraint::Length(attention_height),
        Constraint::Length(list_height),
        Constraint::Length(detail_height),
    ])
    .areas(area);
    if !attention.is_empty() {
        let title = if user.drift.as_ref().is_some_and(|d| !d.is_empty()) {
            " Changed outside ramkey: check first "
        } else {
            " Check first "
        };
        let block = Block::bordered()
            .title(title)
            .border_style(Style::new().fg(Color::Yellow));
        frame.render_widget(Paragraph::new(attention).block(block), attention_area);
    }

    let current = rotation.current();
    let width = usize::from(list_area.width).saturating_sub(4);
    let items: Vec<ListItem> = rotation
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| ListItem::new(step_line(step, Some(i) == current, width)))
        .collect();
    let mut state = ListState::default().with_selected(Some(cursor));
    let list = List::new(items)
        .block(Block::bordered().title(" Steps "))
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    frame.render_stateful_widget(list, list_area, &mut state);

    if let Some(detail) = detail {
        let lines = detail.fit(usize::from(detail_area.height.saturating_sub(2)));
        let title = format!(
            " Step {} of {}: {} ",
            cursor + 1,
            rotation.steps.len(),
            steps::title(&rotation.steps[cursor].kind)
        );
        let block = Block::bordered().title(text::truncate(
            &title,
            usize::from(detail_area.width).saturating_sub(2),
        ));
        frame.render_widget(Paragraph::new(lines).block(block), detail_area);
    }
}

/// The rows of the step list and of the explanation in `room` rows: the
/// explanation whole when it can be (it says what Enter does), the list
/// cut to at least three rows (it scrolls to the selected step), and any
/// spare rows to the explanation.
fn heights(room: u16, list: u16, detail: u16) -> (u16, u16) {
    const LIST_AT_LEAST: u16 = 3;
    let list = list
        .min(room.saturating_sub(detail).max(LIST_AT_LEAST))
        .min(room);
    (list, room - list)
}

/// Each change made outside ramkey (what, highlighted, then the advice)
/// and the write of an earlier run still in flight, wrapped to `width`.
fn attention_lines(drift: &[DriftView], pending: Option<&str>, width: usize) -> Vec<Line<'static>> {
    let loud = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
    let mut lines = Vec::new();
    // Rows after the first line up under its text, past `indent`.
    let mut add = |indent: &str, said: &str, style: Style| {
        let hang = " ".repeat(text::width(indent));
        lines.extend(
            text::wrap(said, width.saturating_sub(hang.len()))
                .into_iter()
                .enumerate()
                .map(|(i, row)| {
                    let lead = if i == 0 { indent } else { hang.as_str() };
                    Line::from(format!("{lead}{row}")).style(style)
                }),
        );
    };
    for found in drift {
        add("• ", &found.what, loud);
        add("  → ", &found.advice, Style::new());
    }
    if let Some(call) = pending {
        let said = format!("In flight: {call}; will be checked before the next step.");
        add("", &said, loud);
    }
    lines
}

/// `✓ Create the new user        2025-06-01 10:02`, `▶ …`, `· …`.
fn step_line(step: &StepView, is_current: bool, width: usize) -> Line<'static> {
    let title = steps::title(&step.kind);
    match &step.status {
        StepStatus::Done { at, .. } => {
            let when = at.format("%Y-%m-%d %H:%M").to_string();
            let title_width = width.saturating_sub(when.len() + 3);
            Line::from(format!("✓ {} {when}", text::fit(&title, title_width)))
                .style(Style::new().fg(Color::Green))
        }
        StepStatus::Pending if is_current => {
            Line::from(text::truncate(&format!("▶ {title}   ← current"), width)).bold()
        }
        StepStatus::Pending => Line::from(text::truncate(&format!("· {title}"), width)),
    }
}

/// The last line of the explanation: when it was done, what Enter does,
/// or why there is nothing to do yet. A `blocked` reason shows here, not
/// only in the status line, because this panel wraps it with its remedy.
fn action_line(
    step: &StepView,
    is_current: bool,
    blocked: Option<&str>,
    now: DateTime<Utc>,
) -> Line<'static> {
    match (&step.status, &step.kind, blocked) {
        (StepStatus::Done { at, request_id }, _, _) => {
            let id = request_id
                .as_deref()
                .map(|id| format!(", RequestId {id}"))
                .unwrap_or_default();
            Line::from(format!("Done {}{id}.", at.format("%Y-%m-%d %H:%M UTC")))
        }
        (StepStatus::Pending, StepKind::DeleteKey { due, .. }, _) if is_current && now < *due => {
            Line::from(format!(
                "Waiting for deletion: come back on or after {}.",
                due.format("%Y-%m-%d")
            ))
            .bold()
        }
        (StepStatus::Pending, _, Some(why)) if is_current => {
            Line::from(format!("Not now: {why}.")).bold()
        }
        (StepStatus::Pending, kind, _) if is_current => {
            Line::from(format!("Enter: {}", steps::action(kind))).bold()
        }
        (StepStatus::Pending, _, _) => Line::raw("Comes after the current step."),
    }
}

/// The explanation of step `index`, wrapped to `width`: what it does, its
/// API call, whether it touches the key ramkey uses, what Enter (or `r`)
/// does, and the rollbacks done.
fn detail_lines(
    user: &UserView,
    rotation: &RotationView,
    index: usize,
    action: Line<'static>,
    width: usize,
) -> Detail {
    let step = &rotation.steps[index];
    let name = user.user_name.as_str();
    let gone = steps::gone(&step.kind, name)
        .filter(|_| rotation.retired_key_gone && rotation.current() == Some(index));
    let is_gone = gone.is_some();
    let mut lines: Vec<Line> = gone
        .unwrap_or_else(|| steps::explain(&step.kind, name))
        .into_iter()
        .map(Line::from)
        .collect();
    let prose = lines.len();
    // A key found gone is recorded, not called for.
    if let Some(call) = steps::api_call(&step.kind, name).filter(|_| !is_gone) {
        // The current step's writes exactly as sent, when the engine knows them.
        let exact = super::safety::next_calls_lines(rotation, index);
        if exact.is_empty() {
            lines.push(Line::from(format!("API: {call}")));
        }
        lines.extend(exact);
    }
    if retires_ramkeys_key(user, &step.kind) {
        lines.push(
            Line::from(format!(
                "{} is the key ramkey is using: ramkey will not disable or delete it.",
                user.keys
                    .iter()
                    .find(|key| key.used_by_ramkey)
                    .map_or("This", |key| key.access_key_id.as_str())
            ))
            .bold(),
        );
    }
    let about = lines.len();
    lines.push(Line::raw(""));
    lines.push(action);
    if matches!(step.kind, StepKind::DeleteKey { .. })
        && rotation.current() == Some(index)
        && !is_gone
    {
        lines.push(Line::raw(
            "An application broke since the disable? r re-enables the old key.",
        ));
        if super::flow::disable_again_key(user).is_some() {
            lines.push(
                Line::raw(
                    "The old key is Active again or was used after its disable, so it is not \
                     deleted. Once you know why: a disables it again and restarts the wait.",
                )
                .bold(),
            );
        }
    }
    if rotation.current() == Some(index) {
        lines.extend(new_key_line(rotation));
    }
    if rotation.rollbacks > 0 {
        let times = match rotation.rollbacks {
            1 => "once".to_owned(),
            n => format!("{n} times"),
        };
        lines.push(Line::raw(format!(
            "Rolled back {times}: the old key was re-enabled after an application broke."
        )));
    }
    let wrap = |lines: &[Line<'static>]| -> Vec<Line<'static>> {
        lines
            .iter()
            .flat_map(|line| wrap_line(line, width))
            .collect()
    };
    Detail {
        about: wrap(&lines[..prose]),
        calls: wrap(&lines[prose..about]),
        then: wrap(&lines[about..]),
        width,
    }
}

/// Whether the new key was seen to work, and `v` while it was not (BC-12).
fn new_key_line(rotation: &RotationView) -> Option<Line<'static>> {
    let key = rotation.new_key.as_ref()?;
    let id = &key.key_id;
    let again = if key.secret_held {
        "v checks again"
    } else {
        "v checks again (paste its secret)"
    };
    let line = match key.check {
        NewKeyCheck::Verified { at, attempts } => {
            let tries = if attempts == 1 { "attempt" } else { "attempts" };
            return Some(Line::raw(format!(
                "New key {id} works: verified {} ({attempts} {tries}).",
                at.format("%Y-%m-%d %H:%M UTC")
            )));
        }
        NewKeyCheck::NotYetVerified {
            attempts,
            last_tried,
        } => {
            let tries = if attempts == 1 { "attempt" } else { "attempts" };
            format!(
                "New key {id}: not verified yet: still refused ({attempts} {tries}, last {}); \
                 the old key stays Active; {again}.",
                last_tried.format("%H:%M UTC")
            )
        }
        NewKeyCheck::NotChecked => format!("New key {id}: never checked; {again}."),
    };
    Some(Line::from(line).bold())
}

/// A step's explanation, in three parts: what the step does, the API calls
/// it makes, and what the admin can do now (Enter, `r`); the last two stay
/// whole when rows run short.
struct Detail {
    about: Vec<Line<'static>>,
    calls: Vec<Line<'static>>,
    then: Vec<Line<'static>>,
    width: usize,
}

impl Detail {
    fn len(&self) -> usize {
        self.about.len() + self.calls.len() + self.then.len()
    }

    /// At most `rows` lines: what the admin can do now whole, then the API
    /// calls whole (or left out), then what the step does, cut (its last
    /// row ending in `…`) when the rows run out.
    fn fit(mut self, rows: usize) -> Vec<Line<'static>> {
        // The blank line above what Enter does goes first.
        if self.len() > rows && self.then.first().is_some_and(|line| line.width() == 0) {
            self.then.remove(0);
        }
        let mut room = rows.saturating_sub(self.then.len());
        // An API call is shown whole or not at all: half a call misleads.
        let calls = if self.calls.len() <= room {
            room -= self.calls.len();
            self.calls
        } else {
            Vec::new()
        };
        let mut lines = cut(self.about, &mut room, self.width);
        lines.extend(calls);
        lines.extend(self.then);
        lines
    }
}

/// `lines` in at most `room` rows (the last kept ending in `…` when some
/// are left out); `room` keeps what is left.
fn cut(mut lines: Vec<Line<'static>>, room: &mut usize, width: usize) -> Vec<Line<'static>> {
    if lines.len() > *room {
        lines.truncate(*room);
        if let Some(last) = lines.last_mut() {
            *last = ellipsized(last, width);
        }
    }
    *room -= lines.len();
    lines
}

/// `line` ending in ` …` within `width` columns (cut further if need be),
/// so the reader sees that more was left out.
fn ellipsized(line: &Line<'static>, width: usize) -> Line<'static> {
    let said: String = line
        .spans
        .iter()
        .map(|span| span.content.as_ref())
        .collect();
    let cut = text::truncate(&format!("{} …", said.trim_end()), width);
    Line::from(cut).style(line.style)
}

/// `line` broken into rows of at most `width` columns, keeping its style.
fn wrap_line(line: &Line<'_>, width: usize) -> Vec<Line<'static>> {
    let said: String = line
        .spans
        .iter()
        .map(|span| span.content.as_ref())
        .collect();
    let rows = text::wrap(&said, width);
    if rows.is_empty() {
        return vec![Line::raw("")];
    }
    rows.into_iter()
        .map(|row| Line::from(row).style(line.style))
        .collect()
}

/// Whether `kind` disables or deletes the key ramkey signs with.
fn retires_ramkeys_key(user: &UserView, kind: &StepKind) -> bool {
    let (StepKind::Review { key_id }
    | StepKind::DisableKey { key_id }
    | StepKind::DeleteKey { key_id, .. }) = kind
    else {
        return false;
    };
    user.keys
        .iter()
        .any(|key| &key.access_key_id == key_id && key.used_by_ramkey)
}
