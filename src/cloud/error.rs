//! [`CloudError`], the one error type of every cloud call, and [`ApiError`],
//! the service's own error envelope with a what-to-do hint per common code.
//!
//! Nothing here holds a secret, a signature or an STS token: the client
//! redacts its secret, its token and the call's signature out of server
//! texts before they get here. Depends only
//! on the credential and endpoint errors of this module's siblings.

use std::fmt::{self, Write as _};

use chrono::{DateTime, Utc};

use super::credentials::CredentialsError;
use super::endpoints::EndpointError;

/// Why a cloud call did not return what was asked for.
#[derive(Debug, thiserror::Error)]
pub enum CloudError {
    /// The service answered with its error envelope (`Code`, `Message`, ...).
    #[error(transparent)]
    Api(Box<ApiError>),

    /// No connection could be made.
    #[error(
        "cannot connect to {endpoint} ({action}): check that the endpoint URL is right, \
         that the server is running and that the network or proxy lets the connection through"
    )]
    Connect {
        /// The URL that was tried.
        endpoint: String,
        /// The API action that was being called.
        action: String,
        /// What the HTTP client reported.
        #[source]
        source: reqwest::Error,
    },

    /// The server did not answer in time.
    #[error(
        "{endpoint} did not answer {action} in time: check the network; \
         if this was a change, look whether it took effect before repeating it"
    )]
    Timeout {
        /// The URL that was tried.
        endpoint: String,
        /// The API action that was being called.
        action: String,
        /// What the HTTP client reported.
        #[source]
        source: reqwest::Error,
    },

    /// The connection failed in another way (reset, TLS, a broken body).
    #[error(
        "the request to {endpoint} ({action}) failed: {source}; \
         if this was a change, look whether it took effect before repeating it"
    )]
    Transport {
        /// The URL that was tried.
        endpoint: String,
        /// The API action that was being called.
        action: String,
        /// What the HTTP client reported.
        #[source]
        source: reqwest::Error,
    },

    /// The body was not the JSON ramkey expected (empty, HTML, truncated).
    #[error(transparent)]
    UnexpectedBody(Box<UnexpectedBody>),

    /// ListUsers handed back a Marker it had handed out before.
    #[error(
        "ListUsers pagination did not advance: the server returned Marker {marker:?} twice, \
         so the user list is incomplete and nothing was concluded from it"
    )]
    PaginationDidNotAdvance {
        /// The repeated Marker.
        marker: String,
    },

    /// ListUsers kept handing out new Markers past any real account's size.
    #[error(
        "ListUsers still had more users after {pages} pages, far more than RAM lets an account \
         hold, so ramkey stopped rather than page forever: this is a server fault, the user \
         list is incomplete and nothing was concluded from it"
    )]
    PaginationTooLong {
        /// Pages fetched before ramkey stopped.
        pages: usize,
    },

    /// ListUsers said more users follow but gave no Marker to fetch them.
    #[error(
        "ListUsers said more users follow (IsTruncated) but sent no Marker, \
         so the user list is incomplete and nothing was concluded from it"
    )]
    PaginationWithoutMarker,

    /// ramkey's own credentials cannot be used.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),

    /// The endpoint URL cannot be used.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),

    /// The HTTP client could not be built (for example, no TLS roots).
    #[error("cannot set up the HTTP client: {0}")]
    HttpSetup(#[source] reqwest::Error),

    /// A call that changes the account ended without a clear answer (timeout,
    /// reset, 5xx, a body that does not parse): it may or may not have taken
    /// effect, so the client did not send it again.
    #[error(
        "{action} ended without a clear answer, so it may or may not have taken effect \
         (ramkey did not send it again): {source}"
    )]
    Ambiguous {
        /// The API action, e.g. `CreateUser`.
        action: String,
        /// How it ended.
        #[source]
        source: Box<CloudError>,
    },

    /// Throttling, 5xx answers or connection failures went on past the
    /// retries allowed.
    #[error(
        "{action} still failed after {tries} tries and {} s of waiting, so ramkey stopped \
         retrying: {last}",
        waited.as_secs()
    )]
    RetriesExhausted {
        /// The API action.
        action: String,
        /// Tries made, the first included.
        tries: u32,
        /// Time spent waiting between them.
        waited: std::time::Duration,
        /// The last try's error.
        #[source]
        last: Box<CloudError>,
    },
}

