//! What the wizard shows, as plain data: the flagged users, their keys and
//! the steps of each rotation, already in the words the screens use.
//!
//! The bridge to the engine ([`super::engine_bridge`]) fills these in; the
//! screens only read them, so they can be drawn and tested without a cloud,
//! a state file or an engine. Depends on nothing in ramkey but [`Secret`].

use chrono::{DateTime, Utc};

use crate::secret::Secret;

/// The top line: whose account and which state file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The account id (from GetCallerIdentity).
    pub account_id: String,
    /// Where progress is saved.
    pub state_file: String,
    /// Running against the built-in sandbox (`ramkey demo`).
    pub demo: bool,
    /// Who ramkey is signed in as, for the findings screen.
    pub identity: Identity,
    /// Why nothing may be written (the state file is of a newer schema),
    /// in the engine's words; every screen shows it and every write is
    /// refused with it.
    pub read_only: Option<String>,
    /// A dry run (`--dry-run`): every write is shown as the call it would
    /// make and none is sent; the header and a banner say so.
    pub dry_run: bool,
    /// Days without use after which an Active key is idle (`--idle-days`):
    /// the evidence on the user's screen names it.
    pub idle_days: u32,
}

/// Who ramkey is and what it signs with, as the findings screen states it
/// before anything changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The caller's ARN (from GetCallerIdentity).
    pub arn: String,
    /// `IdentityType`, e.g. `RAMUser` or `AssumedRoleUser`; may be empty.
    pub identity_type: String,
    /// The credential's kind and source, e.g. "RamRoleArn profile `prod`
    /// from ~/.aliyun/config.json", or "demo sandbox key".
    pub credentials: String,
    /// The AccessKey ID signing at the start (`STS.…` for STS credentials).
    pub access_key_id: Option<String>,
    /// When the STS token in use at the start expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether ramkey fetches fresh STS credentials before then.
    pub renewed: bool,
    /// What the admin should know first, e.g. that a permanent AccessKey
    /// signs; shown highlighted.
    pub warning: Option<String>,
}

/// Everything the screens draw from, replaced whole after each engine call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Flagged users, in scan order.
    pub users: Vec<UserView>,
    /// When the views were taken, by the engine's clock: tells the wizard
    /// whether a deletion is due without reading the clock itself.
    pub taken_at: DateTime<Utc>,
}

impl Snapshot {
    /// The user named `user_name`.
    pub fn user(&self, user_name: &str) -> Option<&UserView> {
        self.users.iter().find(|user| user.user_name == user_name)
    }
}

/// One flagged user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserView {
    /// `UserName`.
    pub user_name: String,
    /// `DisplayName`, often Chinese; may be empty.
    pub display_name: String,
    /// The keys the scan found Active (and their status now), or, for a
    /// user listed for its rotation, every key the cloud holds.
    pub keys: Vec<KeyView>,
    /// The path the scan recommends.
    pub recommendation: Recommendation,
    /// The rotation in progress, if one was started.
    pub rotation: Option<RotationView>,
    /// Changes made outside ramkey since its records, as last checked;
    /// `None` until checked.
    pub drift: Option<Vec<DriftView>>,
    /// What the findings table marks on the row: exempt, KMS-managed,
    /// ramkey's own key.
    pub marks: Vec<RowMark>,
    /// How fresh the row's data is: the scan report's `data_as_of` (the
    /// credential report's generation time, or the scan's time); `None`
    /// while the scan still runs.
    pub data_as_of: Option<DateTime<Utc>>,
    /// The user's attached policies and groups, as last read; `None` until
    /// read (when a rotation opens or after its steps).
    pub grants: Option<GrantSet>,
}

/// Something the admin must know about a row before acting on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowMark {
    /// The admin exempted the user (`--exempt` or the config file).
    Exempt {
        /// Why, as the admin wrote it.
        reason: String,
    },
    /// A key of the user is rotated by KMS (a managed RAM secret): ramkey
    /// leaves its rotation to KMS.
    KmsManaged {
        /// The KMS secret's name.
        secret: String,
    },
    /// One of the user's keys is the one ramkey signs with (BC-11).
    OwnKey {
        /// That key.
        access_key_id: String,
    },
}

