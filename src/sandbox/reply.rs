//! Turns an action's outcome into the HTTP response production would send:
//! JSON with a fresh `RequestId`, the error envelope on failure, and the
//! sandbox clock in `Date` (clients measure their clock skew from it).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::actions::Service;
use super::api_error::ApiError;

/// The response to one request.
pub fn render(
    service: Service,
    outcome: Result<Value, ApiError>,
    request_id: &str,
    now: DateTime<Utc>,
) -> Response {
    let (status, body) = match outcome {
        Ok(body) => (StatusCode::OK, with_request_id(body, request_id)),
        Err(error) => (error.status, error_body(service, &error, request_id)),
    };
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    if let Ok(date) = HeaderValue::from_str(&http_date(now)) {
        headers.insert(header::DATE, date);
    }
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-acs-request-id", id);
    }
    response
}

fn with_request_id(mut body: Value, request_id: &str) -> Value {
    if let Some(fields) = body.as_object_mut() {
        fields.insert("RequestId".to_owned(), request_id.into());
    }
    body
}

/// `{"RequestId","HostId","Code","Message","Recommend"}`, as production,
/// plus `AccessDeniedDetail` on a permission refusal.
fn error_body(service: Service, error: &ApiError, request_id: &str) -> Value {
    let mut body = json!({
        "RequestId": request_id,
        "HostId": service.host_id(),
        "Code": error.code,
        "Message": error.message,
        "Recommend": format!(
            "https://api.aliyun.com/troubleshoot?q={}&product={}&requestId={request_id}",
            error.code,
            service.product()
        ),
    });
    if let (Some(detail), Some(fields)) = (&error.access_denied_detail, body.as_object_mut()) {
        fields.insert("AccessDeniedDetail".to_owned(), detail.clone());
    }
    body
}

/// RFC 7231 `IMF-fixdate`, e.g. `Tue, 02 Jan 2024 03:04:05 GMT`.
pub fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn dates_are_imf_fixdate() {
        let at = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(http_date(at), "Tue, 02 Jan 2024 03:04:05 GMT");
    }

    #[test]
    fn errors_carry_the_production_envelope() {
        let error = ApiError::missing("UserName");
        let body = error_body(Service::Ram, &error, "ABC");
        assert_eq!(body["Code"], "MissingUserName");
        assert_eq!(body["Message"], "UserName is mandatory for this action.");
        assert_eq!(body["HostId"], "ram.aliyuncs.com");
        assert_eq!(
            body["Recommend"],
            "https://api.aliyun.com/troubleshoot?q=MissingUserName&product=Ram&requestId=ABC"
        );
    }
}
