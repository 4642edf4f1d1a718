//! The bridge between the wizard and the rotation engine: it turns the
//! scan's findings and the engine's rotation views into [`Snapshot`]s, and
//! the wizard's [`Request`]s into engine [`Action`]s.
//!
//! It also reads what the dialogs need and the engine's views do not carry:
//! the original user's policies and groups when the copy or detach step is
//! next, and the keys of users no longer flagged because their rotation
//! already disabled one. On start it settles the writes an earlier run
//! left in flight (by reading) and keeps what it found for the first
//! dialog; it looks for changes made outside ramkey when a rotation's
//! screen opens and after each action. Depends on [`crate::rotation`],
//! [`crate::scan`] and [`crate::cloud`]; the screens never see those types.

mod demo;
mod evidence;
mod listed;
mod starting;
mod summary;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::event_loop::Backend;
use super::start_screen::{ResumeView, StartView};
use super::view::{
    DriftView, Effect, ErrorView, GrantSet, Header, Identity, NewKeyCheck, NewKeyView, Offer,
    PathKind, Performed, PolicyRef, Recommendation, Request, RotationView, RowMark, Settled,
    ShownSecret, Snapshot, StepKind, StepStatus, StepView, UserView,
};
use crate::clock::Clock;
use crate::cloud::CloudError;
use crate::cloud::credentials::CredentialReport;
use crate::cloud::model::CallerIdentity;
use crate::rotation::{self, Action, Confirmation, Engine, EngineError, UserPermissions};
use crate::scan::{Exemptions, Finding, ScanObserver, ScanReport};
use crate::state::steps::{Grant, KeyCheck};

pub use demo::{DemoSwap, DemoWorld};
use listed::Listed;
pub use starting::Starting;

/// The code of an STS token the service no longer accepts.
const TOKEN_EXPIRED: &str = "InvalidSecurityToken.Expired";

/// Drives the engine for the wizard.
pub struct EngineBackend {
    engine: Engine,
    /// The engine's clock, for the time the views are taken at.
    clock: Arc<dyn Clock>,
    listed: Vec<Listed>,
    /// Policies and groups of original users whose copy or review is next.
    permissions: HashMap<String, UserPermissions>,
    /// What was settled on start, for the first dialog.
    settled: Vec<Settled>,
    /// Users whose earlier run's write could not be settled, with why.
    unsettled: HashMap<String, String>,
    /// Changes made outside ramkey, per user, as last checked.
    drift: HashMap<String, Vec<DriftView>>,
    /// Users whose old key the last look found deleted outside ramkey.
    key_gone: HashSet<String>,
    key_active_again: HashSet<String>,
    /// The swap evidence last read, per user, until that user's next action.
    evidence: HashMap<String, super::view::SwapEvidenceView>,
    /// `ramkey demo`'s world: its clock and its simulated applications.
    demo: Option<Arc<dyn DemoWorld>>,
    /// Users the admin exempted (`--exempt`, the config file): marked in
    /// the list, not hidden, so their keys stay in view.
    exemptions: Exemptions,
    /// The scan's `data_as_of`, once the scan is over.
    data_as_of: Option<DateTime<Utc>>,
    /// Each user's policies and groups as last read, for its screen.
    grants: HashMap<String, GrantSet>,
}

/// What the bridge does for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// An engine action (every one of them writes the state file).
    Perform(Action),
    /// Look for changes made outside ramkey, and settle a write an earlier
    /// run left in flight if that failed on start (reads only).
    Check,
    /// Read the last use of both keys of the swap (reads only).
    ReadEvidence,
    /// Read the user's policies and groups for its screen (reads only).
    ReadPermissions,
    /// `ramkey demo` only: move its clock this many seconds ahead.
    JumpClock(i64),
}

impl EngineBackend {
    /// The bridge over `engine` before the scan: nothing listed yet, no
    /// call made.
    pub fn new(engine: Engine, clock: Arc<dyn Clock>) -> Self {
        Self {
            engine,
            clock,
            listed: Vec::new(),
            permissions: HashMap::new(),
            settled: Vec::new(),
            unsettled: HashMap::new(),
            drift: HashMap::new(),
            key_gone: HashSet::new(),
            key_active_again: HashSet::new(),
            evidence: HashMap::new(),
            demo: None,
            exemptions: Exemptions::default(),
            data_as_of: None,
            grants: HashMap::new(),
        }
    }

    /// The same bridge, marking the users in `exemptions` as exempt.
    #[must_use]
    pub fn with_exemptions(self, exemptions: Exemptions) -> Self {
        Self { exemptions, ..self }
    }

    /// What the start screen offers before the scan ends: every rotation
    /// in progress in the state file, and what the state file said.
    pub fn start_view(&self) -> StartView {
        let now = self.now();
        let resume = self
            .engine
            .rotations()
            .iter()
            .filter(|plan| !plan.is_complete())
            .map(|plan| ResumeView {
                user: plan.user.clone(),
                path: path_kind(plan.path),
                progress: self.rotation_view(plan, now).progress(),
                deletion_due: plan.delete_after,
            })
            .collect();
        StartView {
            resume,
            notices: self.engine.state_notices().to_vec(),
        }
    }

