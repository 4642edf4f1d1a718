//! Telling a ramkey state file from anything else, before trusting a byte.
//!
//! Pure: bytes in, a document (migrated when older, read leniently when
//! newer) or the reason for refusing it out. A file that
//! is refused must never be treated as "no rotations yet": the next save would
//! erase the only record of rotations in progress.

use std::fmt;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::migrate::migrate;
use super::schema::{Rotation, SCHEMA_VERSION, StateDocument};

/// Why a file is not taken as this account's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Zero bytes.
    Empty,
    /// Only NUL bytes: the remains of a write that never reached the disk.
    NulFilled,
    /// Not JSON at all (a torn write, or someone else's file).
    NotJson(String),
    /// JSON, but not an object (`[]`, a string, ...).
    NotAnObject,
    /// An object without `schema_version`.
    NoSchemaVersion,
    /// `schema_version` is not a whole number ramkey ever wrote (or knows how
    /// to migrate).
    BadSchemaVersion(String),
    /// Written by a newer ramkey, and not even readable for display.
    NewerSchema(u64),
    /// The file belongs to another account.
    OtherAccount {
        /// The account the file names.
        found: String,
    },
    /// The right version, but fields are missing or of the wrong type.
    Malformed(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Empty => f.write_str("it is empty"),
            Refusal::NulFilled => f.write_str("it holds only NUL bytes (an interrupted write?)"),
            Refusal::NotJson(error) => write!(f, "it is not JSON ({error})"),
            Refusal::NotAnObject => f.write_str("it is JSON but not an object"),
            Refusal::NoSchemaVersion => f.write_str("it has no schema_version"),
            Refusal::BadSchemaVersion(found) => write!(f, "its schema_version {found} is unknown"),
            Refusal::NewerSchema(version) => write!(
                f,
                "it was written by a newer ramkey (schema_version {version}; this ramkey \
                 reads {SCHEMA_VERSION})"
            ),
            Refusal::OtherAccount { found } => write!(f, "it belongs to account {found}"),
            Refusal::Malformed(error) => write!(f, "it is damaged ({error})"),
        }
    }
}

impl Refusal {
    /// What the admin should do about it.
    pub fn advice(&self) -> &'static str {
        match self {
            Refusal::NewerSchema(_) => {
                "Upgrade ramkey to the version that wrote it; this one will not change it."
            }
            Refusal::OtherAccount { .. } => {
                "Run ramkey with that account's credentials, or pass --state with this \
                 account's state file."
            }
            _ => {
                "If it is a damaged ramkey state file, restore it from a backup; otherwise \
                 move it away or pass --state with another path. ramkey will not start afresh \
                 over it, because that would forget rotations in progress."
            }
        }
    }
}

/// How a file this ramkey can read relates to its own schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    /// Written in this ramkey's schema.
    Current,
    /// Written in an older schema and migrated in memory; its bytes must be
    /// kept before the first save.
    Migrated {
        /// The schema it was written in.
        from: u32,
        /// Values the migration had to choose, for the admin.
        notices: Vec<String>,
    },
    /// Written by a newer ramkey: shown as far as it can be, never saved.
    Newer {
        /// The schema it was written in.
        version: u64,
    },
}

/// A state file that can be read, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The document (migrated, or read leniently when newer).
    pub document: StateDocument,
    /// Its schema compared with this ramkey's.
    pub loaded: Loaded,
}

/// Parses a state file this ramkey may change: the current schema, or an
/// older one migrated in memory. A newer file is refused.
pub fn parse(bytes: &[u8], account_id: Option<&str>) -> Result<StateDocument, Refusal> {
    let parsed = parse_any(bytes, account_id)?;
    match parsed.loaded {
        Loaded::Newer { version } => Err(Refusal::NewerSchema(version)),
        Loaded::Current | Loaded::Migrated { .. } => Ok(parsed.document),
    }
}