impl RowMark {
    /// The mark as the table shows it, e.g. "exempt: rotated by the vault".
    pub fn label(&self) -> String {
        match self {
            RowMark::Exempt { reason } if reason.is_empty() => "exempt".to_owned(),
            RowMark::Exempt { reason } => format!("exempt: {reason}"),
            RowMark::KmsManaged { secret } => format!("KMS-managed (secret {secret})"),
            RowMark::OwnKey { access_key_id } => format!("ramkey's own key {access_key_id}"),
        }
    }
}

/// One change made outside ramkey (in the console, by a colleague), in the
/// engine's words: shown, never overwritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftView {
    /// What changed, e.g. "key LTAI… of app is Active again".
    pub what: String,
    /// What the admin should do about it.
    pub advice: String,
}

#[cfg(test)]
impl UserView {
    /// A listed user with `keys`, nothing started, for unit tests.
    pub fn listed(name: &str, display_name: &str, keys: Vec<KeyView>) -> Self {
        UserView {
            user_name: name.to_owned(),
            display_name: display_name.to_owned(),
            keys,
            recommendation: Recommendation::Review,
            rotation: None,
            drift: None,
            marks: Vec::new(),
            data_as_of: None,
            grants: None,
        }
    }
}

#[cfg(test)]
impl KeyView {
    /// An Active key as the scan saw it, for unit tests.
    pub fn seen(id: &str, verdict: Verdict, last_used: Option<DateTime<Utc>>) -> Self {
        KeyView {
            access_key_id: id.to_owned(),
            verdict,
            disagreement: None,
            last_used,
            reason: None,
            used_by_ramkey: false,
        }
    }
}

impl UserView {
    /// Whether the cloud has two of the user's keys Active now (the
    /// finding); a user listed only for its rotation holds fewer.
    pub fn holds_two_active(&self) -> bool {
        self.keys
            .iter()
            .filter(|key| key.verdict.is_active())
            .count()
            == 2
    }

    /// The KMS secret managing the user's keys, when one does.
    pub fn kms_secret(&self) -> Option<&str> {
        self.marks.iter().find_map(|mark| match mark {
            RowMark::KmsManaged { secret } => Some(secret.as_str()),
            RowMark::Exempt { .. } | RowMark::OwnKey { .. } => None,
        })
    }

    /// Whether the user's rotation has steps left.
    pub fn rotation_in_progress(&self) -> bool {
        self.rotation
            .as_ref()
            .is_some_and(|rotation| rotation.current().is_some())
    }

    /// "3/7 steps", "not started", "waiting for deletion" or, for a user
    /// KMS manages, its secret: the list column.
    pub fn progress(&self) -> String {
        match (&self.rotation, self.kms_secret()) {
            (None, Some(secret)) => format!("KMS-managed by {secret}, never disabled by ramkey"),
            (None, None) => "not started".to_owned(),
            (Some(rotation), _) => rotation.progress(),
        }
    }
}

/// How a key stands in the cloud, and how an Active one was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Active, not used for longer than the idle threshold.
    Idle,
    /// Active, used recently.
    InUse,
    /// Active, no usable last-use date.
    Unknown,
    /// Inactive in the cloud.
    Disabled,
    /// No longer in the cloud.
    Deleted,
}

impl Verdict {
    /// The word shown in the list.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Idle => "idle",
            Verdict::InUse => "in use",
            Verdict::Unknown => "unknown",
            Verdict::Disabled => "disabled",
            Verdict::Deleted => "deleted",
        }
    }

    /// Whether the cloud has the key Active.
    pub fn is_active(self) -> bool {
        matches!(self, Verdict::Idle | Verdict::InUse | Verdict::Unknown)
    }
}

/// One key of a listed user, as the cloud has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyView {
    /// `AccessKeyId`.
    pub access_key_id: String,
    /// Its status in the cloud (from the scan, then as ramkey's own writes
    /// and its looks for changes left it) and, when Active, the verdict.
    pub verdict: Verdict,
    /// Where ramkey's records say otherwise, in the list's words, e.g.
    /// "Active (ramkey disabled it: changed outside ramkey)".
    pub disagreement: Option<String>,
    /// Last use, when known.
    pub last_used: Option<DateTime<Utc>>,
    /// Why the scan judged it so, e.g. "no last-use date; created
    /// 2026-12-02, 1 day ago: too new to judge"; `None` in fixtures.
    pub reason: Option<String>,
    /// The key ramkey signs its own calls with: never disabled or deleted
    /// by it.
    pub used_by_ramkey: bool,
}

