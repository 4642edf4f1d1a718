//! The rules a well-formed account file must also meet: what serde cannot
//! check alone (uniqueness, references, the caller key).

use std::collections::HashSet;

use crate::cloud::model::PolicyType;
use crate::sandbox::names::{NameProblem, NameRule};

use super::{Account, ONE_HOUR, PolicyAttachment, User};

/// One broken rule, with enough to find it in the file and fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountProblem {
    /// `AccountId` is empty.
    #[error("AccountId is empty; give the account's numeric id")]
    NoAccountId,
    /// A `UserName`, `GroupName` or `PolicyName` breaks RAM's naming rule.
    #[error("{field} `{name}` is invalid ({}); RAM allows {}", reason(*.problem), allowed(*.rule))]
    BadName {
        /// Which rule.
        rule: NameRule,
        /// The name as written.
        name: String,
        /// What is wrong with it.
        problem: NameProblem,
        /// `UserName`, `GroupName` or `PolicyName`.
        field: &'static str,
    },
    /// Two users, groups or policies share a name, or two users an id.
    #[error("{field} `{value}` appears twice; each must be unique")]
    Duplicate {
        /// Which field.
        field: &'static str,
        /// The repeated value.
        value: String,
    },
    /// An AccessKey with an empty secret could never sign.
    #[error("AccessKey `{0}` has an empty AccessKeySecret")]
    EmptySecret(String),
    /// `CallerAccessKeyId` names no key of any user.
    #[error("CallerAccessKeyId `{0}` is not an AccessKey of any user; name one of the users' keys")]
    NoCallerKey(String),
    /// A user is attached to a policy the account does not define.
    #[error(
        "user `{user}` is attached to {policy_type} policy `{policy}`, which is not in Policies; \
         define it there (name and PolicyType must both match)",
        policy_type = policy_type.as_str()
    )]
    UnknownPolicy {
        /// The user.
        user: String,
        /// The policy name.
        policy: String,
        /// The policy type.
        policy_type: PolicyType,
    },
    /// A user is in a group the account does not define.
    #[error("user `{user}` is in group `{group}`, which is not in Groups; define it there")]
    UnknownGroup {
        /// The user.
        user: String,
        /// The group name.
        group: String,
    },
    /// A `RoleName` breaks RAM's rule.
    #[error("RoleName `{0}` is invalid; RAM allows 1-64 letters, digits, '.' and '-'")]
    BadRoleName(String),
    /// A role lets someone assume it who is not in the account.
    #[error(
        "role `{role}` trusts `{principal}`, which is not a user or role of this account; \
         write user/<UserName> or role/<RoleName>"
    )]
    UnknownPrincipal {
        /// The role.
        role: String,
        /// The entry of `TrustedPrincipals`.
        principal: String,
    },
    /// A role's `MaxSessionDuration` is outside what RAM allows.
    #[error("role `{role}` has MaxSessionDuration {seconds}; RAM allows 3600 to 43200 seconds")]
    BadSessionDuration {
        /// The role.
        role: String,
        /// The value given.
        seconds: u32,
    },
    /// The same policy or group is listed twice for one user.
    #[error("user `{user}` lists `{entry}` twice in {field}")]
    Repeated {
        /// The user.
        user: String,
        /// `Policies` or `Groups`.
        field: &'static str,
        /// The repeated entry.
        entry: String,
    },
    /// A group is attached to a policy the account does not define, or to
    /// the same one twice.
    #[error(
        "group `{group}` is attached to {policy_type} policy `{policy}` {why}",
        policy_type = policy_type.as_str(),
        why = if *.repeated { "twice" } else {
            "which is not in Policies; define it there (name and PolicyType must both match)"
        }
    )]
    GroupPolicy {
        /// The group.
        group: String,
        /// The policy name.
        policy: String,
        /// The policy type.
        policy_type: PolicyType,
        /// Listed twice, rather than undefined.
        repeated: bool,
    },
    /// A System policy was given a document: System documents are built in.
    #[error(
        "System policy `{0}` has a PolicyDocument; System policies' documents are built into \
         the sandbox, so give documents to Custom policies only"
    )]
    SystemPolicyDocument(String),
    /// A KMS secret breaks a rule of `KmsSecrets`.
    #[error("KMS secret `{secret}` {problem}")]
    KmsSecret {
        /// Its `SecretName`.
        secret: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
}

