//! Retries on the status line (BC-08): while a call waits for its next try
//! the wizard says why and how long; the outcome replaces it.

mod ui_support;

use std::time::Duration;

use crossterm::event::KeyCode;
use ramkey::cloud::RetryNotice;
use ramkey::cloud::retry::RetryReason;
use ramkey::ui::app::Msg;
use ramkey::ui::view::Performed;
use ui_support::{draw, tap};

fn throttled(wait_secs: u64, failed_tries: u32) -> RetryNotice {
    RetryNotice {
        action: "AttachPolicyToUser",
        user: Some("ops-zhangsan-v2".to_owned()),
        reason: RetryReason::Throttled {
            code: "Throttling.User".to_owned(),
        },
        failed_tries,
        max_tries: 5,
        wait: Duration::from_secs(wait_secs),
    }
}

/// The screen's last line that says "working…".
fn status_line(screen: &str) -> String {
    screen
        .lines()
        .rfind(|line| line.contains("working…"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// ops-zhangsan's copy step, started: the call is in flight.
fn copying() -> ramkey::ui::App {
    let mut app = ui_support::app();
    let effects = tap(
        &mut app,
        &[
            KeyCode::Down,
            KeyCode::Enter,
            KeyCode::Enter,
            KeyCode::Enter,
        ],
    );
    assert_eq!(effects.len(), 1, "{effects:?}");
    assert!(app.is_pending());
    app
}

#[test]
fn a_retry_of_the_call_in_flight_shows_on_the_status_line() {
    let mut app = copying();
    assert!(!status_line(&draw(&app, 160, 24)).contains("retrying"));

    app.update(Msg::Retrying(throttled(2, 1)));
    app.update(Msg::Retrying(throttled(4, 2)));

    let line = status_line(&draw(&app, 160, 24));
    assert!(line.contains("Copying permissions"), "{line}");
    assert!(
        line.contains(
            "AttachPolicyToUser: throttled (Throttling.User), retrying in 4 s (try 3 of 5)"
        ),
        "{line}"
    );
}

#[test]
fn the_outcome_replaces_the_retry() {
    let mut app = copying();
    app.update(Msg::Retrying(throttled(2, 1)));

    app.update(Msg::Performed(Ok(Performed {
        snapshot: ui_support::snapshot(),
        notice: "Copied 3 grants".to_owned(),
        new_secret: None,
    })));

    assert_eq!(app.retrying, None);
    let screen = draw(&app, 160, 24);
    assert!(!screen.contains("retrying"), "{screen}");
    assert!(screen.contains("Copied 3 grants"), "{screen}");
}

#[test]
fn a_retry_with_nothing_in_flight_is_not_shown() {
    let mut app = ui_support::app();

    app.update(Msg::Retrying(throttled(2, 1)));

    assert_eq!(app.retrying, None);
    assert!(!draw(&app, 160, 24).contains("retrying"));
}