impl From<ApiError> for CloudError {
    fn from(error: ApiError) -> Self {
        CloudError::Api(Box::new(error))
    }
}

impl From<UnexpectedBody> for CloudError {
    fn from(error: UnexpectedBody) -> Self {
        CloudError::UnexpectedBody(Box::new(error))
    }
}

impl CloudError {
    /// The service's error code, e.g. `EntityNotExist.User`.
    pub fn code(&self) -> Option<&str> {
        match self.last_answer() {
            CloudError::Api(api) => Some(&api.code),
            _ => None,
        }
    }

    /// The `RequestId` of the failed call, when the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self.last_answer() {
            CloudError::Api(api) => api.request_id.as_deref(),
            CloudError::UnexpectedBody(body) => body.request_id.as_deref(),
            _ => None,
        }
    }

    /// The service's error envelope, if that is what this is.
    pub fn api(&self) -> Option<&ApiError> {
        match self.last_answer() {
            CloudError::Api(api) => Some(api),
            _ => None,
        }
    }

    /// A sentence saying what to do, for the codes people commonly hit.
    pub fn hint(&self) -> Option<String> {
        match self {
            CloudError::Ambiguous { .. } => Some(
                "Look whether the change took effect before making it again (ramkey's steps \
                 do this when run again)."
                    .to_owned(),
            ),
            CloudError::RetriesExhausted { last, .. } => {
                last.api().and_then(ApiError::hint).or_else(|| {
                    Some(
                    "The service kept failing or throttling: wait a few minutes and try again; \
                     if it goes on, check the endpoint, the proxy and Alibaba Cloud's service \
                     status."
                        .to_owned(),
                )
                })
            }
            CloudError::Connect { .. }
            | CloudError::Timeout { .. }
            | CloudError::Transport { .. }
            | CloudError::UnexpectedBody(_) => Some(
                "Check the network, the proxy and the endpoint, then try again; ramkey looks \
                 before it repeats a change."
                    .to_owned(),
            ),
            _ => self.api().and_then(ApiError::hint),
        }
    }

    /// Whether a write may or may not have taken effect.
    pub fn is_ambiguous(&self) -> bool {
        matches!(self, CloudError::Ambiguous { .. })
    }

    /// The error of the last try, through the client's retry wrappers.
    pub fn last_answer(&self) -> &CloudError {
        match self {
            CloudError::Ambiguous { source: inner, .. }
            | CloudError::RetriesExhausted { last: inner, .. } => inner.last_answer(),
            other => other,
        }
    }
}

/// The error envelope: `{"RequestId", "HostId", "Code", "Message", "Recommend"}`
/// plus what ramkey knows about the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// `Code`, e.g. `NoPermission`.
    pub code: String,
    /// `Message`, with any STS token redacted.
    pub message: String,
    /// `RequestId`, for support tickets.
    pub request_id: Option<String>,
    /// The HTTP status (200 when a success status carried an error code).
    pub http_status: u16,
    /// `HostId`, e.g. `ram.aliyuncs.com`.
    pub host_id: Option<String>,
    /// `Recommend`: the console's troubleshooting link.
    pub recommend: Option<String>,
    /// The API action that failed, e.g. `CreateAccessKey`.
    pub action: String,
    /// The endpoint the call went to.
    pub endpoint: String,
    /// The response's HTTP `Date` header: the server's clock, for clock skew.
    pub server_date: Option<DateTime<Utc>>,
    /// The `Timestamp` ramkey signed: its own clock at the time of the call.
    pub sent_at: Option<DateTime<Utc>>,
    /// ramkey's own string to sign, kept for `SignatureDoesNotMatch` only
    /// (with any STS token redacted), to set beside the server's.
    pub own_string_to_sign: Option<String>,
}

/// The IMS calls behind the credential report; both need their permission.
const REPORT_ACTIONS: [&str; 2] = ["GenerateCredentialReport", "GetCredentialReport"];

