//! The engine: performs one admin [`Action`] at a time against the cloud and
//! records its outcome in the state file before returning.
//!
//! Every write goes through the journal (`journal.rs`): intent saved and
//! audited, call, outcome committed with the step. Before every step a
//! left-over intent is settled by reading (`reconcile.rs`) and the facts the
//! step acts on are checked for drift (`drift.rs`). Every create looks first
//! (GetUser, ListAccessKeys) so a retry never creates twice; every
//! destructive action checks the typed user name and refuses the key ramkey
//! signs with. A failed call leaves the rotation at its step. A new key is
//! checked to work (`verify.rs`) before the old key may be disabled; the
//! swap confirmations are audited with the evidence shown (`evidence.rs`).
//! Knows nothing of the terminal UI.

mod build;
mod drift;
mod evidence;
mod journal;
mod kms;
mod lost_key;
mod reconcile;
mod retire;
mod rollback;
mod start;
mod verify;

pub use verify::KeyCheckOptions;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, SubsecRound as _, Utc};

use super::action::{Action, Confirmation, Outcome};
use super::error::EngineError;
use super::step::{Event, StepKind, advance, current_step};
use super::view::{RotationView, rotation_view};
use crate::clock::Clock;
use crate::cloud::model::{AttachedPolicy, GroupMembership, NewAccessKey};
use crate::cloud::{Client, CloudError};
use crate::scan::{self, KmsOptions, ScanObserver, ScanOptions, ScanReport};
use crate::secret::Secret;
use crate::state::{AuditEntry, AuditKind, Rotation, StateStore, StepRecord};

/// The engine's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineOptions {
    /// A key unused for longer than this many days is idle.
    pub idle_days: u32,
    /// Days between disabling a key and deleting it.
    pub wait_days: u32,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            idle_days: 90,
            wait_days: 90,
        }
    }
}

/// A user's current policies and groups, to choose what to copy or detach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPermissions {
    /// Attached policies.
    pub policies: Vec<AttachedPolicy>,
    /// Group memberships.
    pub groups: Vec<GroupMembership>,
}

/// The remediation engine over one account's client and state file.
pub struct Engine {
    client: Client,
    store: StateStore,
    clock: Arc<dyn Clock>,
    options: EngineOptions,
    key_check: KeyCheckOptions,
    /// Where the scan and the start look for KMS RAM secrets.
    kms: KmsOptions,
    /// Secrets of new keys created (or pasted) in this process and not
    /// verified yet, by key id: only in memory, dropped once the key works.
    fresh_secrets: HashMap<String, Secret>,
    /// The swap evidence read and shown, for the confirmation's audit line.
    evidence: evidence::EvidenceMemory,
}

/// What a step's handler reports back to [`Engine::perform`].
struct Performed {
    summary: String,
    new_key: Option<NewAccessKey>,
}

impl Performed {
    fn said(summary: impl Into<String>) -> Self {
        Self {
            summary: summary.into(),
            new_key: None,
        }
    }
}

/// A typed confirmation that matched, not yet audited: the step's handler
/// audits it ([`Engine::audit_confirmed`]) once it accepts the action.
pub(super) struct Confirmed {
    /// The confirmation's name in the audit log, e.g. `delete_key`.
    action: &'static str,
    /// What it confirms, e.g. `key LTAI… of app-user`.
    target: String,
    /// The admin's reason, or what the handler found.
    detail: Option<String>,
}

impl Confirmed {
    fn new(action: &'static str, target: String, detail: Option<String>) -> Self {
        Self {
            action,
            target,
            detail,
        }
    }

    /// The same confirmation, noting what the handler found.
    pub(super) fn noting(self, detail: impl Into<String>) -> Self {
        Self {
            detail: Some(detail.into()),
            ..self
        }
    }
}

impl Engine {
    /// An engine over an open state file (of the client's account).
    pub fn new(
        client: Client,
        store: StateStore,
        clock: Arc<dyn Clock>,
        options: EngineOptions,
    ) -> Self {
        Self {
            client,
            store,
            clock,
            options,
            key_check: KeyCheckOptions::default(),
            kms: KmsOptions::default(),
            fresh_secrets: HashMap::new(),
            evidence: evidence::EvidenceMemory::default(),
        }
    }

    /// The same engine, looking for KMS RAM secrets this way: their users
    /// are listed as managed and no rotation of them can start.
    #[must_use]
    pub fn with_kms(mut self, kms: KmsOptions) -> Self {
        self.kms = kms;
        self
    }

    /// The same engine, checking new keys this way (BC-12).
    #[must_use]
    pub fn with_key_check(mut self, key_check: KeyCheckOptions) -> Self {
        self.key_check = key_check;
        self
    }

    /// The client the engine calls with.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The settings.
    pub fn options(&self) -> EngineOptions {
        self.options
    }

