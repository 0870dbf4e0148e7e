//! Builds the exchange each setting asks for, with the official provider's environment variables
//! as fallbacks (a setting wins over its variable), remembering where each value came from.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use super::Environment;
use super::exchange::{Exchange, Origins, Sourced, TokenSource, read_secret_file, url_encode};
use super::options::{AssumeRoleOptions, MfaOptions, SamlOptions, WebIdentityOptions};
use crate::error::ConfigError;
use crate::sts::{self, AssumeRoleRequest, SamlRequest, SessionTokenRequest};

const ENV_PREFIX: &str = "TENCENTCLOUD_ASSUME_ROLE";

fn default_session_name() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("terraform-{secs}")
}

/// Reads settings of one block with their environment fallbacks.
struct Reader<'a> {
    block: &'static str,
    env: &'a dyn Environment,
    origins: Origins,
}

impl<'a> Reader<'a> {
    fn new(block: &'static str, env: &'a dyn Environment) -> Self {
        Reader {
            block,
            env,
            origins: Origins::default(),
        }
    }

    fn text(
        &mut self,
        field: &'static str,
        given: &Option<String>,
        env_names: &[&str],
    ) -> Option<Sourced> {
        let given = given
            .as_ref()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let found = match given {
            Some(v) => Some(Sourced {
                value: v,
                origin: format!("{}.{field}", self.block),
            }),
            None => env_names.iter().find_map(|n| {
                self.env.var(n).map(|v| Sourced {
                    value: v.trim().to_string(),
                    origin: n.to_string(),
                })
            }),
        };
        if let Some(s) = &found {
            self.origins.0.insert(field, s.origin.clone());
        }
        found
    }

    fn required(
        &mut self,
        field: &'static str,
        given: &Option<String>,
        env_names: &[&str],
    ) -> Result<Sourced, ConfigError> {
        self.text(field, given, env_names)
            .ok_or_else(|| ConfigError::Setting {
                setting: format!("{}.{field}", self.block),
                detail: format!(
                    "{field} is required in {} {{ … }}; set it there{}.",
                    self.block,
                    match env_names.first() {
                        Some(n) => format!(" or export {n}"),
                        None => String::new(),
                    }
                ),
            })
    }

    fn seconds(
        &mut self,
        field: &'static str,
        given: Option<u64>,
        env_name: &str,
        max: u64,
    ) -> Result<Option<u64>, ConfigError> {
        let (value, origin) = match given {
            Some(v) => (v, format!("{}.{field}", self.block)),
            None => match self.env.var(env_name) {
                Some(text) => {
                    let v = text.trim().parse::<u64>().map_err(|_| ConfigError::Setting {
                        setting: env_name.to_string(),
                        detail: format!("{env_name} is {text:?}; it must be a whole number of seconds up to {max}."),
                    })?;
                    (v, env_name.to_string())
                }
                None => return Ok(None),
            },
        };
        if value > max {
            return Err(ConfigError::Setting {
                setting: origin,
                detail: format!(
                    "{field} is {value} seconds; STS allows at most {max}. Use a shorter session: this provider refreshes it before it ends."
                ),
            });
        }
        self.origins.0.insert(field, origin);
        Ok(Some(value).filter(|v| *v > 0))
    }
}

impl Reader<'_> {
    /// The session name and length every role exchange takes, from the block or the
    /// environment.
    fn session(
        &mut self,
        name: &Option<String>,
        duration: Option<u64>,
    ) -> Result<(Sourced, Option<u64>), ConfigError> {
        let name = self.required("session_name", name, &[&env_name("SESSION_NAME")])?;
        let duration = self.seconds(
            "session_duration",
            duration,
            &env_name("SESSION_DURATION"),
            sts::MAX_SESSION_SECONDS,
        )?;
        Ok((name, duration))
    }
}

fn env_name(suffix: &str) -> String {
    format!("{ENV_PREFIX}_{suffix}")
}

