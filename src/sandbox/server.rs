//! The HTTP side: binds a loopback port, turns each request into parameters,
//! runs the gateway checks and the action under one lock, and answers.
//!
//! One lock over the whole account keeps every request atomic, as a real
//! account looks to a single client; the sandbox is not built for speed.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::any;
use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::cloud::sign::HttpMethod;
use crate::secret::Secret;

use super::SandboxError;
use super::account::{Account, AccountDate, AccountProblem};
use super::actions::report::{CredentialReports, ReportSettings};
use super::actions::{self, Call, Service};
use super::api_error::ApiError;
use super::applications::{self, Stage, SwitchError};
use super::connection::{Connection, CuttableListener};
use super::delivery::Delivery;
use super::faults::{Faults, Switchboard};
use super::gate;
use super::gate_v3::{self, Inbound};
use super::ids;
use super::journal::{Journal, SeenRequest};
use super::nonces::NonceBook;
use super::params::Params;
use super::reply;
use super::sessions::Sessions;

/// The sandbox's live state, shared by every request.
struct Sandbox {
    live: Mutex<Live>,
    clock: Arc<dyn Clock>,
    faults: Switchboard,
    journal: Journal,
    after_write: Mutex<Option<Arc<AfterWrite>>>,
    /// Whether the account's applications sign requests (the living demo).
    living: AtomicBool,
}

/// Called with the account after each write the sandbox acted on, before
/// its answer is sent (the demo saves its world there).
pub type AfterWrite = dyn Fn(&Account) + Send + Sync;

struct Live {
    account: Account,
    nonces: NonceBook,
    sessions: Sessions,
    reports: CredentialReports,
}

/// A running sandbox. Dropping it stops the server too; [`SandboxHandle::shutdown`]
/// also waits for it to finish.
pub struct SandboxHandle {
    endpoint: String,
    caller_access_key_id: String,
    caller_secret: Secret,
    sandbox: Arc<Sandbox>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

/// Starts serving `account` on `listen` (loopback only; port 0 picks a free
/// port). Relative dates in the account are pinned to `clock`'s now.
pub async fn start(
    listen: SocketAddr,
    account: Account,
    clock: Arc<dyn Clock>,
) -> Result<SandboxHandle, SandboxError> {
    if !listen.ip().is_loopback() {
        return Err(SandboxError::NotLoopback(listen));
    }
    account.validate()?;
    let account = account.resolved(clock.now());
    let (caller_access_key_id, caller_secret) = caller_credentials(&account)?;

    let bind_error = |source| SandboxError::Bind {
        addr: listen,
        source,
    };
    let listener = TcpListener::bind(listen).await.map_err(bind_error)?;
    let bound = listener.local_addr().map_err(bind_error)?;

    let sandbox = Arc::new(Sandbox {
        live: Mutex::new(Live {
            account,
            nonces: NonceBook::default(),
            sessions: Sessions::default(),
            reports: CredentialReports::default(),
        }),
        clock,
        faults: Switchboard::default(),
        journal: Journal::default(),
        after_write: Mutex::new(None),
        living: AtomicBool::new(false),
    });
    sandbox.faults.set(Faults::none(), sandbox.clock.now());
    let (stop, server) = serve(listener, Arc::clone(&sandbox));
    Ok(SandboxHandle {
        endpoint: format!("http://{bound}"),
        caller_access_key_id,
        caller_secret,
        sandbox,
        stop: Some(stop),
        server: Some(server),
    })
}

/// The caller key's id and secret, as the account names them.
fn caller_credentials(account: &Account) -> Result<(String, Secret), SandboxError> {
    let caller = &account.caller_access_key_id;
    let (_, key) = account
        .key_owner(caller)
        .ok_or_else(|| SandboxError::Account(AccountProblem::NoCallerKey(caller.clone())))?;
    Ok((key.access_key_id.clone(), key.access_key_secret.clone()))
}

/// Spawns the server; it runs until the returned sender fires or is dropped.
fn serve(
    listener: TcpListener,
    sandbox: Arc<Sandbox>,
) -> (oneshot::Sender<()>, JoinHandle<std::io::Result<()>>) {
    let app = Router::new()
        .route("/", any(answer))
        .fallback(unknown_path)
        .with_state(sandbox);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let app = app.into_make_service_with_connect_info::<Connection>();
        axum::serve(CuttableListener::new(listener), app)
            .with_graceful_shutdown(async {
                // A dropped sender stops the server as surely as a sent value.
                let _ = stopped.await;
            })
            .await
    });
    (stop, server)
}

