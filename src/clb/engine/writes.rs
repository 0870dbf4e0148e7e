//! Batched writes, one queue and one worker per load balancer.
//!
//! The cloud runs one task per load balancer at a time and takes up to 20 associations per call,
//! so binds (or unbinds) that wait for the same load balancer are sent together: while a task
//! runs, new operations queue; when it ends, the worker sends what has gathered as one call and
//! every waiter gets its own result.
//!
//! Terraform keeps at most `-parallelism` operations in flight and refills the slot of each one
//! answered a little later (tens of milliseconds apart on a busy machine), with the next
//! resource in its own order, which may belong to any load balancer. So before sending, a worker
//! waits, never longer than [`GATHER_CAP`] (or half a task time, when that is longer), until
//! both:
//! - every operation this process answered (on any load balancer) has been refilled, or
//!   arrivals pause for [`GATHER_PATIENCE`] ([`GATHER_GAP`] when nothing is owed, as at the
//!   start);
//! - no other load balancer's task is about to end (due within half a task time, and not overdue
//!   by more than [`OVERDUE`]): the operations its end frees will be refilled with some for this
//!   load balancer, and sending now would make those wait a whole task.
//!
//! A full call goes at once. Load balancers thus run their tasks in step, rounds of about one
//! task time, which is what lets N bindings spread over several of them take about
//! N / parallelism task times rather than half as much again.
//!
//! A call refused because of one member does not fail the others: the member the refusal names
//! (`Associations.N` in the message), or else each half in turn, is sent again on its own until
//! every operation has its own answer. A failed task changed nothing, so a batch whose task failed
//! is split the same way; only a single operation's failure is reported as such.
//!
//! Each waiter keeps its own deadline and cancellation: one that gives up gets its own error,
//! saying whether its write was never sent, in flight, or accepted with the task still running
//! (the state-integrity rules decide from that), while the batch goes on for the others.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::clb::binding::id::AssociationId;
use crate::clb::cloud::{ClbApi, Deadline, MAX_ASSOCIATIONS_PER_CALL, TargetGroupType, Weight};
use crate::clb::engine::LockError;
use crate::clb::engine::OpError;
use crate::clb::engine::lock;
use crate::clb::engine::reads::{TargetGroupReads, ended_error};
use tencentcloud::clb::TaskError;
use tencentcloud::deadline::Ended;
use tencentcloud::error::ApiError;

/// Longest pause between two arrivals that still counts as "more are coming".
pub(crate) const GATHER_GAP: Duration = Duration::from_millis(75);
/// The same while answered operations have not all been refilled yet.
pub(crate) const GATHER_PATIENCE: Duration = Duration::from_millis(250);
/// Longest time a gathered batch waits for more arrivals (unless half a task time is longer).
pub(crate) const GATHER_CAP: Duration = Duration::from_millis(600);
/// How long after its expected end another load balancer's task is still waited for.
pub(crate) const OVERDUE: Duration = Duration::from_millis(200);
/// Time allowed for reading back the target groups a finished task touched.
const READ_BACK_BUDGET: Duration = Duration::from_secs(30);

/// What one operation asks of the cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// Bind with this weight (`None`: the cloud's default).
    Bind(Option<Weight>),
    /// Unbind.
    Unbind,
}

/// Where an operation is, as its waiter sees it when giving up.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    Queued,
    Sending,
    Accepted(String),
    Abandoned,
}

type Reply = Result<String, OpError>;

struct Op {
    id: AssociationId,
    change: Change,
    kind: TargetGroupType,
    deadline: Deadline,
    phase: Arc<Mutex<Phase>>,
    reply: oneshot::Sender<Reply>,
}

impl Op {
    fn batch_key(&self) -> (bool, TargetGroupType) {
        (matches!(self.change, Change::Bind(_)), self.kind)
    }