/// Parses a state file's bytes; `account_id`, when given, must match.
///
/// A newer file is read leniently, for display only (a missing `account_id`
/// or `rotations` is tolerated); if even that fails it is refused as
/// [`Refusal::NewerSchema`].
pub fn parse_any(bytes: &[u8], account_id: Option<&str>) -> Result<Parsed, Refusal> {
    let object = json_object(bytes)?;
    let version = schema_version(object.get("schema_version"))?;
    check_account(&object, account_id)?;

    let current = u64::from(SCHEMA_VERSION);
    if version > current {
        return newer(object, version, account_id);
    }
    let (object, loaded) = if version < current {
        let migration = migrate(object, version)?;
        let from = u32::try_from(version).expect("older than the current u32 version");
        let loaded = Loaded::Migrated {
            from,
            notices: migration.notices,
        };
        (migration.object, loaded)
    } else {
        (object, Loaded::Current)
    };

    let document = serde_json::from_value(Value::Object(object))
        .map_err(|error| Refusal::Malformed(error.to_string()))?;
    Ok(Parsed { document, loaded })
}

fn json_object(bytes: &[u8]) -> Result<Map<String, Value>, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.iter().all(|byte| *byte == 0) {
        return Err(Refusal::NulFilled);
    }
    let value: Value =
        serde_json::from_slice(bytes).map_err(|error| Refusal::NotJson(error.to_string()))?;
    match value {
        Value::Object(object) => Ok(object),
        _ => Err(Refusal::NotAnObject),
    }
}

fn schema_version(version: Option<&Value>) -> Result<u64, Refusal> {
    let version = version.ok_or(Refusal::NoSchemaVersion)?;
    match version.as_u64() {
        Some(found) if found >= 1 => Ok(found),
        _ => Err(Refusal::BadSchemaVersion(version.to_string())),
    }
}

fn check_account(object: &Map<String, Value>, account_id: Option<&str>) -> Result<(), Refusal> {
    let (Some(expected), Some(found)) = (account_id, object.get("account_id")) else {
        return Ok(());
    };
    if found.as_str() == Some(expected) {
        return Ok(());
    }
    Err(Refusal::OtherAccount {
        found: found
            .as_str()
            .map_or_else(|| found.to_string(), str::to_owned),
    })
}

