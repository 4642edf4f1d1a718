//! Which URL each service's calls go to: production, or one URL for every
//! service (`--endpoint`, the sandbox or a test server). KMS is regional: in
//! production each region has its own host (`kms.<region>.aliyuncs.com`).
//!
//! Depends on nothing else in the crate.

use std::borrow::Cow;
use std::fmt;

use reqwest::Url;

/// The production RAM endpoint (every region).
pub const PRODUCTION_RAM: &str = "https://ram.aliyuncs.com";
/// The central production STS endpoint.
pub const PRODUCTION_STS: &str = "https://sts.aliyuncs.com";
/// The central production IMS endpoint (the credential report).
pub const PRODUCTION_IMS: &str = "https://ims.aliyuncs.com";
/// KMS's production host without a region; each call goes to its region's
/// host, `https://kms.<region>.aliyuncs.com`.
pub const PRODUCTION_KMS: &str = "https://kms.aliyuncs.com";

/// An Alibaba Cloud service ramkey calls, with its RPC API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Resource Access Management, 2015-05-01.
    Ram,
    /// Security Token Service, 2015-04-01.
    Sts,
    /// Identity Management Service, 2019-08-15 (the credential report).
    Ims,
    /// Key Management Service, 2016-01-20 (which users' keys a RAM secret
    /// manages); regional.
    Kms,
}

impl Service {
    /// The `Version` parameter of this service's calls.
    pub fn version(self) -> &'static str {
        match self {
            Service::Ram => "2015-05-01",
            Service::Sts => "2015-04-01",
            Service::Ims => "2019-08-15",
            Service::Kms => "2016-01-20",
        }
    }
}

/// A region id such as `cn-hangzhou` or `ap-southeast-1`, checked so that it
/// can stand in a host name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region(String);

/// A `--kms-region` value that is not a region id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a region id: expected lowercase letters, digits and single hyphens, \
     e.g. cn-hangzhou or ap-southeast-1"
)]
pub struct RegionError(pub String);

impl Region {
    /// Checks `id`: 1 to 40 of `a-z`, `0-9` and `-`, starting with a letter,
    /// with a hyphen, none at either end and never two in a row.
    pub fn parse(id: &str) -> Result<Self, RegionError> {
        let refuse = || RegionError(id.to_owned());
        let allowed = id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        let shaped = id.starts_with(|c: char| c.is_ascii_lowercase())
            && id.contains('-')
            && !id.ends_with('-')
            && !id.contains("--");
        if id.len() > 40 || !allowed || !shaped {
            return Err(refuse());
        }
        Ok(Self(id.to_owned()))
    }

    /// The id, e.g. `cn-hangzhou`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Region {
    type Err = RegionError;

    fn from_str(id: &str) -> Result<Self, Self::Err> {
        Self::parse(id)
    }
}

/// Where the calls of each service are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    ram: Url,
    sts: Url,
    ims: Url,
    kms: Url,
    /// Production: a regional call goes to its region's host.
    regional_hosts: bool,
}

/// A `--endpoint` value ramkey will not send credentials to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("endpoint {url:?} {problem}")]
pub struct EndpointError {
    /// The value as given.
    pub url: String,
    /// What is wrong, and what a valid value looks like.
    pub problem: String,
}

impl Endpoints {
    /// `https://ram.aliyuncs.com`, `https://sts.aliyuncs.com` and
    /// `https://ims.aliyuncs.com`.
    pub fn production() -> Self {
        Self {
            ram: Url::parse(PRODUCTION_RAM).expect("constant URL"),
            sts: Url::parse(PRODUCTION_STS).expect("constant URL"),
            ims: Url::parse(PRODUCTION_IMS).expect("constant URL"),
            kms: Url::parse(PRODUCTION_KMS).expect("constant URL"),
            regional_hosts: true,
        }
    }

