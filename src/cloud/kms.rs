//! The typed KMS 2016-01-20 calls ramkey makes, to learn which RAM users'
//! keys a KMS "RAM secret" manages: ListSecrets (RAMCredentials secrets,
//! page by page) and DescribeSecret (the user, the rotation's state). Both
//! only read, and neither ever sees a key's secret (ramkey never calls
//! GetSecretValue).
//!
//! Secrets are regional: every call names its [`Region`]. Knows nothing of
//! the UI, the scan, the rotation engine or the state file.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::client::{Call, Client};
use super::endpoints::{self, Region, Service};
use super::error::{CloudError, UnexpectedBody};
use super::lenient::{lenient_date, text_or_empty};
use super::response::Reply;

const LIST: &str = "ListSecrets";
const DESCRIBE: &str = "DescribeSecret";

/// `SecretType` of a secret holding a RAM user's AccessKey.
pub const RAM_CREDENTIALS: &str = "RAMCredentials";

/// The largest `PageSize` ListSecrets accepts.
pub const MAX_PAGE_SIZE: u32 = 100;

/// ListSecrets' filter for RAM secrets only.
const RAM_SECRETS_FILTER: &str = r#"[{"Key":"SecretType","Values":["RAMCredentials"]}]"#;

/// More pages than this, at 100 secrets a page, is no real region: stop
/// rather than page forever.
const MAX_PAGES: u32 = 1000;

/// One page of ListSecrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretPage {
    /// The names of the RAM secrets on the page.
    pub names: Vec<String>,
    /// `TotalCount`: how many secrets match, on every page.
    pub total_count: u64,
}

/// `AutomaticRotation` of a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutomaticRotation {
    /// KMS rotates the key on its schedule.
    Enabled,
    /// Only a RotateSecret call rotates it.
    Disabled,
    /// KMS cannot rotate it (its service role, or the user, is broken).
    Invalid,
    /// Absent, or a value ramkey does not know (kept as sent).
    Other(String),
}

impl AutomaticRotation {
    fn from_wire(text: &str) -> Self {
        match text {
            "Enabled" => Self::Enabled,
            "Disabled" => Self::Disabled,
            "Invalid" => Self::Invalid,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The value as KMS writes it (`unknown` when absent).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Enabled => "Enabled",
            Self::Disabled => "Disabled",
            Self::Invalid => "Invalid",
            Self::Other(text) if text.is_empty() => "unknown",
            Self::Other(text) => text,
        }
    }
}

/// What DescribeSecret says of a RAM secret; never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RamSecret {
    /// `SecretName`, e.g. `acs/ram/user/app`.
    pub name: String,
    /// The region the secret lives in.
    pub region: Region,
    /// `SecretType` (`RAMCredentials` for the secrets ramkey asks about).
    pub secret_type: String,
    /// `ExtendedConfig.UserName`: the RAM user whose keys it manages;
    /// `None` when the secret does not say.
    pub user_name: Option<String>,
    /// `AutomaticRotation`.
    pub automatic_rotation: AutomaticRotation,
    /// `RotationInterval`, e.g. `604800s`, when rotation is automatic.
    pub rotation_interval: Option<String>,
    /// `LastRotationDate`, when it was ever rotated.
    pub last_rotation: Option<DateTime<Utc>>,
    /// `NextRotationDate`, when rotation is automatic.
    pub next_rotation: Option<DateTime<Utc>>,
    /// `CreateTime`.
    pub created: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListSecrets {
    #[serde(default, deserialize_with = "count")]
    total_count: Option<u64>,
    #[serde(default)]
    secret_list: Option<SecretList>,
}

