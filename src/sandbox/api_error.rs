//! The errors the sandbox answers with: production's HTTP status, `Code` and
//! `Message`. The envelope around them (`RequestId`, `HostId`, `Recommend`)
//! is added by [`super::reply`].
//!
//! Messages quoted in `docs/sandbox.md` as production's are production's; the
//! rest are the sandbox's own wording under production's codes.

use axum::http::StatusCode;
use serde_json::Value;

/// One refusal, as the gateway or the service would send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// `Code`, e.g. `EntityNotExist.User`.
    pub code: String,
    /// `Message`.
    pub message: String,
    /// `AccessDeniedDetail`, which production adds to permission refusals.
    pub access_denied_detail: Option<Value>,
}

impl ApiError {
    /// Any error.
    pub fn new(status: StatusCode, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
            access_denied_detail: None,
        }
    }

    /// The same error with an `AccessDeniedDetail` object.
    #[must_use]
    pub fn with_access_denied_detail(mut self, detail: Value) -> Self {
        self.access_denied_detail = Some(detail);
        self
    }

    /// 400 `Missing<Param>`: a required parameter is absent or empty.
    pub fn missing(param: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            format!("Missing{param}"),
            format!("{param} is mandatory for this action."),
        )
    }

    /// 400 `InvalidParameter.<Field>[.<Detail>]`.
    pub fn invalid_parameter(field: &str, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            format!("InvalidParameter.{field}"),
            message,
        )
    }

    /// 404 `EntityNotExist.<Entity>`.
    pub fn not_exist(entity: &str, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("EntityNotExist.{entity}"),
            message,
        )
    }

    /// 409 `EntityAlreadyExists.<Entity>`.
    pub fn already_exists(entity: &str, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            format!("EntityAlreadyExists.{entity}"),
            message,
        )
    }

    /// 409 `LimitExceeded.<Entity>`.
    pub fn limit_exceeded(entity: &str, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            format!("LimitExceeded.{entity}"),
            message,
        )
    }
}
