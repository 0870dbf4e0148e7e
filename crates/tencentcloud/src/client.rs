//! The API 3.0 client: one HTTP connection pool, signing per attempt, the error envelope, retries
//! under a caller deadline, and per-action rate limits.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use super::credentials::{
    self, CredentialOptions, CredentialProvider, CredentialSource, Environment, SystemEnvironment,
};
use super::deadline::Deadline;
use super::endpoint::{EndpointOptions, is_loopback};
use super::error::{ApiError, ConfigError, TransportError, session_refusal};
use super::ratelimit::{DEFAULT_RATE_PER_SECOND, RateLimiter};
use super::redact::{quoted_body, redacted_body};
use super::retry::{RetryPolicy, Verdict, classify};
use super::sign::{self, SignRequest};

/// The `Content-Type` sent and signed (what the official SDKs send).
pub const CONTENT_TYPE: &str = "application/json";

/// Largest reply body read by default (8 MiB): real replies of the actions used here are a few
/// hundred KiB at most (a page of 100 target groups with their bindings), so this leaves plenty of
/// room while keeping a misbehaving endpoint from exhausting memory.
pub(crate) const DEFAULT_MAX_RESPONSE_BYTES: usize = 8 << 20;

/// How much of a non-200 body is kept for the error message; the rest is not read.
const MAX_STATUS_BODY_BYTES: usize = 16 << 10;

/// Settings of a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Explicit credentials and where to look for others.
    pub credentials: CredentialOptions,
    /// Region; else `TENCENTCLOUD_REGION`, the profile's `.configure`, `ap-guangzhou`.
    pub region: Option<String>,
    /// Where requests go.
    pub endpoint: EndpointOptions,
    /// Requests per second per action; 0 disables client-side limiting.
    pub rate_limit_per_second: u32,
    /// Timeout of one HTTP attempt (the call's deadline may cut it shorter).
    pub request_timeout: Duration,
    /// Backoff between attempts.
    pub retry: RetryPolicy,
    /// `X-TC-Language`: language of error messages.
    pub language: String,
    /// `X-TC-RequestClient`: names this software to the service.
    pub request_client: String,
    /// Largest reply body read; a longer one fails the call with [`ApiError::ResponseTooLarge`]
    /// while it is being read (see [`DEFAULT_MAX_RESPONSE_BYTES`]).
    pub max_response_bytes: usize,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            credentials: CredentialOptions::default(),
            region: None,
            endpoint: EndpointOptions::default(),
            rate_limit_per_second: DEFAULT_RATE_PER_SECOND,
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            language: "en-US".to_string(),
            request_client: default_request_client(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// `terraform-provider-tencentcloud-rs_<version>`; only characters the service accepts.
pub(crate) fn default_request_client() -> String {
    format!(
        "terraform-provider-tencentcloud-rs_{}",
        env!("CARGO_PKG_VERSION")
    )
}

/// Whether a call may be sent again after a failure that could have happened after it arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// Reads: safe to repeat, so network failures and `InternalError` are retried.
    Read,
    /// Writes: a network failure after sending, an HTTP 5xx or `InternalError` is reported
    /// as [`ApiError::OutcomeUnknown`] instead of being re-sent.
    Write,
}

/// Now in Unix seconds, as `X-TC-Timestamp` carries it.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The `Authorization` header of one API 3.0 call: a JSON `POST /` of `body` to `service` at
/// `host`, signed with `creds` (the CLB client and STS share it).
pub(crate) fn call_authorization(
    creds: &credentials::Credentials,
    service: &str,
    host: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    sign::authorization(&SignRequest {
        secret_id: &creds.secret_id,
        secret_key: &creds.secret_key,
        service,
        host,
        timestamp,
        method: "POST",
        canonical_uri: "/",
        canonical_query: "",
        content_type: CONTENT_TYPE,
        payload: body,
        extra_signed_headers: &[],
    })
}

