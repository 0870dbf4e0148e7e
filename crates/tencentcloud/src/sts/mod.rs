//! STS (version 2018-08-13): the calls that turn one credential into another. AssumeRole and
//! GetCallerIdentity/GetSessionToken are signed; AssumeRoleWithWebIdentity and
//! AssumeRoleWithSAML are sent unsigned (`Authorization: SKIP`), as the service expects.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::client::{CONTENT_TYPE, call_authorization, unix_now};
use crate::credentials::Credentials;
use crate::endpoint::ResolvedEndpoint;
use crate::error::{ApiError, TransportError};
use crate::redact::{quoted_body, redacted_body};
use crate::retry::{RetryPolicy, Verdict, classify};

/// STS API version.
pub const VERSION: &str = "2018-08-13";
/// TC3 service name.
pub const SERVICE: &str = "sts";
/// Session length the official provider asks for when none is configured.
pub(crate) const DEFAULT_SESSION_SECONDS: u64 = 7200;
/// Longest role session STS grants.
pub const MAX_SESSION_SECONDS: u64 = 43_200;
/// Attempts per STS call (network errors, rate limits and internal errors are retried).
const ATTEMPTS: u32 = 4;

/// AssumeRole parameters.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssumeRoleRequest {
    /// `qcs::cam::uin/<owner>:roleName/<name>` or `…:role/<id>`.
    pub role_arn: String,
    /// Names the session in the role owner's audit trail.
    pub role_session_name: String,
    /// Session length in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
    /// Session policy (URL-encoded CAM policy JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The role's external ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Caller identity uin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_identity: Option<String>,
    /// MFA device.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// MFA code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_code: Option<String>,
}

/// AssumeRoleWithWebIdentity parameters.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WebIdentityRequest {
    /// The identity provider's name (`OIDC` by default in the official provider).
    pub provider_id: String,
    /// The OIDC token (JWT).
    pub web_identity_token: String,
    /// Role to assume.
    pub role_arn: String,
    /// Session name.
    pub role_session_name: String,
    /// Session length in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
}

/// AssumeRoleWithSAML parameters.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SamlRequest {
    /// Base64 SAML assertion.
    #[serde(rename = "SAMLAssertion")]
    pub saml_assertion: String,
    /// `qcs::cam::uin/<uin>:saml-provider/<name>`.
    pub principal_arn: String,
    /// Role to assume.
    pub role_arn: String,
    /// Session name.
    pub role_session_name: String,
    /// Session length in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
}

/// GetSessionToken parameters (MFA).
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SessionTokenRequest {
    /// MFA device, `qcs::cam:uin/<uin>::mfa/softToken`.
    pub serial_number: String,
    /// MFA code.
    pub token_code: String,
    /// Session length in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
}

/// Temporary credentials with their expiry.
#[derive(Clone, Debug)]
pub struct TemporaryCredentials {
    /// Key pair and token (`Debug` redacts them).
    pub credentials: Credentials,
    /// Unix seconds.
    pub expires_at: i64,
    /// RequestId of the call that issued them.
    pub request_id: String,
}

