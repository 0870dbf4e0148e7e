//! The schema of the authentication attributes and blocks, with their descriptions.

use tfplug::schema::{Attribute, Block, NestedBlock};
use tfplug::value::Type;

/// Adds the authentication attributes and blocks to the provider block.
pub fn schema(block: Block) -> Block {
    let s = |name: &str, desc: &str| Attribute::string(name).optional().description(desc);
    let n = |name: &str, desc: &str| Attribute::number(name).optional().description(desc);
    let one = |name: &str, b: Block| NestedBlock::list(name, b).items(0, 1);
    let duration = "Session length in seconds, at most 43200 (default 7200). The session is refreshed before it ends, however long the run.";
    block
        .attribute(s("cam_role_name", "Name of the CAM role bound to this CVM instance; its credentials come from the metadata service and replace any keys. Falls back to TENCENTCLOUD_CAM_ROLE_NAME."))
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