    /// The state file in use.
    pub fn state_path(&self) -> &Path {
        self.store.path()
    }

    /// Notices about the state file (e.g. its mode was tightened).
    pub fn state_notices(&self) -> &[String] {
        self.store.notices()
    }

    /// The AccessKey ID ramkey signs with: never disabled or deleted by it.
    pub fn ramkey_key_id(&self) -> &str {
        self.client.access_key_id()
    }

    /// Every rotation in the state file, finished or not, oldest first.
    pub fn rotations(&self) -> Vec<RotationView> {
        let now = self.now();
        self.store
            .document()
            .rotations
            .iter()
            .map(|rotation| rotation_view(rotation, now, Some(self.ramkey_key_id())))
            .collect()
    }

    /// The user's plan: its rotation in progress, else its latest one.
    pub fn plan(&self, user: &str) -> Option<RotationView> {
        let document = self.store.document();
        let rotation = document
            .open_rotation(user)
            .or_else(|| document.latest_rotation(user))?;
        Some(rotation_view(
            rotation,
            self.now(),
            Some(self.ramkey_key_id()),
        ))
    }

    /// The step the user's rotation in progress waits for.
    pub fn next_step(&self, user: &str) -> Option<StepKind> {
        let rotation = self.store.document().open_rotation(user)?;
        current_step(&rotation.progress)
    }

    /// Scans the account with the engine's client and idle threshold (reads
    /// only), telling `observer` how far it is and each finding.
    pub async fn scan(&self, observer: &dyn ScanObserver) -> Result<ScanReport, CloudError> {
        scan::per_user(&self.client, &self.scan_options(), observer).await
    }

    /// A user's current policies and groups (reads only).
    pub async fn permissions(&self, user: &str) -> Result<UserPermissions, EngineError> {
        let doing = || format!("reading the policies and groups of {user}");
        let policies = self
            .client
            .list_policies_for_user(user)
            .await
            .map_err(cloud(doing()))?;
        let groups = self
            .client
            .list_groups_for_user(user)
            .await
            .map_err(cloud(doing()))?;
        Ok(UserPermissions { policies, groups })
    }

    /// Why the state file may not be changed, when it is open read-only.
    pub fn read_only(&self) -> Option<String> {
        self.store.read_only().map(str::to_owned)
    }

    /// Performs one decision of the admin for `user`'s rotation.
    ///
    /// First settles a left-over intent by reading, and refuses an action
    /// whose facts drifted or that is not the current step's. On success
    /// the state file already holds the step.
    pub async fn perform(&mut self, user: &str, action: Action) -> Result<Outcome, EngineError> {
        self.refuse_read_only()?;
        let performed = match action {
            Action::Start(start) => self.start(user, start).await,
            action => self.perform_open(user, action).await,
        };
        let performed = performed.map_err(|error| self.own_key_disabled(error, user))?;
        let rotation = self
            .plan(user)
            .expect("a performed action leaves a rotation");
        Ok(Outcome {
            summary: performed.summary,
            rotation,
            new_key: performed.new_key,
        })
    }

    async fn perform_open(&mut self, user: &str, action: Action) -> Result<Performed, EngineError> {
        let before = self.open_rotation(user)?;
        let settled = self.reconcile(user).await?;
        let fits = |engine: &Self| {
            let open = engine.store.document().open_rotation(user);
            open.is_some_and(|rotation| check_step(rotation, &action).is_ok())
        };
        if let Some(summary) = &settled {
            // The earlier run's write was this very step, found done.
            if check_step(&before, &action).is_ok() && !fits(self) {
                return Ok(Performed::said(summary.clone()));
            }
        }

        let rotation = self.open_rotation(user)?;
        check_step(&rotation, &action)?;
        let mut performed = self.perform_step(&rotation, action).await?;
        if let Some(key) = &performed.new_key {
            let checked = self.check_created_key(user, key).await;
            performed.summary = format!("{}. {checked}", performed.summary);
        }
        if let Some(summary) = settled {
            performed.summary = format!("{summary}. {}", performed.summary);
        }
        Ok(performed)
    }

