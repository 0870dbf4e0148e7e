//! The `provider "tencentcloud"` block: schema, reading it (unknowns included), and checks.

use serde::{Deserialize, Serialize};

use super::auth::{self, AuthModel, AuthSettings};

use tencentcloud::redact::without_user_info;
use tfplug::diag::Diagnostics;
use tfplug::schema::{Attribute, Block, Schema};
use tfplug::typed::TypedValue;
use tfplug::value::{AttributePath, Unknowable};

/// Environment variable for a full CLB endpoint URL (e.g. the emulator's).
pub(crate) const ENV_ENDPOINT: &str = "TENCENTCLOUD_CLB_ENDPOINT";
/// Environment variable for the client-side rate limit.
pub(crate) const ENV_RATE_LIMIT: &str = "TENCENTCLOUD_RATE_LIMIT";
/// Environment variable for `protocol`.
pub(crate) const ENV_PROTOCOL: &str = "TENCENTCLOUD_PROTOCOL";
/// Environment variable for `domain`.
pub(crate) const ENV_DOMAIN: &str = "TENCENTCLOUD_DOMAIN";
/// Default requests per second per action, the documented API limit.
pub(crate) const DEFAULT_RATE_LIMIT: u32 = 20;

/// The provider block's schema.
pub fn schema() -> Schema {
    let s = |name: &str, desc: &str| Attribute::string(name).optional().description(desc);
    Schema::new(
        0,
        auth::schema(Block::new()
            .description("Tencent Cloud, for binding CLB target groups to listeners and forwarding rules.")
            .attribute(s("secret_id", "API key ID. Falls back to TENCENTCLOUD_SECRET_ID, then a tccli profile, the SDK credentials file, or the CVM instance role."))
            .attribute(s("secret_key", "API key secret. Falls back to TENCENTCLOUD_SECRET_KEY.").sensitive())
            .attribute(s("security_token", "Session token for temporary credentials. Falls back to TENCENTCLOUD_SECURITY_TOKEN.").sensitive())
            .attribute(s("region", "Region of the load balancers, e.g. ap-guangzhou. Falls back to TENCENTCLOUD_REGION, the profile's region, then ap-guangzhou."))
            .attribute(s("profile", "tccli profile to read credentials from. Falls back to TENCENTCLOUD_PROFILE, then `default`."))
            .attribute(s("shared_credentials_dir", "Directory of tccli profiles. Falls back to TENCENTCLOUD_SHARED_CREDENTIALS_DIR, then ~/.tccli."))
            .attribute(s("protocol", "HTTPS (default) or HTTP for the API endpoint. Falls back to TENCENTCLOUD_PROTOCOL."))
            .attribute(s("domain", "Root domain of the API; the host is clb.<domain>. Falls back to TENCENTCLOUD_DOMAIN, then tencentcloudapi.com."))
            .attribute(s("endpoint", "Full URL of the CLB API, e.g. http://127.0.0.1:18931 for the local emulator. Overrides protocol and domain. Falls back to TENCENTCLOUD_CLB_ENDPOINT."))
            .attribute(
                Attribute::number("rate_limit")
                    .optional()
                    .description("Client-side limit of API requests per second per action, shared by all resources of this provider. Default 20. Falls back to TENCENTCLOUD_RATE_LIMIT."),
            )),
    )
}

/// The provider block's values, after environment fallbacks that this layer owns.
///
/// Credentials, region and profile are passed through as configured: the API client's credentials
/// chain reads their environment variables and files itself.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProviderSettings {
    /// `secret_id`
    pub secret_id: Option<String>,
    /// `secret_key`
    pub secret_key: Option<String>,
    /// `security_token`
    pub security_token: Option<String>,
    /// `region`
    pub region: Option<String>,
    /// `profile`
    pub profile: Option<String>,
    /// `shared_credentials_dir`
    pub shared_credentials_dir: Option<String>,
    /// `protocol`, upper-cased.
    pub protocol: Option<String>,
    /// `domain`
    pub domain: Option<String>,
    /// `endpoint`
    pub endpoint: Option<String>,
    /// `rate_limit`
    pub rate_limit: u32,
    /// Role sessions, account guards and the other authentication settings.
    pub auth: AuthSettings,
}