const REPORT_REFUSED_HINT: &str = "The identity ramkey runs as may not read the credential \
    report: grant it `ram:GenerateCredentialReport` and `ram:GetCredentialReport` (both are in \
    `ramkey policy --scan-only`), or scan user by user with `--source api`.";

/// What the server says before the string to sign it computed.
const SERVER_STRING_TO_SIGN: &str = "server string to sign is:";

impl ApiError {
    /// An envelope with only what every error has; the rest left empty.
    pub fn new(code: impl Into<String>, message: impl Into<String>, http_status: u16) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            request_id: None,
            http_status,
            host_id: None,
            recommend: None,
            action: String::new(),
            endpoint: String::new(),
            server_date: None,
            sent_at: None,
            own_string_to_sign: None,
        }
    }

    /// The string to sign the server computed, from a `SignatureDoesNotMatch`
    /// message.
    pub fn server_string_to_sign(&self) -> Option<&str> {
        let start = self.message.find(SERVER_STRING_TO_SIGN)? + SERVER_STRING_TO_SIGN.len();
        Some(self.message[start..].trim())
    }

    /// The message without the server's string to sign, which repeats every
    /// parameter of the request and so does not belong in a log line.
    pub fn message_without_string_to_sign(&self) -> &str {
        match self.message.find(SERVER_STRING_TO_SIGN) {
            Some(start) => self.message[..start].trim_end(),
            None => &self.message,
        }
    }

    /// How far the local clock is ahead of the server's (negative: behind),
    /// when both times are known.
    pub fn clock_skew(&self) -> Option<chrono::Duration> {
        Some(self.sent_at? - self.server_date?)
    }

    /// A sentence saying what to do, for the codes people commonly hit.
    pub fn hint(&self) -> Option<String> {
        let code = self.code.as_str();
        let hint = match code {
            _ if self.is_report_refusal() => REPORT_REFUSED_HINT.to_owned(),
            "NoPermission" => self.no_permission_hint(),
            "SignatureDoesNotMatch" => self.signature_hint(),
            // Older endpoints say IllegalTimestamp for the same refusal (BC-03).
            "InvalidTimeStamp.Expired" | "IllegalTimestamp" => self.clock_hint(),
            "InvalidAccessKeyId.NotFound" => "Alibaba Cloud does not know the AccessKey ID \
                ramkey signs with: check it, and that it belongs to this endpoint (sandbox keys \
                work only against the sandbox). A key created moments ago can take a little \
                while to be accepted."
                .to_owned(),
            "InvalidAccessKeyId.Inactive" => "The AccessKey ramkey signs with is disabled: \
                run ramkey with another credential (STS credentials are preferred) or enable \
                the key again in the RAM console."
                .to_owned(),
            "InvalidSecurityToken.Expired" => "The STS token has expired: get fresh STS \
                credentials (AccessKey ID, secret and token together) and run ramkey again; \
                it resumes at the step where it stopped."
                .to_owned(),
            "MissingSecurityToken" => "An STS AccessKey ID needs its security token: set \
                ALIBABA_CLOUD_SECURITY_TOKEN with the ID and secret of the same STS credential."
                .to_owned(),
            _ if code.starts_with("InvalidSecurityToken.") => "The STS token is malformed or \
                does not belong to this AccessKey ID: set the ID, secret and token of one and \
                the same STS credential."
                .to_owned(),
            "SignatureNonceUsed" => "The server had seen this request's nonce before; run \
                the step again (each new request gets a fresh nonce)."
                .to_owned(),
            "EntityAlreadyExists.User" => "A RAM user with that name already exists: choose \
                another name, or check whether an earlier ramkey run created it."
                .to_owned(),
            "EntityNotExist.User" => "No RAM user has that name (names are case-sensitive): \
                check whether it was renamed or deleted."
                .to_owned(),
            "LimitExceeded.User.AccessKey" => "The user already holds two AccessKeys, \
                counting Inactive ones. Only deleting a key frees a slot; disabling it does not."
                .to_owned(),
            _ if code.starts_with("Throttling") => "Alibaba Cloud is rate-limiting these \
                calls: wait a minute and run the step again."
                .to_owned(),
            "InternalError" | "ServiceUnavailable" => "The service had a temporary fault: \
                try again in a moment; if this was a change, check first whether it took effect."
                .to_owned(),
            _ => return None,
        };
        Some(hint)
    }

    /// A credential report call refused for want of permission (IMS may
    /// say `NoPermission` or a `Forbidden…` code).
    fn is_report_refusal(&self) -> bool {
        let report_call = REPORT_ACTIONS.contains(&self.action.as_str());
        report_call && (self.code == "NoPermission" || self.code.starts_with("Forbidden"))
    }

    fn no_permission_hint(&self) -> String {
        let service = if self.action == "GetCallerIdentity" {
            "sts"
        } else {
            "ram"
        };
        format!(
            "The identity ramkey runs as may not call {action}: grant it `{service}:{action}` \
             (or run ramkey with an identity that has it). `ramkey policy` prints the whole \
             policy ramkey needs (`--scan-only` for scans).",
            action = self.action_name()
        )
    }

    fn signature_hint(&self) -> String {
        let mut hint = "The server computed a different signature: check the AccessKey secret \
            (no spaces or line breaks)."
            .to_owned();
        let own = self.own_string_to_sign.as_deref();
        let server = self.server_string_to_sign();
        if let (Some(own), Some(server)) = (own, server) {
            if own == server {
                hint.push_str(" Both sides signed the same string, so the secret is what differs.");
            }
            let _ = write!(
                hint,
                "\nramkey's string to sign: {own}\nserver's string to sign: {server}"
            );
        } else if let Some(own) = own {
            let _ = write!(hint, "\nramkey's string to sign: {own}");
        }
        hint
    }

    fn clock_hint(&self) -> String {
        let Some(skew) = self.clock_skew() else {
            return "The request time was more than 15 minutes from the server's: check this \
                machine's clock (NTP) against the Date header of the server's response."
                .to_owned();
        };
        let minutes = skew.num_minutes().abs();
        let direction = if skew < chrono::Duration::zero() {
            "behind"
        } else {
            "ahead of"
        };
        format!(
            "This machine's clock is about {minutes} min {direction} the server's (response \
             Date header); requests must be within 15 minutes. Fix the clock (NTP) and run \
             ramkey again."
        )
    }

    fn action_name(&self) -> &str {
        if self.action.is_empty() {
            "this action"
        } else {
            &self.action
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let request_id = self.request_id.as_deref().unwrap_or("none");
        write!(
            f,
            "{} was refused: {}: {} (HTTP {}, RequestId {request_id})",
            self.action_name(),
            self.code,
            self.message,
            self.http_status
        )
    }
}