    /// The same bridge in `ramkey demo`, over its world: the simulated
    /// applications follow the swaps confirmed, and the clock can jump.
    #[must_use]
    pub fn with_demo_world(mut self, world: Arc<dyn DemoWorld>) -> Self {
        self.demo = Some(world);
        self
    }

    /// Scans the account, settles the writes an earlier run left in flight
    /// (by reading) and reads what the first screens need; the wizard runs
    /// the two parts itself ([`Self::scan`], [`Self::finish`]) so that it
    /// can show the scan.
    pub async fn start(
        engine: Engine,
        clock: Arc<dyn Clock>,
    ) -> Result<(Self, ScanReport), EngineError> {
        let mut backend = Self::new(engine, clock);
        let report = backend.scan(&crate::scan::Quiet).await?;
        backend.finish(&report).await?;
        Ok((backend, report))
    }

    /// The scan part of the start (reads only), telling `observer` how far
    /// it is and each finding.
    pub async fn scan(&self, observer: &dyn ScanObserver) -> Result<ScanReport, EngineError> {
        self.engine
            .scan(observer)
            .await
            .map_err(|source| EngineError::Cloud {
                doing: "scanning the account".to_owned(),
                source,
            })
    }

    /// The rest of the start, after the scan that made `report`: settles
    /// the writes an earlier run left in flight (by reading), lists the
    /// scan's findings and the users of unfinished rotations it did not
    /// flag, and reads what the first screens need.
    pub async fn finish(&mut self, report: &ScanReport) -> Result<(), EngineError> {
        let (settled, unsettled) = settle(self.engine.reconcile_all().await);
        self.settled = settled;
        self.unsettled = unsettled;
        self.data_as_of = Some(report.data_as_of);
        let mut listed: Vec<Listed> = report.flagged.iter().map(Listed::from_finding).collect();
        listed.extend(report.kms_managed.iter().map(Listed::from_managed));
        for rotation in self.engine.rotations() {
            let known = listed.iter().any(|l| l.user == rotation.user);
            if !known && !rotation.is_complete() {
                listed.push(listed_from_cloud(&self.engine, &rotation, self.now()).await?);
            }
        }
        self.listed = listed;
        self.read_permissions().await
    }

    /// A user the running scan found, as the list shows it until the start
    /// is over (with its rotation, if one is recorded).
    pub fn found_view(&self, finding: &Finding) -> UserView {
        self.user_view(&Listed::from_finding(finding), self.now())
    }

    /// A failure of the start in the error dialog's words.
    pub fn start_error(&self, doing: &str, error: &EngineError) -> ErrorView {
        let mut view = error_view(doing, error);
        if view.code.as_deref() == Some(TOKEN_EXPIRED) {
            let report = self.engine.client().credential_report();
            view.hint = Some(expired_token_hint(&report, &self.state_path()));
        }
        view
    }

    /// What was settled on start from an earlier run, and what could not
    /// be: shown before anything else.
    pub fn settled(&self) -> Vec<Settled> {
        self.settled.clone()
    }

    /// The views of every listed user, now.
    pub fn snapshot(&self) -> Snapshot {
        let taken_at = self.now();
        let users = self
            .listed
            .iter()
            .map(|listed| self.user_view(listed, taken_at))
            .collect();
        Snapshot { users, taken_at }
    }

    /// The state file in use, for the header.
    pub fn state_path(&self) -> String {
        self.engine.state_path().display().to_string()
    }

