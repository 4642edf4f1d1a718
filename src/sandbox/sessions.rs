//! The STS sessions AssumeRole has issued: each `STS.` AccessKey with its
//! secret, token, expiry and the role and session it stands for. Live state
//! only; sessions are not part of the account file.

use std::collections::HashMap;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use rand::RngExt as _;

use crate::secret::Secret;

use super::account::Role;
use super::ids;

/// One issued set of STS credentials.
#[derive(Debug, Clone)]
pub struct Session {
    /// `STS.` and 24 more characters, like production's.
    pub access_key_id: String,
    /// The session's AccessKey secret.
    pub secret: Secret,
    /// The SecurityToken every request signed with this key must carry.
    pub token: Secret,
    /// When the token stops working, by the sandbox clock.
    pub expires_at: DateTime<Utc>,
    /// The role assumed.
    pub role_name: String,
    /// Its `RoleId`.
    pub role_id: String,
    /// `RoleSessionName`.
    pub role_session_name: String,
}

/// Every session issued since the sandbox started, by AccessKey ID.
#[derive(Debug, Default)]
pub struct Sessions {
    by_key: HashMap<String, Session>,
}

/// What AssumeRole was asked for, once checked.
pub struct Grant<'a> {
    pub role: &'a Role,
    pub session_name: &'a str,
    pub expires_at: DateTime<Utc>,
}

impl Sessions {
    /// Issues fresh credentials for `grant` and remembers them.
    pub fn issue(&mut self, grant: &Grant<'_>) -> Session {
        let access_key_id = loop {
            let id = format!("STS.{}", ids::alphanumeric(24));
            if !self.by_key.contains_key(&id) {
                break id;
            }
        };
        let session = Session {
            access_key_id: access_key_id.clone(),
            secret: Secret::new(ids::alphanumeric(44)),
            token: new_token(),
            expires_at: grant.expires_at,
            role_name: grant.role.role_name.clone(),
            role_id: grant.role.role_id.clone(),
            role_session_name: grant.session_name.to_owned(),
        };
        self.by_key.insert(access_key_id, session.clone());
        session
    }

    /// The session of an `STS.` AccessKey ID.
    pub fn get(&self, access_key_id: &str) -> Option<&Session> {
        self.by_key.get(access_key_id)
    }

    /// Ends a session's token at `at` (the expire-token fault switch).
    pub fn expire(&mut self, access_key_id: &str, at: DateTime<Utc>) {
        if let Some(session) = self.by_key.get_mut(access_key_id) {
            session.expires_at = session.expires_at.min(at);
        }
    }
}

/// Shaped like production's tokens: `CAIS` and Base64, so it is full of the
/// `+`, `/` and `=` that catch a client that forgets to encode it (bc-05).
fn new_token() -> Secret {
    let mut bytes = [0_u8; 192];
    rand::rng().fill(&mut bytes[..]);
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    Secret::new(format!("CAIS{encoded}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::account::Account;

    #[test]
    fn issued_sessions_are_remembered_by_key_and_shaped_like_production() {
        let account = Account::demo();
        let role = &account.roles[0];
        let mut sessions = Sessions::default();
        let at = DateTime::parse_from_rfc3339("2024-01-02T04:04:05Z")
            .unwrap()
            .to_utc();
        let grant = Grant {
            role,
            session_name: "ramkey-alice",
            expires_at: at,
        };
        let one = sessions.issue(&grant);
        let two = sessions.issue(&grant);

        assert!(one.access_key_id.starts_with("STS.") && one.access_key_id.len() == 28);
        assert_ne!(one.access_key_id, two.access_key_id);
        assert_ne!(one.token, two.token);
        assert!(one.token.expose().starts_with("CAIS"));
        assert_eq!(sessions.get(&one.access_key_id).unwrap().expires_at, at);
        assert!(sessions.get("STS.unknown").is_none());
    }
}
