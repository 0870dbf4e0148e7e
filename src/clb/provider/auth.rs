//! The provider block's authentication settings beyond a key pair, named as the official
//! provider names them: `assume_role`, `assume_role_with_web_identity`, `assume_role_with_saml`,
//! `mfa_certification`, `enable_pod_oidc`, `cam_role_name`, `sts_endpoint` and the account
//! guards. Their environment fallbacks are read by the API client's credentials chain.

use serde::{Deserialize, Serialize};

use tencentcloud::credentials::{AssumeRoleOptions, MfaOptions, SamlOptions, WebIdentityOptions};
use tencentcloud::error::ConfigError;
use tencentcloud::redact::without_user_info;
use tfplug::diag::Diagnostics;
use tfplug::schema::{Attribute, Block, NestedBlock};
use tfplug::value::{AttributePath, Type, Unknowable};

/// Longest role session STS grants, in seconds.
const MAX_SESSION_SECONDS: f64 = 43_200.0;
/// Longest MFA session (a sub-account's), in seconds.
const MAX_MFA_SECONDS: f64 = 129_600.0;

/// The nested blocks, each at most once (written `assume_role { … }` as for the official provider).
pub const BLOCKS: [&str; 4] = [
    "assume_role",
    "assume_role_with_web_identity",
    "assume_role_with_saml",
    "mfa_certification",
];

/// Adds the authentication attributes and blocks to the provider block.
pub fn schema(block: Block) -> Block {
    let s = |name: &str, desc: &str| Attribute::string(name).optional().description(desc);
    let n = |name: &str, desc: &str| Attribute::number(name).optional().description(desc);
    let one = |name: &str, b: Block| NestedBlock::list(name, b).items(0, 1);
    let duration = "Session length in seconds, at most 43200 (default 7200). The session is refreshed before it ends, however long the run.";
    block
        .attribute(s("cam_role_name", "Name of the CAM role bound to this CVM instance; its credentials come from the metadata service and replace any keys. Falls back to TENCENTCLOUD_CAM_ROLE_NAME (which names the role only when no other credentials are found)."))
        .attribute(Attribute::bool("enable_pod_oidc").optional().description("Assume a role with the OIDC token of a TKE pod, from the variables TKE_REGION, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_PROVIDER_ID and TKE_ROLE_ARN."))
        .attribute(s("sts_endpoint", "URL (or host, reached with HTTPS) of STS for role sessions and the account check. Falls back to TENCENTCLOUD_STS_ENDPOINT, then to `endpoint` if set, else sts.<domain> with `protocol`."))
        .attribute(Attribute::set("allowed_account_ids", Type::String).optional().description("Refuse to run unless the credentials act in one of these accounts (root uins), checked once with STS GetCallerIdentity before any CLB call."))
        .attribute(Attribute::set("forbidden_account_ids", Type::String).optional().description("Refuse to run when the credentials act in one of these accounts (root uins)."))
        .block(one("assume_role", Block::new()
            .description("Assume a CAM role with AssumeRole, signed with the credentials found otherwise. Unset values fall back to TENCENTCLOUD_ASSUME_ROLE_* variables.")
            .attribute(s("role_arn", "ARN of the role, qcs::cam::uin/<owner uin>:roleName/<name>. Falls back to TENCENTCLOUD_ASSUME_ROLE_ARN."))
            .attribute(s("session_name", "Name of the session in the role owner's audit trail. Falls back to TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME."))
            .attribute(n("session_duration", &format!("{duration} Falls back to TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION.")))
            .attribute(s("policy", "CAM policy JSON narrowing the session's permissions (sent URL-encoded)."))
            .attribute(s("external_id", "External ID the role's trust requires. Falls back to TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID."))
            .attribute(s("source_identity", "Caller identity uin. Falls back to TENCENTCLOUD_ASSUME_ROLE_SOURCE_IDENTITY."))
            .attribute(s("serial_number", "MFA device, qcs::cam:uin/<uin>::mfa/softToken. Falls back to TENCENTCLOUD_ASSUME_ROLE_SERIAL_NUMBER."))
            .attribute(s("token_code", "MFA code. Falls back to TENCENTCLOUD_ASSUME_ROLE_TOKEN_CODE.").sensitive())))
        .block(one("assume_role_with_web_identity", Block::new()
            .description("Exchange an OIDC token (CI job, Kubernetes) for a role session with AssumeRoleWithWebIdentity (unsigned). Unset values fall back to TENCENTCLOUD_ASSUME_ROLE_* variables.")
            .attribute(s("provider_id", "Name of the OIDC identity provider in CAM (default OIDC). Falls back to TENCENTCLOUD_ASSUME_ROLE_PROVIDER_ID."))
            .attribute(s("web_identity_token", "The OIDC token. Falls back to TENCENTCLOUD_ASSUME_ROLE_WEB_IDENTITY_TOKEN.").sensitive())
            .attribute(s("web_identity_token_file", "File holding the OIDC token, raw or as {\"web_identity_token\": \"…\"}; read again at every refresh. Falls back to TENCENTCLOUD_ASSUME_ROLE_WEB_IDENTITY_TOKEN_FILE."))
            .attribute(s("role_arn", "ARN of the role. Falls back to TENCENTCLOUD_ASSUME_ROLE_ARN."))
            .attribute(s("role_arn_file", "File holding the role ARN, raw or as {\"role_arn\": \"…\"}. Falls back to TENCENTCLOUD_ASSUME_ROLE_ARN_FILE (or the official provider's spelling TENCENTCLOUD_ASSUME_ROLE_ARNN_FILE)."))
            .attribute(s("session_name", "Session name. Falls back to TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME."))
            .attribute(n("session_duration", &format!("{duration} Falls back to TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION.")))))
        .block(one("assume_role_with_saml", Block::new()
            .description("Exchange a SAML assertion for a role session with AssumeRoleWithSAML (unsigned).")
            .attribute(s("saml_assertion", "Base64 SAML assertion. Falls back to TENCENTCLOUD_ASSUME_ROLE_SAML_ASSERTION.").sensitive())
            .attribute(s("principal_arn", "ARN of the SAML provider, qcs::cam::uin/<uin>:saml-provider/<name>. Falls back to TENCENTCLOUD_ASSUME_ROLE_PRINCIPAL_ARN."))
            .attribute(s("role_arn", "ARN of the role. Falls back to TENCENTCLOUD_ASSUME_ROLE_ARN."))
            .attribute(s("session_name", "Session name. Falls back to TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME."))
            .attribute(n("session_duration", &format!("{duration} Falls back to TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION.")))))
        .block(one("mfa_certification", Block::new()
            .description("Turn the keys into an MFA session (GetSessionToken) before anything else; a role is then assumed with it.")
            .attribute(s("serial_number", "MFA device. Falls back to TENCENTCLOUD_MFA_CERTIFICATION_SERIAL_NUMBER."))
            .attribute(s("token_code", "MFA code. Falls back to TENCENTCLOUD_MFA_CERTIFICATION_TOKEN_CODE.").sensitive())
            .attribute(n("duration_seconds", "Session length in seconds, at most 129600 (default 1800); refreshed like role sessions. Falls back to TENCENTCLOUD_MFA_CERTIFICATION_DURATION_SECONDS."))))
}

