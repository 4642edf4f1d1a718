//! The move path's creating steps: choose the name, create the user, copy
//! its permissions, create its key. Each looks before it creates, so running
//! a step again after a failure never creates anything twice.

use std::collections::HashSet;

use super::drift::or_new_user_gone;
use super::journal::{Found, Made, Returned};
use super::{Engine, Performed, cloud, is_no_such_user};
use crate::cloud::CloudError;
use crate::cloud::model::{AttachedPolicy, GroupMembership, RamUser, Written};
use crate::rotation::error::EngineError;
use crate::rotation::marker;
use crate::rotation::name::validate_user_name;
use crate::rotation::step::Event;
use crate::state::steps::{Grant, GrantRecord, LostKey, MoveStep, NewKey};
use crate::state::{Progress, Rotation, StepRecord, WriteCall};

impl Engine {
    pub(super) async fn set_name(
        &mut self,
        rotation: &Rotation,
        name: String,
    ) -> Result<Performed, EngineError> {
        validate_user_name(&name, &rotation.user)?;
        // A user of this name made by this very rotation may be adopted later
        // by CreateUser; anyone else's may not.
        if let Some(existing) = self.find_user(&name).await? {
            if !marker::is_from_rotation(&existing.comments, &rotation.user, &rotation.id) {
                return Err(EngineError::NameTaken { name });
            }
        }

        let summary = format!("The new user will be {name}");
        let target = format!("new user {name}");
        let record = StepRecord::at(self.now());
        self.commit(&rotation.id, Event::Named { name, record }, &summary)?;
        self.audit_confirmation(rotation, "choose_name", &target, None);
        Ok(Performed::said(summary))
    }

    pub(super) async fn create_user(
        &mut self,
        rotation: &Rotation,
    ) -> Result<Performed, EngineError> {
        let name = move_step(rotation)
            .new_user_name()
            .expect("CreateUser comes after the name")
            .to_owned();

        if let Some(existing) = self.find_own_user(&name, rotation).await? {
            let summary = format!("{name} was already created by this rotation; carrying on");
            let record =
                StepRecord::found_done(self.now(), "found, created earlier by this rotation");
            let user_id = Some(existing.user_id).filter(|id| !id.is_empty());
            self.commit(
                &rotation.id,
                Event::UserCreated { user_id, record },
                &summary,
            )?;
            return Ok(Performed::said(summary));
        }

        let call = WriteCall::CreateUser {
            user_name: name.clone(),
        };
        let journaled = self.write(rotation, call).await?;
        let (user_id, summary) = match &journaled.made {
            Made::Answered {
                returned: Returned::User(user),
                ..
            }
            | Made::Found(Found::User(user)) => {
                (Some(user.user_id.clone()), created(&name, &journaled.made))
            }
            _ => (None, created(&name, &journaled.made)),
        };
        let user_id = user_id.filter(|id| !id.is_empty());
        let record = journaled.made.record(self.now());
        let event = Event::UserCreated { user_id, record };
        self.commit_write(rotation, event, &summary, &journaled)?;
        Ok(Performed::said(summary))
    }

    /// The user of this name if this rotation made it; a user someone else
    /// made is refused.
    pub(super) async fn find_own_user(
        &self,
        name: &str,
        rotation: &Rotation,
    ) -> Result<Option<RamUser>, EngineError> {
        match self.find_user(name).await? {
            Some(user)
                if marker::is_from_rotation(&user.comments, &rotation.user, &rotation.id) =>
            {
                Ok(Some(user))
            }
            Some(_) => Err(EngineError::NameTaken {
                name: name.to_owned(),
            }),
            None => Ok(None),
        }
    }