/// What the scan suggests doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recommendation {
    /// One key is idle: disable it, delete it later.
    DisableIdle,
    /// Both are in use: move one application to a new user.
    MoveToNewUser,
    /// Not enough evidence to choose; the admin decides.
    Review,
    /// KMS is rotating the keys: nothing to do.
    KmsRotating,
    /// The KMS rotation is stuck: mend it in KMS (RotateSecret), never by hand.
    FixKmsRotation,
}

impl Recommendation {
    /// The words shown in the list and on the rotation screen.
    pub fn label(self) -> &'static str {
        match self {
            Recommendation::DisableIdle => "disable idle key",
            Recommendation::MoveToNewUser => "move to new user",
            Recommendation::Review => "review",
            Recommendation::KmsRotating => "KMS rotating",
            Recommendation::FixKmsRotation => "fix KMS rotation",
        }
    }
}

/// Which of the two remediation paths a rotation follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    /// Disable the idle key, delete it after the wait.
    DisableIdle,
    /// Move one application to a new user, then retire its old key.
    MoveToNewUser,
}

impl PathKind {
    /// The path's name on screen.
    pub fn label(self) -> &'static str {
        match self {
            PathKind::DisableIdle => "disable idle key",
            PathKind::MoveToNewUser => "move to new user",
        }
    }
}

/// One user's rotation: its path and every step, done or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationView {
    /// The path followed.
    pub path: PathKind,
    /// The steps in order.
    pub steps: Vec<StepView>,
    /// Why the current step cannot be done now, when it cannot (e.g. ramkey
    /// signs with the key it would disable).
    pub blocked: Option<String>,
    /// The write call an earlier run left in flight, e.g. "UpdateAccessKey
    /// key LTAI… of app (Inactive)": checked by reading before the next step.
    pub pending: Option<String>,
    /// Days between the disable and the deletion, for this rotation.
    pub wait_days: u32,
    /// How many times the old key was re-enabled because an application broke.
    pub rollbacks: usize,
    /// The last look found the old key gone (deleted outside ramkey): its
    /// disable or delete step then records it as such, without waiting.
    pub retired_key_gone: bool,
    /// The last look found the disabled old key Active again: it can only
    /// be disabled again, with a new waiting period, or rolled back.
    pub retired_key_active_again: bool,
    /// The new key (move path) from its creation until the old key is
    /// disabled: whether it was seen to work (BC-12).
    pub new_key: Option<NewKeyView>,
    /// What a finished move did, for its closing summary.
    pub summary: Option<MoveSummaryView>,
    /// The evidence last read for the swap the rotation waits for
    /// (staging or production), until that swap is confirmed.
    pub swap_evidence: Option<SwapEvidenceView>,
    /// The write calls the current step will make, exactly as sent, e.g.
    /// `UpdateAccessKey UserName=app UserAccessKeyId=LTAI… Status=Inactive`
    /// (none for a step that only records).
    pub next_calls: Vec<String>,
}

/// What ramkey read before a swap confirmation, in the engine's words: the
/// new key's first use and whether the old key was used since the swap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwapEvidenceView {
    /// `Evidence read 10:42:05 UTC (the staging swap began 10:41:50 UTC):`,
    /// or why it could not be read.
    pub heading: String,
    /// Each fact, and whether it argues against confirming now.
    pub facts: Vec<EvidenceFact>,
    /// Confirm, or wait and why.
    pub advice: String,
    /// Whether the evidence supports confirming: only then is yes the
    /// default answer.
    pub supports_confirming: bool,
}

/// One fact of the swap evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFact {
    /// The sentence.
    pub text: String,
    /// Whether it argues against confirming now (drawn as a warning).
    pub warning: bool,
}

/// The new key and whether it was seen to work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKeyView {
    /// `AccessKeyId`.
    pub key_id: String,
    /// What its checks found.
    pub check: NewKeyCheck,
    /// Whether ramkey holds its secret in memory (created or pasted in
    /// this run); if not, a new check asks for it.
    pub secret_held: bool,
}

