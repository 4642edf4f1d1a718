//! Exemptions: users the admin has decided to leave with two Active keys,
//! each with a reason. An exempt user is listed as exempt, never flagged.
//!
//! Read from `--exempt USER=REASON` flags and from the config file
//! (`[[exempt]] user = "..." reason = "..."`). Parsing is pure; only
//! [`Exemptions::load`] reads a file. Knows nothing of the cloud or the UI.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Why a list of exemptions could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ExemptError {
    /// A `--exempt` value without `=REASON`.
    #[error(
        "--exempt {given:?} has no reason: write it as --exempt USER=REASON, \
         e.g. --exempt ci-deployer=\"rotated by the CI vault\""
    )]
    MissingReason {
        /// The value as given.
        given: String,
    },
    /// A `--exempt` value or config entry with an empty user name.
    #[error("an exemption names no user ({given:?}): write it as USER=REASON")]
    MissingUser {
        /// The value as given.
        given: String,
    },
    /// The config file named with `--config` does not exist or cannot be read.
    #[error("cannot read the config file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The config file is not the TOML ramkey expects.
    #[error(
        "the config file {} is not valid: {problem}\nIt may only hold \
         [[exempt]] tables with `user` and `reason`.",
        path.display()
    )]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with its line (from the TOML parser).
        problem: String,
    },
}

/// The exempt users, by `UserName`, each with its reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exemptions {
    reasons: BTreeMap<String, String>,
}

/// Where the config file comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigFile {
    /// Named with `--config`: it must exist.
    Named(PathBuf),
    /// The default place: a missing file means no config.
    Default(PathBuf),
}

/// The config file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(default)]
    exempt: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    user: String,
    reason: String,
}

impl Exemptions {
    /// The reason `user` is exempt, if it is.
    pub fn reason_for(&self, user: &str) -> Option<&str> {
        self.reasons.get(user).map(String::as_str)
    }

    /// How many users are exempt.
    pub fn len(&self) -> usize {
        self.reasons.len()
    }

    /// No user is exempt.
    pub fn is_empty(&self) -> bool {
        self.reasons.is_empty()
    }

    /// Adds one exemption; a later one for the same user replaces the
    /// earlier (a flag overrides the config file).
    pub fn add(&mut self, user: &str, reason: &str) -> Result<(), ExemptError> {
        let user = user.trim();
        if user.is_empty() {
            return Err(ExemptError::MissingUser {
                given: format!("{user}={reason}"),
            });
        }
        self.reasons
            .insert(user.to_owned(), reason.trim().to_owned());
        Ok(())
    }

    /// Adds a `USER=REASON` value of `--exempt`.
    pub fn add_flag(&mut self, given: &str) -> Result<(), ExemptError> {
        let Some((user, reason)) = given.split_once('=') else {
            return Err(ExemptError::MissingReason {
                given: given.to_owned(),
            });
        };
        if reason.trim().is_empty() {
            return Err(ExemptError::MissingReason {
                given: given.to_owned(),
            });
        }
        if user.trim().is_empty() {
            return Err(ExemptError::MissingUser {
                given: given.to_owned(),
            });
        }
        self.add(user, reason)
    }

    /// Adds the exemptions of a config file's text (`path` names it in errors).
    pub fn add_config(&mut self, text: &str, path: &Path) -> Result<(), ExemptError> {
        let invalid = |problem: String| ExemptError::Invalid {
            path: path.to_owned(),
            problem,
        };
        let config: Config = toml::from_str(text).map_err(|error| invalid(error.to_string()))?;
        for entry in config.exempt {
            if entry.reason.trim().is_empty() {
                return Err(invalid(format!(
                    "the exemption of {:?} has an empty reason",
                    entry.user
                )));
            }
            self.add(&entry.user, &entry.reason)
                .map_err(|error| invalid(error.to_string()))?;
        }
        Ok(())
    }

    /// The config file's exemptions, then the flags' (which win).
    pub fn load(config: Option<&ConfigFile>, flags: &[String]) -> Result<Self, ExemptError> {
        let mut exemptions = Self::default();
        if let Some((path, text)) = config.map(read_config).transpose()?.flatten() {
            exemptions.add_config(&text, &path)?;
        }
        for flag in flags {
            exemptions.add_flag(flag)?;
        }
        Ok(exemptions)
    }
}