type Text = Unknowable<Option<String>>;
type Num = Unknowable<Option<f64>>;

/// `assume_role { … }` as configured.
#[derive(Default, Serialize, Deserialize)]
pub struct AssumeRoleModel {
    role_arn: Text,
    session_name: Text,
    session_duration: Num,
    policy: Text,
    external_id: Text,
    source_identity: Text,
    serial_number: Text,
    token_code: Text,
}

/// `assume_role_with_web_identity { … }` as configured.
#[derive(Default, Serialize, Deserialize)]
pub struct WebIdentityModel {
    provider_id: Text,
    web_identity_token: Text,
    web_identity_token_file: Text,
    role_arn: Text,
    role_arn_file: Text,
    session_name: Text,
    session_duration: Num,
}

/// `assume_role_with_saml { … }` as configured.
#[derive(Default, Serialize, Deserialize)]
pub struct SamlModel {
    saml_assertion: Text,
    principal_arn: Text,
    role_arn: Text,
    session_name: Text,
    session_duration: Num,
}

/// `mfa_certification { … }` as configured.
#[derive(Default, Serialize, Deserialize)]
pub struct MfaModel {
    serial_number: Text,
    token_code: Text,
    duration_seconds: Num,
}

type Blocks<T> = Unknowable<Option<Vec<T>>>;
type Ids = Unknowable<Option<Vec<Unknowable<String>>>>;

