//! The credentials chain: explicit values, environment, tccli profile files, the SDK INI file, then
//! the CVM instance role from the metadata service. First match wins. On top of those base
//! credentials, a role session from STS when the settings ask for one (see [`resolve`]), and the
//! account guard.
//!
//! All lookups of the process environment and the home directory go through [`Environment`], so
//! tests can run the chain without touching the real environment.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::endpoint::EndpointOptions;
use super::error::{ApiError, ConfigError};
use super::sts::{CallerIdentity, StsClient};

mod account_guard;
mod exchange;
mod files;
mod from_settings;
mod instance_role;
mod options;
mod refusal;
mod session;

use exchange::{Exchange, Origins};
use files::{read_ini_credentials, read_profile_credential, read_profile_role};
use instance_role::RoleProvider;
pub use options::{AssumeRoleOptions, MfaOptions, SamlOptions, WebIdentityOptions};
use session::SessionProvider;

/// Region used when nothing else names one.
pub const DEFAULT_REGION: &str = "ap-guangzhou";
/// Base URL of the CVM instance metadata service.
pub(crate) const DEFAULT_METADATA_BASE_URL: &str = "http://metadata.tencentyun.com";
/// Temporary credentials are refreshed when fewer than this many seconds remain.
pub(crate) const REFRESH_MARGIN_SECS: i64 = 300;

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
    /// `cam_role_name`: use this CVM role from the metadata service instead of keys.
    pub cam_role_name: Option<String>,
    /// `assume_role`
    pub assume_role: Option<AssumeRoleOptions>,
    /// `assume_role_with_web_identity`
    pub assume_role_with_web_identity: Option<WebIdentityOptions>,
    /// `assume_role_with_saml`
    pub assume_role_with_saml: Option<SamlOptions>,
    /// `mfa_certification`
    pub mfa_certification: Option<MfaOptions>,
    /// `enable_pod_oidc`: web identity from the `TKE_*` variables.
    pub enable_pod_oidc: bool,
    /// `sts_endpoint` (else `TENCENTCLOUD_STS_ENDPOINT`, else the CLB endpoint settings with
    /// service `sts`): a URL, or a host name reached with HTTPS.
    pub sts_endpoint: Option<String>,
    /// `allowed_account_ids`: refuse to run unless the caller's account is one of these.
    pub allowed_account_ids: Vec<String>,
    /// `forbidden_account_ids`: refuse to run in these accounts.
    pub forbidden_account_ids: Vec<String>,
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
            .field("cam_role_name", &self.cam_role_name)
            .field("assume_role", &self.assume_role)
            .field(
                "assume_role_with_web_identity",
                &self.assume_role_with_web_identity,
            )
            .field("assume_role_with_saml", &self.assume_role_with_saml)
            .field("mfa_certification", &self.mfa_certification)
            .field("enable_pod_oidc", &self.enable_pod_oidc)
            .field(
                "sts_endpoint",
                &self
                    .sts_endpoint
                    .as_deref()
                    .map(super::redact::without_user_info),
            )
            .field("allowed_account_ids", &self.allowed_account_ids)
            .field("forbidden_account_ids", &self.forbidden_account_ids)
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
pub(crate) struct SystemEnvironment;

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
    /// A role session from STS, refreshed before it expires (what was assumed, no secrets).
    RoleSession(String),
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
    Session(Arc<SessionProvider>),
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
            // Boxed: a session's base may itself be a session (MFA, then a role).
            ProviderKind::Session(s) => Box::pin(s.current()).await,
        }
    }

    /// After the cloud refused the session `refused` ([`crate::error::session_refusal`]): gets a
    /// fresh one. `None` when the credentials are not a role session, so nothing can be renewed.
    pub(crate) async fn replace_refused_session(
        &self,
        refused: &Credentials,
    ) -> Option<Result<(), ApiError>> {
        match &self.inner {
            ProviderKind::Session(s) => Some(s.replace_refused(refused).await),
            _ => None,
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
    /// Who the credentials belong to, when the account guard asked STS.
    pub caller: Option<CallerIdentity>,
}

/// Where STS calls go: `sts_endpoint`, else `TENCENTCLOUD_STS_ENDPOINT`, else what `endpoint`
/// gives for service `sts` (a full `endpoint` URL, or `sts.<domain>` with `protocol`).
pub fn sts_endpoint(
    opts: &CredentialOptions,
    endpoint: &EndpointOptions,
    env: &dyn Environment,
) -> Result<super::endpoint::ResolvedEndpoint, ConfigError> {
    let given = opts
        .sts_endpoint
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| env.var("TENCENTCLOUD_STS_ENDPOINT"));
    match given {
        Some(text) => {
            let text = text.trim();
            let url = if text.contains("://") {
                text.to_string()
            } else {
                format!("https://{text}")
            };
            EndpointOptions {
                endpoint: Some(url),
                allow_insecure_http: endpoint.allow_insecure_http,
                ..Default::default()
            }
            .resolve("sts")
            .map_err(|e| ConfigError::Setting {
                setting: "sts_endpoint".into(),
                detail: e.to_string(),
            })
        }
        None => endpoint.resolve("sts"),
    }
}

