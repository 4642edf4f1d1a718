//! The RAM, STS and IMS objects ramkey reads and writes, decoded from the API's
//! JSON into types named after the domain.
//!
//! These are ramkey's own types; the wire field names (`UserName`,
//! `AccessKeyId`, ...) live with the calls that decode them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::secret::Secret;

/// A RAM user, as ListUsers, GetUser and CreateUser return it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RamUser {
    /// `UserId`.
    pub user_id: String,
    /// `UserName`: the unique name, 1–64 of letters, digits, `.`, `-`, `_`.
    pub user_name: String,
    /// `DisplayName`; may be empty and is often Chinese.
    pub display_name: String,
    /// `Comments`; ramkey marks the users it creates here.
    pub comments: String,
    /// `CreateDate`.
    pub create_date: Option<DateTime<Utc>>,
}

/// Whether an AccessKey can sign requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    /// Signs requests.
    Active,
    /// Disabled: refused by the gateway, but still holds one of the two slots.
    Inactive,
}

impl KeyStatus {
    /// The wire value, `Active` or `Inactive`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "Active",
            KeyStatus::Inactive => "Inactive",
        }
    }
}

/// An AccessKey as ListAccessKeys returns it (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    /// `AccessKeyId`.
    pub access_key_id: String,
    /// `Status`.
    pub status: KeyStatus,
    /// `CreateDate`.
    pub create_date: Option<DateTime<Utc>>,
}

/// A freshly created AccessKey: the only time the secret is ever returned.
#[derive(Debug, Clone)]
pub struct NewAccessKey {
    /// `AccessKeyId`.
    pub access_key_id: String,
    /// `AccessKeySecret`: shown once, never stored by ramkey.
    pub secret: Secret,
    /// `Status`.
    pub status: KeyStatus,
    /// `CreateDate`.
    pub create_date: Option<DateTime<Utc>>,
}

/// System (Alibaba-managed) or Custom (account-defined) policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PolicyType {
    /// Managed by Alibaba Cloud, e.g. `ReadOnlyAccess`.
    System,
    /// Defined in this account.
    Custom,
}

impl PolicyType {
    /// The wire value, `System` or `Custom`.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyType::System => "System",
            PolicyType::Custom => "Custom",
        }
    }
}

/// A policy attached to a user (ListPoliciesForUser).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedPolicy {
    /// `PolicyName`.
    pub policy_name: String,
    /// `PolicyType`; every attach and detach must pass the same type.
    pub policy_type: PolicyType,
    /// `Description`.
    pub description: String,
    /// `AttachDate`.
    pub attach_date: Option<DateTime<Utc>>,
}

/// A group a user belongs to (ListGroupsForUser).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMembership {
    /// `GroupName`.
    pub group_name: String,
    /// `Comments`.
    pub comments: String,
    /// `JoinDate`.
    pub join_date: Option<DateTime<Utc>>,
}

/// Who the credentials belong to (STS GetCallerIdentity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallerIdentity {
    /// `AccountId`: names the state file.
    pub account_id: String,
    /// `Arn`, e.g. `acs:ram::1234:user/admin`.
    pub arn: String,
    /// `IdentityType`: `RAMUser`, `AssumedRoleUser` or `Account`.
    pub identity_type: String,
    /// `UserId`, only for RAM users.
    pub user_id: Option<String>,
    /// `PrincipalId`.
    pub principal_id: Option<String>,
}

/// One page of a Marker-paged listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// `IsTruncated`: whether another page follows.
    pub is_truncated: bool,
    /// `Marker`: pass it back, byte-identical, for the next page.
    pub marker: Option<String>,
}

/// The result of a write call, with the `RequestId` the state file records.
#[derive(Debug, Clone)]
pub struct Written<T> {
    /// What the call returned.
    pub value: T,
    /// `RequestId` of the call, for the audit trail and for support tickets.
    pub request_id: String,
}

/// Where the account's credential report stands (IMS GenerateCredentialReport).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportGeneration {
    /// `STARTED`: a new report is being made.
    Started,
    /// `INPROGRESS`: still being made; ask again later.
    InProgress,
    /// `COMPLETED`: ready to read with GetCredentialReport (a report made in
    /// the last 4 hours counts, so it may be up to 4 hours old).
    Completed,
}

/// One page of the credential report (IMS GetCredentialReport).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialReportPage {
    /// `GeneratedTime`: when the report was made, i.e. the age of its data.
    pub generated_at: DateTime<Utc>,
    /// `Content`, Base64-decoded: CSV text, a header line first (at least
    /// on the first page).
    pub csv: String,
    /// `IsTruncated`: whether another page follows.
    pub is_truncated: bool,
    /// `NextToken`: pass it back for the next page.
    pub next_token: Option<String>,
}
