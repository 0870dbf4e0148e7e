//! Waits for an asynchronous CLB task (`DescribeTaskStatus`) to finish.

use std::time::Duration;

use std::sync::{Arc, Mutex};

use tokio::time::Instant;

use super::poll_schedule::{Pace, Schedule, TaskTime};
use super::types::task_status;
use crate::client::Client;
use crate::deadline::Deadline;
use crate::error::ApiError;
use crate::retry::{Verdict, classify};

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
/// Clones share what they learn about how long tasks take ([`Schedule`]): the first wait backs
/// off from a short delay; later ones poll where earlier tasks ended, so a task's end is seen
/// within about one short interval, with one to three polls.
#[derive(Debug, Clone)]
pub struct TaskWaiter {
    client: Client,
    pace: Pace,
    per_poll_budget: Duration,
    learned: Arc<Mutex<Option<TaskTime>>>,
}

impl TaskWaiter {
    /// A waiter with the defaults: first poll after 200 ms, then backing off by half the time
    /// waited so far, up to 3 s apart; polls at least 50 ms apart.
    pub fn new(client: Client) -> Self {
        TaskWaiter {
            client,
            pace: Pace {
                first: Duration::from_millis(200),
                max: Duration::from_secs(3),
                min: Duration::from_millis(50),
            },
            per_poll_budget: Duration::from_secs(30),
            learned: Arc::new(Mutex::new(None)),
        }
    }

    /// Sets the delay before the first poll.
    pub fn first_delay(mut self, d: Duration) -> Self {
        self.pace.first = d;
        self
    }

    /// Sets the largest delay between polls.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.pace.max = d;
        self
    }

    /// What the last finished wait showed about how long a task takes, if any finished yet.
    pub(crate) fn learned_task_time(&self) -> Option<TaskTime> {
        *self.learned.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn learn(&self, t: TaskTime) {
        *self.learned.lock().unwrap_or_else(|e| e.into_inner()) = Some(t);
    }

    /// Waits for `task_id` until the deadline passes or its token is cancelled.
    pub async fn wait(&self, task_id: &str, deadline: &Deadline) -> Result<TaskOutcome, TaskError> {
        let task = || task_id.to_string();
        let started = Instant::now();
        let mut schedule = Schedule::new(self.learned_task_time(), self.pace);
        let mut polls: u32 = 0;
        loop {
            let sent = schedule.next_poll();
            let wake = started + sent;
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
                    self.learn(schedule.ended(took));
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
                Some(other) => {
                    tracing::debug!(task_id, polls, status = other, "task still running");
                    schedule.running(sent);
                }
                None => schedule.no_answer(sent),
            }
        }
    }
}
