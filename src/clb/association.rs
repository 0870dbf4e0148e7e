//! Create, read and delete one binding, safely under retries and interruptions.
//!
//! Rules this file keeps:
//! - writes go through the [`Engine`], which batches them per load balancer, one task at a time;
//! - the cloud is checked before writing, so an existing identical binding (an earlier interrupted
//!   apply, a write whose answer was lost) is adopted rather than bound twice or failed on;
//! - a write whose outcome is unknown is never blindly re-sent: the binding is looked up first;
//! - delete treats "already gone" as done, and confirms the binding is gone after its task.
//! - an answer from the engine's short-lived read cache is trusted only where a wrong one leads to
//!   a write the cloud itself checks; before skipping a write, the cloud is asked afresh.

use crate::clb::api::{Binding, Deadline, Weight};
use crate::clb::engine::{Engine, Freshness, LockError};
use crate::clb::errors::Failure;
use crate::clb::id::AssociationId;
use crate::tencentcloud::clb::TaskError;
use crate::tencentcloud::error::ApiError;

/// How many times a write is re-examined after its outcome was unknown or it was refused.
const MAX_WRITE_ROUNDS: usize = 3;

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

impl OpError {
    /// The facts for a diagnostic.
    pub fn failure(&self) -> Failure {
        match self {
            OpError::Api(e) => crate::clb::diag::api_failure(e),
            OpError::Task(TaskError::Api(e)) => crate::clb::diag::api_failure(e),
            OpError::Task(TaskError::Failed { task_id, message, .. }) => Failure {
                code: None,
                message: format!("The cloud accepted the request, but its task failed: {message}"),
                request_id: Some(task_id.clone()),
                advice: Some(
                    "Nothing was changed and nothing was recorded in state. Fix the cause named above, or wait if it is temporary, and run the command again."
                        .into(),
                ),
            },
            OpError::Task(e @ (TaskError::DeadlineExceeded { .. } | TaskError::Cancelled { .. })) => Failure {
                message: e.to_string(),
                advice: Some(
                    "The task may still complete in the cloud. Run the command again: the provider looks at the cloud first and adopts or removes the binding as needed, without duplicating it. Raise `timeouts` if the cloud is slow."
                        .into(),
                ),
                ..Failure::default()
            },
            OpError::Lock(e) => Failure {
                message: e.to_string(),
                advice: Some(
                    "Other bindings on the same load balancer took the whole timeout. Raise `timeouts`, or run again.".into(),
                ),
                ..Failure::default()
            },
            other => Failure {
                message: other.to_string(),
                ..Failure::default()
            },
        }
    }
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

/// True when the binding in `b` is the one `id` names.
pub fn matches(b: &Binding, id: &AssociationId) -> bool {
    let location = b.location_id.as_deref().filter(|l| !l.is_empty());
    b.load_balancer_id == id.load_balancer_id
        && b.listener_id == id.listener_id
        && location == id.location_id.as_deref()
}

/// The binding named by `id` as the cloud has it (an answer at most a few seconds old, never
/// older than this process's last write to it), or `None` when it (or its target group) is gone.
pub async fn read(
    engine: &Engine,
    id: &AssociationId,
    deadline: &Deadline,
) -> Result<Option<Binding>, ApiError> {
    look(engine, id, Freshness::Recent, deadline).await
}

async fn look(
    engine: &Engine,
    id: &AssociationId,
    freshness: Freshness,
    deadline: &Deadline,
) -> Result<Option<Binding>, ApiError> {
    let Some(tg) = engine
        .target_group(&id.target_group_id, freshness, deadline)
        .await?
    else {
        return Ok(None);
    };
    Ok(tg.bindings.into_iter().find(|b| matches(b, id)))
}

/// The binding if it exists; a recent answer that it does not is enough (binding it then is
/// checked by the cloud), one that it does is confirmed afresh before the write is skipped.
async fn existing(
    engine: &Engine,
    id: &AssociationId,
    deadline: &Deadline,
) -> Result<Option<Binding>, ApiError> {
    match look(engine, id, Freshness::Recent, deadline).await? {
        None => Ok(None),
        Some(_) => look(engine, id, Freshness::Fresh, deadline).await,
    }
}

/// Whether the binding is gone, confirmed afresh before the unbind is skipped.
async fn gone(engine: &Engine, id: &AssociationId, deadline: &Deadline) -> Result<bool, ApiError> {
    Ok(look(engine, id, Freshness::Recent, deadline)
        .await?
        .is_none()
        && look(engine, id, Freshness::Fresh, deadline)
            .await?
            .is_none())
}

fn adopt(existing: Binding, weight: Option<Weight>) -> Result<Binding, OpError> {
    match (weight, existing.weight) {
        (Some(wanted), Some(have)) if wanted != have => Err(OpError::WeightConflict {
            existing: Some(have),
            wanted,
        }),
        _ => Ok(existing),
    }
}

/// Binds the target group and returns the binding as read back from the cloud.
pub async fn create(
    engine: &Engine,
    id: &AssociationId,
    weight: Option<Weight>,
    deadline: &Deadline,
) -> Result<Binding, OpError> {
    for _ in 0..MAX_WRITE_ROUNDS {
        if let Some(existing) = existing(engine, id, deadline).await? {
            tracing::info!(id = %id, "binding already exists; adopting it");
            return adopt(existing, weight);
        }
        match engine.bind(id, weight, deadline).await {
            // The engine read the target group back after the task: this answer is fresh.
            Ok(task_id) => {
                return match read(engine, id, deadline).await? {
                    Some(b) => Ok(b),
                    None => Err(OpError::NotConverged(format!(
                        "task {task_id} succeeded but the binding {id} is not visible in DescribeTargetGroups"
                    ))),
                };
            }
            // The request may have been applied: look before sending it again.
            Err(OpError::Api(ApiError::OutcomeUnknown { action, detail })) => {
                tracing::warn!(%action, %detail, "bind outcome unknown; checking the cloud before retrying");
                continue;
            }
            Err(OpError::Api(e)) => {
                // Refused, perhaps because the binding appeared meanwhile (an earlier task finishing).
                if let Some(existing) = look(engine, id, Freshness::Fresh, deadline).await? {
                    return adopt(existing, weight);
                }
                return Err(e.into());
            }
            Err(other) => return Err(other),
        }
    }
    match look(engine, id, Freshness::Fresh, deadline).await? {
        Some(existing) => adopt(existing, weight),
        None => Err(OpError::NotConverged(format!(
            "could not confirm the binding {id} after {MAX_WRITE_ROUNDS} attempts whose outcome was unknown"
        ))),
    }
}

/// Unbinds the target group; success when the binding is gone, whoever removed it.
pub async fn delete(
    engine: &Engine,
    id: &AssociationId,
    deadline: &Deadline,
) -> Result<(), OpError> {
    for _ in 0..MAX_WRITE_ROUNDS {
        if gone(engine, id, deadline).await? {
            return Ok(());
        }
        match engine.unbind(id, deadline).await {
            Ok(task_id) => {
                return match read(engine, id, deadline).await? {
                    None => Ok(()),
                    Some(_) => Err(OpError::NotConverged(format!(
                        "task {task_id} succeeded but the binding {id} is still listed by DescribeTargetGroups"
                    ))),
                };
            }
            Err(OpError::Api(ApiError::OutcomeUnknown { action, detail })) => {
                tracing::warn!(%action, %detail, "unbind outcome unknown; checking the cloud before retrying");
                continue;
            }
            Err(OpError::Api(e)) => {
                // A deleted rule, listener or load balancer makes the call fail, but the binding is gone.
                if look(engine, id, Freshness::Fresh, deadline)
                    .await?
                    .is_none()
                {
                    return Ok(());
                }
                return Err(e.into());
            }
            Err(other) => return Err(other),
        }
    }
    match look(engine, id, Freshness::Fresh, deadline).await? {
        None => Ok(()),
        Some(_) => Err(OpError::NotConverged(format!(
            "could not confirm that the binding {id} is gone after {MAX_WRITE_ROUNDS} attempts whose outcome was unknown"
        ))),
    }
}