/// The simulated applications of a running sandbox (see
/// [`SandboxHandle::applications`]).
#[derive(Clone)]
pub struct Applications {
    sandbox: Arc<Sandbox>,
}

impl Applications {
    /// Switches the `stage` deployment signing with `from` to `to` from
    /// `at` on; returns the application's name. The world is saved after,
    /// as after a write.
    pub fn switch(
        &self,
        stage: Stage,
        from: &str,
        to: &str,
        at: DateTime<Utc>,
    ) -> Result<String, SwitchError> {
        let name = {
            let mut live = self.sandbox.lock();
            applications::switch(&mut live.account, stage, from, to, at)?
        };
        self.sandbox.written();
        Ok(name)
    }
}

impl std::fmt::Debug for Applications {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Applications").finish_non_exhaustive()
    }
}

impl SandboxHandle {
    /// `http://127.0.0.1:PORT`, the real port when 0 was asked.
    pub fn endpoint(&self) -> String {
        self.endpoint.clone()
    }

    /// The caller's AccessKey id, as the account file named it.
    pub fn caller_access_key_id(&self) -> &str {
        &self.caller_access_key_id
    }

    /// The caller's secret (a fake account's test secret).
    pub fn caller_secret(&self) -> &Secret {
        &self.caller_secret
    }

    /// The account as it is now, with every change the requests made.
    pub fn account_snapshot(&self) -> Account {
        let now = self.sandbox.now();
        let mut live = self.sandbox.lock();
        self.sandbox.run_applications(&mut live.account, now);
        live.account.clone()
    }

    /// Turns the account's simulated applications on or off (off at the
    /// start): while on, each signs with its keys every few seconds by the
    /// sandbox clock (see [`super::applications`]).
    pub fn set_living(&self, living: bool) {
        if living {
            // Their uses count from now on, not from before they ran.
            let now = self.sandbox.now();
            let mut live = self.sandbox.lock();
            for app in &mut live.account.applications {
                for deployment in [&mut app.staging, &mut app.production] {
                    deployment.since.get_or_insert(now);
                }
            }
        }
        self.sandbox.living.store(living, Ordering::SeqCst);
    }

    /// A handle on the simulated applications, for the demo to switch
    /// them as the admin confirms swaps.
    pub fn applications(&self) -> Applications {
        Applications {
            sandbox: Arc::clone(&self.sandbox),
        }
    }

    /// Changes the account as it is now, as someone working in the console
    /// would (a KMS secret made, a policy detached); saved after, as after a
    /// write.
    pub fn edit_account(&self, edit: impl FnOnce(&mut Account)) {
        edit(&mut self.sandbox.lock().account);
        self.sandbox.written();
    }

    /// Turns the fault switches to `faults` (all off: [`Faults::none`]);
    /// their counters start again.
    pub fn set_faults(&self, faults: Faults) {
        // The storm starts on the sandbox clock the new switches set.
        let now = self.sandbox.clock.now() + faults.clock_skew;
        self.sandbox.faults.set(faults, now);
    }

    /// Changes how the IMS credential report is emulated (how long a
    /// generation takes, whether pages exist) from the next call on.
    pub fn set_report_settings(&self, settings: ReportSettings) {
        self.sandbox.lock().reports.set_settings(settings);
    }

    /// How the credential report is emulated.
    pub fn report_settings(&self) -> ReportSettings {
        self.sandbox.lock().reports.settings()
    }

    /// The fault switches as they are.
    pub fn faults(&self) -> Faults {
        self.sandbox.faults.get()
    }