/// The authentication part of the provider block as configured (no `Debug`: it holds secrets).
#[derive(Default, Serialize, Deserialize)]
pub struct AuthModel {
    /// `cam_role_name`
    pub cam_role_name: Text,
    /// `enable_pod_oidc`
    pub enable_pod_oidc: Unknowable<Option<bool>>,
    /// `sts_endpoint`
    pub sts_endpoint: Text,
    /// `allowed_account_ids`
    pub allowed_account_ids: Ids,
    /// `forbidden_account_ids`
    pub forbidden_account_ids: Ids,
    /// `assume_role`
    pub assume_role: Blocks<AssumeRoleModel>,
    /// `assume_role_with_web_identity`
    pub assume_role_with_web_identity: Blocks<WebIdentityModel>,
    /// `assume_role_with_saml`
    pub assume_role_with_saml: Blocks<SamlModel>,
    /// `mfa_certification`
    pub mfa_certification: Blocks<MfaModel>,
}

/// The authentication settings, known.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AuthSettings {
    /// `cam_role_name`
    pub cam_role_name: Option<String>,
    /// `enable_pod_oidc`
    pub enable_pod_oidc: bool,
    /// `sts_endpoint`
    pub sts_endpoint: Option<String>,
    /// `allowed_account_ids`
    pub allowed_account_ids: Vec<String>,
    /// `forbidden_account_ids`
    pub forbidden_account_ids: Vec<String>,
    /// `assume_role`
    pub assume_role: Option<AssumeRoleOptions>,
    /// `assume_role_with_web_identity`
    pub assume_role_with_web_identity: Option<WebIdentityOptions>,
    /// `assume_role_with_saml`
    pub assume_role_with_saml: Option<SamlOptions>,
    /// `mfa_certification`
    pub mfa_certification: Option<MfaOptions>,
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The option types print no secrets.
        f.debug_struct("AuthSettings")
            .field("cam_role_name", &self.cam_role_name)
            .field("enable_pod_oidc", &self.enable_pod_oidc)
            .field(
                "sts_endpoint",
                &self.sts_endpoint.as_deref().map(without_user_info),
            )
            .field("allowed_account_ids", &self.allowed_account_ids)
            .field("forbidden_account_ids", &self.forbidden_account_ids)
            .field("assume_role", &self.assume_role)
            .field(
                "assume_role_with_web_identity",
                &self.assume_role_with_web_identity,
            )
            .field("assume_role_with_saml", &self.assume_role_with_saml)
            .field("mfa_certification", &self.mfa_certification)
            .finish()
    }
}

