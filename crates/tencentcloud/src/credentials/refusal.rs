//! What a refused STS exchange means for the user: the setting it concerns, the API code and
//! RequestId, and what to do.

use super::exchange::{Exchange, Origins};
use crate::error::{ApiError, ConfigError};
use crate::sts::{self, StsClient};

impl Exchange {
    /// Turns an STS failure into a diagnostic naming the setting, the code and RequestId, and
    /// what to do.
    pub(super) fn refusal(&self, e: ApiError, origins: &Origins, sts: &StsClient) -> ConfigError {
        let origin = |field: &str| {
            origins
                .0
                .get(field)
                .cloned()
                .unwrap_or_else(|| format!("{}.{field}", self.block()))
        };
        let action = self.action();
        let ApiError::Api {
            code,
            message,
            request_id,
        } = &e
        else {
            return ConfigError::Setting {
                setting: self.block().to_string(),
                detail: format!(
                    "STS {action} at {} failed: {e}. Check sts_endpoint (or endpoint/domain) and the network, then retry.",
                    crate::redact::without_user_info(sts.endpoint().url.as_str())
                ),
            };
        };
        let said = format!(
            "STS {action} refused with {code} (RequestId {request_id}): {}",
            message.trim_end().trim_end_matches('.')
        );
        let message_lower = message.to_ascii_lowercase();
        let (setting, advice) = match code.as_str() {
            "ResourceNotFound.RoleNotFound" => (origin("role_arn"), "Check that role_arn names an existing role, as qcs::cam::uin/<owner uin>:roleName/<name>.".to_string()),
            "UnauthorizedOperation" if message_lower.contains("externalid") => (origin("external_id"), "Set external_id to the value the role's owner gave you.".to_string()),
            "UnauthorizedOperation" => (origin("role_arn"), "The role's trust policy does not let this caller assume it: ask the role's owner to trust your account (or identity provider), or use a role that does.".to_string()),
            "InvalidParameter.WebIdentityTokenError" => (
                origins.0.get("web_identity_token").cloned().unwrap_or_else(|| origin("web_identity_token_file")),
                "Give a current token from the identity provider the role trusts (provider_id), with the audience it expects; CI tokens are short-lived, so fetch it in the same job.".to_string(),
            ),
            "InvalidParameter.OverTimeError" => (origin("session_duration"), format!("Use at most {} seconds.", sts::MAX_SESSION_SECONDS)),
            "InvalidParameter.StrategyFormatError" | "InvalidParameter.StrategyInvalid" | "InvalidParameter.PolicyTooLong" => (origin("policy"), "Give a CAM policy JSON with version \"2.0\" and statements, without a principal.".to_string()),
            "FailedOperation.CheckMFAError" | "AuthFailure.MFAFailure" => (origin("token_code"), "Give the current code of the MFA device.".to_string()),
            c if c.starts_with("AuthFailure") => (
                self.block().to_string(),
                "The credentials that sign this call were refused: check secret_id/secret_key (or the profile) they come from.".to_string(),
            ),
            _ => (self.block().to_string(), "Check the settings of this block.".to_string()),
        };
        ConfigError::Setting {
            setting,
            detail: format!("{said}. {advice}"),
        }
    }
}
