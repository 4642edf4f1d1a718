//! Draws the whole wizard from the state, by reference: the header, the
//! read-only banner when the state file may not be written, the screen,
//! the status line, the footer hints, then the dialog and the help overlay
//! above them. Below the minimum size only [`super::too_small`]'s message.
//!
//! Depends on the screens and dialogs; reads [`App`] and never changes it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::app::{App, Screen};
use super::flow::Dialog;
use super::keys::{self, Command, Context};
use super::{color, findings, popup, rotation_screen, safety, start_screen, text, too_small};

/// The spinner frames of the "working…" line and of the scan's gauge.
pub const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

/// The spinner's frame after `ticks` ticks.
pub fn spinner(ticks: u64) -> &'static str {
    SPINNER[usize::try_from(ticks % 4).unwrap_or(0)]
}

/// Draws `app` on the whole frame (only a message below the minimum size),
/// without colour when `app.no_color`.
pub fn render(app: &App, frame: &mut Frame) {
    if too_small::applies(frame.area()) {
        too_small::render(frame);
        return;
    }
    let mut banner_lines = read_only_banner(app, frame.area().width);
    banner_lines.extend(safety::dry_run_banner(&app.header, frame.area().width));
    let banner_height = u16::try_from(banner_lines.len()).unwrap_or(u16::MAX);
    // Every key stays in the footer: it takes more rows when it must (three
    // at most, at the narrowest widths).
    let footer = super::footer::fit(footer_line(app), frame.area().width);
    let footer_height = u16::try_from(footer.len()).unwrap_or(1).min(3);
    // A notice too long for one row (a RequestId at its end) takes two.
    let status_rows = status_lines(app, frame.area().width);
    let status_height = u16::try_from(status_rows.len()).unwrap_or(1).clamp(1, 2);
    let [header, banner, body, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_height),
        Constraint::Min(1),
        Constraint::Length(status_height),
        Constraint::Length(footer_height),
    ])
    .areas(frame.area());

    frame.render_widget(header_line(app, header.width), header);
    frame.render_widget(ratatui::widgets::Paragraph::new(banner_lines), banner);
    match &app.screen {
        Screen::Start { cursor } => start_screen::render(app, *cursor, frame, body),
        Screen::Findings => findings::render(app, frame, body),
        Screen::Rotation { user, cursor } => {
            rotation_screen::render(app, user, *cursor, frame, body);
        }
    }
    frame.render_widget(ratatui::widgets::Paragraph::new(status_rows), status);
    frame.render_widget(ratatui::widgets::Paragraph::new(footer), hints);

    if let Some(open) = &app.dialog {
        render_dialog(&open.dialog, frame, body);
    }
    if let Some(help) = &app.help {
        help.render(frame, frame.area());
    }
    if app.no_color {
        color::strip(frame.buffer_mut());
    }
}

/// The footer's hints: the context's keys, `a` when it applies, the demo's
/// `>` while a deletion waits, and the read-only note first.
fn footer_line(app: &App) -> Line<'static> {
    let mut footer = popup::hints(app.context());
    let now = [
        (app.offers_rollback(), Command::Rollback),
        (app.offers_disable_again(), Command::DisableAgain),
    ];
    for (_, command) in now.into_iter().filter(|(applies, _)| *applies) {
        if let Some(binding) = keys::binding(Context::Rotation, command) {
            footer.spans.push(Span::raw(" · "));
            footer.spans.push(Span::styled(
                keys::keys_label(binding.keys),
                Style::new().add_modifier(Modifier::BOLD),
            ));
            footer.spans.push(Span::raw(format!(" {}", binding.hint)));
        }
    }
    if let Some((keys, hint)) = super::clock_jump::footer_hint(app) {
        footer.spans.push(Span::raw(" · "));
        footer.spans.push(Span::styled(
            keys,
            Style::new().add_modifier(Modifier::BOLD),
        ));
        footer.spans.push(Span::raw(format!(" {hint}")));
    }
    if let Some(note) = safety::footer_note(&app.header) {
        footer.spans.insert(0, note);
    }
    footer
}