impl Exchange {
    /// `assume_role` (from the block, else the environment when ARN and session name are set).
    pub(crate) fn assume_role(
        opts: Option<&AssumeRoleOptions>,
        env: &dyn Environment,
    ) -> Result<Option<(Exchange, Origins)>, ConfigError> {
        let from_env =
            env.var(&env_name("ARN")).is_some() && env.var(&env_name("SESSION_NAME")).is_some();
        let none = AssumeRoleOptions::default();
        let o = match opts {
            Some(o) => o,
            None if from_env => &none,
            None => return Ok(None),
        };
        let mut r = Reader::new("assume_role", env);
        let role_arn = r.required("role_arn", &o.role_arn, &[&env_name("ARN")])?;
        let (session_name, duration) = r.session(&o.session_name, o.session_duration)?;
        let policy = r.text("policy", &o.policy, &[]);
        let external_id = r.text("external_id", &o.external_id, &[&env_name("EXTERNAL_ID")]);
        let source_identity = r.text(
            "source_identity",
            &o.source_identity,
            &[&env_name("SOURCE_IDENTITY")],
        );
        let serial_number = r.text(
            "serial_number",
            &o.serial_number,
            &[&env_name("SERIAL_NUMBER")],
        );
        let token_code = r.text("token_code", &o.token_code, &[&env_name("TOKEN_CODE")]);
        let req = AssumeRoleRequest {
            role_arn: role_arn.value,
            role_session_name: session_name.value,
            duration_seconds: Some(duration.unwrap_or(sts::DEFAULT_SESSION_SECONDS)),
            policy: policy.map(|p| url_encode(&p.value)),
            external_id: external_id.map(|s| s.value),
            source_identity: source_identity.map(|s| s.value),
            serial_number: serial_number.map(|s| s.value),
            token_code: token_code.map(|s| s.value),
        };
        Ok(Some((
            Exchange::AssumeRole {
                block: "assume_role".into(),
                req,
            },
            r.origins,
        )))
    }

    /// A tccli profile's `role-arn`: AssumeRole for 7200 s, signed with the profile's keys.
    pub(crate) fn profile_role(
        profile_path: &std::path::Path,
        role_arn: String,
        session_name: Option<String>,
    ) -> (Exchange, Origins) {
        let origin = format!("{} role-arn", profile_path.display());
        let mut origins = Origins::default();
        origins.0.insert("role_arn", origin.clone());
        (
            Exchange::AssumeRole {
                block: origin,
                req: AssumeRoleRequest {
                    role_arn,
                    role_session_name: session_name.unwrap_or_else(default_session_name),
                    duration_seconds: Some(sts::DEFAULT_SESSION_SECONDS),
                    ..Default::default()
                },
            },
            origins,
        )
    }

    /// `assume_role_with_web_identity` (block, or the environment with a token or token file).
    pub(crate) fn web_identity(
        opts: Option<&WebIdentityOptions>,
        env: &dyn Environment,
    ) -> Result<Option<(Exchange, Origins)>, ConfigError> {
        let from_env = env.var(&env_name("ARN")).is_some()
            && env.var(&env_name("SESSION_NAME")).is_some()
            && (env.var(&env_name("WEB_IDENTITY_TOKEN")).is_some()
                || env.var(&env_name("WEB_IDENTITY_TOKEN_FILE")).is_some());
        let none = WebIdentityOptions::default();
        let o = match opts {
            Some(o) => o,
            None if from_env => &none,
            None => return Ok(None),
        };
        let mut r = Reader::new("assume_role_with_web_identity", env);
        let provider_id = r
            .text("provider_id", &o.provider_id, &[&env_name("PROVIDER_ID")])
            .map_or_else(|| "OIDC".to_string(), |s| s.value);
        let token = match r.text(
            "web_identity_token",
            &o.web_identity_token,
            &[&env_name("WEB_IDENTITY_TOKEN")],
        ) {
            Some(t) => TokenSource::Literal(t.value),
            None => {
                let file = r
                    .text("web_identity_token_file", &o.web_identity_token_file, &[&env_name("WEB_IDENTITY_TOKEN_FILE")])
                    .ok_or_else(|| ConfigError::Setting {
                        setting: "assume_role_with_web_identity.web_identity_token_file".into(),
                        detail: "set web_identity_token_file (a file your CI or cluster writes the OIDC token to) or web_identity_token, or export TENCENTCLOUD_ASSUME_ROLE_WEB_IDENTITY_TOKEN_FILE.".into(),
                    })?;
                TokenSource::File(PathBuf::from(file.value))
            }
        };
        let role_arn = match r.text("role_arn", &o.role_arn, &[&env_name("ARN")]) {
            Some(a) => a.value,
            None => {
                // The official provider reads TENCENTCLOUD_ASSUME_ROLE_ARNN_FILE; both spellings work here.
                let file = r
                    .text("role_arn_file", &o.role_arn_file, &[&env_name("ARN_FILE"), &env_name("ARNN_FILE")])
                    .ok_or_else(|| ConfigError::Setting {
                        setting: "assume_role_with_web_identity.role_arn".into(),
                        detail: "role_arn is required in assume_role_with_web_identity { … }; set it there, set role_arn_file, or export TENCENTCLOUD_ASSUME_ROLE_ARN.".into(),
                    })?;
                read_secret_file(&file, "role_arn")?
            }
        };
        let (session_name, duration) = r.session(&o.session_name, o.session_duration)?;
        Ok(Some((
            Exchange::WebIdentity {
                block: "assume_role_with_web_identity".into(),
                provider_id,
                token,
                role_arn,
                session_name: session_name.value,
                duration: Some(duration.unwrap_or(sts::DEFAULT_SESSION_SECONDS)),
            },
            r.origins,
        )))
    }

