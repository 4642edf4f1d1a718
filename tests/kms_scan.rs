//! KMS RAM secrets end to end against the sandbox: the client's ListSecrets
//! (paged) and DescribeSecret under both signatures, regions kept apart, a
//! refusal turned into a note, the scan's managed and stuck users in every
//! output, and the engine refusing to rotate a managed user.

mod rotation_support;

use ramkey::cloud::{Region, SignatureVersion};
use ramkey::rotation::{Action, EngineError, Start};
use ramkey::sandbox::Account;
use ramkey::scan::format::{self, Format};
use ramkey::scan::{self, KmsOptions, Recommendation, ScanOptions};
use rotation_support::World;
use serde_json::{Value, json};

const MANAGED: &str = "wxpay-notify";
const MANAGED_SECRET: &str = "acs/ram/user/wxpay-notify";

fn region(id: &str) -> Region {
    Region::parse(id).unwrap()
}

fn kms(regions: &[&str]) -> KmsOptions {
    KmsOptions::new(regions.iter().map(|id| region(id)).collect(), 48)
}

fn options(world: &World, regions: &[&str]) -> ScanOptions {
    ScanOptions {
        kms: kms(regions),
        ..ScanOptions::per_user(90, world.now())
    }
}

/// The demo account, changed as JSON.
fn demo_with(change: impl FnOnce(&mut Value)) -> Account {
    let mut value = serde_json::to_value(Account::demo()).unwrap();
    change(&mut value);
    Account::parse(&value.to_string(), "kms test account").expect("valid account")
}

fn secret(name: &str, region: &str, user: &str, last_rotation: &str) -> Value {
    json!({
        "SecretName": name, "Region": region, "UserName": user,
        "AutomaticRotation": "Enabled", "LastRotationDate": last_rotation,
        "RotationInterval": "604800s",
    })
}

#[tokio::test]
async fn secrets_are_listed_page_by_page_and_described_per_region() {
    let account = demo_with(|value| {
        let secrets = value["KmsSecrets"].as_array_mut().unwrap();
        for n in 0..250 {
            secrets.push(secret(
                &format!("bulk-{n:03}"),
                "cn-hangzhou",
                "dev-liming",
                "-1d",
            ));
        }
        secrets.push(secret("over-there", "cn-shanghai", "qa-runner", "-3d"));
    });
    let world = World::with_account(account).await;

    let page = world
        .client
        .list_ram_secrets_page(&region("cn-hangzhou"), 2, 100)
        .await
        .unwrap();
    assert_eq!(page.total_count, 251);
    assert_eq!(page.names.len(), 100);

    let before = world.requests_for("ListSecrets");
    let names = world
        .client
        .list_ram_secrets(&region("cn-hangzhou"))
        .await
        .unwrap();
    assert_eq!(names.len(), 251);
    assert!(names.contains(&MANAGED_SECRET.to_owned()));
    assert!(
        !names.contains(&"over-there".to_owned()),
        "another region's"
    );
    assert_eq!(
        world.requests_for("ListSecrets") - before,
        3,
        "pages of 100"
    );

    let described = world
        .client
        .describe_secret(&region("cn-hangzhou"), MANAGED_SECRET)
        .await
        .unwrap();
    assert_eq!(described.user_name.as_deref(), Some(MANAGED));
    assert_eq!(described.secret_type, "RAMCredentials");
    assert_eq!(described.automatic_rotation.as_str(), "Enabled");
    assert_eq!(described.rotation_interval.as_deref(), Some("2592000s"));
    let rotated = rotation_support::start_time() - chrono::Duration::hours(20);
    assert_eq!(described.last_rotation, Some(rotated));
    assert_eq!(
        described.next_rotation,
        Some(rotated + chrono::Duration::days(30))
    );

    let elsewhere = world
        .client
        .describe_secret(&region("cn-shanghai"), MANAGED_SECRET)
        .await
        .unwrap_err();
    assert_eq!(elsewhere.code(), Some("Forbidden.ResourceNotFound"));
}

