//! The journal's engine calls, as the bridge uses them: settling an earlier
//! run's write by reading, changes made outside ramkey, read-only files and
//! the rollback.
//!
//! TODO: stand-ins until the `journal` branch publishes `Engine::reconcile`,
//! `reconcile_all`, `drift`, `read_only`, `Action::ReEnableKey` and the new
//! `RotationView` fields; then each body calls the engine and this file is
//! the only one that changes. Until then nothing is settled, no drift is
//! found, no file is read-only and a rollback is refused.
//! Depends on [`crate::rotation`] only.

#![allow(
    clippy::unused_async,
    reason = "stand-ins for the engine's async calls, awaited the same way"
)]

use crate::rotation::{self, Confirmation, Engine, EngineError, Outcome};

/// A change made outside ramkey, in the engine's words.
pub struct Found {
    /// `Drift::describe`.
    pub what: String,
    /// `Drift::advice`.
    pub advice: String,
}

/// Settles every write intent an earlier run left, by reading.
pub async fn reconcile_all(
    _engine: &mut Engine,
) -> Vec<(String, Result<Option<String>, EngineError>)> {
    Vec::new()
}

/// Settles `user`'s write intent left by an earlier run, by reading.
pub async fn reconcile(_engine: &mut Engine, _user: &str) -> Result<Option<String>, EngineError> {
    Ok(None)
}

/// Changes made outside ramkey to `user`'s rotation (reads only).
pub async fn drift(_engine: &Engine, _user: &str) -> Result<Vec<Found>, EngineError> {
    Ok(Vec::new())
}

/// Why nothing may be written, when the state file is of a newer schema.
pub fn read_only(_engine: &Engine) -> Option<String> {
    None
}

/// Re-enables the disabled old key of `user`'s rotation.
pub async fn re_enable_key(
    _engine: &mut Engine,
    user: &str,
    _confirmation: Confirmation,
    _reason: Option<String>,
) -> Result<Outcome, EngineError> {
    Err(EngineError::WrongStep {
        user: user.to_owned(),
        current: None,
        action: "re-enable the old key (this build's engine cannot yet)",
    })
}

/// The write call in flight, the wait and the rollbacks of a rotation.
pub fn pending(_plan: &rotation::RotationView) -> Option<String> {
    None
}

/// Days between the disable and the deletion, for this rotation.
pub fn wait_days(_plan: &rotation::RotationView, engine: &Engine) -> u32 {
    engine.options().wait_days
}

/// How many times the old key was re-enabled.
pub fn rollbacks(_plan: &rotation::RotationView) -> usize {
    0
}
