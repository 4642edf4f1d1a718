//! The aliyun CLI's `~/.aliyun/config.json`: `current` names the default
//! profile, `profiles[]` holds them, and each profile's `mode` says which
//! fields it uses. ramkey reads the modes `AK`, `StsToken`, `RamRoleArn`,
//! `ChainableRamRoleArn` (with `source_profile`) and `EcsRamRole`.
//!
//! Only reads the file and builds a [`Recipe`]; fetches nothing. Errors
//! name the file, the profile and the field, and never quote a value.

use std::path::Path;

use serde::{Deserialize, Deserializer};

use super::error::without_values;
use super::recipe::{How, Recipe, RoleFields, Search};
use super::{Credentials, CredentialsError, FieldNames};
use crate::secret::Secret;

/// The modes ramkey supports, for the refusal of any other.
const SUPPORTED: &str = "AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole";

#[derive(Deserialize)]
struct ConfigFile {
    #[serde(default)]
    current: String,
    #[serde(default)]
    profiles: Vec<Profile>,
}

/// One profile; fields ramkey does not use are ignored. No `Debug`: the
/// secret fields are [`Secret`]s, but nothing needs to print a profile.
#[derive(Deserialize)]
#[expect(
    clippy::struct_field_names,
    reason = "the fields are named as the CLI's JSON names them"
)]
struct Profile {
    #[serde(default)]
    name: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    access_key_id: String,
    #[serde(default, deserialize_with = "secret")]
    access_key_secret: Option<Secret>,
    #[serde(default, deserialize_with = "secret")]
    sts_token: Option<Secret>,
    #[serde(default)]
    ram_role_arn: String,
    #[serde(default)]
    ram_session_name: String,
    #[serde(default)]
    expired_seconds: Option<u64>,
    #[serde(default)]
    policy: String,
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    source_profile: String,
    #[serde(default)]
    ram_role_name: String,
}

fn secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Secret>, D::Error> {
    Option::<String>::deserialize(deserializer).map(|value| value.map(Secret::new))
}

/// Reads `path` (shown as `shown`) and builds the recipe of profile
/// `wanted`, or of `current` when none is wanted.
pub(crate) fn find(
    path: &Path,
    shown: &str,
    wanted: Option<&str>,
    default_session: &str,
) -> Result<Search, CredentialsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Search::NoFile),
        Err(source) => {
            return Err(CredentialsError::Unreadable {
                path: shown.to_owned(),
                source,
            });
        }
    };
    let file: ConfigFile =
        serde_json::from_str(&text).map_err(|error| CredentialsError::Syntax {
            path: shown.to_owned(),
            line: error.line(),
            message: without_values(&error.to_string()),
        })?;

    let name = match wanted {
        Some(name) => name.to_owned(),
        None if file.current.is_empty() => "default".to_owned(),
        None => file.current.clone(),
    };
    let reader = Reader {
        file: &file,
        shown,
        default_session,
    };
    match reader.profile(&name) {
        Some(_) => reader.recipe(&name, &mut Vec::new()).map(Search::Found),
        None => Ok(Search::NoProfile {
            name,
            names: file.profiles.iter().map(|p| p.name.clone()).collect(),
        }),
    }
}

struct Reader<'a> {
    file: &'a ConfigFile,
    shown: &'a str,
    default_session: &'a str,
}