fn text(v: &Text) -> Option<String> {
    v.known_value()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn seconds(v: &Num) -> Option<u64> {
    v.known_value().map(|n| *n as u64)
}

fn first<T>(b: &Blocks<T>) -> Option<&T> {
    b.known_value().and_then(|v| v.first())
}

fn is_unknown_text(v: &Text) -> bool {
    v.is_unknown()
}

impl AuthModel {
    /// Attributes whose values are known only after apply (paths as written).
    pub fn unknown(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut top = |name: &str, unknown: bool| {
            if unknown {
                out.push(name.to_string());
            }
        };
        top("cam_role_name", is_unknown_text(&self.cam_role_name));
        top("enable_pod_oidc", self.enable_pod_oidc.is_unknown());
        top("sts_endpoint", is_unknown_text(&self.sts_endpoint));
        for (name, ids) in [
            ("allowed_account_ids", &self.allowed_account_ids),
            ("forbidden_account_ids", &self.forbidden_account_ids),
        ] {
            let partly = ids
                .known_value()
                .is_some_and(|v| v.iter().any(Unknowable::is_unknown));
            top(name, ids.is_unknown() || partly);
        }
        let block_unknown = [
            self.assume_role.is_unknown(),
            self.assume_role_with_web_identity.is_unknown(),
            self.assume_role_with_saml.is_unknown(),
            self.mfa_certification.is_unknown(),
        ];
        for (name, unknown) in BLOCKS.iter().zip(block_unknown) {
            top(name, unknown);
        }
        if let Some(a) = first(&self.assume_role) {
            for (f, v) in [
                ("role_arn", &a.role_arn),
                ("session_name", &a.session_name),
                ("policy", &a.policy),
                ("external_id", &a.external_id),
                ("source_identity", &a.source_identity),
                ("serial_number", &a.serial_number),
                ("token_code", &a.token_code),
            ] {
                top(&format!("assume_role.{f}"), v.is_unknown());
            }
            top(
                "assume_role.session_duration",
                a.session_duration.is_unknown(),
            );
        }
        if let Some(w) = first(&self.assume_role_with_web_identity) {
            for (f, v) in [
                ("provider_id", &w.provider_id),
                ("web_identity_token", &w.web_identity_token),
                ("web_identity_token_file", &w.web_identity_token_file),
                ("role_arn", &w.role_arn),
                ("role_arn_file", &w.role_arn_file),
                ("session_name", &w.session_name),
            ] {
                top(
                    &format!("assume_role_with_web_identity.{f}"),
                    v.is_unknown(),
                );
            }
            top(
                "assume_role_with_web_identity.session_duration",
                w.session_duration.is_unknown(),
            );
        }
        if let Some(s) = first(&self.assume_role_with_saml) {
            for (f, v) in [
                ("saml_assertion", &s.saml_assertion),
                ("principal_arn", &s.principal_arn),
                ("role_arn", &s.role_arn),
                ("session_name", &s.session_name),
            ] {
                top(&format!("assume_role_with_saml.{f}"), v.is_unknown());
            }
            top(
                "assume_role_with_saml.session_duration",
                s.session_duration.is_unknown(),
            );
        }
        if let Some(m) = first(&self.mfa_certification) {
            top(
                "mfa_certification.serial_number",
                m.serial_number.is_unknown(),
            );
            top("mfa_certification.token_code", m.token_code.is_unknown());
            top(
                "mfa_certification.duration_seconds",
                m.duration_seconds.is_unknown(),
            );
        }
        out
    }

    /// The known settings (call only when [`AuthModel::unknown`] is empty).
    pub fn settings(&self) -> AuthSettings {
        let ids = |v: &Ids| -> Vec<String> {
            v.known_value()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|i| i.known().map(|s| s.trim().to_string()))
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        AuthSettings {
            cam_role_name: text(&self.cam_role_name),
            enable_pod_oidc: self.enable_pod_oidc.known_value().copied().unwrap_or(false),
            sts_endpoint: text(&self.sts_endpoint),
            allowed_account_ids: ids(&self.allowed_account_ids),
            forbidden_account_ids: ids(&self.forbidden_account_ids),
            assume_role: first(&self.assume_role).map(|a| AssumeRoleOptions {
                role_arn: text(&a.role_arn),
                session_name: text(&a.session_name),
                session_duration: seconds(&a.session_duration),
                policy: text(&a.policy),
                external_id: text(&a.external_id),
                source_identity: text(&a.source_identity),
                serial_number: text(&a.serial_number),
                token_code: text(&a.token_code),
            }),
            assume_role_with_web_identity: first(&self.assume_role_with_web_identity).map(|w| {
                WebIdentityOptions {
                    provider_id: text(&w.provider_id),
                    web_identity_token: text(&w.web_identity_token),
                    web_identity_token_file: text(&w.web_identity_token_file),
                    role_arn: text(&w.role_arn),
                    role_arn_file: text(&w.role_arn_file),
                    session_name: text(&w.session_name),
                    session_duration: seconds(&w.session_duration),
                }
            }),
            assume_role_with_saml: first(&self.assume_role_with_saml).map(|s| SamlOptions {
                saml_assertion: text(&s.saml_assertion),
                principal_arn: text(&s.principal_arn),
                role_arn: text(&s.role_arn),
                session_name: text(&s.session_name),
                session_duration: seconds(&s.session_duration),
            }),
            mfa_certification: first(&self.mfa_certification).map(|m| MfaOptions {
                serial_number: text(&m.serial_number),
                token_code: text(&m.token_code),
                duration_seconds: seconds(&m.duration_seconds),
            }),
        }
    }

    /// Offline checks; unknown values are skipped.
    pub fn check(&self, d: &mut Diagnostics) {
        let in_block =
            |block: &str, attr: &str| AttributePath::attr_root(block).index(0).attr(attr);
        let mut duration = |block: &str, attr: &str, v: &Num, max: f64| {
            if let Some(n) = v.known_value()
                && (n.fract() != 0.0 || !(0.0..=max).contains(n))
            {
                d.attribute_error(
                    in_block(block, attr),
                    format!("Invalid {attr}"),
                    format!("{block}.{attr} is {n}; give a whole number of seconds from 0 to {max} (0 or unset means the default). The session is refreshed before it ends, so a long run needs no long session."),
                );
            }
        };
        if let Some(a) = first(&self.assume_role) {
            duration(
                "assume_role",
                "session_duration",
                &a.session_duration,
                MAX_SESSION_SECONDS,
            );
        }
        if let Some(w) = first(&self.assume_role_with_web_identity) {
            duration(
                "assume_role_with_web_identity",
                "session_duration",
                &w.session_duration,
                MAX_SESSION_SECONDS,
            );
        }
        if let Some(s) = first(&self.assume_role_with_saml) {
            duration(
                "assume_role_with_saml",
                "session_duration",
                &s.session_duration,
                MAX_SESSION_SECONDS,
            );
        }
        if let Some(m) = first(&self.mfa_certification) {
            duration(
                "mfa_certification",
                "duration_seconds",
                &m.duration_seconds,
                MAX_MFA_SECONDS,
            );
        }
        if let Some(a) = first(&self.assume_role)
            && let Some(p) = text(&a.policy)
            && serde_json::from_str::<serde_json::Value>(&p).map_or(true, |v| !v.is_object())
        {
            d.attribute_error(
                in_block("assume_role", "policy"),
                "Invalid policy",
                "assume_role.policy must be a CAM policy JSON object, e.g. jsonencode({version = \"2.0\", statement = [{effect = \"allow\", action = [\"name/clb:*\"], resource = [\"*\"]}]}).",
            );
        }
        if first(&self.assume_role_with_web_identity).is_some()
            && first(&self.assume_role_with_saml).is_some()
        {
            d.attribute_error(
                AttributePath::attr_root("assume_role_with_saml"),
                "Conflicting role settings",
                "assume_role_with_web_identity and assume_role_with_saml both assume a role without keys; keep one of them.",
            );
        }
        let has = |v: &Ids| v.known_value().is_some_and(|items| !items.is_empty());
        if has(&self.allowed_account_ids) && has(&self.forbidden_account_ids) {
            d.attribute_error(
                AttributePath::attr_root("forbidden_account_ids"),
                "Conflicting account guards",
                "Set allowed_account_ids or forbidden_account_ids, not both.",
            );
        }
        for (name, ids) in [
            ("allowed_account_ids", &self.allowed_account_ids),
            ("forbidden_account_ids", &self.forbidden_account_ids),
        ] {
            for id in ids
                .known_value()
                .into_iter()
                .flatten()
                .filter_map(|i| i.known())
            {
                let id = id.trim();
                if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
                    d.attribute_error(
                        AttributePath::attr_root(name),
                        format!("Invalid {name}"),
                        format!("{id:?} is not an account ID; give root account uins, digits only (e.g. \"100000000001\")."),
                    );
                }
            }
        }
        if let Some(e) = text(&self.sts_endpoint)
            && e.contains("://")
            && !(e.starts_with("http://") || e.starts_with("https://"))
        {
            d.attribute_error(
                AttributePath::attr_root("sts_endpoint"),
                "Invalid sts_endpoint",
                format!(
                    "sts_endpoint is {:?}; give an http:// or https:// URL, or a host name.",
                    without_user_info(&e)
                ),
            );
        }
    }
}

