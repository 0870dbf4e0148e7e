//! Why an operation on a binding failed: the engine's error, which the resource turns into
//! diagnostics (`crate::clb::errors`).

use tencentcloud::clb::TaskError;
use tencentcloud::error::ApiError;

use crate::clb::cloud::Weight;
use crate::clb::engine::LockError;

/// Why an operation on a binding failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OpError {
    /// An API call failed.
    #[error("{0}")]
    Api(ApiError),
    /// The asynchronous task failed, timed out or was cancelled.
    #[error("{0}")]
    Task(TaskError),
    /// Waiting for another operation on the same load balancer did not end in time.
    #[error("{0}")]
    Lock(LockError),
    /// The binding exists with another weight than configured; adopting it would lie in state.
    #[error("the binding already exists with weight {existing:?}, not {wanted}")]
    WeightConflict {
        /// The weight the cloud has.
        existing: Option<Weight>,
        /// The configured weight.
        wanted: Weight,
    },
    /// The task succeeded but the cloud does not show the expected result.
    #[error("{0}")]
    NotConverged(String),
}

impl From<ApiError> for OpError {
    fn from(e: ApiError) -> Self {
        OpError::Api(e)
    }
}

impl From<TaskError> for OpError {
    fn from(e: TaskError) -> Self {
        OpError::Task(e)
    }
}

impl From<LockError> for OpError {
    fn from(e: LockError) -> Self {
        OpError::Lock(e)
    }
}
