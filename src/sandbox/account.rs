//! The account the sandbox serves: users, their keys, policies and groups, and
//! which key is the caller. It is both the JSON account file (documented field
//! by field in `docs/sandbox.md`) and the sandbox's live state.
//!
//! Depends on the domain enums of [`crate::cloud::model`] and on
//! [`crate::secret`]; knows nothing of HTTP.

mod date;
mod index;
mod kms;
mod validate;

use std::num::NonZeroU32;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use date::AccountDate;
pub(super) use index::UserIndex;
pub use kms::{AutomaticRotation, KmsSecret};
pub use validate::AccountProblem;

use super::applications::Application;
use super::policy::PolicyDocument;
use crate::cloud::model::{KeyStatus, PolicyType};
use crate::secret::Secret;

/// The built-in demo account, embedded at build time.
const DEMO_ACCOUNT: &str = include_str!("../../assets/demo-account.json");

/// A whole Alibaba Cloud account as the sandbox sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Account {
    /// The account's numeric id, as GetCallerIdentity returns it.
    pub account_id: String,
    /// The account alias (`<alias>.onaliyun.com`).
    pub account_alias: String,
    /// The AccessKey the sandbox hands out as ramkey's own identity; it must
    /// belong to one of [`Account::users`].
    pub caller_access_key_id: String,
    /// ListUsers returns at most this many users per page, whatever
    /// `MaxItems` asks (production may cap pages too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_users_page_cap: Option<NonZeroU32>,
    /// What GetAccessKeyLastUsed says for a key never used.
    #[serde(default)]
    pub never_used_keys: NeverUsedKeys,
    /// Every policy users may be attached to, System and Custom.
    #[serde(default)]
    pub policies: Vec<Policy>,
    /// Every group users may join.
    #[serde(default)]
    pub groups: Vec<Group>,
    /// RAM roles that STS AssumeRole hands out credentials for. Absent in
    /// files older than roles, and left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    /// The RAM users, in any order (ListUsers sorts by name).
    pub users: Vec<User>,
    /// KMS RAM secrets: users whose keys KMS manages (ListSecrets,
    /// DescribeSecret). Absent in older files, and left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kms_secrets: Vec<KmsSecret>,
    /// The applications that sign with the account's keys, simulated only
    /// when the sandbox is told to (`ramkey demo`); left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applications: Vec<Application>,
    /// Finds users by name and key without walking them all (a cache,
    /// never in the file).
    #[serde(skip)]
    pub(in crate::sandbox) index: UserIndex,
}

/// A RAM role: who may assume it and for how long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Role {
    /// `RoleName`: unique, 1–64 of letters, digits, `.` and `-`; its ARN is
    /// `acs:ram::<AccountId>:role/<RoleName>`.
    pub role_name: String,
    /// `RoleId`: unique.
    pub role_id: String,
    /// `Description`.
    #[serde(default)]
    pub description: String,
    /// The longest session AssumeRole grants, 3600–43200 seconds.
    #[serde(default = "one_hour")]
    pub max_session_duration: u32,
    /// Who may assume the role: `user/<UserName>` or `role/<RoleName>` (an
    /// assumed role's session assuming this one) of this account.
    pub trusted_principals: Vec<String>,
    /// Policies attached to the role: they decide what its sessions may do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<PolicyAttachment>,
}

/// STS's default and the smallest `MaxSessionDuration`.
pub const ONE_HOUR: u32 = 3600;

fn one_hour() -> u32 {
    ONE_HOUR
}

/// The shape of GetAccessKeyLastUsed for a key that never signed a request.
///
/// Production's answer is not documented, so both plausible shapes can be
/// served and ramkey must treat either as "unknown".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum NeverUsedKeys {
    /// `{"AccessKeyLastUsed":{}}`.
    #[default]
    OmitLastUsedDate,
    /// `{"AccessKeyLastUsed":{"LastUsedDate":""}}`.
    EmptyLastUsedDate,
}

