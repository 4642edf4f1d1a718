//! BC-16 width: a long Chinese display name with an emoji, drawn at 40 and
//! 30 columns and back, is cut on a character boundary by display width
//! with an ellipsis, and no line overflows.

mod ui_support;

use crossterm::event::KeyCode;
use ramkey::ui::App;
use ramkey::ui::findings;
use ramkey::ui::text;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ui_support::{LONG_CHINESE_NAME, app, tap};

/// The rows of the test terminal as plain strings (wide cells once each).
fn rows(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            let mut row = String::new();
            let mut x = 0;
            while x < buffer.area.width {
                let symbol = buffer[(x, y)].symbol();
                row.push_str(symbol);
                x += u16::try_from(text::width(symbol).max(1)).unwrap();
            }
            row
        })
        .collect()
}

fn draw_at(terminal: &mut Terminal<TestBackend>, app: &App, width: u16) -> Vec<String> {
    terminal.backend_mut().resize(width, 24);
    terminal
        .draw(|frame| ramkey::ui::render::render(app, frame))
        .expect("draw");
    rows(terminal)
}

fn assert_fits(rows: &[String], width: usize) {
    for row in rows {
        assert_eq!(text::width(row), width, "row {row:?}");
    }
}

#[test]
fn findings_cut_the_long_name_at_40_and_30_columns_and_back() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Down]);
    let mut terminal = Terminal::new(TestBackend::new(40, 24)).unwrap();

    for width in [40_u16, 30, 40] {
        let rows = draw_at(&mut terminal, &app, width);
        assert_fits(&rows, usize::from(width));
        let name_row = rows
            .iter()
            .find(|r| r.contains("ops-zhan"))
            .expect("user row");
        assert!(name_row.contains('…'), "cut with an ellipsis: {name_row:?}");
        assert!(
            name_row.contains("运维"),
            "starts with the name: {name_row:?}"
        );
    }
    insta::assert_snapshot!(
        "findings_40x24",
        draw_at(&mut terminal, &app, 40).join("\n")
    );
    insta::assert_snapshot!(
        "findings_30x24",
        draw_at(&mut terminal, &app, 30).join("\n")
    );
}

#[test]
fn rotation_screen_fits_at_30_columns() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    let mut terminal = Terminal::new(TestBackend::new(30, 24)).unwrap();
    let rows = draw_at(&mut terminal, &app, 30);
    assert_fits(&rows, 30);
    assert!(rows[1].starts_with("ops-zhangsan (运维"), "{:?}", rows[1]);
}

#[test]
fn a_twenty_column_cell_holds_the_name_cut_by_display_width() {
    let user = ui_support::zhangsan();
    // 40 columns minus the highlight mark: a 12-column name cell, then the rest.
    for width in [38, 28, 20, 10, 3, 0] {
        for line in findings::user_lines(&user, width) {
            let line: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            assert!(text::width(&line) <= width, "{line:?} wider than {width}");
        }
    }
    assert_eq!(
        text::truncate(LONG_CHINESE_NAME, 20),
        "运维-张三-🦀-非常长…"
    );
}

#[test]
fn every_screen_and_dialog_survives_tiny_terminals() {
    let mut app = app();
    let mut terminal = Terminal::new(TestBackend::new(1, 1)).unwrap();
    let keys = [
        KeyCode::Down,
        KeyCode::Enter,
        KeyCode::Enter,
        KeyCode::Char('?'),
    ];
    for key in keys {
        tap(&mut app, &[key]);
        for (w, h) in [(1, 1), (5, 3), (12, 6), (30, 10)] {
            terminal.backend_mut().resize(w, h);
            terminal
                .draw(|frame| ramkey::ui::render::render(&app, frame))
                .expect("draw");
        }
    }
}

/// The display column where `needle` starts in the first row holding it.
fn column_of(rows: &[String], needle: &str) -> usize {
    let row = rows.iter().find(|r| r.contains(needle)).expect(needle);
    text::width(&row[..row.find(needle).unwrap()])
}

#[test]
fn display_names_start_in_one_column_at_40_and_30_and_back() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Down]);
    let mut terminal = Terminal::new(TestBackend::new(40, 24)).unwrap();
    for width in [40_u16, 30, 40] {
        let rows = draw_at(&mut terminal, &app, width);
        let latin = column_of(&rows, "Alice Wang");
        let chinese = column_of(&rows, "运维");
        assert_eq!(latin, chinese, "at {width} columns:\n{}", rows.join("\n"));
    }
}
