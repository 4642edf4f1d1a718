//! The sandbox's simulated applications (the living demo): off, the keys'
//! last use stands still; on, each deployment signs on its grid by the
//! sandbox clock (only with Active keys), a jumped clock finds them kept
//! working, and a switched deployment signs with its new key from the
//! switch on while the old key goes quiet.

#[path = "rotation_support/mod.rs"]
mod rotation_support;

use chrono::{DateTime, Duration, Utc};
use ramkey::cloud::model::KeyStatus;
use ramkey::sandbox::{Account, AccountDate, Stage};
use rotation_support::World;

/// ci-deployer's key behind the Jenkins pipeline, which signs every 5 s.
const PIPELINE_KEY: &str = "LTAI5tta73aMlWBWNXMqU75Y";
/// billing-exporter's idle key: no application uses it.
const IDLE_KEY: &str = "LTAI5tHYcNLlk2r7wbVdZbSe";
/// data-sync's never-used key: no application uses it.
const NEVER_USED_KEY: &str = "LTAI5tclG3ZlvP6q1tFB9szn";

fn last_use(world: &World, key_id: &str) -> Option<DateTime<Utc>> {
    let account = world.sandbox.account_snapshot();
    let (_, key) = account.key_owner(key_id).expect("the key exists");
    key.last_used_date.map(|date| match date {
        AccountDate::At(at) => at,
        AccountDate::Ago(_) => panic!("a running sandbox pins every date"),
    })
}

#[tokio::test]
async fn without_life_the_last_use_stands_still() {
    let world = World::demo().await;
    let before = last_use(&world, PIPELINE_KEY);
    world.advance(Duration::minutes(10));
    assert_eq!(last_use(&world, PIPELINE_KEY), before);
}

#[tokio::test]
async fn living_applications_sign_on_their_grid_and_only_with_their_keys() {
    let world = World::demo().await;
    let start = world.now();
    world.sandbox.set_living(true);
    assert_eq!(
        last_use(&world, PIPELINE_KEY),
        Some(start),
        "its first request"
    );

    world.advance(Duration::seconds(12));
    assert_eq!(
        last_use(&world, PIPELINE_KEY),
        Some(start + Duration::seconds(10)),
        "every 5 s from the start"
    );
    let idle = last_use(&world, IDLE_KEY);
    world.advance(Duration::days(91));
    assert_eq!(last_use(&world, IDLE_KEY), idle, "no application uses it");
    assert_eq!(last_use(&world, NEVER_USED_KEY), None);
    let jumped = last_use(&world, PIPELINE_KEY).unwrap();
    assert!(
        world.now() - jumped < Duration::seconds(5),
        "kept working while the clock jumped: {jumped}"
    );
}

#[tokio::test]
async fn a_disabled_key_is_not_used_by_its_application() {
    let world = World::demo().await;
    world.sandbox.set_living(true);
    world
        .client
        .update_access_key("ci-deployer", PIPELINE_KEY, KeyStatus::Inactive)
        .await
        .unwrap();
    let disabled_at = world.now();
    world.advance(Duration::hours(1));
    assert_eq!(last_use(&world, PIPELINE_KEY), Some(disabled_at));
}

#[tokio::test]
async fn a_switched_deployment_signs_with_the_new_key_and_the_old_key_goes_quiet() {
    let world = World::demo().await;
    world.sandbox.set_living(true);
    // A fresh key (of a user with a free slot; any key can be switched to).
    let new_key = world
        .client
        .create_access_key("web-frontend")
        .await
        .unwrap()
        .value
        .access_key_id;
    let applications = world.sandbox.applications();

    // Staging moves: the new key is used from then on (every 5 s from the
    // switch), the old one still by production (every 5 s from the start).
    let start = world.now();
    let at = |seconds| start + Duration::seconds(seconds);
    world.advance(Duration::seconds(7));
    let name = applications
        .switch(Stage::Staging, PIPELINE_KEY, &new_key, at(7))
        .unwrap();
    assert_eq!(name, "Jenkins release pipeline");
    world.advance(Duration::seconds(5));
    assert_eq!(last_use(&world, &new_key), Some(at(12)));
    assert_eq!(last_use(&world, PIPELINE_KEY), Some(at(10)));

    // Production moves at 15 s, told at 19 s: the old key's use at 15 s,
    // recorded meanwhile, is taken back, the application had moved.
    world.advance(Duration::seconds(7));
    assert_eq!(last_use(&world, PIPELINE_KEY), Some(at(15)));
    applications
        .switch(Stage::Production, PIPELINE_KEY, &new_key, at(15))
        .unwrap();
    assert_eq!(last_use(&world, PIPELINE_KEY), Some(at(10)));
    world.advance(Duration::minutes(10));
    assert_eq!(last_use(&world, PIPELINE_KEY), Some(at(10)), "quiet since");
    assert!(last_use(&world, &new_key).unwrap() > at(600));

    // No deployment signs with the old key any more.
    let error = applications
        .switch(Stage::Production, PIPELINE_KEY, &new_key, world.now())
        .unwrap_err();
    assert!(error.to_string().contains(PIPELINE_KEY), "{error}");
}

#[test]
fn the_demo_applications_use_busy_keys_of_the_demo_account() {
    let account = Account::demo();
    assert!(!account.applications.is_empty());
    for app in &account.applications {
        for key_id in [&app.staging.access_key_id, &app.production.access_key_id] {
            let (_, key) = account
                .key_owner(key_id)
                .unwrap_or_else(|| panic!("{}: no key {key_id}", app.name));
            assert_eq!(key.status, KeyStatus::Active, "{}", app.name);
            assert_ne!(key_id, &account.caller_access_key_id, "ramkey's own key");
        }
    }
}