fn reason(problem: NameProblem) -> &'static str {
    match problem {
        NameProblem::Length => "wrong length",
        NameProblem::InvalidChars => "invalid characters",
    }
}

fn allowed(rule: NameRule) -> &'static str {
    match rule {
        NameRule::User => "1-64 letters, digits, '.', '-' and '_'",
        NameRule::Group => "1-64 letters, digits and '-'",
        NameRule::Policy => "1-128 letters, digits and '-'",
    }
}

impl AccountProblem {
    /// The 1-based line of the offending value in `text`, when it can be found:
    /// the n-th occurrence of the quoted value (the second, for a duplicate).
    pub fn locate_in(&self, text: &str) -> Option<usize> {
        let (value, occurrence) = match self {
            AccountProblem::NoAccountId => ("AccountId", 1),
            AccountProblem::BadName { name, .. } => (name.as_str(), 1),
            AccountProblem::Duplicate { value, .. } => (value.as_str(), 2),
            AccountProblem::EmptySecret(key) | AccountProblem::NoCallerKey(key) => {
                (key.as_str(), 1)
            }
            AccountProblem::UnknownPolicy { policy, .. }
            | AccountProblem::SystemPolicyDocument(policy) => (policy.as_str(), 1),
            AccountProblem::UnknownGroup { group, .. }
            | AccountProblem::GroupPolicy { group, .. } => (group.as_str(), 1),
            AccountProblem::Repeated { user, .. } => (user.as_str(), 1),
            AccountProblem::BadRoleName(role)
            | AccountProblem::UnknownPrincipal { role, .. }
            | AccountProblem::BadSessionDuration { role, .. } => (role.as_str(), 1),
            AccountProblem::KmsSecret { secret, .. } => (secret.as_str(), 1),
        };
        let quoted = serde_json::to_string(value).ok()?;
        let (offset, _) = text.match_indices(&quoted).nth(occurrence - 1)?;
        Some(text[..offset].matches('\n').count() + 1)
    }
}

/// Every rule, first failure wins.
pub(super) fn check(account: &Account) -> Result<(), AccountProblem> {
    if account.account_id.trim().is_empty() {
        return Err(AccountProblem::NoAccountId);
    }
    check_policies(account)?;
    check_groups(account)?;
    check_users(account)?;
    check_roles(account)?;
    super::kms::check(account)?;
    if account.key_owner(&account.caller_access_key_id).is_none() {
        return Err(AccountProblem::NoCallerKey(
            account.caller_access_key_id.clone(),
        ));
    }
    Ok(())
}

fn check_name(rule: NameRule, name: &str) -> Result<(), AccountProblem> {
    rule.check(name).map_err(|problem| AccountProblem::BadName {
        rule,
        name: name.to_owned(),
        problem,
        field: rule.field(),
    })
}

/// Inserts into `seen`, or reports the value as a duplicate of `field`.
fn unique(
    seen: &mut HashSet<String>,
    field: &'static str,
    value: &str,
) -> Result<(), AccountProblem> {
    if seen.insert(value.to_owned()) {
        Ok(())
    } else {
        Err(AccountProblem::Duplicate {
            field,
            value: value.to_owned(),
        })
    }
}

fn check_policies(account: &Account) -> Result<(), AccountProblem> {
    let mut seen = HashSet::new();
    for policy in &account.policies {
        check_name(NameRule::Policy, &policy.policy_name)?;
        let typed = format!("{}:{}", policy.policy_type.as_str(), policy.policy_name);
        if !seen.insert(typed) {
            return Err(AccountProblem::Duplicate {
                field: "PolicyName",
                value: policy.policy_name.clone(),
            });
        }
        if policy.policy_type == PolicyType::System && policy.policy_document.is_some() {
            return Err(AccountProblem::SystemPolicyDocument(
                policy.policy_name.clone(),
            ));
        }
    }
    Ok(())
}

