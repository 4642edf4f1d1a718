//! Who ramkey is, above the findings table, in as many rows as the screen
//! can spare: the whole block (ARN, credentials, key and expiry, the
//! warning, each wrapped) when the table keeps room for several users,
//! else one line of who and with what (plus one short line of warning), so
//! an 80×24 terminal still shows the table.
//!
//! The account and the state file are on the header line already. Depends
//! on [`crate::ui::text`] and [`crate::ui::view`] only.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;

use crate::ui::text;
use crate::ui::view::Identity;

/// The identity's rows in an area of `width` × `height`: the full block
/// (from `full`) while it takes at most a quarter of the height, else the
/// compact form. The bool says whether the full block was kept.
pub fn fit(
    identity: &Identity,
    full: Vec<Line<'static>>,
    width: usize,
    height: usize,
) -> (Vec<Line<'static>>, bool) {
    // The full block and the blank line under it.
    if full.len() < height / 4 {
        return (full, true);
    }
    (compact(identity, width), false)
}

/// `Signed in as assumed-role/ramkey-rotator/x · STS, expires 13:00 UTC ·
/// RamRoleArn profile …` in `width` (the credentials' source left out when
/// little of it would show), then the warning's first sentence on a line
/// of its own.
pub fn compact(identity: &Identity, width: usize) -> Vec<Line<'static>> {
    let who = format!(
        "Signed in as {} · {}",
        short_arn(&identity.arn),
        kind(identity)
    );
    // Where the credentials come from, only when enough of it shows.
    let room = width.saturating_sub(text::width(&who) + 3);
    let who = if room >= 16 {
        format!("{who} · {}", text::truncate(&identity.credentials, room))
    } else {
        who
    };
    let mut lines = vec![Line::from(text::truncate(&who, width))];
    if let Some(warning) = &identity.warning {
        let said = format!("Warning: {}", first_sentence(warning));
        let highlight = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
        lines.push(Line::from(text::truncate(&said, width)).style(highlight));
    }
    lines
}

/// The ARN without `acs:ram::<account>:`, which the header already names:
/// `assumed-role/ramkey-rotator/rotation-2025`, `user/ramkey-admin`.
fn short_arn(arn: &str) -> &str {
    arn.strip_prefix("acs:ram::")
        .and_then(|rest| rest.split_once(':'))
        .map_or(arn, |(_, resource)| resource)
        .trim()
}

/// `STS, expires 13:00 UTC`, `STS` or `permanent AccessKey`.
fn kind(identity: &Identity) -> String {
    let sts = identity.expires_at.is_some()
        || identity
            .access_key_id
            .as_deref()
            .is_some_and(|key| key.starts_with("STS."));
    match (sts, identity.expires_at) {
        (true, Some(at)) => format!("STS, expires {}", at.format("%H:%M UTC")),
        (true, None) => "STS".to_owned(),
        (false, _) => "permanent AccessKey".to_owned(),
    }
}

/// The warning up to its first full stop followed by a space, with `…`
/// when more follows (the full text shows on a taller terminal).
fn first_sentence(warning: &str) -> String {
    match warning.find(". ") {
        Some(end) => format!("{} …", &warning[..=end]),
        None => warning.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn identity() -> Identity {
        Identity {
            arn: "acs:ram::1234567890123456:assumed-role/ramkey-rotator/rotation-2025".to_owned(),
            identity_type: "AssumedRoleUser".to_owned(),
            credentials: "RamRoleArn profile `rotator` from ~/.aliyun/config.json".to_owned(),
            access_key_id: Some("STS.NUgYrLnoTJbQ6XexW9Zx28".to_owned()),
            expires_at: Some(chrono::Utc.with_ymd_and_hms(2025, 6, 1, 13, 0, 0).unwrap()),
            renewed: true,
            warning: None,
        }
    }

    fn said(lines: &[Line<'static>]) -> Vec<String> {
        lines.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn one_line_names_the_role_and_sts() {
        let lines = compact(&identity(), 200);
        assert_eq!(
            said(&lines),
            [
                "Signed in as assumed-role/ramkey-rotator/rotation-2025 · STS, expires 13:00 UTC · \
              RamRoleArn profile `rotator` from ~/.aliyun/config.json"
            ]
        );
    }

    #[test]
    fn a_permanent_key_keeps_its_warning_on_one_line() {
        let mut identity = identity();
        identity.access_key_id = Some("LTAI5tAdminKey0000000001".to_owned());
        identity.expires_at = None;
        identity.warning = Some("ramkey signs with a permanent AccessKey. STS is safer.".into());
        let lines = compact(&identity, 80);
        assert_eq!(lines.len(), 2);
        assert!(said(&lines)[0].contains("permanent AccessKey"));
        assert_eq!(
            said(&lines)[1],
            "Warning: ramkey signs with a permanent AccessKey. …"
        );
    }

    #[test]
    fn the_full_block_stays_while_it_takes_a_quarter_at_most() {
        let full = vec![Line::raw("a"), Line::raw("b"), Line::raw("c")];
        assert!(fit(&identity(), full.clone(), 80, 29).1);
        assert!(!fit(&identity(), full, 80, 12).1);
    }

    #[test]
    fn an_arn_of_another_shape_is_kept_whole() {
        assert_eq!(short_arn("not-an-arn"), "not-an-arn");
    }
}
