//! The role modes (`RamRoleArn`, `ChainableRamRoleArn`, `ram_role_arn`):
//! one STS AssumeRole call per fetch, signed by a client over the source
//! identity's own provider, so a chained role renews its source first.

use std::sync::Arc;

use futures::future::BoxFuture;

use super::CredentialsError;
use super::provider::{Fetch, Issued};
use crate::cloud::Client;
use crate::cloud::sts::AssumeRoleRequest;

/// Assumes one role with the source identity's client.
pub(crate) struct AssumeRoleFetch {
    /// Signs with the source identity and calls STS.
    pub client: Client,
    pub request: AssumeRoleRequest,
    /// The profile asking, for errors and the new credentials' source.
    pub origin: String,
}

impl Fetch for AssumeRoleFetch {
    fn fetch(&self) -> BoxFuture<'_, Result<Issued, CredentialsError>> {
        Box::pin(async move {
            let assumed = self
                .client
                .assume_role(&self.request, &self.origin)
                .await
                .map_err(|source| CredentialsError::AssumeRole {
                    origin: self.origin.clone(),
                    role_arn: self.request.role_arn.clone(),
                    source: Box::new(source),
                })?;
            tracing::info!(
                role = %self.request.role_arn,
                session = %self.request.session_name,
                key = %assumed.credentials.access_key_id,
                expires = %assumed.expiration,
                "assumed role"
            );
            Ok(Issued {
                credentials: Arc::new(assumed.credentials),
                expires_at: Some(assumed.expiration),
            })
        })
    }
}