#[derive(Debug, Deserialize)]
struct SecretList {
    #[serde(rename = "Secret", default)]
    secret: Vec<ListedSecret>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListedSecret {
    secret_name: String,
    #[serde(default, deserialize_with = "text_or_empty")]
    secret_type: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeSecret {
    secret_name: String,
    #[serde(default, deserialize_with = "text_or_empty")]
    secret_type: String,
    #[serde(default)]
    extended_config: Option<Value>,
    #[serde(default, deserialize_with = "text_or_empty")]
    automatic_rotation: String,
    #[serde(default, deserialize_with = "text_or_empty")]
    rotation_interval: String,
    #[serde(default, deserialize_with = "lenient_date")]
    last_rotation_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient_date")]
    next_rotation_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient_date")]
    create_time: Option<DateTime<Utc>>,
}

impl Client {
    /// ListSecrets: page `page_number` (from 1) of the region's RAM
    /// secrets, `page_size` (1 to 100) at a time. A secret of another type
    /// on the page (a server that ignored the filter) is left out.
    pub async fn list_ram_secrets_page(
        &self,
        region: &Region,
        page_number: u32,
        page_size: u32,
    ) -> Result<SecretPage, CloudError> {
        let call = Call::kms(LIST, region)
            .param("Filters", RAM_SECRETS_FILTER)
            .param("PageNumber", page_number.to_string())
            .param("PageSize", page_size.clamp(1, MAX_PAGE_SIZE).to_string());
        let reply: Reply<ListSecrets> = self.call(call).await?;
        let listed = reply.value.secret_list.map(|list| list.secret);
        let names = listed
            .unwrap_or_default()
            .into_iter()
            .filter(|secret| secret.secret_type.is_empty() || secret.secret_type == RAM_CREDENTIALS)
            .map(|secret| secret.secret_name)
            .collect();
        Ok(SecretPage {
            names,
            total_count: reply.value.total_count.unwrap_or(0),
        })
    }

    /// Every RAM secret's name in `region`, sorted, page by page (100 a
    /// page) until `TotalCount` is reached or a page comes back empty.
    pub async fn list_ram_secrets(&self, region: &Region) -> Result<Vec<String>, CloudError> {
        let mut names: Vec<String> = Vec::new();
        for page_number in 1..=MAX_PAGES {
            let page = self
                .list_ram_secrets_page(region, page_number, MAX_PAGE_SIZE)
                .await?;
            let seen = u64::from(page_number) * u64::from(MAX_PAGE_SIZE);
            let empty = page.names.is_empty();
            // Without a TotalCount, pages are read until one comes back empty.
            let all_seen = page.total_count > 0 && seen >= page.total_count;
            names.extend(page.names);
            if empty || all_seen {
                names.sort();
                names.dedup();
                return Ok(names);
            }
        }
        Err(unexpected(
            self,
            region,
            LIST,
            None,
            format!(
                "ListSecrets still had more secrets after {MAX_PAGES} pages of {MAX_PAGE_SIZE}, \
                 so ramkey stopped rather than page forever"
            ),
        ))
    }

    /// DescribeSecret: the secret's user and rotation, without its value.
    pub async fn describe_secret(
        &self,
        region: &Region,
        secret_name: &str,
    ) -> Result<RamSecret, CloudError> {
        let call = Call::kms(DESCRIBE, region).param("SecretName", secret_name);
        let reply: Reply<DescribeSecret> = self.call(call).await?;
        let secret = reply.value;
        let user_name = secret
            .extended_config
            .as_ref()
            .map(user_name_of)
            .transpose()
            .map_err(|problem| {
                unexpected(self, region, DESCRIBE, Some(&reply.request_id), problem)
            })?
            .flatten();
        Ok(RamSecret {
            name: secret.secret_name,
            region: region.clone(),
            secret_type: secret.secret_type,
            user_name,
            automatic_rotation: AutomaticRotation::from_wire(&secret.automatic_rotation),
            rotation_interval: Some(secret.rotation_interval).filter(|text| !text.is_empty()),
            last_rotation: secret.last_rotation_date,
            next_rotation: secret.next_rotation_date,
            created: secret.create_time,
        })
    }
}

/// `ExtendedConfig` is JSON text (`{"SecretSubType":"RamUserAccessKey",
/// "UserName":"app",...}`); an object is read too. `Ok(None)`: no user named.
fn user_name_of(config: &Value) -> Result<Option<String>, String> {
    let parsed;
    let object = match config {
        Value::Null => return Ok(None),
        Value::String(text) if text.trim().is_empty() => return Ok(None),
        Value::String(text) => {
            parsed = serde_json::from_str::<Value>(text)
                .map_err(|error| format!("ExtendedConfig is not JSON ({error})"))?;
            &parsed
        }
        other => other,
    };
    match object.get("UserName") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(name)) if name.is_empty() => Ok(None),
        Some(Value::String(name)) => Ok(Some(name.clone())),
        Some(other) => Err(format!("ExtendedConfig.UserName {other} is not a text")),
    }
}

/// `TotalCount` as a number or its text.
fn count<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Ok(match Option::<Value>::deserialize(deserializer)? {
        Some(Value::Number(number)) => number.as_u64(),
        Some(Value::String(text)) => text.trim().parse().ok(),
        _ => None,
    })
}

fn unexpected(
    client: &Client,
    region: &Region,
    action: &str,
    request_id: Option<&str>,
    problem: String,
) -> CloudError {
    let url = client.endpoints().url_in(Service::Kms, region);
    UnexpectedBody {
        action: action.to_owned(),
        endpoint: endpoints::label(&url).to_owned(),
        http_status: 200,
        request_id: request_id.map(str::to_owned),
        problem,
        body_start: String::new(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_name_is_read_from_extended_config_text_or_object() {
        let text = Value::String(
            r#"{"SecretSubType":"RamUserAccessKey","UserName":"app","CustomData":{}}"#.to_owned(),
        );
        assert_eq!(user_name_of(&text).unwrap().as_deref(), Some("app"));
        let object = serde_json::json!({"UserName": "svc"});
        assert_eq!(user_name_of(&object).unwrap().as_deref(), Some("svc"));
        assert_eq!(user_name_of(&Value::Null).unwrap(), None);
        assert_eq!(user_name_of(&Value::String(String::new())).unwrap(), None);
        assert_eq!(
            user_name_of(&serde_json::json!({"UserName": ""})).unwrap(),
            None
        );
        let problem = user_name_of(&Value::String("{not json".to_owned())).unwrap_err();
        assert!(problem.contains("not JSON"), "{problem}");
        let problem = user_name_of(&serde_json::json!({"UserName": 7})).unwrap_err();
        assert!(problem.contains("not a text"), "{problem}");
    }

    #[test]
    fn a_list_page_reads_counts_as_numbers_or_text_and_may_be_empty() {
        let page: ListSecrets = serde_json::from_str(
            r#"{"TotalCount":"3","SecretList":{"Secret":[{"SecretName":"a","SecretType":"RAMCredentials"}]}}"#,
        )
        .unwrap();
        assert_eq!(page.total_count, Some(3));
        assert_eq!(page.secret_list.unwrap().secret[0].secret_name, "a");
        let empty: ListSecrets = serde_json::from_str(r#"{"TotalCount":0}"#).unwrap();
        assert_eq!(empty.total_count, Some(0));
        assert!(empty.secret_list.is_none());
    }

    #[test]
    fn automatic_rotation_keeps_values_it_does_not_know() {
        assert_eq!(
            AutomaticRotation::from_wire("Invalid"),
            AutomaticRotation::Invalid
        );
        assert_eq!(AutomaticRotation::from_wire("Paused").as_str(), "Paused");
        assert_eq!(AutomaticRotation::from_wire("").as_str(), "unknown");
    }
}
