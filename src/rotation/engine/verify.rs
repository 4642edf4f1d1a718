//! Checking that the new key works before the old one may be disabled
//! (BC-12): a key CreateAccessKey just returned is refused for a while
//! (`InvalidAccessKeyId.NotFound`), so ramkey signs a harmless read (STS
//! GetCallerIdentity) with it, through its own client, at short intervals
//! up to a cap, and records what it saw on the key.
//!
//! Right after CreateAccessKey the key is tried once, so its secret is
//! shown at once; a key not accepted yet is checked again, up to the cap,
//! with `Action::VerifyKey` (the wizard starts it once the secret is
//! stored). The secret is only in memory: the one CreateAccessKey returned
//! in this process, or pasted by the admin after a restart. The waits go through the
//! client's `Sleeper` and each attempt is told to its `RetryObserver`, so
//! the wizard shows the progress and tests never wait for real.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::build::move_step;
use super::{Engine, Performed};
use crate::cloud::model::{CallerIdentity, NewAccessKey};
use crate::cloud::retry::{RetryNotice, RetryReason};
use crate::cloud::{Client, Credentials};
use crate::rotation::error::EngineError;
use crate::rotation::step::Event;
use crate::secret::Secret;
use crate::state::steps::KeyCheck;
use crate::state::{Progress, Rotation};

/// How the new key is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyCheckOptions {
    /// The wait between two attempts.
    pub interval: Duration,
    /// How long ramkey keeps asking before it reports "not yet verified".
    pub cap: Duration,
}

impl Default for KeyCheckOptions {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(3),
            cap: Duration::from_secs(120),
        }
    }
}

impl KeyCheckOptions {
    /// The most attempts one check makes (the first, then one per wait).
    pub fn max_attempts(&self) -> u32 {
        let interval = self.interval.as_secs().max(1);
        u32::try_from(self.cap.as_secs().div_ceil(interval) + 1).unwrap_or(u32::MAX)
    }
}

/// The code of a key the service does not know (yet).
const NOT_YET_ACCEPTED: &str = "InvalidAccessKeyId.NotFound";

/// The code of a request signed with the wrong secret.
const WRONG_SECRET: &str = "SignatureDoesNotMatch";

/// How long one check keeps asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Patience {
    /// One attempt: right after the creation, before the secret is shown.
    Once,
    /// Until the key is accepted or the cap passes.
    UpToTheCap,
}

/// What one check saw.
enum Polled {
    /// The key signed a read and STS named the new user.
    Accepted {
        identity: CallerIdentity,
        attempts: u32,
    },
    /// The cap passed while the key was still refused.
    NotYet { attempts: u32, code: String },
}

/// The new key's id and user, and what it was checked to be so far.
struct Checked<'a> {
    new_user: &'a str,
    key_id: &'a str,
    check: &'a KeyCheck,
}

impl Engine {
    /// Tries the key CreateAccessKey just returned once and records the
    /// outcome; says what it found in one sentence. Never fails: the key
    /// exists and its secret must still be shown, whatever the check saw.
    pub(super) async fn check_created_key(&mut self, user: &str, key: &NewAccessKey) -> String {
        let secret = key.secret.clone();
        self.fresh_secrets
            .insert(key.access_key_id.clone(), secret.clone());
        let rotation = match self.open_rotation(user) {
            Ok(rotation) => rotation,
            Err(error) => return format!("The new key could not be verified: {error}"),
        };
        match self.check_key(&rotation, secret, Patience::Once).await {
            Ok(performed) => performed.summary,
            Err(error) => {
                tracing::warn!(user, %error, "the new key could not be verified");
                format!("The new key could not be verified: {error}")
            }
        }
    }

    /// Checks the new key again (after the cap passed, or after a
    /// restart), with the secret `pasted` by the admin if ramkey no longer
    /// holds it.
    pub(super) async fn verify_key(
        &mut self,
        rotation: &Rotation,
        pasted: Option<Secret>,
    ) -> Result<Performed, EngineError> {
        let Some(key) = new_key(rotation) else {
            unreachable!("checked to be a step with a new key");
        };
        if key.check.is_verified() {
            return Ok(Performed::said(format!(
                "{} is already verified",
                key.key_id
            )));
        }
        let secret = match pasted {
            Some(pasted) => checked_paste(key.key_id, &pasted)?,
            None => self.fresh_secrets.get(key.key_id).cloned().ok_or_else(|| {
                EngineError::SecretNeeded {
                    key_id: key.key_id.to_owned(),
                }
            })?,
        };
        let performed = match self
            .check_key(rotation, secret.clone(), Patience::UpToTheCap)
            .await
        {
            Err(error @ EngineError::WrongSecret { .. }) => {
                // A wrong secret held from an earlier paste would fail every
                // later check: forget it, so the next one asks for the secret.
                self.fresh_secrets.remove(key.key_id);
                return Err(error);
            }
            other => other?,
        };
        // Kept only until the key works, for another try in this process.
        if self.held_secret_needed(rotation) {
            self.fresh_secrets.insert(key.key_id.to_owned(), secret);
        }
        Ok(performed)
    }