fn check_groups(account: &Account) -> Result<(), AccountProblem> {
    let mut seen = HashSet::new();
    for group in &account.groups {
        check_name(NameRule::Group, &group.group_name)?;
        unique(&mut seen, "GroupName", &group.group_name)?;
        check_group_attachments(account, &group.group_name, &group.policies)?;
    }
    Ok(())
}

fn check_group_attachments(
    account: &Account,
    group: &str,
    attached: &[PolicyAttachment],
) -> Result<(), AccountProblem> {
    let mut seen = HashSet::new();
    for attachment in attached {
        let undefined = account
            .policy(&attachment.policy_name, attachment.policy_type)
            .is_none();
        let repeated = !seen.insert((attachment.policy_name.as_str(), attachment.policy_type));
        if undefined || repeated {
            return Err(AccountProblem::GroupPolicy {
                group: group.to_owned(),
                policy: attachment.policy_name.clone(),
                policy_type: attachment.policy_type,
                repeated: !undefined,
            });
        }
    }
    Ok(())
}

fn check_users(account: &Account) -> Result<(), AccountProblem> {
    let (mut names, mut ids, mut keys) = (HashSet::new(), HashSet::new(), HashSet::new());
    for user in &account.users {
        check_name(NameRule::User, &user.user_name)?;
        unique(&mut names, "UserName", &user.user_name)?;
        unique(&mut ids, "UserId", &user.user_id)?;
        for key in &user.access_keys {
            unique(&mut keys, "AccessKeyId", &key.access_key_id)?;
            if key.access_key_secret.expose().is_empty() {
                return Err(AccountProblem::EmptySecret(key.access_key_id.clone()));
            }
        }
        check_attachments(account, user)?;
        check_memberships(account, user)?;
    }
    Ok(())
}

/// The longest `MaxSessionDuration` RAM allows.
const LONGEST_SESSION: u32 = 43_200;

fn check_roles(account: &Account) -> Result<(), AccountProblem> {
    let (mut names, mut ids) = (HashSet::new(), HashSet::new());
    for role in &account.roles {
        let name = &role.role_name;
        let valid = (1..=64).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !valid {
            return Err(AccountProblem::BadRoleName(name.clone()));
        }
        unique(&mut names, "RoleName", &name.to_ascii_lowercase())?;
        unique(&mut ids, "RoleId", &role.role_id)?;
        if !(ONE_HOUR..=LONGEST_SESSION).contains(&role.max_session_duration) {
            return Err(AccountProblem::BadSessionDuration {
                role: name.clone(),
                seconds: role.max_session_duration,
            });
        }
        for principal in &role.trusted_principals {
            if !is_principal(account, principal) {
                return Err(AccountProblem::UnknownPrincipal {
                    role: name.clone(),
                    principal: principal.clone(),
                });
            }
        }
    }
    Ok(())
}

fn is_principal(account: &Account, principal: &str) -> bool {
    match principal.split_once('/') {
        Some(("user", name)) => account.user(name).is_some(),
        Some(("role", name)) => account.role(name).is_some(),
        _ => false,
    }
}

fn check_attachments(account: &Account, user: &User) -> Result<(), AccountProblem> {
    let mut seen = HashSet::new();
    for attached in &user.policies {
        if account
            .policy(&attached.policy_name, attached.policy_type)
            .is_none()
        {
            return Err(AccountProblem::UnknownPolicy {
                user: user.user_name.clone(),
                policy: attached.policy_name.clone(),
                policy_type: attached.policy_type,
            });
        }
        if !seen.insert((attached.policy_name.as_str(), attached.policy_type)) {
            return Err(AccountProblem::Repeated {
                user: user.user_name.clone(),
                field: "Policies",
                entry: attached.policy_name.clone(),
            });
        }
    }
    Ok(())
}