    /// Calls `hook` with the account after every write the sandbox acts
    /// on, before the answer leaves, so that whatever the caller learns of
    /// the write, `hook` has seen it first.
    pub fn after_each_write(&self, hook: Arc<AfterWrite>) {
        *self
            .sandbox
            .after_write
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(hook);
    }

    /// Every request so far (the latest 10 000), in order of their answers.
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.sandbox.journal.entries()
    }

    /// Stops accepting requests and waits for the server to finish.
    pub async fn shutdown(mut self) -> Result<(), SandboxError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.server.take() {
            Some(server) => match server.await {
                Ok(served) => served.map_err(SandboxError::Serve),
                Err(join) => Err(SandboxError::Serve(std::io::Error::other(join))),
            },
            None => Ok(()),
        }
    }
}

impl std::fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("endpoint", &self.endpoint)
            .field("caller_access_key_id", &self.caller_access_key_id)
            .field("caller_secret", &self.caller_secret)
            .finish_non_exhaustive()
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Sandbox {
    /// The sandbox clock: the one it was given, skewed by the fault switch.
    fn now(&self) -> DateTime<Utc> {
        self.clock.now() + self.faults.clock_skew()
    }

    /// A panic in one request must not take the sandbox down with it.
    fn lock(&self) -> std::sync::MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Gateway checks, then the action, all under the lock.
    fn handle(
        &self,
        method: HttpMethod,
        inbound: Inbound<'_>,
        params: &Params,
        now: DateTime<Utc>,
    ) -> Result<Value, ApiError> {
        let mut live = self.lock();
        let live = &mut *live;
        self.run_applications(&mut live.account, now);
        let field = |name: &str| common_field(Some(params), inbound.headers, name);
        self.refuse_new_key(field("AccessKeyId").as_deref(), &live.account, now)?;
        self.expire_token_on_switch(&field, &mut live.sessions, now);
        let verified = if gate_v3::is_v3(inbound.headers) {
            gate_v3::verify(
                method,
                inbound,
                now,
                &live.account,
                &live.sessions,
                &live.nonces,
            )?
        } else {
            gate::verify(
                params,
                method,
                now,
                &live.account,
                &live.sessions,
                &live.nonces,
            )?
        };

        live.nonces
            .record(&verified.access_key_id, &verified.nonce, now);
        mark_used(&mut live.account, &verified.access_key_id, now);
        let mut call = Call {
            params,
            account: &mut live.account,
            sessions: &mut live.sessions,
            reports: &mut live.reports,
            caller: &verified,
            now,
        };
        actions::perform(verified.action, &mut call)
    }
}

impl Sandbox {
    /// The simulated applications' uses up to `now`, while they live.
    fn run_applications(&self, account: &mut Account, now: DateTime<Utc>) {
        if self.living.load(Ordering::SeqCst) {
            applications::run(account, now);
        }
    }

    /// Hands the account to the after-write hook, if one is set.
    fn written(&self) {
        let hook = self
            .after_write
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(hook) = hook {
            let account = self.lock().account.clone();
            hook(&account);
        }
    }

    /// With the switch on, a key created moments ago is unknown (BC-12).
    fn refuse_new_key(
        &self,
        access_key_id: Option<&str>,
        account: &Account,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let key = access_key_id
            .and_then(|id| account.key_owner(id))
            .map(|(_, key)| key.create_date.resolve(now));
        match key {
            Some(created) if self.faults.refuses_new_key(created, now) => {
                Err(gate::key_not_found())
            }
            _ => Ok(()),
        }
    }

    /// With the switch on, the signing session's token runs out now (BC-05).
    fn expire_token_on_switch(
        &self,
        field: &impl Fn(&str) -> Option<String>,
        sessions: &mut Sessions,
        now: DateTime<Utc>,
    ) {
        let signed_with_token = field("SecurityToken").is_some();
        let Some(key) = field("AccessKeyId").filter(|_| signed_with_token) else {
            return;
        };
        let action = field("Action").unwrap_or_default();
        if sessions.get(&key).is_some() && self.faults.expires_token(&action) {
            sessions.expire(&key, now);
        }
    }
}