// Written by hand so a stray `{:?}` can never print a secret.
impl std::fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("ProviderSettings")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &redact(&self.secret_key))
            .field("security_token", &redact(&self.security_token))
            .field("region", &self.region)
            .field("profile", &self.profile)
            .field("shared_credentials_dir", &self.shared_credentials_dir)
            .field("protocol", &self.protocol)
            .field("domain", &self.domain)
            .field("endpoint", &self.endpoint.as_deref().map(without_user_info))
            .field("rate_limit", &self.rate_limit)
            .field("auth", &self.auth)
            .finish()
    }
}

/// What reading the provider block gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadConfig {
    /// Everything known.
    Known(Box<ProviderSettings>),
    /// Some values are known only after apply; these attributes.
    Unknown(Vec<String>),
}

/// The provider block as configured: any attribute may be unknown until apply. (No `Debug`: it
/// holds the secrets as written.)
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct ProviderConfigModel {
    /// `secret_id`
    pub secret_id: Unknowable<Option<String>>,
    /// `secret_key`
    pub secret_key: Unknowable<Option<String>>,
    /// `security_token`
    pub security_token: Unknowable<Option<String>>,
    /// `region`
    pub region: Unknowable<Option<String>>,
    /// `profile`
    pub profile: Unknowable<Option<String>>,
    /// `shared_credentials_dir`
    pub shared_credentials_dir: Unknowable<Option<String>>,
    /// `protocol`
    pub protocol: Unknowable<Option<String>>,
    /// `domain`
    pub domain: Unknowable<Option<String>>,
    /// `endpoint`
    pub endpoint: Unknowable<Option<String>>,
    /// `rate_limit`: a number, which configuration may write as a fraction.
    pub rate_limit: Unknowable<Option<f64>>,
    /// The authentication attributes and blocks.
    #[serde(flatten)]
    pub auth: AuthModel,
}

