//! [`CredentialsError`]: why ramkey cannot get or use its own credentials.
//! Each variant names the variable, file, profile or field at fault and says
//! what to do; none ever holds a secret or a token.

use crate::cloud::error::CloudError;

use super::env::{ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN};

/// Where to read about every supported source.
const SEE_DOCS: &str = "see docs/credentials.md";

/// Why ramkey cannot use the credentials it was given, or found none.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// No part of an AccessKey pair is set in the environment.
    #[error(
        "no Alibaba Cloud credentials: set {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET}, \
         and {ENV_SECURITY_TOKEN} too for STS credentials (preferred over a permanent AccessKey)"
    )]
    Missing,

    /// One part of the pair is set, the other is not.
    #[error(
        "{missing} is not set (or empty) while {present} is: set both, \
         and {ENV_SECURITY_TOKEN} too for STS credentials (preferred over a permanent AccessKey)"
    )]
    Incomplete {
        /// The variable that is missing.
        missing: &'static str,
        /// The variable that is set.
        present: &'static str,
    },

    /// A value that would sign wrongly: a copied secret often carries a
    /// trailing newline or space, which yields `SignatureDoesNotMatch`.
    #[error("{what} {problem}: {}; nothing was sent", fix(problem))]
    Malformed {
        /// Which value, e.g. `ALIBABA_CLOUD_ACCESS_KEY_SECRET`.
        what: String,
        /// What is wrong with it, without showing it.
        problem: &'static str,
    },

    /// The chain looked everywhere and found nothing.
    #[error(
        "no Alibaba Cloud credentials found; looked at: {}. Set {ENV_ACCESS_KEY_ID} and \
         {ENV_ACCESS_KEY_SECRET} ({ENV_SECURITY_TOKEN} too for STS), or add a profile to \
         ~/.aliyun/config.json and pass --profile NAME; a RamRoleArn profile is preferred over \
         a permanent AccessKey ({SEE_DOCS})",
        looked.join("; ")
    )]
    NotFound {
        /// Each place looked at, and what was there.
        looked: Vec<String>,
    },

    /// A profile was asked for by name and no file has it.
    #[error(
        "profile `{name}` (chosen by {chosen_by}) was not found; looked at: {}. Check the name, \
         or unset {chosen_by} to use the default profile ({SEE_DOCS})",
        looked.join("; ")
    )]
    ProfileNotFound {
        /// The name asked for.
        name: String,
        /// `--profile` or the variable that named it.
        chosen_by: String,
        /// Each file looked at, and the profiles it has.
        looked: Vec<String>,
    },

    /// A credentials file exists but cannot be read.
    #[error("cannot read {path}: {source}; fix its permissions or move it away")]
    Unreadable {
        /// The file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },

    /// A credentials file is not well formed.
    #[error("{path}, line {line}: {message}; fix the file ({SEE_DOCS})")]
    Syntax {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong, never quoting a value.
        message: String,
    },

    /// A profile lacks a field, or a field's value cannot work.
    #[error("{origin}: {problem}")]
    Profile {
        /// The profile and its file, e.g. "profile `prod` in ~/.aliyun/config.json".
        origin: String,
        /// What is wrong and what to do.
        problem: String,
    },

    /// STS AssumeRole refused or failed.
    #[error(
        "cannot assume role {role_arn} for {origin}: {source}{}",
        advice(source)
    )]
    AssumeRole {
        /// The profile that asked for the role.
        origin: String,
        /// The role.
        role_arn: String,
        /// What the STS call answered.
        source: Box<CloudError>,
    },

    /// The ECS metadata service did not hand out credentials.
    #[error(
        "cannot get the ECS instance's RAM role credentials from {url}: {problem}; check that \
         this runs on an ECS instance with a RAM role attached, or set \
         ALIBABA_CLOUD_ECS_METADATA_DISABLED=true and use another source ({SEE_DOCS})"
    )]
    Metadata {
        /// The metadata URL that was asked.
        url: String,
        /// What went wrong, never quoting credentials.
        problem: String,
    },
}

fn fix(problem: &str) -> &'static str {
    if problem == "is empty" {
        "give it a value"
    } else {
        "remove it and try again (a pasted value often carries a trailing newline)"
    }
}

/// What to do about a refused AssumeRole, beyond the service's own hint.
fn advice(source: &CloudError) -> String {
    let specific = match source.code() {
        Some("NoPermission") => {
            "; the role's trust policy must name the identity that assumes it, and that \
             identity needs `sts:AssumeRole` (e.g. the AliyunSTSAssumeRoleAccess policy)"
        }
        Some("EntityNotExist.Role") => "; check the role ARN (account id and role name)",
        Some(code) if code.starts_with("InvalidParameter.DurationSeconds") => {
            "; the duration must be at least 900 seconds and at most the role's \
             MaxSessionDuration"
        }
        Some(code) if code.starts_with("InvalidParameter.RoleSessionName") => {
            "; a session name is 2-64 letters, digits and `.@-_`"
        }
        _ => "",
    };
    match source.hint() {
        Some(hint) if specific.is_empty() => format!("\nhint: {hint}"),
        _ => specific.to_owned(),
    }
}

/// serde quotes the offending value (`` invalid type: string "abc" ``), which
/// may be a secret put in the wrong place: keep the message, drop the values.
pub(crate) fn without_values(message: &str) -> String {
    let message = message
        .rfind(" at line ")
        .map_or(message, |at| &message[..at]);
    let mut out = String::with_capacity(message.len());
    let mut inside: Option<char> = None;
    for c in message.chars() {
        match inside {
            Some(close) if c == close => {
                inside = None;
                out.push('…');
                out.push(c);
            }
            Some(_) => {}
            None if c == '"' || c == '`' => {
                inside = Some(c);
                out.push(c);
            }
            None => out.push(c),
        }
    }
    if inside.is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_dropped_from_serde_messages() {
        assert_eq!(
            without_values("invalid type: string \"LTAIsecret\", expected u64 at line 3 column 9"),
            "invalid type: string \"…\", expected u64"
        );
        assert_eq!(
            without_values("unknown variant `x`, expected one of"),
            "unknown variant `…`, expected one of"
        );
        assert_eq!(without_values("cut \"short"), "cut \"…");
    }
}
