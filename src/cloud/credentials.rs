//! Where ramkey's own credentials come from, and the checks they pass before
//! the first request is signed.
//!
//! For now the only source is the environment; issue 3 adds the aliyun CLI
//! profile, the INI file, role assumption and refresh. Depends only on
//! [`crate::secret`].

use crate::secret::Secret;

/// The AccessKey ID variable of the official credentials chain.
pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// The AccessKey secret variable of the official credentials chain.
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// The STS token variable, set together with the two above.
pub const ENV_SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";

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

/// Why ramkey cannot use the credentials it was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    /// Neither part of an AccessKey pair is set.
    #[error(
        "no Alibaba Cloud credentials: set {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET}, \
         and {ENV_SECURITY_TOKEN} too for STS credentials (preferred over a permanent AccessKey)"
    )]
    Missing,
    /// One part of the pair is set, the other is not.
    #[error(
        "{missing} is not set (or empty) while {present} is: set both, \
         and {ENV_SECURITY_TOKEN} too for STS credentials (preferred over a permanent AccessKey)"
    )]
    Incomplete {
        /// The variable that is missing.
        missing: &'static str,
        /// The variable that is set.
        present: &'static str,
    },
    /// A value that would sign wrongly: a copied secret often carries a
    /// trailing newline or space, which yields `SignatureDoesNotMatch`.
    #[error(
        "{what} {problem}: remove it and try again \
         (a pasted value often carries a trailing newline); nothing was sent"
    )]
    Malformed {
        /// Which value, e.g. `ALIBABA_CLOUD_ACCESS_KEY_SECRET`.
        what: String,
        /// What is wrong with it, without showing it.
        problem: &'static str,
    },
}

impl Credentials {
    /// Checked credentials from explicit values.
    pub fn new(
        access_key_id: impl Into<String>,
        secret: Secret,
        security_token: Option<Secret>,
        source: impl Into<String>,
    ) -> Result<Self, CredentialsError> {
        let credentials = Self {
            access_key_id: access_key_id.into(),
            secret,
            security_token,
            source: source.into(),
        };
        credentials.validate()?;
        Ok(credentials)
    }

    /// Reads `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`
    /// and the optional `ALIBABA_CLOUD_SECURITY_TOKEN` from the process
    /// environment.
    pub fn from_env() -> Result<Self, CredentialsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Credentials::from_env`], reading variables through `lookup`, so
    /// tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, CredentialsError> {
        let read = |name: &str| lookup(name).filter(|value| !value.is_empty());
        let id = read(ENV_ACCESS_KEY_ID);
        let secret = read(ENV_ACCESS_KEY_SECRET).map(Secret::new);
        let token = read(ENV_SECURITY_TOKEN).map(Secret::new);

        let (id, secret) = match (id, secret) {
            (Some(id), Some(secret)) => (id, secret),
            (None, None) => return Err(CredentialsError::Missing),
            (None, Some(_)) => return Err(incomplete(ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET)),
            (Some(_), None) => return Err(incomplete(ENV_ACCESS_KEY_SECRET, ENV_ACCESS_KEY_ID)),
        };
        let source = if token.is_some() {
            format!("environment ({ENV_ACCESS_KEY_ID}, {ENV_SECURITY_TOKEN})")
        } else {
            format!("environment ({ENV_ACCESS_KEY_ID})")
        };
        Self::new(id, secret, token, source)
    }

    /// Whether these are STS credentials (they carry a token and expire).
    pub fn is_temporary(&self) -> bool {
        self.security_token.is_some()
    }

    /// Refuses values that cannot sign correctly, naming the value but never
    /// showing it. [`crate::cloud::Client::new`] runs this again, because the
    /// fields are public.
    pub fn validate(&self) -> Result<(), CredentialsError> {
        check_value(ENV_ACCESS_KEY_ID, &self.access_key_id)?;
        check_value(ENV_ACCESS_KEY_SECRET, self.secret.expose())?;
        if let Some(token) = &self.security_token {
            check_value(ENV_SECURITY_TOKEN, token.expose())?;
        }
        Ok(())
    }
}

fn incomplete(missing: &'static str, present: &'static str) -> CredentialsError {
    CredentialsError::Incomplete { missing, present }
}

/// The labels name the environment variables, which is where values come
/// from today; the checks themselves hold for any source.
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
        assert_eq!(error, CredentialsError::Missing);
        let text = error.to_string();
        for name in [ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN] {
            assert!(text.contains(name), "{text}");
        }
        assert!(text.contains("STS credentials (preferred"), "{text}");
    }

    #[test]
    fn half_a_pair_names_the_missing_half() {
        let error = Credentials::from_lookup(env(&[(ENV_ACCESS_KEY_ID, "testid")])).unwrap_err();
        assert_eq!(
            error,
            CredentialsError::Incomplete {
                missing: ENV_ACCESS_KEY_SECRET,
                present: ENV_ACCESS_KEY_ID
            }
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
