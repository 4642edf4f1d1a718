//! Retiring the old key: disable it, delete it once the wait is over and it
//! shows no use since, and (move path) detach the original user's policies
//! the admin picks. Never the key ramkey signs with.

use chrono::{DateTime, Duration, Utc};

use super::build::{describe, move_step};
use super::{Confirmed, Engine, Performed, cloud};
use crate::cloud::model::{AccessKey, KeyStatus};
use crate::rotation::action::PolicyRef;
use crate::rotation::error::EngineError;
use crate::rotation::step::{Event, advance};
use crate::rotation::view::{CLOUD_CONFIG, RECYCLE_BIN};
use crate::scan::{Verdict, classify_key};
use crate::state::steps::{Disabled, GrantRecord, MoveStep};
use crate::state::{Progress, Rotation, StepRecord, WriteCall};

impl Engine {
    pub(super) async fn disable_key(
        &mut self,
        rotation: &Rotation,
        confirmed: Confirmed,
    ) -> Result<Performed, EngineError> {
        let (user, key_id) = (&rotation.user, &rotation.key_id);
        self.refuse_own_key(key_id, "disabling")?;
        self.refuse_retiring_without_fallback(rotation).await?;

        let Some(key) = self.find_key(user, key_id).await? else {
            return self.record_deleted_outside(rotation, confirmed);
        };
        // A KMS secret made since the start, or one the start could not see.
        self.refuse_retiring_kms_managed(user).await?;
        // The admin's typed word stands for the verdict; it is audited again.
        let confirmed = if let Some(word) = &rotation.not_idle_override {
            confirmed.noting(word.describe())
        } else {
            if matches!(rotation.progress, Progress::DisableIdle(_)) {
                self.check_still_idle(&key, user).await?;
            }
            confirmed
        };

        let summary = |record: &StepRecord| {
            let delete_after = delete_after(record, rotation.wait_days);
            format!(
                "Disabled {key_id} of {user}; it may be deleted from {}. {CLOUD_CONFIG}",
                delete_after.format("%Y-%m-%d %H:%M UTC")
            )
        };
        self.audit_confirmed(rotation, confirmed);
        if key.status == KeyStatus::Inactive {
            let record = StepRecord::found_done(self.now(), "already Inactive");
            let done = summary(&record);
            let event = Event::KeyDisabled(disabled(record, rotation.wait_days));
            self.commit(&rotation.id, event, &done)?;
            return Ok(Performed::said(done));
        }

        let call = WriteCall::UpdateAccessKey {
            user_name: user.clone(),
            access_key_id: key_id.clone(),
            status: KeyStatus::Inactive,
        };
        let journaled = self.write(rotation, call).await?;
        let record = journaled.made.record(self.now());
        let done = summary(&record);
        let event = Event::KeyDisabled(disabled(record, rotation.wait_days));
        self.commit_write(rotation, event, &done, &journaled)?;
        Ok(Performed::said(done))
    }

    pub(super) async fn delete_key(
        &mut self,
        rotation: &Rotation,
        confirmed: Confirmed,
    ) -> Result<Performed, EngineError> {
        let (user, key_id) = (&rotation.user, &rotation.key_id);
        self.refuse_own_key(key_id, "deleting")?;
        let deletion = rotation
            .progress
            .deletion()
            .expect("DeleteKey comes after the disable");
        // A key already gone needs no wait: the deletion is recorded as found.
        let Some(key) = self.find_key(user, key_id).await? else {
            return self.record_deleted_outside(rotation, confirmed);
        };
        if self.now() < deletion.delete_after {
            return Err(EngineError::NotDue {
                key_id: key_id.clone(),
                delete_after: deletion.delete_after,
            });
        }
        if key.status == KeyStatus::Active {
            return Err(EngineError::KeyReEnabled {
                key_id: key_id.clone(),
            });
        }

        self.refuse_retiring_kms_managed(user).await?;
        self.refuse_retiring_without_fallback(rotation).await?;
        self.check_unused_since(user, key_id, deletion.disabled_at)
            .await?;
        self.audit_confirmed(rotation, confirmed);
        let call = WriteCall::DeleteAccessKey {
            user_name: user.clone(),
            access_key_id: key_id.clone(),
        };
        let journaled = self.write(rotation, call).await?;
        let record = journaled.made.record(self.now());
        let summary = format!(
            "Deleted {key_id} of {user}. {RECYCLE_BIN} Cloud Config's rule for disabled \
             AccessKeys no longer flags it."
        );
        self.commit_write(rotation, Event::KeyDeleted(record), &summary, &journaled)?;
        Ok(Performed::said(summary))
    }

