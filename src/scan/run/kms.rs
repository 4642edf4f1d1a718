//! Which users' keys KMS manages, read before the key checks: in each
//! region the admin named, ListSecrets (RAM secrets only) then
//! DescribeSecret for each, keeping `ExtendedConfig.UserName`. Reads only.
//!
//! KMS is optional evidence: no region named, or a call refused for want of
//! permission, becomes a note saying KMS-managed users could not be
//! recognised (and why), and the scan goes on. Any other failure fails the
//! scan, as for every other call.

use super::tally::Tally;
use crate::cloud::kms::RamSecret;
use crate::cloud::{Client, CloudError, Region};
use crate::scan::kms::{KmsOptions, ManagedBy, ManagedUsers};

/// The note when no region was named.
pub(crate) const NOT_CHECKED: &str = "KMS was not checked (no region named with --kms-region): \
     users whose keys a KMS RAM secret manages are not recognised, so they may be flagged; \
     never disable or delete such a user's key by hand";

/// What the look found: the managed users and the notes for the admin.
#[derive(Debug, Default)]
pub(super) struct Lookup {
    pub managed: ManagedUsers,
    pub notes: Vec<String>,
}

/// Looks up the RAM secrets of every region in `options`, telling the
/// observer each note at once.
pub(super) async fn look_up(
    client: &Client,
    options: &KmsOptions,
    tally: &Tally<'_>,
) -> Result<Lookup, CloudError> {
    let mut lookup = Lookup::default();
    if options.regions.is_empty() {
        lookup.notes.push(NOT_CHECKED.to_owned());
    }
    let mut found: Vec<(Region, usize)> = Vec::new();
    for region in &options.regions {
        match region_secrets(client, region, &mut lookup.notes).await {
            Ok(secrets) => {
                found.push((region.clone(), secrets.len()));
                record(&mut lookup, &secrets);
            }
            Err(error) if is_refusal(&error) => lookup.notes.push(refused_note(region, &error)),
            Err(error) => return Err(error),
        }
    }
    if !found.is_empty() {
        lookup.notes.push(summary(&found, &lookup.managed));
    }
    for note in &lookup.notes {
        tally.note(note);
    }
    Ok(lookup)
}

/// The secret managing `user`'s keys, read afresh in every region of
/// `options`: `None` when none does, or when KMS refuses to say (the
/// scan's note has told the admin so).
pub async fn manager_of(
    client: &Client,
    options: &KmsOptions,
    user: &str,
) -> Result<Option<ManagedBy>, CloudError> {
    match look_for_manager(client, options, user).await? {
        Manager::Secret(by) => Ok(Some(by)),
        Manager::NoSecret | Manager::Unknown { .. } => Ok(None),
    }
}

/// What one look for the secret managing a user's keys found.
#[derive(Debug)]
pub enum Manager {
    /// This secret manages them.
    Secret(ManagedBy),
    /// Every region answered, and no secret manages them.
    NoSecret,
    /// No secret found, but KMS refused to list (or to describe a secret)
    /// in this region, so one there may manage them.
    Unknown {
        /// The first region that refused.
        region: String,
        /// Its code (`Forbidden`, `NoPermission`, …).
        code: String,
    },
}

/// [`manager_of`], telling a refusal apart from "no secret": a secret found
/// in any region wins, else the first region that refused to say.
pub async fn look_for_manager(
    client: &Client,
    options: &KmsOptions,
    user: &str,
) -> Result<Manager, CloudError> {
    let mut unknown = None;
    for region in &options.regions {
        let mut notes = Vec::new();
        let secrets = match region_secrets(client, region, &mut notes).await {
            Ok(secrets) => secrets,
            Err(error) if is_refusal(&error) => {
                let code = error.code().unwrap_or("refused").to_owned();
                unknown.get_or_insert((region.to_string(), code));
                continue;
            }
            Err(error) => return Err(error),
        };
        let mine = secrets
            .iter()
            .find(|secret| secret.user_name.as_deref() == Some(user));
        if let Some(secret) = mine {
            return Ok(Manager::Secret(ManagedBy::from_secret(secret)));
        }
        if !notes.is_empty() {
            // A secret it could not describe may be this user's.
            unknown.get_or_insert((region.to_string(), "DescribeSecret refused".to_owned()));
        }
    }
    Ok(match unknown {
        Some((region, code)) => Manager::Unknown { region, code },
        None => Manager::NoSecret,
    })
}

