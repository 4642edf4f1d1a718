//! [`CredentialReport`]: what the start screen and `ramkey scan` say about
//! ramkey's own credentials — their kind and source, the STS expiry, and a
//! warning for a permanent AccessKey. Pure data and text; no I/O.

use std::fmt;

use chrono::{DateTime, Utc};

/// The kinds of credential ramkey can sign with, named as the aliyun CLI's
/// profile modes name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// A RAM user's permanent AccessKey (mode `AK`, type `access_key`).
    AccessKey,
    /// An STS token issued elsewhere (mode `StsToken`); ramkey cannot renew it.
    StsToken,
    /// A role assumed with an AccessKey (mode `RamRoleArn`, type `ram_role_arn`).
    RamRoleArn,
    /// A role assumed with another profile's credentials (`ChainableRamRoleArn`).
    ChainableRamRoleArn,
    /// The ECS instance's RAM role (mode `EcsRamRole`, type `ecs_ram_role`).
    EcsRamRole,
}

impl CredentialKind {
    /// The name shown to people.
    pub fn name(self) -> &'static str {
        match self {
            CredentialKind::AccessKey => "AccessKey",
            CredentialKind::StsToken => "StsToken",
            CredentialKind::RamRoleArn => "RamRoleArn",
            CredentialKind::ChainableRamRoleArn => "ChainableRamRoleArn",
            CredentialKind::EcsRamRole => "EcsRamRole",
        }
    }

    /// Whether ramkey signs with STS credentials of this kind.
    pub fn is_temporary(self) -> bool {
        self != CredentialKind::AccessKey
    }

    /// Whether ramkey fetches fresh credentials of this kind before expiry.
    pub fn renews(self) -> bool {
        matches!(
            self,
            CredentialKind::RamRoleArn
                | CredentialKind::ChainableRamRoleArn
                | CredentialKind::EcsRamRole
        )
    }
}

impl fmt::Display for CredentialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Who ramkey's credentials are, as far as ramkey knows them itself (the
/// account and ARN come from GetCallerIdentity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialReport {
    /// What kind of credential.
    pub kind: CredentialKind,
    /// Where it came from, e.g. "profile `prod` from ~/.aliyun/config.json".
    pub source: String,
    /// The AccessKey ID signing now (`STS.…` for temporary credentials);
    /// `None` before the first call fetched it.
    pub access_key_id: Option<String>,
    /// When the STS token in use expires, when known.
    pub expires_at: Option<DateTime<Utc>>,
}

impl CredentialReport {
    /// One line: "RamRoleArn profile `prod` from ~/.aliyun/config.json, key
    /// STS.…, expires 2024-01-02T04:04:05Z (renewed before then)".
    pub fn describe(&self) -> String {
        let mut line = format!("{} {}", self.kind, self.source);
        if let Some(id) = &self.access_key_id {
            line.push_str(", key ");
            line.push_str(id);
        }
        if let Some(at) = self.expires_at {
            line.push_str(", expires ");
            line.push_str(&at.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            if self.kind.renews() {
                line.push_str(" (renewed before then)");
            }
        }
        line
    }

    /// What the admin should know before trusting this run with changes.
    pub fn warning(&self) -> Option<String> {
        match self.kind {
            CredentialKind::AccessKey => Some(
                "ramkey is signing with a permanent AccessKey. STS credentials are safer: add \
                 a RamRoleArn profile to ~/.aliyun/config.json (or a ram_role_arn section to \
                 ~/.alibabacloud/credentials) and run ramkey with --profile NAME; see \
                 docs/credentials.md"
                    .to_owned(),
            ),
            CredentialKind::StsToken => Some(
                "ramkey cannot renew this STS token: when it expires, get fresh credentials \
                 and run ramkey again; it resumes at the step where it stopped"
                    .to_owned(),
            ),
            _ => None,
        }
    }
}

impl fmt::Display for CredentialReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(kind: CredentialKind) -> CredentialReport {
        CredentialReport {
            kind,
            source: "profile `prod` from ~/.aliyun/config.json".to_owned(),
            access_key_id: Some("STS.abc".to_owned()),
            expires_at: Some(
                DateTime::parse_from_rfc3339("2024-01-02T04:04:05Z")
                    .unwrap()
                    .to_utc(),
            ),
        }
    }

    #[test]
    fn a_role_is_described_with_its_source_key_and_expiry() {
        assert_eq!(
            report(CredentialKind::RamRoleArn).describe(),
            "RamRoleArn profile `prod` from ~/.aliyun/config.json, key STS.abc, \
             expires 2024-01-02T04:04:05Z (renewed before then)"
        );
        assert_eq!(report(CredentialKind::RamRoleArn).warning(), None);
    }

    #[test]
    fn a_permanent_key_is_warned_about_and_an_sts_token_explained() {
        let mut permanent = report(CredentialKind::AccessKey);
        permanent.expires_at = None;
        assert!(!permanent.describe().contains("expires"));
        let warning = permanent.warning().unwrap();
        assert!(warning.contains("permanent AccessKey"), "{warning}");
        assert!(warning.contains("RamRoleArn profile"), "{warning}");

        let sts = report(CredentialKind::StsToken);
        assert!(!sts.describe().contains("renewed"), "{}", sts.describe());
        assert!(sts.warning().unwrap().contains("cannot renew"));
    }

    #[test]
    fn kinds_know_whether_they_are_temporary_and_renew() {
        assert!(!CredentialKind::AccessKey.is_temporary());
        assert!(CredentialKind::StsToken.is_temporary());
        assert!(!CredentialKind::StsToken.renews());
        assert!(CredentialKind::EcsRamRole.renews());
        assert!(CredentialKind::ChainableRamRoleArn.renews());
    }
}
