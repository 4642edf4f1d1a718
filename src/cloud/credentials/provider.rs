//! [`CredentialsProvider`]: the client asks it for credentials before every
//! call. Fixed credentials are handed out as they are; STS credentials from
//! a role or the ECS metadata service are fetched on first use and fetched
//! again once less than [`RENEW_BEFORE`] of their lifetime remains, so a
//! session that waits hours on a human never signs with an expired token.
//!
//! Reads the time only through [`Clock`]. Knows nothing of how a fetch
//! works; [`super::assume_role`] and [`super::ecs`] supply those.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use futures::future::BoxFuture;

use super::report::{CredentialKind, CredentialReport};
use super::{Credentials, CredentialsError};
use crate::clock::Clock;

/// Renew STS credentials when less than this remains of their lifetime.
pub const RENEW_BEFORE: Duration = Duration::minutes(5);

/// One set of credentials and when it stops working.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    pub credentials: Arc<Credentials>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Fetches fresh credentials: one AssumeRole call, or one metadata read.
pub(crate) trait Fetch: Send + Sync {
    fn fetch(&self) -> BoxFuture<'_, Result<Issued, CredentialsError>>;
}

/// Hands out the credentials to sign the next call with.
pub struct CredentialsProvider {
    kind: CredentialKind,
    source: String,
    anchor_key_id: String,
    issued: Mutex<Option<Issued>>,
    renewal: Option<Renewal>,
}

struct Renewal {
    fetch: Box<dyn Fetch>,
    clock: Arc<dyn Clock>,
    /// One fetch at a time: concurrent callers wait for it, not fetch too.
    turn: tokio::sync::Mutex<()>,
    /// The server called the token expired before our clock did.
    stale: AtomicBool,
}

impl CredentialsProvider {
    /// Always these credentials, checked first; the kind follows from
    /// whether they carry a token, the source is `from <their source>`.
    pub fn fixed(credentials: Credentials) -> Result<Self, CredentialsError> {
        credentials.validate()?;
        let kind = if credentials.is_temporary() {
            CredentialKind::StsToken
        } else {
            CredentialKind::AccessKey
        };
        let source = format!("from {}", credentials.source);
        Ok(Self::fixed_as(credentials, kind, source))
    }

    /// Always these (already checked) credentials, reported as `source`.
    pub(crate) fn fixed_as(credentials: Credentials, kind: CredentialKind, source: String) -> Self {
        let anchor_key_id = credentials.access_key_id.clone();
        let issued = Issued {
            credentials: Arc::new(credentials),
            expires_at: None,
        };
        Self {
            kind,
            source,
            anchor_key_id,
            issued: Mutex::new(Some(issued)),
            renewal: None,
        }
    }

