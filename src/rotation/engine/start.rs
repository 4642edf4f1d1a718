//! Starting a rotation: the user must still be flagged, the key must be one
//! of its Active keys, and the disable path needs that key idle right now.

use super::{Engine, Performed, cloud};
use crate::rotation::action::Start;
use crate::rotation::error::EngineError;
use crate::scan::{Finding, Verdict, check_user, finding::active_keys};
use crate::state::steps::{IdleStep, MoveStep};
use crate::state::{Progress, Rotation};

impl Engine {
    pub(super) async fn start(
        &mut self,
        user: &str,
        start: Start,
    ) -> Result<Performed, EngineError> {
        if let Some(open) = self.store.document().open_rotation(user) {
            return Err(EngineError::AlreadyStarted {
                user: user.to_owned(),
                step: crate::rotation::step::current_step(&open.progress),
            });
        }

        self.refuse_kms_managed(user).await?;
        let finding = self.fresh_finding(user).await?;
        let (key_id, progress, summary) = match start {
            Start::DisableIdle { key_id } => {
                check_idle(&finding, &key_id)?;
                let summary = format!("Started: disable the idle key {key_id} of {user}");
                (key_id, Progress::DisableIdle(IdleStep::Review), summary)
            }
            Start::MoveToNewUser { key_id } => {
                key_of(&finding, &key_id)?;
                let mut summary =
                    format!("Started: move the application using {key_id} to a new user");
                if key_id == self.ramkey_key_id() {
                    summary.push_str(&own_key_warning(&key_id));
                }
                let progress = Progress::MoveToNewUser(Box::new(MoveStep::ChooseName));
                (key_id, progress, summary)
            }
        };

        let rotation = Rotation {
            id: new_rotation_id(),
            user: user.to_owned(),
            key_id,
            started_at: self.now(),
            progress,
            wait_days: self.options.wait_days,
            pending: None,
            rollbacks: Vec::new(),
            extra: serde_json::Map::new(),
        };
        self.store.document_mut().rotations.push(rotation);
        if let Err(error) = self.store.save() {
            // Nothing was written to the cloud: forget the start entirely.
            self.store.document_mut().rotations.pop();
            return Err(error.into());
        }
        let started = self.open_rotation(user)?;
        let target = format!("key {} of {user}", started.key_id);
        self.audit_confirmation(&started, "start", &target, Some(summary.clone()));
        Ok(Performed::said(summary))
    }

    /// The user's finding as the cloud has it now, not as a scan saw it.
    async fn fresh_finding(&self, user: &str) -> Result<Finding, EngineError> {
        let doing = || format!("checking the keys of {user}");
        let ram_user = self.client.get_user(user).await.map_err(cloud(doing()))?;
        let options = self.scan_options();
        if let Some(finding) = check_user(&self.client, &ram_user, &options)
            .await
            .map_err(cloud(doing()))?
        {
            return Ok(finding);
        }

        let keys = self
            .client
            .list_access_keys(user)
            .await
            .map_err(cloud(doing()))?;
        Err(EngineError::NotFlagged {
            user: user.to_owned(),
            active: active_keys(&keys).count(),
        })
    }
}

fn key_of<'a>(
    finding: &'a Finding,
    key_id: &str,
) -> Result<&'a crate::scan::KeyFinding, EngineError> {
    finding.key(key_id).ok_or_else(|| EngineError::KeyNotFound {
        user: finding.user.clone(),
        key_id: key_id.to_owned(),
    })
}

/// `unknown` is never enough to disable a key: only `idle` is.
fn check_idle(finding: &Finding, key_id: &str) -> Result<(), EngineError> {
    let key = key_of(finding, key_id)?;
    if key.verdict == Verdict::Idle {
        return Ok(());
    }
    Err(EngineError::KeyNotIdle {
        key_id: key_id.to_owned(),
        verdict: key.verdict,
        reason: key.reason.clone(),
    })
}

/// Said when a move starts on the key ramkey signs with (BC-11): the
/// admin learns now, not after creating the user and key, that the disable
/// will be refused unless ramkey signs with something else by then.
pub(crate) fn own_key_warning(key_id: &str) -> String {
    format!(
        ". Warning: ramkey signs with {key_id} itself, so it will refuse to disable it (step 8) \
         unless you restart ramkey with another credential before then, preferably STS (a \
         RamRoleArn profile with --profile NAME, see docs/credentials.md)"
    )
}

/// Twelve hex digits: short enough for the new user's Comments, random
/// enough never to repeat within one account.
fn new_rotation_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}
