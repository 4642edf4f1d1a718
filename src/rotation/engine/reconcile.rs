//! Settling a write whose outcome ramkey does not know, by reading only:
//! GetUser and ramkey's mark for CreateUser (a user of that name that is not
//! this rotation's is never adopted), ListAccessKeys for keys, the user's
//! policies and groups for grants. Never by calling the write again.
//!
//! Used twice: by the journal when a write's answer is lost, and for an
//! intent left by an earlier run (the process died, or the network failed
//! twice) before every step and from [`Engine::reconcile`]. Found done, the
//! step's event is committed with a `found_done` record; not made, the
//! intent is cleared; either way a `settled` line is audited.

use chrono::{DateTime, Duration, Utc};

use super::build::{move_step, unrecorded_keys};
use super::journal::{EntryExt as _, Found};
use super::{Engine, cloud};
use crate::cloud::model::KeyStatus;
use crate::rotation::action::PolicyRef;
use crate::rotation::error::EngineError;
use crate::rotation::step::Event;
use crate::rotation::view::describe_intent;
use crate::state::steps::{Disabled, Grant, GrantRecord, MoveStep};
use crate::state::{AuditKind, AuditOutcome, Intent, Rollback, Rotation, StepRecord, WriteCall};

/// The note of a step settled after an interrupted run.
const SETTLED: &str = "settled after an interrupted run: found done by reading";

impl Engine {
    /// Settles `user`'s left-over intent, if it has one: `Some` says what
    /// was found, `None` means there was nothing to settle.
    ///
    /// Reads only; the state file records the finding. A read that fails
    /// leaves the intent for next time.
    pub async fn reconcile(&mut self, user: &str) -> Result<Option<String>, EngineError> {
        let Some(rotation) = self.store.document().open_rotation(user).cloned() else {
            return Ok(None);
        };
        let Some(intent) = rotation.pending.clone() else {
            return Ok(None);
        };
        self.refuse_read_only()?;
        let settled = self.settle_intent(&rotation, &intent).await;
        settled
            .map(Some)
            .map_err(|error| self.own_key_disabled(error, user))
    }

    /// [`Engine::reconcile`] for every open rotation with an intent.
    pub async fn reconcile_all(&mut self) -> Vec<(String, Result<Option<String>, EngineError>)> {
        let users: Vec<String> = self
            .store
            .document()
            .rotations
            .iter()
            .filter(|rotation| rotation.pending.is_some() && !rotation.progress.is_complete())
            .map(|rotation| rotation.user.clone())
            .collect();
        let mut settled = Vec::new();
        for user in users {
            let result = self.reconcile(&user).await;
            settled.push((user, result));
        }
        settled
    }

    /// Reads whether `call` took effect: `Some` when it did.
    pub(super) async fn look(
        &self,
        rotation: &Rotation,
        call: &WriteCall,
    ) -> Result<Option<Found>, EngineError> {
        Ok(match call {
            WriteCall::CreateUser { user_name } => self
                .find_own_user(user_name, rotation)
                .await?
                .map(Found::User),
            WriteCall::AttachPolicyToUser {
                user_name,
                policy_name,
                policy_type,
            } => {
                let grant = Grant::Policy {
                    policy_name: policy_name.clone(),
                    policy_type: *policy_type,
                };
                self.granted(user_name, &grant).await?.map(|()| Found::Done)
            }
            WriteCall::AddUserToGroup {
                user_name,
                group_name,
            } => {
                let grant = Grant::Group {
                    group_name: group_name.clone(),
                };
                self.granted(user_name, &grant).await?.map(|()| Found::Done)
            }
            WriteCall::CreateAccessKey { user_name } => {
                let keys = unrecorded_keys(rotation, self.key_ids_of(user_name).await?);
                Some(keys).filter(|keys| !keys.is_empty()).map(Found::Keys)
            }
            WriteCall::UpdateAccessKey {
                user_name,
                access_key_id,
                status,
            } => self
                .key_has_status(user_name, access_key_id, *status)
                .await?
                .then_some(Found::Done),
            WriteCall::DeleteAccessKey {
                user_name,
                access_key_id,
            } => self
                .key_deleted(user_name, access_key_id)
                .await?
                .map(|()| Found::Done),
            WriteCall::DetachPolicyFromUser {
                user_name,
                policy_name,
                policy_type,
            } => {
                let policy = PolicyRef {
                    policy_name: policy_name.clone(),
                    policy_type: *policy_type,
                };
                self.policy_detached(user_name, &policy)
                    .await?
                    .map(|()| Found::Done)
            }
        })
    }

