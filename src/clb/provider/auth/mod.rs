//! The provider block's authentication settings beyond a key pair, named as the official
//! provider names them: `assume_role`, `assume_role_with_web_identity`, `assume_role_with_saml`,
//! `mfa_certification`, `enable_pod_oidc`, `cam_role_name`, `sts_endpoint` and the account
//! guards. Their environment fallbacks are read by the API client's credentials chain.

use serde::{Deserialize, Serialize};

use tencentcloud::credentials::{AssumeRoleOptions, MfaOptions, SamlOptions, WebIdentityOptions};
use tencentcloud::error::ConfigError;
use tencentcloud::redact::without_user_info;
use tfplug::diag::Diagnostics;
use tfplug::value::{AttributePath, Unknowable};

/// Longest role session STS grants, in seconds.
const MAX_SESSION_SECONDS: f64 = 43_200.0;
/// Longest MFA session (a sub-account's), in seconds.
const MAX_MFA_SECONDS: f64 = 129_600.0;

mod schema;

pub use schema::schema;

/// The nested blocks, each at most once (written `assume_role { … }` as for the official provider).
pub(crate) const BLOCKS: [&str; 4] = [
    "assume_role",
    "assume_role_with_web_identity",
    "assume_role_with_saml",
    "mfa_certification",
];

type Text = Unknowable<Option<String>>;
type Num = Unknowable<Option<f64>>;

