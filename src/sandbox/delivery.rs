//! How one answer leaves the sandbox under the fault switches: the plan for
//! the request, its delay, the refusal instead of acting, the connection cut
//! after acting, and the journal entry saying how it ended.

use axum::body::Body;
use axum::response::Response;
use chrono::{DateTime, Utc};

use super::actions::Service;
use super::connection::Connection;
use super::faults::{Before, Plan, Switchboard};
use super::journal::{Ending, Journal, SeenRequest};
use super::params::Params;

/// What changes from one try of a call to the next.
const PER_TRY: [&str; 4] = ["Signature", "SignatureNonce", "Timestamp", "SecurityToken"];

/// The call a request is a try of: its action and parameters, less those
/// of [`PER_TRY`] (under V3 those travel in headers anyway).
fn call_identity(action: &str, params: Option<&Params>) -> String {
    let mut pairs: Vec<String> = params
        .map(Params::pairs)
        .unwrap_or_default()
        .iter()
        .filter(|(name, _)| !PER_TRY.contains(&name.as_str()))
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    pairs.sort();
    format!("{action}?{}", pairs.join("&"))
}

/// One request on its way to an answer.
pub struct Delivery<'a> {
    plan: Plan,
    connection: Connection,
    entry: SeenRequest,
    journal: &'a Journal,
}

impl<'a> Delivery<'a> {
    /// Plans the faults for a request: `common` reads its common fields
    /// (from 1.0 parameters or V3 headers), `params` are its parameters.
    pub fn plan(
        (switchboard, journal): (&Switchboard, &'a Journal),
        connection: Connection,
        common: &impl Fn(&str) -> Option<String>,
        params: Option<&Params>,
        now: DateTime<Utc>,
    ) -> Self {
        let field = |name| common(name).unwrap_or_default();
        let entry = SeenRequest {
            action: field("Action"),
            access_key_id: field("AccessKeyId"),
            nonce: field("SignatureNonce"),
            timestamp: field("Timestamp"),
            ended: Ending::Reset { acted: false },
        };
        let call = call_identity(&entry.action, params);
        Self {
            plan: switchboard.plan(&entry.action, &call, now),
            connection,
            entry,
            journal,
        }
    }

    /// The fault that keeps this request from being acted on, if any.
    pub fn refused_before_acting(&self) -> Option<Before> {
        self.plan.before
    }

    /// Refuses the request without acting.
    pub async fn refuse(
        self,
        before: Before,
        service: Service,
        request_id: &str,
        now: DateTime<Utc>,
    ) -> Response {
        let code = match before {
            Before::Throttle { .. } => "Throttling.User",
            Before::Reset | Before::Unavailable => "",
        };
        let answer = before.answer(service, request_id, now);
        self.finish(answer, code, false).await
    }

    /// Sends the answer to an acted-on request, or cuts the connection.
    pub async fn answer(self, response: Response, outcome_code: &str) -> Response {
        self.finish(Some(response), outcome_code, true).await
    }

    async fn finish(mut self, answer: Option<Response>, code: &str, acted: bool) -> Response {
        if !self.plan.delay.is_zero() {
            tokio::time::sleep(self.plan.delay).await;
        }
        let answer = answer.filter(|_| !self.plan.reset_after);
        self.entry.ended = match &answer {
            Some(response) => Ending::Answered {
                status: response.status().as_u16(),
                code: code.to_owned(),
            },
            None => Ending::Reset { acted },
        };
        self.journal.record(self.entry);
        if let Some(response) = answer {
            return response;
        }
        tracing::info!(acted, "fault switch: connection cut without an answer");
        self.connection.reset();
        // Never reaches the client: the connection refuses to send it.
        Response::new(Body::empty())
    }
}