    /// One URL for every service, e.g. `http://127.0.0.1:8400`.
    ///
    /// Plain `http` is accepted only for loopback hosts: anywhere else the
    /// STS token and the request would cross the network unencrypted.
    pub fn single(url: &str) -> Result<Self, EndpointError> {
        let parsed = parse_endpoint(url)?;
        Ok(Self {
            ram: parsed.clone(),
            sts: parsed.clone(),
            ims: parsed.clone(),
            kms: parsed,
            regional_hosts: false,
        })
    }

    /// [`Endpoints::single`] for a `--endpoint` value, production without one.
    pub fn from_flag(endpoint: Option<&str>) -> Result<Self, EndpointError> {
        endpoint.map_or_else(|| Ok(Self::production()), Self::single)
    }

    /// The URL of `service`.
    pub fn url(&self, service: Service) -> &Url {
        match service {
            Service::Ram => &self.ram,
            Service::Sts => &self.sts,
            Service::Ims => &self.ims,
            Service::Kms => &self.kms,
        }
    }

    /// The URL of `service`'s calls in `region`: in production the region's
    /// own host for KMS (`https://kms.cn-hangzhou.aliyuncs.com`); with one
    /// URL for every service, that URL (the call then names its region in
    /// `RegionId`, as the legacy SDKs do).
    pub fn url_in(&self, service: Service, region: &Region) -> Cow<'_, Url> {
        let url = self.url(service);
        if !self.regional_hosts || service != Service::Kms {
            return Cow::Borrowed(url);
        }
        let mut regional = url.clone();
        let host = format!("kms.{region}.aliyuncs.com");
        // A checked region id always makes a valid host name.
        regional
            .set_host(Some(&host))
            .expect("a region id is a valid host label");
        Cow::Owned(regional)
    }

    /// Whether every service is on this machine (then no proxy is used).
    pub fn all_loopback(&self) -> bool {
        [&self.ram, &self.sts, &self.ims, &self.kms]
            .into_iter()
            .all(is_loopback)
    }
}

/// An endpoint as errors name it: `http://127.0.0.1:8400`, as the user
/// typed it, without the `/` the URL type adds.
pub(crate) fn label(url: &Url) -> &str {
    url.as_str().trim_end_matches('/')
}

