//! Older layouts of the state file brought up to the current schema, in
//! memory: a pure function from the old JSON object to the new one.
//!
//! Nothing is dropped or re-done: steps, dates and unknown fields are kept as
//! they were, only the fields the old layout lacked are added. Writing the
//! backup of the old bytes is the store's job, not this module's; it depends
//! on the schema and step types only.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::parse::Refusal;
use super::schema::SCHEMA_VERSION;
use super::steps::Progress;

/// The waiting period given to a migrated rotation that has not disabled its
/// key yet (schema 1 recorded none); it is ramkey's default `--wait-days`.
pub const DEFAULT_WAIT_DAYS: u32 = 90;

/// A document brought up to [`SCHEMA_VERSION`].
#[derive(Debug, Clone, PartialEq)]
pub struct Migration {
    /// The document in the current layout.
    pub object: Map<String, Value>,
    /// What the admin should know about values the migration had to choose.
    pub notices: Vec<String>,
}

/// Migrates a document of schema `from` to the current schema.
///
/// Schema 1 is schema 2 without `wait_days`, `pending` and `rollbacks` per
/// rotation; the last two are empty by default, `wait_days` is worked out
/// from the disable record and deletion date when the key was disabled, and
/// is [`DEFAULT_WAIT_DAYS`] (with a notice) when it was not.
pub fn migrate(mut object: Map<String, Value>, from: u64) -> Result<Migration, Refusal> {
    if from != 1 {
        return Err(Refusal::BadSchemaVersion(from.to_string()));
    }

    let mut notices = Vec::new();
    if let Some(Value::Array(rotations)) = object.get_mut("rotations") {
        for rotation in rotations.iter_mut().filter_map(Value::as_object_mut) {
            notices.extend(add_wait_days(rotation));
        }
    }
    object.insert("schema_version".to_owned(), SCHEMA_VERSION.into());
    Ok(Migration { object, notices })
}

/// Adds `wait_days` to a schema 1 rotation; returns a notice when it had to
/// be assumed.
fn add_wait_days(rotation: &mut Map<String, Value>) -> Option<String> {
    if rotation.contains_key("wait_days") {
        return None;
    }
    // A rotation whose path does not parse is left alone: the whole document
    // is refused as damaged right after, with serde's own explanation.
    let progress: Progress = serde_json::from_value(rotation.get("path")?.clone()).ok()?;

    let (days, notice) = match progress.deletion() {
        Some(deletion) => match whole_days(deletion.disabled_at, deletion.delete_after) {
            Some(days) => (days, None),
            None => (
                DEFAULT_WAIT_DAYS,
                Some(format!(
                    "{}: its deletion date is before its disable date; its waiting period \
                     is recorded as {DEFAULT_WAIT_DAYS} days, its deletion date is kept",
                    describe(rotation)
                )),
            ),
        },
        None => (
            DEFAULT_WAIT_DAYS,
            Some(format!(
                "{}: the older state file recorded no waiting period and the key is not \
                 disabled yet, so it will wait {DEFAULT_WAIT_DAYS} days (the default) after \
                 the disable",
                describe(rotation)
            )),
        ),
    };
    rotation.insert("wait_days".to_owned(), days.into());
    notice
}

/// Days from the disable to the deletion date, rounded to the nearest day.
fn whole_days(disabled_at: DateTime<Utc>, delete_after: DateTime<Utc>) -> Option<u32> {
    let seconds = (delete_after - disabled_at).num_seconds();
    if seconds < 0 {
        return None;
    }
    u32::try_from((seconds + 43_200) / 86_400).ok()
}

fn describe(rotation: &Map<String, Value>) -> String {
    let field = |name: &str| rotation.get(name).and_then(Value::as_str).unwrap_or("?");
    format!("rotation {} of {}", field("id"), field("user"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v1(path: &Value) -> Map<String, Value> {
        let Value::Object(object) = json!({
            "schema_version": 1,
            "account_id": "1",
            "annotations": {"keep": true},
            "rotations": [{
                "id": "0123456789ab",
                "user": "app-user",
                "key_id": "LTAI-OLD",
                "started_at": "2024-01-01T00:00:00Z",
                "path": path,
                "ticket": "SEC-1"
            }]
        }) else {
            unreachable!()
        };
        object
    }

    fn disabled_path(disabled_at: &str, delete_after: &str) -> Value {
        json!({
            "kind": "disable_idle",
            "step": "await_deletion",
            "reviewed": {"at": "2024-01-02T00:00:00Z"},
            "disabled": {
                "record": {"at": disabled_at, "request_ids": ["REQ-1"]},
                "delete_after": delete_after
            }
        })
    }

    #[test]
    fn a_disabled_rotation_gets_its_waiting_period_from_its_dates() {
        let old = v1(&disabled_path(
            "2024-01-02T03:04:05Z",
            "2024-02-01T03:04:05Z",
        ));

        let migrated = migrate(old.clone(), 1).unwrap();

        assert!(migrated.notices.is_empty(), "{:?}", migrated.notices);
        assert_eq!(migrated.object["schema_version"], 2);
        let rotation = &migrated.object["rotations"][0];
        assert_eq!(rotation["wait_days"], 30);
        assert_eq!(rotation["path"], old["rotations"][0]["path"]);
        assert_eq!(rotation["ticket"], "SEC-1");
        assert_eq!(migrated.object["annotations"], json!({"keep": true}));
    }

    #[test]
    fn a_rotation_not_yet_disabled_waits_the_default_and_says_so() {
        let migrated = migrate(v1(&json!({"kind": "disable_idle", "step": "review"})), 1).unwrap();

        assert_eq!(migrated.object["rotations"][0]["wait_days"], 90);
        assert_eq!(migrated.notices.len(), 1);
        let notice = &migrated.notices[0];
        assert!(
            notice.contains("app-user") && notice.contains("90 days"),
            "{notice}"
        );
    }

    #[test]
    fn inconsistent_dates_keep_the_deletion_date_and_say_so() {
        let old = v1(&disabled_path(
            "2024-03-01T00:00:00Z",
            "2024-02-01T00:00:00Z",
        ));
        let migrated = migrate(old, 1).unwrap();
        assert_eq!(migrated.object["rotations"][0]["wait_days"], 90);
        assert_eq!(
            migrated.object["rotations"][0]["path"]["disabled"]["delete_after"],
            "2024-02-01T00:00:00Z"
        );
        assert!(
            migrated.notices[0].contains("kept"),
            "{:?}",
            migrated.notices
        );
    }

    #[test]
    fn whole_days_round_to_the_nearest_day() {
        let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
        let from = at("2024-01-01T00:00:00Z");
        assert_eq!(whole_days(from, at("2024-03-31T00:00:00Z")), Some(90));
        assert_eq!(whole_days(from, at("2024-01-01T11:59:59Z")), Some(0));
        assert_eq!(whole_days(from, at("2024-01-01T12:00:00Z")), Some(1));
        assert_eq!(whole_days(from, at("2023-12-31T00:00:00Z")), None);
    }

    #[test]
    fn only_schema_1_migrates() {
        assert!(matches!(
            migrate(Map::new(), 0),
            Err(Refusal::BadSchemaVersion(_))
        ));
    }
}