/// The attribute a credentials error concerns, when it is a provider argument (an environment
/// variable or a file is named in the message instead).
pub fn attribute_of(setting: &str) -> Option<AttributePath> {
    const TOP: [&str; 10] = [
        "secret_id",
        "secret_key",
        "security_token",
        "profile",
        "cam_role_name",
        "enable_pod_oidc",
        "sts_endpoint",
        "allowed_account_ids",
        "forbidden_account_ids",
        "region",
    ];
    if let Some((block, attr)) = setting.split_once('.')
        && BLOCKS.contains(&block)
        && attr.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        return Some(AttributePath::attr_root(block).index(0).attr(attr));
    }
    if BLOCKS.contains(&setting) || TOP.contains(&setting) {
        return Some(AttributePath::attr_root(setting));
    }
    None
}

/// Reports a failure to build the API client on the attribute it concerns.
pub fn report(e: &ConfigError, d: &mut Diagnostics) {
    match e {
        ConfigError::Setting { setting, detail } => match attribute_of(setting) {
            Some(path) => d.attribute_error(
                path,
                format!("Cannot authenticate: {setting}"),
                detail.clone(),
            ),
            None => d.error(
                format!("Cannot authenticate: {setting}"),
                format!("{setting}: {detail}"),
            ),
        },
        other => d.error(
            "Cannot configure the Tencent Cloud provider",
            other.to_string(),
        ),
    }
}