impl ProviderConfigModel {
    /// The text attributes with their names, in schema order.
    fn texts(&self) -> [(&'static str, &Unknowable<Option<String>>); 9] {
        [
            ("secret_id", &self.secret_id),
            ("secret_key", &self.secret_key),
            ("security_token", &self.security_token),
            ("region", &self.region),
            ("profile", &self.profile),
            ("shared_credentials_dir", &self.shared_credentials_dir),
            ("protocol", &self.protocol),
            ("domain", &self.domain),
            ("endpoint", &self.endpoint),
        ]
    }

    /// The attributes whose values are known only after apply.
    fn unknown(&self) -> Vec<String> {
        self.texts()
            .into_iter()
            .filter(|(_, v)| v.is_unknown())
            .map(|(name, _)| name)
            .chain(self.rate_limit.is_unknown().then_some("rate_limit"))
            .map(str::to_string)
            .chain(self.auth.unknown())
            .collect()
    }
}

/// A known, non-blank text, trimmed.
fn text(v: &Unknowable<Option<String>>) -> Option<String> {
    v.known_value()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Reads the provider block; `env` looks up environment variables (injectable for tests).
pub fn read(
    config: &TypedValue,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ReadConfig, Diagnostics> {
    let c = config.get::<ProviderConfigModel>()?;
    let unknown = c.unknown();
    if !unknown.is_empty() {
        return Ok(ReadConfig::Unknown(unknown));
    }
    let diags = check(&c, env);
    if diags.has_errors() {
        return Err(diags);
    }
    let env_text = |name: &str| {
        env(name)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let rate_limit = match c.rate_limit.known_value() {
        Some(n) => *n as u32,
        None => env_text(ENV_RATE_LIMIT)
            .and_then(|s| s.parse().ok())
            .unwrap_or(DEFAULT_RATE_LIMIT),
    };
    Ok(ReadConfig::Known(Box::new(ProviderSettings {
        secret_id: text(&c.secret_id),
        secret_key: text(&c.secret_key),
        security_token: text(&c.security_token),
        region: text(&c.region),
        profile: text(&c.profile),
        shared_credentials_dir: text(&c.shared_credentials_dir),
        protocol: text(&c.protocol)
            .or_else(|| env_text(ENV_PROTOCOL))
            .map(|p| p.to_ascii_uppercase()),
        domain: text(&c.domain).or_else(|| env_text(ENV_DOMAIN)),
        endpoint: text(&c.endpoint).or_else(|| env_text(ENV_ENDPOINT)),
        rate_limit,
        auth: c.auth.settings(),
    })))
}

/// Offline checks of the provider block; unknown values are skipped.
pub fn validate(config: &TypedValue, env: &dyn Fn(&str) -> Option<String>) -> Diagnostics {
    match config.get::<ProviderConfigModel>() {
        Ok(c) => check(&c, env),
        Err(d) => d,
    }
}

fn check(c: &ProviderConfigModel, env: &dyn Fn(&str) -> Option<String>) -> Diagnostics {
    let mut d = Diagnostics::default();
    c.auth.check(&mut d);
    let at = AttributePath::attr_root;
    if let Some(p) = text(&c.protocol)
        && !matches!(p.to_ascii_uppercase().as_str(), "HTTP" | "HTTPS")
    {
        d.attribute_error(
            at("protocol"),
            "Invalid protocol",
            format!("protocol is {p:?}; use \"HTTPS\" (the default) or \"HTTP\"."),
        );
    }
    if let Some(e) = text(&c.endpoint)
        && !(e.starts_with("http://") || e.starts_with("https://"))
    {
        d.attribute_error(
            at("endpoint"),
            "Invalid endpoint",
            format!("endpoint is {:?}; give a full URL with its scheme, e.g. \"https://clb.tencentcloudapi.com\" or \"http://127.0.0.1:18931\" for the local emulator.", without_user_info(&e)),
        );
    }
    match &c.rate_limit {
        Unknowable::Unknown => {}
        Unknowable::Known(Some(n)) => {
            if n.fract() != 0.0 || !(1.0..=1000.0).contains(n) {
                d.attribute_error(
                    at("rate_limit"),
                    "Invalid rate_limit",
                    "rate_limit must be a whole number of requests per second between 1 and 1000 (default 20).",
                );
            }
        }
        Unknowable::Known(None) => {
            if let Some(s) = env(ENV_RATE_LIMIT).filter(|s| !s.trim().is_empty())
                && !s
                    .trim()
                    .parse::<u32>()
                    .is_ok_and(|n| (1..=1000).contains(&n))
            {
                d.error(
                    "Invalid TENCENTCLOUD_RATE_LIMIT",
                    format!("The environment variable {ENV_RATE_LIMIT} is {s:?}; it must be a whole number between 1 and 1000."),
                );
            }
        }
    }
    let known_set = |v: &Unknowable<Option<String>>| v.known_value().is_some_and(|s| !s.is_empty());
    if !c.secret_id.is_unknown() && !c.secret_key.is_unknown() {
        if known_set(&c.secret_id) && !known_set(&c.secret_key) {
            d.attribute_error(
                at("secret_key"),
                "secret_key missing",
                "secret_id is set in the provider block but secret_key is not; set both (or neither, to use the environment or a profile).",
            );
        } else if known_set(&c.secret_key) && !known_set(&c.secret_id) {
            d.attribute_error(
                at("secret_id"),
                "secret_id missing",
                "secret_key is set in the provider block but secret_id is not; set both (or neither, to use the environment or a profile).",
            );
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use Unknowable::{Known, Unknown};
    use tfplug::typed::ValueRole;

    fn cfg(m: ProviderConfigModel) -> TypedValue {
        TypedValue::from_model(ValueRole::Config, schema().value_type(), &m).unwrap()
    }

    fn none() -> ProviderConfigModel {
        ProviderConfigModel::default()
    }

    fn known(s: &str) -> Unknowable<Option<String>> {
        Known(Some(s.to_string()))
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn secrets_are_sensitive() {
        let s = schema();
        for name in ["secret_key", "security_token"] {
            assert!(s.block.get_attribute(name).unwrap().sensitive, "{name}");
        }
        assert!(s.block.attributes.iter().all(|a| !a.description.is_empty()));
    }

    #[test]
    fn unknown_values_are_reported_not_failed() {
        let c = cfg(ProviderConfigModel {
            endpoint: Unknown,
            ..none()
        });
        assert_eq!(
            read(&c, &no_env).unwrap(),
            ReadConfig::Unknown(vec!["endpoint".into()])
        );
    }

    #[test]
    fn env_fallbacks_and_defaults() {
        let env = |k: &str| match k {
            ENV_ENDPOINT => Some("http://127.0.0.1:1".to_string()),
            ENV_RATE_LIMIT => Some("7".to_string()),
            _ => None,
        };
        let ReadConfig::Known(s) = read(&cfg(none()), &env).unwrap() else {
            panic!()
        };
        assert_eq!(s.endpoint.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(s.rate_limit, 7);
        let ReadConfig::Known(s) = read(
            &cfg(ProviderConfigModel {
                endpoint: known("https://x"),
                ..none()
            }),
            &env,
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(s.endpoint.as_deref(), Some("https://x"));
        let ReadConfig::Known(s) = read(&cfg(none()), &no_env).unwrap() else {
            panic!()
        };
        assert_eq!(s.rate_limit, DEFAULT_RATE_LIMIT);
    }

    #[test]
    fn bad_values_point_at_attributes() {
        let c = cfg(ProviderConfigModel {
            protocol: known("ftp"),
            endpoint: known("127.0.0.1:80"),
            rate_limit: Known(Some(0.0)),
            secret_id: known("AKID"),
            ..none()
        });
        let paths = |d: Diagnostics| -> Vec<String> {
            d.iter()
                .map(|d| d.attribute.as_ref().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            paths(validate(&c, &no_env)),
            ["protocol", "endpoint", "rate_limit", "secret_key"]
        );
        assert!(read(&c, &no_env).is_err());
        let fraction = cfg(ProviderConfigModel {
            rate_limit: Known(Some(2.5)),
            ..none()
        });
        assert_eq!(paths(validate(&fraction, &no_env)), ["rate_limit"]);
    }

    #[test]
    fn debug_never_shows_secrets() {
        let s = ProviderSettings {
            secret_key: Some("very-secret-key".into()),
            security_token: Some("very-secret-token".into()),
            ..Default::default()
        };
        let text = format!("{s:?}");
        assert!(!text.contains("very-secret"), "{text}");
        assert!(text.contains("<redacted>"));
    }

    #[test]
    fn endpoint_user_info_is_never_echoed() {
        let c = cfg(ProviderConfigModel {
            endpoint: known("admin:pw-9f3@127.0.0.1:80"),
            ..none()
        });
        let d = validate(&c, &no_env);
        assert!(d.has_errors());
        let text: String = d.iter().map(|d| d.to_string()).collect();
        assert!(
            !text.contains("pw-9f3") && text.contains("<redacted>"),
            "{text}"
        );
        let s = ProviderSettings {
            endpoint: Some("http://admin:pw-9f3@127.0.0.1:80".into()),
            ..Default::default()
        };
        assert!(!format!("{s:?}").contains("pw-9f3"));
    }

    #[test]
    fn bad_env_rate_limit_is_an_error() {
        let env = |k: &str| (k == ENV_RATE_LIMIT).then(|| "fast".to_string());
        assert!(validate(&cfg(none()), &env).has_errors());
    }
}
