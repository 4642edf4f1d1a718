//! The way out when the new key's secret is lost: a key found by reading
//! (its CreateAccessKey answer was lost, or the run died before showing it)
//! has no secret, because only that answer carries it. It is useless and a
//! liability, so once the admin confirms (typing the new user's name) it is
//! deleted and a fresh key created. ramkey never leaves such a key silently.

use super::build::move_step;
use super::drift::or_new_user_gone;
use super::{Engine, Performed, cloud};
use crate::rotation::action::Confirmation;
use crate::rotation::error::EngineError;
use crate::rotation::step::Event;
use crate::state::steps::MoveStep;
use crate::state::{Rotation, StepRecord, WriteCall};

impl Engine {
    /// Deletes the new user's keys ramkey has no secret for, then creates
    /// its key afresh. The admin confirms by typing the new user's name.
    pub(super) async fn replace_lost_key(
        &mut self,
        rotation: &Rotation,
        confirmation: &Confirmation,
    ) -> Result<Performed, EngineError> {
        let MoveStep::CreateKey { new_user, .. } = move_step(rotation) else {
            unreachable!("checked to be the current step");
        };
        let target = new_user.name.clone();
        if !confirmation.confirms(&target) {
            return Err(EngineError::ConfirmationMismatch { user: target });
        }
        let lost = self
            .key_ids_of(&target)
            .await
            .map_err(or_new_user_gone(&target))?;
        for key_id in &lost {
            self.refuse_own_key(key_id, "deleting")?;
        }
        self.audit_confirmation(rotation, "replace_lost_key", &target, None);

        let mut request_ids = Vec::new();
        for key_id in &lost {
            let call = WriteCall::DeleteAccessKey {
                user_name: target.clone(),
                access_key_id: key_id.clone(),
            };
            let journaled = self.write(rotation, call).await?;
            request_ids.extend(journaled.made.record(self.now()).request_ids);
            let detail = format!("deleted the lost key {key_id} of {target}");
            self.close_intent(rotation, &journaled, Some(detail))?;
        }

        let mut performed = self.create_key_after(rotation, request_ids).await?;
        if !lost.is_empty() {
            performed.summary = format!(
                "Deleted the lost key {} of {target}. {}",
                lost.join(", "),
                performed.summary
            );
        }
        Ok(performed)
    }

    /// The admin lost the new key's secret before storing it: records the
    /// key as lost (back at the CreateKey step, saved), then replaces it as
    /// [`Engine::replace_lost_key`] does. The confirmation is checked
    /// before anything is recorded; if the replacement fails, the rotation
    /// waits at CreateKey, whose look-first finds the lost key again.
    pub(super) async fn secret_not_stored(
        &mut self,
        rotation: &Rotation,
        confirmation: &Confirmation,
    ) -> Result<Performed, EngineError> {
        let MoveStep::ConfirmSecretStored { prepared } = move_step(rotation) else {
            unreachable!("checked to be the current step");
        };
        let target = prepared.new_user.name.clone();
        if !confirmation.confirms(&target) {
            return Err(EngineError::ConfirmationMismatch { user: target });
        }
        let lost = prepared.new_key.key_id.clone();
        let summary = format!("Recorded the secret of {lost} as lost");
        self.audit_confirmation(rotation, "secret_not_stored", &target, None);
        self.commit(
            &rotation.id,
            Event::SecretLost(StepRecord::at(self.now())),
            &summary,
        )?;
        let rotation = self.open_rotation(&rotation.user)?;
        self.replace_lost_key(&rotation, confirmation).await
    }

    /// The AccessKey IDs `user` holds now.
    pub(super) async fn key_ids_of(&self, user: &str) -> Result<Vec<String>, EngineError> {
        let keys = self
            .client
            .list_access_keys(user)
            .await
            .map_err(cloud(format!("listing the keys of {user}")))?;
        Ok(keys.into_iter().map(|key| key.access_key_id).collect())
    }
}
