//! One STS exchange (AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML, GetSessionToken)
//! as the settings describe it, with where each value came from, and running it: token files are
//! read here, at every run.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::error::ConfigError;
use crate::sts::{
    AssumeRoleRequest, SamlRequest, SessionTokenRequest, StsClient, TemporaryCredentials,
    WebIdentityRequest,
};

/// A value with where it came from (a setting such as `assume_role.role_arn`, or an environment
/// variable), so a refusal can name it.
#[derive(Clone, Debug)]
pub(super) struct Sourced {
    pub(super) value: String,
    pub(super) origin: String,
}

/// Where the web identity token comes from.
#[derive(Clone)]
pub(crate) enum TokenSource {
    Literal(String),
    /// Read at every refresh: CI runners and Kubernetes rotate it.
    File(PathBuf),
}

/// One STS exchange, with the origin of each setting it uses.
#[derive(Clone)]
pub(crate) enum Exchange {
    AssumeRole {
        block: String,
        req: AssumeRoleRequest,
    },
    WebIdentity {
        block: String,
        provider_id: String,
        token: TokenSource,
        role_arn: String,
        session_name: String,
        duration: Option<u64>,
    },
    Saml {
        block: String,
        req: SamlRequest,
    },
    SessionToken {
        block: String,
        req: SessionTokenRequest,
    },
}

/// Origins of the settings of one exchange, by field name (`role_arn`, `session_duration`…).
#[derive(Clone, Default, Debug)]
pub(crate) struct Origins(pub(super) BTreeMap<&'static str, String>);

impl Exchange {
    /// The setting block this exchange comes from.
    pub(crate) fn block(&self) -> &str {
        match self {
            Exchange::AssumeRole { block, .. }
            | Exchange::WebIdentity { block, .. }
            | Exchange::Saml { block, .. }
            | Exchange::SessionToken { block, .. } => block,
        }
    }

    /// The STS action.
    pub(crate) fn action(&self) -> &'static str {
        match self {
            Exchange::AssumeRole { .. } => "AssumeRole",
            Exchange::WebIdentity { .. } => "AssumeRoleWithWebIdentity",
            Exchange::Saml { .. } => "AssumeRoleWithSAML",
            Exchange::SessionToken { .. } => "GetSessionToken",
        }
    }

    /// Whether STS expects the call signed.
    pub(crate) fn signed(&self) -> bool {
        matches!(
            self,
            Exchange::AssumeRole { .. } | Exchange::SessionToken { .. }
        )
    }

    /// A description without secrets, e.g. `assume_role qcs::cam::uin/1:roleName/x`.
    pub(crate) fn describe(&self) -> String {
        match self {
            Exchange::AssumeRole { block, req } => format!("{block} {}", req.role_arn),
            Exchange::WebIdentity {
                block, role_arn, ..
            } => format!("{block} {role_arn}"),
            Exchange::Saml { block, req } => format!("{block} {}", req.role_arn),
            Exchange::SessionToken { block, req } => format!("{block} {}", req.serial_number),
        }
    }

    /// Runs the exchange once; failures name the setting they concern.
    pub(crate) async fn run(
        &self,
        sts: &StsClient,
        signer: Option<&super::Credentials>,
        origins: &Origins,
    ) -> Result<TemporaryCredentials, ConfigError> {
        let missing_signer = || ConfigError::Setting {
            setting: self.block().to_string(),
            detail: format!(
                "{} must be signed, but no base credentials were found.",
                self.action()
            ),
        };
        let result = match self {
            Exchange::AssumeRole { req, .. } => {
                sts.assume_role(signer.ok_or_else(missing_signer)?, req)
                    .await
            }
            Exchange::SessionToken { req, .. } => {
                sts.get_session_token(signer.ok_or_else(missing_signer)?, req)
                    .await
            }
            Exchange::Saml { req, .. } => sts.assume_role_with_saml(req).await,
            Exchange::WebIdentity {
                provider_id,
                token,
                role_arn,
                session_name,
                duration,
                ..
            } => {
                let token = match token {
                    TokenSource::Literal(t) => t.clone(),
                    TokenSource::File(path) => {
                        let origin = origins
                            .0
                            .get("web_identity_token_file")
                            .cloned()
                            .unwrap_or_else(|| format!("{}.web_identity_token_file", self.block()));
                        read_secret_file(
                            &Sourced {
                                value: path.display().to_string(),
                                origin,
                            },
                            "web_identity_token",
                        )?
                    }
                };
                let req = WebIdentityRequest {
                    provider_id: provider_id.clone(),
                    web_identity_token: token,
                    role_arn: role_arn.clone(),
                    role_session_name: session_name.clone(),
                    duration_seconds: *duration,
                };
                sts.assume_role_with_web_identity(&req).await
            }
        };
        result.map_err(|e| self.refusal(e, origins, sts))
    }
}

/// Reads a token or role ARN file: the raw value (as CI runners and TKE write it) or the
/// official provider's JSON form `{"<key>": "…"}`. Never quotes the content.
pub(super) fn read_secret_file(file: &Sourced, json_key: &str) -> Result<String, ConfigError> {
    let fail = |detail: String| ConfigError::Setting {
        setting: file.origin.clone(),
        detail,
    };
    let text = std::fs::read_to_string(&file.value).map_err(|e| {
        fail(format!(
            "cannot read {} ({e}). Make sure the file exists and is readable when Terraform runs (CI jobs write it in an earlier step).",
            file.value
        ))
    })?;
    let text = text.trim();
    let value = if text.starts_with('{') {
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v.get(json_key).and_then(|t| t.as_str()).map(str::to_string))
            .ok_or_else(|| fail(format!("{} is JSON but has no string {json_key:?}; write the raw value or {{\"{json_key}\": \"…\"}}.", file.value)))?
    } else {
        text.to_string()
    };
    if value.is_empty() {
        return Err(fail(format!("{} is empty.", file.value)));
    }
    Ok(value)
}

/// `url.QueryEscape`, as the official provider encodes `policy`.
pub(super) fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_files_hold_raw_or_json_tokens_and_are_never_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let raw = dir.path().join("raw");
        std::fs::write(&raw, "eyJraw.token.value\n").unwrap();
        let json = dir.path().join("json");
        std::fs::write(&json, r#"{"web_identity_token":"eyJjson.token"}"#).unwrap();
        let bad = dir.path().join("bad");
        std::fs::write(&bad, r#"{"other":"eyJsecret.value"}"#).unwrap();
        let s = |p: &std::path::Path| Sourced {
            value: p.display().to_string(),
            origin: "assume_role_with_web_identity.web_identity_token_file".into(),
        };
        assert_eq!(
            read_secret_file(&s(&raw), "web_identity_token").unwrap(),
            "eyJraw.token.value"
        );
        assert_eq!(
            read_secret_file(&s(&json), "web_identity_token").unwrap(),
            "eyJjson.token"
        );
        let e = read_secret_file(&s(&bad), "web_identity_token")
            .unwrap_err()
            .to_string();
        assert!(!e.contains("eyJsecret"), "{e}");
        let e =
            read_secret_file(&s(&dir.path().join("missing")), "web_identity_token").unwrap_err();
        assert!(
            matches!(&e, ConfigError::Setting { setting, .. } if setting.ends_with("web_identity_token_file")),
            "{e}"
        );
    }

    #[test]
    fn policy_is_query_escaped() {
        assert_eq!(url_encode(r#"{"a": "b*"}"#), "%7B%22a%22%3A+%22b%2A%22%7D");
    }
}
