//! Which failures are worth another attempt, and how long to wait before it.

use std::time::Duration;

use rand::Rng;

use super::error::ApiError;

/// What the retry loop should do with a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Try again after a backoff.
    Retry,
    /// Give up and return the error as it is.
    Fail,
    /// A write failed after it may have reached the server: report the outcome as unknown.
    OutcomeUnknown,
}

/// Codes that are retried for every call: the request was rejected before it did anything.
fn retryable_code(code: &str) -> bool {
    let first = code.split('.').next().unwrap_or(code);
    code == "FailedOperation.ResourceInOperating"
        || matches!(
            first,
            "RequestLimitExceeded" | "ResourceInUse" | "ResourceUnavailable"
        )
}

/// Codes never retried, whatever else matches; listed explicitly so a later widening of
/// [`retryable_code`] cannot start retrying them by accident.
fn never_retried(code: &str) -> bool {
    let first = code.split('.').next().unwrap_or(code);
    matches!(
        first,
        "AuthFailure" | "InvalidParameter" | "UnsupportedOperation"
    ) || matches!(
        code,
        "MissingParameter" | "UnknownParameter" | "InvalidAction" | "LimitExceeded"
    )
}

/// Message texts the CLB service uses for "busy, try again later" under varying codes (often
/// `FailedOperation` or `InvalidParameter`); the official provider retries on them whatever the
/// code, and so do we. Matched case-sensitively, as the service writes them.
pub(crate) const BUSY_MESSAGES: &[&str] = &[
    "Your task is working",
    "is not in normal status",
    "is not in normal desState",
    "desState is abnormal",
    "des status abnormal",
];

/// True when `message` is one of the service's "busy" texts ([`BUSY_MESSAGES`]).
pub(crate) fn says_busy(message: &str) -> bool {
    BUSY_MESSAGES.iter().any(|m| message.contains(m))
}

/// Codes a busy text never overrides: a credentials or permission problem stays fatal.
fn fatal_whatever_the_message(code: &str) -> bool {
    let first = code.split('.').next().unwrap_or(code);
    matches!(
        first,
        "AuthFailure" | "UnauthorizedOperation" | "LimitExceeded"
    )
}

/// Classifies a failed attempt. `idempotent` is false for writes.
///
/// A write answered by `InternalError`, an HTTP 5xx, a dropped connection or a timeout
/// may or may not have been applied: it is [`Verdict::OutcomeUnknown`], never re-sent blindly.
/// The caller reads the cloud and re-sends only if the write did not happen. A write refused
/// with a retryable code (throttling, `ResourceInOperating`) did nothing and is simply retried.
pub(crate) fn classify(err: &ApiError, idempotent: bool) -> Verdict {
    match err {
        ApiError::Api { code, message, .. } => {
            if says_busy(message) && !fatal_whatever_the_message(code) {
                Verdict::Retry
            } else if never_retried(code) {
                Verdict::Fail
            } else if retryable_code(code) {
                Verdict::Retry
            } else if code == "InternalError" {
                if idempotent {
                    Verdict::Retry
                } else {
                    Verdict::OutcomeUnknown
                }
            } else {
                Verdict::Fail
            }
        }
        ApiError::Transport(t) => {
            if idempotent || t.not_sent {
                Verdict::Retry
            } else {
                Verdict::OutcomeUnknown
            }
        }
        // A 5xx may come from a gateway after the service acted; a 4xx from something in between
        // means the request was not processed.
        ApiError::HttpStatus { status, .. } => {
            if idempotent || *status < 500 {
                Verdict::Retry
            } else {
                Verdict::OutcomeUnknown
            }
        }
        // The request arrived but its reply cannot be read as a success or a refusal: a write
        // may have been applied.
        ApiError::Decode { .. } | ApiError::ResponseTooLarge { .. } if !idempotent => {
            Verdict::OutcomeUnknown
        }
        _ => Verdict::Fail,
    }
}

/// How the backoff delay is randomised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// Uniform in `[0, ceiling]` ("full jitter"): spreads retries of many callers apart.
    Full,
    /// Exactly the ceiling; for tests that want to see the exponential growth.
    None,
}

/// Exponential backoff with jitter.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Ceiling of the delay after the first failed attempt.
    pub base_delay: Duration,
    /// Largest ceiling, whatever the attempt number.
    pub max_delay: Duration,
    /// Maximum number of attempts (the deadline usually ends the loop first).
    pub max_attempts: u32,
    /// Randomisation.
    pub jitter: Jitter,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            max_attempts: 30,
            jitter: Jitter::Full,
        }
    }
}

