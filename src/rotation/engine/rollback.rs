//! The rollback: while the retired key waits for deletion, an application
//! that broke after the disable can have it back in one confirmed step
//! (UpdateAccessKey Active). The rotation goes back to the step before the
//! disable, keeping what was done before it, and records the rollback with
//! the admin's reason.

use super::{Confirmed, Engine, Performed};
use crate::cloud::model::KeyStatus;
use crate::rotation::drift::Drift;
use crate::rotation::error::EngineError;
use crate::rotation::step::Event;
use crate::state::{Rollback, Rotation, StepRecord, WriteCall};

impl Engine {
    pub(super) async fn re_enable_key(
        &mut self,
        rotation: &Rotation,
        reason: Option<String>,
        confirmed: Confirmed,
    ) -> Result<Performed, EngineError> {
        let (user, key_id) = (&rotation.user, &rotation.key_id);
        let key = self.find_key(user, key_id).await?.ok_or_else(|| {
            EngineError::Drifted(Drift::RetiredKeyGone {
                user: user.clone(),
                key_id: key_id.clone(),
            })
        })?;
        self.audit_confirmed(rotation, confirmed);

        let back_to = "the rotation is back before the disable; disable it again once the \
                       application is fixed";
        if key.status == KeyStatus::Active {
            let record =
                StepRecord::found_done(self.now(), "already Active (re-enabled outside ramkey)");
            let summary = format!("{key_id} of {user} was already Active; {back_to}");
            self.record_rollback(rotation, record, reason, &summary)?;
            return Ok(Performed::said(summary));
        }

        let call = WriteCall::UpdateAccessKey {
            user_name: user.clone(),
            access_key_id: key_id.clone(),
            status: KeyStatus::Active,
        };
        let journaled = self.write(rotation, call).await?;
        let record = journaled.made.record(self.now());
        let summary = format!("Re-enabled {key_id} of {user}; {back_to}");
        self.rotation_mut(&rotation.id).rollbacks.push(Rollback {
            record: record.clone(),
            reason,
        });
        self.commit_write(rotation, Event::KeyReEnabled(record), &summary, &journaled)?;
        Ok(Performed::said(summary))
    }

    fn record_rollback(
        &mut self,
        rotation: &Rotation,
        record: StepRecord,
        reason: Option<String>,
        summary: &str,
    ) -> Result<(), EngineError> {
        self.rotation_mut(&rotation.id).rollbacks.push(Rollback {
            record: record.clone(),
            reason,
        });
        self.commit(&rotation.id, Event::KeyReEnabled(record), summary)
    }
}
