//! The credentials chain, in the official libraries' order: environment,
//! the aliyun CLI's `~/.aliyun/config.json`, the INI file
//! `~/.alibabacloud/credentials`, then the ECS metadata service (never when
//! `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`). The first source that has
//! credentials wins; a source that exists but is broken is an error, not a
//! reason to try the next one.
//!
//! A profile named by `--profile` skips the environment's key pair (the
//! admin asked for that profile); one named by `ALIBABA_CLOUD_PROFILE`
//! selects the profile in the files, after the environment, as the
//! official tools do. Nothing is fetched here: role and metadata
//! credentials are fetched by the provider on first use.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::assume_role::AssumeRoleFetch;
use super::ecs::EcsMetadata;
use super::env;
use super::lookup::Lookup;
use super::provider::{CredentialsProvider, Fetch};
use super::recipe::{How, Recipe, Search, default_session_name};
use super::{CredentialsError, cli_config, ini};
use crate::clock::Clock;
use crate::cloud::{Client, ClientOptions, CloudError, Endpoints};

/// The aliyun CLI's file, under the home directory.
const CLI_CONFIG: &str = ".aliyun/config.json";
/// The INI file of the Go, Java, Node, PHP and C# libraries...
const INI_FILE: &str = ".alibabacloud/credentials";
/// ...and of the Python library.
const INI_FILE_PY: &str = ".alibabacloud/credentials.ini";

/// Finds ramkey's credentials and builds the provider that hands them out.
///
/// `profile` is the `--profile` flag. Role profiles sign their AssumeRole
/// calls to `endpoints`' STS URL; `clock` decides when to renew.
pub fn resolve(
    lookup: &Lookup,
    profile: Option<&str>,
    endpoints: &Endpoints,
    clock: Arc<dyn Clock>,
) -> Result<CredentialsProvider, CloudError> {
    let recipe = find(lookup, profile)?;
    tracing::info!(kind = %recipe.kind(), source = %recipe.origin, "credentials chosen");
    let builder = Builder {
        lookup,
        endpoints,
        clock,
    };
    builder.build(recipe)
}

/// Which profile the files are searched for, and who asked for it.
struct Wanted {
    name: Option<String>,
    chosen_by: String,
    by_flag: bool,
}

fn wanted(lookup: &Lookup, flag: Option<&str>) -> Wanted {
    if let Some(name) = flag.filter(|name| !name.is_empty()) {
        return Wanted {
            name: Some(name.to_owned()),
            chosen_by: "--profile".to_owned(),
            by_flag: true,
        };
    }
    match env::first(lookup.vars(), &env::PROFILE) {
        Some((variable, name)) => Wanted {
            name: Some(name),
            chosen_by: variable.to_owned(),
            by_flag: false,
        },
        None => Wanted {
            name: None,
            chosen_by: String::new(),
            by_flag: false,
        },
    }
}

/// The first source in the chain's order that describes credentials.
fn find(lookup: &Lookup, flag: Option<&str>) -> Result<Recipe, CredentialsError> {
    let wanted = wanted(lookup, flag);
    let mut looked = Vec::new();

    if !wanted.by_flag {
        if let Some(credentials) = env::read(lookup.vars())? {
            let origin = format!("from the {}", credentials.source);
            return Ok(Recipe {
                origin,
                how: How::Static(credentials),
            });
        }
        looked.push(format!(
            "environment: no {} (nor ALIBABACLOUD_*, ALICLOUD_* names)",
            env::ENV_ACCESS_KEY_ID
        ));
    }

    let session = default_session(lookup);
    let files = [
        cli_file(lookup, &wanted, &session),
        ini_file(lookup, &wanted, &session),
    ];
    for file in files {
        match file? {
            Looked::Found(recipe) => return Ok(recipe),
            Looked::Nothing(note) => looked.push(note),
        }
    }

    if let Some(name) = wanted.name {
        return Err(CredentialsError::ProfileNotFound {
            name,
            chosen_by: wanted.chosen_by,
            looked,
        });
    }
    ecs_fallback(lookup, looked)
}

enum Looked {
    Found(Recipe),
    Nothing(String),
}

fn cli_file(lookup: &Lookup, wanted: &Wanted, session: &str) -> Result<Looked, CredentialsError> {
    let shown = format!("~/{CLI_CONFIG}");
    if env::is_on(lookup.vars(), env::CLI_PROFILE_DISABLED) {
        let note = format!("{shown}: ignored ({}=true)", env::CLI_PROFILE_DISABLED);
        return Ok(Looked::Nothing(note));
    }
    let Some(home) = lookup.home() else {
        return Ok(Looked::Nothing(format!(
            "{shown}: the home directory is unknown"
        )));
    };
    let search = cli_config::find(
        &home.join(CLI_CONFIG),
        &shown,
        wanted.name.as_deref(),
        session,
    )?;
    Ok(looked(search, &shown))
}