    async fn settle_intent(
        &mut self,
        rotation: &Rotation,
        intent: &Intent,
    ) -> Result<String, EngineError> {
        let what = describe_intent(intent);
        match self.look(rotation, &intent.call).await {
            Ok(Some(found)) => self.settle_found(rotation, intent, found),
            Ok(None) => {
                let summary = format!(
                    "{} of an earlier run was not made; the step will make it when you run it",
                    intent.call.action()
                );
                self.settle_not_made(rotation, intent, &summary)?;
                Ok(summary)
            }
            // Someone else's user of the name: ours was never made.
            Err(EngineError::NameTaken { name }) => {
                let summary = format!(
                    "CreateUser of an earlier run was not made: a user named {name} exists that \
                     this rotation did not create; choose another name"
                );
                self.settle_not_made(rotation, intent, &summary)?;
                Ok(summary)
            }
            Err(error) => {
                tracing::warn!(%error, what, "cannot settle the intent yet");
                Err(error)
            }
        }
    }

    /// The intent's change is there: commit its step (if it moves one).
    fn settle_found(
        &mut self,
        rotation: &Rotation,
        intent: &Intent,
        found: Found,
    ) -> Result<String, EngineError> {
        let now = self.now();
        let (event, summary) = found_event(rotation, intent, found, now);
        self.pending_mut(&rotation.id).take();
        match event {
            Some(Settlement::Step(event)) => self.commit(&rotation.id, event, &summary)?,
            Some(Settlement::Rollback(record)) => {
                self.rotation_mut(&rotation.id).rollbacks.push(Rollback {
                    record: record.clone(),
                    reason: None,
                });
                self.commit(&rotation.id, Event::KeyReEnabled(record), &summary)?;
            }
            None => self.save_settlement(&summary)?,
        }
        let entry = self
            .entry(rotation, AuditKind::Settled, intent)
            .outcome(AuditOutcome::FoundDone, Some(summary.clone()));
        self.audit_best_effort(&entry);
        Ok(summary)
    }

    fn settle_not_made(
        &mut self,
        rotation: &Rotation,
        intent: &Intent,
        summary: &str,
    ) -> Result<(), EngineError> {
        self.pending_mut(&rotation.id).take();
        self.save_settlement(summary)?;
        let entry = self
            .entry(rotation, AuditKind::Settled, intent)
            .outcome(AuditOutcome::NotMade, Some(summary.to_owned()));
        self.audit_best_effort(&entry);
        Ok(())
    }

    fn save_settlement(&mut self, summary: &str) -> Result<(), EngineError> {
        self.store
            .save()
            .map_err(|source| EngineError::NotRecorded {
                done: summary.to_owned(),
                source,
            })
    }

    /// Whether `key_id` of `user` exists with `status`.
    async fn key_has_status(
        &self,
        user: &str,
        key_id: &str,
        status: KeyStatus,
    ) -> Result<bool, EngineError> {
        let keys = self
            .client
            .list_access_keys(user)
            .await
            .map_err(cloud(format!("listing the keys of {user}")))?;
        Ok(keys
            .iter()
            .any(|key| key.access_key_id == key_id && key.status == status))
    }
}

/// What a found-done intent records.
enum Settlement {
    /// The step's event.
    Step(Event),
    /// The retired key re-enabled: a rollback.
    Rollback(StepRecord),
}