/// Whether `action` is a write verb (CreateUser, UpdateAccessKey, ...).
fn changes_the_account(action: &str) -> bool {
    const WRITE_VERBS: [&str; 6] = ["Create", "Update", "Delete", "Attach", "Detach", "Add"];
    WRITE_VERBS.iter().any(|verb| action.starts_with(verb))
}

/// Every accepted request counts as a use of the key that signed it,
/// immediately (production lags by hours).
fn mark_used(account: &mut Account, access_key_id: &str, now: DateTime<Utc>) {
    if let Some(key) = account.key_mut(access_key_id) {
        key.last_used_date = Some(AccountDate::At(now));
    }
}

async fn answer(
    State(sandbox): State<Arc<Sandbox>>,
    ConnectInfo(connection): ConnectInfo<Connection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = sandbox.now();
    let request_id = ids::request_id();
    let params = Params::from_request(&method, uri.query(), &headers, &body);
    let field = |name: &str| common_field(params.as_ref().ok(), &headers, name);
    let service = field("Version")
        .as_deref()
        .and_then(Service::from_version)
        .unwrap_or(Service::Ram);
    let delivery = Delivery::plan(
        (&sandbox.faults, &sandbox.journal),
        connection,
        &field,
        params.as_ref().ok(),
        now,
    );
    if let Some(before) = delivery.refused_before_acting() {
        return delivery.refuse(before, service, &request_id, now).await;
    }

    let inbound = Inbound {
        query: uri.query(),
        headers: &headers,
        body: &body,
    };
    let outcome = match &params {
        Ok(params) => {
            rpc_method(&method).and_then(|method| sandbox.handle(method, inbound, params, now))
        }
        Err(error) => Err(error.clone()),
    };
    let (action, key) = (field("Action"), field("AccessKeyId"));
    log_outcome(action.as_deref(), key.as_deref(), &outcome, &request_id);
    if outcome.is_ok() && action.as_deref().is_some_and(changes_the_account) {
        sandbox.written();
    }
    let code = outcome.as_ref().err().map(|error| error.code.clone());
    let response = reply::render(service, outcome, &request_id, now);
    delivery
        .answer(response, code.as_deref().unwrap_or_default())
        .await
}

async fn unknown_path(State(sandbox): State<Arc<Sandbox>>) -> Response {
    let error = ApiError::new(
        StatusCode::NOT_FOUND,
        "InvalidAction.NotFound",
        "Specified api is not found, please check your url and method.",
    );
    let now = sandbox.now();
    reply::render(Service::Ram, Err(error), &ids::request_id(), now)
}

fn rpc_method(method: &Method) -> Result<HttpMethod, ApiError> {
    match *method {
        Method::GET => Ok(HttpMethod::Get),
        Method::POST => Ok(HttpMethod::Post),
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "UnsupportedHTTPMethod",
            "Specified HTTP method is not supported; use GET or POST.",
        )),
    }
}

/// A 1.0 common parameter (`Action`, `Version`, `AccessKeyId`), or where
/// V3 carries the same.
fn common_field(params: Option<&Params>, headers: &HeaderMap, name: &str) -> Option<String> {
    if gate_v3::is_v3(headers) {
        return gate_v3::common_field(headers, name);
    }
    params?.get(name).map(str::to_owned)
}

/// One line per request: the action, the key that signed and the outcome;
/// never other parameters or the body.
fn log_outcome(
    action: Option<&str>,
    key: Option<&str>,
    outcome: &Result<Value, ApiError>,
    request_id: &str,
) {
    let (action, key) = (action.unwrap_or("-"), key.unwrap_or("-"));
    match outcome {
        Ok(_) => tracing::info!(request_id, "{action} by {key}: 200"),
        Err(error) => tracing::info!(
            request_id,
            "{action} by {key}: {} {}",
            error.status.as_u16(),
            error.code
        ),
    }
}
