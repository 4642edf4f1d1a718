//! The ECS instance RAM role (`EcsRamRole`, `ecs_ram_role`): STS
//! credentials read from the instance metadata service. An IMDSv2 session
//! token is asked for first (`PUT /latest/api/token`) and sent with every
//! read; without one, plain IMDSv1 reads follow unless
//! `ALIBABA_CLOUD_IMDSV1_DISABLED=true`.
//!
//! The base URL is injected, so tests serve the metadata on loopback.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use reqwest::{Method, Url};
use serde::{Deserialize, Deserializer};

use super::error::without_values;
use super::provider::{Fetch, Issued};
use super::{Credentials, CredentialsError, FieldNames};
use crate::cloud::sts::parse_expiration;
use crate::secret::Secret;

/// The metadata service of every ECS instance (plain HTTP, link-local).
pub const ECS_METADATA_URL: &str = "http://100.100.100.200";

const TOKEN_PATH: &str = "latest/api/token";
const ROLES_PATH: &str = "latest/meta-data/ram/security-credentials/";
const TOKEN_TTL_HEADER: &str = "X-aliyun-ecs-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "X-aliyun-ecs-metadata-token";
/// Six hours, the official libraries' choice; each fetch asks anew anyway.
const TOKEN_TTL_SECONDS: &str = "21600";

