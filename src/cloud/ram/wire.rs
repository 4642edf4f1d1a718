//! The JSON shapes of the RAM 2015-05-01 answers, with their exact field
//! names, and their conversion into ramkey's domain types.
//!
//! Lists come wrapped as `{"Users": {"User": [...]}}`: the outer name is
//! required (its absence means the answer is not what was asked for), the
//! inner list may be missing when empty.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};

use crate::cloud::model::{AccessKey, AttachedPolicy, GroupMembership, KeyStatus, NewAccessKey};
use crate::cloud::model::{PolicyType, RamUser};
use crate::cloud::wire::lenient_date;
use crate::secret::Secret;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListUsers {
    pub is_truncated: bool,
    #[serde(default)]
    pub marker: Option<String>,
    pub users: Users,
}

#[derive(Debug, Deserialize)]
pub(super) struct Users {
    #[serde(rename = "User", default)]
    pub user: Vec<WireUser>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct OneUser {
    pub user: WireUser,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct WireUser {
    user_id: String,
    user_name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    comments: String,
    #[serde(default, deserialize_with = "lenient_date")]
    create_date: Option<DateTime<Utc>>,
}

impl From<WireUser> for RamUser {
    fn from(user: WireUser) -> Self {
        RamUser {
            user_id: user.user_id,
            user_name: user.user_name,
            display_name: user.display_name,
            comments: user.comments,
            create_date: user.create_date,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListAccessKeys {
    pub access_keys: AccessKeys,
}

#[derive(Debug, Deserialize)]
pub(super) struct AccessKeys {
    #[serde(rename = "AccessKey", default)]
    pub access_key: Vec<WireKey>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct WireKey {
    access_key_id: String,
    status: KeyStatus,
    #[serde(default, deserialize_with = "lenient_date")]
    create_date: Option<DateTime<Utc>>,
}

impl From<WireKey> for AccessKey {
    fn from(key: WireKey) -> Self {
        AccessKey {
            access_key_id: key.access_key_id,
            status: key.status,
            create_date: key.create_date,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateAccessKey {
    pub access_key: CreatedKey,
}

/// `Debug` is safe: the secret is read straight into a [`Secret`].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreatedKey {
    pub access_key_id: String,
    #[serde(deserialize_with = "secret")]
    pub access_key_secret: Secret,
    status: KeyStatus,
    #[serde(default, deserialize_with = "lenient_date")]
    create_date: Option<DateTime<Utc>>,
}

fn secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
    String::deserialize(deserializer).map(Secret::new)
}

impl From<CreatedKey> for NewAccessKey {
    fn from(key: CreatedKey) -> Self {
        NewAccessKey {
            access_key_id: key.access_key_id,
            secret: key.access_key_secret,
            status: key.status,
            create_date: key.create_date,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetAccessKeyLastUsed {
    #[serde(default)]
    pub access_key_last_used: Option<LastUsed>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct LastUsed {
    #[serde(default, deserialize_with = "lenient_date")]
    pub last_used_date: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListPolicies {
    pub policies: Policies,
}

#[derive(Debug, Deserialize)]
pub(super) struct Policies {
    #[serde(rename = "Policy", default)]
    pub policy: Vec<WirePolicy>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct WirePolicy {
    policy_name: String,
    policy_type: PolicyType,
    #[serde(default)]
    description: String,
    #[serde(default, deserialize_with = "lenient_date")]
    attach_date: Option<DateTime<Utc>>,
}

impl From<WirePolicy> for AttachedPolicy {
    fn from(policy: WirePolicy) -> Self {
        AttachedPolicy {
            policy_name: policy.policy_name,
            policy_type: policy.policy_type,
            description: policy.description,
            attach_date: policy.attach_date,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListGroups {
    pub groups: Groups,
}

#[derive(Debug, Deserialize)]
pub(super) struct Groups {
    #[serde(rename = "Group", default)]
    pub group: Vec<WireGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct WireGroup {
    group_name: String,
    #[serde(default)]
    comments: String,
    #[serde(default, deserialize_with = "lenient_date")]
    join_date: Option<DateTime<Utc>>,
}

impl From<WireGroup> for GroupMembership {
    fn from(group: WireGroup) -> Self {
        GroupMembership {
            group_name: group.group_name,
            comments: group.comments,
            join_date: group.join_date,
        }
    }
}
