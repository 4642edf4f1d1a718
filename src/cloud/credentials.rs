//! Where ramkey's own credentials come from, and the checks they pass before
//! the first request is signed.
//!
//! [`Credentials`] is one signing identity. [`CredentialsProvider`] hands the
//! client the current one before each call and renews STS credentials before
//! they expire. [`chain::resolve`] finds them the way the official tools do:
//! environment, aliyun CLI profile (`~/.aliyun/config.json`), INI credentials
//! file (`~/.alibabacloud/credentials`), ECS instance metadata. The file
//! readers and the environment know nothing of HTTP; the role and metadata
//! fetchers do, and the role fetcher uses the client for its STS call.

mod assume_role;
pub mod chain;
mod cli_config;
mod ecs;
pub mod env;
mod error;
mod ini;
mod lookup;
mod provider;
mod recipe;
mod report;

pub use chain::resolve;
pub use ecs::ECS_METADATA_URL;
pub use env::{ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN};
pub use error::CredentialsError;
pub use lookup::Lookup;
pub use provider::{CredentialsProvider, RENEW_BEFORE};
pub use report::{CredentialKind, CredentialReport};

use crate::secret::Secret;

/// The identity ramkey signs its requests with.
///
/// `Debug` shows the AccessKey ID and the source, never the secret or token.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The AccessKey ID (an `STS.` ID for temporary credentials).
    pub access_key_id: String,
    /// The AccessKey secret.
    pub secret: Secret,
    /// The STS token, for temporary credentials.
    pub security_token: Option<Secret>,
    /// Where these came from, for the start screen and for error messages.
    pub source: String,
}

/// What each value is called where it came from, so a refusal names the
/// variable or file field to fix.
#[derive(Debug, Clone)]
pub(crate) struct FieldNames {
    pub id: String,
    pub secret: String,
    pub token: String,
}

impl FieldNames {
    /// Names for values whose origin is only known as `source`.
    fn generic(source: &str) -> Self {
        Self {
            id: format!("the AccessKey ID (from {source})"),
            secret: format!("the AccessKey secret (from {source})"),
            token: format!("the STS token (from {source})"),
        }
    }

    /// `field` of `origin`, e.g. "`access_key_secret` of profile `prod` in ...".
    pub fn in_file(origin: &str, id: &str, secret: &str, token: &str) -> Self {
        let name = |field: &str| format!("`{field}` of {origin}");
        Self {
            id: name(id),
            secret: name(secret),
            token: name(token),
        }
    }
}

impl Credentials {
    /// Checked credentials from explicit values.
    pub fn new(
        access_key_id: impl Into<String>,
        secret: Secret,
        security_token: Option<Secret>,
        source: impl Into<String>,
    ) -> Result<Self, CredentialsError> {
        let credentials = Self::unchecked(access_key_id, secret, security_token, source);
        credentials.validate()?;
        Ok(credentials)
    }

    /// Checked credentials whose refusal names the values as `names` says.
    pub(crate) fn named(
        access_key_id: impl Into<String>,
        secret: Secret,
        security_token: Option<Secret>,
        source: impl Into<String>,
        names: &FieldNames,
    ) -> Result<Self, CredentialsError> {
        let credentials = Self::unchecked(access_key_id, secret, security_token, source);
        credentials.validate_as(names)?;
        Ok(credentials)
    }

