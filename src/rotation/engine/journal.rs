//! The one way a write call leaves ramkey: its intent is saved durably and
//! audited first, then (test-only death point) the call is made, settled by
//! reading when its answer is lost, then (death point) handed back for the
//! step to commit, which clears the intent in the same save that records the
//! RequestId and audits the outcome.
//!
//! A definite refusal clears the intent at once (nothing changed). A call
//! whose outcome nobody can tell (no answer, and reading back failed too)
//! leaves the intent in place, so the next run settles it by reading.
//! Knows nothing of which step a call belongs to: callers turn what it made
//! into their step's event.
//!
//! The gate: sending needs an [`Armed`], which only [`Engine::arm`] makes,
//! and it refuses while the state file is read-only and in a dry run (the
//! call comes back as the [`PlannedCall`] it would have been, before any
//! intent is saved or audited). No other code calls the client's writes.

use crate::cloud::model::{NewAccessKey, RamUser};
use crate::cloud::{Client, CloudError};
use crate::death::{self, Stage};
use crate::rotation::error::EngineError;
use crate::rotation::marker;
use crate::rotation::step::Event;
use crate::state::{AuditEntry, AuditKind, AuditOutcome, Intent, Rotation, StepRecord, WriteCall};

use super::{Engine, cloud};
use crate::rotation::plan::PlannedCall;

/// Proof that a write may leave ramkey now (see [`Engine::arm`]).
pub(super) struct Armed(());

/// What a journaled write did.
pub(super) struct Journaled {
    /// The intent it was made under (its id ties the audit lines together).
    pub intent: Intent,
    /// How it ended.
    pub made: Made,
}

/// How a write that took effect ended.
pub(super) enum Made {
    /// The API answered success.
    Answered {
        /// Its `RequestId`.
        request_id: String,
        /// What it returned.
        returned: Returned,
    },
    /// Its answer was lost, and reading found the change made.
    Found(Found),
}

/// What an answered write returned.
pub(super) enum Returned {
    /// CreateUser's user.
    User(RamUser),
    /// CreateAccessKey's key, secret included (shown once, never stored).
    Key(NewAccessKey),
    /// Only a RequestId.
    Nothing,
}

/// What reading found of a write that took effect.
pub(super) enum Found {
    /// The user, carrying this rotation's mark.
    User(RamUser),
    /// Keys on the new user that ramkey has no record (and no secret) of.
    Keys(Vec<String>),
    /// The change is there (a grant, a key's status, a key gone).
    Done,
}

/// Why a journaled write did not take effect, or may not have.
enum Failure {
    /// Nothing changed: the intent is cleared.
    Refused(EngineError),
    /// Nobody can tell: the intent stays for the next run to settle.
    Unknown(EngineError),
}

impl Made {
    /// The step record: the RequestId, or a note that it was found done.
    pub fn record(&self, at: chrono::DateTime<chrono::Utc>) -> StepRecord {
        match self {
            Made::Answered { request_id, .. } => StepRecord::written(at, request_id.clone()),
            Made::Found(_) => {
                StepRecord::found_done(at, "its answer was lost; found done on reading back")
            }
        }
    }
}

impl Engine {
    /// Makes one write call of `rotation` under a saved intent.
    ///
    /// On success the intent is still set: the caller commits its event with
    /// [`Engine::commit_write`] (or [`Engine::close_intent`] when the write
    /// moves no step), which clears it in the same save.
    pub(super) async fn write(
        &mut self,
        rotation: &Rotation,
        call: WriteCall,
    ) -> Result<Journaled, EngineError> {
        let armed = self.arm(rotation, &call)?;
        let intent = self.record_intent(rotation, call)?;
        death::point(Stage::Before, intent.call.action());

        let result = self.make(&armed, rotation, &intent.call).await;
        death::point(Stage::After, intent.call.action());

        match result {
            Ok(made) => Ok(Journaled { intent, made }),
            Err(Failure::Refused(error)) => {
                self.drop_intent(rotation, &intent, &error);
                Err(error)
            }
            Err(Failure::Unknown(error)) => {
                let entry = self
                    .entry(rotation, AuditKind::Outcome, &intent)
                    .outcome(AuditOutcome::Unknown, Some(detail_of(&error)));
                self.audit_best_effort(&entry);
                Err(error)
            }
        }
    }