fn check_memberships(account: &Account, user: &User) -> Result<(), AccountProblem> {
    let mut seen = HashSet::new();
    for membership in &user.groups {
        if account.group(&membership.group_name).is_none() {
            return Err(AccountProblem::UnknownGroup {
                user: user.user_name.clone(),
                group: membership.group_name.clone(),
            });
        }
        if !seen.insert(membership.group_name.as_str()) {
            return Err(AccountProblem::Repeated {
                user: user.user_name.clone(),
                field: "Groups",
                entry: membership.group_name.clone(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::sandbox::account::{Account, AccountError};

    /// The demo account as pretty JSON, edited by `edit`, then parsed.
    fn parse_edited(edit: impl FnOnce(&mut serde_json::Value)) -> (String, AccountError) {
        let mut value = serde_json::to_value(Account::demo()).unwrap();
        edit(&mut value);
        let text = serde_json::to_string_pretty(&value).unwrap();
        let error = Account::parse(&text, "edited.json").unwrap_err();
        (text, error)
    }

    fn line_of(text: &str, needle: &str, occurrence: usize) -> usize {
        text.lines()
            .enumerate()
            .filter(|(_, line)| line.contains(needle))
            .nth(occurrence - 1)
            .unwrap()
            .0
            + 1
    }

    #[test]
    fn duplicate_user_names_point_at_the_second() {
        let (text, error) = parse_edited(|v| {
            let first = v["Users"][0]["UserName"].clone();
            v["Users"][3]["UserName"] = first;
        });
        let name = Account::demo().users[0].user_name.clone();
        let line = line_of(&text, &format!("\"{name}\""), 2);
        assert_eq!(
            error.to_string(),
            format!(
                "edited.json, line {line}: UserName `{name}` appears twice; each must be unique"
            )
        );
    }

    #[test]
    fn undefined_policies_and_groups_are_named() {
        let (_, error) = parse_edited(|v| {
            v["Users"][1]["Policies"][0]["PolicyName"] = "NoSuchPolicy".into();
        });
        let message = error.to_string();
        assert!(
            message.contains("policy `NoSuchPolicy`, which is not in Policies"),
            "{message}"
        );

        let (_, error) = parse_edited(|v| {
            v["Users"][1]["Groups"][0]["GroupName"] = "no-such-group".into();
        });
        assert!(
            error
                .to_string()
                .contains("group `no-such-group`, which is not in Groups")
        );
    }

    #[test]
    fn the_caller_key_must_exist() {
        let (_, error) = parse_edited(|v| v["CallerAccessKeyId"] = "LTAI-GONE".into());
        assert!(
            error
                .to_string()
                .contains("CallerAccessKeyId `LTAI-GONE` is not an AccessKey")
        );
    }

    #[test]
    fn bad_user_names_are_refused() {
        let (_, error) = parse_edited(|v| v["Users"][2]["UserName"] = "ops bot".into());
        assert!(
            error
                .to_string()
                .contains("UserName `ops bot` is invalid (invalid characters)")
        );
    }

    #[test]
    fn roles_must_trust_known_principals_and_keep_rams_limits() {
        let (_, error) = parse_edited(|v| {
            v["Roles"][0]["TrustedPrincipals"] = serde_json::json!(["user/nobody"]);
        });
        assert!(
            error
                .to_string()
                .contains("trusts `user/nobody`, which is not a user or role"),
            "{error}"
        );
        let (_, error) = parse_edited(|v| v["Roles"][0]["MaxSessionDuration"] = 60.into());
        assert!(
            error.to_string().contains("MaxSessionDuration 60"),
            "{error}"
        );
        let (_, error) = parse_edited(|v| v["Roles"][0]["RoleName"] = "bad role".into());
        assert!(error.to_string().contains("RoleName `bad role`"), "{error}");
    }

    #[test]
    fn a_file_without_roles_still_loads() {
        let mut value = serde_json::to_value(Account::demo()).unwrap();
        value.as_object_mut().unwrap().remove("Roles");
        let account = Account::parse(&value.to_string(), "old.json").unwrap();
        assert!(account.roles.is_empty());
        let text = serde_json::to_string(&account).unwrap();
        assert!(!text.contains("Roles"), "empty roles are left out");
    }

    #[test]
    fn duplicate_keys_are_refused_across_users() {
        let (_, error) = parse_edited(|v| {
            let key = v["Users"][1]["AccessKeys"][0].clone();
            v["Users"][2]["AccessKeys"][0] = key;
        });
        assert!(error.to_string().contains("AccessKeyId `LTAI"), "{error}");
    }
}
