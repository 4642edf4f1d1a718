//! Shared fixtures for the UI tests: a snapshot of three flagged users at
//! different stages, key events, and rendering on a `TestBackend`.

#![allow(dead_code, reason = "each test file uses a different part")]

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use ramkey::cloud::credentials::{CredentialKind, CredentialReport};
use ramkey::cloud::model::{CallerIdentity, PolicyType};
use ramkey::ui::App;
use ramkey::ui::app::Msg;
use ramkey::ui::engine_bridge;
use ramkey::ui::view::{
    Effect, GrantSet, Header, Identity, KeyView, PathKind, Performed, PolicyRef, Recommendation,
    Request, RotationView, Snapshot, StepKind, StepStatus, StepView, UserView, Verdict,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The bc-16 display name.
pub const LONG_CHINESE_NAME: &str = "运维-张三-🦀-非常长的显示名称用于测试截断";

pub fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("fixture date")
}

fn key(id: &str, verdict: Verdict, last_used: Option<&str>) -> KeyView {
    KeyView {
        access_key_id: id.to_owned(),
        verdict,
        last_used: last_used.map(at),
        disagreement: None,
        reason: None,
        used_by_ramkey: false,
    }
}

fn done(when: &str, request_id: Option<&str>) -> StepStatus {
    StepStatus::Done {
        at: at(when),
        request_id: request_id.map(str::to_owned),
    }
}

fn step(kind: StepKind, status: StepStatus) -> StepView {
    StepView { kind, status }
}

pub fn policies() -> Vec<PolicyRef> {
    vec![
        PolicyRef {
            name: "AliyunOSSReadOnlyAccess".to_owned(),
            policy_type: PolicyType::System,
        },
        PolicyRef {
            name: "deploy-bucket-write".to_owned(),
            policy_type: PolicyType::Custom,
        },
    ]
}

/// alice: one idle and one busy key, nothing started.
pub fn alice() -> UserView {
    UserView {
        user_name: "alice".to_owned(),
        display_name: "Alice Wang".to_owned(),
        keys: vec![
            key(
                "LTAI5tAliceIdle000000001",
                Verdict::Idle,
                Some("2024-11-02T08:00:00Z"),
            ),
            key(
                "LTAI5tAliceBusy000000002",
                Verdict::InUse,
                Some("2025-05-31T22:10:00Z"),
            ),
        ],
        recommendation: Recommendation::DisableIdle,
        rotation: None,
        drift: None,
        marks: Vec::new(),
        data_as_of: Some(at(DATA_AS_OF)),
        // As read when its screen first opened (see `ui_screens`).
        grants: Some(GrantSet {
            policies: policies()[..1].to_vec(),
            groups: Vec::new(),
        }),
    }
}

/// When the fixtures' data was read: an hour before the snapshot.
pub const DATA_AS_OF: &str = "2025-06-01T11:00:00Z";

/// ops-zhangsan: both keys busy, moving to a new user, at the copy step.
pub fn zhangsan() -> UserView {
    let new_user = "ops-zhangsan-v2".to_owned();
    UserView {
        user_name: "ops-zhangsan".to_owned(),
        display_name: LONG_CHINESE_NAME.to_owned(),
        keys: vec![
            key(
                "LTAI5tZhangBusy00000001",
                Verdict::InUse,
                Some("2025-05-31T23:59:00Z"),
            ),
            key(
                "LTAI5tZhangBusy00000002",
                Verdict::InUse,
                Some("2025-05-30T12:00:00Z"),
            ),
        ],
        recommendation: Recommendation::MoveToNewUser,
        rotation: Some(RotationView {
            path: PathKind::MoveToNewUser,
            blocked: None,
            pending: None,
            wait_days: 90,
            rollbacks: 0,
            retired_key_gone: false,
            retired_key_active_again: false,
            new_key: None,
            summary: None,
            swap_evidence: None,
            next_calls: Vec::new(),
            steps: vec![
                step(
                    StepKind::ChooseName {
                        suggested: new_user.clone(),
                    },
                    done("2025-06-01T09:00:00Z", None),
                ),
                step(
                    StepKind::CreateUser {
                        new_user: new_user.clone(),
                    },
                    done(
                        "2025-06-01T09:01:00Z",
                        Some("4C3A1B2D-0000-4000-8000-000000000001"),
                    ),
                ),
                step(
                    StepKind::CopyPermissions {
                        new_user: new_user.clone(),
                        policies: policies(),
                        groups: vec!["ops".to_owned()],
                        chosen: None,
                        copied: ramkey::ui::view::GrantSet::default(),
                    },
                    StepStatus::Pending,
                ),
                step(
                    StepKind::CreateAccessKey {
                        new_user: new_user.clone(),
                    },
                    StepStatus::Pending,
                ),
                step(
                    StepKind::ConfirmSecretStored {
                        new_key_id: String::new(),
                    },
                    StepStatus::Pending,
                ),
                step(
                    StepKind::ConfirmStaging {
                        new_key_id: String::new(),
                    },
                    StepStatus::Pending,
                ),
                step(
                    StepKind::ConfirmProduction {
                        new_key_id: String::new(),
                    },
                    StepStatus::Pending,
                ),
                step(
                    StepKind::DisableKey {
                        key_id: "LTAI5tZhangBusy00000001".to_owned(),
                    },
                    StepStatus::Pending,
                ),
                step(
                    StepKind::ScheduleDeletion {
                        key_id: "LTAI5tZhangBusy00000001".to_owned(),
                        wait_days: 90,
                    },
                    StepStatus::Pending,
                ),
                step(
                    StepKind::DeleteKey {
                        key_id: "LTAI5tZhangBusy00000001".to_owned(),
                        due: at("2025-09-01T00:00:00Z"),
                        wait_days: 90,
                    },
                    StepStatus::Pending,
                ),
                step(
                    StepKind::DetachPolicies {
                        policies: policies(),
                    },
                    StepStatus::Pending,
                ),
            ],
        }),
        drift: None,
        marks: Vec::new(),
        data_as_of: Some(at(DATA_AS_OF)),
        grants: Some(GrantSet {
            policies: policies(),
            groups: vec!["ops".to_owned()],
        }),
    }
}