/// A policy defined at the account level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Policy {
    /// `PolicyName`; unique together with the type.
    pub policy_name: String,
    /// `PolicyType`: `System` or `Custom`.
    pub policy_type: PolicyType,
    /// `Description`.
    #[serde(default)]
    pub description: String,
    /// `DefaultVersion`, e.g. `v1`.
    #[serde(default = "first_version")]
    pub default_version: String,
    /// What a Custom policy allows and denies; absent, it grants nothing.
    /// System policies have their documents built in (`super::policy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_document: Option<PolicyDocument>,
}

fn first_version() -> String {
    "v1".to_owned()
}

/// A group defined at the account level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Group {
    /// `GroupName`, unique.
    pub group_name: String,
    /// `Comments`.
    #[serde(default)]
    pub comments: String,
    /// `CreateDate`.
    pub create_date: AccountDate,
    /// Policies attached to the group: they apply to every member.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<PolicyAttachment>,
}

/// A RAM user with everything attached to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct User {
    /// `UserName`: unique, 1–64 of letters, digits, `.`, `-`, `_`.
    pub user_name: String,
    /// `UserId`: unique.
    pub user_id: String,
    /// `DisplayName`; may be empty, often Chinese.
    #[serde(default)]
    pub display_name: String,
    /// `Comments`.
    #[serde(default)]
    pub comments: String,
    /// `CreateDate`.
    pub create_date: AccountDate,
    /// The user's AccessKeys, oldest first.
    #[serde(default)]
    pub access_keys: Vec<Key>,
    /// Policies attached to the user; each must be defined in [`Account::policies`].
    #[serde(default)]
    pub policies: Vec<PolicyAttachment>,
    /// Groups the user is in; each must be defined in [`Account::groups`].
    #[serde(default)]
    pub groups: Vec<Membership>,
}

/// An AccessKey with its secret: the sandbox must verify signatures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Key {
    /// `AccessKeyId`: unique across the account.
    pub access_key_id: String,
    /// `AccessKeySecret`: a fake account's test secret, never a real one.
    #[serde(with = "exposed_secret")]
    pub access_key_secret: Secret,
    /// `Status`: `Active` or `Inactive`.
    pub status: KeyStatus,
    /// `CreateDate`.
    pub create_date: AccountDate,
    /// When the key last signed an accepted request; `null` or absent: never.
    #[serde(default)]
    pub last_used_date: Option<AccountDate>,
}

/// A policy attached to a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct PolicyAttachment {
    /// `PolicyName` of an account-level policy.
    pub policy_name: String,
    /// `PolicyType` of that policy.
    pub policy_type: PolicyType,
    /// `AttachDate`.
    pub attach_date: AccountDate,
}

/// A user's membership of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Membership {
    /// `GroupName` of an account-level group.
    pub group_name: String,
    /// `JoinDate`.
    pub join_date: AccountDate,
}

/// Why an account file was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The file could not be read.
    #[error("cannot read the account file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is not valid JSON, or a field has the wrong name, type or value.
    #[error("{origin}, line {line}, column {column}: {message}")]
    Syntax {
        /// The file (or `built-in demo account`).
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde found wrong.
        message: String,
    },
    /// The JSON is well formed but describes an impossible account.
    #[error("{origin}{}: {problem}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Invalid {
        /// The file (or `built-in demo account`).
        origin: String,
        /// The line of the offending value, when it can be found.
        line: Option<usize>,
        /// What is wrong and how to fix it.
        problem: AccountProblem,
    },
}

impl Account {
    /// The built-in demo account (`assets/demo-account.json`).
    pub fn demo() -> Account {
        Account::parse(DEMO_ACCOUNT, "built-in demo account")
            .expect("the embedded demo account is checked by the test suite")
    }

