//! The emulated actions: which (Version, Action) pairs exist, what one call
//! sees, and the permission check that runs before each of them.
//!
//! Each action is a plain function of a [`Call`] returning the response body
//! (without `RequestId`) or an [`ApiError`]; it knows nothing of HTTP or
//! signing, which [`super::gate`] has already checked.

mod authorize;
mod groups;
mod keys;
pub mod kms;
mod policies;
pub mod report;
mod sts;
mod users;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::account::{Account, AccountDate, User};
use super::api_error::ApiError;
use super::gate::{Principal, Verified};
use super::names::NameRule;
use super::params::Params;
use super::sessions::Sessions;

/// The services the sandbox emulates on one endpoint; `Version` tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// RAM, `2015-05-01`.
    Ram,
    /// STS, `2015-04-01`.
    Sts,
    /// IMS, `2019-08-15`: only the credential report.
    Ims,
    /// KMS, `2016-01-20`: only the RAM secrets' ListSecrets and DescribeSecret.
    Kms,
}

impl Service {
    /// The service a `Version` value belongs to.
    pub fn from_version(version: &str) -> Option<Service> {
        match version {
            "2015-05-01" => Some(Service::Ram),
            "2015-04-01" => Some(Service::Sts),
            "2019-08-15" => Some(Service::Ims),
            "2016-01-20" => Some(Service::Kms),
            _ => None,
        }
    }

    /// `HostId` in error bodies: the production host.
    pub fn host_id(self) -> &'static str {
        match self {
            Service::Ram => "ram.aliyuncs.com",
            Service::Sts => "sts.aliyuncs.com",
            Service::Ims => "ims.aliyuncs.com",
            // Production's host is regional; the sandbox serves every region.
            Service::Kms => "kms.aliyuncs.com",
        }
    }

    /// The product name used in `Recommend` links.
    pub fn product(self) -> &'static str {
        match self {
            Service::Ram => "Ram",
            Service::Sts => "Sts",
            Service::Ims => "Ims",
            Service::Kms => "Kms",
        }
    }

    /// The action called `name` in this service's version.
    pub fn action(self, name: &str) -> Option<&'static ActionSpec> {
        let table = match self {
            Service::Ram => RAM_ACTIONS,
            Service::Sts => STS_ACTIONS,
            Service::Ims => IMS_ACTIONS,
            Service::Kms => KMS_ACTIONS,
        };
        table.iter().find(|spec| spec.name == name)
    }
}

/// What one action does to the account.
pub type Handler = fn(&mut Call<'_>) -> Result<Value, ApiError>;

/// One emulated action.
#[derive(Debug)]
pub struct ActionSpec {
    /// `Action`, e.g. `ListUsers`.
    pub name: &'static str,
    /// Its implementation.
    pub run: Handler,
}

const RAM_ACTIONS: &[ActionSpec] = &[
    ActionSpec {
        name: "ListUsers",
        run: users::list_users,
    },
    ActionSpec {
        name: "GetUser",
        run: users::get_user,
    },
    ActionSpec {
        name: "CreateUser",
        run: users::create_user,
    },
    ActionSpec {
        name: "ListAccessKeys",
        run: keys::list_access_keys,
    },
    ActionSpec {
        name: "CreateAccessKey",
        run: keys::create_access_key,
    },
    ActionSpec {
        name: "UpdateAccessKey",
        run: keys::update_access_key,
    },
    ActionSpec {
        name: "DeleteAccessKey",
        run: keys::delete_access_key,
    },
    ActionSpec {
        name: "GetAccessKeyLastUsed",
        run: keys::get_access_key_last_used,
    },
    ActionSpec {
        name: "ListPoliciesForUser",
        run: policies::list_policies_for_user,
    },
    ActionSpec {
        name: "AttachPolicyToUser",
        run: policies::attach_policy_to_user,
    },
    ActionSpec {
        name: "DetachPolicyFromUser",
        run: policies::detach_policy_from_user,
    },
    ActionSpec {
        name: "ListGroupsForUser",
        run: groups::list_groups_for_user,
    },
    ActionSpec {
        name: "AddUserToGroup",
        run: groups::add_user_to_group,
    },
];

const STS_ACTIONS: &[ActionSpec] = &[
    ActionSpec {
        name: "GetCallerIdentity",
        run: sts::get_caller_identity,
    },
    ActionSpec {
        name: "AssumeRole",
        run: sts::assume_role,
    },
];

const IMS_ACTIONS: &[ActionSpec] = &[
    ActionSpec {
        name: "GenerateCredentialReport",
        run: report::generate_credential_report,
    },
    ActionSpec {
        name: "GetCredentialReport",
        run: report::get_credential_report,
    },
];

const KMS_ACTIONS: &[ActionSpec] = &[
    ActionSpec {
        name: "ListSecrets",
        run: kms::list_secrets,
    },
    ActionSpec {
        name: "DescribeSecret",
        run: kms::describe_secret,
    },
];

/// Everything one verified call may read or change.
pub struct Call<'a> {
    /// The request's parameters.
    pub params: &'a Params,
    /// The live account.
    pub account: &'a mut Account,
    /// The STS sessions issued so far (AssumeRole adds to them).
    pub sessions: &'a mut Sessions,
    /// The credential reports generated so far.
    pub reports: &'a mut report::CredentialReports,
    /// Who signed.
    pub caller: &'a Verified,
    /// The sandbox clock's time for this request.
    pub now: DateTime<Utc>,
}

