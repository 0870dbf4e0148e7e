//! Waits for an asynchronous CLB task (`DescribeTaskStatus`) to finish.

use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::types::task_status;
use crate::tencentcloud::client::{CallOptions, Client};
use crate::tencentcloud::error::ApiError;
use crate::tencentcloud::retry::{Verdict, classify};

/// A task that finished successfully.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskOutcome {
    /// The task ID (RequestId of the asynchronous call).
    pub task_id: String,
    /// Load balancers the task touched.
    pub load_balancer_ids: Vec<String>,
    /// RequestId of the status query that saw the success.
    pub request_id: Option<String>,
}

/// Why waiting for a task did not end in success.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TaskError {
    /// The task ran and failed.
    #[error("CLB task {task_id} failed: {message} (status query RequestId: {})", request_id.as_deref().unwrap_or("none"))]
    Failed {
        /// The task ID (RequestId of the asynchronous call).
        task_id: String,
        /// The service's reason (`Message`), or a note that none was given.
        message: String,
        /// RequestId of the status query that reported the failure.
        request_id: Option<String>,
    },
    /// Polling hit an error that will not go away by polling again.
    #[error("cannot check the CLB task's status: {0}")]
    Api(ApiError),
    /// The task was still running at the deadline.
    #[error(
        "CLB task {task_id} did not finish before the deadline; it may still complete, check the resource before retrying"
    )]
    DeadlineExceeded {
        /// The task ID.
        task_id: String,
    },
    /// The caller cancelled the wait.
    #[error("cancelled while waiting for CLB task {task_id}")]
    Cancelled {
        /// The task being waited for; it may still complete.
        task_id: String,
    },
}

/// Polls `DescribeTaskStatus` with a short first delay and capped exponential backoff, riding out
/// rate limits and transient errors, until the task ends or the deadline passes.
#[derive(Debug, Clone)]
pub struct TaskWaiter {
    client: Client,
    first_delay: Duration,
    max_delay: Duration,
    per_poll_budget: Duration,
}

impl TaskWaiter {
    /// A waiter with the defaults: first poll after 200 ms, backoff ×1.5 up to 3 s.
    pub fn new(client: Client) -> Self {
        TaskWaiter {
            client,
            first_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(3),
            per_poll_budget: Duration::from_secs(30),
        }
    }

    /// Sets the delay before the first poll.
    pub fn first_delay(mut self, d: Duration) -> Self {
        self.first_delay = d;
        self
    }

    /// Sets the largest delay between polls.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// Waits for `task_id` until `deadline`; `cancel` stops the wait.
    pub async fn wait(
        &self,
        task_id: &str,
        deadline: Instant,
        cancel: Option<CancellationToken>,
    ) -> Result<TaskOutcome, TaskError> {
        let task = || task_id.to_string();
        let mut delay = self.first_delay;
        let mut polls: u32 = 0;
        loop {
            let wake = Instant::now() + delay;
            if wake >= deadline {
                return Err(TaskError::DeadlineExceeded { task_id: task() });
            }
            match &cancel {
                Some(c) => tokio::select! {
                    biased;
                    _ = c.cancelled() => return Err(TaskError::Cancelled { task_id: task() }),
                    _ = tokio::time::sleep_until(wake) => {}
                },
                None => tokio::time::sleep_until(wake).await,
            }
            delay = (delay.mul_f64(1.5)).min(self.max_delay);
            polls += 1;

            let opts = CallOptions {
                deadline: deadline.min(Instant::now() + self.per_poll_budget),
                idempotent: true,
                cancel: cancel.clone(),
            };
            let status = match self.client.describe_task_status(task_id, &opts).await {
                Ok(s) => s,
                Err(ApiError::Cancelled) => return Err(TaskError::Cancelled { task_id: task() }),
                Err(e @ ApiError::DeadlineExceeded { .. }) => {
                    if Instant::now() >= deadline {
                        return Err(TaskError::DeadlineExceeded { task_id: task() });
                    }
                    tracing::debug!(task_id, error = %e, "task status poll ran out of time; polling again");
                    continue;
                }
                Err(e) => {
                    // The client already retried what it could; a retryable kind here means the
                    // per-poll budget ran out, so keep polling under the overall deadline.
                    if classify(&e, true) == Verdict::Retry {
                        tracing::debug!(task_id, error = %e, "transient error while polling task status");
                        continue;
                    }
                    return Err(TaskError::Api(e));
                }
            };
            match status.status {
                Some(task_status::SUCCEEDED) => {
                    tracing::debug!(task_id, polls, "task succeeded");
                    return Ok(TaskOutcome {
                        task_id: task(),
                        load_balancer_ids: status.load_balancer_ids.unwrap_or_default(),
                        request_id: status.request_id,
                    });
                }
                Some(task_status::FAILED) => {
                    return Err(TaskError::Failed {
                        task_id: task(),
                        message: status
                            .message
                            .filter(|m| !m.is_empty())
                            .unwrap_or_else(|| "the service gave no reason".to_string()),
                        request_id: status.request_id,
                    });
                }
                other => {
                    tracing::debug!(task_id, polls, status = ?other, "task still running");
                }
            }
        }
    }
}
