//! The refusal to rotate a user whose keys a KMS secret manages: read
//! afresh before a rotation starts and again before its old key is disabled
//! or deleted, so neither a stale scan nor a secret made since the start can
//! let one through. Disabling or deleting such a key by hand breaks the
//! secret's version chain and every application reading it.
//!
//! At the start a region where KMS refuses to answer is passed over (the
//! scan's note has told the admin that managed users could not be
//! recognised). Before a disable or delete it is not: the key is left as it
//! is (`EngineError::KmsUnknown`) until KMS answers or the region is left
//! out, because a wrong guess there breaks production.

use super::{Engine, cloud};
use crate::rotation::error::EngineError;
use crate::scan::{KmsManager, kms_look_for_manager, kms_manager_of};

impl Engine {
    /// Refuses when a KMS secret in the configured regions manages `user`'s
    /// keys. Where KMS refuses to say, the scan's note has told the admin
    /// that managed users could not be recognised.
    pub(super) async fn refuse_kms_managed(&self, user: &str) -> Result<(), EngineError> {
        let doing = || format!("looking for a KMS secret managing the keys of {user}");
        let managed = kms_manager_of(&self.client, &self.kms, user)
            .await
            .map_err(cloud(doing()))?;
        match managed {
            Some(by) => Err(EngineError::KmsManaged {
                user: user.to_owned(),
                secret: by.secret,
                region: by.region,
            }),
            None => Ok(()),
        }
    }

    /// Refuses before the old key of `user` is disabled or deleted: when a
    /// KMS secret manages it, and when KMS refuses to say in any configured
    /// region. Reads only; nothing is recorded, so the step stays pending.
    pub(super) async fn refuse_retiring_kms_managed(&self, user: &str) -> Result<(), EngineError> {
        let doing = || format!("looking for a KMS secret managing the keys of {user}");
        let manager = kms_look_for_manager(&self.client, &self.kms, user)
            .await
            .map_err(cloud(doing()))?;
        match manager {
            KmsManager::Secret(by) => Err(EngineError::KmsManaged {
                user: user.to_owned(),
                secret: by.secret,
                region: by.region,
            }),
            KmsManager::Unknown { region, code } => Err(EngineError::KmsUnknown {
                user: user.to_owned(),
                region,
                code,
            }),
            KmsManager::NoSecret => Ok(()),
        }
    }
}