impl RetryPolicy {
    /// Ceiling of the delay after attempt number `attempt` (1-based) failed: base·2^(attempt-1), capped.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(30));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// The delay to sleep after attempt `attempt` failed.
    pub fn delay(&self, attempt: u32) -> Duration {
        let ceiling = self.ceiling(attempt);
        match self.jitter {
            Jitter::None => ceiling,
            Jitter::Full => {
                let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
                Duration::from_nanos(rand::rng().random_range(0..=nanos))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TransportError;

    fn api(code: &str) -> ApiError {
        ApiError::Api {
            code: code.into(),
            message: String::new(),
            request_id: "r".into(),
        }
    }

    #[test]
    fn classification_follows_the_issue_lists() {
        for code in [
            "RequestLimitExceeded",
            "RequestLimitExceeded.UinLimitExceeded",
            "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
            "FailedOperation.ResourceInOperating",
            "ResourceInUse",
            "ResourceInUse.Something",
            "ResourceUnavailable",
            "ResourceUnavailable.X",
        ] {
            assert_eq!(classify(&api(code), false), Verdict::Retry, "{code}");
            assert_eq!(classify(&api(code), true), Verdict::Retry, "{code}");
        }
        assert_eq!(classify(&api("InternalError"), true), Verdict::Retry);
        assert_eq!(
            classify(&api("InternalError"), false),
            Verdict::OutcomeUnknown
        );
        for code in [
            "AuthFailure",
            "AuthFailure.SignatureFailure",
            "InvalidParameter",
            "InvalidParameter.LBIdNotFound",
            "MissingParameter",
            "UnknownParameter",
            "InvalidAction",
            "UnsupportedOperation",
            "UnsupportedOperation.X",
            "LimitExceeded",
            "FailedOperation",
            "InvalidParameterValue",
        ] {
            assert_eq!(classify(&api(code), true), Verdict::Fail, "{code}");
        }
    }

    #[test]
    fn busy_texts_are_retried_under_any_code_but_auth() {
        let busy = |code: &str, message: &str| ApiError::Api {
            code: code.into(),
            message: message.into(),
            request_id: "r".into(),
        };
        for (code, message) in [
            (
                "FailedOperation",
                "Your task is working (AssociateTargetGroups)",
            ),
            ("InvalidParameter", "lb-1 is not in normal status"),
            ("InvalidParameterValue", "listener desState is abnormal"),
        ] {
            assert_eq!(
                classify(&busy(code, message), false),
                Verdict::Retry,
                "{code}"
            );
        }
        assert_eq!(
            classify(&busy("AuthFailure", "Your task is working"), false),
            Verdict::Fail
        );
        assert_eq!(
            classify(&busy("FailedOperation", "your task is working"), false),
            Verdict::Fail
        );
    }

    #[test]
    fn an_unreadable_reply_to_a_write_is_outcome_unknown() {
        let decode = ApiError::Decode {
            action: "A".into(),
            detail: "x".into(),
        };
        assert_eq!(classify(&decode, false), Verdict::OutcomeUnknown);
        assert_eq!(classify(&decode, true), Verdict::Fail);
        let big = ApiError::ResponseTooLarge {
            action: "A".into(),
            limit: 1,
        };
        assert_eq!(classify(&big, false), Verdict::OutcomeUnknown);
        assert_eq!(classify(&big, true), Verdict::Fail);
    }

    #[test]
    fn network_failure_of_a_write_is_outcome_unknown_unless_never_sent() {
        let sent = ApiError::Transport(TransportError {
            action: "A".into(),
            detail: "reset".into(),
            not_sent: false,
        });
        assert_eq!(classify(&sent, true), Verdict::Retry);
        assert_eq!(classify(&sent, false), Verdict::OutcomeUnknown);
        let refused = ApiError::Transport(TransportError {
            action: "A".into(),
            detail: "refused".into(),
            not_sent: true,
        });
        assert_eq!(classify(&refused, false), Verdict::Retry);
        let status = ApiError::HttpStatus {
            action: "A".into(),
            status: 502,
            body: String::new(),
        };
        assert_eq!(classify(&status, true), Verdict::Retry);
        assert_eq!(classify(&status, false), Verdict::OutcomeUnknown);
        let refused = ApiError::HttpStatus {
            action: "A".into(),
            status: 403,
            body: String::new(),
        };
        assert_eq!(classify(&refused, false), Verdict::Retry);
    }

    #[test]
    fn backoff_grows_exponentially_caps_and_full_jitter_stays_below_ceiling() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            max_attempts: 10,
            jitter: Jitter::Full,
        };
        let ceilings: Vec<_> = (1..=6).map(|a| p.ceiling(a).as_millis()).collect();
        assert_eq!(ceilings, vec![100, 200, 400, 800, 1000, 1000]);
        for attempt in 1..=6 {
            for _ in 0..50 {
                assert!(p.delay(attempt) <= p.ceiling(attempt));
            }
        }
        assert_eq!(p.ceiling(u32::MAX), Duration::from_millis(1000));
    }
}
