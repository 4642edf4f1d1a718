//! [`Lookup`]: what the chain may look at — environment variables, the home
//! directory holding the config files, and the ECS metadata service's URL.
//!
//! The process's own lookup is [`Lookup::process`]; tests build one from a
//! map and a temporary home, and reach the metadata service only at a URL
//! they give (a loopback test server), never the real address.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use reqwest::Url;

use super::ecs::ECS_METADATA_URL;

type Vars = dyn Fn(&str) -> Option<String> + Send + Sync;

/// Where the credentials chain looks.
#[derive(Clone)]
pub struct Lookup {
    vars: Arc<Vars>,
    home: Option<PathBuf>,
    metadata_url: Option<Url>,
}

impl Lookup {
    /// This process's environment, `$HOME`, and the ECS metadata service at
    /// its real address (still never contacted when
    /// `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`).
    pub fn process() -> Self {
        Self {
            vars: Arc::new(|name| std::env::var(name).ok()),
            home: dirs::home_dir(),
            metadata_url: Some(Url::parse(ECS_METADATA_URL).expect("constant URL")),
        }
    }

    /// Variables from `vars` and config files under `home`. The metadata
    /// service is not consulted unless [`Lookup::with_metadata_url`] says where.
    pub fn new(
        vars: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
        home: Option<PathBuf>,
    ) -> Self {
        Self {
            vars: Arc::new(vars),
            home,
            metadata_url: None,
        }
    }

    /// Consults the metadata service at `url` (e.g. a loopback test server).
    #[must_use]
    pub fn with_metadata_url(mut self, url: Url) -> Self {
        self.metadata_url = Some(url);
        self
    }

    /// A variable's value.
    pub fn var(&self, name: &str) -> Option<String> {
        (self.vars)(name)
    }

    /// The variables as a plain function, for the readers in [`super::env`].
    pub(crate) fn vars(&self) -> &dyn Fn(&str) -> Option<String> {
        &*self.vars
    }

    /// The home directory, when known.
    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }

    /// The metadata service's base URL, if it may be consulted at all.
    pub fn metadata_url(&self) -> Option<&Url> {
        self.metadata_url.as_ref()
    }
}

impl fmt::Debug for Lookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The variables may hold secrets: only the places are shown.
        f.debug_struct("Lookup")
            .field("home", &self.home)
            .field("metadata_url", &self.metadata_url.as_ref().map(Url::as_str))
            .finish_non_exhaustive()
    }
}