    /// Whether ramkey holds the new key's secret in memory (created or
    /// pasted in this process, and not verified yet).
    pub fn holds_new_key_secret(&self, user: &str) -> bool {
        let Some(rotation) = self.store.document().open_rotation(user) else {
            return false;
        };
        new_key(rotation).is_some_and(|key| self.fresh_secrets.contains_key(key.key_id))
    }

    /// Polls, records the check on the key, and forgets the secret once
    /// the key works.
    async fn check_key(
        &mut self,
        rotation: &Rotation,
        secret: Secret,
        patience: Patience,
    ) -> Result<Performed, EngineError> {
        let Some(key) = new_key(rotation) else {
            unreachable!("checked to be a step with a new key");
        };
        let earlier = key.check.attempts();
        let key_id = key.key_id.to_owned();
        let new_user = key.new_user.to_owned();
        let credentials = Credentials::new(&key_id, secret, None, "the new key")
            .map_err(|error| wrong(&key_id, error.to_string()))?;
        let client =
            self.client
                .signing_as(credentials)
                .map_err(|source| EngineError::KeyCheck {
                    key_id: key_id.clone(),
                    source,
                })?;

        let polled = self.poll(&client, &new_user, &key_id, patience).await?;
        let now = self.now();
        let (check, summary) = match polled {
            Polled::Accepted { identity, attempts } => {
                self.check_identity(&identity, &new_user, &key_id)?;
                self.fresh_secrets.remove(&key_id);
                let summary =
                    format!("{key_id} works: it signed a read as {new_user} (attempt {attempts})");
                let check = KeyCheck::Verified {
                    at: now,
                    attempts: earlier + attempts,
                    arn: identity.arn,
                };
                (check, summary)
            }
            Polled::NotYet { attempts, code } => {
                let summary = match patience {
                    Patience::Once => format!(
                        "{key_id} is not accepted yet (new keys take a while); it is checked \
                         again once its secret is stored"
                    ),
                    Patience::UpToTheCap => {
                        not_yet_summary(&key_id, &rotation.key_id, &self.key_check)
                    }
                };
                let check = KeyCheck::NotYetVerified {
                    attempts: earlier + attempts,
                    last_tried: now,
                    last_code: Some(code),
                };
                (check, summary)
            }
        };
        self.commit(&rotation.id, Event::KeyChecked(check), &summary)?;
        Ok(Performed::said(summary))
    }

    /// GetCallerIdentity with the new key until it is accepted or the cap
    /// passes. Elapsed time is the clock's or the waits' sum, whichever is
    /// more, so a clock that stands still cannot make it ask forever.
    async fn poll(
        &self,
        client: &Client,
        new_user: &str,
        key_id: &str,
        patience: Patience,
    ) -> Result<Polled, EngineError> {
        let options = self.key_check;
        let started = self.clock.now();
        let (mut attempts, mut waited) = (0, Duration::ZERO);
        loop {
            attempts += 1;
            let error = match client.get_caller_identity().await {
                Ok(identity) => return Ok(Polled::Accepted { identity, attempts }),
                Err(error) => error,
            };
            let code = error.code().unwrap_or_default().to_owned();
            if code == WRONG_SECRET {
                return Err(wrong(
                    key_id,
                    "the secret does not belong to this key".into(),
                ));
            }
            if code != NOT_YET_ACCEPTED {
                return Err(EngineError::KeyCheck {
                    key_id: key_id.to_owned(),
                    source: error,
                });
            }
            let elapsed = waited.max(since(started, self.clock.now()));
            let given_up = patience == Patience::Once
                || elapsed >= options.cap
                || attempts >= options.max_attempts();
            if given_up {
                return Ok(Polled::NotYet { attempts, code });
            }
            let wait = options.interval.min(options.cap.saturating_sub(elapsed));
            self.tell_waiting(new_user, attempts, code, elapsed, wait);
            self.client.retry().sleeper.sleep(wait).await;
            waited += wait;
        }
    }

