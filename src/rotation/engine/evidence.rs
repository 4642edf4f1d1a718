//! Reading the swap evidence (BC-12): the last use of the new key and of the
//! old key, judged against when the swap began (`rotation::evidence`), and
//! kept so that the confirmation that follows is audited with what was
//! shown. Reads only: nothing is written, so a read-only state file allows it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{Engine, cloud};
use crate::rotation::error::EngineError;
use crate::rotation::evidence::{self, SwapEvidence};
use crate::rotation::step::{StepKind, current_step};
use crate::state::Rotation;

/// What the engine remembers of the evidence it read, in memory only.
#[derive(Debug, Default)]
pub(super) struct EvidenceMemory {
    /// The latest evidence read per rotation id: what the wizard showed.
    shown: HashMap<String, SwapEvidence>,
    /// The earliest last-use date read per new key since its swap began.
    first_seen: HashMap<String, DateTime<Utc>>,
}

impl Engine {
    /// Reads the evidence for the swap `user`'s rotation waits for (staging
    /// or production): GetAccessKeyLastUsed of the new key and of the old.
    pub async fn swap_evidence(&mut self, user: &str) -> Result<SwapEvidence, EngineError> {
        let rotation = self.open_rotation(user)?;
        let (stage, began) =
            evidence::swap_began(&rotation).ok_or_else(|| EngineError::WrongStep {
                user: user.to_owned(),
                current: current_step(&rotation.progress),
                action: "read the swap evidence",
            })?;
        let new_user = rotation_new_user(&rotation);
        let new_key_id = self
            .plan(user)
            .and_then(|plan| plan.new_key_id)
            .unwrap_or_default();

        let doing = format!(
            "reading the last use of {new_key_id} and {}",
            rotation.key_id
        );
        let new_last = self
            .client
            .get_access_key_last_used(&new_user, &new_key_id)
            .await
            .map_err(cloud(doing.clone()))?;
        let old_last = self
            .client
            .get_access_key_last_used(&rotation.user, &rotation.key_id)
            .await
            .map_err(cloud(doing))?;

        let first_seen = self.evidence.seen(&new_key_id, new_last, began);
        let read = SwapEvidence {
            stage,
            swap_began: began,
            read_at: self.now(),
            new_key: evidence::judge_new(new_last, first_seen, began),
            new_key_id,
            old_key_id: rotation.key_id.clone(),
            old_key: evidence::judge_old(old_last, began),
        };
        self.evidence
            .shown
            .insert(rotation.id.clone(), read.clone());
        Ok(read)
    }

    /// What the audit log keeps with a swap confirmation: the evidence the
    /// wizard showed for this very step, or that none was read.
    pub(super) fn confirmation_detail(&mut self, rotation: &Rotation) -> Option<String> {
        let step = current_step(&rotation.progress)?;
        if !matches!(step, StepKind::ConfirmStaging | StepKind::ConfirmProduction) {
            return None;
        }
        let (stage, _) = evidence::swap_began(rotation)?;
        let shown = self
            .evidence
            .shown
            .remove(&rotation.id)
            .filter(|shown| shown.stage == stage);
        Some(shown.map_or_else(
            || "no evidence was read before this confirmation".to_owned(),
            |shown| shown.audit_detail(),
        ))
    }
}

impl EvidenceMemory {
    /// Notes `last_used` of `key_id` when it falls in the swap and returns
    /// the earliest such date seen.
    fn seen(
        &mut self,
        key_id: &str,
        last_used: Option<DateTime<Utc>>,
        began: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        if let Some(used) = last_used.filter(|used| *used >= began) {
            let first = self.first_seen.entry(key_id.to_owned()).or_insert(used);
            *first = (*first).min(used);
        }
        self.first_seen.get(key_id).copied()
    }
}

/// The new user's name; every swap step comes after it was created.
fn rotation_new_user(rotation: &Rotation) -> String {
    match &rotation.progress {
        crate::state::Progress::MoveToNewUser(step) => {
            step.new_user_name().unwrap_or_default().to_owned()
        }
        crate::state::Progress::DisableIdle(_) => String::new(),
    }
}
