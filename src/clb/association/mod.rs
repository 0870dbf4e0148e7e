//! Create, read and delete one binding, safely under retries, faults and interruptions.
//!
//! Rules this file keeps:
//! - writes go through the [`Engine`], which batches them per load balancer, one task at a time;
//!   an answer from its short-lived read cache is trusted only where a wrong one leads to a write
//!   the cloud itself checks: before a write is skipped, the cloud is asked afresh;
//! - the cloud is checked before writing, so an existing identical binding (an earlier interrupted
//!   apply, a write whose answer was lost) is adopted rather than bound twice or failed on;
//! - a write whose outcome is unknown (no answer, timeout, HTTP 5xx, `InternalError`) is never
//!   blindly re-sent: the cloud is read, the write adopted if it happened and sent again if not,
//!   until the operation's deadline;
//! - only a task the cloud reports as failed is an error, after one more attempt (a task failure
//!   does not say whether its cause is temporary; a lasting cause fails the second one too, or is
//!   refused up front by the re-sent request's validation);
//! - a create whose write the cloud may have accepted but that did not see the result (timeout,
//!   Ctrl-C, read-back failure) hands back a [`PendingWrite`], so the binding goes into state
//!   (tainted) instead of becoming an orphan; read and delete wait for that task first;
//! - delete treats "already gone" as done and confirms the binding is gone after its task, and
//!   does no write for an older object of a binding that a create of this run put into state
//!   ([`RunMemory`], told apart by the [`ObjectMark`] each create leaves in private state), which
//!   is what a replacement under `create_before_destroy` of the same binding looks like.

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::clb::binding::id::AssociationId;
use crate::clb::cloud::{Binding, Deadline, Weight};
use crate::clb::engine::{Engine, Freshness, OpError, lock};
use tencentcloud::clb::TaskError;
use tencentcloud::error::ApiError;

/// Longest pause between two rounds of a write whose outcome stayed unknown.
const MAX_ROUND_PAUSE: Duration = Duration::from_secs(5);

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
    let Some(tg) = engine.target_group_of(id, freshness, deadline).await? else {
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

/// A bind the cloud may have accepted whose result was not seen; the resource keeps it in its
/// private data (one serde model under one key) until a read or delete has settled it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingWrite {
    /// The task to wait for, when the cloud's answer (the RequestId) arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
}

/// The binding a create records when the cloud may have accepted it but the result was not seen:
/// the configured coordinates and weight (the next refresh puts the cloud's values in).
pub fn unconfirmed_binding(id: &AssociationId, weight: Option<Weight>) -> Binding {
    Binding {
        load_balancer_id: id.load_balancer_id.clone(),
        listener_id: id.listener_id.clone(),
        location_id: id.location_id.clone(),
        weight,
    }
}

/// A failed create, with the write it may have left running in the cloud.
#[derive(Debug, Clone)]
pub struct CreateFailed {
    /// Why it failed.
    pub error: OpError,
    /// Set when the cloud may have accepted the bind: record the binding in state anyway.
    pub pending: Option<PendingWrite>,
}

/// Names one Terraform object of a binding. The create that puts the object into state writes its
/// mark into the object's private data, so a delete can tell that object (destroy it for real)
/// from an older object of the same binding that it replaced (a deposed object: leave the binding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectMark(String);

impl ObjectMark {
    fn fresh() -> Self {
        ObjectMark(uuid::Uuid::new_v4().to_string())
    }
}

/// A successful create: the binding as the cloud has it and the mark of the new object.
#[derive(Debug, Clone)]
pub struct Created {
    /// The binding read back from the cloud (or adopted).
    pub binding: Binding,
    /// Goes into the new object's private data; see [`ObjectMark`].
    pub mark: ObjectMark,
}

/// What creates of this provider process put into state (Terraform runs every create and destroy
/// of an apply through one provider process).
#[derive(Debug, Default)]
pub struct RunMemory {
    created: Mutex<HashMap<AssociationId, ObjectMark>>,
}

impl RunMemory {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }

    fn remember_created(&self, id: &AssociationId) -> ObjectMark {
        let mark = ObjectMark::fresh();
        lock(&self.created).insert(id.clone(), mark.clone());
        mark
    }

    /// True when a create of this process put a newer object of `id` into state than the one
    /// marked `object`: deleting `object` is the second half of a replacement of the binding by
    /// itself, and the cloud's binding belongs to the new object.
    pub fn replaced_by_this_run(&self, id: &AssociationId, object: Option<&ObjectMark>) -> bool {
        lock(&self.created)
            .get(id)
            .is_some_and(|newest| Some(newest) != object)
    }

    fn forget(&self, id: &AssociationId) {
        lock(&self.created).remove(id);
    }
}