#[tokio::test]
async fn a_v3_client_reads_the_same_secrets() {
    let world = World::signing(Account::demo(), SignatureVersion::V3).await;
    let names = world
        .client
        .list_ram_secrets(&region("cn-hangzhou"))
        .await
        .unwrap();
    assert_eq!(names, [MANAGED_SECRET]);
    let described = world
        .client
        .describe_secret(&region("cn-hangzhou"), MANAGED_SECRET)
        .await
        .unwrap();
    assert_eq!(described.user_name.as_deref(), Some(MANAGED));
}

#[tokio::test]
async fn no_region_named_means_a_note_and_no_kms_call() {
    let world = World::demo().await;
    let report = scan::run(&world.client, &options(&world, &[]), &scan::Quiet)
        .await
        .unwrap();
    assert_eq!(world.requests_for("ListSecrets"), 0);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.starts_with("KMS was not checked")),
        "{:?}",
        report.notes
    );
    assert!(report.flagged.iter().any(|f| f.user == MANAGED));
    assert!(report.kms_managed.is_empty());
}

#[tokio::test]
async fn a_refusal_becomes_a_note_and_the_scan_goes_on() {
    let account = demo_with(|value| {
        let admin = value["Users"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|user| user["UserName"] == "ramkey-admin")
            .unwrap();
        admin["Policies"]
            .as_array_mut()
            .unwrap()
            .retain(|policy| policy["PolicyName"] != "AliyunKMSReadOnlyAccess");
    });
    let world = World::with_account(account).await;
    let report = scan::run(
        &world.client,
        &options(&world, &["cn-hangzhou"]),
        &scan::Quiet,
    )
    .await
    .expect("a KMS refusal does not fail the scan");

    let note = report
        .notes
        .iter()
        .find(|n| n.starts_with("KMS in cn-hangzhou refused"))
        .unwrap_or_else(|| panic!("{:?}", report.notes));
    assert!(note.contains("(NoPermission)"), "{note}");
    assert!(note.contains("could not be recognised"), "{note}");
    assert!(
        note.contains("kms:ListSecrets and kms:DescribeSecret"),
        "{note}"
    );
    assert_eq!(report.flagged.len(), 6, "every user judged as without KMS");
    assert!(report.kms_managed.is_empty());
}

/// The demo account plus a stuck rotation: wechat-bot's secret in
/// cn-shanghai was last rotated 20 days ago, yet it holds two keys.
async fn managed_and_stuck() -> (World, scan::ScanReport) {
    let account = demo_with(|value| {
        let secrets = value["KmsSecrets"].as_array_mut().unwrap();
        secrets.push(secret(
            "acs/ram/user/wechat-bot",
            "cn-shanghai",
            "wechat-bot",
            "-20d",
        ));
    });
    let world = World::with_account(account).await;
    let report = scan::run(
        &world.client,
        &options(&world, &["cn-shanghai", "cn-hangzhou"]),
        &scan::Quiet,
    )
    .await
    .unwrap();
    (world, report)
}

#[tokio::test]
async fn a_rotating_user_is_managed_and_a_stuck_one_is_flagged_with_advice() {
    let (_world, report) = managed_and_stuck().await;

    let managed: Vec<&str> = report.kms_managed.iter().map(|m| m.user.as_str()).collect();
    assert_eq!(managed, [MANAGED]);
    let rotating = &report.kms_managed[0];
    assert_eq!(rotating.managed_by.secret, MANAGED_SECRET);
    assert_eq!(rotating.keys.len(), 2);
    assert!(
        !report.flagged.iter().any(|f| f.user == MANAGED),
        "not flagged"
    );

    let stuck = report
        .flagged
        .iter()
        .find(|f| f.user == "wechat-bot")
        .unwrap();
    assert_eq!(stuck.recommendation, Recommendation::FixKmsRotation);
    let kms = stuck.kms.as_ref().unwrap();
    assert_eq!(kms.managed_by.region, "cn-shanghai");
    assert!(
        kms.reason.contains("20 days after the last rotation"),
        "{}",
        kms.reason
    );
    assert!(kms.advice.contains("RotateSecret"), "{}", kms.advice);
    assert!(
        kms.advice.contains("never disable or delete"),
        "{}",
        kms.advice
    );
    assert_eq!(report.flagged.len(), 5);
    assert!(
        report.notes.iter().any(|n| n
            == "KMS checked in cn-hangzhou (1 RAM secret), cn-shanghai (1 RAM secret): KMS \
                manages the keys of wechat-bot, wxpay-notify"),
        "{:?}",
        report.notes
    );
}

