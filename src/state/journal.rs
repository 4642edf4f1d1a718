//! The write-ahead journal of a rotation: the one write call ramkey is about
//! to make (its intent), saved durably before the call goes out.
//!
//! The intent is cleared in the same save that records the call's outcome
//! in the rotation's steps. An intent still present when ramkey starts means
//! the process died (or the network failed) between the two saves: the
//! engine settles it by reading the cloud, never by calling again blindly.
//! Only names and ids: no type here can hold a secret.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::cloud::model::{KeyStatus, PolicyType};

/// A write call ramkey has decided to make, recorded before it is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    /// Random, unique within the account; ties the audit log's intent and
    /// outcome lines together.
    pub id: String,
    /// The call and its parameters.
    pub call: WriteCall,
    /// When the intent was recorded.
    pub at: DateTime<Utc>,
}

/// One RAM write call and the parameters that say what it changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action")]
pub enum WriteCall {
    /// CreateUser.
    CreateUser {
        /// `UserName`.
        user_name: String,
    },
    /// AttachPolicyToUser.
    AttachPolicyToUser {
        /// `UserName`.
        user_name: String,
        /// `PolicyName`.
        policy_name: String,
        /// `PolicyType`.
        policy_type: PolicyType,
    },
    /// AddUserToGroup.
    AddUserToGroup {
        /// `UserName`.
        user_name: String,
        /// `GroupName`.
        group_name: String,
    },
    /// CreateAccessKey.
    CreateAccessKey {
        /// `UserName`.
        user_name: String,
    },
    /// UpdateAccessKey (disable, or re-enable on rollback).
    UpdateAccessKey {
        /// `UserName`.
        user_name: String,
        /// `UserAccessKeyId`.
        access_key_id: String,
        /// `Status`.
        status: KeyStatus,
    },
    /// DeleteAccessKey.
    DeleteAccessKey {
        /// `UserName`.
        user_name: String,
        /// `UserAccessKeyId`.
        access_key_id: String,
    },
    /// DetachPolicyFromUser.
    DetachPolicyFromUser {
        /// `UserName`.
        user_name: String,
        /// `PolicyName`.
        policy_name: String,
        /// `PolicyType`.
        policy_type: PolicyType,
    },
}

impl WriteCall {
    /// The API action's name, e.g. `CreateUser`.
    pub fn action(&self) -> &'static str {
        match self {
            WriteCall::CreateUser { .. } => "CreateUser",
            WriteCall::AttachPolicyToUser { .. } => "AttachPolicyToUser",
            WriteCall::AddUserToGroup { .. } => "AddUserToGroup",
            WriteCall::CreateAccessKey { .. } => "CreateAccessKey",
            WriteCall::UpdateAccessKey { .. } => "UpdateAccessKey",
            WriteCall::DeleteAccessKey { .. } => "DeleteAccessKey",
            WriteCall::DetachPolicyFromUser { .. } => "DetachPolicyFromUser",
        }
    }

    /// What the call changes, in words: `user app-v2`,
    /// `key LTAI… of app (Inactive)`, `policy ReadOnlyAccess (System) on app-v2`.
    pub fn target(&self) -> String {
        match self {
            WriteCall::CreateUser { user_name } | WriteCall::CreateAccessKey { user_name } => {
                format!("user {user_name}")
            }
            WriteCall::AttachPolicyToUser {
                user_name,
                policy_name,
                policy_type,
            }
            | WriteCall::DetachPolicyFromUser {
                user_name,
                policy_name,
                policy_type,
            } => format!(
                "policy {policy_name} ({}) on {user_name}",
                policy_type.as_str()
            ),
            WriteCall::AddUserToGroup {
                user_name,
                group_name,
            } => format!("{user_name} in group {group_name}"),
            WriteCall::UpdateAccessKey {
                user_name,
                access_key_id,
                status,
            } => format!("key {access_key_id} of {user_name} ({})", status.as_str()),
            WriteCall::DeleteAccessKey {
                user_name,
                access_key_id,
            } => format!("key {access_key_id} of {user_name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_intent_reads_back_as_written() {
        let intent = Intent {
            id: "0123456789ab".into(),
            call: WriteCall::UpdateAccessKey {
                user_name: "app".into(),
                access_key_id: "LTAI1".into(),
                status: KeyStatus::Inactive,
            },
            at: "2026-01-02T03:04:05Z".parse().unwrap(),
        };
        let text = serde_json::to_string(&intent).unwrap();
        assert!(text.contains(r#""action":"UpdateAccessKey""#), "{text}");
        assert_eq!(serde_json::from_str::<Intent>(&text).unwrap(), intent);
        assert_eq!(intent.call.target(), "key LTAI1 of app (Inactive)");
    }
}