    /// Tells the client's observer (the wizard's status line) and the log.
    fn tell_waiting(
        &self,
        new_user: &str,
        attempts: u32,
        code: String,
        elapsed: Duration,
        wait: Duration,
    ) {
        let notice = RetryNotice {
            action: "GetCallerIdentity",
            user: Some(new_user.to_owned()),
            reason: RetryReason::NewKeyNotYetAccepted {
                code,
                elapsed,
                cap: self.key_check.cap,
            },
            failed_tries: attempts,
            max_tries: self.key_check.max_attempts(),
            wait,
        };
        tracing::info!(user = new_user, "{notice}");
        if let Some(observer) = &self.client.retry().observer {
            observer.retrying(&notice);
        }
    }

    /// The key must sign as the new user of this account, nobody else.
    fn check_identity(
        &self,
        identity: &CallerIdentity,
        new_user: &str,
        key_id: &str,
    ) -> Result<(), EngineError> {
        let expected = format!(
            "acs:ram::{}:user/{new_user}",
            self.store.document().account_id
        );
        if identity.arn.eq_ignore_ascii_case(&expected) {
            return Ok(());
        }
        Err(wrong(
            key_id,
            format!("the key signs as {}, not as {expected}", identity.arn),
        ))
    }

    /// Whether the rotation's new key is still unverified on disk.
    fn held_secret_needed(&self, rotation: &Rotation) -> bool {
        let document = self.store.document();
        let current = document.rotations.iter().find(|r| r.id == rotation.id);
        current
            .and_then(new_key)
            .is_some_and(|key| !key.check.is_verified())
    }
}

/// Refuses to disable the old key before the new one works (BC-12).
pub(super) fn refuse_unverified(rotation: &Rotation) -> Result<(), EngineError> {
    // `None` on the idle path, which has no new key.
    match new_key(rotation) {
        Some(key) if !key.check.is_verified() => Err(EngineError::NewKeyNotVerified {
            new_user: key.new_user.to_owned(),
            key_id: key.key_id.to_owned(),
            old_key_id: rotation.key_id.clone(),
        }),
        _ => Ok(()),
    }
}

/// The rotation's new key while its check still matters (from its
/// creation until the old key is disabled).
fn new_key(rotation: &Rotation) -> Option<Checked<'_>> {
    let Progress::MoveToNewUser(_) = &rotation.progress else {
        return None;
    };
    let prepared = move_step(rotation).prepared_before_disable()?;
    Some(Checked {
        new_user: &prepared.new_user.name,
        key_id: &prepared.new_key.key_id,
        check: &prepared.new_key.check,
    })
}

/// Whether the rotation is at a step where the new key can be checked.
pub(super) fn can_verify(rotation: &Rotation) -> bool {
    new_key(rotation).is_some()
}

/// The pasted secret without the blanks a paste brings along; refused
/// when nothing is left.
fn checked_paste(key_id: &str, pasted: &Secret) -> Result<Secret, EngineError> {
    let trimmed = pasted.expose().trim();
    if trimmed.is_empty() {
        return Err(wrong(key_id, "nothing was pasted".into()));
    }
    Ok(Secret::new(trimmed))
}

fn wrong(key_id: &str, what: String) -> EngineError {
    EngineError::WrongSecret {
        key_id: key_id.to_owned(),
        what,
    }
}

fn since(started: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    (now - started).to_std().unwrap_or_default()
}

fn not_yet_summary(key_id: &str, old_key_id: &str, options: &KeyCheckOptions) -> String {
    format!(
        "{key_id} was created but is not verified yet: it was still refused after {} s \
         (new keys take a while). {old_key_id} stays Active; verify the new key again later",
        options.cap.as_secs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_check_asks_every_three_seconds_for_two_minutes() {
        let options = KeyCheckOptions::default();
        assert_eq!(options.max_attempts(), 41);
        let tight = KeyCheckOptions {
            interval: Duration::from_secs(5),
            cap: Duration::from_secs(12),
        };
        assert_eq!(tight.max_attempts(), 4);
    }

    #[test]
    fn a_pasted_secret_loses_its_blanks_and_an_empty_one_is_refused() {
        let kept = checked_paste("K", &Secret::new("  abc\n")).unwrap();
        assert_eq!(kept.expose(), "abc");
        let error = checked_paste("K", &Secret::new(" \n")).unwrap_err();
        assert!(error.to_string().contains("nothing was pasted"), "{error}");
    }
}