fn parse_endpoint(raw: &str) -> Result<Url, EndpointError> {
    let refuse = |problem: &str| EndpointError {
        url: without_userinfo(raw),
        problem: problem.to_owned(),
    };
    if !raw.contains("://") {
        return Err(refuse(
            "must start with http:// or https://, e.g. http://127.0.0.1:8400",
        ));
    }
    let url = Url::parse(raw.trim()).map_err(|error| {
        refuse(&format!(
            "is not a URL ({error}); expected e.g. http://127.0.0.1:8400 or https://ram.aliyuncs.com"
        ))
    })?;

    if url.host_str().is_none_or(str::is_empty) {
        return Err(refuse("has no host; expected e.g. http://127.0.0.1:8400"));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(refuse(
                "uses plain http to another machine; use https (http is only for loopback)",
            ));
        }
        _ => return Err(refuse("must start with http:// or https://")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("must not carry a user name or password"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(refuse(
            "must be the bare server address: the RPC API is served at `/`, \
             without a path, query or fragment",
        ));
    }
    Ok(url)
}

/// The value with any `user:password@` masked, so a refusal never repeats a
/// password (or a secret pasted where one does not belong).
fn without_userinfo(raw: &str) -> String {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return raw.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://***{}", &rest[at..]),
        None => raw.to_owned(),
    }
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    // IPv6 hosts come bracketed, as in `http://[::1]:8400`.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_points_each_service_at_its_own_host() {
        let endpoints = Endpoints::production();
        assert_eq!(
            endpoints.url(Service::Ram).as_str(),
            "https://ram.aliyuncs.com/"
        );
        assert_eq!(
            endpoints.url(Service::Sts).as_str(),
            "https://sts.aliyuncs.com/"
        );
        assert_eq!(
            endpoints.url(Service::Ims).as_str(),
            "https://ims.aliyuncs.com/"
        );
        assert!(!endpoints.all_loopback());
    }

    #[test]
    fn kms_goes_to_the_region_s_host_in_production_and_to_the_one_url_otherwise() {
        let region = Region::parse("cn-hangzhou").unwrap();
        let production = Endpoints::production();
        assert_eq!(
            production.url_in(Service::Kms, &region).as_str(),
            "https://kms.cn-hangzhou.aliyuncs.com/"
        );
        assert_eq!(
            production.url_in(Service::Ram, &region).as_str(),
            "https://ram.aliyuncs.com/"
        );
        let single = Endpoints::single("http://127.0.0.1:8400").unwrap();
        assert_eq!(
            single.url_in(Service::Kms, &region).as_str(),
            "http://127.0.0.1:8400/"
        );
        assert_eq!(Service::Kms.version(), "2016-01-20");
    }

    #[test]
    fn region_ids_are_checked_before_they_reach_a_host_name() {
        for good in [
            "cn-hangzhou",
            "ap-southeast-1",
            "cn-shanghai-finance-1",
            "us-west-1",
        ] {
            assert_eq!(Region::parse(good).unwrap().as_str(), good);
        }
        for bad in [
            "",
            "hangzhou",
            "cn-",
            "-cn",
            "cn--hangzhou",
            "CN-HANGZHOU",
            "cn_hangzhou",
            "1cn-hangzhou",
            "cn-hangzhou.evil.com",
            "cn-hangzhou/x",
        ] {
            let error = Region::parse(bad).unwrap_err();
            assert!(
                error.to_string().contains("not a region id"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn single_sends_every_service_to_one_url() {
        let endpoints = Endpoints::single("http://127.0.0.1:8400").unwrap();
        assert_eq!(
            endpoints.url(Service::Ram).as_str(),
            "http://127.0.0.1:8400/"
        );
        assert_eq!(
            endpoints.url(Service::Sts).as_str(),
            "http://127.0.0.1:8400/"
        );
        assert_eq!(
            endpoints.url(Service::Ims).as_str(),
            "http://127.0.0.1:8400/"
        );
        assert!(endpoints.all_loopback());
        assert!(Endpoints::single("http://localhost:1/").is_ok());
        assert!(Endpoints::single("http://[::1]:1").is_ok());
        assert!(Endpoints::single("https://ram.example.com").is_ok());
    }

    #[test]
    fn the_flag_picks_one_url_or_production() {
        assert_eq!(Endpoints::from_flag(None).unwrap(), Endpoints::production());
        assert_eq!(
            Endpoints::from_flag(Some("http://127.0.0.1:8400")).unwrap(),
            Endpoints::single("http://127.0.0.1:8400").unwrap()
        );
        assert!(Endpoints::from_flag(Some("127.0.0.1:8400")).is_err());
    }

    #[test]
    fn a_refused_url_never_repeats_its_password() {
        for raw in [
            "https://LTAI5t:hunter2-secret@ram.example.com",
            "http://me:hunter2-secret@10.0.0.5:8400",
            "https://me:hunter2-secret@",
        ] {
            let error = Endpoints::single(raw).unwrap_err();
            let text = format!("{error} {error:?}");
            assert!(!text.contains("hunter2"), "{text}");
            assert!(text.contains("***@"), "{text}");
        }
    }

    #[test]
    fn bad_urls_are_refused_with_a_reason() {
        for (raw, reason) in [
            ("127.0.0.1:8400", "must start with http"),
            ("http://", "is not a URL"),
            ("not a url", "must start with http"),
            ("ftp://127.0.0.1", "must start with http"),
            ("http://10.0.0.5:8400", "plain http to another machine"),
            ("http://127.0.0.1:8400/api", "bare server address"),
            ("http://127.0.0.1:8400/?x=1", "bare server address"),
        ] {
            let error = Endpoints::single(raw).unwrap_err();
            let text = error.to_string();
            assert!(text.contains(reason), "{raw}: {text}");
            assert!(text.contains(raw), "{raw}: {text}");
        }
        let error = Endpoints::single("https://user:pw@ram.example.com").unwrap_err();
        assert!(
            error.to_string().contains("user name or password"),
            "{error}"
        );
    }
}