    /// The header: whose account, which state file, and who ramkey is
    /// signed in as (`caller`, from GetCallerIdentity) with what credentials.
    pub fn header(&self, caller: &CallerIdentity, demo: bool) -> Header {
        // TODO: the header is taken once, at the start: after ramkey renews role
        // credentials, the key and expiry shown are still the first session's. Showing
        // the current ones needs the snapshot, replaced after each call, to carry them.
        let report = self.engine.client().credential_report();
        Header {
            account_id: caller.account_id.clone(),
            state_file: self.state_path(),
            demo,
            identity: identity(caller, &report, demo),
            read_only: self.engine.read_only(),
            dry_run: self.engine.is_dry_run(),
            idle_days: self.engine.options().idle_days,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn user_view(&self, listed: &Listed, now: DateTime<Utc>) -> UserView {
        let plan = self
            .engine
            .plan(&listed.user)
            .filter(|plan| !plan.is_complete() || listed.lists(&plan.key_id));
        let mut keys = listed.key_views(plan.as_ref());
        for key in &mut keys {
            key.used_by_ramkey = key.access_key_id == self.engine.ramkey_key_id();
        }
        let mut marks = Vec::new();
        if let Some(reason) = self.exemptions.reason_for(&listed.user) {
            marks.push(RowMark::Exempt {
                reason: reason.to_owned(),
            });
        }
        if let Some(own) = keys.iter().find(|key| key.used_by_ramkey) {
            marks.push(RowMark::OwnKey {
                access_key_id: own.access_key_id.clone(),
            });
        }
        marks.extend(listed.kms_secret.iter().map(|secret| RowMark::KmsManaged {
            secret: secret.clone(),
        }));
        UserView {
            user_name: listed.user.clone(),
            display_name: listed.display_name.clone(),
            keys,
            recommendation: listed.recommendation,
            rotation: plan.map(|plan| self.rotation_view(&plan, now)),
            drift: self.drift.get(&listed.user).cloned(),
            marks,
            data_as_of: self.data_as_of,
            grants: self.grants.get(&listed.user).cloned(),
        }
    }

    fn rotation_view(&self, plan: &rotation::RotationView, now: DateTime<Utc>) -> RotationView {
        let wait_days = plan.wait_days;
        // The recorded date, also once the key is deleted; a date counted
        // from now only before the disable has fixed one.
        let due = plan
            .deletion
            .map_or(now + Duration::days(i64::from(wait_days)), |deletion| {
                deletion.delete_after
            });
        let steps = plan
            .steps
            .iter()
            .map(|step| StepView {
                kind: self.step_kind(plan, step.kind, due, wait_days),
                status: step_status(&step.status),
            })
            .collect();
        let pending = plan.pending.clone();
        // A failed settle blocks the step only while the intent is still there.
        let unsettled = self
            .unsettled
            .get(&plan.user)
            .filter(|_| pending.is_some())
            .map(|error| unsettled_reason(error));
        // A key found gone has no wait left (the engine's only other block,
        // its own key, cannot be gone while ramkey signs with it).
        let retired_key_gone = self.key_gone.contains(&plan.user);
        let blocked = plan.blocked.clone().filter(|_| !retired_key_gone);
        RotationView {
            path: path_kind(plan.path),
            steps,
            blocked: unsettled.or(blocked),
            pending,
            wait_days,
            rollbacks: plan.rollbacks,
            retired_key_gone,
            retired_key_active_again: self.key_active_again.contains(&plan.user),
            new_key: self.new_key_view(plan),
            summary: plan.summary.as_ref().map(summary::view),
            swap_evidence: self.evidence_view(plan),
            next_calls: plan.next_calls.iter().map(ToString::to_string).collect(),
        }
    }

    fn new_key_view(&self, plan: &rotation::RotationView) -> Option<NewKeyView> {
        let check = match plan.new_key_check.as_ref()? {
            KeyCheck::NotChecked => NewKeyCheck::NotChecked,
            KeyCheck::NotYetVerified {
                attempts,
                last_tried,
                ..
            } => NewKeyCheck::NotYetVerified {
                attempts: *attempts,
                last_tried: *last_tried,
            },
            KeyCheck::Verified { at, attempts, .. } => NewKeyCheck::Verified {
                at: *at,
                attempts: *attempts,
            },
        };
        Some(NewKeyView {
            key_id: plan.new_key_id.clone()?,
            check,
            secret_held: self.engine.holds_new_key_secret(&plan.user),
        })
    }

    fn step_kind(
        &self,
        plan: &rotation::RotationView,
        kind: rotation::StepKind,
        due: DateTime<Utc>,
        wait_days: u32,
    ) -> StepKind {
        use rotation::StepKind as E;

        let key_id = plan.key_id.clone();
        let new_user = plan.new_user.clone().unwrap_or_default();
        let new_key_id = plan.new_key_id.clone().unwrap_or_default();
        let permissions = self.permissions.get(&plan.user);
        match kind {
            E::Review => StepKind::Review { key_id },
            E::ChooseName => StepKind::ChooseName {
                suggested: plan
                    .new_user
                    .clone()
                    .unwrap_or_else(|| rotation::suggest_name(&plan.user)),
            },
            E::CreateUser => StepKind::CreateUser { new_user },
            E::CopyPermissions => StepKind::CopyPermissions {
                new_user,
                policies: permissions.map(policy_refs).unwrap_or_default(),
                groups: permissions.map(group_names).unwrap_or_default(),
                chosen: plan.copy_choice.as_deref().map(grant_set),
                copied: grant_set(&plan.copied_so_far),
            },
            E::CreateKey => StepKind::CreateAccessKey { new_user },
            E::ConfirmSecretStored => StepKind::ConfirmSecretStored { new_key_id },
            E::ConfirmStaging => StepKind::ConfirmStaging { new_key_id },
            E::ConfirmProduction => StepKind::ConfirmProduction { new_key_id },
            E::DisableKey => StepKind::DisableKey { key_id },
            E::RecordDeletionDate => StepKind::ScheduleDeletion { key_id, wait_days },
            E::DeleteKey => StepKind::DeleteKey {
                key_id,
                due,
                wait_days,
            },
            E::ReviewPolicies => StepKind::DetachPolicies {
                policies: permissions.map(policy_refs).unwrap_or_default(),
            },
        }
    }

    /// Reads the policies and groups of each user whose copy or review
    /// step is next, so the checklist shows what the account holds now.
    async fn read_permissions(&mut self) -> Result<(), EngineError> {
        use rotation::StepKind as E;

        let wanted: Vec<String> = self
            .listed
            .iter()
            .filter(|listed| {
                let next = self.engine.next_step(&listed.user);
                matches!(next, Some(E::CopyPermissions | E::ReviewPolicies))
            })
            .map(|listed| listed.user.clone())
            .collect();
        self.permissions.retain(|user, _| wanted.contains(user));
        for user in wanted {
            let permissions = self.engine.permissions(&user).await?;
            self.grants.insert(user.clone(), user_grants(&permissions));
            self.permissions.insert(user, permissions);
        }
        Ok(())
    }

    /// Reads `user`'s policies and groups for its screen. A failure leaves
    /// the last known ones (or "not read") and is said in `notice`: the
    /// screen's evidence must not stop a step that succeeded.
    async fn read_grants(&mut self, user: &str, notice: &mut String) {
        if let Err(error) = self.fetch_grants(user).await {
            let said = format!(" (could not read its policies and groups: {error})");
            notice.push_str(&said);
        }
    }

    /// Reads `user`'s policies and groups into the screen's evidence.
    async fn fetch_grants(&mut self, user: &str) -> Result<(), EngineError> {
        let permissions = self.engine.permissions(user).await.inspect_err(|error| {
            tracing::warn!(user, %error, "could not read the user's policies and groups");
        })?;
        self.grants
            .insert(user.to_owned(), user_grants(&permissions));
        Ok(())
    }

    /// Reads the policies and groups of `user`, whose screen opened before
    /// any rotation: a failure is said on the status line, not raised.
    async fn read_permissions_of(&mut self, user: &str) -> Performed {
        let notice = match self.fetch_grants(user).await {
            Ok(()) => String::new(),
            Err(error) => format!("Could not read the policies and groups of {user}: {error}"),
        };
        Performed {
            snapshot: self.snapshot(),
            notice,
            new_secret: None,
        }
    }

    async fn run(&mut self, effect: Effect) -> Result<Performed, EngineError> {
        let user = effect.user;
        let before = self.engine.plan(&user).as_ref().map(listed::recorded);
        let moved = demo::moves(&effect.request);
        let outcome = match to_call(effect.request) {
            Call::Check => return self.check(&user).await,
            Call::ReadEvidence => return Ok(self.read_evidence(&user).await),
            Call::ReadPermissions => return Ok(self.read_permissions_of(&user).await),
            Call::JumpClock(seconds) => return Ok(self.jump_clock(&user, seconds).await),
            Call::Perform(action) => self.engine.perform(&user, action).await?,
        };
        self.evidence.remove(&user);
        let lived = self.demo_followed(moved, &outcome.rotation);
        self.after_write(&user, before);
        // The engine settles any earlier write before it performs a step.
        self.unsettled.remove(&user);
        self.read_permissions().await?;
        let mut notice = outcome.summary;
        if let Some(lived) = lived {
            notice = format!("{notice}. {lived}");
        }
        // The step is done whatever the look finds; a failed look is said, not raised.
        if let Err(error) = self.look_for_drift(&user).await {
            notice = format!("{notice} (could not look for changes made outside ramkey: {error})");
        }
        self.read_grants(&user, &mut notice).await;

        let new_secret = outcome.new_key.map(|key| ShownSecret {
            user: outcome.rotation.new_user.clone().unwrap_or_default(),
            access_key_id: key.access_key_id,
            secret: key.secret,
        });
        Ok(Performed {
            snapshot: self.snapshot(),
            notice,
            new_secret,
        })
    }

    /// Settles `user`'s write left in flight if that failed on start, then
    /// looks for changes made outside ramkey. Reads only.
    async fn check(&mut self, user: &str) -> Result<Performed, EngineError> {
        let mut said = Vec::new();
        if self.unsettled.contains_key(user) {
            let before = self.engine.plan(user).as_ref().map(listed::recorded);
            match self.engine.reconcile(user).await {
                Ok(summary) => {
                    // Settled by reading: the record now says what the cloud holds.
                    self.after_write(user, before);
                    self.unsettled.remove(user);
                    said.extend(summary);
                }
                Err(error) => {
                    self.unsettled.insert(user.to_owned(), error.to_string());
                    said.push(format!("Still not settled: {error}"));
                }
            }
        }
        let found = self.look_for_drift(user).await?;
        said.push(match found {
            0 => "Looked for changes made outside ramkey to this rotation: none.".to_owned(),
            1 => "1 change made outside ramkey: see above the steps.".to_owned(),
            n => format!("{n} changes made outside ramkey: see above the steps."),
        });
        let mut notice = said.join(" ");
        self.read_grants(user, &mut notice).await;
        Ok(Performed {
            snapshot: self.snapshot(),
            notice,
            new_secret: None,
        })
    }

    /// Keeps the listed keys as the cloud has them after ramkey's own write
    /// for `user`, whose record of the retired key stood at `before`.
    fn after_write(&mut self, user: &str, before: Option<listed::Recorded>) {
        let Some(plan) = self.engine.plan(user) else {
            return;
        };
        // A rotation started by this write had touched nothing before it.
        let before = before.unwrap_or(listed::Recorded::Untouched);
        if let Some(listed) = self.listed.iter_mut().find(|listed| listed.user == user) {
            listed.after_write(&plan, before);
        }
    }

    /// Reads the changes made outside ramkey to `user`'s open rotation and
    /// keeps them for the views; returns how many there are.
    async fn look_for_drift(&mut self, user: &str) -> Result<usize, EngineError> {
        self.key_gone.remove(user);
        self.key_active_again.remove(user);
        if self.engine.next_step(user).is_none() {
            self.drift.remove(user);
            return Ok(0);
        }
        let drift = self.engine.drift(user).await?;
        if let (Some(plan), Some(listed)) = (
            self.engine.plan(user),
            self.listed.iter_mut().find(|listed| listed.user == user),
        ) {
            listed.after_look(&plan, &drift);
        }
        if drift
            .iter()
            .any(|drift| matches!(drift, rotation::Drift::RetiredKeyGone { .. }))
        {
            self.key_gone.insert(user.to_owned());
        }
        if drift
            .iter()
            .any(|drift| matches!(drift, rotation::Drift::KeyReEnabled { .. }))
        {
            self.key_active_again.insert(user.to_owned());
        }
        let found: Vec<DriftView> = drift
            .iter()
            .map(|drift| DriftView {
                what: drift.describe(),
                advice: drift.advice().to_owned(),
            })
            .collect();
        let count = found.len();
        self.drift.insert(user.to_owned(), found);
        Ok(count)
    }
}

impl Backend for EngineBackend {
    async fn perform(&mut self, effect: Effect) -> Result<Performed, ErrorView> {
        let doing = super::app::describe(&effect);
        let user = effect.user.clone();
        let error = match self.run(effect).await {
            Ok(performed) => return Ok(performed),
            Err(error) => error,
        };
        let mut view = error_view(&doing, &error);
        if view.code.as_deref() == Some(TOKEN_EXPIRED) {
            let report = self.engine.client().credential_report();
            view.hint = Some(expired_token_hint(&report, &self.state_path()));
        }
        // An engine refusal (the network answered) may come from a change
        // made outside ramkey: look, so the panel shows it. A cloud failure
        // would only fail the look too, after its retries.
        if error.cloud().is_none() && self.look_for_drift(&user).await.is_ok() {
            view.drift = self.drift.get(&user).cloned();
        }
        Err(view)
    }
}

/// The wizard's request as the engine's action; typed names pass through
/// unchanged, for the engine to check itself.
pub fn to_call(request: Request) -> Call {
    let action = match request {
        Request::CheckDrift => return Call::Check,
        Request::ReadPermissions => return Call::ReadPermissions,
        Request::DisableAgain { typed_user, .. } => {
            Action::DisableAgain(Confirmation::typed(typed_user))
        }
        Request::ReEnableKey {
            reason, typed_user, ..
        } => Action::ReEnableKey {
            confirmation: Confirmation::typed(typed_user),
            reason,
        },
        Request::Start { path, key_id } => Action::Start(match path {
            PathKind::DisableIdle => rotation::Start::DisableIdle { key_id },
            PathKind::MoveToNewUser => rotation::Start::MoveToNewUser { key_id },
        }),
        Request::StartOverride { key_id, statement } => {
            Action::Start(rotation::Start::DisableOverride { key_id, statement })
        }
        Request::AcknowledgeReview => Action::ConfirmReview,
        Request::DisableKey { typed_user, .. } => {
            Action::DisableKey(Confirmation::typed(typed_user))
        }
        Request::DeleteKey { typed_user, .. } => Action::DeleteKey(Confirmation::typed(typed_user)),
        Request::ChooseName { new_user } => Action::SetName(new_user),
        Request::CreateUser => Action::CreateUser,
        Request::CopyPermissions { policies, groups } => {
            let mut grants: Vec<Grant> = policies
                .into_iter()
                .map(|policy| Grant::Policy {
                    policy_name: policy.name,
                    policy_type: policy.policy_type,
                })
                .collect();
            grants.extend(
                groups
                    .into_iter()
                    .map(|group_name| Grant::Group { group_name }),
            );
            Action::CopyPermissions(grants)
        }
        Request::CreateAccessKey => Action::CreateKey,
        Request::ReplaceLostKey { typed_user } => {
            Action::ReplaceLostKey(Confirmation::typed(typed_user))
        }
        Request::ConfirmSecretStored => Action::ConfirmSecretStored,
        Request::SecretNotStored { typed_user } => {
            Action::SecretNotStored(Confirmation::typed(typed_user))
        }
        Request::ReadSwapEvidence => return Call::ReadEvidence,
        Request::JumpClock { seconds } => return Call::JumpClock(seconds),
        Request::ConfirmStaging => Action::ConfirmStaging,
        Request::ConfirmProduction => Action::ConfirmProduction,
        Request::VerifyKey { secret } => Action::VerifyKey(secret),
        Request::DetachPolicies {
            policies,
            typed_user,
        } => {
            let confirmation = if policies.is_empty() {
                Confirmation::none()
            } else {
                Confirmation::typed(typed_user)
            };
            let policies = policies
                .into_iter()
                .map(|policy| rotation::PolicyRef {
                    policy_name: policy.name,
                    policy_type: policy.policy_type,
                })
                .collect();
            Action::DetachPolicies {
                policies,
                confirmation,
            }
        }
    };
    Call::Perform(action)
}

/// The start's settle results as the first dialog tells them, and the
/// users whose write could not be settled (their step stays blocked).
fn settle(
    results: Vec<(String, Result<Option<String>, EngineError>)>,
) -> (Vec<Settled>, HashMap<String, String>) {
    let mut settled = Vec::new();
    let mut unsettled = HashMap::new();
    for (user, result) in results {
        match result {
            Ok(Some(summary)) => settled.push(Settled::Done { user, summary }),
            Ok(None) => {}
            Err(error) => {
                let error = error.to_string();
                unsettled.insert(user.clone(), error.clone());
                settled.push(Settled::Failed { user, error });
            }
        }
    }
    (settled, unsettled)
}

/// Why a step waits for an earlier run's write to be settled.
fn unsettled_reason(error: &str) -> String {
    format!(
        "ramkey could not check the write an earlier run left in flight ({error}); \
         it checks again when you reopen this screen (Esc, then Enter)"
    )
}

/// Who ramkey is, in the findings screen's words. The demo signs with the
/// sandbox's own caller key, which is permanent but no cause for a warning.
pub fn identity(caller: &CallerIdentity, report: &CredentialReport, demo: bool) -> Identity {
    let credentials = if demo {
        "demo sandbox key".to_owned()
    } else {
        format!("{} {}", report.kind, report.source)
    };
    Identity {
        arn: caller.arn.clone(),
        identity_type: caller.identity_type.clone(),
        credentials,
        access_key_id: report.access_key_id.clone(),
        expires_at: report.expires_at,
        renewed: report.kind.renews(),
        warning: report.warning().filter(|_| !demo),
    }
}

/// An engine error in the words of the error dialog.
pub fn error_view(doing: &str, error: &EngineError) -> ErrorView {
    let cloud = error.cloud();
    // A plain cloud failure reads best in the service's words; the engine's
    // own errors (the key limit with the keys holding it) in ramkey's.
    let api = match error {
        EngineError::Cloud { source, .. } => source.api(),
        _ => None,
    };
    ErrorView {
        doing: format!("{doing}: not done."),
        code: cloud.and_then(CloudError::code).map(str::to_owned),
        message: match (api, error) {
            (Some(api), _) => api.message_without_string_to_sign().to_owned(),
            // The dialog says what was being done and that it was not done.
            (None, EngineError::Cloud { source, .. }) => source.to_string(),
            (None, _) => error.to_string(),
        },
        request_id: cloud.and_then(CloudError::request_id).map(str::to_owned),
        hint: cloud.and_then(CloudError::hint),
        offer: offer(error),
        drift: error.drift().map(|drift| {
            vec![DriftView {
                what: drift.describe(),
                advice: drift.advice().to_owned(),
            }]
        }),
    }
}

/// What the wizard can do about `error` itself. Keys on the new user that
/// ramkey has no secret for, whether found after a lost answer or left by
/// an earlier run, are useless either way: they go, a fresh key comes.
fn offer(error: &EngineError) -> Option<Box<Offer>> {
    match error {
        EngineError::SecretLost { user, key_ids }
        | EngineError::UnrecordedKeys { user, key_ids } => Some(Box::new(Offer::ReplaceLostKey {
            new_user: user.clone(),
            key_ids: key_ids.clone(),
        })),
        // Only the new user's CreateAccessKey meets the limit: its keys
        // appeared after ramkey looked, so ramkey never showed their secret.
        EngineError::KeyLimit { user, held, .. } => Some(Box::new(Offer::ReplaceLostKey {
            new_user: user.clone(),
            key_ids: held.iter().map(|key| key.access_key_id.clone()).collect(),
        })),
        EngineError::WrongSecret { key_id, .. } | EngineError::SecretNeeded { key_id } => {
            Some(Box::new(Offer::PasteSecret {
                key_id: key_id.clone(),
            }))
        }
        EngineError::DryRun { calls } => Some(Box::new(Offer::DryRun {
            calls: calls.iter().map(ToString::to_string).collect(),
        })),
        _ => None,
    }
}

/// What to do when the service calls ramkey's STS token expired. Renewable
/// credentials are fetched afresh for the next call (the client marked
/// them stale), so trying again is enough; a token ramkey cannot renew
/// needs new credentials and a restart over the same state file.
pub fn expired_token_hint(report: &CredentialReport, state_file: &str) -> String {
    if report.kind.renews() {
        return format!(
            "the STS token expired before ramkey renewed it; ramkey fetches fresh {} \
             credentials for the next call. Close this box and run the step again.\n\
             Progress so far is saved in {state_file}.",
            report.kind
        );
    }
    format!(
        "the STS token ramkey signs with ({} {}) has expired and ramkey cannot renew it.\n\
         Progress so far is saved in {state_file}.\n\
         Get fresh STS credentials (AccessKey ID, secret and token together), quit (Esc, then \
         q), and start ramkey again with them and --state {state_file}: it resumes at this \
         step.",
        report.kind, report.source
    )
}

/// A user no longer flagged (its rotation disabled a key): its keys as the
/// cloud lists them now, judged the way the scan judges them.
async fn listed_from_cloud(
    engine: &Engine,
    plan: &rotation::RotationView,
    now: DateTime<Utc>,
) -> Result<Listed, EngineError> {
    let client = engine.client();
    let cloud = |source| EngineError::Cloud {
        doing: format!("reading the keys of {}", plan.user),
        source,
    };
    let user = client.get_user(&plan.user).await.map_err(cloud)?;
    let keys = client.list_access_keys(&plan.user).await.map_err(cloud)?;
    let mut views = Vec::with_capacity(keys.len());
    for key in &keys {
        let last_used = client
            .get_access_key_last_used(&plan.user, &key.access_key_id)
            .await
            .map_err(cloud)?;
        views.push(listed::listed_key(
            key,
            last_used,
            now,
            engine.options().idle_days,
        ));
    }
    Ok(Listed {
        user: plan.user.clone(),
        display_name: user.display_name,
        keys: views,
        recommendation: match plan.path {
            rotation::PathKind::DisableIdle => Recommendation::DisableIdle,
            rotation::PathKind::MoveToNewUser => Recommendation::MoveToNewUser,
        },
        kms_secret: None,
    })
}

fn path_kind(path: rotation::PathKind) -> PathKind {
    match path {
        rotation::PathKind::DisableIdle => PathKind::DisableIdle,
        rotation::PathKind::MoveToNewUser => PathKind::MoveToNewUser,
    }
}

fn step_status(status: &rotation::StepStatus) -> StepStatus {
    match status {
        rotation::StepStatus::Done {
            at, request_ids, ..
        } => StepStatus::Done {
            at: *at,
            request_id: request_ids.first().cloned(),
        },
        rotation::StepStatus::Current
        | rotation::StepStatus::Waiting { .. }
        | rotation::StepStatus::Pending => StepStatus::Pending,
    }
}

fn policy_refs(permissions: &UserPermissions) -> Vec<PolicyRef> {
    permissions
        .policies
        .iter()
        .map(|policy| PolicyRef {
            name: policy.policy_name.clone(),
            policy_type: policy.policy_type,
        })
        .collect()
}

/// The engine's grants in the wizard's terms.
fn grant_set(grants: &[Grant]) -> GrantSet {
    let mut set = GrantSet::default();
    for grant in grants {
        match grant {
            Grant::Policy {
                policy_name,
                policy_type,
            } => set.policies.push(PolicyRef {
                name: policy_name.clone(),
                policy_type: *policy_type,
            }),
            Grant::Group { group_name } => set.groups.push(group_name.clone()),
        }
    }
    set
}

/// A user's policies and groups, for its screen.
fn user_grants(permissions: &UserPermissions) -> GrantSet {
    GrantSet {
        policies: policy_refs(permissions),
        groups: group_names(permissions),
    }
}

fn group_names(permissions: &UserPermissions) -> Vec<String> {
    permissions
        .groups
        .iter()
        .map(|group| group.group_name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::ApiError;
    use crate::cloud::model::PolicyType;

    fn policy(name: &str) -> PolicyRef {
        PolicyRef {
            name: name.to_owned(),
            policy_type: PolicyType::Custom,
        }
    }

    #[test]
    fn typed_names_reach_the_engine_unchanged() {
        let action = to_call(Request::DisableKey {
            key_id: "K".to_owned(),
            typed_user: "app-user".to_owned(),
        });
        assert_eq!(
            action,
            Call::Perform(Action::DisableKey(Confirmation::typed("app-user")))
        );
    }

    #[test]
    fn detaching_nothing_needs_no_confirmation_but_detaching_something_does() {
        let none = to_call(Request::DetachPolicies {
            policies: vec![],
            typed_user: "app-user".to_owned(),
        });
        assert_eq!(
            none,
            Call::Perform(Action::DetachPolicies {
                policies: vec![],
                confirmation: Confirmation::none()
            })
        );
        let some = to_call(Request::DetachPolicies {
            policies: vec![policy("p1")],
            typed_user: "app-user".to_owned(),
        });
        let Call::Perform(Action::DetachPolicies { confirmation, .. }) = some else {
            panic!("{some:?}")
        };
        assert!(confirmation.confirms("app-user"));
    }

    #[test]
    fn a_look_is_no_engine_action_and_a_rollback_carries_the_typed_name_and_reason() {
        assert_eq!(to_call(Request::CheckDrift), Call::Check);
        let call = to_call(Request::ReEnableKey {
            key_id: "K".to_owned(),
            reason: Some("billing export 403".to_owned()),
            typed_user: "app-user".to_owned(),
        });
        let Call::Perform(Action::ReEnableKey {
            confirmation,
            reason,
        }) = call
        else {
            panic!("{call:?}")
        };
        assert!(confirmation.confirms("app-user"));
        assert_eq!(reason.as_deref(), Some("billing export 403"));
        assert!(!Request::CheckDrift.writes());
        assert!(
            Request::AcknowledgeReview.writes(),
            "it saves the state file"
        );
    }

    #[test]
    fn what_the_start_settled_is_told_and_a_failure_blocks_that_user() {
        let results = vec![
            ("quiet".to_owned(), Ok(None)),
            (
                "app".to_owned(),
                Ok(Some(
                    "ramkey was interrupted during CreateUser for app-v2".to_owned(),
                )),
            ),
            (
                "bob".to_owned(),
                Err(EngineError::NoRotation {
                    user: "bob".to_owned(),
                }),
            ),
        ];
        let (settled, unsettled) = settle(results);
        assert_eq!(
            settled,
            vec![
                Settled::Done {
                    user: "app".to_owned(),
                    summary: "ramkey was interrupted during CreateUser for app-v2".to_owned(),
                },
                Settled::Failed {
                    user: "bob".to_owned(),
                    error: "bob has no rotation in progress; start one from its finding first"
                        .to_owned(),
                },
            ]
        );
        assert_eq!(unsettled.keys().collect::<Vec<_>>(), ["bob"]);
        assert!(unsettled_reason(&unsettled["bob"]).contains("could not check the write"));
    }

    #[test]
    fn ticked_policies_and_groups_become_grants_with_their_type() {
        let action = to_call(Request::CopyPermissions {
            policies: vec![policy("deploy")],
            groups: vec!["ops".to_owned()],
        });
        assert_eq!(
            action,
            Call::Perform(Action::CopyPermissions(vec![
                Grant::Policy {
                    policy_name: "deploy".to_owned(),
                    policy_type: PolicyType::Custom
                },
                Grant::Group {
                    group_name: "ops".to_owned()
                },
            ]))
        );
    }

    #[test]
    fn an_api_error_shows_code_message_request_id_and_hint() {
        let mut api = ApiError::new(
            "SignatureDoesNotMatch",
            "The signature does not match.",
            400,
        );
        api.request_id = Some("REQ-9".to_owned());
        let error = EngineError::Cloud {
            doing: "disabling K".to_owned(),
            source: CloudError::from(api),
        };
        let view = error_view("Disabling key K of app-user", &error);
        assert_eq!(view.code.as_deref(), Some("SignatureDoesNotMatch"));
        assert_eq!(view.message, "The signature does not match.");
        assert_eq!(view.request_id.as_deref(), Some("REQ-9"));
        assert!(
            view.hint.is_some(),
            "a signature error always comes with a hint"
        );
        assert!(view.doing.starts_with("Disabling key K"));
    }

    #[test]
    fn an_engine_refusal_shows_its_own_sentence() {
        let error = EngineError::ConfirmationMismatch {
            user: "app-user".to_owned(),
        };
        let view = error_view("Disabling key K of app-user", &error);
        assert_eq!(view.code, None);
        assert!(
            view.message
                .contains("type the user name exactly: app-user")
        );
        assert_eq!(view.offer, None);
    }

    #[test]
    fn keys_without_a_secret_on_the_new_user_come_with_the_offer_to_replace_them() {
        let key_ids = vec!["LTAI5tLost".to_owned()];
        let expected = Offer::ReplaceLostKey {
            new_user: "app-user-v2".to_owned(),
            key_ids: key_ids.clone(),
        };
        for error in [
            EngineError::SecretLost {
                user: "app-user-v2".to_owned(),
                key_ids: key_ids.clone(),
            },
            EngineError::UnrecordedKeys {
                user: "app-user-v2".to_owned(),
                key_ids: key_ids.clone(),
            },
        ] {
            let view = error_view("Creating the new AccessKey", &error);
            assert_eq!(view.offer.as_deref(), Some(&expected), "{error:?}");
        }
    }

    #[test]
    fn a_key_limit_shows_the_code_the_keys_holding_the_slots_and_offers_to_replace_them() {
        let mut api = ApiError::new(
            "LimitExceeded.User.AccessKey",
            "The access key count of the user access keys beyond the current limits.",
            409,
        );
        api.request_id = Some("REQ-409".to_owned());
        let held = ["LTAI5tOne", "LTAI5tTwo"].map(|id| crate::cloud::model::AccessKey {
            access_key_id: id.to_owned(),
            status: crate::cloud::model::KeyStatus::Inactive,
            create_date: None,
        });
        let error = EngineError::KeyLimit {
            user: "app-user-v2".to_owned(),
            held: held.to_vec(),
            source: CloudError::from(api),
        };

        let view = error_view("Creating the new AccessKey", &error);

        assert_eq!(view.code.as_deref(), Some("LimitExceeded.User.AccessKey"));
        assert_eq!(view.request_id.as_deref(), Some("REQ-409"));
        assert!(
            view.message
                .contains("LTAI5tOne (Inactive), LTAI5tTwo (Inactive)"),
            "{}",
            view.message
        );
        assert!(
            view.hint
                .unwrap_or_default()
                .contains("disabling it does not")
        );
        let expected = Offer::ReplaceLostKey {
            new_user: "app-user-v2".to_owned(),
            key_ids: vec!["LTAI5tOne".to_owned(), "LTAI5tTwo".to_owned()],
        };
        assert_eq!(view.offer.as_deref(), Some(&expected));
    }
}
