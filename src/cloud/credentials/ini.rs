//! The INI credentials file of the official libraries,
//! `~/.alibabacloud/credentials` (or `ALIBABA_CLOUD_CREDENTIALS_FILE`): one
//! `[section]` per profile, `type` selecting `access_key`, `ram_role_arn` or
//! `ecs_ram_role`. Values may carry a trailing `# comment`.
//!
//! Only reads the file and builds a [`Recipe`]; fetches nothing. Errors
//! name the file, the line or section and the key, never a value.

use std::collections::BTreeMap;
use std::path::Path;

use super::recipe::{How, Recipe, RoleFields, Search};
use super::{Credentials, CredentialsError, FieldNames};
use crate::secret::Secret;

/// The types ramkey supports, for the refusal of any other.
const SUPPORTED: &str = "access_key, ram_role_arn, ecs_ram_role";

/// One `[section]`: its first line and its keys (lowercase) with values.
#[derive(Default)]
struct Section {
    line: usize,
    entries: BTreeMap<String, Secret>,
}

/// Reads `path` (shown as `shown`) and builds the recipe of section `name`.
pub(crate) fn find(
    path: &Path,
    shown: &str,
    name: &str,
    default_session: &str,
) -> Result<Search, CredentialsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Search::NoFile),
        Err(source) => {
            return Err(CredentialsError::Unreadable {
                path: shown.to_owned(),
                source,
            });
        }
    };
    let sections = parse(&text, shown)?;
    let Some(section) = sections.get(name) else {
        return Ok(Search::NoProfile {
            name: name.to_owned(),
            names: sections.keys().cloned().collect(),
        });
    };
    let origin = format!("profile `{name}` from {shown}");
    recipe(section, origin, default_session).map(Search::Found)
}

/// Sections by name. Keys are case-insensitive, as in the official readers.
fn parse(text: &str, shown: &str) -> Result<BTreeMap<String, Section>, CredentialsError> {
    let syntax = |line: usize, message: String| CredentialsError::Syntax {
        path: shown.to_owned(),
        line,
        message,
    };
    let mut sections: BTreeMap<String, Section> = BTreeMap::new();
    let mut current: Option<String> = None;

    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[') {
            let name = header
                .strip_suffix(']')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .ok_or_else(|| syntax(number, "expected a section header like [default]".into()))?;
            if let Some(first) = sections.get(name) {
                let message = format!("section [{name}] appears twice (also line {})", first.line);
                return Err(syntax(number, message));
            }
            sections.insert(
                name.to_owned(),
                Section {
                    line: number,
                    ..Section::default()
                },
            );
            current = Some(name.to_owned());
            continue;
        }

        let Some((key, value)) = split_entry(line) else {
            return Err(syntax(number, "expected `key = value`".into()));
        };
        let Some(section) = current.as_ref().and_then(|name| sections.get_mut(name)) else {
            let message = format!("`{key}` comes before any [section]");
            return Err(syntax(number, message));
        };
        if section.entries.contains_key(&key) {
            return Err(syntax(
                number,
                format!("`{key}` appears twice in its section"),
            ));
        }
        section.entries.insert(key, Secret::new(value));
    }
    Ok(sections)
}

/// `key = value` or `key: value`; the key lowercased, the value without a
/// trailing ` # comment` and one pair of surrounding quotes.
fn split_entry(line: &str) -> Option<(String, String)> {
    let at = line.find(['=', ':'])?;
    let key = line[..at].trim();
    if key.is_empty() {
        return None;
    }
    let mut value = line[at + 1..].trim();
    if let Some(comment) = value.find(" #").or_else(|| value.find("\t#")) {
        value = value[..comment].trim_end();
    }
    for quote in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(quote) && value.ends_with(quote) {
            value = &value[1..value.len() - 1];
        }
    }
    Some((key.to_ascii_lowercase(), value.to_owned()))
}

