//! The evidence on a user's screen, above its plan: each key with its
//! verdict and why (its last use and how long before the data was read,
//! against the idle threshold), the user's policies and groups, and the
//! row's marks (exempt, KMS-managed, ramkey's own key).
//!
//! Pure: lines in, nothing drawn. Depends on [`super::text`] and
//! [`super::view`].

use chrono::{DateTime, Utc};
use ratatui::style::{Color, Modifier, Style, Stylize as _};
use ratatui::text::Line;

use super::steps::policy_label;
use super::text;
use super::view::{KeyView, RowMark, UserView, Verdict};

/// The evidence about `user` at `now` (the snapshot's time), with keys
/// idle after `idle_days`, wrapped to `width`.
pub fn lines(
    user: &UserView,
    idle_days: u32,
    now: DateTime<Utc>,
    width: usize,
) -> Vec<Line<'static>> {
    let as_of = user.data_as_of.map_or_else(
        || "data as of the start".to_owned(),
        |at| format!("data as of {}", at.format("%Y-%m-%d %H:%M UTC")),
    );
    let title = format!("Evidence ({as_of}; idle after {idle_days} days without use):");
    let mut lines = wrapped(&title, width, "", Style::new().add_modifier(Modifier::BOLD));
    for key in &user.keys {
        let lead = format!(
            "  {} {}  ",
            text::fit(key.verdict.label(), 8),
            key.access_key_id
        );
        let style = if key.used_by_ramkey {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        lines.extend(after_lead(&lead, &why(key, now), width, style));
        if key.used_by_ramkey {
            let said = "the key ramkey is using: it never disables or deletes it";
            lines.extend(after_lead(HANG, said, width, style));
        }
        if let Some(disagreement) = &key.disagreement {
            let yellow = Style::new().fg(Color::Yellow);
            lines.extend(after_lead(HANG, disagreement, width, yellow));
        }
    }
    lines.extend(wrapped(&grants_line(user), width, "  ", Style::new()));
    if !user.marks.is_empty() {
        let marks: Vec<String> = user.marks.iter().map(RowMark::label).collect();
        let said = format!("! {}", marks.join(" · "));
        let loud = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
        lines.extend(wrapped(&said, width, "  ", loud));
    }
    lines
}

/// Why the key has its verdict, e.g. "last used 2024-11-02, 211 d ago".
pub fn why(key: &KeyView, now: DateTime<Utc>) -> String {
    let used = key.last_used.map(|at| {
        let days = (now - at).num_days().max(0);
        format!("last used {}, {days} d ago", at.format("%Y-%m-%d"))
    });
    match (key.verdict, used) {
        (Verdict::Unknown, _) => match &key.reason {
            Some(reason) => format!("{reason} (not proof of no use)"),
            None => "no last use known (not proof of no use)".to_owned(),
        },
        (Verdict::Idle | Verdict::InUse, Some(used)) => used,
        (Verdict::Idle | Verdict::InUse, None) => "no last use known".to_owned(),
        (Verdict::Disabled, Some(used)) => format!("Inactive in the cloud; {used}"),
        (Verdict::Disabled, None) => "Inactive in the cloud".to_owned(),
        (Verdict::Deleted, _) => "no longer in the cloud".to_owned(),
    }
}

/// "Policies: ReadOnlyAccess (System) · Groups: ops", or that they are
/// not read yet.
fn grants_line(user: &UserView) -> String {
    let Some(grants) = &user.grants else {
        return "Policies and groups: not read yet.".to_owned();
    };
    let policies = if grants.policies.is_empty() {
        "none".to_owned()
    } else {
        let names: Vec<String> = grants.policies.iter().map(policy_label).collect();
        names.join(", ")
    };
    let groups = if grants.groups.is_empty() {
        "none".to_owned()
    } else {
        grants.groups.join(", ")
    };
    format!("Policies: {policies} · Groups: {groups}")
}

/// Where a key line's text starts: past the verdict's column.
const HANG: &str = "           ";

/// `lead` (aligned columns, kept as they are) then `said` wrapped in the
/// columns after it; on a terminal too narrow for both, `said` goes under.
fn after_lead(lead: &str, said: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    let lead_width = text::width(lead);
    if lead_width + 12 > width {
        let mut lines = vec![Line::from(text::truncate(lead.trim_end(), width)).style(style)];
        lines.extend(wrapped(&format!("  {said}"), width, "  ", style));
        return lines;
    }
    let hang = " ".repeat(lead_width);
    text::wrap(said, width - lead_width)
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let indent = if i == 0 { lead } else { hang.as_str() };
            Line::from(format!("{indent}{row}")).style(style)
        })
        .collect()
}

/// `said` wrapped to `width`, rows after the first indented by `hang`.
fn wrapped(said: &str, width: usize, hang: &str, style: Style) -> Vec<Line<'static>> {
    let rest = width.saturating_sub(text::width(hang)).max(1);
    let mut rows = text::wrap(said, width.max(1)).into_iter();
    let Some(first) = rows.next() else {
        return Vec::new();
    };
    // The remainder rewrapped under the hang, so no row is wider than `width`.
    let remainder: Vec<String> = rows.collect();
    let mut lines = vec![Line::from(first).style(style)];
    if !remainder.is_empty() {
        let joined = remainder.join(" ");
        lines.extend(
            text::wrap(&joined, rest)
                .into_iter()
                .map(|row| Line::from(format!("{hang}{row}")).style(style)),
        );
    }
    lines
}

/// Marks `lines` as cut: at most `room`, the last ending in `…`.
pub fn fit(mut lines: Vec<Line<'static>>, room: usize) -> Vec<Line<'static>> {
    if lines.len() > room {
        lines.truncate(room);
        if let Some(last) = lines.last_mut() {
            last.spans.push(" …".italic());
        }
    }
    lines
}
