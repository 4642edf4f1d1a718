//! Large generated accounts for measuring a scan at scale
//! (`ramkey sandbox --users N --flagged-ratio R`).
//!
//! Deterministic: the same size and ratio give the same account, byte for
//! byte, so figures taken on two days compare. Dates are relative to sandbox
//! start, so an idle key stays idle whenever it runs. Depends only on
//! [`super::account`]; knows nothing of HTTP.

use chrono::Duration;

use super::account::{Account, AccountDate, Key, NeverUsedKeys, Policy, PolicyAttachment, User};
use super::policy::PolicyDocument;
use crate::cloud::model::{KeyStatus, PolicyType};
use crate::secret::Secret;

/// The generated account's id and alias.
const ACCOUNT_ID: &str = "5900000000000001";
const ACCOUNT_ALIAS: &str = "scale-test";
/// The caller: ramkey's identity, not one of the generated users.
const CALLER: &str = "ramkey-admin";
const CALLER_KEY: &str = "LTAI5tScaleCaller0000001";
/// The Custom policy granting the two credential-report actions.
const REPORT_POLICY: &str = "ramkey-credential-report";

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Generation {
    /// How many users besides the caller.
    pub users: u32,
    /// The share of them holding two Active keys, 0.0 to 1.0.
    pub flagged_ratio: f64,
}

/// Why the arguments cannot make an account.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GenerationError {
    /// The ratio is not a share.
    #[error("--flagged-ratio {0} is not between 0.0 and 1.0")]
    Ratio(f64),
    /// No users asked for.
    #[error("--users must be at least 1")]
    NoUsers,
}

/// The kinds of flagged users, in the mix a real account shows.
#[derive(Debug, Clone, Copy)]
enum Flagged {
    /// One key unused for more than 90 days, one in use: the disable path.
    IdleAndBusy,
    /// Both keys in use: the move path.
    BothBusy,
    /// One key in use, one never used.
    OneNeverUsed,
}

/// The other users.
#[derive(Debug, Clone, Copy)]
enum Plain {
    NoKey,
    OneActive,
    ActiveAndInactive,
}

/// Builds the account; it passes [`Account::validate`].
pub fn generate(generation: Generation) -> Result<Account, GenerationError> {
    let Generation {
        users,
        flagged_ratio,
    } = generation;
    if !(0.0..=1.0).contains(&flagged_ratio) {
        return Err(GenerationError::Ratio(flagged_ratio));
    }
    if users == 0 {
        return Err(GenerationError::NoUsers);
    }
    let flagged = flagged_count(users, flagged_ratio);
    let width = users.to_string().len().max(5);
    let mut all = vec![caller()];
    all.extend((0..users).map(|index| {
        let is_flagged = spread(index, users, flagged);
        generated_user(index, width, is_flagged)
    }));
    Ok(Account {
        account_id: ACCOUNT_ID.to_owned(),
        account_alias: ACCOUNT_ALIAS.to_owned(),
        caller_access_key_id: CALLER_KEY.to_owned(),
        list_users_page_cap: None,
        never_used_keys: NeverUsedKeys::default(),
        policies: policies(),
        groups: Vec::new(),
        roles: Vec::new(),
        users: all,
        kms_secrets: Vec::new(),
        applications: Vec::new(),
        index: super::account::UserIndex::default(),
    })
}

/// How many of `users` are flagged: the ratio, rounded to the nearest user.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the product lies in 0..=users, a u32"
)]
fn flagged_count(users: u32, ratio: f64) -> u32 {
    (f64::from(users) * ratio).round() as u32
}

/// Whether user `index` is one of the `flagged` spread evenly over `users`,
/// so every page of ListUsers holds its share.
fn spread(index: u32, users: u32, flagged: u32) -> bool {
    let (index, users, flagged) = (u64::from(index), u64::from(users), u64::from(flagged));
    (index + 1) * flagged / users > index * flagged / users
}

fn policies() -> Vec<Policy> {
    let document = serde_json::json!({
        "Version": "1",
        "Statement": [{
            "Effect": "Allow",
            "Action": ["ram:GenerateCredentialReport", "ram:GetCredentialReport"],
            "Resource": "*"
        }]
    });
    let document: PolicyDocument =
        serde_json::from_value(document).expect("the built-in report policy is well formed");
    vec![
        Policy {
            policy_name: "AliyunRAMReadOnlyAccess".to_owned(),
            policy_type: PolicyType::System,
            description: "Read-only access to RAM.".to_owned(),
            default_version: "v1".to_owned(),
            policy_document: None,
        },
        Policy {
            policy_name: REPORT_POLICY.to_owned(),
            policy_type: PolicyType::Custom,
            description: "Generate and read the credential report".to_owned(),
            default_version: "v1".to_owned(),
            policy_document: Some(document),
        },
    ]
}

/// ramkey's identity: everything `ramkey scan` and the credential report need.
fn caller() -> User {
    let attach = |name: &str, policy_type| PolicyAttachment {
        policy_name: name.to_owned(),
        policy_type,
        attach_date: days_ago(30),
    };
    User {
        user_name: CALLER.to_owned(),
        user_id: "2900000000000000".to_owned(),
        display_name: "安全管理员".to_owned(),
        comments: "ramkey's identity".to_owned(),
        create_date: days_ago(30),
        access_keys: vec![Key {
            access_key_id: CALLER_KEY.to_owned(),
            access_key_secret: Secret::new("scale-caller-secret-not-real-0001".to_owned()),
            status: KeyStatus::Active,
            create_date: days_ago(30),
            last_used_date: Some(minutes_ago(10)),
        }],
        policies: vec![
            attach("AliyunRAMReadOnlyAccess", PolicyType::System),
            attach(REPORT_POLICY, PolicyType::Custom),
        ],
        groups: Vec::new(),
    }
}