    /// Moves to `next` unless the waiter has given up; false when it has.
    fn advance(&self, next: Phase) -> bool {
        let mut phase = lock(&self.phase);
        if *phase == Phase::Abandoned {
            return false;
        }
        *phase = next;
        true
    }

    fn abandoned(&self) -> bool {
        *lock(&self.phase) == Phase::Abandoned
    }

    fn answer(self, reply: Reply) {
        let _ = self.reply.send(reply);
    }
}

#[derive(Default)]
struct Queue {
    ops: Mutex<VecDeque<Op>>,
    arrived: Notify,
}

impl Queue {
    fn live(&self) -> usize {
        let mut ops = lock(&self.ops);
        ops.retain(|op| !op.abandoned());
        ops.len()
    }

    /// The oldest operation and every later one that can share its call.
    fn take_batch(&self) -> Vec<Op> {
        let mut ops = lock(&self.ops);
        ops.retain(|op| !op.abandoned());
        let Some(key) = ops.front().map(Op::batch_key) else {
            return Vec::new();
        };
        let mut batch: Vec<Op> = Vec::new();
        let mut rest = VecDeque::new();
        for op in ops.drain(..) {
            if batch.len() < MAX_ASSOCIATIONS_PER_CALL
                && op.batch_key() == key
                && !batch.iter().any(|b| b.id == op.id)
            {
                batch.push(op);
            } else {
                rest.push_back(op);
            }
        }
        *ops = rest;
        batch
    }
}

/// The write queues of every load balancer this process touches.
pub struct Writes {
    api: Arc<dyn ClbApi>,
    reads: Arc<TargetGroupReads>,
    queues: Mutex<HashMap<String, Arc<Queue>>>,
    /// Operations answered whose slot Terraform has not refilled yet (each arrival counts one).
    refills_owed: AtomicU64,
    /// Woken on every arrival and every end of a task, on any load balancer.
    activity: Notify,
    /// When the call of each load balancer's running task was sent.
    running: Mutex<HashMap<String, Instant>>,
    /// From sending a call to seeing its task end, the last time.
    task_time: Mutex<Option<Duration>>,
}

impl Writes {
    /// Writes through `api`, invalidating `reads` for what they touch.
    pub fn new(api: Arc<dyn ClbApi>, reads: Arc<TargetGroupReads>) -> Arc<Self> {
        Arc::new(Writes {
            api,
            reads,
            queues: Mutex::default(),
            refills_owed: AtomicU64::new(0),
            activity: Notify::new(),
            running: Mutex::default(),
            task_time: Mutex::default(),
        })
    }

    fn queue(self: &Arc<Self>, load_balancer_id: &str) -> Arc<Queue> {
        let mut queues = lock(&self.queues);
        if let Some(q) = queues.get(load_balancer_id) {
            return q.clone();
        }
        let q = Arc::new(Queue::default());
        queues.insert(load_balancer_id.to_string(), q.clone());
        let (me, worker_queue) = (self.clone(), q.clone());
        tokio::spawn(async move { me.run(worker_queue).await });
        q
    }

    /// Queues `change` of binding `id` (of a target group of type `kind`) and waits for its own
    /// result: the ID of the task that did it.
    pub(crate) async fn submit(
        self: &Arc<Self>,
        id: &AssociationId,
        change: Change,
        kind: TargetGroupType,
        deadline: &Deadline,
    ) -> Reply {
        let queue = self.queue(&id.load_balancer_id);
        let phase = Arc::new(Mutex::new(Phase::Queued));
        let (tx, mut rx) = oneshot::channel();
        lock(&queue.ops).push_back(Op {
            id: id.clone(),
            change,
            kind,
            deadline: deadline.clone(),
            phase: phase.clone(),
            reply: tx,
        });
        queue.arrived.notify_one();
        tracing::debug!(load_balancer = %id.load_balancer_id, change = ?change, "queued for the next call");
        let _ = self
            .refills_owed
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        self.activity.notify_waiters();
        tokio::select! {
            biased;
            reply = &mut rx => reply.unwrap_or_else(|_| Err(stopped())),
            ended = deadline.reached() => {
                let was = std::mem::replace(
                    &mut *lock(&phase),
                    Phase::Abandoned,
                );
                // The answer may have been sent in the meantime.
                if let Ok(reply) = rx.try_recv() {
                    return reply;
                }
                Err(given_up(id, change, was, ended))
            }
        }
    }

