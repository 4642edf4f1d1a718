//! Why the engine did not perform an action. Every message says what to do;
//! after any of these the rotation is still at the step it was at.

use chrono::{DateTime, Utc};

use super::drift::Drift;
use super::name::NameError;
use super::overrides::OverrideError;
use super::plan::PlannedCall;
use super::step::{OutOfOrder, StepKind};
use crate::cloud::CloudError;
use crate::cloud::model::AccessKey;
use crate::scan::Verdict;
use crate::state::StateError;

/// An action the engine refused or could not complete.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A cloud call failed; nothing after it was done.
    #[error("{doing}: {source}. The rotation stays at this step; run it again to resume.")]
    Cloud {
        /// What ramkey was doing, e.g. `disabling LTAI… of app-user`.
        doing: String,
        /// The call's error (code, message, RequestId, hint).
        #[source]
        source: CloudError,
    },

    /// The state file could not be read or written.
    #[error(transparent)]
    State(#[from] StateError),

    /// A write succeeded but could not be recorded.
    #[error(
        "{done}, but the state file could not be saved: {source}. Fix the cause (disk space, \
         permissions) before going on; ramkey saves again with the next step"
    )]
    NotRecorded {
        /// What was done in the cloud.
        done: String,
        /// Why saving failed.
        #[source]
        source: StateError,
    },

    /// An admin's confirmation could not be saved: nothing changed, here or
    /// in the cloud.
    #[error(
        "not recorded: the state file could not be saved ({source}). Nothing was written to \
         the cloud and the rotation stays at this step. Fix the cause (disk space, permissions \
         of the state file and its directory), then confirm again"
    )]
    ConfirmationNotSaved {
        /// Why saving failed.
        #[source]
        source: StateError,
    },

    /// No rotation of this user is in progress.
    #[error("{user} has no rotation in progress; start one from its finding first")]
    NoRotation {
        /// The user.
        user: String,
    },

    /// The user already has a rotation in progress.
    #[error("{user} already has a rotation in progress, at \"{}\"; resume it instead", .step.map_or("complete", StepKind::title))]
    AlreadyStarted {
        /// The user.
        user: String,
        /// Its current step.
        step: Option<StepKind>,
    },

    /// The action is not the current step's.
    #[error(
        "cannot {action} now: {user}'s rotation is at \"{}\"",
        .current.map_or("complete", StepKind::title)
    )]
    WrongStep {
        /// The user.
        user: String,
        /// The rotation's current step.
        current: Option<StepKind>,
        /// The refused action.
        action: &'static str,
    },

    /// The typed confirmation did not name the user.
    #[error("to confirm, type the user name exactly: {user}")]
    ConfirmationMismatch {
        /// The name that has to be typed.
        user: String,
    },

    /// The key is the one ramkey signs its own calls with.
    #[error(
        "ramkey is signing its own calls with {key_id}; {action} it would cut ramkey off \
         half-way. Restart ramkey with another credential, preferably STS: a RamRoleArn \
         profile in ~/.aliyun/config.json (or a ram_role_arn section in \
         ~/.alibabacloud/credentials) chosen with --profile NAME, see docs/credentials.md; \
         then resume this rotation"
    )]
    OwnKey {
        /// The key.
        key_id: String,
        /// `disabling` or `deleting`.
        action: &'static str,
    },

    /// The key ramkey signs with was refused as disabled
    /// (`InvalidAccessKeyId.Inactive`): someone disabled it outside ramkey.
    #[error(
        "{doing}: the AccessKey ramkey signs with, {key_id}, is disabled \
         (InvalidAccessKeyId.Inactive), so ramkey can make no more calls. Nothing more was \
         done; the state file records every step completed so far. Restart ramkey with \
         another credential, preferably STS (a RamRoleArn profile with --profile NAME, see \
         docs/credentials.md), and resume"
    )]
    OwnKeyDisabled {
        /// What ramkey was doing, and where the rotation stands.
        doing: String,
        /// The key ramkey signs with.
        key_id: String,
        /// The refusal.
        #[source]
        source: CloudError,
    },

    /// The state file is open read-only: no action may be performed.
    #[error(
        "the state file is open read-only ({reason}); ramkey makes no changes, in the cloud \
         or in the file, while it is"
    )]
    ReadOnly {
        /// Why (e.g. written by a newer ramkey).
        reason: String,
    },

    /// A dry run (`--dry-run`): the step's writes are shown, none is sent,
    /// and nothing is recorded.
    #[error(
        "dry run: {} — not sent, and nothing recorded; run ramkey without --dry-run to make \
         {}",
        calls_list(.calls),
        if .calls.len() == 1 { "this call" } else { "these calls" }
    )]
    DryRun {
        /// Every write call the step would make, in order.
        calls: Vec<PlannedCall>,
    },

    /// The typed override of a key's verdict does not say enough.
    #[error("the override is refused, nothing was started: {0}")]
    Override(#[from] OverrideError),

    /// A fact the step acts on was changed outside ramkey.
    #[error("{}. {}; ramkey does not go on with this step", .0.describe(), .0.advice())]
    Drifted(Drift),

    /// The new user's name breaks RAM's rule.
    #[error(transparent)]
    InvalidName(#[from] NameError),

    /// A user of that name exists and this rotation did not create it.
    #[error(
        "a RAM user named {name} already exists and was not created by this rotation; \
         choose another name (ramkey never takes over a user it did not create)"
    )]
    NameTaken {
        /// The name.
        name: String,
    },

    /// The user does not hold two Active keys (any more).
    #[error(
        "{user} holds {active} Active key(s), not two; it is not flagged, so there is nothing to rotate"
    )]
    NotFlagged {
        /// The user.
        user: String,
        /// How many Active keys it has.
        active: usize,
    },

    /// A KMS secret manages the user's keys: disabling or deleting one by
    /// hand breaks the secret and every application reading it.
    #[error(
        "the keys of {user} are managed by the KMS secret {secret} in {region}: ramkey never \
         disables or deletes them. Let KMS rotate them; if the rotation is stuck, check the KMS \
         service role AliyunKMSManagedRAMCrendentialsRole and call KMS RotateSecret"
    )]
    KmsManaged {
        /// The user.
        user: String,
        /// The secret's name.
        secret: String,
        /// Its region.
        region: String,
    },

    /// KMS refused to say whether a secret manages the user's keys, so a
    /// disable or delete, which would break such a secret, is not made.
    #[error(
        "KMS in {region} refused to say whether a secret manages the keys of {user} ({code}), \
         so ramkey does not retire this key: a KMS-managed key disabled or deleted by hand \
         breaks its secret and every application reading it. Nothing was changed; the step \
         stays pending. Grant kms:ListSecrets and kms:DescribeSecret (`ramkey policy`), or \
         leave {region} out of --kms-region if you know no secret there manages {user}"
    )]
    KmsUnknown {
        /// The user.
        user: String,
        /// The region that refused.
        region: String,
        /// Its code.
        code: String,
    },

    /// The key is not (any more) an Active key of the user.
    #[error("{key_id} is not an AccessKey of {user} (any more); scan again to see its keys")]
    KeyNotFound {
        /// The user.
        user: String,
        /// The key.
        key_id: String,
    },

    /// The disable path needs an idle key.
    #[error(
        "{key_id} is {}, not idle ({reason}); only an idle key may be disabled this way. \
         Use the move-to-new-user path, or wait until the evidence shows it idle",
        .verdict.as_str()
    )]
    KeyNotIdle {
        /// The key.
        key_id: String,
        /// Its verdict now.
        verdict: Verdict,
        /// The evidence.
        reason: String,
    },

    /// The waiting period is not over.
    #[error("{key_id} may be deleted from {delete_after} on; not before")]
    NotDue {
        /// The key.
        key_id: String,
        /// When it becomes due.
        delete_after: DateTime<Utc>,
    },

    /// The disabled key signed a request after it was disabled.
    #[error(
        "{key_id} was used at {last_used}, after it was disabled at {disabled_at}; something \
         still relies on it (or it was re-enabled for a while). Not deleting it: find that \
         user of the key first, then choose \"disable again and restart the waiting period\" \
         at this step (typing the user name)"
    )]
    UsedAfterDisable {
        /// The key.
        key_id: String,
        /// Its last use.
        last_used: DateTime<Utc>,
        /// When ramkey disabled it.
        disabled_at: DateTime<Utc>,
    },

    /// The disabled key is Active again.
    #[error(
        "{key_id} is Active again: someone re-enabled it outside ramkey, so something may \
         need it. Not deleting it. Once you know why, choose \"disable again and restart the \
         waiting period\" at this step (typing the user name)"
    )]
    KeyReEnabled {
        /// The key.
        key_id: String,
    },

    /// "Disable again" was asked for a key that is Inactive and unused
    /// since its disable: its waiting period stands as it is.
    #[error(
        "{key_id} is Inactive and unused since its disable, so there is nothing to disable \
         again: its deletion date stands"
    )]
    NothingToDisableAgain {
        /// The key.
        key_id: String,
    },

    /// A chosen grant is not one the user has.
    #[error("{user} has no {what}; choose from its current policies and groups")]
    NotAGrantOfUser {
        /// The user.
        user: String,
        /// The grant, e.g. `policy ReadOnlyAccess (System)`.
        what: String,
    },

    /// The new user already holds keys ramkey has no record of.
    #[error(
        "{user} already holds AccessKey(s) {} that ramkey has no record of (an earlier run may \
         have stopped right after creating one, and its secret is lost): nobody can use them, and \
         they must be deleted before a key ramkey can show is created",
        .key_ids.join(", ")
    )]
    UnrecordedKeys {
        /// The new user.
        user: String,
        /// Its keys.
        key_ids: Vec<String>,
    },

    /// The new key was created, but the answer carrying its secret was lost.
    #[error(
        "AccessKey {} was created for {user}, but the answer carrying its secret was lost on the \
         way, and Alibaba Cloud shows a secret only once: this key can never be used. It must \
         be deleted and a new one created",
        .key_ids.join(", ")
    )]
    SecretLost {
        /// The new user.
        user: String,
        /// The key (or keys) found by ListAccessKeys.
        key_ids: Vec<String>,
    },

    /// CreateAccessKey was refused because the user already holds as many
    /// keys as RAM allows (Inactive ones count too, BC-07).
    #[error(
        "{user} already holds the two AccessKeys RAM allows, counting Inactive ones: {}. A slot \
         is freed only by deleting a key, not by disabling it. Keys ramkey never showed (left \
         by an interrupted run) can never be used and must be deleted first",
        held_list(.held)
    )]
    KeyLimit {
        /// The user whose key could not be created.
        user: String,
        /// Its keys, as ListAccessKeys showed them after the refusal.
        held: Vec<AccessKey>,
        /// The refusal (code, message, RequestId).
        #[source]
        source: CloudError,
    },

    /// The old key may not be disabled before the new key was seen to work
    /// (BC-12).
    #[error(
        "the new key {key_id} of {new_user} is not verified yet: ramkey has not seen it sign a \
         request, so {old_key_id} stays Active. Verify the new key first (ramkey asks for its \
         secret again if it was restarted since the key was created)"
    )]
    NewKeyNotVerified {
        /// The new user.
        new_user: String,
        /// The new key.
        key_id: String,
        /// The key that stays Active.
        old_key_id: String,
    },

    /// The new key cannot be verified without its secret, and ramkey no
    /// longer holds it (it was restarted since the key was created).
    #[error(
        "ramkey no longer holds the secret of {key_id} (it was restarted since the key was \
         created): paste the secret where you stored it to verify the key"
    )]
    SecretNeeded {
        /// The new key.
        key_id: String,
    },

    /// The pasted secret does not belong to the new key, or the key signs
    /// as someone other than the new user.
    #[error("{what}; nothing was recorded. Paste the secret of {key_id} exactly as stored")]
    WrongSecret {
        /// The new key.
        key_id: String,
        /// What was wrong, in words.
        what: String,
    },

    /// Verifying the new key failed for a reason other than its being new.
    #[error(
        "verifying the new key {key_id}: {source}. The old key stays Active; verify again to \
         resume"
    )]
    KeyCheck {
        /// The new key.
        key_id: String,
        /// GetCallerIdentity's error.
        #[source]
        source: CloudError,
    },

    /// A bug: the engine produced an event that does not fit the step.
    #[error("internal error: {0}")]
    OutOfOrder(#[from] OutOfOrder),
}

impl EngineError {
    /// The cloud error behind this one, for the UI's error dialog (code,
    /// message, RequestId, hint).
    pub fn cloud(&self) -> Option<&CloudError> {
        match self {
            EngineError::Cloud { source, .. }
            | EngineError::KeyLimit { source, .. }
            | EngineError::KeyCheck { source, .. }
            | EngineError::OwnKeyDisabled { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl EngineError {
    /// The drift behind this refusal, when a change made outside ramkey
    /// stopped the step.
    pub fn drift(&self) -> Option<&Drift> {
        match self {
            EngineError::Drifted(drift) => Some(drift),
            _ => None,
        }
    }
}

/// `UpdateAccessKey UserName=… Status=Inactive; DeleteAccessKey …`.
fn calls_list(calls: &[PlannedCall]) -> String {
    calls
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// `LTAI… (Active), LTAI… (Inactive)`.
fn held_list(held: &[AccessKey]) -> String {
    held.iter()
        .map(|key| format!("{} ({})", key.access_key_id, key.status.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}