fn ini_file(lookup: &Lookup, wanted: &Wanted, session: &str) -> Result<Looked, CredentialsError> {
    let section = wanted.name.as_deref().unwrap_or("default");
    if let Some((variable, path)) = env::first(lookup.vars(), &env::CREDENTIALS_FILE) {
        let path = PathBuf::from(path);
        let shown = shown_path(&path, lookup.home());
        return match ini::find(&path, &shown, section, session)? {
            Search::NoFile => Err(CredentialsError::Profile {
                origin: format!("{variable}={shown}"),
                problem: "no such file; point the variable at your credentials file or unset it"
                    .to_owned(),
            }),
            search => Ok(looked(search, &shown)),
        };
    }
    let Some(home) = lookup.home() else {
        return Ok(Looked::Nothing(format!(
            "~/{INI_FILE}: the home directory is unknown"
        )));
    };
    let shown = format!("~/{INI_FILE}");
    match ini::find(&home.join(INI_FILE), &shown, section, session)? {
        Search::NoFile => {
            let shown_py = format!("~/{INI_FILE_PY}");
            let search = ini::find(&home.join(INI_FILE_PY), &shown_py, section, session)?;
            Ok(looked(search, &shown))
        }
        search => Ok(looked(search, &shown)),
    }
}

fn looked(search: Search, shown: &str) -> Looked {
    match search {
        Search::Found(recipe) => Looked::Found(recipe),
        Search::NoFile => Looked::Nothing(format!("{shown}: not present")),
        Search::NoProfile { name, names } if names.is_empty() => {
            Looked::Nothing(format!("{shown}: no profile `{name}` (it has none)"))
        }
        Search::NoProfile { name, names } => Looked::Nothing(format!(
            "{shown}: no profile `{name}` (it has {})",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The last source. Without credentials elsewhere its failure is reported
/// together with everything looked at before.
fn ecs_fallback(lookup: &Lookup, mut looked: Vec<String>) -> Result<Recipe, CredentialsError> {
    if env::is_on(lookup.vars(), env::ECS_METADATA_DISABLED) {
        looked.push(format!(
            "ECS metadata: not asked ({}=true)",
            env::ECS_METADATA_DISABLED
        ));
        return Err(CredentialsError::NotFound { looked });
    }
    let Some(url) = lookup.metadata_url() else {
        looked.push("ECS metadata: not asked (no metadata address given)".to_owned());
        return Err(CredentialsError::NotFound { looked });
    };
    Ok(Recipe {
        origin: format!(
            "from the ECS metadata service ({})",
            url.as_str().trim_end_matches('/')
        ),
        how: How::EcsFallback {
            role_name: ecs_role_name(lookup),
            looked,
        },
    })
}

fn ecs_role_name(lookup: &Lookup) -> Option<String> {
    env::first(lookup.vars(), &env::ECS_ROLE_NAME).map(|(_, name)| name)
}

fn default_session(lookup: &Lookup) -> String {
    let user = env::first(lookup.vars(), &["USER", "USERNAME", "LOGNAME"]).map(|(_, u)| u);
    default_session_name(user.as_deref())
}

/// `~/…` for files under the home directory, as people write them.
fn shown_path(path: &Path, home: Option<&Path>) -> String {
    match home.and_then(|home| path.strip_prefix(home).ok()) {
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

/// Turns recipes into providers; a role's source gets its own client.
struct Builder<'a> {
    lookup: &'a Lookup,
    endpoints: &'a Endpoints,
    clock: Arc<dyn Clock>,
}

impl Builder<'_> {
    fn build(&self, recipe: Recipe) -> Result<CredentialsProvider, CloudError> {
        let kind = recipe.kind();
        let anchor = recipe.anchor_key_id();
        let origin = recipe.origin;
        let clock = Arc::clone(&self.clock);

        let fetch: Box<dyn Fetch> = match recipe.how {
            How::Static(credentials) => {
                return Ok(CredentialsProvider::fixed_as(credentials, kind, origin));
            }
            How::AssumeRole {
                source, request, ..
            } => {
                let source = Arc::new(self.build(*source)?);
                let client = Client::with_provider(
                    self.endpoints.clone(),
                    source,
                    Arc::clone(&clock),
                    ClientOptions::default(),
                )?;
                Box::new(AssumeRoleFetch {
                    client,
                    request,
                    origin: origin.clone(),
                })
            }
            How::Ecs { role_name } => {
                let role_name = role_name.or_else(|| ecs_role_name(self.lookup));
                Box::new(self.metadata(&origin, role_name, None)?)
            }
            How::EcsFallback { role_name, looked } => {
                Box::new(self.metadata(&origin, role_name, Some(looked))?)
            }
        };
        Ok(CredentialsProvider::renewing(
            kind, origin, anchor, fetch, clock,
        ))
    }

    fn metadata(
        &self,
        origin: &str,
        role_name: Option<String>,
        looked_before: Option<Vec<String>>,
    ) -> Result<EcsMetadata, CredentialsError> {
        let vars = self.lookup.vars();
        let refuse = |why: String| CredentialsError::Profile {
            origin: origin.to_owned(),
            problem: format!("uses the ECS instance's RAM role, but {why}"),
        };
        if env::is_on(vars, env::ECS_METADATA_DISABLED) {
            return Err(refuse(format!(
                "{}=true forbids asking the metadata service; unset it or choose another profile",
                env::ECS_METADATA_DISABLED
            )));
        }
        let Some(url) = self.lookup.metadata_url() else {
            return Err(refuse("no metadata address was given".to_owned()));
        };
        let imds_v1_allowed = !env::is_on(vars, env::IMDSV1_DISABLED);
        EcsMetadata::new(
            url.clone(),
            role_name,
            imds_v1_allowed,
            origin.to_owned(),
            looked_before,
        )
    }
}