impl ConfigFile {
    /// `--config FILE` when given, else `$XDG_CONFIG_HOME/ramkey/config.toml`
    /// (or the platform's config directory); `None` when there is none.
    pub fn choose(named: Option<&Path>) -> Option<Self> {
        match named {
            Some(path) => Some(Self::Named(path.to_owned())),
            None => dirs::config_dir().map(|dir| Self::Default(dir.join("ramkey/config.toml"))),
        }
    }
}

fn read_config(config: &ConfigFile) -> Result<Option<(PathBuf, String)>, ExemptError> {
    let (path, required) = match config {
        ConfigFile::Named(path) => (path, true),
        ConfigFile::Default(path) => (path, false),
    };
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some((path.clone(), text))),
        Err(error) if error.kind() == ErrorKind::NotFound && !required => Ok(None),
        Err(source) => Err(ExemptError::Read {
            path: path.clone(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path() -> PathBuf {
        PathBuf::from("/etc/ramkey.toml")
    }

    #[test]
    fn flags_need_a_user_and_a_reason() {
        let mut exemptions = Exemptions::default();
        exemptions.add_flag("ci=rotated by vault = yes").unwrap();
        assert_eq!(exemptions.reason_for("ci"), Some("rotated by vault = yes"));

        for bad in ["ci", "ci=", "ci=  "] {
            let error = Exemptions::default().add_flag(bad).unwrap_err();
            assert!(matches!(error, ExemptError::MissingReason { .. }), "{bad}");
            assert!(error.to_string().contains("USER=REASON"), "{error}");
        }
        let error = Exemptions::default().add_flag("=why").unwrap_err();
        assert!(matches!(error, ExemptError::MissingUser { .. }), "{error}");
    }

    #[test]
    fn config_entries_are_read_and_flags_win() {
        let text = "[[exempt]]\nuser = \"ci\"\nreason = \"vault\"\n\n\
                    [[exempt]]\nuser = \"backup\"\nreason = \"owned by ops\"\n";
        let mut exemptions = Exemptions::default();
        exemptions.add_config(text, &path()).unwrap();
        exemptions.add_flag("ci=flag reason").unwrap();

        assert_eq!(exemptions.len(), 2);
        assert_eq!(exemptions.reason_for("ci"), Some("flag reason"));
        assert_eq!(exemptions.reason_for("backup"), Some("owned by ops"));
        assert_eq!(exemptions.reason_for("other"), None);
    }

    #[test]
    fn an_empty_config_exempts_nobody() {
        let mut exemptions = Exemptions::default();
        exemptions.add_config("", &path()).unwrap();
        assert!(exemptions.is_empty());
    }

    #[test]
    fn unknown_keys_are_refused_with_their_line() {
        let text = "[[exempt]]\nuser = \"ci\"\nreason = \"vault\"\nexpires = \"2027\"\n";
        let error = Exemptions::default().add_config(text, &path()).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("expires"), "{message}");
        assert!(message.contains("line 4"), "{message}");
        assert!(message.contains("/etc/ramkey.toml"), "{message}");

        let error = Exemptions::default()
            .add_config("[exemptions]\n", &path())
            .unwrap_err();
        assert!(error.to_string().contains("line 1"), "{error}");
    }

    #[test]
    fn entries_need_a_user_and_a_reason() {
        for text in [
            "[[exempt]]\nuser = \"ci\"\n",
            "[[exempt]]\nuser = \"ci\"\nreason = \" \"\n",
            "[[exempt]]\nuser = \"\"\nreason = \"x\"\n",
        ] {
            let error = Exemptions::default().add_config(text, &path()).unwrap_err();
            assert!(matches!(error, ExemptError::Invalid { .. }), "{text}");
        }
    }

    #[test]
    fn a_missing_default_file_is_fine_but_a_missing_named_file_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let absent = dir.path().join("config.toml");

        let none = Exemptions::load(Some(&ConfigFile::Default(absent.clone())), &[]).unwrap();
        assert!(none.is_empty());

        let error = Exemptions::load(Some(&ConfigFile::Named(absent)), &[]).unwrap_err();
        assert!(matches!(error, ExemptError::Read { .. }), "{error}");
        assert!(error.to_string().contains("config.toml"), "{error}");
    }
}