    /// The retired key is Active again or was used after its disable:
    /// disables it again when Active (journaled), and records a new
    /// disable whose deletion date counts from now. The earlier disable is
    /// kept in the audit log, with the confirmation.
    pub(super) async fn disable_again(
        &mut self,
        rotation: &Rotation,
        confirmed: Confirmed,
    ) -> Result<Performed, EngineError> {
        let (user, key_id) = (&rotation.user, &rotation.key_id);
        let deletion = rotation
            .progress
            .deletion()
            .expect("DeleteKey comes after the disable");
        let Some(key) = self.find_key(user, key_id).await? else {
            return self.record_deleted_outside(rotation, confirmed);
        };
        let active = key.status == KeyStatus::Active;
        let last_used = self.last_used(user, key_id).await?;
        let used_after = last_used.is_some_and(|at| at > deletion.disabled_at);
        if !active && !used_after {
            return Err(EngineError::NothingToDisableAgain {
                key_id: key_id.clone(),
            });
        }
        self.refuse_retiring_kms_managed(user).await?;
        self.refuse_retiring_without_fallback(rotation).await?;

        let why = if active {
            "it was Active again"
        } else {
            "it was used after the disable"
        };
        let earlier = format!(
            "{why}; replaces the disable of {} (deletion from {})",
            deletion.disabled_at.format("%Y-%m-%d %H:%M UTC"),
            deletion.delete_after.format("%Y-%m-%d %H:%M UTC"),
        );
        self.audit_confirmed(rotation, confirmed.noting(earlier));
        let summary = |record: &StepRecord| {
            format!(
                "Disabled {key_id} of {user} again ({why}); the waiting period starts again: \
                 it may be deleted from {}. {CLOUD_CONFIG}",
                delete_after(record, rotation.wait_days).format("%Y-%m-%d %H:%M UTC")
            )
        };
        if !active {
            let record =
                StepRecord::found_done(self.now(), "already Inactive; used after the disable");
            let done = summary(&record);
            let event = Event::KeyDisabledAgain(disabled(record, rotation.wait_days));
            self.commit(&rotation.id, event, &done)?;
            return Ok(Performed::said(done));
        }
        let call = WriteCall::UpdateAccessKey {
            user_name: user.clone(),
            access_key_id: key_id.clone(),
            status: KeyStatus::Inactive,
        };
        let journaled = self.write(rotation, call).await?;
        let record = journaled.made.record(self.now());
        let done = summary(&record);
        let event = Event::KeyDisabledAgain(disabled(record, rotation.wait_days));
        self.commit_write(rotation, event, &done, &journaled)?;
        Ok(Performed::said(done))
    }

    /// The retired key is gone (ListAccessKeys no longer shows it): it was
    /// deleted outside ramkey. On the admin's typed confirmation the steps
    /// it skipped (the disable, when still due, and the deletion) are
    /// recorded as found done, in one save, and the confirmation audited
    /// with what was found. Nothing is called.
    fn record_deleted_outside(
        &mut self,
        rotation: &Rotation,
        confirmed: Confirmed,
    ) -> Result<Performed, EngineError> {
        let (user, key_id) = (&rotation.user, &rotation.key_id);
        let now = self.now();
        let found = || StepRecord::found_done(now, DELETED_OUTSIDE);
        let mut events = Vec::new();
        if rotation.progress.deletion().is_none() {
            events.push(Event::KeyDisabled(Disabled {
                record: found(),
                // Nothing is left to wait for.
                delete_after: now,
            }));
        }
        events.push(Event::KeyDeleted(found()));

        let summary = format!(
            "Recorded {key_id} of {user} as deleted outside ramkey: ListAccessKeys no longer \
             shows it, so there was nothing to disable or delete. {RECYCLE_BIN}"
        );
        let progress = &mut self.rotation_mut(&rotation.id).progress;
        for event in events {
            *progress = advance(progress.clone(), event)?;
        }
        self.store
            .save()
            .map_err(|source| EngineError::NotRecorded {
                done: summary.clone(),
                source,
            })?;
        self.audit_confirmed(rotation, confirmed.noting(DELETED_OUTSIDE));
        Ok(Performed::said(summary))
    }