/// The rounds of one write (bind or unbind): after an answer that leaves the outcome unknown, a
/// pause that doubles up to [`MAX_ROUND_PAUSE`] before the cloud is read and the write sent again;
/// after a failed task, one more try.
struct Rounds {
    pause: Duration,
    last_unknown: Option<ApiError>,
    failed_tasks: u32,
}

impl Rounds {
    fn new() -> Self {
        Rounds {
            pause: Duration::from_millis(200),
            last_unknown: None,
            failed_tasks: 0,
        }
    }

    /// Waits before the next round when the last write's outcome was unknown; the error when
    /// the deadline or a cancel comes first.
    async fn next(&mut self, deadline: &Deadline) -> Result<(), OpError> {
        if self.last_unknown.is_none() {
            return Ok(());
        }
        let wake = Instant::now() + self.pause;
        self.pause = (self.pause * 2).min(MAX_ROUND_PAUSE);
        if wake < deadline.instant() && deadline.sleep_until(wake).await.is_ok() {
            return Ok(());
        }
        Err(if deadline.token().is_cancelled() {
            OpError::Api(ApiError::Cancelled)
        } else {
            OpError::Api(ApiError::DeadlineExceeded {
                action: None,
                last: self.last_unknown.take().map(Box::new),
            })
        })
    }

    /// The write's outcome is unknown: the next round reads the cloud first.
    fn outcome_unknown(&mut self, e: ApiError) {
        self.last_unknown = Some(e);
    }

    /// True for the first failed task only: the write is tried once more.
    fn retry_failed_task(&mut self) -> bool {
        self.failed_tasks += 1;
        self.failed_tasks == 1
    }
}

/// Binds the target group and returns the binding as read back from the cloud.
pub async fn create(
    engine: &Engine,
    run: &RunMemory,
    id: &AssociationId,
    weight: Option<Weight>,
    deadline: &Deadline,
) -> Result<Created, CreateFailed> {
    let mut pending = None;
    match bind(engine, id, weight, deadline, &mut pending).await {
        Ok(binding) => Ok(Created {
            binding,
            mark: run.remember_created(id),
        }),
        Err(error) => Err(CreateFailed { error, pending }),
    }
}

/// The write a failed engine operation may have left in the cloud: the task it started (accepted,
/// result unseen), or an unknown one (no answer), or none (refused, failed, never sent).
fn left_running(e: &OpError) -> Option<PendingWrite> {
    match e {
        OpError::Task(
            TaskError::DeadlineExceeded { task_id } | TaskError::Cancelled { task_id },
        ) => Some(PendingWrite {
            task_id: Some(task_id.clone()),
        }),
        OpError::Task(TaskError::Api(_))
        | OpError::Api(ApiError::OutcomeUnknown { .. } | ApiError::Cancelled) => {
            Some(PendingWrite::default())
        }
        _ => None,
    }
}

async fn bind(
    engine: &Engine,
    id: &AssociationId,
    weight: Option<Weight>,
    deadline: &Deadline,
    pending: &mut Option<PendingWrite>,
) -> Result<Binding, OpError> {
    let mut rounds = Rounds::new();
    loop {
        rounds.next(deadline).await?;
        if let Some(existing) = existing(engine, id, deadline).await? {
            tracing::info!(id = %id, "binding exists; adopting it");
            return adopt(existing, weight);
        }
        match engine.bind(id, weight, deadline).await {
            Ok(task_id) => {
                *pending = Some(PendingWrite {
                    task_id: Some(task_id.clone()),
                });
                // The engine read the target group back after the task: this answer is fresh.
                return match read(engine, id, deadline).await? {
                    Some(b) => Ok(b),
                    None => Err(OpError::NotConverged(format!(
                        "task {task_id} succeeded but the binding {id} is not visible in DescribeTargetGroups"
                    ))),
                };
            }
            Err(OpError::Task(TaskError::Failed { task_id, .. })) if rounds.retry_failed_task() => {
                tracing::warn!(id = %id, task_id, "bind task failed; trying once more");
            }
            Err(OpError::Api(e @ (ApiError::OutcomeUnknown { .. } | ApiError::Cancelled))) => {
                if pending.is_none() {
                    *pending = Some(PendingWrite::default());
                }
                if matches!(e, ApiError::Cancelled) {
                    return Err(e.into());
                }
                tracing::warn!(id = %id, error = %e, "bind outcome unknown; reading the cloud before sending it again");
                rounds.outcome_unknown(e);
            }
            Err(OpError::Api(e)) => {
                // Refused, perhaps because the binding appeared meanwhile (an earlier task finishing).
                if let Some(existing) = look(engine, id, Freshness::Fresh, deadline).await? {
                    return adopt(existing, weight);
                }
                return Err(e.into());
            }
            Err(e) => {
                if let Some(p) = left_running(&e) {
                    *pending = Some(p);
                }
                return Err(e);
            }
        }
    }
}