    /// Waits for a task started earlier; it needs no turn on the load balancer.
    pub async fn wait_task(&self, task_id: &str, deadline: &Deadline) -> Result<(), TaskError> {
        self.api.wait_task(task_id, deadline).await
    }

    async fn run(self: Arc<Self>, queue: Arc<Queue>) {
        loop {
            while queue.live() == 0 {
                queue.arrived.notified().await;
            }
            self.gather(&queue).await;
            let batch = queue.take_batch();
            if batch.is_empty() {
                continue;
            }
            self.execute(batch).await;
        }
    }

    /// Waits while operations keep arriving or other load balancers' tasks are about to end, so
    /// one call carries what Terraform sends together (see the module's documentation).
    async fn gather(&self, queue: &Queue) {
        let started = Instant::now();
        let half_task = self.task_time().map_or(Duration::ZERO, |t| t / 2);
        let cap = started + GATHER_CAP.max(half_task);
        let mut expecting_refills = false;
        loop {
            let next_event = self.activity.notified();
            tokio::pin!(next_event);
            next_event.as_mut().enable();
            let now = Instant::now();
            if queue.live() >= MAX_ASSOCIATIONS_PER_CALL || now >= cap {
                return;
            }
            let ending = self.other_task_ending(now);
            let owed = self.refills_owed.load(Ordering::SeqCst);
            if ending.is_none() && owed == 0 && expecting_refills {
                return;
            }
            expecting_refills |= owed > 0;
            let until = match ending {
                Some(end) => (end + OVERDUE).min(cap),
                None if owed > 0 => now + GATHER_PATIENCE,
                None => now + GATHER_GAP,
            };
            if tokio::time::timeout_at(until, next_event).await.is_err() && ending.is_none() {
                return;
            }
        }
    }

    /// The last expected end among other load balancers' tasks due within half a task time (and
    /// not overdue by more than [`OVERDUE`]).
    fn other_task_ending(&self, now: Instant) -> Option<Instant> {
        let task_time = self.task_time()?;
        lock(&self.running)
            .values()
            .map(|sent| *sent + task_time)
            .filter(|end| *end <= now + task_time / 2 && now <= *end + OVERDUE)
            .max()
    }

    fn task_time(&self) -> Option<Duration> {
        *lock(&self.task_time)
    }

    /// A task of `load_balancer_id` ended (or its call or wait failed); its operations are
    /// about to be answered and their slots refilled.
    fn task_over(&self, load_balancer_id: &str, answered: usize) {
        lock(&self.running).remove(load_balancer_id);
        self.refills_owed
            .fetch_add(answered as u64, Ordering::SeqCst);
        self.activity.notify_waiters();
    }