/// Runs the chain. `http` is used for the metadata service and STS, which `endpoint` (with
/// [`CredentialOptions::sts_endpoint`]) locates.
///
/// Base credentials come from the chain; then at most one role exchange, the first of:
/// `enable_pod_oidc`, `assume_role_with_web_identity`, `assume_role_with_saml`, `assume_role`
/// (each from its block, else its `TENCENTCLOUD_ASSUME_ROLE_*` variables), a profile's
/// `role-arn`. `mfa_certification` turns the base keys into an MFA session first. The session
/// is fetched now, so bad settings fail here, and refreshed before it expires.
pub async fn resolve(
    opts: &CredentialOptions,
    explicit_region: Option<&str>,
    endpoint: &EndpointOptions,
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
    let mut sts_region = region.clone();
    let mut exchange: Option<(Exchange, Origins)> = None;
    if opts.enable_pod_oidc {
        let (e, o, tke_region) = Exchange::pod_oidc(env)?;
        sts_region = tke_region;
        exchange = Some((e, o));
    }
    if exchange.is_none() {
        exchange = Exchange::web_identity(opts.assume_role_with_web_identity.as_ref(), env)?;
    }
    if exchange.is_none() {
        exchange = Exchange::saml(opts.assume_role_with_saml.as_ref(), env)?;
    }
    if exchange.is_none() {
        exchange = Exchange::assume_role(opts.assume_role.as_ref(), env)?;
    }
    let mfa = Exchange::mfa(opts.mfa_certification.as_ref(), env)?;
    let needs_base = exchange.as_ref().is_none_or(|(e, _)| e.signed()) || mfa.is_some();
    let mut base = if needs_base {
        Some(resolve_provider(opts, env, http, profile_dir.as_deref(), &profile).await?)
    } else {
        None
    };
    if exchange.is_none()
        && let Some(CredentialSource::ProfileFile(path)) = base.as_ref().map(|b| b.source())
        && let Some((arn, name)) = read_profile_role(path)
    {
        exchange = Some(Exchange::profile_role(path, arn, name));
    }
    let guard = !opts.allowed_account_ids.is_empty() || !opts.forbidden_account_ids.is_empty();
    let sts = if exchange.is_some() || mfa.is_some() || guard {
        Some(StsClient::new(
            http.clone(),
            sts_endpoint(opts, endpoint, env)?,
            &sts_region,
            &super::client::default_request_client(),
        ))
    } else {
        None
    };
    if let (Some((e, o)), Some(sts)) = (mfa, &sts) {
        let session = Arc::new(SessionProvider::new(sts.clone(), base.take(), e, o));
        session.start().await?;
        base = Some(session::provider(session));
    }
    let provider = match (exchange, &sts) {
        (Some((e, o)), Some(sts)) => {
            let signer = if e.signed() { base } else { None };
            let session = Arc::new(SessionProvider::new(sts.clone(), signer, e, o));
            session.start().await?;
            session::provider(session)
        }
        _ => base.ok_or_else(|| ConfigError::NoCredentials {
            looked_at: vec!["no source was consulted".into()],
        })?,
    };
    let caller = match (&sts, guard) {
        (Some(sts), true) => Some(account_guard::check_account(opts, sts, &provider).await?),
        _ => None,
    };
    Ok(ResolvedCredentials {
        provider,
        region,
        caller,
    })
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

    let named_role = nonempty(&opts.cam_role_name)
        .map(|n| (n, "cam_role_name"))
        .or_else(|| {
            env.var("TENCENTCLOUD_CAM_ROLE_NAME")
                .map(|n| (n, "TENCENTCLOUD_CAM_ROLE_NAME"))
        });
    if let Some((name, setting)) = named_role {
        // As in the official provider, a named CVM role replaces any keys.
        let base = metadata_base(opts, env);
        if base.eq_ignore_ascii_case("off") {
            return Err(ConfigError::Setting {
                setting: setting.into(),
                detail: format!(
                    "{setting} names the CVM role {name:?}, but the metadata service is turned off (TENCENTCLOUD_METADATA_BASE_URL=off). Unset one of them."
                ),
            });
        }
        let role = RoleProvider::new(http.clone(), base.trim_end_matches('/'), Some(name));
        return match role.fetch().await {
            Ok((name, cached)) => {
                role.store(cached).await;
                Ok(CredentialProvider {
                    source: CredentialSource::InstanceRole(name),
                    inner: ProviderKind::Role(Arc::new(role)),
                })
            }
            Err(why) => Err(ConfigError::Setting {
                setting: setting.into(),
                detail: format!(
                    "cannot get the CVM role's credentials from the metadata service at {base}: {why}. {setting} works only on a CVM instance with that role bound."
                ),
            }),
        };
    }

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

    let base = metadata_base(opts, env);
    if base.eq_ignore_ascii_case("off") {
        looked_at.push("CVM instance role: metadata service disabled".to_string());
    } else {
        // The first role the instance lists (a named role was handled above).
        let role = RoleProvider::new(http.clone(), base.trim_end_matches('/'), None);
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

fn metadata_base(opts: &CredentialOptions, env: &dyn Environment) -> String {
    opts.metadata_base_url
        .clone()
        .filter(|b| !b.is_empty())
        .or_else(|| env.var("TENCENTCLOUD_METADATA_BASE_URL"))
        .unwrap_or_else(|| DEFAULT_METADATA_BASE_URL.to_string())
}