/// bob: idle key disabled, waiting for deletion.
pub fn bob() -> UserView {
    let idle = "LTAI5tBobIdle00000000001".to_owned();
    UserView {
        user_name: "bob".to_owned(),
        display_name: String::new(),
        keys: vec![
            key(&idle, Verdict::Idle, Some("2024-01-15T00:00:00Z")),
            key(
                "LTAI5tBobBusy00000000002",
                Verdict::InUse,
                Some("2025-05-31T00:00:00Z"),
            ),
        ],
        recommendation: Recommendation::DisableIdle,
        rotation: Some(RotationView {
            path: PathKind::DisableIdle,
            blocked: None,
            pending: None,
            wait_days: 90,
            rollbacks: 0,
            retired_key_gone: false,
            retired_key_active_again: false,
            new_key: None,
            summary: None,
            swap_evidence: None,
            next_calls: Vec::new(),
            steps: vec![
                step(
                    StepKind::Review {
                        key_id: idle.clone(),
                    },
                    done("2025-05-20T10:00:00Z", None),
                ),
                step(
                    StepKind::DisableKey {
                        key_id: idle.clone(),
                    },
                    done(
                        "2025-05-20T10:02:00Z",
                        Some("9F0E1D2C-0000-4000-8000-000000000002"),
                    ),
                ),
                step(
                    StepKind::ScheduleDeletion {
                        key_id: idle.clone(),
                        wait_days: 90,
                    },
                    done("2025-05-20T10:02:00Z", None),
                ),
                step(
                    StepKind::DeleteKey {
                        key_id: idle,
                        due: at("2025-08-18T10:02:00Z"),
                        wait_days: 90,
                    },
                    StepStatus::Pending,
                ),
            ],
        }),
        drift: None,
        marks: Vec::new(),
        data_as_of: Some(at(DATA_AS_OF)),
        grants: Some(GrantSet::default()),
    }
}

pub fn snapshot() -> Snapshot {
    Snapshot {
        users: vec![alice(), zhangsan(), bob()],
        taken_at: at("2025-06-01T12:00:00Z"),
    }
}

fn caller(arn: &str, identity_type: &str) -> CallerIdentity {
    CallerIdentity {
        account_id: "1234567890123456".to_owned(),
        arn: arn.to_owned(),
        identity_type: identity_type.to_owned(),
        user_id: None,
        principal_id: None,
    }
}

/// Signed in through a RamRoleArn profile: STS credentials, no warning.
pub fn role_identity() -> Identity {
    let report = CredentialReport {
        kind: CredentialKind::RamRoleArn,
        source: "profile `rotator` from ~/.aliyun/config.json".to_owned(),
        access_key_id: Some("STS.NUgYrLnoTJbQ6XexW9Zx28".to_owned()),
        expires_at: Some(at("2025-06-01T13:00:00Z")),
    };
    let arn = "acs:ram::1234567890123456:assumed-role/ramkey-rotator/rotation-2025";
    engine_bridge::identity(&caller(arn, "AssumedRoleUser"), &report, false)
}

