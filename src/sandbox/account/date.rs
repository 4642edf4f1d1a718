//! Dates in an account file: absolute RFC 3339, or relative to sandbox start.
//!
//! Relative dates (`-3d`, `-200d`, `-1h`, `-90m`, `-30s`, `now`) keep the demo
//! realistic on any day: a key "last used 200 days ago" stays idle whenever the
//! sandbox runs. [`AccountDate::resolve`] pins them once, at start.

use std::fmt;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// A date as written in an account file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountDate {
    /// A fixed moment, e.g. `2024-01-02T03:04:05Z`.
    At(DateTime<Utc>),
    /// This long before the sandbox started, e.g. `-3d`.
    Ago(Duration),
}

impl AccountDate {
    /// The moment this date stands for, given when the sandbox started.
    pub fn resolve(self, start: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            AccountDate::At(at) => at,
            AccountDate::Ago(ago) => start - ago,
        }
    }

    /// Parses the account-file spelling; the error says what is accepted.
    pub fn parse(text: &str) -> Result<AccountDate, String> {
        if text == "now" {
            return Ok(AccountDate::Ago(Duration::zero()));
        }
        if let Some(relative) = text.strip_prefix('-') {
            return parse_ago(relative).map(AccountDate::Ago).ok_or_else(|| {
                format!("`{text}` is not a relative date; write e.g. -30s, -90m, -1h or -200d")
            });
        }
        DateTime::parse_from_rfc3339(text)
            .map(|at| AccountDate::At(at.with_timezone(&Utc)))
            .map_err(|_| {
                format!(
                    "`{text}` is not a date; write RFC 3339 (2024-01-02T03:04:05Z) \
                     or a time before sandbox start (-3d, -1h, now)"
                )
            })
    }
}

/// `30s`, `90m`, `1h`, `200d` (the part after the minus sign).
fn parse_ago(relative: &str) -> Option<Duration> {
    let unit = relative.chars().last()?;
    let count: i64 = relative[..relative.len() - unit.len_utf8()].parse().ok()?;
    if count < 0 {
        return None;
    }
    match unit {
        's' => Some(Duration::seconds(count)),
        'm' => Duration::try_minutes(count),
        'h' => Duration::try_hours(count),
        'd' => Duration::try_days(count),
        _ => None,
    }
}

impl fmt::Display for AccountDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountDate::At(at) => f.write_str(&at.to_rfc3339_opts(SecondsFormat::Secs, true)),
            AccountDate::Ago(ago) => write_ago(f, ago.num_seconds()),
        }
    }
}

fn write_ago(f: &mut fmt::Formatter<'_>, seconds: i64) -> fmt::Result {
    const UNITS: [(i64, char); 3] = [(86_400, 'd'), (3_600, 'h'), (60, 'm')];
    for (size, unit) in UNITS {
        if seconds != 0 && seconds % size == 0 {
            return write!(f, "-{}{unit}", seconds / size);
        }
    }
    write!(f, "-{seconds}s")
}

impl Serialize for AccountDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AccountDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        AccountDate::parse(&text).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap()
    }

    #[test]
    fn relative_dates_count_back_from_start() {
        let cases = [
            ("-200d", Duration::days(200)),
            ("-1h", Duration::hours(1)),
            ("-90m", Duration::minutes(90)),
            ("-30s", Duration::seconds(30)),
            ("now", Duration::zero()),
        ];
        for (text, ago) in cases {
            let date = AccountDate::parse(text).unwrap();
            assert_eq!(date.resolve(start()), start() - ago, "{text}");
        }
    }

    #[test]
    fn absolute_dates_ignore_start() {
        let date = AccountDate::parse("2023-06-01T00:00:00+08:00").unwrap();
        assert_eq!(
            date.resolve(start()),
            Utc.with_ymd_and_hms(2023, 5, 31, 16, 0, 0).unwrap()
        );
    }

    #[test]
    fn malformed_dates_say_what_is_accepted() {
        for text in ["-3w", "-d", "3d", "--3d", "yesterday", "-1.5h", ""] {
            let error = AccountDate::parse(text).unwrap_err();
            assert!(error.contains(&format!("`{text}`")), "{text}: {error}");
        }
    }

    #[test]
    fn display_round_trips() {
        for text in ["-200d", "-1h", "-90m", "-61s", "2024-01-02T03:04:05Z"] {
            assert_eq!(AccountDate::parse(text).unwrap().to_string(), text);
        }
    }
}
