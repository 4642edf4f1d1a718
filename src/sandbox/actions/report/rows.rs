//! The credential report's CSV: the header and one line per identity, the
//! columns in IMS's order (API facts §4.2). `<root>` comes first, then each
//! user by name as `<UserName>@<AccountAlias>.onaliyun.com`.
//!
//! The sandbox tracks no passwords, MFA devices or console logons, so those
//! columns say so (`FALSE`, `N/A`, `-`); key columns come from the keys,
//! key 1 being the older.

use chrono::{DateTime, Utc};

use crate::cloud::model::KeyStatus;
use crate::sandbox::account::{Account, Key, User};
use crate::sandbox::actions::wire_date;

/// The columns every report has.
const COLUMNS: [&str; 16] = [
    "user",
    "user_creation_time",
    "user_last_logon",
    "password_exist",
    "password_active",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_exist",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used",
    "access_key_2_exist",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used",
];

/// Never happened (no logon, a key never used).
const NEVER: &str = "-";
/// Does not apply (no such key, no password).
const NOT_APPLICABLE: &str = "N/A";

/// The header line and the rows, as the account is at `now`.
pub fn build(account: &Account, now: DateTime<Utc>) -> (String, Vec<String>) {
    // Keys beyond two (accounts older than the limit) get extra columns.
    let extra = account
        .users
        .iter()
        .map(|user| user.access_keys.len().saturating_sub(2))
        .max()
        .unwrap_or(0);
    let mut header: Vec<String> = COLUMNS.iter().map(|&column| column.to_owned()).collect();
    for n in 1..=extra {
        for part in ["exist", "active", "last_rotated", "last_used"] {
            header.push(format!("additional_access_key_{n}_{part}"));
        }
    }

    let mut users: Vec<&User> = account.users.iter().collect();
    users.sort_by(|a, b| a.user_name.cmp(&b.user_name));
    let mut rows = Vec::with_capacity(users.len() + 1);
    rows.push(root_row(account, now, extra));
    rows.extend(
        users
            .into_iter()
            .map(|user| user_row(account, user, now, extra)),
    );
    (header.join(","), rows)
}

/// The account itself. Its creation is taken as that of its oldest user.
fn root_row(account: &Account, now: DateTime<Utc>, extra: usize) -> String {
    let created = account
        .users
        .iter()
        .map(|user| user.create_date.resolve(now))
        .min()
        .unwrap_or(now);
    let mut fields = vec![
        "<root>".to_owned(),
        wire_date(created),
        NEVER.to_owned(),
        "TRUE".to_owned(),
        "TRUE".to_owned(),
        NOT_APPLICABLE.to_owned(),
        NOT_APPLICABLE.to_owned(),
        "FALSE".to_owned(),
    ];
    for _ in 0..2 + extra {
        fields.extend(key_fields(None, now));
    }
    fields.join(",")
}

fn user_row(account: &Account, user: &User, now: DateTime<Utc>, extra: usize) -> String {
    let mut fields = vec![
        format!("{}@{}.onaliyun.com", user.user_name, account.account_alias),
        wire_date(user.create_date.resolve(now)),
        NEVER.to_owned(),
        "FALSE".to_owned(),
        NOT_APPLICABLE.to_owned(),
        NOT_APPLICABLE.to_owned(),
        NOT_APPLICABLE.to_owned(),
        "FALSE".to_owned(),
    ];
    let mut keys: Vec<&Key> = user.access_keys.iter().collect();
    // Stable: keys made at the same moment keep the account's order.
    keys.sort_by_key(|key| key.create_date.resolve(now));
    for slot in 0..2 + extra {
        fields.extend(key_fields(keys.get(slot).copied(), now));
    }
    fields.join(",")
}

/// `exist, active, last_rotated, last_used` of one key slot.
fn key_fields(key: Option<&Key>, now: DateTime<Utc>) -> [String; 4] {
    let Some(key) = key else {
        return [
            "FALSE".to_owned(),
            NOT_APPLICABLE.to_owned(),
            NOT_APPLICABLE.to_owned(),
            NOT_APPLICABLE.to_owned(),
        ];
    };
    let active = if key.status == KeyStatus::Active {
        "TRUE"
    } else {
        "FALSE"
    };
    let last_used = key
        .last_used_date
        .map_or_else(|| NEVER.to_owned(), |date| wire_date(date.resolve(now)));
    [
        "TRUE".to_owned(),
        active.to_owned(),
        wire_date(key.create_date.resolve(now)),
        last_used,
    ]
}