impl std::error::Error for ApiError {}

/// A response body ramkey could not read as the expected JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnexpectedBody {
    /// The API action that was called.
    pub action: String,
    /// The endpoint the call went to.
    pub endpoint: String,
    /// The HTTP status.
    pub http_status: u16,
    /// `RequestId` from the body or the `x-acs-request-id` header, if any.
    pub request_id: Option<String>,
    /// What was wrong, e.g. "the body is empty".
    pub problem: String,
    /// The first ~200 bytes of the body, with secret-looking values masked.
    pub body_start: String,
}

impl fmt::Display for UnexpectedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let request_id = self.request_id.as_deref().unwrap_or("none");
        write!(
            f,
            "{} at {} gave a response ramkey cannot read: {} (HTTP {}, RequestId {request_id})",
            self.action, self.endpoint, self.problem, self.http_status
        )?;
        if !self.body_start.is_empty() {
            write!(f, "; the body starts: {:?}", self.body_start)?;
        }
        if changes_the_account(&self.action) {
            f.write_str(
                "; this call changes the account and may have done so: \
                 check whether it took effect before repeating it",
            )?;
        }
        Ok(())
    }
}

/// Whether `action` is one of RAM's write verbs (CreateUser,
/// UpdateAccessKey, AttachPolicyToUser, ...): an unreadable answer to it
/// leaves the outcome unknown.
pub(crate) fn changes_the_account(action: &str) -> bool {
    const WRITE_VERBS: [&str; 6] = ["Create", "Update", "Delete", "Attach", "Detach", "Add"];
    WRITE_VERBS.iter().any(|verb| action.starts_with(verb))
}

