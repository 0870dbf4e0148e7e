//! Typed errors of the API client: failures of a call ([`ApiError`]) and of building a client
//! ([`ConfigError`]).

use std::fmt;

pub use crate::clb::codes::{ClbObject, CodePattern, not_found_codes, refusal_names};

/// Why one API call failed.
///
/// The variants are distinct so that callers (and the retry policy) can tell "the cloud said no"
/// from "we never got an answer".
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The service answered with the `Response.Error` envelope.
    #[error("{code}: {message} (RequestId: {request_id})")]
    Api {
        /// Dotted error code, e.g. `InvalidParameter.LBIdNotFound`.
        code: String,
        /// The service's message (English, since the client asks for `en-US`).
        message: String,
        /// RequestId of the failed call; quote it when contacting support.
        request_id: String,
    },
    /// The request did not get an HTTP answer (connect failure, timeout, reset).
    #[error("network error calling {0}")]
    Transport(TransportError),
    /// A write failed after the request may have reached the service (dropped connection,
    /// timeout, HTTP 5xx, `InternalError`), so it may or may not have taken effect. Read the
    /// resource back before deciding to send it again.
    #[error(
        "the outcome of {action} is unknown ({cause}). The request may or may not have been applied; \
         read the resource back before retrying"
    )]
    OutcomeUnknown {
        /// Action that was sent.
        action: String,
        /// The failure that left the outcome open.
        cause: Box<ApiError>,
    },
    /// The service (or something in between) answered with a non-200 HTTP status.
    #[error("{action} returned HTTP status {status}: {body}")]
    HttpStatus {
        /// Action that was sent.
        action: String,
        /// HTTP status code.
        status: u16,
        /// Start of the response body, for diagnosis.
        body: String,
    },
    /// The answer was HTTP 200 but not a valid API 3.0 envelope for this action.
    #[error("malformed reply to {action}: {detail}")]
    Decode {
        /// Action that was sent.
        action: String,
        /// What did not parse, with the start of the body.
        detail: String,
    },
    /// The reply body passed the client's size limit while it was being read; the rest was not
    /// read. For a write, the outcome is unknown (the request did arrive).
    #[error(
        "the reply to {action} is larger than {limit} bytes, the most this client reads; \
         the endpoint (or a proxy in between) is not answering as the API does"
    )]
    ResponseTooLarge {
        /// Action that was sent.
        action: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// The request parameters could not be encoded as JSON.
    #[error("cannot encode the parameters of {action}: {detail}")]
    Encode {
        /// Action that was being prepared.
        action: String,
        /// The serializer's message.
        detail: String,
    },
    /// The client's settings do not allow this call (e.g. no usable endpoint for the service).
    #[error("client configuration error: {0}")]
    Config(String),
    /// Credentials could not be obtained (e.g. the instance metadata service stopped answering).
    #[error("cannot obtain credentials: {0}")]
    Credentials(String),
    /// The caller's deadline passed; `action` is the call under way, `last` the error of the
    /// last attempt, if any.
    #[error(
        "{} ran out of time{}",
        action.as_deref().unwrap_or("the call"),
        last.as_ref().map(|e| format!(" (last error: {e})")).unwrap_or_default()
    )]
    DeadlineExceeded {
        /// The action under way when time ran out, when one was.
        action: Option<String>,
        /// The last error seen before giving up.
        last: Option<Box<ApiError>>,
    },
    /// The caller cancelled the call. If a write was in flight it may still have been applied.
    #[error("the call was cancelled")]
    Cancelled,
    /// A call signed with a role session (assume_role, web identity, SAML) was refused for the
    /// session ([`session_refusal`]), and so was its one retry with a fresh session (or no fresh
    /// session could be had). Nothing was done.
    #[error("the role session ({session}) was refused: {cause}")]
    RoleSessionRefused {
        /// What was assumed (no secrets).
        session: String,
        /// The refusal.
        cause: Box<ApiError>,
    },
}

/// True for the codes with which the API refuses temporary credentials themselves (their token
/// or their temporary SecretId), rather than what the call asks: a fresh session may pass.
pub(crate) fn session_refusal(code: &str) -> bool {
    matches!(
        code,
        "AuthFailure.TokenFailure" | "AuthFailure.SecretIdNotFound"
    )
}

/// Details of a network-level failure.
#[derive(Debug, Clone)]
pub struct TransportError {
    /// Action that was sent.
    pub action: String,
    /// Human-readable cause chain.
    pub detail: String,
    /// True when the request certainly never reached the server (connection refused, DNS), so
    /// even a write can be re-sent safely.
    pub not_sent: bool,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.action, self.detail)
    }
}

