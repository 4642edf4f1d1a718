//! A new AccessKey written to a file the admin names, in one of two forms:
//! an env file (`ALIBABA_CLOUD_ACCESS_KEY_ID=…`, the names every official
//! SDK reads) or an aliyun CLI profile (a `~/.aliyun/config.json`-shaped
//! document holding one `AK` profile).
//!
//! The file is created, never replaced: `O_CREAT | O_EXCL` (which also
//! refuses a symlink standing at the name), mode 0600 from the first byte.
//! An existing file, the admin's real `~/.aliyun/config.json` included, is
//! left as it is and the admin is told what to do instead. The contents are
//! built in one buffer reserved up front and wiped on drop, so no unwiped
//! copy of the secret is left behind by a growing string.
//!
//! Depends on [`super::Secret`], std and zeroize only; knows nothing of
//! the terminal.

use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Write as _};
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::Secret;

/// The variable names the official SDKs and ramkey read.
const ENV_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// See [`ENV_ID`].
const ENV_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";

/// The profile's region: the CLI requires one, ramkey cannot know the
/// application's, and RAM is global, so the admin may change it freely.
pub const PROFILE_REGION: &str = "cn-hangzhou";

/// Which document to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `NAME=value` lines, for `--env-file`, systemd's `EnvironmentFile=`
    /// or `set -a; . FILE`.
    EnvFile,
    /// A whole aliyun CLI config with one AK profile named after the user.
    AliyunProfile,
}

impl Form {
    /// The form's name in the dialog.
    pub fn label(self) -> &'static str {
        match self {
            Form::EnvFile => "env file",
            Form::AliyunProfile => "aliyun CLI profile",
        }
    }

    /// A file name to start from, in the home directory: the directory
    /// ramkey was started in may be a git working tree, where a secret
    /// could be committed by mistake.
    pub fn suggested_name(self, user: &str) -> String {
        match self {
            Form::EnvFile => format!("~/{user}.env"),
            Form::AliyunProfile => format!("~/{user}-aliyun-config.json"),
        }
    }
}

/// What goes into the file.
#[derive(Debug, Clone, Copy)]
pub struct KeyToSave<'a> {
    /// The RAM user the key belongs to; names the profile.
    pub user: &'a str,
    /// `AccessKeyId`.
    pub access_key_id: &'a str,
    /// `AccessKeySecret`.
    pub secret: &'a Secret,
}

/// Why the key was not saved; every message says what to do instead.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// Nothing was typed.
    #[error("no file name was given: type the path of a new file")]
    NoName,
    /// The name is taken (a file, a symlink, anything).
    #[error(
        "{path} already exists and ramkey never overwrites a file: name a new one \
         (merge a profile into your own config by hand)"
    )]
    Exists {
        /// The path as resolved.
        path: String,
    },
    /// The name is a directory.
    #[error("{path} is a directory: name a new file inside it, e.g. {path}/{suggested}")]
    Directory {
        /// The path as resolved.
        path: String,
        /// A file name to use there.
        suggested: String,
    },
    /// The directory it would go in does not exist.
    #[error("the directory {dir} does not exist: create it first, or name a file elsewhere")]
    NoDirectory {
        /// The parent directory.
        dir: String,
    },
    /// A value would not survive the env file's syntax unquoted.
    #[error(
        "the {what} holds characters an env file cannot carry unquoted: save it as an aliyun \
         CLI profile instead, or copy it"
    )]
    NotEnvSafe {
        /// Which value.
        what: &'static str,
    },
    /// The file could not be created (permissions, read-only disk, ...).
    #[error("cannot create {path}: {source}; name a file in a directory you can write to")]
    Create {
        /// The path as resolved.
        path: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Writing failed half-way; the partial file was removed.
    #[error("cannot write {path}: {source}; the partial file was removed, try another place")]
    Write {
        /// The path as resolved.
        path: String,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// Where `typed` points: `~` and `~/…` under `home`, a relative path under
/// `cwd`, surrounding blanks dropped. Shown back to the admin whole.
pub fn resolve(typed: &str, home: Option<&Path>, cwd: &Path) -> Result<PathBuf, SaveError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(SaveError::NoName);
    }

    let expanded = match (typed.strip_prefix('~'), home) {
        (Some(""), Some(home)) => home.to_path_buf(),
        (Some(rest), Some(home)) if rest.starts_with('/') => {
            home.join(rest.trim_start_matches('/'))
        }
        _ => PathBuf::from(typed),
    };
    Ok(cwd.join(expanded))
}

