//! Writes whose answer may be lost. The client hands back a write that ended
//! without a clear answer (timeout, reset, 5xx, a body that does not parse)
//! as ambiguous and never repeats it; here the engine looks (GetUser with
//! ramkey's mark, ListAccessKeys, the user's policies and groups) and then
//! either records what it found or makes the write once more.
//!
//! A key found this way has no secret (only CreateAccessKey's answer
//! carries it), so it is useless: [`Engine::replace_lost_key`] deletes it
//! and creates a new one, once the admin confirms.

use futures::FutureExt as _;
use futures::future::BoxFuture;

use super::build::move_step;
use super::{Engine, Performed, cloud};
use crate::cloud::CloudError;
use crate::cloud::model::Written;
use crate::rotation::action::Confirmation;
use crate::rotation::error::EngineError;
use crate::rotation::step::Event;
use crate::state::steps::MoveStep;
use crate::state::{Rotation, StepRecord};

/// How a write whose answer may have been lost ended.
pub(super) enum Settled<W, F> {
    /// The write was answered.
    Written(W),
    /// Its answer was lost, and looking found it done.
    Found(F),
}

impl Engine {
    /// Makes `write`; if it ends ambiguously, `look`s whether it took effect
    /// (`Some`: found done) and makes it once more only if not.
    ///
    /// Boxed futures rather than async closures: the engine's futures must
    /// be `Send` for the UI's worker task, which async closures cannot
    /// promise through a generic bound yet.
    pub(super) async fn settle<'a, W, F>(
        &self,
        doing: &str,
        write: impl Fn() -> BoxFuture<'a, Result<W, CloudError>> + Send,
        look: impl FnOnce() -> BoxFuture<'a, Result<Option<F>, EngineError>> + Send,
    ) -> Result<Settled<W, F>, EngineError> {
        match write().await {
            Ok(written) => return Ok(Settled::Written(written)),
            Err(error) if error.is_ambiguous() => {
                tracing::warn!(doing, %error, "looking whether the write took effect");
            }
            Err(error) => return Err(cloud(doing.to_owned())(error)),
        }
        if let Some(found) = look().await? {
            tracing::info!(doing, "the write had taken effect; recorded as found");
            return Ok(Settled::Found(found));
        }
        tracing::info!(doing, "the write had not taken effect; making it once more");
        write()
            .await
            .map(Settled::Written)
            .map_err(cloud(doing.to_owned()))
    }

    /// The step record of a settled write that answers only a RequestId.
    pub(super) fn record_of(&self, settled: Settled<Written<()>, ()>) -> StepRecord {
        match settled {
            Settled::Written(written) => StepRecord::written(self.now(), written.request_id),
            Settled::Found(()) => {
                StepRecord::found_done(self.now(), "its answer was lost; found done on looking")
            }
        }
    }

    /// Deletes the new user's keys ramkey has no secret for (the answer to
    /// their CreateAccessKey was lost), then creates its key afresh. The
    /// admin confirms by typing the new user's name.
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

        let lost = self.key_ids_of(&target).await?;
        let mut request_ids = Vec::new();
        for key_id in &lost {
            self.refuse_own_key(key_id, "deleting")?;
            let settled = self
                .settle(
                    &format!("deleting the lost key {key_id} of {target}"),
                    || self.client.delete_access_key(&target, key_id).boxed(),
                    || self.key_deleted(&target, key_id).boxed(),
                )
                .await?;
            request_ids.extend(self.record_of(settled).request_ids);
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