    /// The gate every write passes: refused while the state file is
    /// read-only, and in a dry run, where the refusal carries the exact call
    /// (nothing is saved, audited or sent).
    fn arm(&self, rotation: &Rotation, call: &WriteCall) -> Result<Armed, EngineError> {
        self.refuse_read_only()?;
        if self.dry_run {
            let planned = PlannedCall::of(rotation, call);
            tracing::info!(call = %planned, "dry run: not sent");
            return Err(EngineError::DryRun {
                calls: vec![planned],
            });
        }
        Ok(Armed(()))
    }

    /// Applies the step's `event` for a journaled write, clears its intent
    /// in the same save, then audits the outcome.
    pub(super) fn commit_write(
        &mut self,
        rotation: &Rotation,
        event: Event,
        done: &str,
        journaled: &Journaled,
    ) -> Result<(), EngineError> {
        self.pending_mut(&rotation.id).take();
        self.commit(&rotation.id, event, done)?;
        self.audit_outcome(rotation, journaled, None);
        Ok(())
    }

    /// Clears the intent of a journaled write that moves no step (a lost
    /// key deleted, a key found without its secret), and audits it.
    pub(super) fn close_intent(
        &mut self,
        rotation: &Rotation,
        journaled: &Journaled,
        detail: Option<String>,
    ) -> Result<(), EngineError> {
        self.pending_mut(&rotation.id).take();
        self.store
            .save()
            .map_err(|source| EngineError::NotRecorded {
                done: format!("{} done", journaled.intent.call.action()),
                source,
            })?;
        self.audit_outcome(rotation, journaled, detail);
        Ok(())
    }

    /// Appends one line to the audit log beside the state file.
    pub(super) fn audit(&mut self, entry: &AuditEntry) -> Result<(), EngineError> {
        self.store.audit(entry).map_err(EngineError::from)
    }

    /// Audits a line whose loss must not undo what was already done: the
    /// failure is logged instead.
    pub(super) fn audit_best_effort(&mut self, entry: &AuditEntry) {
        if let Err(error) = self.audit(entry) {
            tracing::warn!(%error, action = entry.action, "audit line not written");
        }
    }

    /// An audit line of `rotation` about `intent`.
    pub(super) fn entry(
        &self,
        rotation: &Rotation,
        kind: AuditKind,
        intent: &Intent,
    ) -> AuditEntry {
        AuditEntry {
            kind,
            ..AuditEntry::intent(
                self.now(),
                &rotation.id,
                &rotation.user,
                &intent.id,
                &intent.call,
            )
        }
    }

    /// The rotation's intent slot in the document.
    pub(super) fn pending_mut(&mut self, rotation_id: &str) -> &mut Option<Intent> {
        &mut self.rotation_mut(rotation_id).pending
    }

    /// Saves and audits the intent; refuses the write if either fails.
    fn record_intent(
        &mut self,
        rotation: &Rotation,
        call: WriteCall,
    ) -> Result<Intent, EngineError> {
        let intent = Intent {
            id: new_intent_id(),
            call,
            at: self.now(),
        };
        *self.pending_mut(&rotation.id) = Some(intent.clone());
        if let Err(error) = self.store.save() {
            self.pending_mut(&rotation.id).take();
            return Err(error.into());
        }
        let entry = self.entry(rotation, AuditKind::Intent, &intent);
        if let Err(error) = self.audit(&entry) {
            // Without its audit line the write is not made at all.
            self.pending_mut(&rotation.id).take();
            let _ = self.store.save();
            return Err(error);
        }
        Ok(intent)
    }

    /// The call, and if its answer is lost, reading whether it took effect;
    /// made once more only when reading shows it did not.
    async fn make(
        &self,
        armed: &Armed,
        rotation: &Rotation,
        call: &WriteCall,
    ) -> Result<Made, Failure> {
        let doing = doing(call);
        match send(armed, &self.client, rotation, call).await {
            Ok(made) => return Ok(made),
            Err(error) if error.is_ambiguous() => {
                tracing::warn!(doing, %error, "looking whether the write took effect");
            }
            Err(error) => return Err(Failure::Refused(cloud(doing)(error))),
        }

        match self.look(rotation, call).await {
            Ok(Some(found)) => {
                tracing::info!(doing, "the write had taken effect; recorded as found");
                return Ok(Made::Found(found));
            }
            Ok(None) => {}
            Err(error @ EngineError::Cloud { .. }) => return Err(Failure::Unknown(error)),
            Err(error) => return Err(Failure::Refused(error)),
        }

        tracing::info!(doing, "the write had not taken effect; making it once more");
        send(armed, &self.client, rotation, call)
            .await
            .map_err(|error| {
                let ambiguous = error.is_ambiguous();
                let error = cloud(doing)(error);
                if ambiguous {
                    Failure::Unknown(error)
                } else {
                    Failure::Refused(error)
                }
            })
    }