impl std::error::Error for UnexpectedBody {}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn api(code: &str) -> ApiError {
        let mut error = ApiError::new(code, "text", 400);
        error.action = "ListUsers".to_owned();
        error
    }

    #[test]
    fn display_names_action_code_message_status_and_request_id() {
        let mut error = api("NoPermission");
        error.request_id = Some("R-1".to_owned());
        assert_eq!(
            error.to_string(),
            "ListUsers was refused: NoPermission: text (HTTP 400, RequestId R-1)"
        );
    }

    #[test]
    fn common_codes_have_hints() {
        for (code, needle) in [
            ("NoPermission", "ram:ListUsers"),
            (
                "InvalidAccessKeyId.NotFound",
                "does not know the AccessKey ID",
            ),
            ("InvalidAccessKeyId.Inactive", "disabled"),
            ("InvalidTimeStamp.Expired", "clock"),
            ("IllegalTimestamp", "clock"),
            ("InvalidSecurityToken.Expired", "fresh STS"),
            (
                "InvalidSecurityToken.MismatchWithAccessKey",
                "same STS credential",
            ),
            ("EntityAlreadyExists.User", "already exists"),
            ("LimitExceeded.User.AccessKey", "disabling it does not"),
            ("SignatureDoesNotMatch", "no spaces or line breaks"),
            ("Throttling.User", "rate-limiting"),
        ] {
            let hint = api(code).hint().unwrap_or_default();
            assert!(hint.contains(needle), "{code}: {hint}");
        }
        assert_eq!(api("SomethingRare").hint(), None);
    }

    #[test]
    fn a_refused_credential_report_names_both_report_permissions() {
        for (action, code) in [
            ("GenerateCredentialReport", "NoPermission"),
            ("GetCredentialReport", "NoPermission"),
            ("GetCredentialReport", "Forbidden.AccessDenied"),
        ] {
            let mut error = api(code);
            error.action = action.to_owned();
            let hint = error.hint().unwrap_or_default();
            assert!(hint.contains("`ram:GenerateCredentialReport`"), "{hint}");
            assert!(hint.contains("`ram:GetCredentialReport`"), "{hint}");
            assert!(hint.contains("--source api"), "{hint}");
        }
        let mut error = api("Throttling.User");
        error.action = "GetCredentialReport".to_owned();
        assert!(error.hint().unwrap().contains("rate-limiting"));
    }

    #[test]
    fn clock_hint_measures_the_skew_from_the_date_header() {
        let mut error = api("InvalidTimeStamp.Expired");
        error.sent_at = Some(Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap());
        error.server_date = Some(Utc.with_ymd_and_hms(2024, 1, 2, 3, 24, 5).unwrap());
        let hint = error.hint().unwrap();
        assert!(hint.contains("about 20 min behind"), "{hint}");
    }

    #[test]
    fn signature_hint_sets_both_strings_to_sign_side_by_side() {
        let mut error = api("SignatureDoesNotMatch");
        error.message = "Specified signature is not matched with our calculation. \
            server string to sign is:POST&%2F&A%3Db"
            .to_owned();
        error.own_string_to_sign = Some("POST&%2F&A%3Db".to_owned());
        assert_eq!(error.server_string_to_sign(), Some("POST&%2F&A%3Db"));
        let hint = error.hint().unwrap();
        assert!(
            hint.contains("ramkey's string to sign: POST&%2F&A%3Db"),
            "{hint}"
        );
        assert!(
            hint.contains("server's string to sign: POST&%2F&A%3Db"),
            "{hint}"
        );
        assert!(hint.contains("the secret is what differs"), "{hint}");
    }

    #[test]
    fn cloud_error_helpers_reach_into_the_envelope() {
        let mut inner = api("EntityNotExist.User");
        inner.request_id = Some("R-2".to_owned());
        let error = CloudError::from(inner);
        assert_eq!(error.code(), Some("EntityNotExist.User"));
        assert_eq!(error.request_id(), Some("R-2"));
        assert!(error.hint().unwrap().contains("case-sensitive"));
        assert_eq!(CloudError::PaginationWithoutMarker.code(), None);
    }
}