    /// Sends `batch`, isolating members the cloud refuses, until every member has its answer.
    async fn execute(&self, batch: Vec<Op>) {
        let mut groups: VecDeque<Vec<Op>> = VecDeque::from([batch]);
        while let Some(mut group) = groups.pop_front() {
            group.retain(|op| op.advance(Phase::Sending));
            if group.is_empty() {
                continue;
            }
            let (deadline, watcher) = group_deadline(&group);
            let target_groups = target_group_ids(&group);
            self.reads
                .invalidate(target_groups.iter().map(String::as_str));
            tracing::debug!(
                load_balancer = %group[0].id.load_balancer_id,
                size = group.len(),
                change = ?group[0].change,
                "sending a batch"
            );
            let load_balancer_id = group[0].id.load_balancer_id.clone();
            let sent_at = Instant::now();
            lock(&self.running).insert(load_balancer_id.clone(), sent_at);
            let sent = match group[0].change {
                Change::Bind(_) => {
                    let items: Vec<(AssociationId, Option<Weight>)> = group
                        .iter()
                        .map(|op| match op.change {
                            Change::Bind(w) => (op.id.clone(), w),
                            Change::Unbind => unreachable!("a batch holds one kind of change"),
                        })
                        .collect();
                    self.api.associate(&items, &deadline).await
                }
                Change::Unbind => {
                    let ids: Vec<AssociationId> = group.iter().map(|op| op.id.clone()).collect();
                    self.api.disassociate(&ids, &deadline).await
                }
            };
            match sent {
                Ok(task_id) => {
                    for op in &group {
                        op.advance(Phase::Accepted(task_id.clone()));
                    }
                    let waited = self.api.wait_task(&task_id, &deadline).await;
                    self.reads
                        .invalidate(target_groups.iter().map(String::as_str));
                    match waited {
                        Ok(()) => {
                            *lock(&self.task_time) = Some(sent_at.elapsed());
                            self.reads
                                .refresh(&target_groups, &deadline.capped(READ_BACK_BUDGET))
                                .await;
                            self.task_over(&load_balancer_id, live_members(&group));
                            for op in group {
                                op.answer(Ok(task_id.clone()));
                            }
                        }
                        Err(e @ TaskError::Failed { .. }) if group.len() > 1 => {
                            // The task changed nothing; find out whose change it could not make.
                            tracing::info!(size = group.len(), error = %e, "batch task failed; retrying it in halves");
                            self.task_over(&load_balancer_id, 0);
                            requeue(&mut groups, split_in_half(group));
                        }
                        Err(e) => {
                            self.task_over(&load_balancer_id, live_members(&group));
                            for op in group {
                                op.answer(Err(OpError::Task(e.clone())));
                            }
                        }
                    }
                }
                Err(e) if group.len() > 1 && may_be_one_members_fault(&e) => {
                    let parts = match culprit(&e, group.len()) {
                        Some(i) => {
                            let named = group.remove(i);
                            vec![group, vec![named]]
                        }
                        None => split_in_half(group),
                    };
                    tracing::info!(error = %e, "batch refused; sending its members apart");
                    self.task_over(&load_balancer_id, 0);
                    requeue(&mut groups, parts);
                }
                Err(e) => {
                    self.task_over(&load_balancer_id, live_members(&group));
                    for op in group {
                        op.answer(Err(OpError::Api(e.clone())));
                    }
                }
            }
            watcher.abort();
        }
    }
}

/// Members whose waiter still waits (and whose slot Terraform refills once answered).
fn live_members(group: &[Op]) -> usize {
    group.iter().filter(|op| !op.abandoned()).count()
}

fn requeue(groups: &mut VecDeque<Vec<Op>>, parts: Vec<Vec<Op>>) {
    for part in parts.into_iter().rev() {
        for op in &part {
            op.advance(Phase::Queued);
        }
        groups.push_front(part);
    }
}

fn split_in_half(mut group: Vec<Op>) -> Vec<Vec<Op>> {
    let second = group.split_off(group.len() / 2);
    vec![group, second]
}

fn target_group_ids(group: &[Op]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for op in group {
        if !ids.contains(&op.id.target_group_id) {
            ids.push(op.id.target_group_id.clone());
        }
    }
    ids
}

