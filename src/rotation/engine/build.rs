//! The move path's creating steps: choose the name, create the user, copy
//! its permissions, create its key. Each looks before it creates, so running
//! a step again after a failure never creates anything twice.

use std::collections::HashSet;

use futures::FutureExt as _;

use super::reconcile::Settled;
use super::{Engine, Performed, cloud, is_no_such_user};
use crate::cloud::CloudError;
use crate::cloud::model::{AttachedPolicy, GroupMembership, RamUser};
use crate::rotation::error::EngineError;
use crate::rotation::marker;
use crate::rotation::name::validate_user_name;
use crate::rotation::step::Event;
use crate::state::steps::{Grant, GrantRecord, LostKey, MoveStep, NewKey};
use crate::state::{Progress, Rotation, StepRecord};

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
        let record = StepRecord::at(self.now());
        self.commit(&rotation.id, Event::Named { name, record }, &summary)?;
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
        let comments = marker::comments(&rotation.user, &rotation.id);

        let (user_id, record, summary) = match self.find_own_user(&name, rotation).await? {
            Some(existing) => (
                Some(existing.user_id),
                StepRecord::found_done(self.now(), "found, created earlier by this rotation"),
                format!("{name} was already created by this rotation; carrying on"),
            ),
            None => self.create_user_once(&name, &comments, rotation).await?,
        };
        let user_id = user_id.filter(|id| !id.is_empty());
        self.commit(
            &rotation.id,
            Event::UserCreated { user_id, record },
            &summary,
        )?;
        Ok(Performed::said(summary))
    }

    /// CreateUser; if its answer is lost, GetUser (and ramkey's mark) tells
    /// whether it was made.
    async fn create_user_once(
        &self,
        name: &str,
        comments: &str,
        rotation: &Rotation,
    ) -> Result<(Option<String>, StepRecord, String), EngineError> {
        let settled = self
            .settle(
                &format!("creating the user {name}"),
                || self.client.create_user(name, None, Some(comments)).boxed(),
                || self.find_own_user(name, rotation).boxed(),
            )
            .await?;
        Ok(match settled {
            Settled::Written(written) => (
                Some(written.value.user_id),
                StepRecord::written(self.now(), written.request_id),
                format!("Created the user {name}"),
            ),
            Settled::Found(user) => (
                Some(user.user_id),
                StepRecord::found_done(
                    self.now(),
                    "created; its answer was lost, found by GetUser",
                ),
                format!("Created the user {name} (its answer was lost; found it by looking)"),
            ),
        })
    }

    /// The user of this name if this rotation made it; a user someone else
    /// made is refused.
    async fn find_own_user(
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
        let present = self.permissions(&target).await?;
        let already: HashSet<Grant> = copied.iter().map(|g| g.grant.clone()).collect();

        let mut request_ids: Vec<String> = copied
            .iter()
            .flat_map(|g| g.record.request_ids.clone())
            .collect();
        for grant in chosen.into_iter().filter(|g| !already.contains(g)) {
            let record = if holds(&present.policies, &present.groups, &grant) {
                StepRecord::found_done(self.now(), "already granted")
            } else {
                self.grant(&target, &grant).await?
            };
            request_ids.extend(record.request_ids.clone());
            let done = format!("Granted {} to {target}", describe(&grant));
            self.commit(
                &rotation.id,
                Event::GrantCopied(GrantRecord { grant, record }),
                &done,
            )?;
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

        let existing = self.key_ids_of(&target).await?;
        if !existing.is_empty() {
            return Err(EngineError::UnrecordedKeys {
                user: target,
                key_ids: existing,
            });
        }

        let settled = self
            .settle(
                &format!("creating an AccessKey for {target}"),
                || self.client.create_access_key(&target).boxed(),
                || self.keys_found(&target).boxed(),
            )
            .await;
        let settled = match settled {
            Err(EngineError::Cloud { doing, source }) if source.code() == Some(KEY_LIMIT) => {
                return Err(self.key_limit(&target, doing, source).await);
            }
            other => other?,
        };
        let written = match settled {
            Settled::Written(written) => written,
            Settled::Found(key_ids) => {
                return Err(EngineError::SecretLost {
                    user: target,
                    key_ids,
                });
            }
        };
        let mut created = StepRecord::written(self.now(), written.request_id);
        created.request_ids.splice(0..0, earlier_writes);
        created.note = replaces;
        let new_key = NewKey {
            key_id: written.value.access_key_id.clone(),
            created,
        };
        let summary = format!(
            "Created {} for {target}; store its secret now, it is shown only once",
            new_key.key_id
        );
        self.commit(&rotation.id, Event::KeyCreated(new_key), &summary)?;
        Ok(Performed {
            summary,
            new_key: Some(written.value),
        })
    }

    /// GetUser, with "no such user" as `None`.
    async fn find_user(&self, name: &str) -> Result<Option<RamUser>, EngineError> {
        match self.client.get_user(name).await {
            Ok(user) => Ok(Some(user)),
            Err(error) if is_no_such_user(&error) => Ok(None),
            Err(error) => Err(cloud(format!("checking whether the user {name} exists"))(
                error,
            )),
        }
    }

    async fn grant(&self, target: &str, grant: &Grant) -> Result<StepRecord, EngineError> {
        let doing = format!("granting {} to {target}", describe(grant));
        let write = || match grant {
            Grant::Policy {
                policy_name,
                policy_type,
            } => self
                .client
                .attach_policy_to_user(target, *policy_type, policy_name)
                .boxed(),
            Grant::Group { group_name } => {
                self.client.add_user_to_group(target, group_name).boxed()
            }
        };
        let look = || self.granted(target, grant).boxed();
        let settled = self.settle(&doing, write, look).await?;
        Ok(self.record_of(settled))
    }

    /// `Some` once `target` holds `grant`.
    async fn granted(&self, target: &str, grant: &Grant) -> Result<Option<()>, EngineError> {
        let present = self.permissions(target).await?;
        Ok(holds(&present.policies, &present.groups, grant).then_some(()))
    }

    /// The keys `user` holds, when it holds any.
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

    async fn keys_found(&self, user: &str) -> Result<Option<Vec<String>>, EngineError> {
        let key_ids = self.key_ids_of(user).await?;
        Ok(Some(key_ids).filter(|ids| !ids.is_empty()))
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