fn recipe(
    section: &Section,
    origin: String,
    default_session: &str,
) -> Result<Recipe, CredentialsError> {
    let fields = Fields {
        section,
        origin: &origin,
    };
    if fields
        .text("enable")
        .is_some_and(|on| on.eq_ignore_ascii_case("false"))
    {
        return Err(fields.problem(
            "is switched off (`enable = false`); remove that line or \
             choose another profile",
        ));
    }
    let how = match fields.text("type") {
        Some("access_key") => How::Static(fields.key_pair("access_key")?),
        Some("ram_role_arn") => {
            let source = Recipe {
                origin: origin.clone(),
                how: How::Static(fields.key_pair("ram_role_arn")?),
            };
            fields.assume(source, default_session)?
        }
        Some("ecs_ram_role") => How::Ecs {
            role_name: fields.text("role_name").map(str::to_owned),
        },
        Some(other) => {
            return Err(fields.problem(&format!(
                "type `{other}` is not supported by ramkey; use one of {SUPPORTED}"
            )));
        }
        None => return Err(fields.problem(&format!("`type` is missing; set one of {SUPPORTED}"))),
    };
    Ok(Recipe { origin, how })
}

struct Fields<'a> {
    section: &'a Section,
    origin: &'a str,
}

impl Fields<'_> {
    /// A key's value, when present and not empty.
    fn text(&self, key: &str) -> Option<&str> {
        self.section
            .entries
            .get(key)
            .map(Secret::expose)
            .filter(|value| !value.is_empty())
    }

    fn key_pair(&self, kind: &str) -> Result<Credentials, CredentialsError> {
        let missing = |key: &str| {
            self.problem(&format!(
                "`{key}` is missing or empty; type {kind} needs access_key_id and \
                 access_key_secret"
            ))
        };
        let id = self
            .text("access_key_id")
            .ok_or_else(|| missing("access_key_id"))?;
        let secret = self
            .text("access_key_secret")
            .map(Secret::new)
            .ok_or_else(|| missing("access_key_secret"))?;
        let names = FieldNames::in_file(
            self.origin,
            "access_key_id",
            "access_key_secret",
            "security_token",
        );
        Credentials::named(id, secret, None, self.origin, &names)
    }

    fn assume(&self, source: Recipe, default_session: &str) -> Result<How, CredentialsError> {
        let duration = match self.text("role_session_expiration") {
            Some(raw) => Some(raw.parse::<u64>().map_err(|_| {
                self.problem("`role_session_expiration` must be a number of seconds")
            })?),
            None => None,
        };
        let request = RoleFields {
            origin: self.origin,
            arn_field: "role_arn",
            arn: self.text("role_arn"),
            session_field: "role_session_name",
            session: self.text("role_session_name"),
            duration_field: "role_session_expiration",
            duration,
            policy: self.text("policy"),
            external_id: self.text("external_id"),
            default_session,
        }
        .request()?;
        Ok(How::AssumeRole {
            source: Box::new(source),
            request,
            chained: false,
        })
    }

    fn problem(&self, problem: &str) -> CredentialsError {
        CredentialsError::Profile {
            origin: format!("{} (section at line {})", self.origin, self.section.line),
            problem: problem.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_lose_comments_and_quotes_but_keep_inner_characters() {
        assert_eq!(
            split_entry("Access_Key_Id = foo # my key"),
            Some(("access_key_id".to_owned(), "foo".to_owned()))
        );
        assert_eq!(
            split_entry("policy = {\"Version\":\"1\"}"),
            Some(("policy".to_owned(), "{\"Version\":\"1\"}".to_owned()))
        );
        assert_eq!(
            split_entry("access_key_secret=a#b"),
            Some(("access_key_secret".to_owned(), "a#b".to_owned()))
        );
        assert_eq!(
            split_entry("role_arn: \"acs:ram::1:role/x\""),
            Some(("role_arn".to_owned(), "acs:ram::1:role/x".to_owned()))
        );
        assert_eq!(split_entry("= x"), None);
        assert_eq!(split_entry("no delimiter"), None);
    }

    #[test]
    fn syntax_errors_name_the_line_and_never_a_value() {
        for (text, needle) in [
            (
                "access_key_id = x\n[default]",
                "line 1: `access_key_id` comes before",
            ),
            ("[default]\n[ ]", "line 2: expected a section header"),
            (
                "[a]\n[a]",
                "line 2: section [a] appears twice (also line 1)",
            ),
            ("[a]\nsecretvalue", "line 2: expected `key = value`"),
            ("[a]\nk = 1\nk = 2", "line 3: `k` appears twice"),
        ] {
            let Err(error) = parse(text, "creds.ini") else {
                panic!("{text:?} parsed");
            };
            let message = error.to_string();
            assert!(message.contains(needle), "{message}");
            assert!(!message.contains("secretvalue"), "{message}");
        }
    }
}