    /// `enable_pod_oidc`: the TKE_* variables a TKE pod with OIDC gets.
    pub(crate) fn pod_oidc(
        env: &dyn Environment,
    ) -> Result<(Exchange, Origins, String), ConfigError> {
        let need = |name: &str| {
            env.var(name).ok_or_else(|| ConfigError::Setting {
                setting: "enable_pod_oidc".into(),
                detail: format!("enable_pod_oidc is true but {name} is not set; it is set in TKE pods with OIDC enabled (TKE_REGION, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_PROVIDER_ID, TKE_ROLE_ARN)."),
            })
        };
        let region = need("TKE_REGION")?;
        let file = need("TKE_WEB_IDENTITY_TOKEN_FILE")?;
        let provider_id = need("TKE_PROVIDER_ID")?;
        let role_arn = need("TKE_ROLE_ARN")?;
        let mut origins = Origins::default();
        for (f, n) in [
            ("web_identity_token_file", "TKE_WEB_IDENTITY_TOKEN_FILE"),
            ("role_arn", "TKE_ROLE_ARN"),
            ("provider_id", "TKE_PROVIDER_ID"),
        ] {
            origins.0.insert(f, n.to_string());
        }
        Ok((
            Exchange::WebIdentity {
                block: "enable_pod_oidc".into(),
                provider_id,
                token: TokenSource::File(PathBuf::from(file)),
                role_arn,
                session_name: default_session_name(),
                duration: Some(sts::DEFAULT_SESSION_SECONDS),
            },
            origins,
            region,
        ))
    }

    /// `assume_role_with_saml` (block, or the environment with an assertion and principal).
    pub(crate) fn saml(
        opts: Option<&SamlOptions>,
        env: &dyn Environment,
    ) -> Result<Option<(Exchange, Origins)>, ConfigError> {
        let from_env = env.var(&env_name("ARN")).is_some()
            && env.var(&env_name("SESSION_NAME")).is_some()
            && env.var(&env_name("SAML_ASSERTION")).is_some()
            && env.var(&env_name("PRINCIPAL_ARN")).is_some();
        let none = SamlOptions::default();
        let o = match opts {
            Some(o) => o,
            None if from_env => &none,
            None => return Ok(None),
        };
        let mut r = Reader::new("assume_role_with_saml", env);
        let assertion = r.required(
            "saml_assertion",
            &o.saml_assertion,
            &[&env_name("SAML_ASSERTION")],
        )?;
        let principal = r.required(
            "principal_arn",
            &o.principal_arn,
            &[&env_name("PRINCIPAL_ARN")],
        )?;
        let role_arn = r.required("role_arn", &o.role_arn, &[&env_name("ARN")])?;
        let (session_name, duration) = r.session(&o.session_name, o.session_duration)?;
        Ok(Some((
            Exchange::Saml {
                block: "assume_role_with_saml".into(),
                req: SamlRequest {
                    saml_assertion: assertion.value,
                    principal_arn: principal.value,
                    role_arn: role_arn.value,
                    role_session_name: session_name.value,
                    duration_seconds: Some(duration.unwrap_or(sts::DEFAULT_SESSION_SECONDS)),
                },
            },
            r.origins,
        )))
    }

