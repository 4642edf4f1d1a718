//! KMS before the old key is retired, against the sandbox: a rotation started
//! while no KMS secret managed the user reaches its disable or delete after
//! one was made (or with an engine that never looked). The engine looks
//! again right before the write and refuses (`KmsManaged`), sending nothing
//! and recording nothing, so the step is still pending and goes through once
//! the secret is gone. Where KMS refuses to say, the key is not retired
//! either (`KmsUnknown`).

mod rotation_support;

use chrono::Duration;
use ramkey::cloud::Region;
use ramkey::cloud::model::KeyStatus;
use ramkey::rotation::{Action, Confirmation, Engine, EngineError, StepKind};
use ramkey::sandbox::KmsSecret;
use ramkey::scan::KmsOptions;
use rotation_support::{IDLE_KEY, IDLE_USER, World, idle_until, ok, refused};

const REGION: &str = "cn-hangzhou";
const SECRET: &str = "acs/ram/user/billing-exporter";

fn engine_with_kms(world: &World) -> Engine {
    let regions = vec![Region::parse(REGION).unwrap()];
    world.engine().with_kms(KmsOptions::new(regions, 48))
}

/// A KMS secret now manages the idle user's keys, as if made in the console.
fn put_under_kms(world: &World) {
    let secret: KmsSecret = serde_json::from_value(serde_json::json!({
        "SecretName": SECRET, "Region": REGION, "UserName": IDLE_USER,
        "AutomaticRotation": "Enabled",
    }))
    .unwrap();
    world
        .sandbox
        .edit_account(|account| account.kms_secrets.push(secret));
}

fn take_out_of_kms(world: &World) {
    world.sandbox.edit_account(|account| {
        account
            .kms_secrets
            .retain(|secret| secret.secret_name != SECRET);
    });
}

/// What must not change when a retiring step is refused.
struct Untouched {
    writes: usize,
    audit_lines: usize,
}

impl Untouched {
    fn now(world: &World) -> Self {
        Self {
            writes: world.write_requests(),
            audit_lines: world.audit_lines().len(),
        }
    }

    fn still(&self, world: &World, engine: &Engine, step: StepKind) {
        assert_eq!(world.write_requests(), self.writes, "a write was sent");
        assert_eq!(
            world.audit_lines().len(),
            self.audit_lines,
            "a refused step left an audit line (a confirmation)"
        );
        assert_eq!(engine.next_step(IDLE_USER), Some(step), "still pending");
        assert_eq!(world.step_on_disk(IDLE_USER), Some(step));
    }
}

fn managed_by(error: &EngineError) -> (&str, &str) {
    let EngineError::KmsManaged { secret, region, .. } = error else {
        panic!("{error:?}");
    };
    (secret.as_str(), region.as_str())
}

#[tokio::test]
async fn a_disable_is_refused_once_kms_manages_the_key_and_stays_pending() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DisableKey).await;
    put_under_kms(&world);
    let before = Untouched::now(&world);

    let mut engine = engine_with_kms(&world);
    let disable = || Action::DisableKey(Confirmation::typed(IDLE_USER));
    let error = refused(&world, &mut engine, IDLE_USER, disable()).await;
    assert_eq!(managed_by(&error), (SECRET, REGION));
    assert!(
        error.to_string().contains("never disables or deletes"),
        "{error}"
    );
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Active)
    );
    before.still(&world, &engine, StepKind::DisableKey);
    assert!(
        world.requests_for("ListSecrets") > 0,
        "the engine looked afresh"
    );

    // Resumable: with the secret gone, the same step goes through.
    take_out_of_kms(&world);
    ok(&mut engine, IDLE_USER, disable()).await;
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Inactive)
    );
}

#[tokio::test]
async fn a_delete_is_refused_once_kms_manages_the_key_and_stays_pending() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DeleteKey).await;
    world.advance(Duration::days(91));
    put_under_kms(&world);
    let before = Untouched::now(&world);

    let mut engine = engine_with_kms(&world);
    let delete = || Action::DeleteKey(Confirmation::typed(IDLE_USER));
    let error = refused(&world, &mut engine, IDLE_USER, delete()).await;
    assert_eq!(managed_by(&error), (SECRET, REGION));
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Inactive),
        "not deleted"
    );
    before.still(&world, &engine, StepKind::DeleteKey);

    take_out_of_kms(&world);
    ok(&mut engine, IDLE_USER, delete()).await;
    assert_eq!(world.key_status(IDLE_USER, IDLE_KEY), None);
}

#[tokio::test]
async fn a_kms_that_refuses_to_answer_keeps_the_key_as_it_is() {
    let world = World::demo().await;
    idle_until(&world, StepKind::DisableKey).await;
    // The caller loses its KMS read permission (Forbidden/NoPermission).
    world.sandbox.edit_account(|account| {
        let admin = account
            .users
            .iter_mut()
            .find(|user| user.user_name == "ramkey-admin")
            .unwrap();
        admin
            .policies
            .retain(|policy| policy.policy_name != "AliyunKMSReadOnlyAccess");
    });
    let before = Untouched::now(&world);

    let mut engine = engine_with_kms(&world);
    let disable = Action::DisableKey(Confirmation::typed(IDLE_USER));
    let error = refused(&world, &mut engine, IDLE_USER, disable).await;
    let EngineError::KmsUnknown { region, code, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(region, REGION);
    assert_eq!(code, "NoPermission");
    let said = error.to_string();
    assert!(said.contains("kms:ListSecrets"), "{said}");
    assert!(said.contains("stays pending"), "{said}");
    assert_eq!(
        world.key_status(IDLE_USER, IDLE_KEY),
        Some(KeyStatus::Active)
    );
    before.still(&world, &engine, StepKind::DisableKey);

    // Without KMS regions nothing is looked up, as before.
    drop(engine);
    let mut blind = world.engine();
    ok(
        &mut blind,
        IDLE_USER,
        Action::DisableKey(Confirmation::typed(IDLE_USER)),
    )
    .await;
}