/// The event (if any) of an intent found done, and what to tell the admin.
fn found_event(
    rotation: &Rotation,
    intent: &Intent,
    found: Found,
    now: DateTime<Utc>,
) -> (Option<Settlement>, String) {
    let summary = match (&intent.call, &found) {
        (WriteCall::CreateAccessKey { user_name }, Found::Keys(key_ids)) => format!(
            "CreateAccessKey of an earlier run made {} for {user_name}, but its secret was lost \
             with that run: replace the lost key (typing {user_name})",
            key_ids.join(", ")
        ),
        (WriteCall::DeleteAccessKey { access_key_id, .. }, _)
            if *access_key_id != rotation.key_id =>
        {
            format!("the lost key {access_key_id} was found deleted by an earlier run")
        }
        (call, _) => format!(
            "{} of an earlier run was found made; recorded",
            call.action()
        ),
    };
    let record = StepRecord::found_done(now, SETTLED);
    (
        settlement(rotation, &intent.call, found, record, now),
        summary,
    )
}

/// What the rotation records of a call found made.
fn settlement(
    rotation: &Rotation,
    call: &WriteCall,
    found: Found,
    record: StepRecord,
    now: DateTime<Utc>,
) -> Option<Settlement> {
    let step = |event| Some(Settlement::Step(event));
    match (call, found) {
        (WriteCall::CreateUser { .. }, Found::User(user)) => {
            let user_id = Some(user.user_id).filter(|id| !id.is_empty());
            step(Event::UserCreated { user_id, record })
        }
        (
            WriteCall::AttachPolicyToUser { .. }
            | WriteCall::AddUserToGroup { .. }
            | WriteCall::DetachPolicyFromUser { .. },
            _,
        ) => grant_settlement(rotation, call, record),
        (
            WriteCall::UpdateAccessKey {
                status: KeyStatus::Inactive,
                ..
            },
            _,
        ) => {
            // The disable happened at most now: counting the wait from now
            // never deletes early.
            let delete_after = now + Duration::days(i64::from(rotation.wait_days));
            let disabled = Disabled {
                record,
                delete_after,
            };
            // Waiting already: this was a "disable again".
            if rotation.progress.deletion().is_some() {
                step(Event::KeyDisabledAgain(disabled))
            } else {
                step(Event::KeyDisabled(disabled))
            }
        }
        (
            WriteCall::UpdateAccessKey {
                status: KeyStatus::Active,
                ..
            },
            _,
        ) => Some(Settlement::Rollback(record)),
        (WriteCall::DeleteAccessKey { access_key_id, .. }, _)
            if *access_key_id == rotation.key_id =>
        {
            step(Event::KeyDeleted(record))
        }
        (WriteCall::CreateAccessKey { .. }, Found::Keys(key_ids)) => {
            step(super::build::found_without_secret(&key_ids, now))
        }
        // A lost key deleted: no step moves.
        _ => None,
    }
}

/// A grant copied, or a policy detached, unless already on record.
fn grant_settlement(
    rotation: &Rotation,
    call: &WriteCall,
    record: StepRecord,
) -> Option<Settlement> {
    let grant = grant_of(call)?;
    let event = if matches!(call, WriteCall::DetachPolicyFromUser { .. }) {
        (!already_detached(rotation, &grant))
            .then_some(Event::PolicyDetached(GrantRecord { grant, record }))
    } else {
        (!already_copied(rotation, &grant))
            .then_some(Event::GrantCopied(GrantRecord { grant, record }))
    };
    event.map(Settlement::Step)
}

/// The grant an attach, group or detach call makes or removes.
fn grant_of(call: &WriteCall) -> Option<Grant> {
    match call {
        WriteCall::AttachPolicyToUser {
            policy_name,
            policy_type,
            ..
        }
        | WriteCall::DetachPolicyFromUser {
            policy_name,
            policy_type,
            ..
        } => Some(Grant::Policy {
            policy_name: policy_name.clone(),
            policy_type: *policy_type,
        }),
        WriteCall::AddUserToGroup { group_name, .. } => Some(Grant::Group {
            group_name: group_name.clone(),
        }),
        _ => None,
    }
}

fn already_detached(rotation: &Rotation, grant: &Grant) -> bool {
    match move_step(rotation) {
        MoveStep::ReviewPolicies { detached, .. } => detached.iter().any(|g| &g.grant == grant),
        _ => true,
    }
}

fn already_copied(rotation: &Rotation, grant: &Grant) -> bool {
    match move_step(rotation) {
        MoveStep::CopyPermissions { copied, .. } => copied.iter().any(|g| &g.grant == grant),
        _ => true,
    }
}