    fn unchecked(
        access_key_id: impl Into<String>,
        secret: Secret,
        security_token: Option<Secret>,
        source: impl Into<String>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret,
            security_token,
            source: source.into(),
        }
    }

    /// Reads the AccessKey pair and optional STS token from the process
    /// environment: `ALIBABA_CLOUD_ACCESS_KEY_ID`, `_SECRET`, `_SECURITY_TOKEN`
    /// or one of their aliases ([`env::FAMILIES`]).
    pub fn from_env() -> Result<Self, CredentialsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Credentials::from_env`], reading variables through `lookup`, so
    /// tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, CredentialsError> {
        env::read(&lookup)?.ok_or(CredentialsError::Missing)
    }

    /// Whether these are STS credentials (they carry a token and expire).
    pub fn is_temporary(&self) -> bool {
        self.security_token.is_some()
    }

    /// Refuses values that cannot sign correctly, naming the value but never
    /// showing it. [`crate::cloud::Client::new`] runs this again, because the
    /// fields are public.
    pub fn validate(&self) -> Result<(), CredentialsError> {
        self.validate_as(&FieldNames::generic(&self.source))
    }

    pub(crate) fn validate_as(&self, names: &FieldNames) -> Result<(), CredentialsError> {
        check_value(&names.id, &self.access_key_id)?;
        check_value(&names.secret, self.secret.expose())?;
        if let Some(token) = &self.security_token {
            check_value(&names.token, token.expose())?;
        }
        Ok(())
    }
}

/// A copied secret often carries a trailing newline or space, which signs
/// to `SignatureDoesNotMatch`; say so before anything is sent.
fn check_value(what: &str, value: &str) -> Result<(), CredentialsError> {
    let problem = if value.is_empty() {
        Some("is empty")
    } else if value.contains(['\r', '\n']) {
        Some("contains a line break")
    } else if value.trim() != value {
        Some("starts or ends with whitespace")
    } else if value.chars().any(char::is_control) {
        Some("contains a control character")
    } else if value.chars().any(char::is_whitespace) {
        Some("contains whitespace")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(CredentialsError::Malformed {
            what: what.to_owned(),
            problem,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn reads_a_permanent_key_pair() {
        let creds = Credentials::from_lookup(env(&[
            (ENV_ACCESS_KEY_ID, "testid"),
            (ENV_ACCESS_KEY_SECRET, "testsecret"),
        ]))
        .unwrap();
        assert_eq!(creds.access_key_id, "testid");
        assert_eq!(creds.secret.expose(), "testsecret");
        assert!(!creds.is_temporary());
        assert!(creds.source.contains("environment"), "{}", creds.source);
    }

    #[test]
    fn reads_sts_credentials_with_their_token() {
        let creds = Credentials::from_lookup(env(&[
            (ENV_ACCESS_KEY_ID, "STS.testid"),
            (ENV_ACCESS_KEY_SECRET, "stssecret"),
            (ENV_SECURITY_TOKEN, "CAIS+ab/cd=="),
        ]))
        .unwrap();
        assert!(creds.is_temporary());
        assert_eq!(creds.security_token.unwrap().expose(), "CAIS+ab/cd==");
        assert!(creds.source.contains(ENV_SECURITY_TOKEN));
    }

    #[test]
    fn an_empty_token_counts_as_none() {
        let creds = Credentials::from_lookup(env(&[
            (ENV_ACCESS_KEY_ID, "testid"),
            (ENV_ACCESS_KEY_SECRET, "testsecret"),
            (ENV_SECURITY_TOKEN, ""),
        ]))
        .unwrap();
        assert!(!creds.is_temporary());
    }

    #[test]
    fn nothing_set_names_every_variable_and_prefers_sts() {
        let error = Credentials::from_lookup(env(&[])).unwrap_err();
        assert!(matches!(error, CredentialsError::Missing), "{error:?}");
        let text = error.to_string();
        for name in [ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN] {
            assert!(text.contains(name), "{text}");
        }
        assert!(text.contains("STS credentials (preferred"), "{text}");
    }

    #[test]
    fn half_a_pair_names_the_missing_half() {
        let error = Credentials::from_lookup(env(&[(ENV_ACCESS_KEY_ID, "testid")])).unwrap_err();
        assert!(
            matches!(
                error,
                CredentialsError::Incomplete {
                    missing: ENV_ACCESS_KEY_SECRET,
                    present: ENV_ACCESS_KEY_ID
                }
            ),
            "{error:?}"
        );
        let error =
            Credentials::from_lookup(env(&[(ENV_ACCESS_KEY_SECRET, "testsecret")])).unwrap_err();
        assert!(error.to_string().starts_with(ENV_ACCESS_KEY_ID), "{error}");
    }

    #[test]
    fn pasted_whitespace_and_line_breaks_are_refused_without_showing_the_value() {
        for (bad, problem) in [
            ("testsecret\n", "contains a line break"),
            ("testsecret\r\n", "contains a line break"),
            (" testsecret ", "starts or ends with whitespace"),
            ("testsecret\t", "starts or ends with whitespace"),
            ("test secret", "contains whitespace"),
        ] {
            let error = Credentials::from_lookup(env(&[
                (ENV_ACCESS_KEY_ID, "testid"),
                (ENV_ACCESS_KEY_SECRET, bad),
            ]))
            .unwrap_err();
            let text = error.to_string();
            assert!(text.contains(ENV_ACCESS_KEY_SECRET), "{text}");
            assert!(text.contains(problem), "{bad:?}: {text}");
            assert!(!text.contains("testsecret"), "{text}");
        }
    }

    #[test]
    fn a_padded_id_or_token_is_refused_too() {
        let error = Credentials::from_lookup(env(&[
            (ENV_ACCESS_KEY_ID, "testid "),
            (ENV_ACCESS_KEY_SECRET, "testsecret"),
        ]))
        .unwrap_err();
        assert!(error.to_string().contains(ENV_ACCESS_KEY_ID), "{error}");

        let error = Credentials::from_lookup(env(&[
            (ENV_ACCESS_KEY_ID, "STS.testid"),
            (ENV_ACCESS_KEY_SECRET, "stssecret"),
            (ENV_SECURITY_TOKEN, "CAIS+ab/cd==\n"),
        ]))
        .unwrap_err();
        assert!(error.to_string().contains(ENV_SECURITY_TOKEN), "{error}");
    }

    #[test]
    fn a_generic_refusal_names_the_source() {
        let error =
            Credentials::new("testid", Secret::new("x\n"), None, "profile `p`").unwrap_err();
        let text = error.to_string();
        assert!(
            text.starts_with("the AccessKey secret (from profile `p`) contains a line break"),
            "{text}"
        );
    }

    #[test]
    fn debug_never_shows_the_secret_or_token() {
        let creds = Credentials::new(
            "STS.testid",
            Secret::new("stssecret"),
            Some(Secret::new("CAIS+ab/cd==")),
            "test",
        )
        .unwrap();
        let debug = format!("{creds:?}");
        assert!(debug.contains("STS.testid"), "{debug}");
        assert!(!debug.contains("stssecret"), "{debug}");
        assert!(!debug.contains("CAIS"), "{debug}");
    }
}