    async fn perform_step(
        &mut self,
        rotation: &Rotation,
        action: Action,
    ) -> Result<Performed, EngineError> {
        match action {
            Action::Start(_) => unreachable!("handled by perform"),
            Action::ConfirmReview => self.confirm(rotation, Event::Reviewed, "Review recorded"),
            Action::SetName(name) => self.set_name(rotation, name).await,
            Action::CreateUser => self.create_user(rotation).await,
            Action::CopyPermissions(grants) => self.copy_permissions(rotation, grants).await,
            Action::CreateKey => self.create_key(rotation).await,
            Action::ReplaceLostKey(confirmation) => {
                self.replace_lost_key(rotation, &confirmation).await
            }
            Action::ConfirmSecretStored => {
                self.confirm(rotation, Event::SecretStored, "Secret stored: confirmed")
            }
            Action::SecretNotStored(confirmation) => {
                self.secret_not_stored(rotation, &confirmation).await
            }
            Action::ConfirmStaging => {
                self.confirm(rotation, Event::StagingSwapped, "Staging swap confirmed")
            }
            Action::ConfirmProduction => self.confirm(
                rotation,
                Event::ProductionSwapped,
                "Production swap confirmed",
            ),
            Action::VerifyKey(pasted) => self.verify_key(rotation, pasted).await,
            Action::DisableKey(confirmation) => {
                verify::refuse_unverified(rotation)?;
                let confirmed = self.typed_for_key(rotation, &confirmation, "disable_key", None)?;
                self.disable_key(rotation, confirmed).await
            }
            Action::DeleteKey(confirmation) => {
                let confirmed = self.typed_for_key(rotation, &confirmation, "delete_key", None)?;
                self.delete_key(rotation, confirmed).await
            }
            Action::DisableAgain(confirmation) => {
                let confirmed =
                    self.typed_for_key(rotation, &confirmation, "disable_again", None)?;
                self.disable_again(rotation, confirmed).await
            }
            Action::ReEnableKey {
                confirmation,
                reason,
            } => {
                let confirmed =
                    self.typed_for_key(rotation, &confirmation, "re_enable_key", reason.clone())?;
                self.re_enable_key(rotation, reason, confirmed).await
            }
            Action::DetachPolicies {
                policies,
                confirmation,
            } => {
                let confirmed = if policies.is_empty() {
                    None
                } else {
                    let target = policies_target(&policies, &rotation.user);
                    check_confirmation(rotation, &confirmation)?;
                    Some(Confirmed::new("detach_policies", target, None))
                };
                self.detach_policies(rotation, policies, confirmed).await
            }
        }
    }

    /// Checks the typed user name for a step on the retired key, after
    /// refusing the key ramkey signs with. Audits nothing: the handler
    /// audits the [`Confirmed`] once it accepts the action.
    fn typed_for_key(
        &self,
        rotation: &Rotation,
        confirmation: &Confirmation,
        action: &'static str,
        detail: Option<String>,
    ) -> Result<Confirmed, EngineError> {
        self.refuse_own_key_step(rotation, action)?;
        check_confirmation(rotation, confirmation)?;
        let target = format!("key {} of {}", rotation.key_id, rotation.user);
        Ok(Confirmed::new(action, target, detail))
    }

    /// Audits a checked confirmation: called by the handler once every
    /// check has passed, right before its first write or record, so a
    /// refused action leaves no confirmation line.
    pub(super) fn audit_confirmed(&mut self, rotation: &Rotation, confirmed: Confirmed) {
        self.audit_confirmation(
            rotation,
            confirmed.action,
            &confirmed.target,
            confirmed.detail,
        );
    }

    /// Refuses, before the typed name is even looked at, a disable or
    /// delete of the key ramkey signs with.
    fn refuse_own_key_step(&self, rotation: &Rotation, action: &str) -> Result<(), EngineError> {
        match action {
            "disable_key" | "disable_again" => self.refuse_own_key(&rotation.key_id, "disabling"),
            "delete_key" => self.refuse_own_key(&rotation.key_id, "deleting"),
            _ => Ok(()),
        }
    }

    /// Audits an admin's confirmation (`action` names it).
    pub(super) fn audit_confirmation(
        &mut self,
        rotation: &Rotation,
        action: &str,
        target: &str,
        detail: Option<String>,
    ) {
        let entry = AuditEntry {
            at: self.now(),
            rotation: rotation.id.clone(),
            user: rotation.user.clone(),
            kind: AuditKind::Confirmation,
            action: action.to_owned(),
            target: target.to_owned(),
            intent: None,
            request_id: None,
            outcome: None,
            detail,
        };
        self.audit_best_effort(&entry);
    }

    /// Records an admin's confirmation.
    fn confirm(
        &mut self,
        rotation: &Rotation,
        event: fn(StepRecord) -> Event,
        summary: &str,
    ) -> Result<Performed, EngineError> {
        let record = StepRecord::at(self.now());
        match self.commit(&rotation.id, event(record), summary) {
            Err(EngineError::NotRecorded { source, .. }) => {
                // Nothing was written anywhere: the step stays where it was,
                // in memory as on disk.
                self.rotation_mut(&rotation.id).progress = rotation.progress.clone();
                return Err(EngineError::ConfirmationNotSaved { source });
            }
            other => other?,
        }
        let action = current_step(&rotation.progress).map_or("confirm", |step| step.audit_name());
        let target = format!("rotation of {}", rotation.user);
        let detail = self.confirmation_detail(rotation);
        self.audit_confirmation(rotation, action, &target, detail);
        Ok(Performed::said(summary))
    }

