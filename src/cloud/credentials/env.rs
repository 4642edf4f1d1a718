//! The environment variables of the official tools: the AccessKey pair and
//! STS token under each family of names (the credentials libraries', the
//! aliyun CLI's and Terraform's), the profile selector and the switches.
//!
//! Reads through a lookup function only, never the process environment
//! directly, so tests stay independent of each other.

use super::{Credentials, CredentialsError, FieldNames};
use crate::secret::Secret;

/// The AccessKey ID variable of the official credentials chain.
pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// The AccessKey secret variable of the official credentials chain.
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// The STS token variable, set together with the two above.
pub const ENV_SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";

/// Profile selectors, first found wins: the official name, then the aliases
/// the aliyun CLI and Terraform read.
pub const PROFILE: [&str; 3] = [
    "ALIBABA_CLOUD_PROFILE",
    "ALIBABACLOUD_PROFILE",
    "ALICLOUD_PROFILE",
];
/// The INI credentials file, instead of `~/.alibabacloud/credentials`.
pub const CREDENTIALS_FILE: [&str; 2] = [
    "ALIBABA_CLOUD_CREDENTIALS_FILE",
    "ALICLOUD_SHARED_CREDENTIALS_FILE",
];
/// `true`: ignore `~/.aliyun/config.json`.
pub const CLI_PROFILE_DISABLED: &str = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";
/// `true`: never contact the ECS metadata service.
pub const ECS_METADATA_DISABLED: &str = "ALIBABA_CLOUD_ECS_METADATA_DISABLED";
/// `true`: refuse the metadata service without an IMDSv2 token.
pub const IMDSV1_DISABLED: &str = "ALIBABA_CLOUD_IMDSV1_DISABLED";
/// The ECS instance's RAM role name (saves one metadata call).
pub const ECS_ROLE_NAME: [&str; 2] = ["ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME"];

/// One family of names for the AccessKey pair and token. A pair is read
/// from one family only, so a stale token of one tool never joins the
/// permanent key of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Family {
    /// The AccessKey ID variable.
    pub id: &'static str,
    /// The AccessKey secret variable.
    pub secret: &'static str,
    /// The STS token variable.
    pub token: &'static str,
}

/// Every family, in the order they are tried.
pub const FAMILIES: [Family; 4] = [
    Family {
        id: ENV_ACCESS_KEY_ID,
        secret: ENV_ACCESS_KEY_SECRET,
        token: ENV_SECURITY_TOKEN,
    },
    Family {
        id: "ALIBABACLOUD_ACCESS_KEY_ID",
        secret: "ALIBABACLOUD_ACCESS_KEY_SECRET",
        token: "ALIBABACLOUD_SECURITY_TOKEN",
    },
    Family {
        id: "ALICLOUD_ACCESS_KEY_ID",
        secret: "ALICLOUD_ACCESS_KEY_SECRET",
        token: "ALICLOUD_SECURITY_TOKEN",
    },
    // Terraform's provider.
    Family {
        id: "ALICLOUD_ACCESS_KEY",
        secret: "ALICLOUD_SECRET_KEY",
        token: "ALICLOUD_SECURITY_TOKEN",
    },
];

