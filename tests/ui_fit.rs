//! What must stay readable on an 80×24 terminal, the size many admins
//! work in: every flagged user's rows under a one-line identity, the state
//! file's name, the rotation's progress, the step's API call and what
//! Enter does, and every key of the footer. Taller and wider terminals keep
//! the whole identity block.

mod ui_support;

use crossterm::event::KeyCode;
use ramkey::secret::Secret;
use ramkey::ui::App;
use ramkey::ui::app::Msg;
use ramkey::ui::view::{Performed, ShownSecret};
use ui_support::{app, draw, tap};

/// The rows of `app` drawn at `width` × `height`, quotes and padding off.
fn rows(app: &App, width: u16, height: u16) -> Vec<String> {
    draw(app, width, height)
        .lines()
        .map(|row| {
            // Rows holding wide characters carry a note after the quotes.
            let row = row.split(" Hidden by multi-width").next().unwrap_or(row);
            row.trim_matches('"').trim_end().to_owned()
        })
        .collect()
}

#[test]
fn the_findings_at_80x24_show_every_user_under_one_line_of_identity() {
    let rows = rows(&app(), 80, 24);

    for user in ["› alice", "  ops-zhangsan", "  bob"] {
        assert!(
            rows.iter().any(|row| row.starts_with(user)),
            "{user}: {rows:#?}"
        );
    }
    let who: Vec<&String> = rows.iter().filter(|r| r.contains("Signed in as")).collect();
    assert_eq!(who.len(), 1, "{rows:#?}");
    assert!(who[0].contains("assumed-role/ramkey-rotator") && who[0].contains("STS"));
    assert!(
        !rows.iter().any(|row| row.starts_with("Credentials:")),
        "{rows:#?}"
    );
}

#[test]
fn a_tall_terminal_keeps_the_whole_identity() {
    let rows = rows(&app(), 120, 32);

    assert!(
        rows.iter()
            .any(|row| row.starts_with("Credentials: RamRoleArn"))
    );
    assert!(rows.iter().any(|row| row.contains("(AssumedRoleUser)")));
}

#[test]
fn a_permanent_key_is_still_warned_about_at_80x24() {
    let mut header = ui_support::header();
    header.identity = ui_support::permanent_key_identity(false);
    let rows = rows(&App::new(header, ui_support::snapshot()), 80, 24);

    assert!(
        rows.iter()
            .any(|row| row.starts_with("Warning: ramkey is signing with a permanent AccessKey.")),
        "{rows:#?}"
    );
    assert!(rows.iter().any(|row| row.starts_with("  bob")), "{rows:#?}");
}

#[test]
fn the_header_keeps_the_state_file_name() {
    let rows = rows(&app(), 80, 24);

    assert_eq!(
        rows[0],
        "ramkey · account 1234567890123456 · state /home/admin/…/1234567890123456.json"
    );
}

#[test]
fn the_rotation_title_cuts_the_display_name_before_the_progress() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    let rows = rows(&app, 80, 24);

    assert!(
        rows[1].starts_with("ops-zhangsan (运维-张三"),
        "{:?}",
        rows[1]
    );
    assert!(
        rows[1].ends_with("…) · move to new user · 2/11 steps"),
        "{:?}",
        rows[1]
    );
}

#[test]
fn a_short_step_panel_keeps_its_api_call_and_what_enter_does() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Down, KeyCode::Enter]);
    let rows = rows(&app, 80, 20);

    let joined = rows.join("\n");
    assert!(joined.contains("API: GetAccessKeyLastUsed, then DeleteAccessKey UserName=bob"));
    assert!(
        joined.contains("│UserAccessKeyId=LTAI5tBobIdle00000000001"),
        "{joined}"
    );
    assert!(
        joined.contains("Waiting for deletion: come back on or after"),
        "{joined}"
    );
    // The explanation above them is cut, and says so.
    assert!(
        rows.iter()
            .any(|row| row.trim_end_matches('│').trim_end().ends_with('…')),
        "{joined}"
    );
}

#[test]
fn the_secret_footer_keeps_every_key_at_80_columns() {
    let mut app = app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    app.update(Msg::Performed(Ok(Performed {
        snapshot: ui_support::snapshot(),
        notice: "Created key LTAI5tNewKey000000000003".to_owned(),
        new_secret: Some(ShownSecret {
            user: "ops-zhangsan-v2".to_owned(),
            access_key_id: "LTAI5tNewKey000000000003".to_owned(),
            secret: Secret::new("dEm0sEcReTdEm0sEcReTdEm0sEcReT"),
        }),
    })));
    let rows = rows(&app, 80, 24);

    let footer = rows[22..].join(" · ");
    for hint in [
        "s show/hide",
        "c copy",
        "e save env file",
        "p save aliyun profile",
    ] {
        assert!(footer.contains(hint), "{hint}: {footer}");
    }
    assert!(footer.contains("y I have stored it"), "{footer}");
    assert!(footer.contains("? help"), "{footer}");
}