    /// Reads and checks an account file.
    pub fn load(path: &Path) -> Result<Account, AccountError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| AccountError::Read {
            path: origin.clone(),
            source,
        })?;
        Account::parse(&text, &origin)
    }

    /// Parses and checks account JSON; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Account, AccountError> {
        let account: Account =
            serde_json::from_str(text).map_err(|error| AccountError::Syntax {
                origin: origin.to_owned(),
                line: error.line(),
                column: error.column(),
                message: strip_position(&error.to_string()),
            })?;
        account
            .validate()
            .map_err(|problem| AccountError::Invalid {
                origin: origin.to_owned(),
                line: problem.locate_in(text),
                problem,
            })?;
        Ok(account)
    }

    /// Checks the rules a loaded file must meet (unique names and keys, every
    /// reference defined, the caller key present).
    pub fn validate(&self) -> Result<(), AccountProblem> {
        validate::check(self)
    }

    /// The same account with every relative date pinned to `start`.
    #[must_use]
    pub fn resolved(mut self, start: DateTime<Utc>) -> Account {
        let pin = |date: &mut AccountDate| *date = AccountDate::At(date.resolve(start));
        for group in &mut self.groups {
            pin(&mut group.create_date);
            group
                .policies
                .iter_mut()
                .for_each(|p| pin(&mut p.attach_date));
        }
        for role in &mut self.roles {
            role.policies
                .iter_mut()
                .for_each(|p| pin(&mut p.attach_date));
        }
        for user in &mut self.users {
            pin(&mut user.create_date);
            for key in &mut user.access_keys {
                pin(&mut key.create_date);
                key.last_used_date.as_mut().map(pin);
            }
            user.policies
                .iter_mut()
                .for_each(|p| pin(&mut p.attach_date));
            user.groups.iter_mut().for_each(|m| pin(&mut m.join_date));
        }
        for secret in &mut self.kms_secrets {
            secret.pin(start);
        }
        self
    }

    /// The user called `name`.
    pub fn user(&self, name: &str) -> Option<&User> {
        let at = self.index.user(&self.users, name)?;
        self.users.get(at)
    }

    /// The user called `name`, to change it.
    pub fn user_mut(&mut self, name: &str) -> Option<&mut User> {
        let at = self.index.user(&self.users, name)?;
        self.users.get_mut(at)
    }

    /// The user holding the AccessKey `access_key_id`, and the key.
    pub fn key_owner(&self, access_key_id: &str) -> Option<(&User, &Key)> {
        let user = self
            .users
            .get(self.index.key_owner(&self.users, access_key_id)?)?;
        Some((user, user.key(access_key_id)?))
    }

    /// The AccessKey `access_key_id`, to change it.
    pub fn key_mut(&mut self, access_key_id: &str) -> Option<&mut Key> {
        let at = self.index.key_owner(&self.users, access_key_id)?;
        self.users.get_mut(at)?.key_mut(access_key_id)
    }

    /// Up to `take` users whose names sort after `after` (from the first
    /// without it), in name order: a ListUsers page.
    pub fn users_after(&self, after: Option<&str>, take: usize) -> Vec<&User> {
        self.index
            .names_after(&self.users, after, take)
            .into_iter()
            .filter_map(|at| self.users.get(at))
            .collect()
    }

    /// The account-level policy of that name and type.
    pub fn policy(&self, name: &str, policy_type: PolicyType) -> Option<&Policy> {
        self.policies
            .iter()
            .find(|policy| policy.policy_name == name && policy.policy_type == policy_type)
    }

    /// The account-level group of that name.
    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups.iter().find(|group| group.group_name == name)
    }

    /// The regions holding the account's KMS secrets, each once (the demo
    /// checks them when the admin names none).
    pub fn kms_regions(&self) -> Vec<crate::cloud::Region> {
        let mut regions: Vec<crate::cloud::Region> = self
            .kms_secrets
            .iter()
            .filter_map(|secret| crate::cloud::Region::parse(&secret.region).ok())
            .collect();
        regions.sort();
        regions.dedup();
        regions
    }

    /// The role of that name; RAM role names are case-insensitive.
    pub fn role(&self, name: &str) -> Option<&Role> {
        self.roles
            .iter()
            .find(|role| role.role_name.eq_ignore_ascii_case(name))
    }
}