/// The batch's calls last as long as its most patient member; they stop early only when every
/// member has been cancelled.
fn group_deadline(group: &[Op]) -> (Deadline, tokio::task::JoinHandle<()>) {
    let latest = group
        .iter()
        .map(|op| op.deadline.instant())
        .max()
        .expect("a group is never empty");
    let token = CancellationToken::new();
    let members: Vec<CancellationToken> =
        group.iter().map(|op| op.deadline.token().clone()).collect();
    let all_cancelled = token.clone();
    let watcher = tokio::spawn(async move {
        futures::future::join_all(members.iter().map(CancellationToken::cancelled)).await;
        all_cancelled.cancel();
    });
    (Deadline::at(latest, token), watcher)
}

/// Refusals that can come from one association of the request rather than from the request as a
/// whole (credentials, rate limits, a busy load balancer).
fn may_be_one_members_fault(e: &ApiError) -> bool {
    let ApiError::Api { code, .. } = e else {
        return false;
    };
    let family = code.split('.').next().unwrap_or(code);
    code != "FailedOperation.ResourceInOperating"
        && matches!(
            family,
            "InvalidParameter"
                | "InvalidParameterValue"
                | "MissingParameter"
                | "FailedOperation"
                | "ResourceNotFound"
                | "ResourceUnavailable"
                | "LimitExceeded"
                | "UnsupportedOperation"
        )
}

/// The position the refusal names (`Associations.3: …`), when it names one within the request.
fn culprit(e: &ApiError, len: usize) -> Option<usize> {
    let ApiError::Api { message, .. } = e else {
        return None;
    };
    let rest = &message[message.find("Associations.")? + "Associations.".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|i| *i < len)
}

fn stopped() -> OpError {
    OpError::NotConverged("the write queue stopped before answering".into())
}

/// The error of a waiter that stopped waiting, from where its operation was.
fn given_up(id: &AssociationId, change: Change, was: Phase, ended: Ended) -> OpError {
    let lb = id.load_balancer_id.clone();
    match (was, ended) {
        (Phase::Queued | Phase::Abandoned, Ended::Expired) => {
            OpError::Lock(LockError::DeadlineExceeded(lb))
        }
        (Phase::Queued | Phase::Abandoned, Ended::Cancelled) => {
            OpError::Lock(LockError::Cancelled(lb))
        }
        (Phase::Sending, ended) => {
            let action = match change {
                Change::Bind(_) => "AssociateTargetGroups",
                Change::Unbind => "DisassociateTargetGroups",
            };
            OpError::Api(ApiError::OutcomeUnknown {
                action: action.into(),
                cause: Box::new(ended_error(ended, action)),
            })
        }
        (Phase::Accepted(task_id), Ended::Expired) => {
            OpError::Task(TaskError::DeadlineExceeded { task_id })
        }
        (Phase::Accepted(task_id), Ended::Cancelled) => {
            OpError::Task(TaskError::Cancelled { task_id })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error(code: &str, message: &str) -> ApiError {
        ApiError::Api {
            code: code.into(),
            message: message.into(),
            request_id: "r".into(),
        }
    }

    #[test]
    fn culprit_is_read_from_the_message_when_in_range() {
        let e = api_error(
            "InvalidParameter",
            "Associations.3: target group lbtg-x is already bound.",
        );
        assert_eq!(culprit(&e, 5), Some(3));
        assert_eq!(culprit(&e, 3), None);
        assert_eq!(culprit(&api_error("InvalidParameter", "bad"), 5), None);
    }

    #[test]
    fn only_member_refusals_are_isolated() {
        assert!(may_be_one_members_fault(&api_error("InvalidParameter", "")));
        assert!(may_be_one_members_fault(&api_error("FailedOperation", "")));
        assert!(!may_be_one_members_fault(&api_error(
            "FailedOperation.ResourceInOperating",
            ""
        )));
        assert!(!may_be_one_members_fault(&api_error(
            "AuthFailure.SecretIdNotFound",
            ""
        )));
        assert!(!may_be_one_members_fault(&api_error(
            "RequestLimitExceeded",
            ""
        )));
        assert!(!may_be_one_members_fault(&ApiError::Cancelled));
    }
}
