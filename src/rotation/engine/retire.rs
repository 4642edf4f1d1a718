//! Retiring the old key: disable it, delete it once the wait is over and it
//! shows no use since, and (move path) detach the original user's policies
//! the admin picks. Never the key ramkey signs with.

use chrono::Duration;

use super::build::{describe, move_step};
use super::{Engine, Performed, cloud};
use crate::cloud::model::{AccessKey, KeyStatus};
use crate::rotation::action::PolicyRef;
use crate::rotation::error::EngineError;
use crate::rotation::step::Event;
use crate::scan::{Verdict, classify_key};
use crate::state::steps::{Disabled, GrantRecord, MoveStep};
use crate::state::{Progress, Rotation, StepRecord};

impl Engine {
    pub(super) async fn disable_key(
        &mut self,
        rotation: &Rotation,
    ) -> Result<Performed, EngineError> {
        let (user, key_id) = (&rotation.user, &rotation.key_id);
        self.refuse_own_key(key_id, "disabling")?;

        let key = self.current_key(user, key_id).await?;
        if matches!(rotation.progress, Progress::DisableIdle(_)) {
            self.check_still_idle(&key, user).await?;
        }

        let record = if key.status == KeyStatus::Inactive {
            StepRecord::found_done(self.now(), "already Inactive")
        } else {
            let written = self
                .client
                .update_access_key(user, key_id, KeyStatus::Inactive)
                .await
                .map_err(cloud(format!("disabling {key_id} of {user}")))?;
            StepRecord::written(self.now(), written.request_id)
        };
        let delete_after = record.at + Duration::days(i64::from(self.options.wait_days));
        let summary = format!(
            "Disabled {key_id} of {user}; it may be deleted from {}",
            delete_after.format("%Y-%m-%d %H:%M UTC")
        );
        let disabled = Disabled {
            record,
            delete_after,
        };
        self.commit(&rotation.id, Event::KeyDisabled(disabled), &summary)?;
        Ok(Performed::said(summary))
    }

    pub(super) async fn delete_key(
        &mut self,
        rotation: &Rotation,
    ) -> Result<Performed, EngineError> {
        let (user, key_id) = (&rotation.user, &rotation.key_id);
        self.refuse_own_key(key_id, "deleting")?;
        let deletion = rotation
            .progress
            .deletion()
            .expect("DeleteKey comes after the disable");
        if self.now() < deletion.delete_after {
            return Err(EngineError::NotDue {
                key_id: key_id.clone(),
                delete_after: deletion.delete_after,
            });
        }

        let record = match self.find_key(user, key_id).await? {
            None => StepRecord::found_done(self.now(), "already deleted"),
            Some(key) if key.status == KeyStatus::Active => {
                return Err(EngineError::KeyReEnabled {
                    key_id: key_id.clone(),
                });
            }
            Some(_) => {
                self.check_unused_since(user, key_id, deletion.disabled_at)
                    .await?;
                let written = self
                    .client
                    .delete_access_key(user, key_id)
                    .await
                    .map_err(cloud(format!("deleting {key_id} of {user}")))?;
                StepRecord::written(self.now(), written.request_id)
            }
        };
        let summary = format!("Deleted {key_id} of {user}");
        self.commit(&rotation.id, Event::KeyDeleted(record), &summary)?;
        Ok(Performed::said(summary))
    }

    pub(super) async fn detach_policies(
        &mut self,
        rotation: &Rotation,
        chosen: Vec<PolicyRef>,
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

        let mut request_ids: Vec<String> = detached
            .iter()
            .flat_map(|g| g.record.request_ids.clone())
            .collect();
        for policy in chosen.iter().filter(|p| !already.contains(&p.grant())) {
            let record = if is_attached(policy) {
                self.detach(user, policy).await?
            } else {
                StepRecord::found_done(self.now(), "already detached")
            };
            request_ids.extend(record.request_ids.clone());
            let grant = policy.grant();
            let done = format!("Detached {} from {user}", describe(&grant));
            self.commit(
                &rotation.id,
                Event::PolicyDetached(GrantRecord { grant, record }),
                &done,
            )?;
        }

        let summary = match chosen.len() {
            0 => format!("Finished: no policies detached from {user}"),
            n => format!("Finished: {n} policies detached from {user}"),
        };
        let record = StepRecord {
            request_ids,
            ..StepRecord::at(self.now())
        };
        self.commit(&rotation.id, Event::PoliciesReviewed(record), &summary)?;
        Ok(Performed::said(summary))
    }

    async fn detach(&self, user: &str, policy: &PolicyRef) -> Result<StepRecord, EngineError> {
        let written = self
            .client
            .detach_policy_from_user(user, policy.policy_type, &policy.policy_name)
            .await
            .map_err(cloud(format!(
                "detaching {} from {user}",
                describe(&policy.grant())
            )))?;
        Ok(StepRecord::written(self.now(), written.request_id))
    }

    /// ListAccessKeys, looking for one key.
    async fn find_key(&self, user: &str, key_id: &str) -> Result<Option<AccessKey>, EngineError> {
        let keys = self
            .client
            .list_access_keys(user)
            .await
            .map_err(cloud(format!("listing the keys of {user}")))?;
        Ok(keys.into_iter().find(|key| key.access_key_id == key_id))
    }

    async fn current_key(&self, user: &str, key_id: &str) -> Result<AccessKey, EngineError> {
        self.find_key(user, key_id)
            .await?
            .ok_or_else(|| EngineError::KeyNotFound {
                user: user.to_owned(),
                key_id: key_id.to_owned(),
            })
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
