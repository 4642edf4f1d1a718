//! One user's line of the credential report, in ramkey's types: whether
//! each key slot holds a key, whether it is Active, and when it was rotated
//! and last used, with "never" and "no such key" kept apart from a time.
//!
//! Pure data; knows nothing of CSV, HTTP or the rest of the scan.

use chrono::{DateTime, Utc};

/// The `user` value of the row that describes the account itself.
pub const ROOT: &str = "<root>";

/// A yes/no cell: `TRUE`, `FALSE`, or `N/A` (no such key, no password).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFlag {
    /// `TRUE`.
    True,
    /// `FALSE`.
    False,
    /// `N/A`: the question does not apply (the key slot is empty).
    NotApplicable,
}

impl ReportFlag {
    /// Only `TRUE` counts as yes.
    pub fn is_true(self) -> bool {
        self == ReportFlag::True
    }
}

/// A time cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportTime {
    /// A UTC time.
    At(DateTime<Utc>),
    /// `-`: never (a key not used since tracking began in June 2019).
    Never,
    /// `N/A`: there is no such key.
    NotApplicable,
}

/// One key slot of a row (`access_key_1_*`, `access_key_2_*`, then any
/// `additional_access_key_<n>_*`). The report carries no AccessKey IDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportKey {
    /// `..._exist`.
    pub exists: ReportFlag,
    /// `..._active`: the key is Active.
    pub active: ReportFlag,
    /// `..._last_rotated`: the key's creation or last change.
    pub last_rotated: ReportTime,
    /// `..._last_used` (lags about two hours behind real use).
    pub last_used: ReportTime,
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    /// `user`: the UserPrincipalName (`name@alias.onaliyun.com`), or
    /// [`ROOT`] for the account itself.
    pub user: String,
    /// The key slots, in column order: key 1, key 2, then the additional ones.
    pub keys: Vec<ReportKey>,
}

impl ReportRow {
    /// Whether this row is the account itself rather than a RAM user.
    pub fn is_root(&self) -> bool {
        self.user == ROOT
    }

    /// The RAM UserName: the UserPrincipalName's part before `@`.
    pub fn user_name(&self) -> &str {
        self.user
            .split_once('@')
            .map_or(self.user.as_str(), |(name, _)| name)
    }

    /// How many of the row's keys the report shows as Active.
    pub fn active_keys(&self) -> usize {
        self.keys.iter().filter(|key| key.active.is_true()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(active: ReportFlag) -> ReportKey {
        ReportKey {
            exists: ReportFlag::True,
            active,
            last_rotated: ReportTime::Never,
            last_used: ReportTime::Never,
        }
    }

    #[test]
    fn the_user_name_is_the_principal_name_before_the_at_sign() {
        let row = ReportRow {
            user: "ci-deployer@acme.onaliyun.com".to_owned(),
            keys: vec![],
        };
        assert_eq!(row.user_name(), "ci-deployer");
        assert!(!row.is_root());

        let bare = ReportRow {
            user: "legacy".to_owned(),
            keys: vec![],
        };
        assert_eq!(bare.user_name(), "legacy");
    }

    #[test]
    fn only_true_counts_as_active() {
        let row = ReportRow {
            user: ROOT.to_owned(),
            keys: vec![
                key(ReportFlag::True),
                key(ReportFlag::False),
                key(ReportFlag::NotApplicable),
                key(ReportFlag::True),
            ],
        };
        assert!(row.is_root());
        assert_eq!(row.active_keys(), 2);
    }
}