/// What checking the new key found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewKeyCheck {
    /// Never checked (an older state file, or the check was interrupted).
    NotChecked,
    /// Still refused when the cap passed.
    NotYetVerified {
        /// Attempts so far.
        attempts: u32,
        /// The last one.
        last_tried: DateTime<Utc>,
    },
    /// It signed a read as the new user.
    Verified {
        /// When.
        at: DateTime<Utc>,
        /// Attempts it took.
        attempts: u32,
    },
}

impl NewKeyView {
    /// Whether the key was seen to work.
    pub fn is_verified(&self) -> bool {
        matches!(self.check, NewKeyCheck::Verified { .. })
    }
}

impl RotationView {
    /// The first step not done, if any.
    pub fn current(&self) -> Option<usize> {
        self.steps
            .iter()
            .position(|step| !matches!(step.status, StepStatus::Done { .. }))
    }

    /// The list column: a count, or the waiting state by name.
    pub fn progress(&self) -> String {
        let done = self
            .steps
            .iter()
            .filter(|step| matches!(step.status, StepStatus::Done { .. }))
            .count();
        match self.current().map(|i| &self.steps[i].kind) {
            None => "finished".to_owned(),
            Some(StepKind::DeleteKey { due, .. }) => {
                format!("waiting for deletion (due {})", due.format("%Y-%m-%d"))
            }
            Some(_) => format!("{done}/{} steps", self.steps.len()),
        }
    }
}

/// Where a step stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepStatus {
    /// Done at this time, with the RequestId of its call when it made one.
    Done {
        /// When it was recorded.
        at: DateTime<Utc>,
        /// The write call's RequestId.
        request_id: Option<String>,
    },
    /// Not done yet.
    Pending,
}

/// A policy as the wizard names it: the type travels with the name, because
/// attach and detach must pass the same `PolicyType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRef {
    /// `PolicyName`.
    pub name: String,
    /// `System` or `Custom`.
    pub policy_type: crate::cloud::model::PolicyType,
}

/// Some policies and groups, e.g. those chosen or already copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantSet {
    /// Policies.
    pub policies: Vec<PolicyRef>,
    /// Group names.
    pub groups: Vec<String>,
}

/// What a step does, with what the wizard needs to explain and run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepKind {
    /// Look at the evidence before anything changes.
    Review {
        /// The key the path will retire.
        key_id: String,
    },
    /// UpdateAccessKey to Inactive; destructive.
    DisableKey {
        /// The key.
        key_id: String,
    },
    /// Record when the disabled key may be deleted (done with the disable).
    ScheduleDeletion {
        /// The key.
        key_id: String,
        /// Days from now.
        wait_days: u32,
    },
    /// Re-check the key stayed unused, then DeleteAccessKey; destructive.
    DeleteKey {
        /// The key.
        key_id: String,
        /// Not before this date.
        due: DateTime<Utc>,
        /// Days after the disable that date is.
        wait_days: u32,
    },
    /// Choose and validate the new user's name.
    ChooseName {
        /// Suggested from the original user's name.
        suggested: String,
    },
    /// CreateUser.
    CreateUser {
        /// The chosen name.
        new_user: String,
    },
    /// AttachPolicyToUser and AddUserToGroup for each ticked item.
    CopyPermissions {
        /// The new user.
        new_user: String,
        /// The original user's attached policies.
        policies: Vec<PolicyRef>,
        /// The original user's groups.
        groups: Vec<String>,
        /// The admin's recorded choice, when an earlier run made it.
        chosen: Option<GrantSet>,
        /// The grants already made on the new user (by an earlier run).
        copied: GrantSet,
    },
    /// CreateAccessKey for the new user; the secret is shown once.
    CreateAccessKey {
        /// The new user.
        new_user: String,
    },
    /// The admin says the new secret is stored (it is shown only once).
    ConfirmSecretStored {
        /// The new key.
        new_key_id: String,
    },
    /// The admin confirms staging uses the new key.
    ConfirmStaging {
        /// The new key.
        new_key_id: String,
    },
    /// The admin confirms production uses the new key.
    ConfirmProduction {
        /// The new key.
        new_key_id: String,
    },
    /// DetachPolicyFromUser for the policies the admin picks; destructive.
    DetachPolicies {
        /// The original user's attached policies.
        policies: Vec<PolicyRef>,
    },
}

/// One step of a rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepView {
    /// What it does.
    pub kind: StepKind,
    /// Done or pending.
    pub status: StepStatus,
}