    /// A refused write changed nothing: its intent goes, with a `failed` line.
    fn drop_intent(&mut self, rotation: &Rotation, intent: &Intent, error: &EngineError) {
        self.pending_mut(&rotation.id).take();
        if let Err(save) = self.store.save() {
            tracing::warn!(%save, "the refused write's intent stays until the next save");
        }
        let entry = self
            .entry(rotation, AuditKind::Outcome, intent)
            .outcome(AuditOutcome::Failed, Some(detail_of(error)));
        self.audit_best_effort(&entry);
    }

    fn audit_outcome(
        &mut self,
        rotation: &Rotation,
        journaled: &Journaled,
        detail: Option<String>,
    ) {
        let entry = self.entry(rotation, AuditKind::Outcome, &journaled.intent);
        let entry = match &journaled.made {
            Made::Answered { request_id, .. } => AuditEntry {
                request_id: Some(request_id.clone()),
                ..entry.outcome(AuditOutcome::Done, detail)
            },
            Made::Found(_) => entry.outcome(
                AuditOutcome::FoundDone,
                detail.or_else(|| Some("its answer was lost; found done on reading back".into())),
            ),
        };
        self.audit_best_effort(&entry);
    }
}

/// Small builders for audit lines.
pub(super) trait EntryExt {
    /// With its outcome and detail.
    fn outcome(self, outcome: AuditOutcome, detail: Option<String>) -> Self;
}

impl EntryExt for AuditEntry {
    fn outcome(self, outcome: AuditOutcome, detail: Option<String>) -> Self {
        AuditEntry {
            outcome: Some(outcome),
            detail,
            ..self
        }
    }
}

/// Sends `call` once; only with the gate's [`Armed`].
async fn send(
    _armed: &Armed,
    client: &Client,
    rotation: &Rotation,
    call: &WriteCall,
) -> Result<Made, CloudError> {
    let answered = |request_id: String, returned| Made::Answered {
        request_id,
        returned,
    };
    let nothing =
        |written: crate::cloud::model::Written<()>| answered(written.request_id, Returned::Nothing);
    Ok(match call {
        WriteCall::CreateUser { user_name } => {
            let comments = marker::comments(&rotation.user, &rotation.id);
            let written = client.create_user(user_name, None, Some(&comments)).await?;
            answered(written.request_id, Returned::User(written.value))
        }
        WriteCall::AttachPolicyToUser {
            user_name,
            policy_name,
            policy_type,
        } => nothing(
            client
                .attach_policy_to_user(user_name, *policy_type, policy_name)
                .await?,
        ),
        WriteCall::AddUserToGroup {
            user_name,
            group_name,
        } => nothing(client.add_user_to_group(user_name, group_name).await?),
        WriteCall::CreateAccessKey { user_name } => {
            let written = client.create_access_key(user_name).await?;
            answered(written.request_id, Returned::Key(written.value))
        }
        WriteCall::UpdateAccessKey {
            user_name,
            access_key_id,
            status,
        } => nothing(
            client
                .update_access_key(user_name, access_key_id, *status)
                .await?,
        ),
        WriteCall::DeleteAccessKey {
            user_name,
            access_key_id,
        } => nothing(client.delete_access_key(user_name, access_key_id).await?),
        WriteCall::DetachPolicyFromUser {
            user_name,
            policy_name,
            policy_type,
        } => nothing(
            client
                .detach_policy_from_user(user_name, *policy_type, policy_name)
                .await?,
        ),
    })
}

/// `CreateUser for user app-v2`, for error messages and logs.
pub(super) fn doing(call: &WriteCall) -> String {
    format!("{} for {}", call.action(), call.target())
}

/// The audit detail of a failure: the API's code and message when it
/// answered, else what went wrong. Never a secret: API messages carry none,
/// and ramkey's errors are built to print none.
fn detail_of(error: &EngineError) -> String {
    match error.cloud().and_then(CloudError::api) {
        Some(api) => format!("{}: {}", api.code, api.message),
        None => error.to_string(),
    }
}

/// Twelve hex digits, unique enough within one account's audit log.
fn new_intent_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}