    /// Applies `event` to the rotation and saves the state file.
    fn commit(&mut self, rotation_id: &str, event: Event, done: &str) -> Result<(), EngineError> {
        let rotation = self.rotation_mut(rotation_id);
        rotation.progress = advance(rotation.progress.clone(), event)?;
        self.store
            .save()
            .map_err(|source| EngineError::NotRecorded {
                done: done.to_owned(),
                source,
            })
    }

    /// The rotation with this id in the document, for changing.
    fn rotation_mut(&mut self, rotation_id: &str) -> &mut Rotation {
        self.store
            .document_mut()
            .rotations
            .iter_mut()
            .find(|rotation| rotation.id == rotation_id)
            .expect("the rotation being performed is in the document")
    }

    /// Refuses any change while the state file is open read-only.
    fn refuse_read_only(&self) -> Result<(), EngineError> {
        match self.read_only() {
            Some(reason) => Err(EngineError::ReadOnly { reason }),
            None => Ok(()),
        }
    }

    /// A call refused because ramkey's own key is disabled
    /// (`InvalidAccessKeyId.Inactive`) stops everything, with a plain message.
    fn own_key_disabled(&self, error: EngineError, user: &str) -> EngineError {
        let EngineError::Cloud { doing, source } = error else {
            return error;
        };
        if source.code() != Some(OWN_KEY_DISABLED) {
            return EngineError::Cloud { doing, source };
        }
        let at = self
            .store
            .document()
            .latest_rotation(user)
            .map(|rotation| {
                let step = current_step(&rotation.progress).map_or("complete", StepKind::title);
                format!(" (the rotation of {user} is at \"{step}\")")
            })
            .unwrap_or_default();
        EngineError::OwnKeyDisabled {
            doing: format!("{doing}{at}"),
            key_id: self.ramkey_key_id().to_owned(),
            source,
        }
    }

    fn open_rotation(&self, user: &str) -> Result<Rotation, EngineError> {
        self.store
            .document()
            .open_rotation(user)
            .cloned()
            .ok_or_else(|| EngineError::NoRotation {
                user: user.to_owned(),
            })
    }

    /// Refuses to disable or delete the key ramkey signs with (BC-11).
    fn refuse_own_key(&self, key_id: &str, action: &'static str) -> Result<(), EngineError> {
        if key_id == self.ramkey_key_id() {
            return Err(EngineError::OwnKey {
                key_id: key_id.to_owned(),
                action,
            });
        }
        Ok(())
    }

    /// Now, to the second: state files and outputs carry whole seconds.
    fn now(&self) -> DateTime<Utc> {
        self.clock.now().trunc_subsecs(0)
    }

    fn scan_options(&self) -> ScanOptions {
        ScanOptions {
            kms: self.kms.clone(),
            ..ScanOptions::per_user(self.options.idle_days, self.now())
        }
    }
}

fn check_step(rotation: &Rotation, action: &Action) -> Result<(), EngineError> {
    let current = current_step(&rotation.progress);
    let wanted = action.step();
    // The name may be changed until the user exists (e.g. it was taken meanwhile).
    let renaming = matches!(action, Action::SetName(_)) && current == Some(StepKind::CreateUser);
    // The new key may be checked at any step from its creation to the disable.
    let fits = match action {
        Action::VerifyKey(_) => verify::can_verify(rotation),
        _ => wanted == current || renaming,
    };
    if fits {
        return Ok(());
    }
    Err(EngineError::WrongStep {
        user: rotation.user.clone(),
        current,
        action: action.name(),
    })
}

fn check_confirmation(rotation: &Rotation, typed: &Confirmation) -> Result<(), EngineError> {
    if typed.confirms(&rotation.user) {
        Ok(())
    } else {
        Err(EngineError::ConfirmationMismatch {
            user: rotation.user.clone(),
        })
    }
}

/// `policies ReadOnlyAccess (System), X (Custom) of app-user`.
fn policies_target(policies: &[super::action::PolicyRef], user: &str) -> String {
    let named: Vec<String> = policies
        .iter()
        .map(|policy| format!("{} ({})", policy.policy_name, policy.policy_type.as_str()))
        .collect();
    format!("policies {} of {user}", named.join(", "))
}

/// Wraps a cloud error with what ramkey was doing.
fn cloud(doing: String) -> impl FnOnce(CloudError) -> EngineError {
    move |source| EngineError::Cloud { doing, source }
}

/// The code of any call signed with a disabled AccessKey.
const OWN_KEY_DISABLED: &str = "InvalidAccessKeyId.Inactive";

/// Whether the error is the API saying the user does not exist.
fn is_no_such_user(error: &CloudError) -> bool {
    error.code() == Some("EntityNotExist.User")
}
