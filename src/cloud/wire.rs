//! Serde helpers shared by the RAM and STS answer shapes: dates read
//! tolerantly, because a missing or odd last-use date must mean "unknown",
//! never a failed scan.
//!
//! Depends on nothing else in the crate.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};

/// Layouts seen besides RFC 3339 (`2015-01-23T12:33:18Z`): minutes only, and
/// a space instead of the `T`.
const OTHER_LAYOUTS: [&str; 3] = ["%Y-%m-%dT%H:%MZ", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"];

/// Parses an API date; `None` for an empty or unreadable value.
pub(crate) fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    if let Ok(date) = DateTime::parse_from_rfc3339(raw) {
        return Some(date.with_timezone(&Utc));
    }
    let parsed = OTHER_LAYOUTS
        .iter()
        .find_map(|layout| NaiveDateTime::parse_from_str(raw, layout).ok())
        .map(|naive| naive.and_utc());
    if parsed.is_none() {
        tracing::warn!(
            value = raw,
            "unreadable date in an API answer; treated as unknown"
        );
    }
    parsed
}

/// For `#[serde(default, deserialize_with = "lenient_date")]` fields.
pub(crate) fn lenient_date<'de, D>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error>
where
    D: Deserializer<'de>,
{
    let raw = Option::<String>::deserialize(deserializer)?;
    Ok(raw.as_deref().and_then(parse_date))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_api_format_and_tolerates_others() {
        let expected = "2015-01-23T12:33:18Z";
        assert_eq!(
            parse_date("2015-01-23T12:33:18Z").unwrap().to_rfc3339(),
            "2015-01-23T12:33:18+00:00"
        );
        assert_eq!(
            parse_date("2015-01-23T20:33:18+08:00"),
            parse_date(expected),
            "an offset is converted to UTC"
        );
        assert_eq!(parse_date("2015-01-23 12:33:18"), parse_date(expected));
        assert_eq!(
            parse_date("2015-01-23T12:33Z").unwrap().to_rfc3339(),
            "2015-01-23T12:33:00+00:00"
        );
    }

    #[test]
    fn empty_or_garbage_is_unknown() {
        assert_eq!(parse_date(""), None);
        assert_eq!(parse_date("  "), None);
        assert_eq!(parse_date("never"), None);
    }
}