/// Checks the caller may do this, then does it.
pub fn perform(action: &ActionSpec, call: &mut Call<'_>) -> Result<Value, ApiError> {
    authorize(call, action)?;
    (action.run)(call)
}

/// The one permission check, before every action (module `authorize`).
fn authorize(call: &Call<'_>, action: &ActionSpec) -> Result<(), ApiError> {
    authorize::check(call, action)
}

impl<'a> Call<'a> {
    /// A required parameter, present and not empty.
    pub fn required(&self, name: &str) -> Result<&'a str, ApiError> {
        self.params
            .non_empty(name)
            .ok_or_else(|| ApiError::missing(name))
    }

    /// A required name parameter (`UserName`, `GroupName`, `PolicyName`),
    /// checked against RAM's rule.
    pub fn required_name(&self, rule: NameRule) -> Result<&'a str, ApiError> {
        let name = self.required(rule.field())?;
        check_name(rule, name)?;
        Ok(name)
    }

    /// The optional `UserName`, or the caller's own name when it is absent
    /// (the key actions work on the caller by default). A role session has
    /// no keys of its own, so it must name the user.
    pub fn user_name_or_caller(&self) -> Result<String, ApiError> {
        match (self.params.non_empty("UserName"), &self.caller.principal) {
            (Some(name), _) => {
                check_name(NameRule::User, name)?;
                Ok(name.to_owned())
            }
            (None, Principal::User { user_name }) => Ok(user_name.clone()),
            (None, Principal::Role { .. }) => Err(ApiError::missing("UserName")),
        }
    }

    /// A date as it goes on the wire.
    pub fn wire_date(&self, date: AccountDate) -> String {
        wire_date(date.resolve(self.now))
    }
}

/// `YYYY-MM-DDThh:mm:ssZ`, the format of every date in RAM responses.
pub fn wire_date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn check_name(rule: NameRule, name: &str) -> Result<(), ApiError> {
    rule.check(name).map_err(|problem| {
        ApiError::invalid_parameter(
            &format!("{}.{}", rule.field(), problem.code_suffix()),
            format!("The parameter {} is invalid: {name:?}.", rule.field()),
        )
    })
}

/// The user called `name`, or 404 `EntityNotExist.User`.
pub fn find_user<'u>(account: &'u Account, name: &str) -> Result<&'u User, ApiError> {
    account.user(name).ok_or_else(|| user_not_found(name))
}

/// The user called `name`, to change it, or 404 `EntityNotExist.User`.
pub fn find_user_mut<'u>(account: &'u mut Account, name: &str) -> Result<&'u mut User, ApiError> {
    account.user_mut(name).ok_or_else(|| user_not_found(name))
}

fn user_not_found(name: &str) -> ApiError {
    ApiError::not_exist("User", format!("The user does not exist: {name}."))
}
