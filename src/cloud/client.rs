//! [`Client`]: signs each call with a fresh timestamp and nonce and sends
//! exactly what was signed (see `signed_call.rs` for each signature's
//! layout). The typed calls live in `ram.rs`, `sts.rs`, `ims.rs` and `kms.rs`; this file is the
//! one path they all share.
//!
//! Knows nothing of the UI, the scan, the rotation engine or the state file.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use reqwest::Url;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::credentials::{CredentialReport, Credentials, CredentialsProvider};
use super::endpoints;
pub use super::endpoints::{EndpointError, Endpoints, Region, Service};
use super::error::{CloudError, changes_the_account};
use super::pace::{self, Outcome, Pacer, Storm};
use super::response::{self, CallContext, Redactor, Reply};
use super::retry::{self, Attempt, CallLabel, Next, Retrier, Retry};
use super::sign::RequestStamp;
pub use super::signed_call::SignatureVersion;
use super::signed_call::{self, CallToSign, SignedCall};
use super::transport::{Timeouts, Transport};
use crate::clock::Clock;
use crate::secret::Secret;

/// The code of an STS token the server calls expired.
const TOKEN_EXPIRED: &str = "InvalidSecurityToken.Expired";

/// Everything a [`Client`] needs.
pub struct ClientConfig {
    /// Where each service's calls go.
    pub endpoints: Endpoints,
    /// Who signs.
    pub credentials: Credentials,
    /// Source of every request's `Timestamp`.
    pub clock: Arc<dyn Clock>,
    /// 1.0 (the default) or V3.
    pub signature: SignatureVersion,
}

/// How a [`Client`] talks, besides where and as whom.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Connect and request timeouts.
    pub timeouts: Timeouts,
    /// 1.0 (the default) or V3.
    pub signature: SignatureVersion,
    /// Which failures are tried again, how, and who is told (the default
    /// is production's).
    pub retry: Retry,
}

/// The Alibaba Cloud client. Cheap to clone; clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    endpoints: Endpoints,
    /// Asked before every call, so STS credentials are renewed in time.
    credentials: Arc<CredentialsProvider>,
    clock: Arc<dyn Clock>,
    signature: SignatureVersion,
    transport: Transport,
    retry: Retry,
    /// Waited for before every try, and told each try's outcome.
    pacer: Option<Arc<Pacer>>,
}

impl Client {
    /// A client with the default timeouts (connect 10 s, request 30 s).
    ///
    /// Refuses credentials that cannot sign correctly before any call.
    pub fn new(config: ClientConfig) -> Result<Self, CloudError> {
        Self::with_timeouts(config, Timeouts::default())
    }

    /// A client with the given timeouts.
    pub fn with_timeouts(config: ClientConfig, timeouts: Timeouts) -> Result<Self, CloudError> {
        Self::with_retry(config, timeouts, Retry::default())
    }

    /// A client with the given timeouts and retry settings (tests pass a
    /// sleeper that does not wait; the UI an observer of retries).
    pub fn with_retry(
        config: ClientConfig,
        timeouts: Timeouts,
        retry: Retry,
    ) -> Result<Self, CloudError> {
        let ClientConfig {
            endpoints,
            credentials,
            clock,
            signature,
        } = config;
        let provider = CredentialsProvider::fixed(credentials)?;
        let options = ClientOptions {
            timeouts,
            signature,
            retry,
        };
        Self::with_provider(endpoints, Arc::new(provider), clock, options)
    }

    /// A client that asks `credentials` before each call (see
    /// [`crate::cloud::credentials::resolve`] for the official chain).
    pub fn with_provider(
        endpoints: Endpoints,
        credentials: Arc<CredentialsProvider>,
        clock: Arc<dyn Clock>,
        options: ClientOptions,
    ) -> Result<Self, CloudError> {
        let ClientOptions {
            timeouts,
            signature,
            retry,
        } = options;
        let transport = Transport::new(timeouts, endpoints.all_loopback())?;
        Ok(Self {
            inner: Arc::new(Inner {
                endpoints,
                credentials,
                clock,
                signature,
                transport,
                retry,
                pacer: None,
            }),
        })
    }

    /// The AccessKey ID ramkey's identity rests on, to recognise its own
    /// key: the key it signs with, or for a role the permanent key that
    /// assumes it. Empty for an ECS instance role.
    pub fn access_key_id(&self) -> &str {
        self.inner.credentials.anchor_key_id()
    }

    /// Where the credentials came from, for the start screen.
    pub fn credential_source(&self) -> &str {
        self.inner.credentials.source()
    }

    /// Whether ramkey signs with STS credentials.
    pub fn uses_temporary_credentials(&self) -> bool {
        self.inner.credentials.kind().is_temporary()
    }

    /// Kind, source, current key and STS expiry of ramkey's credentials.
    pub fn credential_report(&self) -> CredentialReport {
        self.inner.credentials.report()
    }