/// Waits for the task of a bind whose result a create did not see, so that what the cloud shows
/// afterwards is final. A failed task is fine (nothing was bound), and so is a task the cloud can
/// no longer report on (the read that follows tells the truth either way); a task still running
/// at the deadline, or an interruption, is an error.
pub async fn settle(
    engine: &Engine,
    pending: &PendingWrite,
    deadline: &Deadline,
) -> Result<(), OpError> {
    let Some(task_id) = &pending.task_id else {
        return Ok(());
    };
    match engine.wait_task(task_id, deadline).await {
        Ok(()) | Err(TaskError::Failed { .. }) => Ok(()),
        Err(TaskError::Api(e)) => {
            tracing::info!(task_id, error = %e, "cannot check the earlier bind task; reading the binding instead");
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// What a refresh found.
#[derive(Debug, Clone)]
pub enum Refreshed {
    /// The binding, as the cloud has it.
    Present(Binding),
    /// The binding does not exist (and no earlier bind can still make it).
    Absent,
    /// An earlier bind may still be making the binding: keep what is recorded.
    Unconfirmed(OpError),
}

/// Reads the binding for a refresh, first waiting for an earlier bind that a create recorded
/// without seeing its result (`pending`).
pub async fn refresh(
    engine: &Engine,
    id: &AssociationId,
    pending: Option<&PendingWrite>,
    deadline: &Deadline,
) -> Result<Refreshed, OpError> {
    if let Some(p) = pending
        && let Err(still_running) = settle(engine, p, deadline).await
    {
        return Ok(Refreshed::Unconfirmed(still_running));
    }
    Ok(match read(engine, id, deadline).await? {
        Some(b) => Refreshed::Present(b),
        None if pending.is_some_and(|p| p.task_id.is_none()) => {
            Refreshed::Unconfirmed(OpError::NotConverged(
                "the answer to the bind never arrived, so a task making the binding may still be running"
                    .into(),
            ))
        }
        None => Refreshed::Absent,
    })
}

/// Unbinds the target group; success when the binding is gone, whoever removed it.
///
/// `object` is the mark in the deleted object's private data (none for objects imported or
/// written by older versions). When a create of this run put a newer object of the same binding
/// into state, the binding belongs to that object (the deposed half of a `create_before_destroy`
/// replacement names the same binding): nothing is written.
pub async fn delete(
    engine: &Engine,
    run: &RunMemory,
    id: &AssociationId,
    pending: Option<&PendingWrite>,
    object: Option<&ObjectMark>,
    deadline: &Deadline,
) -> Result<(), OpError> {
    if run.replaced_by_this_run(id, object) {
        tracing::info!(id = %id, "a newer object of this binding was created in this run; leaving the binding in place");
        return Ok(());
    }
    // Destroying the object this run created: a later create of the binding starts afresh.
    run.forget(id);
    if let Some(p) = pending {
        settle(engine, p, deadline).await?;
    }
    // A bind whose answer never came may still be running as a task nobody can name. Unbinding
    // once even when nothing is visible makes the cloud queue behind that task (it answers
    // `ResourceInOperating` until the task ends) and then either removes what it made or says
    // there is nothing to remove.
    let mut unbind_unseen = pending.is_some_and(|p| p.task_id.is_none());
    let mut rounds = Rounds::new();
    loop {
        rounds.next(deadline).await?;
        if gone(engine, id, deadline).await? && !std::mem::take(&mut unbind_unseen) {
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
            Err(OpError::Task(TaskError::Failed { task_id, .. })) if rounds.retry_failed_task() => {
                tracing::warn!(id = %id, task_id, "unbind task failed; trying once more");
            }
            Err(OpError::Api(e @ ApiError::OutcomeUnknown { .. })) => {
                tracing::warn!(id = %id, error = %e, "unbind outcome unknown; reading the cloud before sending it again");
                rounds.outcome_unknown(e);
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
            Err(e) => return Err(e),
        }
    }
}
