//! The refusal to rotate a user whose keys a KMS secret manages: read
//! afresh before a rotation starts, so a stale scan cannot let one through.
//! Disabling or deleting such a key by hand breaks the secret's version
//! chain and every application reading it.

use super::{Engine, cloud};
use crate::rotation::error::EngineError;
use crate::scan::kms_manager_of;

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
}
