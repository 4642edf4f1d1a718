//! What the bridge gives the start screen, the findings table and the
//! user's screen, against the real engine and the in-process sandbox: the
//! exempt mark with its reason, the data's age from the scan, the
//! rotations in progress from the state file before any scan, and the
//! user's policies and groups once its screen looked.

mod credentials_support;
#[path = "rotation_support/mod.rs"]
mod rotation_support;
mod ui_support;

use std::sync::Arc;

use crossterm::event::KeyCode;
use ramkey::clock::Clock;
use ramkey::scan::Exemptions;
use ramkey::ui::app::Msg;
use ramkey::ui::engine_bridge::EngineBackend;
use ramkey::ui::view::{PathKind, RowMark};
use ramkey::ui::{App, Backend as _};
use rotation_support::World;
use ui_support::tap;

async fn started(world: &World, exemptions: Exemptions) -> (App, EngineBackend) {
    let caller = world
        .client
        .get_caller_identity()
        .await
        .expect("caller identity");
    let clock: Arc<dyn Clock> = Arc::new(world.clock.clone());
    let (backend, _report) = EngineBackend::start(world.engine(), clock)
        .await
        .expect("scan");
    let backend = backend.with_exemptions(exemptions);
    let header = backend.header(&caller, true);
    (App::new(header, backend.snapshot()), backend)
}

#[tokio::test]
async fn an_exempt_user_is_listed_marked_with_its_reason_and_the_data_has_an_age() {
    let world = World::demo().await;
    let mut exemptions = Exemptions::default();
    exemptions
        .add("ci-deployer", "rotated by the CI vault")
        .expect("exemption");
    let (app, _backend) = started(&world, exemptions).await;

    let user = app.snapshot.user("ci-deployer").expect("still listed");
    assert_eq!(
        user.marks,
        [RowMark::Exempt {
            reason: "rotated by the CI vault".to_owned()
        }]
    );
    let other = app.snapshot.user("billing-exporter").expect("listed");
    assert!(other.marks.is_empty(), "{:?}", other.marks);
    assert!(
        app.snapshot
            .users
            .iter()
            .all(|u| u.data_as_of == Some(world.now())),
        "the per-user scan's data is as of the scan"
    );
    assert_eq!(app.header.idle_days, 90);
}

#[tokio::test]
async fn the_start_view_lists_the_rotations_in_progress_before_any_scan() {
    let world = World::demo().await;
    let clock: Arc<dyn Clock> = Arc::new(world.clock.clone());
    {
        // Each engine locks the state file: one at a time.
        let fresh = EngineBackend::new(world.engine(), Arc::clone(&clock));
        assert!(fresh.start_view().resume.is_empty());
    }

    // Start billing-exporter's idle path and record its review.
    let (mut app, mut backend) = started(&world, Exemptions::default()).await;
    let position = app
        .snapshot
        .users
        .iter()
        .position(|u| u.user_name == "billing-exporter")
        .expect("listed");
    app.list_cursor = position;
    // Open, start (the idle key is offered first), review, yes.
    let keys = [
        KeyCode::Enter,
        KeyCode::Enter,
        KeyCode::Enter,
        KeyCode::Enter,
        KeyCode::Char('y'),
    ];
    for key in keys {
        for effect in tap(&mut app, &[key]) {
            let result = backend.perform(effect).await;
            app.update(Msg::Performed(result));
        }
    }
    drop(backend);

    // A fresh engine over the same state file, before its scan.
    let fresh = EngineBackend::new(world.engine(), clock);
    let start = fresh.start_view();
    assert_eq!(start.resume.len(), 1, "{start:?}");
    assert_eq!(start.resume[0].user, "billing-exporter");
    assert_eq!(start.resume[0].path, PathKind::DisableIdle);
    assert_eq!(start.resume[0].progress, "1/4 steps");
    assert_eq!(start.resume[0].deletion_due, None);
}

#[tokio::test]
async fn opening_a_rotation_reads_the_users_policies_and_groups() {
    let world = World::demo().await;
    let (mut app, mut backend) = started(&world, Exemptions::default()).await;
    let position = app
        .snapshot
        .users
        .iter()
        .position(|u| u.user_name == "ci-deployer")
        .expect("listed");
    app.list_cursor = position;
    assert_eq!(app.snapshot.user("ci-deployer").unwrap().grants, None);

    // Open, start the move (the first choice the start offers), then look.
    for key in [KeyCode::Enter, KeyCode::Enter, KeyCode::Enter] {
        for effect in ui_support::tap(&mut app, &[key]) {
            let result = backend.perform(effect).await;
            app.update(Msg::Performed(result));
        }
    }
    let user = app.snapshot.user("ci-deployer").expect("listed");
    assert!(user.rotation.is_some(), "started: {:?}", app.dialog);
    let grants = user.grants.as_ref().expect("read after the step");
    let names: Vec<&str> = grants.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "AliyunContainerRegistryFullAccess",
            "AliyunOSSReadOnlyAccess",
            "ci-deploy-artifacts"
        ]
    );
    assert_eq!(grants.groups, ["deployers"]);
}
