//! The sentences a scan adds for the admin: how old the report's data is.
//!
//! Pure: times in, text out.

use chrono::{DateTime, Utc};

/// "report generated 2026-12-03 14:02 UTC, 2 h ago".
pub(super) fn data_age(generated: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let stamp = generated.format("%Y-%m-%d %H:%M UTC");
    format!("report generated {stamp}, {}", ago(generated, now))
}

fn ago(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (now - then).num_minutes();
    match minutes {
        i64::MIN..0 => "after this machine's clock (clock skew?)".to_owned(),
        0 => "less than a minute ago".to_owned(),
        1..60 => format!("{minutes} min ago"),
        60..2880 => format!("{} h ago", minutes / 60),
        _ => format!("{} days ago", minutes / 1440),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test date")
    }

    #[test]
    fn ages_read_naturally() {
        let generated = at("2026-12-03T14:02:41Z");
        let cases = [
            ("2026-12-03T14:02:50Z", "less than a minute ago"),
            ("2026-12-03T14:40:00Z", "37 min ago"),
            ("2026-12-03T16:10:00Z", "2 h ago"),
            ("2026-12-06T14:10:00Z", "3 days ago"),
            ("2026-12-03T14:00:00Z", "clock skew"),
        ];
        for (now, words) in cases {
            let text = data_age(generated, at(now));
            assert!(
                text.starts_with("report generated 2026-12-03 14:02 UTC, "),
                "{text}"
            );
            assert!(text.contains(words), "{now}: {text}");
        }
    }
}
