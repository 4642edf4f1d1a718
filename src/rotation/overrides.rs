//! The admin's typed override for disabling a key whose verdict is not
//! `idle` (in use, or unknown): a statement of what the admin knows, which
//! must name the whole key id and give a reason in words.
//!
//! A reflex Enter can never pass it: an empty or short text, a text without
//! the key id, or the key id alone are refused, by the dialog and again by
//! the engine. The statement is kept with the rotation and in the audit
//! log. Pure: no cloud, no clock.

use chrono::{DateTime, Utc};

use crate::scan::Verdict;
use crate::state::NotIdleOverride;

/// Words besides the key id that make a reason.
pub const MIN_REASON_WORDS: usize = 4;

/// A statement the admin typed that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyOverride {
    /// The key it is about.
    pub key_id: String,
    /// What the admin typed, trimmed.
    pub statement: String,
}

/// Why a typed statement does not pass.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    /// The whole key id is not in it.
    #[error("type the whole key id {key_id} in the statement")]
    NoKeyId {
        /// The key.
        key_id: String,
    },
    /// Not enough words besides the key id.
    #[error(
        "say what you know: at least {} words besides the key id",
        MIN_REASON_WORDS
    )]
    NoReason {
        /// The key.
        key_id: String,
    },
}

impl KeyOverride {
    /// Checks `typed` for `key_id`.
    pub fn parse(key_id: &str, typed: &str) -> Result<Self, OverrideError> {
        let statement = typed.trim();
        if key_id.is_empty() || !statement.contains(key_id) {
            return Err(OverrideError::NoKeyId {
                key_id: key_id.to_owned(),
            });
        }
        let words = statement
            .replace(key_id, " ")
            .split_whitespace()
            .filter(|word| word.chars().any(char::is_alphanumeric))
            .count();
        if words < MIN_REASON_WORDS {
            return Err(OverrideError::NoReason {
                key_id: key_id.to_owned(),
            });
        }
        Ok(Self {
            key_id: key_id.to_owned(),
            statement: statement.to_owned(),
        })
    }
}

impl KeyOverride {
    /// The record the rotation keeps: the statement with the verdict and
    /// reason it overrides.
    pub fn record(self, verdict: Verdict, reason: &str, at: DateTime<Utc>) -> NotIdleOverride {
        NotIdleOverride {
            statement: self.statement,
            verdict: verdict.as_str().to_owned(),
            reason: reason.to_owned(),
            at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "LTAI5tAliceBusy000000002";

    #[test]
    fn a_reflex_enter_or_a_bare_key_id_never_passes() {
        for typed in [
            "",
            " ",
            "y",
            "yes",
            KEY,
            "LTAI5tAliceBusy",
            "I know it is unused really",
        ] {
            assert!(KeyOverride::parse(KEY, typed).is_err(), "{typed:?}");
        }
        let short = format!("{KEY} is unused");
        assert!(matches!(
            KeyOverride::parse(KEY, &short),
            Err(OverrideError::NoReason { .. })
        ));
    }

    #[test]
    fn the_key_id_and_a_reason_pass_trimmed() {
        let typed = format!("  I know {KEY} is unused: its job was retired in March  ");
        let passed = KeyOverride::parse(KEY, &typed).unwrap();
        assert_eq!(passed.statement, typed.trim());
        assert_eq!(passed.key_id, KEY);
    }

    #[test]
    fn punctuation_is_no_word() {
        let typed = format!("{KEY} - - - - : : !");
        assert!(KeyOverride::parse(KEY, &typed).is_err());
    }
}
