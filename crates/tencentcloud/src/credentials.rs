//! The credentials chain: explicit values, environment, tccli profile files, the SDK INI file, then
//! the CVM instance role from the metadata service. First match wins.
//!
//! All lookups of the process environment and the home directory go through [`Environment`], so
//! tests can run the chain without touching the real environment.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::{ApiError, ConfigError};

mod files;
mod instance_role;

use files::{read_ini_credentials, read_profile_credential};
use instance_role::RoleProvider;

/// Region used when nothing else names one.
pub const DEFAULT_REGION: &str = "ap-guangzhou";
/// Base URL of the CVM instance metadata service.
pub const DEFAULT_METADATA_BASE_URL: &str = "http://metadata.tencentyun.com";
/// Temporary credentials are refreshed when fewer than this many seconds remain.
pub const REFRESH_MARGIN_SECS: i64 = 300;

/// A key pair, plus a session token for temporary credentials. `Debug` redacts the secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Access key ID.
    pub secret_id: String,
    /// Secret key (never logged).
    pub secret_key: String,
    /// Session token for temporary credentials, sent as `X-TC-Token` (never logged).
    pub token: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Explicit credential settings (e.g. from the provider block); the chain fills in the rest.
#[derive(Clone, Default)]
pub struct CredentialOptions {
    /// Explicit access key ID.
    pub secret_id: Option<String>,
    /// Explicit secret key.
    pub secret_key: Option<String>,
    /// Explicit session token.
    pub security_token: Option<String>,
    /// tccli profile name (else `TENCENTCLOUD_PROFILE`, else `default`).
    pub profile: Option<String>,
    /// Directory of tccli profile files (else `TENCENTCLOUD_SHARED_CREDENTIALS_DIR`, else `~/.tccli`).
    pub shared_credentials_dir: Option<String>,
    /// Base URL of the metadata service (else `TENCENTCLOUD_METADATA_BASE_URL`, else
    /// `http://metadata.tencentyun.com`). The value `off` skips the metadata service.
    pub metadata_base_url: Option<String>,
}

impl fmt::Debug for CredentialOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialOptions")
            .field("secret_id", &self.secret_id)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .field("profile", &self.profile)
            .field("shared_credentials_dir", &self.shared_credentials_dir)
            .field("metadata_base_url", &self.metadata_base_url)
            .finish()
    }
}

/// Access to environment variables and the home directory.
pub trait Environment: Send + Sync {
    /// The value of an environment variable; empty values count as unset.
    fn var(&self, name: &str) -> Option<String>;
    /// The user's home directory.
    fn home_dir(&self) -> Option<PathBuf>;
}

/// The real process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemEnvironment;

impl Environment for SystemEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
    fn home_dir(&self) -> Option<PathBuf> {
        dirs::home_dir()
    }
}

/// A fixed environment, for tests and embedding.
#[derive(Debug, Clone, Default)]
pub struct StaticEnvironment {
    /// Variables.
    pub vars: HashMap<String, String>,
    /// Home directory.
    pub home: Option<PathBuf>,
}

impl StaticEnvironment {
    /// An environment with only a home directory.
    pub fn with_home(home: impl Into<PathBuf>) -> Self {
        StaticEnvironment {
            vars: HashMap::new(),
            home: Some(home.into()),
        }
    }
    /// Adds a variable.
    pub fn set(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_string(), value.to_string());
        self
    }
}

impl Environment for StaticEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).filter(|v| !v.is_empty()).cloned()
    }
    fn home_dir(&self) -> Option<PathBuf> {
        self.home.clone()
    }
}

/// Where the credentials in use came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// Given explicitly.
    Explicit,
    /// Environment variables.
    Environment,
    /// A tccli profile file (path).
    ProfileFile(PathBuf),
    /// The SDK INI file (path).
    IniFile(PathBuf),
    /// CVM instance role (role name).
    InstanceRole(String),
}

/// Supplies the credentials for each request; temporary ones are refreshed before they expire.
#[derive(Clone)]
pub struct CredentialProvider {
    source: CredentialSource,
    inner: ProviderKind,
}

#[derive(Clone)]
enum ProviderKind {
    Static(Credentials),
    Role(Arc<RoleProvider>),
}

impl fmt::Debug for CredentialProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialProvider")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl CredentialProvider {
    /// Fixed credentials.
    pub fn fixed(credentials: Credentials, source: CredentialSource) -> Self {
        CredentialProvider {
            source,
            inner: ProviderKind::Static(credentials),
        }
    }

    /// Where the credentials come from.
    pub fn source(&self) -> &CredentialSource {
        &self.source
    }

    /// The credentials to sign the next request with.
    pub async fn current(&self) -> Result<Credentials, ApiError> {
        match &self.inner {
            ProviderKind::Static(c) => Ok(c.clone()),
            ProviderKind::Role(r) => r.current().await,
        }
    }
}

/// The outcome of running the chain.
#[derive(Debug, Clone)]
pub struct ResolvedCredentials {
    /// Supplies credentials per request.
    pub provider: CredentialProvider,
    /// The region to use.
    pub region: String,
}

/// Runs the chain. `http` is used only for the metadata service.
pub async fn resolve(
    opts: &CredentialOptions,
    explicit_region: Option<&str>,
    env: &dyn Environment,
    http: &reqwest::Client,
) -> Result<ResolvedCredentials, ConfigError> {
    let profile_dir = profile_dir(opts, env);
    let profile = opts
        .profile
        .clone()
        .filter(|p| !p.is_empty())
        .or_else(|| env.var("TENCENTCLOUD_PROFILE"))
        .unwrap_or_else(|| "default".to_string());
    let region = resolve_region(explicit_region, env, profile_dir.as_deref(), &profile);
    let provider = resolve_provider(opts, env, http, profile_dir.as_deref(), &profile).await?;
    Ok(ResolvedCredentials { provider, region })
}