/// The first family with any part of a pair set: its credentials, or why
/// they are incomplete. `None` when no family is set at all.
pub(crate) fn read(
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Credentials>, CredentialsError> {
    let value = |name: &str| lookup(name).filter(|value| !value.is_empty());
    for family in FAMILIES {
        let (id, secret) = (value(family.id), value(family.secret));
        let (id, secret) = match (id, secret) {
            (None, None) => continue,
            (Some(id), Some(secret)) => (id, Secret::new(secret)),
            (None, Some(_)) => return Err(incomplete(family.id, family.secret)),
            (Some(_), None) => return Err(incomplete(family.secret, family.id)),
        };
        let token = value(family.token).map(Secret::new);
        let source = match token {
            Some(_) => format!("environment ({}, {})", family.id, family.token),
            None => format!("environment ({})", family.id),
        };
        let names = FieldNames {
            id: family.id.to_owned(),
            secret: family.secret.to_owned(),
            token: family.token.to_owned(),
        };
        return Credentials::named(id, secret, token, source, &names).map(Some);
    }
    Ok(None)
}

fn incomplete(missing: &'static str, present: &'static str) -> CredentialsError {
    CredentialsError::Incomplete { missing, present }
}

/// The first of `names` that is set and not empty, with its name.
pub(crate) fn first(
    lookup: &dyn Fn(&str) -> Option<String>,
    names: &[&'static str],
) -> Option<(&'static str, String)> {
    names
        .iter()
        .find_map(|name| lookup(name).filter(|v| !v.is_empty()).map(|v| (*name, v)))
}

/// A switch is on when set to `true`, in any case (as the official tools read it).
pub(crate) fn is_on(lookup: &dyn Fn(&str) -> Option<String>, name: &str) -> bool {
    lookup(name).is_some_and(|value| value.trim().eq_ignore_ascii_case("true"))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn every_family_is_read_and_named_in_the_source() {
        for family in FAMILIES {
            let lookup = env(&[
                (family.id, "STS.id"),
                (family.secret, "secret"),
                (family.token, "token"),
            ]);
            let creds = read(&lookup).unwrap().unwrap();
            assert_eq!(creds.access_key_id, "STS.id");
            assert!(creds.is_temporary(), "{family:?}");
            assert!(creds.source.contains(family.id), "{}", creds.source);
        }
    }

    #[test]
    fn terraform_names_work_alone() {
        let lookup = env(&[
            ("ALICLOUD_ACCESS_KEY", "LTAI-tf"),
            ("ALICLOUD_SECRET_KEY", "tfsecret"),
        ]);
        let creds = read(&lookup).unwrap().unwrap();
        assert_eq!(creds.access_key_id, "LTAI-tf");
        assert!(!creds.is_temporary());
    }

    #[test]
    fn the_official_names_win_over_aliases() {
        let lookup = env(&[
            ("ALICLOUD_ACCESS_KEY", "LTAI-tf"),
            ("ALICLOUD_SECRET_KEY", "tfsecret"),
            (ENV_ACCESS_KEY_ID, "LTAI-official"),
            (ENV_ACCESS_KEY_SECRET, "secret"),
        ]);
        assert_eq!(
            read(&lookup).unwrap().unwrap().access_key_id,
            "LTAI-official"
        );
    }

    #[test]
    fn a_token_of_another_family_is_not_borrowed() {
        let lookup = env(&[
            (ENV_ACCESS_KEY_ID, "LTAI-official"),
            (ENV_ACCESS_KEY_SECRET, "secret"),
            ("ALICLOUD_SECURITY_TOKEN", "stale"),
        ]);
        assert!(!read(&lookup).unwrap().unwrap().is_temporary());
    }

    #[test]
    fn half_an_alias_pair_names_both_variables() {
        let lookup = env(&[("ALICLOUD_ACCESS_KEY", "LTAI-tf")]);
        let text = read(&lookup).unwrap_err().to_string();
        assert!(
            text.starts_with(
                "ALICLOUD_SECRET_KEY is not set (or empty) while ALICLOUD_ACCESS_KEY is"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_bad_alias_value_names_the_alias() {
        let lookup = env(&[
            ("ALICLOUD_ACCESS_KEY", "LTAI-tf"),
            ("ALICLOUD_SECRET_KEY", "tfsecret\n"),
        ]);
        let text = read(&lookup).unwrap_err().to_string();
        assert!(
            text.starts_with("ALICLOUD_SECRET_KEY contains a line break"),
            "{text}"
        );
    }

    #[test]
    fn nothing_set_is_none_and_switches_read_true_only() {
        assert!(read(&env(&[])).unwrap().is_none());
        let lookup = env(&[("A", "TRUE"), ("B", "1"), ("C", "true ")]);
        assert!(is_on(&lookup, "A"));
        assert!(!is_on(&lookup, "B"));
        assert!(is_on(&lookup, "C"));
        assert!(!is_on(&lookup, "D"));
    }

    #[test]
    fn first_skips_empty_values() {
        let lookup = env(&[("ALIBABA_CLOUD_PROFILE", ""), ("ALICLOUD_PROFILE", "tf")]);
        assert_eq!(
            first(&lookup, &PROFILE),
            Some(("ALICLOUD_PROFILE", "tf".to_owned()))
        );
    }
}
