//! `ramkey status --ics FILE`: an iCalendar (RFC 5545) file with one
//! all-day event per retired key awaiting deletion, on its deletion date.
//!
//! Pure text building (the caller writes the file). Written here rather than
//! with a calendar crate: the one well-known crate (`icalendar`) needs a
//! newer Rust than ramkey's `rust-version`, and the part ramkey needs is a
//! few fixed properties, escaped and folded as RFC 5545 §3.1 and §3.3.11 say.

use chrono::{DateTime, Days, Utc};

use crate::state::{Rotation, StateDocument};

/// Longest content line, in octets, before the line break (RFC 5545 §3.1).
const LINE_OCTETS: usize = 75;

/// One reminder: a key that may be deleted from `delete_after` on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// Stable per rotation, so a calendar that imports the file again
    /// updates the event instead of adding a second one.
    pub uid: String,
    /// When the waiting period ends.
    pub delete_after: DateTime<Utc>,
    /// The retired key.
    pub key_id: String,
    /// The flagged RAM user.
    pub user: String,
    /// The account.
    pub account_id: String,
}

/// The reminders of a state document: its rotations whose key is disabled
/// and not yet deleted.
pub fn reminders(document: &StateDocument) -> Vec<Reminder> {
    document
        .rotations
        .iter()
        .filter_map(|rotation| reminder(&document.account_id, rotation))
        .collect()
}

fn reminder(account_id: &str, rotation: &Rotation) -> Option<Reminder> {
    let deletion = rotation.progress.deletion()?;
    if deletion.deleted_at.is_some() {
        return None;
    }
    Some(Reminder {
        uid: format!("ramkey-{account_id}-{}-delete@ramkey", rotation.id),
        delete_after: deletion.delete_after,
        key_id: rotation.key_id.clone(),
        user: rotation.user.clone(),
        account_id: account_id.to_owned(),
    })
}

/// The calendar text, lines ended by CRLF; `now` dates it (DTSTAMP).
pub fn calendar(reminders: &[Reminder], now: DateTime<Utc>) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        format!("PRODID:-//ramkey//ramkey {}//EN", env!("CARGO_PKG_VERSION")),
        "CALSCALE:GREGORIAN".to_owned(),
    ];
    for reminder in reminders {
        lines.extend(event(reminder, now));
    }
    lines.push("END:VCALENDAR".to_owned());

    lines.iter().map(|line| fold(line) + "\r\n").collect()
}

fn event(reminder: &Reminder, now: DateTime<Utc>) -> Vec<String> {
    let day = reminder.delete_after.date_naive();
    let next_day = day.checked_add_days(Days::new(1)).unwrap_or(day);
    let summary = format!(
        "ramkey: delete AccessKey {} of RAM user {}",
        reminder.key_id, reminder.user
    );
    let description = format!(
        "The waiting period of AccessKey {key} of RAM user {user} (account {account}) ends \
         on {end}.\nRun ramkey to re-check the key's last use and delete it: ramkey refuses \
         to delete a key used after it was disabled, and says why.",
        key = reminder.key_id,
        user = reminder.user,
        account = reminder.account_id,
        end = reminder.delete_after.format("%Y-%m-%d %H:%M UTC"),
    );
    vec![
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", escape(&reminder.uid)),
        format!("DTSTAMP:{}", now.format("%Y%m%dT%H%M%SZ")),
        format!("DTSTART;VALUE=DATE:{}", day.format("%Y%m%d")),
        format!("DTEND;VALUE=DATE:{}", next_day.format("%Y%m%d")),
        format!("SUMMARY:{}", escape(&summary)),
        format!("DESCRIPTION:{}", escape(&description)),
        "TRANSP:TRANSPARENT".to_owned(),
        "END:VEVENT".to_owned(),
    ]
}

/// A TEXT value escaped (RFC 5545 §3.3.11): backslash, semicolon, comma and
/// newline; a carriage return is dropped (a CRLF becomes one `\n`).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// A content line folded to at most 75 octets per physical line, never
/// inside a UTF-8 character; each continuation starts with one space, which
/// counts towards its 75.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 64 * 3);
    let mut rest = line;
    let mut limit = LINE_OCTETS;
    while rest.len() > limit {
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        limit = LINE_OCTETS - 1;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn unfold(text: &str) -> String {
        text.replace("\r\n ", "")
    }

    #[test]
    fn escapes_the_four_specials() {
        assert_eq!(escape(r"a\b;c,d"), r"a\\b\;c\,d");
        assert_eq!(escape("one\r\ntwo\nthree"), r"one\ntwo\nthree");
        assert_eq!(escape("key: LTAI"), "key: LTAI", "a colon needs no escape");
    }

    #[test]
    fn folds_at_75_octets_and_never_inside_a_character() {
        let line = format!("DESCRIPTION:{}", "账号".repeat(40));

        let folded = fold(&line);

        let physical: Vec<&str> = folded.split("\r\n").collect();
        assert!(physical.len() > 2, "{folded}");
        for (i, part) in physical.iter().enumerate() {
            assert!(
                part.len() <= LINE_OCTETS,
                "line {i} has {} octets",
                part.len()
            );
            assert_eq!(part.starts_with(' '), i > 0, "line {i}: {part:?}");
        }
        // "DESCRIPTION:" is 12 octets and each character 3: 21 of them fill 75.
        assert_eq!(physical[0].len(), 75, "fills the first line");
        assert_eq!(unfold(&folded), line);
    }

    #[test]
    fn short_lines_are_left_alone() {
        let line = "X".repeat(75);
        assert_eq!(fold(&line), line);
        assert_eq!(fold(&"X".repeat(76)), format!("{}\r\n X", "X".repeat(75)));
    }

    #[test]
    fn one_all_day_event_per_reminder_on_its_deletion_date() {
        let reminder = Reminder {
            uid: "ramkey-1-0123456789ab-delete@ramkey".to_owned(),
            delete_after: at("2026-04-01T03:04:05Z"),
            key_id: "LTAI-OLD".to_owned(),
            user: "app,user".to_owned(),
            account_id: "1".to_owned(),
        };

        let text = calendar(&[reminder], at("2026-01-02T00:00:00Z"));

        assert!(text.ends_with("END:VCALENDAR\r\n"), "{text}");
        assert!(
            !text.replace("\r\n", "").contains('\n'),
            "bare LF in {text:?}"
        );
        let text = unfold(&text);
        for line in [
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n",
            "\r\nBEGIN:VEVENT\r\nUID:ramkey-1-0123456789ab-delete@ramkey\r\n",
            "\r\nDTSTAMP:20260102T000000Z\r\n",
            "\r\nDTSTART;VALUE=DATE:20260401\r\nDTEND;VALUE=DATE:20260402\r\n",
            "\r\nSUMMARY:ramkey: delete AccessKey LTAI-OLD of RAM user app\\,user\r\n",
            "ends on 2026-04-01 03:04 UTC.\\nRun ramkey to re-check the key's last use and \
             delete it",
        ] {
            assert!(text.contains(line), "no {line:?} in\n{text}");
        }
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 1);
    }

    #[test]
    fn no_reminders_is_an_empty_calendar() {
        let text = calendar(&[], at("2026-01-02T00:00:00Z"));
        assert!(!text.contains("VEVENT"));
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    }
}