    /// Where the calls go.
    pub fn endpoints(&self) -> &Endpoints {
        &self.inner.endpoints
    }

    /// How this client retries, waits and tells of retries.
    pub fn retry(&self) -> &Retry {
        &self.inner.retry
    }

    /// A client like this one (endpoints, clock, signature, connections,
    /// retries) that signs with `credentials` instead: to check that a key
    /// just created works, with the one signing path ramkey trusts.
    pub fn signing_as(&self, credentials: Credentials) -> Result<Self, CloudError> {
        let inner = &*self.inner;
        let provider = CredentialsProvider::fixed(credentials)?;
        Ok(Self {
            inner: Arc::new(Inner {
                endpoints: inner.endpoints.clone(),
                credentials: Arc::new(provider),
                clock: Arc::clone(&inner.clock),
                signature: inner.signature,
                transport: inner.transport.clone(),
                retry: inner.retry.clone(),
                pacer: inner.pacer.clone(),
            }),
        })
    }

    /// A client like this one (connections, credentials, clock, retries)
    /// whose every try waits for `pacer` and tells it how it ended. A
    /// throttled try is tried again through the pacer without using up the
    /// retry policy, until the pacer's storm limit passes.
    #[must_use]
    pub fn paced(&self, pacer: Arc<Pacer>) -> Self {
        let inner = &*self.inner;
        Self {
            inner: Arc::new(Inner {
                endpoints: inner.endpoints.clone(),
                credentials: Arc::clone(&inner.credentials),
                clock: Arc::clone(&inner.clock),
                signature: inner.signature,
                transport: inner.transport.clone(),
                retry: inner.retry.clone(),
                pacer: Some(pacer),
            }),
        }
    }

    /// The pacer this client waits for, if any.
    pub fn pacer(&self) -> Option<&Arc<Pacer>> {
        self.inner.pacer.as_ref()
    }

    /// Signs and sends one call, decodes its answer, and logs the outcome
    /// (action, user, RequestId; never the parameters).
    ///
    /// Throttling, 5xx and connection failures are tried again as
    /// [`retry`] decides, each try signed afresh (new nonce and timestamp);
    /// a write that ends without a clear answer is not.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
    ) -> Result<Reply<T>, CloudError> {
        let inner = &*self.inner;
        let label = call.label();
        let mut retrier = Retrier::new(&inner.retry, inner.clock.now());
        let mut storm = Storm::default();
        let result = loop {
            let (attempt, outcome) = self.try_once(&call).await;
            if let (Some(pacer), Outcome::Throttled { .. }) = (&inner.pacer, outcome) {
                if storm.throttled(pacer.options().storm_limit) {
                    // The pacer's queue is the wait; the policy's tries and
                    // time are kept for other failures.
                    retrier.restart_clock(inner.clock.now());
                    tracing::debug!(action = call.action, "throttled; tried again when paced");
                    continue;
                }
                if let Err(last) = attempt.result {
                    break Err(storm.gave_up(call.action, last));
                }
            }
            match retrier.next(attempt, &label, inner.clock.now()) {
                Next::Done(result) => break result,
                Next::Wait(wait) => inner.retry.sleeper.sleep(wait).await,
            }
        };
        log_outcome(&call, &result);
        if result.as_ref().err().and_then(CloudError::code) == Some(TOKEN_EXPIRED) {
            // The server's clock decides; renew before the next call.
            self.inner.credentials.expire();
        }
        result
    }

    /// One try: after waiting for the pacer, if any, which is then told
    /// how it went (the outcome is [`Outcome::Other`] unpaced).
    async fn try_once<T: DeserializeOwned>(&self, call: &Call<'_>) -> (Attempt<Reply<T>>, Outcome) {
        let Some(pacer) = &self.inner.pacer else {
            return (self.send_once(call).await, Outcome::Other);
        };
        let permit = pacer.wait_turn().await;
        let attempt = self.send_once(call).await;
        let outcome = pace::outcome_of(&attempt.result, attempt.retry_after);
        pacer.tell(permit, outcome);
        (attempt, outcome)
    }

    async fn send_once<T: DeserializeOwned>(&self, call: &Call<'_>) -> Attempt<Reply<T>> {
        let inner = &*self.inner;
        let credentials = match inner.credentials.current().await {
            Ok(credentials) => credentials,
            Err(error) => {
                return Attempt {
                    result: Err(error.into()),
                    retry_after: None,
                };
            }
        };
        let sent_at = inner.clock.now();
        let url = call.url(&inner.endpoints);
        let url: &Url = &url;
        let signed = self.sign(&credentials, call, url, sent_at);
        // Built per call: role credentials change when they are renewed.
        let mut sensitive = vec![&credentials.secret];
        sensitive.extend(credentials.security_token.as_ref());
        let redactor = Redactor::new(&sensitive).with(&signed.signature);

        let response = match inner.transport.send(url, call.action, signed.wire).await {
            Ok(response) => response,
            Err(error) => {
                return Attempt {
                    result: Err(error),
                    retry_after: None,
                };
            }
        };

        let context = CallContext {
            action: call.action,
            endpoint: endpoints::label(url),
            sent_at,
            string_to_sign: &signed.string_to_sign,
            redactor: &redactor,
        };
        let result = response::decode(&response, &context);
        let retry_after = match &result {
            Ok(_) => None,
            Err(_) => response
                .retry_after
                .as_deref()
                .and_then(retry::parse_retry_after),
        };
        Attempt {
            result,
            retry_after,
        }
    }

    /// The call's own parameters with a fresh time and nonce (a retry is a
    /// new request), signed the configured way.
    fn sign(
        &self,
        credentials: &Credentials,
        call: &Call<'_>,
        url: &Url,
        sent_at: DateTime<Utc>,
    ) -> SignedCall {
        let nonce = Uuid::new_v4().to_string();
        let stamp = RequestStamp {
            access_key_id: &credentials.access_key_id,
            security_token: credentials.security_token.as_ref().map(Secret::expose),
            timestamp: sent_at,
            nonce: &nonce,
        };

        let to_sign = CallToSign {
            endpoint: url,
            action: call.action,
            version: call.service.version(),
            params: &call.params,
            stamp,
        };
        signed_call::sign(self.inner.signature, &to_sign, credentials.secret.expose())
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoints", &self.inner.endpoints)
            .field("credentials", &self.inner.credentials)
            .finish_non_exhaustive()
    }
}