/// The document of `form` for `key`, in a buffer wiped on drop.
pub fn contents(form: Form, key: &KeyToSave<'_>) -> Result<Zeroizing<String>, SaveError> {
    match form {
        Form::EnvFile => env_file(key),
        Form::AliyunProfile => Ok(aliyun_profile(key)),
    }
}

/// `path` as the admin is told it: under `home` as `~/…`, else whole.
pub fn shown(path: &Path, home: Option<&Path>) -> String {
    match home.and_then(|home| path.strip_prefix(home).ok()) {
        Some(rest) if rest.as_os_str().is_empty() => "~".to_owned(),
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

/// Writes `key` as `form` to `path`, a file that must not exist yet;
/// errors name it as `home` makes it read (see [`shown`]).
pub fn save(
    path: &Path,
    home: Option<&Path>,
    form: Form,
    key: &KeyToSave<'_>,
) -> Result<(), SaveError> {
    let shown = shown(path, home);
    let contents = contents(form, key)?;
    if path.is_dir() {
        return Err(SaveError::Directory {
            path: shown.trim_end_matches('/').to_owned(),
            suggested: form.suggested_name(key.user),
        });
    }

    let mut file =
        create_new(path).map_err(|source| create_error(path, &shown, form, key, source))?;
    let written = write_all(&mut file, contents.as_bytes());
    drop(file);
    written.map_err(|source| {
        // A half-written key file is worse than none: it looks stored.
        let _ = fs::remove_file(path);
        SaveError::Write {
            path: shown,
            source,
        }
    })
}

/// `O_CREAT | O_EXCL`, 0600 from creation on.
fn create_new(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    // The umask may only have removed bits; make it exactly 0600.
    file.set_permissions(Permissions::from_mode(0o600))?;
    Ok(file)
}

fn write_all(file: &mut File, bytes: &[u8]) -> io::Result<()> {
    file.write_all(bytes)?;
    file.sync_all()
}

fn create_error(
    path: &Path,
    shown: &str,
    form: Form,
    key: &KeyToSave<'_>,
    source: io::Error,
) -> SaveError {
    let shown = shown.to_owned();
    match source.kind() {
        io::ErrorKind::AlreadyExists if path.is_dir() => SaveError::Directory {
            path: shown,
            suggested: form.suggested_name(key.user),
        },
        io::ErrorKind::AlreadyExists => SaveError::Exists { path: shown },
        io::ErrorKind::IsADirectory => SaveError::Directory {
            path: shown.trim_end_matches('/').to_owned(),
            suggested: form.suggested_name(key.user),
        },
        io::ErrorKind::NotFound => SaveError::NoDirectory {
            dir: Path::new(&shown)
                .parent()
                .map_or_else(|| shown.clone(), |dir| dir.display().to_string()),
        },
        _ => SaveError::Create {
            path: shown,
            source,
        },
    }
}

/// Characters every env file reader takes literally, unquoted: AccessKey
/// ids and secrets are letters and digits, so this never refuses a real one.
fn env_safe(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '.' | '_' | '-'))
}

fn env_file(key: &KeyToSave<'_>) -> Result<Zeroizing<String>, SaveError> {
    if !env_safe(key.access_key_id) {
        return Err(SaveError::NotEnvSafe {
            what: "AccessKeyId",
        });
    }
    if !env_safe(key.secret.expose()) {
        return Err(SaveError::NotEnvSafe {
            what: "AccessKeySecret",
        });
    }

    let user: String = key.user.chars().filter(|c| !c.is_control()).collect();
    let needed = 128 + user.len() + key.access_key_id.len() + key.secret.expose().len();
    let mut text = Zeroizing::new(String::with_capacity(needed));
    // Writing to a String cannot fail, and the capacity covers it all, so
    // the buffer never moves and leaves no copy behind.
    let _ = writeln!(text, "# AccessKey of RAM user {user}, written by ramkey.");
    let _ = writeln!(text, "{ENV_ID}={}", key.access_key_id);
    let _ = writeln!(text, "{ENV_SECRET}={}", key.secret.expose());
    Ok(text)
}