/// A Tencent Cloud API 3.0 client. Cheap to clone; clones share the connection pool and the rate
/// limiter.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    credentials: CredentialProvider,
    region: String,
    endpoint: EndpointOptions,
    limiter: RateLimiter,
    request_timeout: Duration,
    retry: RetryPolicy,
    language: String,
    request_client: String,
    max_response_bytes: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("region", &self.inner.region)
            .field("endpoint", &self.inner.endpoint)
            .field("credentials", &self.inner.credentials)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds a client, running the credentials chain against the real environment.
    pub async fn new(config: ClientConfig) -> Result<Client, ConfigError> {
        Self::with_environment(config, &SystemEnvironment).await
    }

    /// Builds a client with environment variables and the home directory taken from `env`.
    pub async fn with_environment(
        config: ClientConfig,
        env: &dyn Environment,
    ) -> Result<Client, ConfigError> {
        if !is_valid_request_client(&config.request_client) {
            return Err(ConfigError::Invalid {
                name: "request_client".into(),
                detail: "use at most 128 characters from 0-9 a-z A-Z - _ , ; .".into(),
            });
        }
        if config.max_response_bytes == 0 {
            return Err(ConfigError::Invalid {
                name: "max_response_bytes".into(),
                detail: "must be greater than zero".into(),
            });
        }
        if config.request_timeout.is_zero() {
            return Err(ConfigError::Invalid {
                name: "request_timeout".into(),
                detail: "must be greater than zero".into(),
            });
        }
        // Validates the settings early, so a bad endpoint is reported at configuration time.
        let clb = config.endpoint.resolve("clb")?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(config.request_client.clone());
        if let Some(host) = clb.url.host_str()
            && is_loopback(host)
        {
            // A proxy from the environment must not swallow requests to a local emulator.
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| ConfigError::Http(e.to_string()))?;
        let resolved = credentials::resolve(
            &config.credentials,
            config.region.as_deref(),
            &config.endpoint,
            env,
            &http,
        )
        .await?;
        tracing::debug!(
            source = ?resolved.provider.source(),
            region = %resolved.region,
            endpoint = %clb.url,
            "Tencent Cloud client configured"
        );
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                credentials: resolved.provider,
                region: resolved.region,
                endpoint: config.endpoint,
                limiter: RateLimiter::new(config.rate_limit_per_second),
                request_timeout: config.request_timeout,
                retry: config.retry,
                language: config.language,
                request_client: config.request_client,
                max_response_bytes: config.max_response_bytes,
            }),
        })
    }

    /// The region every request is sent to.
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// The same client (connections, credentials, rate limits) sending its requests to `region`.
    pub fn in_region(&self, region: &str) -> Client {
        let i = &self.inner;
        Client {
            inner: Arc::new(Inner {
                http: i.http.clone(),
                credentials: i.credentials.clone(),
                region: region.to_string(),
                endpoint: i.endpoint.clone(),
                limiter: i.limiter.clone(),
                request_timeout: i.request_timeout,
                retry: i.retry.clone(),
                language: i.language.clone(),
                request_client: i.request_client.clone(),
                max_response_bytes: i.max_response_bytes,
            }),
        }
    }

    /// Calls `action` of `service` (e.g. `clb`, `2018-03-17`) and decodes the `Response` object.
    ///
    /// Retries retryable failures with exponential backoff and full jitter until `deadline`;
    /// every attempt is signed afresh and waits for the action's rate limiter.
    pub async fn call<Req, Resp>(
        &self,
        service: &str,
        version: &str,
        action: &str,
        req: &Req,
        kind: CallKind,
        deadline: &Deadline,
    ) -> Result<Resp, ApiError>
    where
        Req: Serialize + Sync,
        Resp: DeserializeOwned,
    {
        let body = serde_json::to_vec(req).map_err(|e| ApiError::Encode {
            action: action.to_string(),
            detail: e.to_string(),
        })?;
        self.call_bytes(service, version, action, body, kind, deadline)
            .await
    }

    async fn call_bytes<Resp: DeserializeOwned>(
        &self,
        service: &str,
        version: &str,
        action: &str,
        body: Vec<u8>,
        kind: CallKind,
        deadline: &Deadline,
    ) -> Result<Resp, ApiError> {
        let endpoint = self
            .inner
            .endpoint
            .resolve(service)
            .map_err(|e| ApiError::Config(e.to_string()))?;
        tracing::trace!(action, body = %redacted_body(&body), "request body");
        let mut last: Option<ApiError> = None;
        let mut attempt: u32 = 0;
        let mut session_renewed = false;
        loop {
            attempt += 1;
            let deadline_error = |last: Option<ApiError>| ApiError::DeadlineExceeded {
                action: Some(action.to_string()),
                last: last.map(Box::new),
            };
            if deadline.token().is_cancelled() {
                return Err(ApiError::Cancelled);
            }
            if Instant::now() >= deadline.instant() {
                return Err(deadline_error(last));
            }
            let granted = cancellable(
                deadline,
                self.inner
                    .limiter
                    .acquire_before(action, deadline.instant()),
            )
            .await?;
            if granted.is_err() {
                return Err(deadline_error(last));
            }

            let started = Instant::now();
            let creds = cancellable(deadline, self.inner.credentials.current()).await??;
            let result = cancellable(
                deadline,
                self.attempt(
                    &endpoint,
                    &creds,
                    (service, version, action),
                    &body,
                    deadline.instant(),
                ),
            )
            .await?;
            let latency_ms = started.elapsed().as_millis() as u64;
            let err = match result {
                Ok((request_id, value)) => {
                    tracing::debug!(action, attempt, request_id, latency_ms, "call succeeded");
                    return Ok(value);
                }
                Err(e) => e,
            };
            tracing::debug!(
                action,
                attempt,
                request_id = err.request_id().unwrap_or(""),
                code = err.code().unwrap_or(""),
                latency_ms,
                error = %err,
                "call attempt failed"
            );
            // A refused role session did nothing: renew it once and send the call again (a
            // session revoked, or cut short by clock skew, is usually fine when fresh).
            if err.code().is_some_and(session_refusal)
                && let CredentialSource::RoleSession(session) = self.inner.credentials.source()
            {
                let renewed = if session_renewed {
                    None
                } else {
                    self.inner.credentials.replace_refused_session(&creds).await
                };
                session_renewed = true;
                match renewed {
                    Some(Ok(())) => {
                        tracing::debug!(action, "role session refused; retrying with a fresh one");
                        last = Some(err);
                        continue;
                    }
                    _ => {
                        return Err(ApiError::RoleSessionRefused {
                            session: session.clone(),
                            cause: Box::new(err),
                        });
                    }
                }
            }
            match classify(&err, kind == CallKind::Read) {
                Verdict::Fail => return Err(err),
                Verdict::OutcomeUnknown => {
                    return Err(ApiError::OutcomeUnknown {
                        action: action.to_string(),
                        cause: Box::new(err),
                    });
                }
                Verdict::Retry => {}
            }
            if attempt >= self.inner.retry.max_attempts {
                return Err(err);
            }
            let delay = self.inner.retry.delay(attempt);
            let wake = Instant::now() + delay;
            if wake >= deadline.instant() {
                return Err(deadline_error(Some(err)));
            }
            tracing::debug!(
                action,
                attempt,
                delay_ms = delay.as_millis() as u64,
                "retrying"
            );
            last = Some(err);
            cancellable(deadline, tokio::time::sleep_until(wake)).await?;
        }
    }

    /// One signed HTTP attempt; returns the RequestId and the decoded `Response` object.
    async fn attempt<Resp: DeserializeOwned>(
        &self,
        endpoint: &super::endpoint::ResolvedEndpoint,
        creds: &credentials::Credentials,
        (service, version, action): (&str, &str, &str),
        body: &[u8],
        deadline: Instant,
    ) -> Result<(String, Resp), ApiError> {
        let timestamp = unix_now();
        let authorization = call_authorization(creds, service, &endpoint.host, timestamp, body);
        let remaining = deadline.saturating_duration_since(Instant::now());
        let timeout = self.inner.request_timeout.min(remaining);
        let mut request = self
            .inner
            .http
            .post(endpoint.url.clone())
            .timeout(timeout)
            .header(reqwest::header::HOST, &endpoint.host)
            .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
            .header(reqwest::header::AUTHORIZATION, authorization)
            .header("X-TC-Action", action)
            .header("X-TC-Version", version)
            .header("X-TC-Timestamp", timestamp.to_string())
            .header("X-TC-Region", &self.inner.region)
            .header("X-TC-Language", &self.inner.language)
            .header("X-TC-RequestClient", &self.inner.request_client)
            .body(body.to_vec());
        if let Some(token) = &creds.token {
            request = request.header("X-TC-Token", token);
        }
        let transport = |e: reqwest::Error| {
            ApiError::Transport(TransportError {
                action: action.to_string(),
                detail: describe_reqwest_error(&e),
                not_sent: e.is_connect(),
            })
        };
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            let bytes = read_at_most(&mut response, MAX_STATUS_BODY_BYTES, true)
                .await
                .map_err(transport)?;
            return Err(ApiError::HttpStatus {
                action: action.to_string(),
                status: status.as_u16(),
                body: quoted_body(bytes.as_deref().unwrap_or_default()),
            });
        }
        let limit = self.inner.max_response_bytes;
        let too_large = || ApiError::ResponseTooLarge {
            action: action.to_string(),
            limit,
        };
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let Some(bytes) = read_at_most(&mut response, limit, false)
            .await
            .map_err(transport)?
        else {
            return Err(too_large());
        };
        tracing::trace!(action, status = status.as_u16(), body = %redacted_body(&bytes), "response body");
        super::envelope::parse(action, &bytes)
    }
}