/// GetCallerIdentity's answer.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct CallerIdentity {
    /// Caller ARN.
    pub arn: String,
    /// Root account the caller acts in (a role session: the role's owner).
    pub account_id: String,
    /// User or `<roleId>:<session>`.
    #[serde(default)]
    pub user_id: String,
    /// Uin owning the key.
    #[serde(default)]
    pub principal_id: String,
    /// `CAMUser`, `CAMRole`, …
    #[serde(default, rename = "Type")]
    pub kind: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CredentialsReply {
    credentials: WireCredentials,
    expired_time: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireCredentials {
    token: String,
    tmp_secret_id: String,
    tmp_secret_key: String,
}

/// A client for STS at one endpoint and region.
#[derive(Clone, Debug)]
pub struct StsClient {
    http: reqwest::Client,
    endpoint: ResolvedEndpoint,
    region: String,
    request_client: String,
    retry: RetryPolicy,
}

impl StsClient {
    /// STS at `endpoint`, in `region`.
    pub fn new(
        http: reqwest::Client,
        endpoint: ResolvedEndpoint,
        region: &str,
        request_client: &str,
    ) -> Self {
        StsClient {
            http,
            endpoint,
            region: region.to_string(),
            request_client: request_client.to_string(),
            retry: RetryPolicy::default(),
        }
    }

    /// Where calls go.
    pub fn endpoint(&self) -> &ResolvedEndpoint {
        &self.endpoint
    }

    /// AssumeRole, signed with `signer`.
    pub async fn assume_role(
        &self,
        signer: &Credentials,
        req: &AssumeRoleRequest,
    ) -> Result<TemporaryCredentials, ApiError> {
        self.credentials_call("AssumeRole", req, Some(signer)).await
    }

    /// AssumeRoleWithWebIdentity (unsigned).
    pub async fn assume_role_with_web_identity(
        &self,
        req: &WebIdentityRequest,
    ) -> Result<TemporaryCredentials, ApiError> {
        self.credentials_call("AssumeRoleWithWebIdentity", req, None)
            .await
    }

    /// AssumeRoleWithSAML (unsigned).
    pub async fn assume_role_with_saml(
        &self,
        req: &SamlRequest,
    ) -> Result<TemporaryCredentials, ApiError> {
        self.credentials_call("AssumeRoleWithSAML", req, None).await
    }

    /// GetSessionToken (MFA), signed with long-term keys.
    pub(crate) async fn get_session_token(
        &self,
        signer: &Credentials,
        req: &SessionTokenRequest,
    ) -> Result<TemporaryCredentials, ApiError> {
        self.credentials_call("GetSessionToken", req, Some(signer))
            .await
    }

    /// GetCallerIdentity, signed with `signer`.
    pub async fn get_caller_identity(
        &self,
        signer: &Credentials,
    ) -> Result<CallerIdentity, ApiError> {
        let (_, value) = self
            .call("GetCallerIdentity", &serde_json::json!({}), Some(signer))
            .await?;
        serde_json::from_value(value).map_err(|e| ApiError::Decode {
            action: "GetCallerIdentity".into(),
            detail: format!("unexpected response fields: {e}"),
        })
    }

    async fn credentials_call<R: Serialize>(
        &self,
        action: &str,
        req: &R,
        signer: Option<&Credentials>,
    ) -> Result<TemporaryCredentials, ApiError> {
        let (request_id, value) = self.call(action, req, signer).await?;
        let reply: CredentialsReply =
            serde_json::from_value(value).map_err(|e| ApiError::Decode {
                action: action.to_string(),
                detail: format!("unexpected response fields: {e}"),
            })?;
        Ok(TemporaryCredentials {
            credentials: Credentials {
                secret_id: reply.credentials.tmp_secret_id,
                secret_key: reply.credentials.tmp_secret_key,
                token: Some(reply.credentials.token).filter(|t| !t.is_empty()),
            },
            expires_at: reply.expired_time,
            request_id,
        })
    }

    async fn call<R: Serialize>(
        &self,
        action: &str,
        req: &R,
        signer: Option<&Credentials>,
    ) -> Result<(String, serde_json::Value), ApiError> {
        let body = serde_json::to_vec(req).map_err(|e| ApiError::Encode {
            action: action.to_string(),
            detail: e.to_string(),
        })?;
        tracing::trace!(action, body = %redacted_body(&body), "STS request body");
        let mut attempt = 0;
        loop {
            attempt += 1;
            let err = match self.attempt(action, &body, signer).await {
                Ok(ok) => {
                    tracing::debug!(action, attempt, request_id = %ok.0, "STS call succeeded");
                    return Ok(ok);
                }
                Err(e) => e,
            };
            tracing::debug!(action, attempt, code = err.code().unwrap_or(""), request_id = err.request_id().unwrap_or(""), error = %err, "STS call failed");
            if classify(&err, true) != Verdict::Retry || attempt >= ATTEMPTS {
                return Err(err);
            }
            tokio::time::sleep(self.retry.delay(attempt).min(Duration::from_secs(5))).await;
        }
    }

    async fn attempt(
        &self,
        action: &str,
        body: &[u8],
        signer: Option<&Credentials>,
    ) -> Result<(String, serde_json::Value), ApiError> {
        let timestamp = unix_now();
        let authorization = match signer {
            Some(c) => call_authorization(c, SERVICE, &self.endpoint.host, timestamp, body),
            None => "SKIP".to_string(),
        };
        let mut request = self
            .http
            .post(self.endpoint.url.clone())
            .timeout(Duration::from_secs(30))
            .header(reqwest::header::HOST, &self.endpoint.host)
            .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
            .header(reqwest::header::AUTHORIZATION, authorization)
            .header("X-TC-Action", action)
            .header("X-TC-Version", VERSION)
            .header("X-TC-Timestamp", timestamp.to_string())
            .header("X-TC-Region", &self.region)
            .header("X-TC-Language", "en-US")
            .header("X-TC-RequestClient", &self.request_client)
            .body(body.to_vec());
        if let Some(token) = signer.and_then(|c| c.token.as_ref()) {
            request = request.header("X-TC-Token", token);
        }
        let transport = |e: reqwest::Error| {
            ApiError::Transport(TransportError {
                action: action.to_string(),
                detail: e.to_string(),
                not_sent: e.is_connect(),
            })
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(transport)?;
        tracing::trace!(action, status = status.as_u16(), body = %redacted_body(&bytes), "STS response body");
        if status != reqwest::StatusCode::OK {
            return Err(ApiError::HttpStatus {
                action: action.to_string(),
                status: status.as_u16(),
                body: quoted_body(&bytes),
            });
        }
        crate::envelope::parse(action, &bytes)
    }
}