fn profile_dir(opts: &CredentialOptions, env: &dyn Environment) -> Option<PathBuf> {
    let given = opts
        .shared_credentials_dir
        .clone()
        .filter(|d| !d.is_empty())
        .or_else(|| env.var("TENCENTCLOUD_SHARED_CREDENTIALS_DIR"));
    match given {
        Some(dir) => Some(expand_home(&dir, env)),
        None => env.home_dir().map(|h| h.join(".tccli")),
    }
}

fn expand_home(path: &str, env: &dyn Environment) -> PathBuf {
    match (path.strip_prefix("~/"), env.home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ if path == "~" => env.home_dir().unwrap_or_else(|| PathBuf::from(path)),
        _ => PathBuf::from(path),
    }
}

fn resolve_region(
    explicit: Option<&str>,
    env: &dyn Environment,
    profile_dir: Option<&Path>,
    profile: &str,
) -> String {
    if let Some(r) = explicit.filter(|r| !r.is_empty()) {
        return r.to_string();
    }
    if let Some(r) = env.var("TENCENTCLOUD_REGION") {
        return r;
    }
    if let Some(dir) = profile_dir {
        let path = dir.join(format!("{profile}.configure"));
        if let Ok(text) = std::fs::read_to_string(&path)
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
            && let Some(r) = v["_sys_param"]["region"].as_str().filter(|r| !r.is_empty())
        {
            return r.to_string();
        }
    }
    DEFAULT_REGION.to_string()
}

fn pair(
    source_name: &str,
    id: Option<String>,
    key: Option<String>,
    token: Option<String>,
    id_name: &str,
    key_name: &str,
) -> Result<Option<Credentials>, ConfigError> {
    match (id, key) {
        (None, None) => Ok(None),
        (Some(secret_id), Some(secret_key)) => Ok(Some(Credentials {
            secret_id,
            secret_key,
            token: token.filter(|t| !t.is_empty()),
        })),
        (Some(_), None) => Err(ConfigError::InvalidCredentials {
            source_name: source_name.to_string(),
            detail: format!("{id_name} is set but {key_name} is missing; set both or neither"),
        }),
        (None, Some(_)) => Err(ConfigError::InvalidCredentials {
            source_name: source_name.to_string(),
            detail: format!("{key_name} is set but {id_name} is missing; set both or neither"),
        }),
    }
}

async fn resolve_provider(
    opts: &CredentialOptions,
    env: &dyn Environment,
    http: &reqwest::Client,
    profile_dir: Option<&Path>,
    profile: &str,
) -> Result<CredentialProvider, ConfigError> {
    let mut looked_at = Vec::new();
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());

    if let Some(c) = pair(
        "the provider configuration",
        nonempty(&opts.secret_id),
        nonempty(&opts.secret_key),
        nonempty(&opts.security_token),
        "secret_id",
        "secret_key",
    )? {
        return Ok(CredentialProvider::fixed(c, CredentialSource::Explicit));
    }
    looked_at.push("explicit secret_id/secret_key: not set".to_string());

    let token = env
        .var("TENCENTCLOUD_SECURITY_TOKEN")
        .or_else(|| env.var("TENCENTCLOUD_TOKEN"));
    if let Some(c) = pair(
        "the environment",
        env.var("TENCENTCLOUD_SECRET_ID"),
        env.var("TENCENTCLOUD_SECRET_KEY"),
        token,
        "TENCENTCLOUD_SECRET_ID",
        "TENCENTCLOUD_SECRET_KEY",
    )? {
        return Ok(CredentialProvider::fixed(c, CredentialSource::Environment));
    }
    looked_at.push(
        "environment variables TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY: not set".to_string(),
    );

    match profile_dir {
        Some(dir) => {
            let path = dir.join(format!("{profile}.credential"));
            match read_profile_credential(&path)? {
                Some(c) => {
                    return Ok(CredentialProvider::fixed(
                        c,
                        CredentialSource::ProfileFile(path),
                    ));
                }
                None => looked_at.push(format!(
                    "tccli profile {profile:?} at {}: not found",
                    path.display()
                )),
            }
        }
        None => looked_at.push("tccli profile directory: no home directory".to_string()),
    }

    match env.home_dir() {
        Some(home) => {
            let path = home.join(".tencentcloud").join("credentials");
            match read_ini_credentials(&path)? {
                Some(c) => {
                    return Ok(CredentialProvider::fixed(
                        c,
                        CredentialSource::IniFile(path),
                    ));
                }
                None => looked_at.push(format!("{}: not found", path.display())),
            }
        }
        None => looked_at.push("~/.tencentcloud/credentials: no home directory".to_string()),
    }

    let base = opts
        .metadata_base_url
        .clone()
        .filter(|b| !b.is_empty())
        .or_else(|| env.var("TENCENTCLOUD_METADATA_BASE_URL"))
        .unwrap_or_else(|| DEFAULT_METADATA_BASE_URL.to_string());
    if base.eq_ignore_ascii_case("off") {
        looked_at.push("CVM instance role: metadata service disabled".to_string());
    } else {
        let role = RoleProvider::new(
            http.clone(),
            base.trim_end_matches('/'),
            env.var("TENCENTCLOUD_CAM_ROLE_NAME"),
        );
        match role.fetch().await {
            Ok((name, cached)) => {
                role.store(cached).await;
                return Ok(CredentialProvider {
                    source: CredentialSource::InstanceRole(name),
                    inner: ProviderKind::Role(Arc::new(role)),
                });
            }
            Err(why) => looked_at.push(format!("CVM instance role at {base}: {why}")),
        }
    }
    Err(ConfigError::NoCredentials { looked_at })
}