/// The region's RAM secrets, described; a secret whose DescribeSecret is
/// refused (a secret policy may deny it) is named in a note and skipped.
async fn region_secrets(
    client: &Client,
    region: &Region,
    notes: &mut Vec<String>,
) -> Result<Vec<RamSecret>, CloudError> {
    let names = client.list_ram_secrets(region).await?;
    let mut secrets = Vec::with_capacity(names.len());
    for name in names {
        match client.describe_secret(region, &name).await {
            Ok(secret) => secrets.push(secret),
            Err(error) if is_refusal(&error) => notes.push(format!(
                "KMS secret {name} in {region} could not be described ({}): the user whose keys \
                 it manages is not recognised",
                error.code().unwrap_or("refused")
            )),
            Err(error) => return Err(error),
        }
    }
    Ok(secrets)
}

fn record(lookup: &mut Lookup, secrets: &[RamSecret]) {
    for secret in secrets {
        let Some(user) = secret.user_name.as_deref() else {
            lookup.notes.push(format!(
                "KMS secret {} in {} names no UserName in its ExtendedConfig; ramkey cannot tell \
                 whose keys it manages",
                secret.name, secret.region
            ));
            continue;
        };
        let managed = ManagedBy::from_secret(secret);
        if managed.invalid {
            lookup.notes.push(format!(
                "KMS secret {} in {} (user {user}) reports AutomaticRotation=Invalid: KMS cannot \
                 rotate it; check the KMS service role AliyunKMSManagedRAMCrendentialsRole",
                secret.name, secret.region
            ));
        }
        if !lookup.managed.insert(user, managed) {
            lookup.notes.push(format!(
                "user {user} is named by more than one KMS secret; ramkey shows the first, and \
                 {} in {} is ignored",
                secret.name, secret.region
            ));
        }
    }
}

/// A refusal for want of permission: `NoPermission`, a `Forbidden…` code
/// (but not KMS's "no such secret"), or HTTP 403.
fn is_refusal(error: &CloudError) -> bool {
    error.api().is_some_and(|api| {
        let forbidden =
            api.code.starts_with("Forbidden") && api.code != "Forbidden.ResourceNotFound";
        api.code == "NoPermission" || forbidden || api.http_status == 403
    })
}

fn refused_note(region: &Region, error: &CloudError) -> String {
    let code = error.code().unwrap_or("refused");
    format!(
        "KMS in {region} refused to list its RAM secrets ({code}): users whose keys KMS manages \
         there could not be recognised, so they may be flagged; grant kms:ListSecrets and \
         kms:DescribeSecret (`ramkey policy`), and never disable such a user's key by hand"
    )
}

/// "KMS checked in cn-hangzhou (1 RAM secret): wxpay-notify's keys are
/// KMS-managed".
fn summary(found: &[(Region, usize)], managed: &ManagedUsers) -> String {
    let regions: Vec<String> = found
        .iter()
        .map(|(region, count)| {
            let plural = if *count == 1 { "" } else { "s" };
            format!("{region} ({count} RAM secret{plural})")
        })
        .collect();
    let users = if managed.is_empty() {
        "no user's keys are KMS-managed".to_owned()
    } else {
        let names: Vec<&str> = managed.users().collect();
        format!("KMS manages the keys of {}", names.join(", "))
    };
    format!("KMS checked in {}: {users}", regions.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::ApiError;

    fn api(code: &str, status: u16) -> CloudError {
        CloudError::Api(Box::new(ApiError::new(code, "text", status)))
    }

    #[test]
    fn refusals_are_told_apart_from_other_failures() {
        assert!(is_refusal(&api("NoPermission", 403)));
        assert!(is_refusal(&api("Forbidden.RAM", 403)));
        assert!(is_refusal(&api("Forbidden.NoPermission", 400)));
        assert!(!is_refusal(&api("Forbidden.ResourceNotFound", 404)));
        assert!(!is_refusal(&api("InternalFailure", 500)));
        assert!(!is_refusal(&api("Throttling.User", 400)));
    }

    #[test]
    fn the_summary_names_regions_and_users() {
        let hangzhou = Region::parse("cn-hangzhou").unwrap();
        let shanghai = Region::parse("cn-shanghai").unwrap();
        let none = summary(&[(hangzhou.clone(), 0)], &ManagedUsers::default());
        assert_eq!(
            none,
            "KMS checked in cn-hangzhou (0 RAM secrets): no user's keys are KMS-managed"
        );
        let mut managed = ManagedUsers::default();
        let by = ManagedBy {
            secret: "s".to_owned(),
            region: "cn-hangzhou".to_owned(),
            automatic_rotation: "Enabled".to_owned(),
            last_rotation: None,
            next_rotation: None,
            invalid: false,
        };
        managed.insert("app", by);
        let some = summary(&[(hangzhou, 1), (shanghai, 0)], &managed);
        assert!(
            some.contains("cn-hangzhou (1 RAM secret), cn-shanghai (0 RAM secrets)"),
            "{some}"
        );
        assert!(some.ends_with("KMS manages the keys of app"), "{some}");
    }
}