/// The generated user number `index` (0-based; its name counts from 1).
fn generated_user(index: u32, width: usize, flagged: bool) -> User {
    let mut dice = Dice::new(u64::from(index));
    let number = index + 1;
    let created = 400 + dice.below(1100);
    let keys = if flagged {
        let kind = match dice.below(10) {
            0..=3 => Flagged::IdleAndBusy,
            4..=7 => Flagged::BothBusy,
            _ => Flagged::OneNeverUsed,
        };
        flagged_keys(kind, &mut dice)
    } else {
        let kind = match dice.below(20) {
            0..=5 => Plain::NoKey,
            6..=16 => Plain::OneActive,
            _ => Plain::ActiveAndInactive,
        };
        plain_keys(kind, &mut dice)
    };
    let keys = keys
        .into_iter()
        .enumerate()
        .map(|(slot, key)| key.build(number, slot))
        .collect();
    User {
        user_name: format!("user-{number:0width$}"),
        user_id: format!("{}", 2_900_000_000_000_000_u64 + u64::from(number)),
        display_name: format!("测试用户 {number}"),
        comments: String::new(),
        create_date: days_ago(created),
        access_keys: keys,
        policies: Vec::new(),
        groups: Vec::new(),
    }
}

/// A key before it gets its id: status and ages, in days and minutes ago.
struct KeySketch {
    active: bool,
    created_days_ago: u32,
    /// `None`: never used.
    used_minutes_ago: Option<u32>,
}

const MINUTES_PER_DAY: u32 = 24 * 60;

impl KeySketch {
    fn build(self, number: u32, slot: usize) -> Key {
        Key {
            access_key_id: format!("LTAI5tScale{number:011}{slot:02}"),
            access_key_secret: Secret::new(format!("scale-secret-not-real-{number:08}-{slot}")),
            status: if self.active {
                KeyStatus::Active
            } else {
                KeyStatus::Inactive
            },
            create_date: days_ago(self.created_days_ago),
            last_used_date: self.used_minutes_ago.map(minutes_ago),
        }
    }
}

/// Two Active keys, the older first; the idle one unused for 91–400 days.
fn flagged_keys(kind: Flagged, dice: &mut Dice) -> Vec<KeySketch> {
    let older_created = 401 + dice.below(500);
    let newer_created = 1 + dice.below(200);
    let busy = |dice: &mut Dice| Some(1 + dice.below(3 * 60));
    let older_used = match kind {
        Flagged::IdleAndBusy => Some((91 + dice.below(310)) * MINUTES_PER_DAY),
        Flagged::BothBusy | Flagged::OneNeverUsed => busy(dice),
    };
    let newer_used = match kind {
        Flagged::OneNeverUsed => None,
        Flagged::IdleAndBusy | Flagged::BothBusy => busy(dice),
    };
    vec![
        KeySketch {
            active: true,
            created_days_ago: older_created,
            used_minutes_ago: older_used,
        },
        KeySketch {
            active: true,
            created_days_ago: newer_created,
            used_minutes_ago: newer_used,
        },
    ]
}

fn plain_keys(kind: Plain, dice: &mut Dice) -> Vec<KeySketch> {
    let active = KeySketch {
        active: true,
        created_days_ago: 1 + dice.below(390),
        used_minutes_ago: Some(1 + dice.below(MINUTES_PER_DAY)),
    };
    match kind {
        Plain::NoKey => Vec::new(),
        Plain::OneActive => vec![active],
        Plain::ActiveAndInactive => {
            let inactive = KeySketch {
                active: false,
                created_days_ago: 400 + dice.below(400),
                used_minutes_ago: Some((100 + dice.below(200)) * MINUTES_PER_DAY),
            };
            // Oldest first, as the account file keeps them.
            vec![inactive, active]
        }
    }
}

fn days_ago(days: u32) -> AccountDate {
    AccountDate::Ago(Duration::days(i64::from(days)))
}

fn minutes_ago(minutes: u32) -> AccountDate {
    AccountDate::Ago(Duration::minutes(i64::from(minutes)))
}

/// A small deterministic generator (splitmix64) seeded per user, so one
/// user's draws do not depend on how many users come before it.
struct Dice(u64);

impl Dice {
    fn new(seed: u64) -> Self {
        Self(seed ^ 0x5EED_0F5C_A1E0_0001)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound` ≥ 1).
    fn below(&mut self, bound: u32) -> u32 {
        u32::try_from(self.next() % u64::from(bound)).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flagged_share_is_spread_evenly_and_rounded() {
        let flagged: Vec<u32> = (0..10).filter(|&i| spread(i, 10, 3)).collect();
        assert_eq!(flagged.len(), 3);
        assert_eq!(flagged_count(10_000, 0.05), 500);
        assert_eq!(flagged_count(3, 1.0), 3);
        assert_eq!((0..7).filter(|&i| spread(i, 7, 0)).count(), 0);
    }

    #[test]
    fn bad_arguments_are_refused() {
        let ratio = Generation {
            users: 10,
            flagged_ratio: 1.5,
        };
        assert_eq!(generate(ratio), Err(GenerationError::Ratio(1.5)));
        let none = Generation {
            users: 0,
            flagged_ratio: 0.5,
        };
        assert_eq!(generate(none), Err(GenerationError::NoUsers));
    }
}
