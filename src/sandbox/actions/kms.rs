//! KMS 2016-01-20 ListSecrets and DescribeSecret over the account's
//! `KmsSecrets`: every secret there is a RAM secret (`RAMCredentials`).
//! Neither ever returns a secret's value; the sandbox rotates nothing.
//!
//! Secrets are regional. Production tells regions apart by host
//! (`kms.<region>.aliyuncs.com`); on one loopback endpoint the region is the
//! `RegionId` parameter (which ramkey and the legacy SDKs send), and a call
//! without one is in [`DEFAULT_REGION`] (the current SDKs leave the region
//! to the host, which on loopback says nothing).

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Call, wire_date};
use crate::sandbox::account::{AutomaticRotation, KmsSecret};
use crate::sandbox::api_error::ApiError;

/// The region of a KMS call that names none.
pub const DEFAULT_REGION: &str = "cn-hangzhou";

/// ListSecrets' default `PageSize`, and its largest.
const DEFAULT_PAGE_SIZE: usize = 10;
const MAX_PAGE_SIZE: usize = 100;

/// `SecretType` of every secret the sandbox holds.
const RAM_CREDENTIALS: &str = "RAMCredentials";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Filter {
    key: String,
    #[serde(default)]
    values: Vec<String>,
}

/// The region a call is about.
pub fn region_of<'a>(call: &Call<'a>) -> &'a str {
    call.params.non_empty("RegionId").unwrap_or(DEFAULT_REGION)
}

/// ListSecrets: the region's secrets matching `Filters`, by name, one page.
pub fn list_secrets(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let filters = filters(call.params.non_empty("Filters"))?;
    let page_number = number(
        call.params.non_empty("PageNumber"),
        "PageNumber",
        1,
        usize::MAX,
    )?
    .unwrap_or(1);
    let page_size = number(
        call.params.non_empty("PageSize"),
        "PageSize",
        1,
        MAX_PAGE_SIZE,
    )?
    .unwrap_or(DEFAULT_PAGE_SIZE);

    let region = region_of(call);
    let mut matching: Vec<&KmsSecret> = call
        .account
        .kms_secrets
        .iter()
        .filter(|secret| secret.region == region && filters.iter().all(|f| passes(f, secret)))
        .collect();
    matching.sort_by(|a, b| a.secret_name.cmp(&b.secret_name));

    let from = (page_number - 1).saturating_mul(page_size);
    let listed: Vec<Value> = matching
        .iter()
        .skip(from)
        .take(page_size)
        .map(|secret| listed(call, secret))
        .collect();
    Ok(json!({
        "PageNumber": page_number,
        "PageSize": page_size,
        "TotalCount": matching.len(),
        "SecretList": { "Secret": listed },
    }))
}

/// DescribeSecret: the secret's metadata and rotation, never its value.
pub fn describe_secret(call: &mut Call<'_>) -> Result<Value, ApiError> {
    let name = call.required("SecretName")?;
    let region = region_of(call);
    let secret = call
        .account
        .kms_secrets
        .iter()
        .find(|secret| secret.region == region && secret.secret_name == name)
        .ok_or_else(|| secret_not_found(name))?;

    let created = created(call, secret);
    let extended = json!({
        "SecretSubType": "RamUserAccessKey",
        "UserName": secret.user_name,
        "CustomData": {},
    });
    let mut body = json!({
        "SecretName": secret.secret_name,
        "SecretType": RAM_CREDENTIALS,
        "Arn": format!(
            "acs:kms:{region}:{}:secret/{}",
            call.account.account_id, secret.secret_name
        ),
        "CreateTime": wire_date(created),
        "UpdateTime": wire_date(last_change(call, secret)),
        "Description": "",
        "EncryptionKeyId": "",
        "PlannedDeleteTime": "",
        "AutomaticRotation": secret.automatic_rotation.as_str(),
        "ExtendedConfig": extended.to_string(),
    });
    if let Some(last) = secret.last_rotation_date {
        body["LastRotationDate"] = wire_date(last.resolve(call.now)).into();
    }
    if let (AutomaticRotation::Enabled, Some(seconds)) =
        (secret.automatic_rotation, secret.interval_seconds())
    {
        body["RotationInterval"] = format!("{seconds}s").into();
        let next = last_change(call, secret) + chrono::Duration::seconds(seconds);
        body["NextRotationDate"] = wire_date(next).into();
    }
    Ok(body)
}

fn listed(call: &Call<'_>, secret: &KmsSecret) -> Value {
    json!({
        "SecretName": secret.secret_name,
        "SecretType": RAM_CREDENTIALS,
        "CreateTime": wire_date(created(call, secret)),
        "UpdateTime": wire_date(last_change(call, secret)),
        "PlannedDeleteTime": "",
    })
}