/// What a newer ramkey's file shows of itself, read as far as this one can.
#[derive(Deserialize)]
struct NewerFile {
    #[serde(default)]
    account_id: Option<String>,
    #[serde(default)]
    rotations: Vec<Rotation>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

fn newer(
    mut object: Map<String, Value>,
    version: u64,
    account_id: Option<&str>,
) -> Result<Parsed, Refusal> {
    let refusal = || Refusal::NewerSchema(version);
    object.remove("schema_version");
    let file: NewerFile = serde_json::from_value(Value::Object(object)).map_err(|_| refusal())?;
    let document = StateDocument {
        schema_version: u32::try_from(version).map_err(|_| refusal())?,
        account_id: file
            .account_id
            .or_else(|| account_id.map(str::to_owned))
            .unwrap_or_else(|| "unknown".to_owned()),
        rotations: file.rotations,
        extra: file.extra,
    };
    Ok(Parsed {
        document,
        loaded: Loaded::Newer { version },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_table() {
        let nul = vec![0_u8; 4096];
        let cases: &[(&[u8], Refusal)] = &[
            (b"", Refusal::Empty),
            (&nul, Refusal::NulFilled),
            (
                br#"{"schema_version":2,"users":[{"name":"app-user","step":"key_cre"#,
                Refusal::NotJson(String::new()),
            ),
            (b"[]", Refusal::NotAnObject),
            (b"\"text\"", Refusal::NotAnObject),
            (br#"{"account_id":"1"}"#, Refusal::NoSchemaVersion),
            (
                br#"{"schema_version":"1","account_id":"1"}"#,
                Refusal::BadSchemaVersion(String::new()),
            ),
            (
                br#"{"schema_version":0,"account_id":"1"}"#,
                Refusal::BadSchemaVersion(String::new()),
            ),
            (
                br#"{"schema_version":-1,"account_id":"1"}"#,
                Refusal::BadSchemaVersion(String::new()),
            ),
            (
                br#"{"schema_version":1.5,"account_id":"1"}"#,
                Refusal::BadSchemaVersion(String::new()),
            ),
            (
                br#"{"schema_version":99,"x_future":{"k":1}}"#,
                Refusal::NewerSchema(99),
            ),
            (
                br#"{"schema_version":2,"account_id":"999","rotations":[]}"#,
                Refusal::OtherAccount {
                    found: "999".to_owned(),
                },
            ),
            (
                br#"{"schema_version":2,"rotations":[]}"#,
                Refusal::Malformed(String::new()),
            ),
            (
                br#"{"schema_version":1,"account_id":"1","rotations":[{"id":"x"}]}"#,
                Refusal::Malformed(String::new()),
            ),
        ];
        for (bytes, expected) in cases {
            let got = parse(bytes, Some("1")).expect_err("must be refused");
            assert_eq!(
                std::mem::discriminant(&got),
                std::mem::discriminant(expected),
                "{}: got {got:?}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(40)])
            );
        }
    }

    #[test]
    fn accepts_its_own_file_and_keeps_unknown_fields() {
        let bytes =
            br#"{"schema_version":2,"account_id":"1","rotations":[],"annotations":{"a":1}}"#;
        let parsed = parse_any(bytes, Some("1")).unwrap();
        assert_eq!(parsed.loaded, Loaded::Current);
        assert_eq!(
            parsed.document.extra["annotations"],
            serde_json::json!({"a": 1})
        );
        assert!(parse(bytes, None).is_ok());
    }

    #[test]
    fn schema_2_rotations_must_carry_their_waiting_period() {
        let bytes = br#"{"schema_version":2,"account_id":"1","rotations":[{"id":"0123456789ab",
            "user":"u","key_id":"LTAI","started_at":"2026-01-01T00:00:00Z",
            "path":{"kind":"disable_idle","step":"review"}}]}"#;
        let error = parse(bytes, Some("1")).unwrap_err();
        assert!(
            matches!(&error, Refusal::Malformed(text) if text.contains("wait_days")),
            "{error:?}"
        );
    }

    #[test]
    fn an_older_file_is_migrated_and_says_so() {
        let bytes = br#"{"schema_version":1,"account_id":"1","rotations":[]}"#;
        let parsed = parse_any(bytes, Some("1")).unwrap();
        assert_eq!(
            parsed.loaded,
            Loaded::Migrated {
                from: 1,
                notices: Vec::new()
            }
        );
        assert_eq!(parsed.document.schema_version, SCHEMA_VERSION);
    }

    #[test]
    fn a_newer_file_is_read_leniently_for_display_only() {
        let bytes = br#"{"schema_version":99,"x_future":{"k":1}}"#;

        let parsed = parse_any(bytes, Some("1")).unwrap();

        assert_eq!(parsed.loaded, Loaded::Newer { version: 99 });
        assert_eq!(parsed.document.schema_version, 99);
        assert_eq!(parsed.document.account_id, "1");
        assert!(parsed.document.rotations.is_empty());
        assert_eq!(
            parsed.document.extra["x_future"],
            serde_json::json!({"k": 1})
        );
        assert_eq!(parse(bytes, Some("1")), Err(Refusal::NewerSchema(99)));
    }

    #[test]
    fn a_newer_file_that_cannot_even_be_shown_is_refused() {
        for bytes in [
            &br#"{"schema_version":3,"rotations":[{"id":1}]}"#[..],
            br#"{"schema_version":3,"account_id":7}"#,
            br#"{"schema_version":99999999999}"#,
        ] {
            assert!(
                matches!(parse_any(bytes, None), Err(Refusal::NewerSchema(_))),
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn a_newer_file_of_another_account_is_refused_as_such() {
        let bytes = br#"{"schema_version":99,"account_id":"2"}"#;
        assert!(matches!(
            parse_any(bytes, Some("1")),
            Err(Refusal::OtherAccount { .. })
        ));
    }
}
