//! Reading the facts a rotation relies on, to show what was changed outside
//! ramkey ([`crate::rotation::drift`] compares). Reads only; a step that
//! would act on a drifted fact refuses with the drift named.

use super::{Engine, cloud, is_no_such_user};
use crate::cloud::CloudError;
use crate::cloud::model::KeyStatus;
use crate::rotation::drift::{Drift, NewUserObserved, Observed, compare};
use crate::rotation::error::EngineError;
use crate::state::{Progress, Rotation};

impl Engine {
    /// Changes made outside ramkey to `user`'s rotation in progress (none
    /// when it has no rotation in progress). Reads only.
    pub async fn drift(&self, user: &str) -> Result<Vec<Drift>, EngineError> {
        let Some(rotation) = self.store.document().open_rotation(user) else {
            return Ok(Vec::new());
        };
        self.drift_of(rotation)
            .await
            .map_err(|error| self.own_key_disabled(error, user))
    }

    pub(super) async fn drift_of(&self, rotation: &Rotation) -> Result<Vec<Drift>, EngineError> {
        let old_keys = self
            .client
            .list_access_keys(&rotation.user)
            .await
            .map_err(cloud(format!("listing the keys of {}", rotation.user)))?;
        let new_user = match new_user_name(rotation) {
            Some(name) => self.observe_new_user(name).await?,
            None => None,
        };
        Ok(compare(rotation, &Observed { old_keys, new_user }))
    }

    /// Refuses to disable or delete the old key while the new user or its
    /// key is gone or not Active: the old key is then the application's
    /// only way in. (Other steps notice drift in the reads they make anyway,
    /// see [`new_user_gone`].)
    pub(super) async fn refuse_retiring_without_fallback(
        &self,
        rotation: &Rotation,
    ) -> Result<(), EngineError> {
        let Progress::MoveToNewUser(step) = &rotation.progress else {
            return Ok(());
        };
        let (Some(name), Some(key_id)) = (step.new_user_name(), step.new_key_id()) else {
            return Ok(());
        };
        let keys = self
            .client
            .list_access_keys(name)
            .await
            .map_err(new_user_gone(name, format!("listing the keys of {name}")))?;
        let active = keys
            .iter()
            .any(|key| key.access_key_id == key_id && key.status == KeyStatus::Active);
        if active {
            return Ok(());
        }
        Err(EngineError::Drifted(Drift::NewKeyNotActive {
            user: name.to_owned(),
            key_id: key_id.to_owned(),
        }))
    }

    /// The new user's keys and grants; `None` when it does not exist.
    async fn observe_new_user(&self, name: &str) -> Result<Option<NewUserObserved>, EngineError> {
        if self.find_user(name).await?.is_none() {
            return Ok(None);
        }
        let keys = self
            .client
            .list_access_keys(name)
            .await
            .map_err(cloud(format!("listing the keys of {name}")))?;
        let permissions = self.permissions(name).await?;
        Ok(Some(NewUserObserved {
            keys,
            policies: permissions.policies,
            groups: permissions.groups,
        }))
    }
}

/// The new user's name once the rotation has created it.
fn new_user_name(rotation: &Rotation) -> Option<&str> {
    let Progress::MoveToNewUser(step) = &rotation.progress else {
        return None;
    };
    match **step {
        crate::state::steps::MoveStep::ChooseName
        | crate::state::steps::MoveStep::CreateUser { .. } => None,
        _ => step.new_user_name(),
    }
}

/// Wraps a failed read of the new user: "no such user" is the drift
/// [`Drift::NewUserGone`], anything else a plain cloud error.
pub(super) fn new_user_gone(name: &str, doing: String) -> impl FnOnce(CloudError) -> EngineError {
    move |source| {
        if is_no_such_user(&source) {
            EngineError::Drifted(Drift::NewUserGone {
                user: name.to_owned(),
            })
        } else {
            EngineError::Cloud { doing, source }
        }
    }
}

/// A failed step's read of the new user as drift, when the user is gone.
pub(super) fn or_new_user_gone(name: &str) -> impl FnOnce(EngineError) -> EngineError {
    move |error| match error {
        EngineError::Cloud { doing, source } => new_user_gone(name, doing)(source),
        other => other,
    }
}