    pub(super) async fn copy_permissions(
        &mut self,
        rotation: &Rotation,
        chosen: Vec<Grant>,
    ) -> Result<Performed, EngineError> {
        let MoveStep::CopyPermissions { new_user, copied } = move_step(rotation) else {
            unreachable!("checked to be the current step");
        };
        let target = new_user.name.clone();
        let chosen = unique(chosen);

        let original = self.permissions(&rotation.user).await?;
        for grant in &chosen {
            check_held(&rotation.user, &original.policies, &original.groups, grant)?;
        }
        let present = self
            .permissions(&target)
            .await
            .map_err(or_new_user_gone(&target))?;
        let already: HashSet<Grant> = copied.iter().map(|g| g.grant.clone()).collect();

        let mut request_ids: Vec<String> = copied
            .iter()
            .flat_map(|g| g.record.request_ids.clone())
            .collect();
        for grant in chosen.into_iter().filter(|g| !already.contains(g)) {
            let done = format!("Granted {} to {target}", describe(&grant));
            if holds(&present.policies, &present.groups, &grant) {
                let record = StepRecord::found_done(self.now(), "already granted");
                let event = Event::GrantCopied(GrantRecord { grant, record });
                self.commit(&rotation.id, event, &done)?;
                continue;
            }
            let journaled = self.grant(rotation, &target, &grant).await?;
            let record = journaled.made.record(self.now());
            request_ids.extend(record.request_ids.clone());
            let event = Event::GrantCopied(GrantRecord { grant, record });
            self.commit_write(rotation, event, &done, &journaled)?;
        }

        let summary = format!("Copied the chosen policies and groups to {target}");
        let record = StepRecord {
            request_ids,
            ..StepRecord::at(self.now())
        };
        self.commit(&rotation.id, Event::PermissionsCopied(record), &summary)?;
        Ok(Performed::said(summary))
    }

    pub(super) async fn create_key(
        &mut self,
        rotation: &Rotation,
    ) -> Result<Performed, EngineError> {
        self.create_key_after(rotation, Vec::new()).await
    }

    /// Creates the new user's key, recording `earlier_writes` (RequestIds
    /// of this step's earlier writes) with it. A key whose answer is lost
    /// is found by ListAccessKeys, but without its secret.
    pub(super) async fn create_key_after(
        &mut self,
        rotation: &Rotation,
        earlier_writes: Vec<String>,
    ) -> Result<Performed, EngineError> {
        let MoveStep::CreateKey {
            new_user,
            lost_keys,
            ..
        } = move_step(rotation)
        else {
            unreachable!("checked to be the current step");
        };
        let target = new_user.name.clone();
        let replaces = lost_note(lost_keys);

        let existing = self
            .key_ids_of(&target)
            .await
            .map_err(or_new_user_gone(&target))?;
        if !existing.is_empty() {
            return Err(EngineError::UnrecordedKeys {
                user: target,
                key_ids: existing,
            });
        }

        let call = WriteCall::CreateAccessKey {
            user_name: target.clone(),
        };
        let journaled = match self.write(rotation, call).await {
            Err(EngineError::Cloud { doing, source }) if source.code() == Some(KEY_LIMIT) => {
                return Err(self.key_limit(&target, doing, source).await);
            }
            other => other?,
        };
        let written = match &journaled.made {
            Made::Answered {
                request_id,
                returned: Returned::Key(key),
            } => Written {
                value: key.clone(),
                request_id: request_id.clone(),
            },
            Made::Found(Found::Keys(key_ids)) => {
                let key_ids = key_ids.clone();
                let detail = format!(
                    "{} found on {target} without its secret (the answer was lost)",
                    key_ids.join(", ")
                );
                self.close_intent(rotation, &journaled, Some(detail))?;
                return Err(EngineError::SecretLost {
                    user: target,
                    key_ids,
                });
            }
            _ => unreachable!("CreateAccessKey answers a key or is found as keys"),
        };
        let mut created = StepRecord::written(self.now(), written.request_id);
        created.request_ids.splice(0..0, earlier_writes);
        created.note = replaces;
        let new_key = NewKey::created(written.value.access_key_id.clone(), created);
        let summary = format!(
            "Created {} for {target}; store its secret now, it is shown only once",
            new_key.key_id
        );
        self.commit_write(
            rotation,
            Event::KeyCreated(Box::new(new_key)),
            &summary,
            &journaled,
        )?;
        Ok(Performed {
            summary,
            new_key: Some(written.value),
        })
    }

    /// GetUser, with "no such user" as `None`.
    pub(super) async fn find_user(&self, name: &str) -> Result<Option<RamUser>, EngineError> {
        match self.client.get_user(name).await {
            Ok(user) => Ok(Some(user)),
            Err(error) if is_no_such_user(&error) => Ok(None),
            Err(error) => Err(cloud(format!("checking whether the user {name} exists"))(
                error,
            )),
        }
    }