/// Reads the instance role's credentials from the metadata service.
pub(crate) struct EcsMetadata {
    base: Url,
    /// Known from the profile or `ALIBABA_CLOUD_ECS_METADATA`; else asked for.
    role_name: Option<String>,
    imds_v1_allowed: bool,
    http: reqwest::Client,
    origin: String,
    /// Set when this is the chain's last resort: what was looked at before,
    /// reported with the metadata service's own failure until it succeeds.
    looked_before: Option<Vec<String>>,
    succeeded: AtomicBool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MetadataCredentials {
    #[serde(default)]
    code: String,
    #[serde(default)]
    access_key_id: String,
    #[serde(default, deserialize_with = "secret")]
    access_key_secret: Option<Secret>,
    #[serde(default, deserialize_with = "secret")]
    security_token: Option<Secret>,
    #[serde(default)]
    expiration: String,
}

/// Read straight into a [`Secret`], so no plain copy lingers.
fn secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Secret>, D::Error> {
    Option::<String>::deserialize(deserializer).map(|value| value.map(Secret::new))
}

impl EcsMetadata {
    /// A reader of `base` (e.g. `http://100.100.100.200`). The timeouts are
    /// short: off ECS the address does not answer, and the chain's last
    /// source should fail fast.
    pub fn new(
        base: Url,
        role_name: Option<String>,
        imds_v1_allowed: bool,
        origin: String,
        looked_before: Option<Vec<String>>,
    ) -> Result<Self, CredentialsError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(1))
            .timeout(Duration::from_secs(5))
            .no_proxy()
            .build()
            .map_err(|error| CredentialsError::Metadata {
                url: base.to_string(),
                problem: format!("cannot set up the HTTP client ({error})"),
            })?;
        Ok(Self {
            base,
            role_name,
            imds_v1_allowed,
            http,
            origin,
            looked_before,
            succeeded: AtomicBool::new(false),
        })
    }

    async fn fetch_or_explain(&self) -> Result<Issued, CredentialsError> {
        let result = self.read().await;
        if result.is_ok() {
            self.succeeded.store(true, Ordering::SeqCst);
        }
        match (result, &self.looked_before) {
            (Err(error), Some(looked)) if !self.succeeded.load(Ordering::SeqCst) => {
                let mut looked = looked.clone();
                looked.push(format!("ECS metadata: {}", error_text(&error)));
                Err(CredentialsError::NotFound { looked })
            }
            (result, _) => result,
        }
    }

    async fn read(&self) -> Result<Issued, CredentialsError> {
        let token = self.session_token().await?;
        let role = match &self.role_name {
            Some(role) => role.clone(),
            None => self.attached_role(token.as_ref()).await?,
        };
        if !is_role_name(&role) {
            return Err(self.problem(format!(
                "the role name {role:?} is not a RAM role name (letters, digits, `-`)"
            )));
        }
        let body = self
            .get(&format!("{ROLES_PATH}{role}"), token.as_ref())
            .await?;
        self.credentials(&role, &body)
    }

    /// IMDSv2 first; `None` means read without a token (IMDSv1).
    async fn session_token(&self) -> Result<Option<Secret>, CredentialsError> {
        let url = self.url(TOKEN_PATH)?;
        let answer = self
            .http
            .request(Method::PUT, url)
            .header(TOKEN_TTL_HEADER, TOKEN_TTL_SECONDS)
            .send()
            .await;
        let failure = match answer {
            Ok(response) if response.status().is_success() => match response.text().await {
                Ok(token) if !token.trim().is_empty() => {
                    return Ok(Some(Secret::new(token.trim())));
                }
                Ok(_) => "the IMDSv2 token came back empty".to_owned(),
                Err(error) => format!("the IMDSv2 token could not be read ({error})"),
            },
            Ok(response) => format!(
                "the IMDSv2 token request answered HTTP {}",
                response.status().as_u16()
            ),
            Err(error) => format!("the IMDSv2 token request failed ({error})"),
        };
        if self.imds_v1_allowed {
            tracing::info!(%failure, "ECS metadata: reading without an IMDSv2 token");
            Ok(None)
        } else {
            Err(self.problem(format!(
                "{failure}, and ALIBABA_CLOUD_IMDSV1_DISABLED=true forbids reading without one"
            )))
        }
    }

    async fn attached_role(&self, token: Option<&Secret>) -> Result<String, CredentialsError> {
        let body = self.get(ROLES_PATH, token).await?;
        let role = body.lines().map(str::trim).find(|line| !line.is_empty());
        role.map(str::to_owned).ok_or_else(|| {
            self.problem("no RAM role is attached to this instance (the role list is empty)")
        })
    }

    async fn get(&self, path: &str, token: Option<&Secret>) -> Result<String, CredentialsError> {
        let mut request = self.http.get(self.url(path)?);
        if let Some(token) = token {
            request = request.header(TOKEN_HEADER, token.expose());
        }
        let response = request
            .send()
            .await
            .map_err(|error| self.problem(format!("GET /{path} failed ({error})")))?;
        let status = response.status();
        if !status.is_success() {
            return Err(self.problem(format!("GET /{path} answered HTTP {}", status.as_u16())));
        }
        response
            .text()
            .await
            .map_err(|error| self.problem(format!("GET /{path}: the body is unreadable ({error})")))
    }

    fn credentials(&self, role: &str, body: &str) -> Result<Issued, CredentialsError> {
        let answer: MetadataCredentials = serde_json::from_str(body).map_err(|error| {
            self.problem(format!(
                "the credentials of role {role} are not the expected JSON ({})",
                without_values(&error.to_string())
            ))
        })?;
        if answer.code != "Success" {
            return Err(self.problem(format!(
                "the credentials of role {role} came with Code {:?}, not \"Success\"",
                answer.code
            )));
        }
        let expires_at = parse_expiration(&answer.expiration).ok_or_else(|| {
            self.problem(format!(
                "the credentials of role {role} have no readable Expiration"
            ))
        })?;
        let source = format!("{} (role {role})", self.origin);
        let names = FieldNames::in_file(&source, "AccessKeyId", "AccessKeySecret", "SecurityToken");
        let credentials = Credentials::named(
            answer.access_key_id,
            answer.access_key_secret.unwrap_or_else(|| Secret::new("")),
            Some(answer.security_token.unwrap_or_else(|| Secret::new(""))),
            source,
            &names,
        )?;
        Ok(Issued {
            credentials: Arc::new(credentials),
            expires_at: Some(expires_at),
        })
    }

    fn url(&self, path: &str) -> Result<Url, CredentialsError> {
        self.base
            .join(path)
            .map_err(|error| self.problem(format!("cannot build the URL for /{path} ({error})")))
    }

    fn problem(&self, problem: impl Into<String>) -> CredentialsError {
        CredentialsError::Metadata {
            url: self.base.as_str().trim_end_matches('/').to_owned(),
            problem: problem.into(),
        }
    }
}

impl Fetch for EcsMetadata {
    fn fetch(&self) -> BoxFuture<'_, Result<Issued, CredentialsError>> {
        Box::pin(self.fetch_or_explain())
    }
}

fn error_text(error: &CredentialsError) -> String {
    match error {
        CredentialsError::Metadata { url, problem } => format!("{url}: {problem}"),
        other => other.to_string(),
    }
}

/// RAM role names: 1-64 letters, digits and `-`. Anything else would make
/// the metadata path mean something else.
fn is_role_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}