impl ApiError {
    /// The API error code, for [`ApiError::Api`] (or the last attempt's code behind a deadline).
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Api { code, .. } => Some(code),
            ApiError::DeadlineExceeded {
                last: Some(last), ..
            } => last.code(),
            ApiError::OutcomeUnknown { cause, .. } | ApiError::RoleSessionRefused { cause, .. } => {
                cause.code()
            }
            _ => None,
        }
    }

    /// The RequestId of the failed call, when the service sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ApiError::Api { request_id, .. } => Some(request_id),
            ApiError::DeadlineExceeded {
                last: Some(last), ..
            } => last.request_id(),
            ApiError::OutcomeUnknown { cause, .. } | ApiError::RoleSessionRefused { cause, .. } => {
                cause.request_id()
            }
            _ => None,
        }
    }

    /// True when the cloud answered that `object` does not exist: only the exact codes listed in
    /// [`not_found_codes`] count. Any other failure (authentication, permissions, throttling, an
    /// unknown code, no answer at all) says nothing about whether the object exists.
    pub fn says_absent(&self, object: ClbObject) -> bool {
        match self {
            ApiError::Api { code, .. } => not_found_codes(object).iter().any(|c| c.matches(code)),
            _ => false,
        }
    }

    /// True when the cloud refused a call because of `id`: a not-found code of `object`, or a
    /// generic parameter refusal whose message names `id` (how the documented API says it).
    pub fn refuses_id(&self, object: ClbObject, id: &str) -> bool {
        match self {
            ApiError::Api { code, message, .. } => {
                self.says_absent(object) || refusal_names(code, message, id)
            }
            _ => false,
        }
    }

    /// True for a refusal that may be about one of several IDs in the call rather than the call
    /// as a whole: a not-found code of `object` or a generic parameter refusal.
    pub fn may_be_about_one_id(&self, object: ClbObject) -> bool {
        match self {
            ApiError::Api { code, .. } => {
                let family = code.split('.').next().unwrap_or(code);
                self.says_absent(object)
                    || matches!(family, "InvalidParameter" | "InvalidParameterValue")
            }
            _ => false,
        }
    }
}

/// Why a [`Client`](super::client::Client) could not be built.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConfigError {
    /// No source of the credentials chain had credentials.
    #[error(
        "no Tencent Cloud credentials found. Looked at:\n{}\nSet secret_id and secret_key in the provider \
         configuration, or export TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY.",
        looked_at.iter().map(|l| format!("  - {l}")).collect::<Vec<_>>().join("\n")
    )]
    NoCredentials {
        /// Every place that was looked at, with why it did not yield credentials.
        looked_at: Vec<String>,
    },
    /// A source had half a key pair, or an unreadable file.
    #[error("invalid credentials in {source_name}: {detail}")]
    InvalidCredentials {
        /// Where the bad value came from.
        source_name: String,
        /// What is wrong and how to fix it.
        detail: String,
    },
    /// The endpoint settings do not form a usable URL.
    #[error("invalid endpoint: {0}")]
    Endpoint(String),
    /// Plain HTTP to a host that is not loopback, without `allow_insecure_http`.
    #[error(
        "refusing plain HTTP to {url}: credentials-signed requests would travel unencrypted. Use https://, \
         or set allow_insecure_http if this endpoint is a trusted test server"
    )]
    InsecureHttp {
        /// The refused URL.
        url: String,
    },
    /// The HTTP client could not be constructed.
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
    /// A setting (a provider argument such as `assume_role.role_arn`, or an environment
    /// variable) was refused; the detail says why, with the API code and RequestId if any.
    #[error("{setting}: {detail}")]
    Setting {
        /// The setting concerned.
        setting: String,
        /// What is wrong and what to do.
        detail: String,
    },
    /// Another setting is out of range.
    #[error("invalid setting {name}: {detail}")]
    Invalid {
        /// Setting name.
        name: String,
        /// What is wrong.
        detail: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: &str) -> ApiError {
        ApiError::Api {
            code: code.into(),
            message: "m".into(),
            request_id: "r".into(),
        }
    }

    #[test]
    fn only_the_objects_own_codes_mean_absent() {
        use ClbObject::*;
        assert!(api("InvalidParameter.LBIdNotFound").says_absent(LoadBalancer));
        assert!(api("InvalidParameter.LBIdNotFound").says_absent(Listener));
        assert!(api("InvalidParameter.ListenerIdNotFound").says_absent(Listener));
        assert!(!api("InvalidParameter.ListenerIdNotFound").says_absent(LoadBalancer));
        assert!(api("InvalidParameter.LocationNotFound").says_absent(Rule));
        assert!(!api("InvalidParameter.LocationNotFound").says_absent(Listener));
        assert!(api("ResourceNotFound").says_absent(TargetGroup));
        assert!(api("ResourceNotFound.TargetGroup").says_absent(TargetGroup));
        assert!(!api("ResourceNotFoundX").says_absent(TargetGroup));
        assert!(!api("ResourceNotFound").says_absent(LoadBalancer));
        for object in [LoadBalancer, Listener, Rule, TargetGroup] {
            for code in [
                "AuthFailure.SecretIdNotFound",
                "AuthFailure.UnauthorizedOperation",
                "UnauthorizedOperation",
                "InvalidParameter.RegionNotFound",
                "InternalError",
                "Something.NotFound",
                "InvalidParameter",
            ] {
                assert!(!api(code).says_absent(object), "{code} for {object:?}");
            }
        }
        let behind_deadline = ApiError::DeadlineExceeded {
            action: None,
            last: Some(Box::new(api("ResourceNotFound"))),
        };
        assert!(!behind_deadline.says_absent(TargetGroup));
    }
}
