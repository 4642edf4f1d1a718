//! Serde helpers shared by the RAM and STS answer shapes: dates and
//! optional texts read tolerantly, because a missing, `null` or odd value in
//! one field (a last-use date, a display name) must mean "unknown" or
//! "empty", never a failed scan.
//!
//! Depends on nothing else in the crate.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Layouts seen besides RFC 3339 (`2015-01-23T12:33:18Z`) that carry no
/// zone: minutes only, or no `Z`. API dates are UTC, so these are read as
/// UTC too.
const ZONELESS_LAYOUTS: [&str; 3] = ["%Y-%m-%dT%H:%MZ", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"];

/// A zone written without its colon, as in `+0800`.
const COMPACT_OFFSET_LAYOUT: &str = "%Y-%m-%dT%H:%M:%S%.f%z";

/// Parses an API date; `None` for an empty or unreadable value.
pub(crate) fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let with_zone = DateTime::parse_from_rfc3339(raw)
        .or_else(|_| DateTime::parse_from_str(raw, COMPACT_OFFSET_LAYOUT))
        .map(|date| date.with_timezone(&Utc));
    let parsed = with_zone.ok().or_else(|| {
        ZONELESS_LAYOUTS
            .iter()
            .find_map(|layout| NaiveDateTime::parse_from_str(raw, layout).ok())
            .map(|naive| naive.and_utc())
    });
    if parsed.is_none() {
        tracing::warn!(
            value = raw,
            "unreadable date in an API answer; treated as unknown"
        );
    }
    parsed
}

/// For `#[serde(default, deserialize_with = "lenient_date")]` fields: a
/// value that is not a string (a number, an object) is unknown too, rather
/// than a failed answer.
pub(crate) fn lenient_date<'de, D>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error>
where
    D: Deserializer<'de>,
{
    match Value::deserialize(deserializer)? {
        Value::String(raw) => Ok(parse_date(&raw)),
        Value::Null => Ok(None),
        other => {
            tracing::warn!(value = %other, "a date in an API answer is not a string; treated as unknown");
            Ok(None)
        }
    }
}

/// For `#[serde(default, deserialize_with = "text_or_empty")]` fields: an
/// optional text the API may send as `null` reads as empty.
pub(crate) fn text_or_empty<'de, D>(deserializer: D) -> Result<String, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
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
        assert_eq!(parse_date("2015-01-23T20:33:18+0800"), parse_date(expected));
        assert_eq!(parse_date("2015-01-23 12:33:18Z"), parse_date(expected));
        assert_eq!(parse_date("2015-01-23t12:33:18z"), parse_date(expected));
        assert_eq!(
            parse_date("2015-01-23T12:33:18.250Z").unwrap().to_rfc3339(),
            "2015-01-23T12:33:18.250+00:00",
            "fractions are kept"
        );
    }

    #[test]
    fn empty_or_garbage_is_unknown() {
        assert_eq!(parse_date(""), None);
        assert_eq!(parse_date("  "), None);
        assert_eq!(parse_date("never"), None);
        for never in [
            "-",
            "N/A",
            "2015-02-30T12:00:00Z",
            "2015-01-23",
            "1421987598000",
        ] {
            assert_eq!(parse_date(never), None, "{never}");
        }
    }
}
