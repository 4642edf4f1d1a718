//! Benchmark 5 of issue 5: drawing the findings screen with 10,000 flagged
//! users into a 200x50 test terminal, and filtering them. Target: under
//! 2 ms per frame. Figures, not a test: `cargo bench --bench findings_screen`.

#![allow(missing_docs, reason = "criterion's macros write the entry points")]

use std::hint::black_box;

use chrono::{DateTime, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use ramkey::ui::App;
use ramkey::ui::app::Msg;
use ramkey::ui::findings;
use ramkey::ui::findings::filter::FilterLine;
use ramkey::ui::scan_view::{ScanNews, ScanPhase, ScanSource, ScanView};
use ramkey::ui::view::{Header, Identity, KeyView, Recommendation, Snapshot, UserView, Verdict};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const USERS: usize = 10_000;
const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("a fixed date")
}

/// The `i`th flagged user: every seventh has a Chinese display name, the
/// verdicts vary.
fn user(i: usize) -> UserView {
    let verdicts = [Verdict::Idle, Verdict::InUse, Verdict::Unknown];
    let key = |n: usize| KeyView {
        access_key_id: format!("LTAI5t{i:08}{n:010}"),
        verdict: verdicts[(i + n) % verdicts.len()],
        disagreement: None,
        last_used: Some(at("2025-05-31T08:00:00Z")),
        reason: None,
        used_by_ramkey: false,
    };
    let display_name = if i % 7 == 0 {
        format!("运维-张三-{i}")
    } else {
        format!("Application {i}")
    };
    UserView {
        user_name: format!("app-{i:05}"),
        display_name,
        keys: vec![key(1), key(2)],
        recommendation: Recommendation::DisableIdle,
        rotation: None,
        drift: None,
        marks: Vec::new(),
        data_as_of: None,
        grants: None,
    }
}

fn header() -> Header {
    Header {
        account_id: "1234567890123456".to_owned(),
        state_file: "/home/admin/.local/state/ramkey/1234567890123456.json".to_owned(),
        demo: false,
        identity: Identity {
            arn: "acs:ram::1234567890123456:user/ramkey-admin".to_owned(),
            identity_type: "RAMUser".to_owned(),
            credentials: "AccessKey from the environment".to_owned(),
            access_key_id: Some("LTAI5tAdminKey0000000001".to_owned()),
            expires_at: None,
            renewed: false,
            warning: None,
        },
        read_only: None,
        dry_run: false,
        idle_days: 90,
    }
}

fn snapshot() -> Snapshot {
    Snapshot {
        users: (0..USERS).map(user).collect(),
        taken_at: at("2025-06-01T12:00:00Z"),
    }
}

/// A key press of the character `c`.
fn key(c: char) -> Msg {
    Msg::Key(KeyEvent {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    })
}

fn test_terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal")
}

/// One frame: what the event loop does after each event.
fn frame(terminal: &mut Terminal<TestBackend>, app: &App) {
    terminal
        .draw(|frame| ramkey::ui::render::render(app, frame))
        .expect("draw");
}

fn drawing(c: &mut Criterion) {
    let mut group = c.benchmark_group("findings screen 200x50, 10000 rows");

    let top = App::new(header(), snapshot());
    let mut terminal = test_terminal();
    group.bench_function("draw, cursor on the first row", |b| {
        b.iter(|| frame(&mut terminal, black_box(&top)));
    });

    let mut bottom = App::new(header(), snapshot());
    bottom.list_cursor = USERS - 1;
    let mut terminal = test_terminal();
    group.bench_function("draw, cursor on the last row", |b| {
        b.iter(|| frame(&mut terminal, black_box(&bottom)));
    });

    // The cursor moves each frame, so every frame differs from the last.
    let mut moving = App::new(header(), snapshot());
    let mut terminal = test_terminal();
    group.bench_function("draw, cursor moving down", |b| {
        b.iter(|| {
            moving.list_cursor = (moving.list_cursor + 37) % USERS;
            frame(&mut terminal, black_box(&moving));
        });
    });

    let mut filtered = App::new(header(), snapshot());
    filtered.filter = Some(FilterLine {
        query: "idle".to_owned(),
        editing: false,
        rows: findings::filter(&filtered.snapshot.users, "idle"),
    });
    let mut terminal = test_terminal();
    group.bench_function("draw, filtered on \"idle\"", |b| {
        b.iter(|| frame(&mut terminal, black_box(&filtered)));
    });

    let mut scanning = App::scanning(header(), snapshot());
    scanning.update(Msg::Scan(ScanNews {
        progress: Some(ScanView {
            source: ScanSource::Api,
            phase: ScanPhase::Checking,
            users_listed: 40_000,
            users_total: Some(40_000),
            users_checked: 31_000,
            keys_checked: 52_000,
            flagged: USERS,
            calls: 83_000,
            throttled: 12,
            rate: 49.8,
            ..ScanView::default()
        }),
        ..ScanNews::default()
    }));
    let mut terminal = test_terminal();
    group.bench_function("draw, gauge above the list during the scan", |b| {
        b.iter(|| frame(&mut terminal, black_box(&scanning)));
    });
    group.finish();
}

fn filtering(c: &mut Criterion) {
    let users = snapshot().users;
    let mut group = c.benchmark_group("filter 10000 rows");
    for query in ["app-0999", "idle", "ltai5t00004242", "张三", "no such user"] {
        group.bench_function(format!("{query:?}"), |b| {
            b.iter(|| findings::filter(black_box(&users), black_box(query)));
        });
    }
    // A key typed into the filter line: the rows are matched again and the
    // screen redrawn (the app is set up afresh, untimed, for each).
    let users = snapshot();
    let mut terminal = test_terminal();
    group.bench_function("type one character and redraw", |b| {
        b.iter_batched_ref(
            || {
                let mut app = App::new(header(), users.clone());
                for c in "/app-".chars() {
                    app.update(key(c));
                }
                app
            },
            |app| {
                app.update(key('0'));
                frame(&mut terminal, app);
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, drawing, filtering);
criterion_main!(benches);