fn aliyun_profile(key: &KeyToSave<'_>) -> Zeroizing<String> {
    let escaped_len = |value: &str| value.len() * 6;
    let needed = 512
        + 2 * escaped_len(key.user)
        + escaped_len(key.access_key_id)
        + escaped_len(key.secret.expose());
    let mut text = Zeroizing::new(String::with_capacity(needed));

    text.push_str("{\n  \"current\": ");
    push_json_string(&mut text, key.user);
    text.push_str(",\n  \"profiles\": [\n    {\n      \"name\": ");
    push_json_string(&mut text, key.user);
    text.push_str(",\n      \"mode\": \"AK\",\n      \"access_key_id\": ");
    push_json_string(&mut text, key.access_key_id);
    text.push_str(",\n      \"access_key_secret\": ");
    push_json_string(&mut text, key.secret.expose());
    text.push_str(",\n      \"region_id\": ");
    push_json_string(&mut text, PROFILE_REGION);
    text.push_str(
        ",\n      \"output_format\": \"json\",\n      \"language\": \"en\"\n    }\n  ],\n  \
         \"meta_path\": \"\"\n}\n",
    );
    text
}

/// `value` as a JSON string, escaped in place (no temporary copy).
fn push_json_string(text: &mut String, value: &str) {
    text.push('"');
    for c in value.chars() {
        match c {
            '"' => text.push_str("\\\""),
            '\\' => text.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(text, "\\u{:04x}", u32::from(c));
            }
            c => text.push(c),
        }
    }
    text.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "fAkEsEcReTfAkEsEcReTfAkEsEcReT";

    fn secret() -> Secret {
        Secret::new(SECRET)
    }

    fn key(secret: &Secret) -> KeyToSave<'_> {
        KeyToSave {
            user: "app-v2",
            access_key_id: "LTAI5tFakeKey000000000001",
            secret,
        }
    }

    #[test]
    fn a_path_under_home_is_told_with_a_tilde() {
        let home = Path::new("/home/admin");
        assert_eq!(shown(Path::new("/home/admin/a.env"), Some(home)), "~/a.env");
        assert_eq!(shown(home, Some(home)), "~");
        assert_eq!(shown(Path::new("/srv/a.env"), Some(home)), "/srv/a.env");
        assert_eq!(shown(Path::new("/srv/a.env"), None), "/srv/a.env");
    }

    #[test]
    fn a_typed_path_is_resolved_under_home_or_the_current_directory() {
        let home = Path::new("/home/admin");
        let cwd = Path::new("/srv/work");
        let resolve = |typed| resolve(typed, Some(home), cwd).unwrap();
        assert_eq!(resolve("~/keys/a.env"), Path::new("/home/admin/keys/a.env"));
        assert_eq!(resolve("~"), Path::new("/home/admin"));
        assert_eq!(resolve(" a.env "), Path::new("/srv/work/a.env"));
        assert_eq!(resolve("/tmp/a.env"), Path::new("/tmp/a.env"));
        assert_eq!(resolve("~bob/a"), Path::new("/srv/work/~bob/a"));
        assert!(matches!(
            super::resolve("  ", Some(home), cwd),
            Err(SaveError::NoName)
        ));
    }

    #[test]
    fn the_env_file_holds_the_two_variables_the_sdks_read() {
        let secret = secret();
        let text = contents(Form::EnvFile, &key(&secret)).unwrap();
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            lines,
            [
                "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI5tFakeKey000000000001",
                &format!("ALIBABA_CLOUD_ACCESS_KEY_SECRET={SECRET}"),
            ]
        );
    }

    #[test]
    fn a_value_an_env_file_would_mangle_is_refused() {
        let odd = Secret::new("with space");
        assert!(matches!(
            contents(Form::EnvFile, &key(&odd)),
            Err(SaveError::NotEnvSafe {
                what: "AccessKeySecret"
            })
        ));
        // The profile form escapes whatever it is given.
        assert!(contents(Form::AliyunProfile, &key(&odd)).is_ok());
    }

    #[test]
    fn the_profile_parses_back_as_one_ak_profile() {
        let secret = Secret::new("quote\"and\\back\nslash");
        let text = contents(Form::AliyunProfile, &key(&secret)).unwrap();
        let document: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(document["current"], "app-v2");
        let profiles = document["profiles"].as_array().unwrap();
        assert_eq!(profiles.len(), 1);
        assert_eq!(profiles[0]["name"], "app-v2");
        assert_eq!(profiles[0]["mode"], "AK");
        assert_eq!(profiles[0]["access_key_id"], "LTAI5tFakeKey000000000001");
        assert_eq!(profiles[0]["access_key_secret"], secret.expose());
        assert_eq!(profiles[0]["region_id"], PROFILE_REGION);
    }

    #[test]
    fn the_contents_fit_the_buffer_reserved_for_them() {
        // A buffer that grew would have left an unwiped copy where it was.
        let secret = secret();
        for form in [Form::EnvFile, Form::AliyunProfile] {
            let text = contents(form, &key(&secret)).unwrap();
            let reserved = match form {
                Form::EnvFile => 128 + 6 + 25 + SECRET.len(),
                Form::AliyunProfile => 512 + 2 * 6 * 6 + 6 * 25 + 6 * SECRET.len(),
            };
            assert_eq!(text.capacity(), reserved, "{form:?}");
        }
    }

    #[test]
    fn a_new_file_is_created_0600_with_the_contents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.env");
        let secret = secret();
        save(&path, None, Form::EnvFile, &key(&secret)).unwrap();

        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            *contents(Form::EnvFile, &key(&secret)).unwrap(),
            "as built"
        );
    }

    #[test]
    fn an_existing_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        fs::write(&path, "the admin's own config").unwrap();
        let secret = secret();

        let refused = save(&path, None, Form::AliyunProfile, &key(&secret)).unwrap_err();
        assert!(matches!(refused, SaveError::Exists { .. }), "{refused:?}");
        assert!(refused.to_string().contains("never overwrites"));
        assert_eq!(fs::read_to_string(&path).unwrap(), "the admin's own config");
    }

    #[test]
    fn a_symlink_at_the_name_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        fs::write(&target, "kept").unwrap();
        let link = dir.path().join("link.env");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let dangling = dir.path().join("dangling.env");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        let secret = secret();

        for path in [&link, &dangling] {
            let refused = save(path, None, Form::EnvFile, &key(&secret)).unwrap_err();
            assert!(matches!(refused, SaveError::Exists { .. }), "{refused:?}");
        }
        assert_eq!(fs::read_to_string(&target).unwrap(), "kept");
        assert!(!dir.path().join("nowhere").exists());
    }

    #[test]
    fn a_directory_is_refused_with_a_file_name_to_use_inside_it() {
        let dir = tempfile::tempdir().unwrap();
        let secret = secret();
        let refused = save(dir.path(), None, Form::EnvFile, &key(&secret)).unwrap_err();
        assert!(
            matches!(refused, SaveError::Directory { .. }),
            "{refused:?}"
        );
        assert!(refused.to_string().contains("app-v2.env"), "{refused}");
    }

    #[test]
    fn a_missing_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("app.env");
        let secret = secret();
        let refused = save(&path, None, Form::EnvFile, &key(&secret)).unwrap_err();
        assert!(
            matches!(refused, SaveError::NoDirectory { .. }),
            "{refused:?}"
        );
        assert!(refused.to_string().contains("missing"), "{refused}");
    }

    #[test]
    fn errors_never_quote_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let secret = secret();
        let errors = [
            save(dir.path(), None, Form::EnvFile, &key(&secret)).unwrap_err(),
            save(&dir.path().join("x/y"), None, Form::EnvFile, &key(&secret)).unwrap_err(),
        ];
        for error in errors {
            assert!(!error.to_string().contains(SECRET));
            assert!(!format!("{error:?}").contains(SECRET));
        }
    }
}
