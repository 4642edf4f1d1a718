//! KMS "RAM secrets" in an account file (`KmsSecrets`): which users' keys
//! KMS manages, in which region, and how their rotation stands. The sandbox
//! serves them to ListSecrets and DescribeSecret; it never rotates a key.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::Account;
use super::date::AccountDate;
use super::validate::AccountProblem;
use crate::cloud::Region;

/// A secret of `SecretType` `RAMCredentials`: KMS manages the AccessKeys of
/// the RAM user it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct KmsSecret {
    /// `SecretName`, e.g. `acs/ram/user/order-service`; unique in its region.
    pub secret_name: String,
    /// The region the secret lives in, e.g. `cn-hangzhou`.
    pub region: String,
    /// `ExtendedConfig.UserName`: the RAM user whose keys it manages.
    pub user_name: String,
    /// `AutomaticRotation`.
    #[serde(default)]
    pub automatic_rotation: AutomaticRotation,
    /// `LastRotationDate`; absent: never rotated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_rotation_date: Option<AccountDate>,
    /// `RotationInterval`, e.g. `604800s` (7 days); sent while rotation
    /// is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_interval: Option<String>,
    /// `CreateTime`; absent: the user's own creation date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<AccountDate>,
}

/// `AutomaticRotation` as DescribeSecret spells it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AutomaticRotation {
    /// KMS rotates on its schedule.
    #[default]
    Enabled,
    /// Only RotateSecret rotates.
    Disabled,
    /// KMS cannot rotate (its service role or the user is broken).
    Invalid,
}

impl AutomaticRotation {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "Enabled",
            Self::Disabled => "Disabled",
            Self::Invalid => "Invalid",
        }
    }
}

impl KmsSecret {
    /// The interval in seconds, from `604800s` (or a bare number).
    pub fn interval_seconds(&self) -> Option<i64> {
        let text = self.rotation_interval.as_deref()?.trim();
        text.strip_suffix('s').unwrap_or(text).parse().ok()
    }

    /// Pins relative dates to `start`.
    pub(super) fn pin(&mut self, start: chrono::DateTime<chrono::Utc>) {
        for date in [&mut self.last_rotation_date, &mut self.create_date]
            .into_iter()
            .flatten()
        {
            *date = AccountDate::At(date.resolve(start));
        }
    }
}

/// Each secret's region is a region id, its name unique in that region, its
/// interval, when given, whole seconds. Its user may be missing: KMS keeps
/// the secret of a deleted user (whose rotation then fails).
pub(super) fn check(account: &Account) -> Result<(), AccountProblem> {
    let mut seen = HashSet::new();
    for secret in &account.kms_secrets {
        let refuse = |problem: String| AccountProblem::KmsSecret {
            secret: secret.secret_name.clone(),
            problem,
        };
        if secret.secret_name.trim().is_empty() {
            return Err(refuse("has an empty SecretName".to_owned()));
        }
        Region::parse(&secret.region).map_err(|error| refuse(error.to_string()))?;
        if !seen.insert((secret.region.as_str(), secret.secret_name.as_str())) {
            return Err(refuse(format!("appears twice in {}", secret.region)));
        }
        if secret.rotation_interval.is_some() && secret.interval_seconds().is_none() {
            return Err(refuse(
                "has a RotationInterval that is not whole seconds, e.g. 604800s".to_owned(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_secret(change: impl FnOnce(&mut serde_json::Value)) -> String {
        let mut value = serde_json::to_value(Account::demo()).unwrap();
        change(&mut value["KmsSecrets"][0]);
        Account::parse(&value.to_string(), "kms.json")
            .map_or_else(|error| error.to_string(), |_| String::new())
    }

    #[test]
    fn the_demo_secret_loads_and_bad_ones_are_refused_with_a_reason() {
        assert_eq!(with_secret(|_| {}), "");
        let cases: [(&str, serde_json::Value, &str); 3] = [
            ("Region", "hangzhou".into(), "is not a region id"),
            ("RotationInterval", "7d".into(), "not whole seconds"),
            ("SecretName", " ".into(), "empty SecretName"),
        ];
        for (field, value, words) in cases {
            let error = with_secret(|secret| secret[field] = value);
            assert!(error.contains(words), "{field}: {error}");
        }
    }

    #[test]
    fn intervals_read_with_or_without_their_unit() {
        let mut secret: KmsSecret = serde_json::from_value(serde_json::json!({
            "SecretName": "s", "Region": "cn-hangzhou", "UserName": "u",
            "RotationInterval": "604800s",
        }))
        .unwrap();
        assert_eq!(secret.interval_seconds(), Some(604_800));
        assert_eq!(secret.automatic_rotation, AutomaticRotation::Enabled);
        secret.rotation_interval = Some("3600".to_owned());
        assert_eq!(secret.interval_seconds(), Some(3600));
    }
}