/// Reads the body chunk by chunk; `Ok(None)` as soon as it passes `limit` bytes (or, with `cut`,
/// the first `limit` bytes), so a huge or endless body never sits in memory.
async fn read_at_most(
    response: &mut reqwest::Response,
    limit: usize,
    cut: bool,
) -> Result<Option<Vec<u8>>, reqwest::Error> {
    let expected = response
        .content_length()
        .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let mut bytes = Vec::with_capacity(expected.min(limit));
    while let Some(chunk) = response.chunk().await? {
        if bytes.len() + chunk.len() > limit {
            if cut {
                bytes.extend_from_slice(&chunk[..limit - bytes.len()]);
                return Ok(Some(bytes));
            }
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}

/// Runs `fut` unless the deadline's token fires first (the instant is enforced by the caller,
/// which knows the last error to report with it).
async fn cancellable<F: Future>(deadline: &Deadline, fut: F) -> Result<F::Output, ApiError> {
    tokio::select! {
        biased;
        _ = deadline.token().cancelled() => Err(ApiError::Cancelled),
        out = fut => Ok(out),
    }
}

fn is_valid_request_client(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_,;.".contains(c))
}

/// A reqwest error with its cause chain (reqwest's own message alone is often just "error sending
/// request").
fn describe_reqwest_error(e: &reqwest::Error) -> String {
    let mut msg = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "could not connect".to_string()
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    msg
}