    /// `mfa_certification` (block, else `TENCENTCLOUD_MFA_CERTIFICATION_*`).
    pub(crate) fn mfa(
        opts: Option<&MfaOptions>,
        env: &dyn Environment,
    ) -> Result<Option<(Exchange, Origins)>, ConfigError> {
        let from_env = env
            .var("TENCENTCLOUD_MFA_CERTIFICATION_SERIAL_NUMBER")
            .is_some()
            && env
                .var("TENCENTCLOUD_MFA_CERTIFICATION_TOKEN_CODE")
                .is_some();
        let none = MfaOptions::default();
        let o = match opts {
            Some(o) => o,
            None if from_env => &none,
            None => return Ok(None),
        };
        let mut r = Reader::new("mfa_certification", env);
        let serial = r.required(
            "serial_number",
            &o.serial_number,
            &["TENCENTCLOUD_MFA_CERTIFICATION_SERIAL_NUMBER"],
        )?;
        let code = r.required(
            "token_code",
            &o.token_code,
            &["TENCENTCLOUD_MFA_CERTIFICATION_TOKEN_CODE"],
        )?;
        let duration = r.seconds(
            "duration_seconds",
            o.duration_seconds,
            "TENCENTCLOUD_MFA_CERTIFICATION_DURATION_SECONDS",
            129_600,
        )?;
        Ok(Some((
            Exchange::SessionToken {
                block: "mfa_certification".into(),
                req: SessionTokenRequest {
                    serial_number: serial.value,
                    token_code: code.value,
                    duration_seconds: Some(duration.unwrap_or(1800)),
                },
            },
            r.origins,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::StaticEnvironment;

    #[test]
    fn block_values_win_over_environment_and_origins_are_named() {
        let env = StaticEnvironment::default()
            .set(
                "TENCENTCLOUD_ASSUME_ROLE_ARN",
                "qcs::cam::uin/1:roleName/env",
            )
            .set("TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME", "env-session")
            .set("TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID", "ext-env");
        let opts = AssumeRoleOptions {
            role_arn: Some("qcs::cam::uin/1:roleName/block".into()),
            ..Default::default()
        };
        let (Exchange::AssumeRole { req, .. }, origins) =
            Exchange::assume_role(Some(&opts), &env).unwrap().unwrap()
        else {
            panic!()
        };
        assert_eq!(req.role_arn, "qcs::cam::uin/1:roleName/block");
        assert_eq!(req.role_session_name, "env-session");
        assert_eq!(req.external_id.as_deref(), Some("ext-env"));
        assert_eq!(req.duration_seconds, Some(7200));
        assert_eq!(origins.0["role_arn"], "assume_role.role_arn");
        assert_eq!(
            origins.0["external_id"],
            "TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID"
        );
        // From the environment alone when ARN and session name are both set.
        assert!(Exchange::assume_role(None, &env).unwrap().is_some());
        assert!(
            Exchange::assume_role(None, &StaticEnvironment::default())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn out_of_range_and_missing_settings_are_named() {
        let env = StaticEnvironment::default();
        let opts = AssumeRoleOptions {
            role_arn: Some("qcs::cam::uin/1:roleName/x".into()),
            session_name: Some("s".into()),
            session_duration: Some(50_000),
            ..Default::default()
        };
        let e = Exchange::assume_role(Some(&opts), &env).err().unwrap();
        assert!(
            matches!(&e, ConfigError::Setting { setting, .. } if setting == "assume_role.session_duration"),
            "{e}"
        );
        let e = Exchange::assume_role(Some(&AssumeRoleOptions::default()), &env)
            .err()
            .unwrap();
        assert!(
            matches!(&e, ConfigError::Setting { setting, .. } if setting == "assume_role.role_arn"),
            "{e}"
        );
        let env = env.set("TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION", "long");
        let e = Exchange::assume_role(
            Some(&AssumeRoleOptions {
                session_duration: None,
                ..opts
            }),
            &env,
        )
        .err()
        .unwrap();
        assert!(
            matches!(&e, ConfigError::Setting { setting, .. } if setting == "TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION"),
            "{e}"
        );
    }

    #[test]
    fn arnn_file_spelling_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let arn_file = dir.path().join("arn");
        std::fs::write(
            &arn_file,
            r#"{"role_arn":"qcs::cam::uin/1:roleName/from-file"}"#,
        )
        .unwrap();
        let env = StaticEnvironment::default()
            .set(
                "TENCENTCLOUD_ASSUME_ROLE_ARNN_FILE",
                arn_file.to_str().unwrap(),
            )
            .set("TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME", "ci")
            .set("TENCENTCLOUD_ASSUME_ROLE_WEB_IDENTITY_TOKEN", "t");
        let opts = WebIdentityOptions::default();
        let (
            Exchange::WebIdentity {
                role_arn,
                provider_id,
                ..
            },
            _,
        ) = Exchange::web_identity(Some(&opts), &env).unwrap().unwrap()
        else {
            panic!()
        };
        assert_eq!(role_arn, "qcs::cam::uin/1:roleName/from-file");
        assert_eq!(provider_id, "OIDC");
    }
}
