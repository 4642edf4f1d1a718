//! [`Recipe`]: how to get credentials, as a profile or the environment
//! describes them, before anything is fetched. The file readers produce
//! recipes; [`super::chain`] turns one into a provider.
//!
//! Also the checks of a role's parameters, so a bad ARN or session name is
//! reported against the profile field before any call is made.

use crate::cloud::sts::AssumeRoleRequest;

use super::report::CredentialKind;
use super::{Credentials, CredentialsError};

/// The shortest session STS grants, and the longest any role may allow.
const MIN_DURATION_SECONDS: u32 = 900;
const MAX_DURATION_SECONDS: u32 = 43_200;
/// STS's default, used when a profile does not say.
pub(crate) const DEFAULT_DURATION_SECONDS: u32 = 3_600;
/// The inline policy's limit in characters.
const MAX_POLICY_CHARS: usize = 2_048;

/// How to get one identity's credentials.
#[derive(Debug)]
pub(crate) struct Recipe {
    /// Where it was described, e.g. "profile `prod` from ~/.aliyun/config.json".
    pub origin: String,
    pub how: How,
}

#[derive(Debug)]
pub(crate) enum How {
    /// A permanent AccessKey, or an STS token someone else issued.
    Static(Credentials),
    /// Sign AssumeRole with `source`'s credentials; `chained` when the source
    /// is another profile (`ChainableRamRoleArn`).
    AssumeRole {
        source: Box<Recipe>,
        request: AssumeRoleRequest,
        chained: bool,
    },
    /// The ECS instance's RAM role, from the metadata service.
    Ecs { role_name: Option<String> },
    /// The same as the chain's last resort: `looked` is what the chain
    /// found nothing in, reported if the metadata service fails too.
    EcsFallback {
        role_name: Option<String>,
        looked: Vec<String>,
    },
}

impl Recipe {
    /// What kind of credential this yields.
    pub fn kind(&self) -> CredentialKind {
        match &self.how {
            How::Static(credentials) if credentials.is_temporary() => CredentialKind::StsToken,
            How::Static(_) => CredentialKind::AccessKey,
            How::AssumeRole { chained: true, .. } => CredentialKind::ChainableRamRoleArn,
            How::AssumeRole { .. } => CredentialKind::RamRoleArn,
            How::Ecs { .. } | How::EcsFallback { .. } => CredentialKind::EcsRamRole,
        }
    }

    /// The AccessKey ID this identity ultimately rests on: the static key,
    /// or for a role the key that assumes it. Empty for an ECS role, which
    /// rests on no key of a RAM user.
    pub fn anchor_key_id(&self) -> String {
        match &self.how {
            How::Static(credentials) => credentials.access_key_id.clone(),
            How::AssumeRole { source, .. } => source.anchor_key_id(),
            How::Ecs { .. } | How::EcsFallback { .. } => String::new(),
        }
    }
}

/// What a credentials file holds for the profile asked for.
pub(crate) enum Search {
    /// The profile, as a recipe.
    Found(Recipe),
    /// There is no such file.
    NoFile,
    /// The file has no profile of that name; these are the names it has.
    NoProfile { name: String, names: Vec<String> },
}

/// A role's parameters as a file has them, with the file's field names so
/// that a refusal points at the right line.
pub(crate) struct RoleFields<'a> {
    pub origin: &'a str,
    pub arn_field: &'static str,
    pub arn: Option<&'a str>,
    pub session_field: &'static str,
    pub session: Option<&'a str>,
    pub duration_field: &'static str,
    pub duration: Option<u64>,
    pub policy: Option<&'a str>,
    pub external_id: Option<&'a str>,
    /// Used when the profile names no session.
    pub default_session: &'a str,
}