/// Signed in with a permanent AccessKey from the environment: warned about,
/// except in the demo.
pub fn permanent_key_identity(demo: bool) -> Identity {
    let report = CredentialReport {
        kind: CredentialKind::AccessKey,
        source: "from the environment (ALIBABA_CLOUD_ACCESS_KEY_ID)".to_owned(),
        access_key_id: Some("LTAI5tAdminKey0000000001".to_owned()),
        expires_at: None,
    };
    let arn = "acs:ram::1234567890123456:user/ramkey-admin";
    engine_bridge::identity(&caller(arn, "RAMUser"), &report, demo)
}

pub fn header() -> Header {
    Header {
        account_id: "1234567890123456".to_owned(),
        state_file: "/home/admin/.local/state/ramkey/1234567890123456.json".to_owned(),
        demo: false,
        identity: role_identity(),
        read_only: None,
        dry_run: false,
        idle_days: 90,
    }
}

pub fn app() -> App {
    App::new(header(), snapshot())
}

pub fn event(code: KeyCode, kind: KeyEventKind) -> KeyEvent {
    KeyEvent {
        code,
        modifiers: KeyModifiers::NONE,
        kind,
        state: KeyEventState::NONE,
    }
}

pub fn press(code: KeyCode) -> Msg {
    Msg::Key(event(code, KeyEventKind::Press))
}

pub fn release(code: KeyCode) -> Msg {
    Msg::Key(event(code, KeyEventKind::Release))
}

pub fn repeat(code: KeyCode) -> Msg {
    Msg::Key(event(code, KeyEventKind::Repeat))
}

/// Feeds press-and-release pairs; returns the effects in order.
///
/// The look for changes made outside ramkey that opening a rotation makes
/// is answered at once with nothing found (as over an untouched account),
/// and not returned: tests of that look use [`App::update`] directly.
pub fn tap(app: &mut App, codes: &[KeyCode]) -> Vec<Effect> {
    let mut effects = Vec::new();
    for &code in codes {
        for msg in [press(code), release(code)] {
            match app.update(msg) {
                Some(effect) if effect.request == Request::CheckDrift => {
                    nothing_changed(app, &effect.user);
                }
                other => effects.extend(other),
            }
        }
    }
    effects
}

/// The answer to a look at `user` that found no change made outside ramkey.
pub fn nothing_changed(app: &mut App, user: &str) {
    let mut snapshot = app.snapshot.clone();
    for view in snapshot.users.iter_mut().filter(|u| u.user_name == user) {
        view.drift = Some(Vec::new());
    }
    app.update(Msg::Performed(Ok(Performed {
        snapshot,
        notice: "Nothing was changed outside ramkey.".to_owned(),
        new_secret: None,
    })));
}

/// Types `text` one character at a time (press and release each).
pub fn type_text(app: &mut App, text: &str) {
    let codes: Vec<KeyCode> = text.chars().map(KeyCode::Char).collect();
    assert!(tap(app, &codes).is_empty(), "typing must not start a call");
}

/// The app drawn on a `width` x `height` test terminal, as text.
pub fn draw(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| ramkey::ui::render::render(app, frame))
        .expect("draw");
    terminal.backend().to_string()
}

/// `events` as a terminal delivers keys typed one at a time: each item is
/// ready only after the stream said "not yet" once, so the event loop takes
/// every key in a batch of its own. A stream whose items are all ready at
/// once is a paste to the loop (BC-16, `ramkey::ui::burst`).
pub fn one_by_one<S: futures::Stream + Unpin>(events: S) -> OneByOne<S> {
    OneByOne { events, held: true }
}

/// See [`one_by_one`].
pub struct OneByOne<S> {
    events: S,
    held: bool,
}

impl<S: futures::Stream + Unpin> futures::Stream for OneByOne<S> {
    type Item = S::Item;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<S::Item>> {
        use futures::StreamExt as _;
        if self.held {
            self.held = false;
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        let next = self.events.poll_next_unpin(cx);
        if next.is_ready() {
            self.held = true;
        }
        next
    }
}

/// Taps `keys` one at a time; performs each effect with `backend` and feeds
/// the result back, and what a result leads to (a look, the check after a
/// stored secret) too, as the event loop does.
pub async fn drive<B: ramkey::ui::Backend>(app: &mut App, backend: &mut B, keys: &[KeyCode]) {
    for &key in keys {
        for effect in tap(app, &[key]) {
            let mut next = Some(effect);
            while let Some(effect) = next {
                let result = backend.perform(effect).await;
                next = app.update(Msg::Performed(result));
            }
        }
    }
}