/// `CreateTime`: as written, else the user's creation.
fn created(call: &Call<'_>, secret: &KmsSecret) -> chrono::DateTime<chrono::Utc> {
    let user_created = call
        .account
        .user(&secret.user_name)
        .map(|user| user.create_date);
    secret
        .create_date
        .or(user_created)
        .map_or(call.now, |date| date.resolve(call.now))
}

/// The last rotation, else the creation.
fn last_change(call: &Call<'_>, secret: &KmsSecret) -> chrono::DateTime<chrono::Utc> {
    secret
        .last_rotation_date
        .map_or_else(|| created(call, secret), |date| date.resolve(call.now))
}

/// `Filters`: a JSON list of `{"Key", "Values"}`; the sandbox knows the
/// keys `SecretType` and `SecretName`.
fn filters(given: Option<&str>) -> Result<Vec<Filter>, ApiError> {
    let Some(text) = given else {
        return Ok(Vec::new());
    };
    let filters: Vec<Filter> = serde_json::from_str(text).map_err(|_| {
        ApiError::invalid_parameter(
            "Filters",
            r#"The parameter Filters must be a JSON list such as [{"Key":"SecretType","Values":["RAMCredentials"]}]."#,
        )
    })?;
    if let Some(unknown) = filters
        .iter()
        .find(|f| f.key != "SecretType" && f.key != "SecretName")
    {
        return Err(ApiError::invalid_parameter(
            "Filters",
            format!(
                "The sandbox filters secrets by SecretType and SecretName only, not {:?}.",
                unknown.key
            ),
        ));
    }
    Ok(filters)
}

/// Values of one key are alternatives (OR); an empty list matches all.
fn passes(filter: &Filter, secret: &KmsSecret) -> bool {
    let value = match filter.key.as_str() {
        "SecretType" => RAM_CREDENTIALS,
        _ => secret.secret_name.as_str(),
    };
    filter.values.is_empty() || filter.values.iter().any(|wanted| wanted == value)
}

fn number(
    given: Option<&str>,
    field: &str,
    min: usize,
    max: usize,
) -> Result<Option<usize>, ApiError> {
    let Some(text) = given else {
        return Ok(None);
    };
    text.parse::<usize>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .map(Some)
        .ok_or_else(|| {
            let range = if max == usize::MAX {
                format!("an integer of at least {min}")
            } else {
                format!("an integer from {min} to {max}")
            };
            ApiError::invalid_parameter(field, format!("The parameter {field} must be {range}."))
        })
}

/// KMS's answer for a secret it does not hold (in this region).
fn secret_not_found(name: &str) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::NOT_FOUND,
        "Forbidden.ResourceNotFound",
        format!("The specified secret {name:?} is not found in this region."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(name: &str) -> KmsSecret {
        KmsSecret {
            secret_name: name.to_owned(),
            region: "cn-hangzhou".to_owned(),
            user_name: "app".to_owned(),
            automatic_rotation: AutomaticRotation::Enabled,
            last_rotation_date: None,
            rotation_interval: Some("604800s".to_owned()),
            create_date: None,
        }
    }

    #[test]
    fn filters_match_by_type_and_name_and_refuse_other_keys() {
        let parsed = filters(Some(
            r#"[{"Key":"SecretType","Values":["RAMCredentials"]}]"#,
        ))
        .unwrap();
        assert!(passes(&parsed[0], &secret("a")));
        let generic = filters(Some(r#"[{"Key":"SecretType","Values":["Generic"]}]"#)).unwrap();
        assert!(!passes(&generic[0], &secret("a")));
        let named = filters(Some(r#"[{"Key":"SecretName","Values":["b","a"]}]"#)).unwrap();
        assert!(passes(&named[0], &secret("a")));
        assert!(!passes(&named[0], &secret("c")));
        for bad in ["not json", r#"[{"Key":"TagKey","Values":["x"]}]"#] {
            assert_eq!(
                filters(Some(bad)).unwrap_err().code,
                "InvalidParameter.Filters",
                "{bad}"
            );
        }
    }

    #[test]
    fn page_numbers_and_sizes_are_bounded() {
        assert_eq!(number(None, "PageSize", 1, 100).unwrap(), None);
        assert_eq!(number(Some("100"), "PageSize", 1, 100).unwrap(), Some(100));
        for bad in ["0", "101", "x"] {
            let error = number(Some(bad), "PageSize", 1, 100).unwrap_err();
            assert_eq!(error.code, "InvalidParameter.PageSize", "{bad}");
        }
    }
}