impl RoleFields<'_> {
    /// The checked AssumeRole parameters.
    pub fn request(&self) -> Result<AssumeRoleRequest, CredentialsError> {
        let role_arn = self.role_arn()?;
        let session_name = self.session_name()?;
        let duration_seconds = self.duration_seconds()?;
        let policy = self.policy.filter(|p| !p.trim().is_empty());
        if policy.is_some_and(|p| p.chars().count() > MAX_POLICY_CHARS) {
            return Err(self.problem(format!(
                "`policy` is longer than {MAX_POLICY_CHARS} characters, the limit of STS \
                 AssumeRole; narrow it or leave it out"
            )));
        }
        Ok(AssumeRoleRequest {
            role_arn,
            session_name,
            duration_seconds,
            policy: policy.map(str::to_owned),
            external_id: self
                .external_id
                .filter(|e| !e.is_empty())
                .map(str::to_owned),
        })
    }

    fn role_arn(&self) -> Result<String, CredentialsError> {
        let field = self.arn_field;
        let Some(arn) = self.arn.filter(|arn| !arn.is_empty()) else {
            return Err(self.problem(format!(
                "`{field}` is missing: set it to the role's ARN, \
                 e.g. acs:ram::123456789012****:role/ramkey-rotator"
            )));
        };
        if !is_role_arn(arn) {
            return Err(self.problem(format!(
                "`{field}` is not a role ARN: expected acs:ram::<account id>:role/<role name>"
            )));
        }
        Ok(arn.to_owned())
    }

    fn session_name(&self) -> Result<String, CredentialsError> {
        let name = self.session.filter(|s| !s.is_empty());
        let Some(name) = name else {
            return Ok(self.default_session.to_owned());
        };
        if !is_session_name(name) {
            return Err(self.problem(format!(
                "`{}` must be 2-64 letters, digits and `.@-_`",
                self.session_field
            )));
        }
        Ok(name.to_owned())
    }

    fn duration_seconds(&self) -> Result<u32, CredentialsError> {
        let Some(seconds) = self.duration.filter(|s| *s != 0) else {
            return Ok(DEFAULT_DURATION_SECONDS);
        };
        match u32::try_from(seconds) {
            Ok(s) if (MIN_DURATION_SECONDS..=MAX_DURATION_SECONDS).contains(&s) => Ok(s),
            _ => Err(self.problem(format!(
                "`{}` is {seconds}: STS sessions last {MIN_DURATION_SECONDS} to \
                 {MAX_DURATION_SECONDS} seconds (and at most the role's MaxSessionDuration)",
                self.duration_field
            ))),
        }
    }

    fn problem(&self, problem: String) -> CredentialsError {
        CredentialsError::Profile {
            origin: self.origin.to_owned(),
            problem,
        }
    }
}

/// `acs:ram::<digits or *>:role/<name>`.
fn is_role_arn(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("acs:ram::") else {
        return false;
    };
    let Some((account, role)) = rest.split_once(":role/") else {
        return false;
    };
    let account_ok = !account.is_empty() && account.chars().all(|c| c.is_ascii_digit() || c == '*');
    account_ok && !role.is_empty() && !role.contains(char::is_whitespace)
}

/// STS's rule for `RoleSessionName`.
pub(crate) fn is_session_name(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".@-_".contains(c))
}

/// `ramkey-<login name>`, cut to STS's rule; plain `ramkey` when the login
/// name has nothing usable. ActionTrail then shows who ran ramkey.
pub(crate) fn default_session_name(user: Option<&str>) -> String {
    let cleaned: String = user
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || ".@-_".contains(*c))
        .collect();
    if cleaned.is_empty() {
        return "ramkey".to_owned();
    }
    let mut name = format!("ramkey-{cleaned}");
    name.truncate(64);
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(arn: Option<&'a str>, session: Option<&'a str>) -> RoleFields<'a> {
        RoleFields {
            origin: "profile `p` in f",
            arn_field: "ram_role_arn",
            arn,
            session_field: "ram_session_name",
            session,
            duration_field: "expired_seconds",
            duration: None,
            policy: None,
            external_id: None,
            default_session: "ramkey-alice",
        }
    }

    #[test]
    fn a_complete_role_is_accepted_with_defaults() {
        let request = fields(Some("acs:ram::5123874409316254:role/ramkey-rotator"), None)
            .request()
            .unwrap();
        assert_eq!(request.session_name, "ramkey-alice");
        assert_eq!(request.duration_seconds, 3600);
        assert_eq!(request.policy, None);
    }

    #[test]
    fn bad_role_fields_name_the_field_and_the_profile() {
        for (arn, session, duration, needle) in [
            (None, None, None, "`ram_role_arn` is missing"),
            (
                Some("arn:aws:iam::1:role/x"),
                None,
                None,
                "is not a role ARN",
            ),
            (Some("acs:ram::12:user/x"), None, None, "is not a role ARN"),
            (
                Some("acs:ram::12:role/x"),
                Some("a"),
                None,
                "`ram_session_name` must be",
            ),
            (
                Some("acs:ram::12:role/x"),
                Some("has space"),
                None,
                "must be 2-64",
            ),
            (
                Some("acs:ram::12:role/x"),
                None,
                Some(60),
                "`expired_seconds` is 60",
            ),
            (Some("acs:ram::12:role/x"), None, Some(99_999), "is 99999"),
        ] {
            let mut role = fields(arn, session);
            role.duration = duration;
            let text = role.request().unwrap_err().to_string();
            assert!(text.starts_with("profile `p` in f: "), "{text}");
            assert!(text.contains(needle), "{needle}: {text}");
        }
    }

    #[test]
    fn an_oversized_policy_is_refused() {
        let policy = "x".repeat(2049);
        let mut role = fields(Some("acs:ram::12:role/x"), None);
        role.policy = Some(&policy);
        assert!(role.request().unwrap_err().to_string().contains("2048"));
    }

    #[test]
    fn default_session_names_follow_the_sts_rule() {
        assert_eq!(default_session_name(Some("alice")), "ramkey-alice");
        assert_eq!(default_session_name(Some("李娜")), "ramkey");
        assert_eq!(default_session_name(Some("a b")), "ramkey-ab");
        assert_eq!(default_session_name(None), "ramkey");
        let long = default_session_name(Some(&"x".repeat(100)));
        assert_eq!(long.len(), 64);
        assert!(is_session_name(&long));
    }
}