impl Reader<'_> {
    fn profile(&self, name: &str) -> Option<&Profile> {
        self.file
            .profiles
            .iter()
            .find(|profile| profile.name == name)
    }

    /// `chain` holds the profiles already on the way here, to catch a
    /// `source_profile` loop.
    fn recipe(&self, name: &str, chain: &mut Vec<String>) -> Result<Recipe, CredentialsError> {
        let origin = format!("profile `{name}` from {}", self.shown);
        let Some(profile) = self.profile(name) else {
            let asking = chain
                .last()
                .map_or_else(String::new, |p| format!("profile `{p}`"));
            return Err(CredentialsError::Profile {
                origin: format!("{asking} from {}", self.shown),
                problem: format!(
                    "`source_profile` names `{name}`, which is not in the file; \
                     name an existing profile"
                ),
            });
        };
        if chain.iter().any(|seen| seen == name) {
            chain.push(name.to_owned());
            return Err(CredentialsError::Profile {
                origin,
                problem: format!(
                    "`source_profile` goes round in a loop ({}); end the chain at an AK profile",
                    chain.join(" -> ")
                ),
            });
        }
        chain.push(name.to_owned());
        let how = self.how(profile, &origin, chain)?;
        Ok(Recipe { origin, how })
    }

    fn how(
        &self,
        profile: &Profile,
        origin: &str,
        chain: &mut Vec<String>,
    ) -> Result<How, CredentialsError> {
        let mode = profile.mode.to_ascii_lowercase();
        match mode.as_str() {
            "ak" => static_key(profile, origin, false).map(How::Static),
            "ststoken" => static_key(profile, origin, true).map(How::Static),
            "ramrolearn" => {
                let source = Recipe {
                    origin: origin.to_owned(),
                    how: How::Static(static_key(profile, origin, false)?),
                };
                self.assume(profile, origin, source, false)
            }
            "chainableramrolearn" => {
                if profile.source_profile.is_empty() {
                    return Err(problem(
                        origin,
                        "`source_profile` is missing: name the profile whose credentials \
                         assume the role",
                    ));
                }
                let source = self.recipe(&profile.source_profile, chain)?;
                self.assume(profile, origin, source, true)
            }
            "ecsramrole" => Ok(How::Ecs {
                role_name: Some(profile.ram_role_name.clone()).filter(|r| !r.is_empty()),
            }),
            "" => Err(problem(
                origin,
                &format!("`mode` is missing; set one of {SUPPORTED}"),
            )),
            _ => Err(problem(
                origin,
                &format!(
                    "mode `{}` is not supported by ramkey; use one of {SUPPORTED}, \
                     or choose another profile with --profile",
                    profile.mode
                ),
            )),
        }
    }

    fn assume(
        &self,
        profile: &Profile,
        origin: &str,
        source: Recipe,
        chained: bool,
    ) -> Result<How, CredentialsError> {
        let request = RoleFields {
            origin,
            arn_field: "ram_role_arn",
            arn: Some(profile.ram_role_arn.as_str()),
            session_field: "ram_session_name",
            session: Some(profile.ram_session_name.as_str()),
            duration_field: "expired_seconds",
            duration: profile.expired_seconds,
            policy: Some(profile.policy.as_str()),
            external_id: Some(profile.external_id.as_str()),
            default_session: self.default_session,
        }
        .request()?;
        Ok(How::AssumeRole {
            source: Box::new(source),
            request,
            chained,
        })
    }
}

/// The AccessKey pair (and for `StsToken` the token) of a profile.
fn static_key(
    profile: &Profile,
    origin: &str,
    with_token: bool,
) -> Result<Credentials, CredentialsError> {
    let mode = &profile.mode;
    let needs = if with_token {
        "access_key_id, access_key_secret and sts_token"
    } else {
        "access_key_id and access_key_secret"
    };
    let missing = |field: &str| {
        problem(
            origin,
            &format!("`{field}` is missing or empty; mode {mode} needs {needs}"),
        )
    };
    if profile.access_key_id.is_empty() {
        return Err(missing("access_key_id"));
    }
    let secret = profile
        .access_key_secret
        .clone()
        .filter(|s| !s.expose().is_empty())
        .ok_or_else(|| missing("access_key_secret"))?;
    let token = if with_token {
        let token = profile.sts_token.clone().filter(|t| !t.expose().is_empty());
        Some(token.ok_or_else(|| missing("sts_token"))?)
    } else {
        None
    };
    let names = FieldNames::in_file(origin, "access_key_id", "access_key_secret", "sts_token");
    Credentials::named(
        profile.access_key_id.clone(),
        secret,
        token,
        origin.to_owned(),
        &names,
    )
}

fn problem(origin: &str, problem: &str) -> CredentialsError {
    CredentialsError::Profile {
        origin: origin.to_owned(),
        problem: problem.to_owned(),
    }
}
