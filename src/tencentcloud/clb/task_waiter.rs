//! Waits for an asynchronous CLB task (`DescribeTaskStatus`) to finish.

use std::time::Duration;

use std::sync::{Arc, Mutex};

use tokio::time::Instant;

use super::types::task_status;
use crate::tencentcloud::client::Client;
use crate::tencentcloud::deadline::Deadline;
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

/// Polls `DescribeTaskStatus` until the task ends or the deadline passes, riding out rate
/// limits and transient errors.
///
/// The first task is polled with a short first delay and capped exponential backoff. Clones share
/// what they learn about how long tasks take: later waits poll first just before that time, then
/// at short intervals, so a task's end is seen within about one interval with one or two polls,
/// instead of up to half the task time later with a poll every backoff step.
#[derive(Debug, Clone)]
pub struct TaskWaiter {
    client: Client,
    first_delay: Duration,
    max_delay: Duration,
    tail_interval: Duration,
    per_poll_budget: Duration,
    learned: Arc<Mutex<Option<Duration>>>,
}

impl TaskWaiter {
    /// A waiter with the defaults: first poll after 200 ms, backoff x1.5 up to 3 s; once a task
    /// time is known, polls 100 ms apart around it.
    pub fn new(client: Client) -> Self {
        TaskWaiter {
            client,
            first_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(3),
            tail_interval: Duration::from_millis(100),
            per_poll_budget: Duration::from_secs(30),
            learned: Arc::new(Mutex::new(None)),
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

    /// How long the last task took until a poll saw it finish, if any finished yet.
    pub fn learned_task_time(&self) -> Option<Duration> {
        *self.learned.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn learn(&self, took: Duration) {
        *self.learned.lock().unwrap_or_else(|e| e.into_inner()) = Some(took);
    }

    /// Waits for `task_id` until the deadline passes or its token is cancelled.
    pub async fn wait(&self, task_id: &str, deadline: &Deadline) -> Result<TaskOutcome, TaskError> {
        let task = || task_id.to_string();
        let started = Instant::now();
        let tail = self.tail_interval.min(self.max_delay);
        let expected = self.learned_task_time();
        let mut backoff = self.first_delay.mul_f64(1.5).min(self.max_delay);
        // Just before the learned time: seen done, the estimate creeps down; seen running, the
        // next poll one interval later sets it just above the true time.
        let mut wake = match expected {
            Some(e) => started + self.first_delay.max(e.saturating_sub(tail / 2)),
            None => started + self.first_delay,
        };
        let mut polls: u32 = 0;
        loop {
            if wake >= deadline.instant() {
                return Err(TaskError::DeadlineExceeded { task_id: task() });
            }
            if deadline.sleep_until(wake).await.is_err() {
                return Err(TaskError::Cancelled { task_id: task() });
            }
            polls += 1;
            let poll_deadline = deadline.capped(self.per_poll_budget);
            let status = match self
                .client
                .describe_task_status(task_id, &poll_deadline)
                .await
            {
                Ok(s) => Some(s),
                Err(ApiError::Cancelled) => return Err(TaskError::Cancelled { task_id: task() }),
                Err(e @ ApiError::DeadlineExceeded { .. }) => {
                    if Instant::now() >= deadline.instant() {
                        return Err(TaskError::DeadlineExceeded { task_id: task() });
                    }
                    tracing::debug!(task_id, error = %e, "task status poll ran out of time; polling again");
                    None
                }
                Err(e) => {
                    // The client already retried what it could; a retryable kind here means the
                    // per-poll budget ran out, so keep polling under the overall deadline.
                    if classify(&e, true) == Verdict::Retry {
                        tracing::debug!(task_id, error = %e, "transient error while polling task status");
                        None
                    } else {
                        return Err(TaskError::Api(e));
                    }
                }
            };
            match status.as_ref().and_then(|s| s.status) {
                Some(task_status::SUCCEEDED) | Some(task_status::FAILED) => {
                    let status = status.expect("matched a status");
                    let took = started.elapsed();
                    self.learn(took);
                    tracing::debug!(
                        task_id,
                        polls,
                        took_ms = took.as_millis() as u64,
                        "task ended"
                    );
                    if status.status == Some(task_status::SUCCEEDED) {
                        return Ok(TaskOutcome {
                            task_id: task(),
                            load_balancer_ids: status.load_balancer_ids.unwrap_or_default(),
                            request_id: status.request_id,
                        });
                    }
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
            let now = Instant::now();
            // Near the expected end, look often; past it (a slower task), back off again.
            let near_expected = expected.is_some_and(|e| now < started + e + tail * 5);
            wake = if near_expected {
                now + tail
            } else {
                let delay = backoff;
                backoff = backoff.mul_f64(1.5).min(self.max_delay);
                now + delay
            };
        }
    }
}