impl User {
    /// This user's AccessKey `access_key_id`.
    pub fn key(&self, access_key_id: &str) -> Option<&Key> {
        self.access_keys
            .iter()
            .find(|key| key.access_key_id == access_key_id)
    }

    /// This user's AccessKey `access_key_id`, to change it.
    pub fn key_mut(&mut self, access_key_id: &str) -> Option<&mut Key> {
        self.access_keys
            .iter_mut()
            .find(|key| key.access_key_id == access_key_id)
    }
}

/// serde_json appends " at line L column C"; the error carries those apart.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// The account file holds fake test secrets in clear; [`Secret`] itself
/// refuses to serialize, so the file format opts in here, and only here.
mod exposed_secret {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::secret::Secret;

    pub fn serialize<S: Serializer>(secret: &Secret, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(secret.expose())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_account_loads_and_round_trips() {
        let demo = Account::demo();
        let again = Account::parse(&serde_json::to_string(&demo).unwrap(), "round trip").unwrap();
        assert_eq!(demo, again);
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let text = "{\n  \"AccountId\": \"1\",\n  \"AccountAlias\": 7\n}";
        let error = Account::parse(text, "bad.json").unwrap_err().to_string();
        assert!(error.starts_with("bad.json, line 3, column "), "{error}");
        assert!(error.contains("expected a string"), "{error}");
        assert!(!error.contains(" at line "), "{error}");
    }

    #[test]
    fn an_unreadable_file_is_named() {
        let error = Account::load(Path::new("/nonexistent/acme.json")).unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("cannot read the account file /nonexistent/acme.json: "),
            "{message}"
        );
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let demo = Account::demo();
        let secret = demo.users[0].access_keys[0]
            .access_key_secret
            .expose()
            .to_owned();
        assert!(!format!("{demo:?}").contains(&secret));
    }

    #[test]
    fn unknown_fields_are_refused() {
        let mut value = serde_json::to_value(Account::demo()).unwrap();
        value["Users"][0]["LastLogin"] = "-1d".into();
        let text = serde_json::to_string_pretty(&value).unwrap();
        let error = Account::parse(&text, "typo.json").unwrap_err().to_string();
        assert!(error.contains("unknown field `LastLogin`"), "{error}");
    }

    #[test]
    fn bad_dates_are_reported_with_their_line() {
        let mut value = serde_json::to_value(Account::demo()).unwrap();
        value["Users"][1]["CreateDate"] = "-3 weeks".into();
        let text = serde_json::to_string_pretty(&value).unwrap();
        let error = Account::parse(&text, "dates.json").unwrap_err().to_string();
        let line = text.lines().position(|l| l.contains("-3 weeks")).unwrap() + 1;
        assert!(
            error.starts_with(&format!("dates.json, line {line},")),
            "{error}"
        );
        assert!(
            error.contains("`-3 weeks` is not a relative date"),
            "{error}"
        );
    }

    #[test]
    fn resolving_pins_every_relative_date() {
        let start = DateTime::parse_from_rfc3339("2024-01-02T03:04:05Z")
            .unwrap()
            .to_utc();
        let text = serde_json::to_string(&Account::demo().resolved(start)).unwrap();
        let relative = relative_dates_in(&text);
        assert!(relative.is_empty(), "still relative: {relative:?}");
        assert!(
            text.contains("\"2023-06-16T03:04:05Z\""),
            "200 days before start"
        );
    }

    /// Values that start with `-` or are `now`: relative dates left over.
    fn relative_dates_in(json: &str) -> Vec<&str> {
        json.split('"')
            .filter(|part| part.starts_with('-') && part.len() > 1 || *part == "now")
            .collect()
    }
}
