//! Telling a ramkey state file from anything else, before trusting a byte.
//!
//! Pure: bytes in, a document or the reason for refusing it out. A file that
//! is refused must never be treated as "no rotations yet": the next save would
//! erase the only record of rotations in progress.

use std::fmt;

use serde_json::Value;

use super::schema::{SCHEMA_VERSION, StateDocument};

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
    /// `schema_version` is not a whole number ramkey ever wrote.
    BadSchemaVersion(String),
    /// Written by a newer ramkey.
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

/// Parses a state file's bytes; `account_id`, when given, must match.
pub fn parse(bytes: &[u8], account_id: Option<&str>) -> Result<StateDocument, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.iter().all(|byte| *byte == 0) {
        return Err(Refusal::NulFilled);
    }

    let value: Value =
        serde_json::from_slice(bytes).map_err(|error| Refusal::NotJson(error.to_string()))?;
    let Value::Object(object) = &value else {
        return Err(Refusal::NotAnObject);
    };
    check_version(object.get("schema_version"))?;
    if let (Some(expected), Some(found)) = (account_id, object.get("account_id")) {
        if found.as_str() != Some(expected) {
            return Err(Refusal::OtherAccount {
                found: found
                    .as_str()
                    .map_or_else(|| found.to_string(), str::to_owned),
            });
        }
    }

    serde_json::from_value(value).map_err(|error| Refusal::Malformed(error.to_string()))
}

fn check_version(version: Option<&Value>) -> Result<(), Refusal> {
    let version = version.ok_or(Refusal::NoSchemaVersion)?;
    match version.as_u64() {
        Some(found) if found == u64::from(SCHEMA_VERSION) => Ok(()),
        Some(found) if found > u64::from(SCHEMA_VERSION) => Err(Refusal::NewerSchema(found)),
        _ => Err(Refusal::BadSchemaVersion(version.to_string())),
    }
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
                br#"{"schema_version":1,"account_id":"999","rotations":[]}"#,
                Refusal::OtherAccount {
                    found: "999".to_owned(),
                },
            ),
            (
                br#"{"schema_version":1,"rotations":[]}"#,
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
            br#"{"schema_version":1,"account_id":"1","rotations":[],"annotations":{"a":1}}"#;
        let document = parse(bytes, Some("1")).unwrap();
        assert_eq!(document.extra["annotations"], serde_json::json!({"a": 1}));
        assert!(parse(bytes, None).is_ok());
    }
}