    async fn grant(
        &mut self,
        rotation: &Rotation,
        target: &str,
        grant: &Grant,
    ) -> Result<super::journal::Journaled, EngineError> {
        let user_name = target.to_owned();
        let call = match grant {
            Grant::Policy {
                policy_name,
                policy_type,
            } => WriteCall::AttachPolicyToUser {
                user_name,
                policy_name: policy_name.clone(),
                policy_type: *policy_type,
            },
            Grant::Group { group_name } => WriteCall::AddUserToGroup {
                user_name,
                group_name: group_name.clone(),
            },
        };
        self.write(rotation, call).await
    }

    /// `Some` once `target` holds `grant`.
    pub(super) async fn granted(
        &self,
        target: &str,
        grant: &Grant,
    ) -> Result<Option<()>, EngineError> {
        let present = self.permissions(target).await?;
        Ok(holds(&present.policies, &present.groups, grant).then_some(()))
    }

    /// The refusal of a key over the limit, with the keys holding the
    /// slots (listed now: keys created between the check and the create).
    /// The plain refusal if they cannot be listed.
    async fn key_limit(&self, user: &str, doing: String, source: CloudError) -> EngineError {
        match self.client.list_access_keys(user).await {
            Ok(held) => EngineError::KeyLimit {
                user: user.to_owned(),
                held,
                source,
            },
            Err(error) => {
                tracing::warn!(user, %error, "cannot list the keys holding the slots");
                EngineError::Cloud { doing, source }
            }
        }
    }
}

/// The new key's note when it replaces keys whose secret was lost, so the
/// state file still says so once the rotation moves past CreateKey.
fn lost_note(lost_keys: &[LostKey]) -> Option<String> {
    if lost_keys.is_empty() {
        return None;
    }
    let ids: Vec<&str> = lost_keys
        .iter()
        .map(|lost| lost.key.key_id.as_str())
        .collect();
    Some(format!(
        "replaces {}, whose secret was lost before it was stored",
        ids.join(", ")
    ))
}

/// The summary of a CreateUser that took effect.
fn created(name: &str, made: &Made) -> String {
    match made {
        Made::Answered { .. } => format!("Created the user {name}"),
        Made::Found(_) => {
            format!("Created the user {name} (its answer was lost; found it by looking)")
        }
    }
}

/// Keys of the new user that the rotation has no record of (not a lost key
/// it means to delete).
pub(super) fn unrecorded_keys(rotation: &Rotation, key_ids: Vec<String>) -> Vec<String> {
    let lost: Vec<&str> = match move_step(rotation) {
        MoveStep::CreateKey { lost_keys, .. } => lost_keys
            .iter()
            .map(|lost| lost.key.key_id.as_str())
            .collect(),
        _ => Vec::new(),
    };
    key_ids
        .into_iter()
        .filter(|id| !lost.contains(&id.as_str()))
        .collect()
}

/// The code of CreateAccessKey on a user holding two keys already.
const KEY_LIMIT: &str = "LimitExceeded.User.AccessKey";

/// The rotation's move step (the engine only calls this on the move path).
pub(super) fn move_step(rotation: &Rotation) -> &MoveStep {
    match &rotation.progress {
        Progress::MoveToNewUser(step) => step,
        Progress::DisableIdle(_) => unreachable!("a move step on the idle path"),
    }
}

/// The grants in their first-chosen order, without repeats.
fn unique(grants: Vec<Grant>) -> Vec<Grant> {
    let mut seen = HashSet::new();
    grants
        .into_iter()
        .filter(|g| seen.insert(g.clone()))
        .collect()
}

fn holds(policies: &[AttachedPolicy], groups: &[GroupMembership], grant: &Grant) -> bool {
    match grant {
        Grant::Policy {
            policy_name,
            policy_type,
        } => policies
            .iter()
            .any(|p| &p.policy_name == policy_name && p.policy_type == *policy_type),
        Grant::Group { group_name } => groups.iter().any(|g| &g.group_name == group_name),
    }
}

fn check_held(
    user: &str,
    policies: &[AttachedPolicy],
    groups: &[GroupMembership],
    grant: &Grant,
) -> Result<(), EngineError> {
    if holds(policies, groups, grant) {
        return Ok(());
    }
    Err(EngineError::NotAGrantOfUser {
        user: user.to_owned(),
        what: describe(grant),
    })
}

/// `policy ReadOnlyAccess (System)` or `group Dev-Team`.
pub(super) fn describe(grant: &Grant) -> String {
    match grant {
        Grant::Policy {
            policy_name,
            policy_type,
        } => format!("policy {policy_name} ({})", policy_type.as_str()),
        Grant::Group { group_name } => format!("group {group_name}"),
    }
}