    pub(super) async fn detach_policies(
        &mut self,
        rotation: &Rotation,
        chosen: Vec<PolicyRef>,
        confirmed: Option<Confirmed>,
    ) -> Result<Performed, EngineError> {
        let MoveStep::ReviewPolicies { detached, .. } = move_step(rotation) else {
            unreachable!("checked to be the current step");
        };
        let user = &rotation.user;
        let already: Vec<_> = detached.iter().map(|g| g.grant.clone()).collect();
        let attached = self.permissions(user).await?.policies;
        let is_attached = |policy: &PolicyRef| {
            attached
                .iter()
                .any(|p| p.policy_name == policy.policy_name && p.policy_type == policy.policy_type)
        };
        for policy in &chosen {
            if !is_attached(policy) && !already.contains(&policy.grant()) {
                return Err(EngineError::NotAGrantOfUser {
                    user: user.clone(),
                    what: describe(&policy.grant()),
                });
            }
        }

        if let Some(confirmed) = confirmed {
            self.audit_confirmed(rotation, confirmed);
        }
        let mut request_ids: Vec<String> = detached
            .iter()
            .flat_map(|g| g.record.request_ids.clone())
            .collect();
        for policy in chosen.iter().filter(|p| !already.contains(&p.grant())) {
            let grant = policy.grant();
            let done = format!("Detached {} from {user}", describe(&grant));
            if !is_attached(policy) {
                let record = StepRecord::found_done(self.now(), "already detached");
                let event = Event::PolicyDetached(GrantRecord { grant, record });
                self.commit(&rotation.id, event, &done)?;
                continue;
            }
            let call = WriteCall::DetachPolicyFromUser {
                user_name: user.clone(),
                policy_name: policy.policy_name.clone(),
                policy_type: policy.policy_type,
            };
            let journaled = self.write(rotation, call).await?;
            let record = journaled.made.record(self.now());
            request_ids.extend(record.request_ids.clone());
            let event = Event::PolicyDetached(GrantRecord { grant, record });
            self.commit_write(rotation, event, &done, &journaled)?;
        }

        let summary = match chosen.len() {
            0 => format!("Finished: no policies detached from {user}"),
            1 => format!("Finished: 1 policy detached from {user}"),
            n => format!("Finished: {n} policies detached from {user}"),
        };
        let record = StepRecord {
            request_ids,
            ..StepRecord::at(self.now())
        };
        self.commit(&rotation.id, Event::PoliciesReviewed(record), &summary)?;
        Ok(Performed::said(summary))
    }

    /// `Some` once `policy` is no longer attached to `user`.
    pub(super) async fn policy_detached(
        &self,
        user: &str,
        policy: &PolicyRef,
    ) -> Result<Option<()>, EngineError> {
        let attached = self.permissions(user).await?.policies;
        let still = attached
            .iter()
            .any(|p| p.policy_name == policy.policy_name && p.policy_type == policy.policy_type);
        Ok((!still).then_some(()))
    }

    /// `Some` once `user` no longer holds `key_id`.
    pub(super) async fn key_deleted(
        &self,
        user: &str,
        key_id: &str,
    ) -> Result<Option<()>, EngineError> {
        Ok(self.find_key(user, key_id).await?.is_none().then_some(()))
    }

    /// ListAccessKeys, looking for one key.
    pub(super) async fn find_key(
        &self,
        user: &str,
        key_id: &str,
    ) -> Result<Option<AccessKey>, EngineError> {
        let keys = self
            .client
            .list_access_keys(user)
            .await
            .map_err(cloud(format!("listing the keys of {user}")))?;
        Ok(keys.into_iter().find(|key| key.access_key_id == key_id))
    }

    /// The evidence may have changed since the review: check again.
    async fn check_still_idle(&self, key: &AccessKey, user: &str) -> Result<(), EngineError> {
        if key.status == KeyStatus::Inactive {
            return Ok(());
        }
        let last_used = self.last_used(user, &key.access_key_id).await?;
        let assessment = classify_key(key, last_used, self.now(), self.options.idle_days);
        if assessment.verdict == Verdict::Idle {
            return Ok(());
        }
        Err(EngineError::KeyNotIdle {
            key_id: key.access_key_id.clone(),
            verdict: assessment.verdict,
            reason: assessment.reason,
        })
    }

    async fn check_unused_since(
        &self,
        user: &str,
        key_id: &str,
        disabled_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), EngineError> {
        match self.last_used(user, key_id).await? {
            Some(last_used) if last_used > disabled_at => Err(EngineError::UsedAfterDisable {
                key_id: key_id.to_owned(),
                last_used,
                disabled_at,
            }),
            _ => Ok(()),
        }
    }

    async fn last_used(
        &self,
        user: &str,
        key_id: &str,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, EngineError> {
        self.client
            .get_access_key_last_used(user, key_id)
            .await
            .map_err(cloud(format!("reading when {key_id} was last used")))
    }
}

/// The note of the steps recorded for a retired key found gone.
const DELETED_OUTSIDE: &str = "deleted outside ramkey: ListAccessKeys no longer shows the key; recorded on the admin's \
     typed confirmation";

/// The disable time plus the rotation's own waiting period.
fn delete_after(record: &StepRecord, wait_days: u32) -> DateTime<Utc> {
    record.at + Duration::days(i64::from(wait_days))
}

fn disabled(record: StepRecord, wait_days: u32) -> Disabled {
    Disabled {
        delete_after: delete_after(&record, wait_days),
        record,
    }
}