#[tokio::test]
async fn every_output_tells_managed_and_stuck_users_apart() {
    let (_world, report) = managed_and_stuck().await;

    let json: Value =
        serde_json::from_str(&format::render(&report, Format::Json).unwrap()).unwrap();
    assert_eq!(json["kms_managed"][0]["user"], MANAGED);
    assert_eq!(json["kms_managed"][0]["secret"], MANAGED_SECRET);
    assert_eq!(json["kms_managed"][0]["region"], "cn-hangzhou");
    assert!(json["kms_managed"][0]["window_ends"].is_string());
    let stuck = json["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["user"] == "wechat-bot")
        .unwrap();
    assert_eq!(stuck["recommendation"], "fix_kms_rotation");
    assert_eq!(stuck["kms"]["state"], "rotation_stuck");
    assert_eq!(stuck["kms"]["automatic_rotation"], "Enabled");
    let plain = json["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["user"] == "ci-deployer");
    assert!(
        plain.unwrap().get("kms").is_none(),
        "no kms field without KMS"
    );

    let table = format::render(&report, Format::Table).unwrap();
    assert!(
        table.contains("wechat-bot (企业微信机器人)  recommendation: fix_kms_rotation"),
        "{table}"
    );
    assert!(table.contains("  KMS rotation stuck: secret acs/ram/user/wechat-bot in cn-shanghai"));
    assert!(table.contains("KMS-managed (1; two Active AccessKeys while KMS rotates them"));
    assert!(table.contains("  wxpay-notify (微信支付回调)  secret acs/ram/user/wxpay-notify"));

    let markdown = format::render(&report, Format::Markdown).unwrap();
    assert!(
        markdown.contains("\n## KMS rotation stuck\n\n- wechat-bot: secret"),
        "{markdown}"
    );
    assert!(markdown.contains("\n## KMS-managed\n"), "{markdown}");
    assert!(markdown.contains("| wxpay-notify | 微信支付回调 | `acs/ram/user/wxpay-notify` |"));

    let csv = format::render(&report, Format::Csv).unwrap();
    let mut reader = ::csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let of = |user: &str| rows.iter().filter(|r| &r[1] == user).collect::<Vec<_>>();
    assert!(of("wechat-bot").iter().all(|r| &r[11] == "rotation_stuck"));
    let managed = of(MANAGED);
    assert_eq!(managed.len(), 2);
    assert!(
        managed
            .iter()
            .all(|r| &r[3] == "none" && &r[11] == "rotating")
    );
}

#[tokio::test]
async fn the_engine_refuses_to_start_a_rotation_of_a_managed_user() {
    let world = World::demo().await;
    let mut engine = world.engine().with_kms(kms(&["cn-hangzhou"]));
    let key_id = "LTAI5tYK0fFWqcajQLE9WVxu".to_owned();
    for start in [
        Start::MoveToNewUser {
            key_id: key_id.clone(),
        },
        Start::DisableIdle {
            key_id: key_id.clone(),
        },
    ] {
        let error = engine
            .perform(MANAGED, Action::Start(start))
            .await
            .unwrap_err();
        let EngineError::KmsManaged {
            user,
            secret,
            region,
        } = &error
        else {
            panic!("{error:?}");
        };
        assert_eq!((user.as_str(), secret.as_str()), (MANAGED, MANAGED_SECRET));
        assert_eq!(region, "cn-hangzhou");
        assert!(error.to_string().contains("RotateSecret"), "{error}");
    }
    assert_eq!(world.write_requests(), 0);
    assert!(engine.plan(MANAGED).is_none(), "nothing recorded");
    drop(engine);

    // Without KMS regions the engine cannot know, and the scan said so.
    let mut blind = world.engine();
    let started = blind
        .perform(MANAGED, Action::Start(Start::MoveToNewUser { key_id }))
        .await;
    assert!(started.is_ok(), "{started:?}");
}