/// What the admin asked the engine to do; the bridge turns it into an
/// engine action. Destructive requests carry the user name as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Begin a rotation on this path, retiring this key.
    Start {
        /// The path.
        path: PathKind,
        /// The key to retire (disable, or move away from).
        key_id: String,
    },
    /// Begin disabling a key not judged idle, on the admin's typed
    /// statement of what they know (the engine checks it again).
    StartOverride {
        /// The key, judged in use or unknown.
        key_id: String,
        /// What the admin typed: the whole key id and a reason.
        statement: String,
    },
    /// Review done, go ahead.
    AcknowledgeReview,
    /// Disable a key.
    DisableKey {
        /// The key.
        key_id: String,
        /// The user name as the admin typed it.
        typed_user: String,
    },
    /// Re-check and delete a key.
    DeleteKey {
        /// The key.
        key_id: String,
        /// The user name as the admin typed it.
        typed_user: String,
    },
    /// Use this name for the new user.
    ChooseName {
        /// The validated name.
        new_user: String,
    },
    /// Create the new user.
    CreateUser,
    /// Copy these to the new user.
    CopyPermissions {
        /// Ticked policies.
        policies: Vec<PolicyRef>,
        /// Ticked groups.
        groups: Vec<String>,
    },
    /// Create the new user's key.
    CreateAccessKey,
    /// Delete the new user's keys whose secret ramkey never showed, then
    /// create its key afresh.
    ReplaceLostKey {
        /// The new user's name as the admin typed it.
        typed_user: String,
    },
    /// The new secret is stored.
    ConfirmSecretStored,
    /// The new secret was lost before it was stored: delete that key and
    /// create a fresh one.
    SecretNotStored {
        /// The new user's name as the admin typed it.
        typed_user: String,
    },
    /// Look for changes made outside ramkey (reads only; writes nothing).
    CheckDrift,
    /// Read the policies and groups of a user no rotation has started for,
    /// so its screen shows them before anything is chosen (reads only).
    ReadPermissions,
    /// Disable the old key again (it is Active again or was used after the
    /// disable) and restart the waiting period.
    DisableAgain {
        /// The key.
        key_id: String,
        /// The user name as the admin typed it.
        typed_user: String,
    },
    /// An application broke: re-enable the disabled old key.
    ReEnableKey {
        /// The key.
        key_id: String,
        /// What broke, as the admin put it (recorded with the rollback).
        reason: Option<String>,
        /// The user name as the admin typed it.
        typed_user: String,
    },
    /// Read the last use of the new and the old key before a swap is
    /// confirmed (reads only; writes nothing).
    ReadSwapEvidence,
    /// `ramkey demo` only: move the clock the sandbox and the engine share
    /// this many seconds ahead (changes no state file and no account).
    JumpClock {
        /// How far.
        seconds: i64,
    },
    /// Staging swapped.
    ConfirmStaging,
    /// Production swapped.
    ConfirmProduction,
    /// Check the new key works; with the secret the admin pasted when
    /// ramkey no longer holds it.
    VerifyKey {
        /// The pasted secret, if asked for.
        secret: Option<Secret>,
    },
    /// Detach these from the original user.
    DetachPolicies {
        /// Ticked policies.
        policies: Vec<PolicyRef>,
        /// The user name as the admin typed it.
        typed_user: String,
    },
}

impl Request {
    /// Whether ramkey may leave this call unfinished when it quits: a read,
    /// or the new key's check (its outcome is recorded in one go at its
    /// end, and the next run checks again).
    pub fn may_be_left(&self) -> bool {
        !self.writes() || matches!(self, Request::VerifyKey { .. })
    }

    /// Whether this is a read the wizard makes on its own when a user's
    /// screen opens: a key pressed meanwhile waits for it, then acts.
    pub fn is_look(&self) -> bool {
        matches!(self, Request::CheckDrift | Request::ReadPermissions)
    }

    /// Whether the request changes anything (the cloud or the state file);
    /// a read-only wizard refuses every one that does.
    pub fn writes(&self) -> bool {
        !matches!(
            self,
            Request::CheckDrift
                | Request::ReadPermissions
                | Request::ReadSwapEvidence
                | Request::JumpClock { .. }
        )
    }
}