/// `assume_role { … }` as configured.
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct AssumeRoleModel {
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
pub(crate) struct WebIdentityModel {
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
pub(crate) struct SamlModel {
    saml_assertion: Text,
    principal_arn: Text,
    role_arn: Text,
    session_name: Text,
    session_duration: Num,
}

/// `mfa_certification { … }` as configured.
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct MfaModel {
    serial_number: Text,
    token_code: Text,
    duration_seconds: Num,
}

type Blocks<T> = Unknowable<Option<Vec<T>>>;
type Ids = Unknowable<Option<Vec<Unknowable<String>>>>;

/// The authentication part of the provider block as configured (no `Debug`: it holds secrets).
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct AuthModel {
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
pub(crate) fn attribute_of(setting: &str) -> Option<AttributePath> {
    const TOP: [&str; 8] = [
        "secret_id",
        "profile",
        "cam_role_name",
        "enable_pod_oidc",
        "sts_endpoint",
        "allowed_account_ids",
        "forbidden_account_ids",
        "region",
    ];
    // Terraform quotes the configuration line an error points at: for a secret, point at its
    // block instead, so the value written there is not printed.
    const SECRET: [&str; 3] = ["token_code", "web_identity_token", "saml_assertion"];
    if let Some((block, attr)) = setting.split_once('.')
        && BLOCKS.contains(&block)
        && attr.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        let element = AttributePath::attr_root(block).index(0);
        return Some(if SECRET.contains(&attr) {
            element
        } else {
            element.attr(attr)
        });
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

#[cfg(test)]
mod tests {
    use super::*;
    use Unknowable::{Known, Unknown};
    use tfplug::schema::Block;

    fn known(s: &str) -> Text {
        Known(Some(s.to_string()))
    }

    fn paths(d: &Diagnostics) -> Vec<String> {
        d.iter()
            .map(|d| {
                d.attribute
                    .as_ref()
                    .map(|a| a.to_string())
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn secrets_are_sensitive_and_everything_is_described() {
        let block = schema(Block::new());
        for (b, a) in [
            ("assume_role", "token_code"),
            ("assume_role_with_web_identity", "web_identity_token"),
            ("assume_role_with_saml", "saml_assertion"),
            ("mfa_certification", "token_code"),
        ] {
            let nested = block.blocks.iter().find(|n| n.type_name == b).unwrap();
            assert_eq!(nested.max_items, 1, "{b}");
            assert!(nested.block.get_attribute(a).unwrap().sensitive, "{b}.{a}");
            assert!(
                nested
                    .block
                    .attributes
                    .iter()
                    .all(|a| !a.description.is_empty())
            );
        }
        assert!(block.attributes.iter().all(|a| !a.description.is_empty()));
    }

    #[test]
    fn errors_land_on_the_attribute_they_concern() {
        let at = |s: &str| attribute_of(s).map(|p| p.to_string());
        assert_eq!(
            at("assume_role.external_id"),
            Some(
                AttributePath::attr_root("assume_role")
                    .index(0)
                    .attr("external_id")
                    .to_string()
            )
        );
        assert_eq!(
            at("allowed_account_ids"),
            Some(AttributePath::attr_root("allowed_account_ids").to_string())
        );
        assert!(at("mfa_certification").is_some());
        // Environment variables and files are named in the message instead.
        assert_eq!(at("TENCENTCLOUD_ASSUME_ROLE_ARN"), None);
        assert_eq!(at("/home/ci/.tccli/default.credential role-arn"), None);
        assert_eq!(at("assume_role.Role-Arn"), None);
        // Secrets: the block, so Terraform does not quote the line holding the value.
        assert_eq!(
            at("mfa_certification.token_code"),
            Some(
                AttributePath::attr_root("mfa_certification")
                    .index(0)
                    .to_string()
            )
        );
        assert_eq!(at("secret_key"), None);
    }

    #[test]
    fn offline_checks_point_at_attributes() {
        let m = AuthModel {
            assume_role: Known(Some(vec![AssumeRoleModel {
                session_duration: Known(Some(43_201.0)),
                policy: known("not json"),
                ..Default::default()
            }])),
            assume_role_with_web_identity: Known(Some(vec![WebIdentityModel {
                session_duration: Known(Some(1.5)),
                ..Default::default()
            }])),
            assume_role_with_saml: Known(Some(vec![SamlModel::default()])),
            allowed_account_ids: Known(Some(vec![Known("1000x".into())])),
            forbidden_account_ids: Known(Some(vec![Known("100000000001".into())])),
            sts_endpoint: known("ftp://sts.example"),
            ..Default::default()
        };
        let mut d = Diagnostics::default();
        m.check(&mut d);
        let p = paths(&d);
        for want in [
            "assume_role[0].session_duration",
            "assume_role[0].policy",
            "assume_role_with_web_identity[0].session_duration",
            "assume_role_with_saml",
            "forbidden_account_ids",
            "allowed_account_ids",
            "sts_endpoint",
        ] {
            assert!(p.iter().any(|x| x == want), "{want} not in {p:?}");
        }
        let mut ok = Diagnostics::default();
        AuthModel {
            assume_role: Known(Some(vec![AssumeRoleModel {
                session_duration: Known(Some(43_200.0)),
                policy: known(r#"{"version":"2.0","statement":[]}"#),
                ..Default::default()
            }])),
            allowed_account_ids: Known(Some(vec![Known("100000000001".into())])),
            sts_endpoint: known("sts.internal.example"),
            ..Default::default()
        }
        .check(&mut ok);
        assert!(!ok.has_errors(), "{:?}", paths(&ok));
    }

    #[test]
    fn unknown_values_are_named_and_known_ones_read() {
        let m = AuthModel {
            assume_role: Known(Some(vec![AssumeRoleModel {
                role_arn: Unknown,
                ..Default::default()
            }])),
            allowed_account_ids: Known(Some(vec![Unknown])),
            ..Default::default()
        };
        assert_eq!(m.unknown(), ["allowed_account_ids", "assume_role.role_arn"]);
        let m = AuthModel {
            assume_role: Known(Some(vec![AssumeRoleModel {
                role_arn: known(" qcs::cam::uin/1:roleName/x "),
                session_duration: Known(Some(900.0)),
                token_code: known("123456"),
                ..Default::default()
            }])),
            enable_pod_oidc: Known(Some(true)),
            ..Default::default()
        };
        assert!(m.unknown().is_empty());
        let s = m.settings();
        let a = s.assume_role.as_ref().unwrap();
        assert_eq!(a.role_arn.as_deref(), Some("qcs::cam::uin/1:roleName/x"));
        assert_eq!(a.session_duration, Some(900));
        assert!(s.enable_pod_oidc);
        assert!(!format!("{s:?}").contains("123456"), "{s:?}");
    }
}
