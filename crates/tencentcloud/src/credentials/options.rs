//! The settings of the STS exchanges, named as the official provider names them. `Debug` shows
//! no token, code or assertion.

use std::fmt;

/// `assume_role { … }`; unset fields fall back to `TENCENTCLOUD_ASSUME_ROLE_*`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AssumeRoleOptions {
    /// `role_arn`
    pub role_arn: Option<String>,
    /// `session_name`
    pub session_name: Option<String>,
    /// `session_duration` (seconds)
    pub session_duration: Option<u64>,
    /// `policy`: a CAM policy JSON narrowing the session (sent URL-encoded).
    pub policy: Option<String>,
    /// `external_id`
    pub external_id: Option<String>,
    /// `source_identity`
    pub source_identity: Option<String>,
    /// `serial_number` (MFA device)
    pub serial_number: Option<String>,
    /// `token_code` (MFA code)
    pub token_code: Option<String>,
}

/// `assume_role_with_web_identity { … }`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct WebIdentityOptions {
    /// `provider_id` (default `OIDC`)
    pub provider_id: Option<String>,
    /// `web_identity_token`
    pub web_identity_token: Option<String>,
    /// `web_identity_token_file`: re-read at every refresh.
    pub web_identity_token_file: Option<String>,
    /// `role_arn`
    pub role_arn: Option<String>,
    /// `role_arn_file`
    pub role_arn_file: Option<String>,
    /// `session_name`
    pub session_name: Option<String>,
    /// `session_duration`
    pub session_duration: Option<u64>,
}

/// `assume_role_with_saml { … }`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SamlOptions {
    /// `saml_assertion` (base64)
    pub saml_assertion: Option<String>,
    /// `principal_arn`
    pub principal_arn: Option<String>,
    /// `role_arn`
    pub role_arn: Option<String>,
    /// `session_name`
    pub session_name: Option<String>,
    /// `session_duration`
    pub session_duration: Option<u64>,
}

/// `mfa_certification { … }`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct MfaOptions {
    /// `serial_number`
    pub serial_number: Option<String>,
    /// `token_code`
    pub token_code: Option<String>,
    /// `duration_seconds` (default 1800)
    pub duration_seconds: Option<u64>,
}

macro_rules! debug_names_only {
    ($t:ty, $($f:ident),*) => {
        // Only non-secret fields; tokens, assertions and codes never reach a log.
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($t))
                    $(.field(stringify!($f), &self.$f))*
                    .finish_non_exhaustive()
            }
        }
    };
}
debug_names_only!(AssumeRoleOptions, role_arn, session_name, session_duration);
debug_names_only!(
    WebIdentityOptions,
    provider_id,
    web_identity_token_file,
    role_arn,
    session_name,
    session_duration
);
debug_names_only!(
    SamlOptions,
    principal_arn,
    role_arn,
    session_name,
    session_duration
);
debug_names_only!(MfaOptions, serial_number, duration_seconds);