/// One call's action and parameters, before the common ones are added.
pub(crate) struct Call<'a> {
    service: Service,
    action: &'static str,
    /// The RAM user the call is about, for the log line.
    user: Option<&'a str>,
    /// The region of a regional service's call (KMS).
    region: Option<Region>,
    params: Vec<(String, String)>,
}

impl<'a> Call<'a> {
    /// A RAM 2015-05-01 action.
    pub fn ram(action: &'static str) -> Self {
        Self::new(Service::Ram, action)
    }

    /// An STS 2015-04-01 action.
    pub fn sts(action: &'static str) -> Self {
        Self::new(Service::Sts, action)
    }

    /// An IMS 2019-08-15 action.
    pub fn ims(action: &'static str) -> Self {
        Self::new(Service::Ims, action)
    }

    /// A KMS 2016-01-20 action in `region`: sent to that region's host,
    /// and naming it in `RegionId` (which the legacy SDKs send with every
    /// call) so that one endpoint serving every region can tell them apart.
    pub fn kms(action: &'static str, region: &Region) -> Self {
        let mut call = Self::new(Service::Kms, action).param("RegionId", region.as_str());
        call.region = Some(region.clone());
        call
    }

    fn new(service: Service, action: &'static str) -> Self {
        Self {
            service,
            action,
            user: None,
            region: None,
            params: Vec::new(),
        }
    }

    /// Where the call goes.
    fn url<'e>(&self, endpoints: &'e Endpoints) -> std::borrow::Cow<'e, Url> {
        match &self.region {
            Some(region) => endpoints.url_in(self.service, region),
            None => std::borrow::Cow::Borrowed(endpoints.url(self.service)),
        }
    }

    /// What the retry policy needs to know of the call.
    fn label(&self) -> CallLabel<'a> {
        CallLabel {
            action: self.action,
            user: self.user,
            writes: changes_the_account(self.action),
        }
    }

    /// Sets `UserName`, and names the user in the log line.
    pub fn user_name(mut self, name: &'a str) -> Self {
        self.user = Some(name);
        self.param("UserName", name)
    }

    /// A parameter that is always sent.
    pub fn param(mut self, name: &str, value: impl Into<String>) -> Self {
        self.params.push((name.to_owned(), value.into()));
        self
    }

    /// A parameter sent only when set: an unset one is left out of both the
    /// signature and the body, never sent empty.
    pub fn optional(self, name: &str, value: Option<&str>) -> Self {
        match value.filter(|value| !value.is_empty()) {
            Some(value) => self.param(name, value),
            None => self,
        }
    }
}

fn log_outcome<T>(call: &Call<'_>, result: &Result<Reply<T>, CloudError>) {
    let action = call.action;
    let user = call.user.unwrap_or("-");
    match result {
        Ok(reply) => tracing::info!(
            action,
            user,
            request_id = %reply.request_id,
            outcome = "ok",
            "cloud call"
        ),
        Err(CloudError::Api(api)) => tracing::warn!(
            action,
            user,
            request_id = api.request_id.as_deref().unwrap_or("-"),
            http_status = api.http_status,
            code = %api.code,
            message = api.message_without_string_to_sign(),
            outcome = "refused",
            "cloud call"
        ),
        Err(error) => tracing::warn!(
            action,
            user,
            request_id = error.request_id().unwrap_or("-"),
            outcome = "failed",
            %error,
            "cloud call"
        ),
    }
}