    /// Credentials `fetch` gets on first use and again before they expire.
    pub(crate) fn renewing(
        kind: CredentialKind,
        source: String,
        anchor_key_id: String,
        fetch: Box<dyn Fetch>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            kind,
            source,
            anchor_key_id,
            issued: Mutex::new(None),
            renewal: Some(Renewal {
                fetch,
                clock,
                turn: tokio::sync::Mutex::new(()),
                stale: AtomicBool::new(false),
            }),
        }
    }

    /// The credentials to sign the next call with: fetched first if there
    /// are none yet or they expire within [`RENEW_BEFORE`].
    ///
    /// A failed renewal falls back to the credentials in hand while they
    /// are still valid, and is tried again on the next call.
    pub async fn current(&self) -> Result<Arc<Credentials>, CredentialsError> {
        let Some(renewal) = &self.renewal else {
            let issued = self
                .snapshot()
                .expect("fixed credentials are issued at creation");
            return Ok(issued.credentials);
        };
        if let Some(issued) = self.usable(renewal) {
            return Ok(issued.credentials);
        }

        let _turn = renewal.turn.lock().await;
        // Another call may have renewed while this one waited its turn.
        if let Some(issued) = self.usable(renewal) {
            return Ok(issued.credentials);
        }
        match renewal.fetch.fetch().await {
            Ok(fresh) => {
                let credentials = Arc::clone(&fresh.credentials);
                *self.lock() = Some(fresh);
                renewal.stale.store(false, Ordering::SeqCst);
                Ok(credentials)
            }
            Err(error) => self.fall_back(renewal, error),
        }
    }

    /// The server refused the token as expired: renew before the next call,
    /// whatever the local clock says.
    pub fn expire(&self) {
        if let Some(renewal) = &self.renewal {
            renewal.stale.store(true, Ordering::SeqCst);
        }
    }

    /// The credential's kind.
    pub fn kind(&self) -> CredentialKind {
        self.kind
    }

    /// Where the credentials come from, e.g. "profile `prod` from ...".
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The AccessKey ID this identity rests on: the key that signs, or for a
    /// role the permanent key that assumes it (ramkey must not disable it).
    /// Empty for an ECS role.
    pub fn anchor_key_id(&self) -> &str {
        &self.anchor_key_id
    }

    /// What ramkey knows about its credentials now.
    pub fn report(&self) -> CredentialReport {
        let issued = self.snapshot();
        CredentialReport {
            kind: self.kind,
            source: self.source.clone(),
            access_key_id: issued
                .as_ref()
                .map(|issued| issued.credentials.access_key_id.clone()),
            expires_at: issued.and_then(|issued| issued.expires_at),
        }
    }

    fn usable(&self, renewal: &Renewal) -> Option<Issued> {
        if renewal.stale.load(Ordering::SeqCst) {
            return None;
        }
        let issued = self.snapshot()?;
        let now = renewal.clock.now();
        match issued.expires_at {
            Some(at) if at - now < RENEW_BEFORE => None,
            _ => Some(issued),
        }
    }

    fn fall_back(
        &self,
        renewal: &Renewal,
        error: CredentialsError,
    ) -> Result<Arc<Credentials>, CredentialsError> {
        let now = renewal.clock.now();
        let still_valid = self
            .snapshot()
            .filter(|_| !renewal.stale.load(Ordering::SeqCst))
            .filter(|issued| issued.expires_at.is_none_or(|at| at > now));
        match still_valid {
            Some(issued) => {
                tracing::warn!(source = %self.source, %error, "credential renewal failed; \
                    using the current credentials until they expire");
                Ok(issued.credentials)
            }
            None => Err(error),
        }
    }

    fn snapshot(&self) -> Option<Issued> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Issued>> {
        self.issued.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for CredentialsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsProvider")
            .field("kind", &self.kind)
            .field("source", &self.source)
            .field("anchor_key_id", &self.anchor_key_id)
            .field("renews", &self.renewal.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;
    use crate::clock::FixedClock;
    use crate::secret::Secret;

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-01-02T03:04:05Z")
            .unwrap()
            .to_utc()
    }

    /// Hands out `STS.<n>` valid for an hour from the clock's now, or fails
    /// once `fail` is set.
    struct Counting {
        clock: FixedClock,
        fetched: Arc<AtomicUsize>,
        fail: Arc<AtomicBool>,
    }

    impl Fetch for Counting {
        fn fetch(&self) -> BoxFuture<'_, Result<Issued, CredentialsError>> {
            Box::pin(async move {
                if self.fail.load(Ordering::SeqCst) {
                    return Err(CredentialsError::Metadata {
                        url: "http://127.0.0.1:9".to_owned(),
                        problem: "down".to_owned(),
                    });
                }
                let n = self.fetched.fetch_add(1, Ordering::SeqCst) + 1;
                let credentials = Credentials::new(
                    format!("STS.{n}"),
                    Secret::new("s"),
                    Some(Secret::new("t")),
                    "test",
                )?;
                Ok(Issued {
                    credentials: Arc::new(credentials),
                    expires_at: Some(self.clock.now() + Duration::hours(1)),
                })
            })
        }
    }

    struct Setup {
        provider: CredentialsProvider,
        clock: FixedClock,
        fetched: Arc<AtomicUsize>,
        fail: Arc<AtomicBool>,
    }

    fn renewing() -> Setup {
        let clock = FixedClock::new(start());
        let fetched = Arc::new(AtomicUsize::new(0));
        let fail = Arc::new(AtomicBool::new(false));
        let fetch = Counting {
            clock: clock.clone(),
            fetched: Arc::clone(&fetched),
            fail: Arc::clone(&fail),
        };
        let provider = CredentialsProvider::renewing(
            CredentialKind::RamRoleArn,
            "profile `p`".to_owned(),
            "LTAI-anchor".to_owned(),
            Box::new(fetch),
            Arc::new(clock.clone()),
        );
        Setup {
            provider,
            clock,
            fetched,
            fail,
        }
    }

    fn id(credentials: &Credentials) -> &str {
        &credentials.access_key_id
    }

    #[tokio::test]
    async fn fetches_on_first_use_and_again_only_near_expiry() {
        let s = renewing();
        assert_eq!(s.provider.report().access_key_id, None);

        assert_eq!(id(&s.provider.current().await.unwrap()), "STS.1");
        s.clock.set(start() + Duration::minutes(54));
        assert_eq!(id(&s.provider.current().await.unwrap()), "STS.1");
        s.clock.set(start() + Duration::minutes(56));
        assert_eq!(id(&s.provider.current().await.unwrap()), "STS.2");
        assert_eq!(s.fetched.load(Ordering::SeqCst), 2);

        let report = s.provider.report();
        assert_eq!(report.access_key_id.as_deref(), Some("STS.2"));
        assert_eq!(
            report.expires_at,
            Some(start() + Duration::minutes(56) + Duration::hours(1))
        );
        assert_eq!(s.provider.anchor_key_id(), "LTAI-anchor");
    }

    #[tokio::test]
    async fn a_server_side_expiry_forces_a_renewal() {
        let s = renewing();
        s.provider.current().await.unwrap();
        s.provider.expire();
        assert_eq!(id(&s.provider.current().await.unwrap()), "STS.2");
        assert_eq!(id(&s.provider.current().await.unwrap()), "STS.2");
    }

    #[tokio::test]
    async fn a_failed_renewal_keeps_valid_credentials_but_not_expired_ones() {
        let s = renewing();
        s.provider.current().await.unwrap();
        s.fail.store(true, Ordering::SeqCst);

        s.clock.set(start() + Duration::minutes(58));
        assert_eq!(id(&s.provider.current().await.unwrap()), "STS.1");

        s.clock.set(start() + Duration::minutes(61));
        let error = s.provider.current().await.unwrap_err();
        assert!(error.to_string().contains("down"), "{error}");

        s.fail.store(false, Ordering::SeqCst);
        assert_eq!(id(&s.provider.current().await.unwrap()), "STS.2");
    }

    #[tokio::test]
    async fn the_first_fetch_failing_is_an_error() {
        let s = renewing();
        s.fail.store(true, Ordering::SeqCst);
        assert!(s.provider.current().await.is_err());
    }

    #[tokio::test]
    async fn fixed_credentials_never_change() {
        let creds = Credentials::new("LTAI-1", Secret::new("s"), None, "env").unwrap();
        let provider = CredentialsProvider::fixed(creds).unwrap();
        provider.expire();
        assert_eq!(id(&provider.current().await.unwrap()), "LTAI-1");
        assert_eq!(provider.kind(), CredentialKind::AccessKey);
        assert_eq!(provider.anchor_key_id(), "LTAI-1");
        let debug = format!("{provider:?}");
        assert!(!debug.contains("\"s\""), "{debug}");
    }
}
