//! Adapts the client's errors to [`Failure`], the input of [`crate::clb::errors::explain`].

use crate::clb::errors::Failure;
use crate::tencentcloud::error::ApiError;

/// The facts of an API error: code, message and RequestId where the cloud sent them.
pub fn api_failure(e: &ApiError) -> Failure {
    match e {
        ApiError::Api {
            code,
            message,
            request_id,
        } => Failure {
            code: Some(code.clone()),
            message: message.clone(),
            request_id: Some(request_id.clone()),
            advice: None,
        },
        ApiError::DeadlineExceeded { last: Some(last) } => {
            let inner = api_failure(last);
            Failure {
                message: format!(
                    "the operation timed out; the last attempt failed with: {}",
                    inner.message
                ),
                ..inner
            }
        }
        other => Failure {
            message: other.to_string(),
            ..Failure::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_keep_code_and_request_id() {
        let f = api_failure(&ApiError::Api {
            code: "InvalidParameter".into(),
            message: "bad".into(),
            request_id: "r-1".into(),
        });
        assert_eq!(f.code.as_deref(), Some("InvalidParameter"));
        assert_eq!(f.request_id.as_deref(), Some("r-1"));
        let f = api_failure(&ApiError::DeadlineExceeded {
            last: Some(Box::new(ApiError::Api {
                code: "RequestLimitExceeded".into(),
                message: "slow down".into(),
                request_id: "r-2".into(),
            })),
        });
        assert_eq!(f.code.as_deref(), Some("RequestLimitExceeded"));
        assert!(f.message.contains("timed out") && f.message.contains("slow down"));
        let f = api_failure(&ApiError::Cancelled);
        assert_eq!(f.code, None);
    }
}