fn render_dialog(dialog: &Dialog, frame: &mut Frame, area: Rect) {
    match dialog {
        Dialog::Ask(question, _) => question.render(frame, area),
        Dialog::Confirm(confirm, _) => confirm.render(frame, area),
        Dialog::Name(field)
        | Dialog::WhatBroke(field, _)
        | Dialog::PasteSecret(field)
        | Dialog::Override(field, _) => {
            field.render(frame, area);
        }
        Dialog::Copy(list, _) | Dialog::Detach(list, _) => list.render(frame, area),
        Dialog::Start(choice, _) => choice.render(frame, area),
        Dialog::Secret(secret) => secret.render(frame, area),
        Dialog::Error(error) => error.render(frame, area),
        Dialog::Notice(notice) => notice.render(frame, area),
        Dialog::Swap(swap, _) => swap.render(frame, area),
    }
}

/// On every screen while the state file is read-only: why, and that
/// nothing will be changed; wrapped, never cut.
fn read_only_banner(app: &App, width: u16) -> Vec<Line<'static>> {
    let Some(why) = app.read_only() else {
        return Vec::new();
    };
    let said =
        format!("READ-ONLY: {why}. Nothing will be changed: every step that writes is refused.");
    let style = Style::new()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD);
    text::wrap(&said, usize::from(width))
        .into_iter()
        .map(|row| Line::from(row).style(style))
        .collect()
}

/// `ramkey · account … · state …`, with the demo called out first; on a
/// narrow terminal the demo's words shorten and the state file's path is
/// cut in its middle, so its file name shows.
fn header_line(app: &App, width: u16) -> Line<'static> {
    let header = &app.header;
    let width = usize::from(width);
    let dry_run = safety::header_prefix(header);
    let who = |demo: &str| {
        if header.demo {
            format!("{dry_run}{demo} · account {}", header.account_id)
        } else {
            format!("{dry_run}ramkey · account {}", header.account_id)
        }
    };
    let mut lead = who("ramkey demo — built-in sandbox, not a real account");
    let whole = format!("{lead} · state {}", header.state_file);
    if text::width(&whole) > width && header.demo {
        lead = who("ramkey demo (sandbox)");
    }
    let room = width.saturating_sub(text::width(&lead) + text::width(" · state "));
    let line = format!(
        "{lead} · state {}",
        super::path_fit::fit(&header.state_file, room)
    );
    Line::from(text::truncate(&line, width)).style(Style::new().reversed())
}

/// The call in flight (and its latest retry), or the last notice.
fn status_line(app: &App, width: u16) -> Line<'static> {
    let width = usize::from(width);
    if let Some(doing) = &app.pending {
        let mut line = format!("{} working… {doing}", spinner(app.ticks));
        if let Some(retrying) = &app.retrying {
            line.push_str(" — ");
            line.push_str(retrying);
        }
        return Line::from(Span::styled(
            text::truncate(&line, width),
            Style::new().fg(Color::Yellow),
        ));
    }
    // The scan's calls are tried again too; the last retry stays until the
    // start is over (throttling is counted in the gauge).
    if let Some(retrying) = app.retrying.as_ref().filter(|_| app.is_starting()) {
        let line = format!("Last retry: {retrying}");
        return Line::from(Span::styled(
            text::truncate(&line, width),
            Style::new().fg(Color::Yellow),
        ));
    }
    match &app.notice {
        Some(notice) => Line::from(text::truncate(notice, width)),
        None => Line::raw(""),
    }
}

/// The status line, or the last notice wrapped onto two rows when one
/// cuts it (the second cut with `…` if even two do not hold it).
fn status_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let notice = app
        .notice
        .as_deref()
        .filter(|_| app.pending.is_none() && !(app.retrying.is_some() && app.is_starting()))
        .filter(|notice| text::width(notice) > usize::from(width));
    let Some(notice) = notice else {
        return vec![status_line(app, width)];
    };
    let rows = text::wrap(notice, usize::from(width));
    let mut lines: Vec<Line<'static>> = rows.iter().take(1).cloned().map(Line::from).collect();
    let rest = rows.get(1..).unwrap_or_default().join(" ");
    lines.push(Line::from(text::truncate(&rest, usize::from(width))));
    lines
}