/// An engine call to run for a user: the one effect the wizard has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    /// The flagged user.
    pub user: String,
    /// What to do.
    pub request: Request,
}

/// A freshly created key, for the one-time dialog.
#[derive(Debug)]
pub struct ShownSecret {
    /// The user it belongs to.
    pub user: String,
    /// `AccessKeyId`.
    pub access_key_id: String,
    /// `AccessKeySecret`; dropped (and wiped) when the dialog closes.
    pub secret: Secret,
}

/// What came back from an engine call.
#[derive(Debug)]
pub struct Performed {
    /// The views after the call.
    pub snapshot: Snapshot,
    /// One line for the status bar, e.g. the RequestId of the write.
    pub notice: String,
    /// The new key, when the call created one.
    pub new_secret: Option<ShownSecret>,
}

/// A failed call, in the words of the error dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorView {
    /// What was being done, e.g. "Disabling key LTAI…".
    pub doing: String,
    /// The API error code, e.g. `EntityNotExist.User`.
    pub code: Option<String>,
    /// The message.
    pub message: String,
    /// The RequestId, for a support ticket.
    pub request_id: Option<String>,
    /// What to try.
    pub hint: Option<String>,
    /// A remedy the wizard can carry out itself, after asking (boxed: rare,
    /// and it keeps every `Result<_, ErrorView>` small).
    pub offer: Option<Box<Offer>>,
    /// Changes made outside ramkey known after the failure (the one that
    /// stopped the step, or those read after an engine refusal), for the
    /// rotation screen's panel.
    pub drift: Option<Vec<DriftView>>,
}

/// A remedy for a failed step that the wizard offers to perform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    /// The new user holds keys whose secret ramkey never showed (the answer
    /// to CreateAccessKey was lost): delete them, create a fresh key.
    ReplaceLostKey {
        /// The new user.
        new_user: String,
        /// Its keys without a secret.
        key_ids: Vec<String>,
    },
    /// The new key's check needs its secret (pasted wrong, or no longer
    /// held): the field to paste it again.
    PasteSecret {
        /// The new key.
        key_id: String,
    },
    /// Not a failure: the dry run stopped the step's writes, shown here
    /// as the exact calls (nothing was sent or recorded).
    DryRun {
        /// Each call, e.g. `DeleteAccessKey UserName=app UserAccessKeyId=LTAI…`.
        calls: Vec<String>,
    },
}

/// What ramkey found on start about an earlier run's write left in flight
/// (settled by reading, never by calling again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// Settled: the engine's summary of what it found.
    Done {
        /// The flagged user.
        user: String,
        /// E.g. "ramkey was interrupted during CreateAccessKey for app-v2; …".
        summary: String,
    },
    /// The reads failed: the step stays blocked until they succeed.
    Failed {
        /// The flagged user.
        user: String,
        /// The plain error.
        error: String,
    },
}

/// What a finished move did, for the closing summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveSummaryView {
    /// The flagged user.
    pub user: String,
    /// Its key that was moved away from, disabled and deleted.
    pub old_key_id: String,
    /// When the rotation was started.
    pub started_at: DateTime<Utc>,
    /// The user the application moved to.
    pub new_user: String,
    /// Its CreateUser.
    pub user_created: Recorded,
    /// The grants copied onto it.
    pub copied: Vec<(GrantView, Recorded)>,
    /// Its AccessKey.
    pub new_key_id: String,
    /// The CreateAccessKey.
    pub key_created: Recorded,
    /// When the new key was first seen to work, if it was checked.
    pub key_verified_at: Option<DateTime<Utc>>,
    /// The old key's disable.
    pub disabled: Recorded,
    /// The old key's deletion.
    pub deleted: Recorded,
    /// The policies detached from the flagged user (maybe none).
    pub detached: Vec<(GrantView, Recorded)>,
    /// When the last step was done.
    pub finished_at: DateTime<Utc>,
}

/// A policy or a group, as the summary names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantView {
    /// An attached policy.
    Policy(PolicyRef),
    /// A group membership.
    Group(String),
}

/// When a step was done and the RequestIds its record kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// When.
    pub at: DateTime<Utc>,
    /// The RequestIds of its writes (none for a step found done).
    pub request_ids: Vec<String>,
    /// Why no call was needed, when none was.
    pub note: Option<String>,
}
