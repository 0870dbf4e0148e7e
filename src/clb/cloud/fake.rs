//! In-memory [`ClbApi`] for unit tests of the resource logic and the engine.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;

use crate::clb::binding::id::AssociationId;
use crate::clb::cloud::*;
use tencentcloud::clb::TaskError;
use tencentcloud::error::ApiError;

/// Fault knobs and call counters of the fake.
#[derive(Debug, Default)]
pub struct Script {
    /// The next N writes are applied but answer `OutcomeUnknown`.
    pub lost_answers: usize,
    /// Tasks fail with this message.
    pub task_failure: Option<String>,
    /// The next N tasks fail once, changing nothing (a transient task failure).
    pub failing_tasks: usize,
    /// The next N writes do nothing and answer `OutcomeUnknown` (like `InternalError`).
    pub unapplied_unknown: usize,
    /// Waiting for a task runs out of time (the task itself completes in the cloud).
    pub task_timeout: bool,
    /// Reading a target group answers this API error code.
    pub read_error: Option<String>,
    /// Task IDs that failed.
    pub failed: Vec<String>,
    /// Binds of these target groups are refused with `InvalidParameter` (no position given).
    pub refused_target_groups: Vec<String>,
    /// How long a task runs.
    pub task_time: Duration,
    /// Added to the task time of the n-th task waited for (cycling), so tasks end apart.
    pub task_time_extra: Vec<Duration>,
    /// Tasks waited for.
    pub tasks_waited: usize,
    /// Write calls sent.
    pub writes: usize,
    /// Size of every write call, in order.
    pub batch_sizes: Vec<usize>,
    /// `target_groups` calls, with the number of IDs asked for.
    pub target_group_reads: Vec<usize>,
    /// `load_balancer` and `listeners` calls.
    pub catalog_reads: usize,
}

/// A small world: one LB in `vpc-a`, TCP listener in target-group mode, TCP listener in node mode,
/// HTTP listener with rule `loc-r1`, v2 target group `lbtg-v2`, v1 target group `lbtg-v1`,
/// v2 target group `lbtg-far` in another VPC, and v2 target groups `lbtg-many-…` (any suffix) in `vpc-a`.
pub(crate) struct FakeClb {
    /// Bindings per target group.
    pub bindings: Mutex<Vec<(String, Binding)>>,
    /// Faults and counters.
    pub script: Mutex<Script>,
}

impl FakeClb {
    /// The world described above, with no bindings.
    pub fn new() -> Self {
        FakeClb {
            bindings: Mutex::new(Vec::new()),
            script: Mutex::new(Script::default()),
        }
    }

    fn err(code: &str) -> ApiError {
        ApiError::Api {
            code: code.into(),
            message: format!("fake {code}"),
            request_id: "req-fake".into(),
        }
    }

    /// Number of bindings currently held.
    pub fn count(&self) -> usize {
        self.bindings.lock().unwrap().len()
    }

    fn group(id: &str) -> Option<(&'static str, TargetGroupType)> {
        match id {
            "lbtg-v2" => Some(("vpc-a", TargetGroupType::V2)),
            "lbtg-v1" => Some(("vpc-a", TargetGroupType::V1)),
            "lbtg-far" => Some(("vpc-b", TargetGroupType::V2)),
            n if n.starts_with("lbtg-many-") => Some(("vpc-a", TargetGroupType::V2)),
            _ => None,
        }
    }

    fn is(b: &(String, Binding), id: &AssociationId) -> bool {
        b.0 == id.target_group_id
            && b.1.load_balancer_id == id.load_balancer_id
            && b.1.listener_id == id.listener_id
            && b.1.location_id == id.location_id
    }

    /// Checks a write the way the cloud does: all or nothing, at most 20, one type.
    fn check_write(&self, ids: &[&AssociationId], bind: bool) -> Result<(), ApiError> {
        let mut script = self.script.lock().unwrap();
        script.writes += 1;
        script.batch_sizes.push(ids.len());
        if ids.is_empty() || ids.len() > MAX_ASSOCIATIONS_PER_CALL {
            return Err(Self::err("InvalidParameterValue.Length"));
        }
        let mut kinds = Vec::new();
        for id in ids {
            let Some((_, kind)) = Self::group(&id.target_group_id) else {
                return Err(Self::err("ResourceNotFound"));
            };
            kinds.push(kind);
            if bind && script.refused_target_groups.contains(&id.target_group_id) {
                return Err(Self::err("InvalidParameter"));
            }
            let bound = self
                .bindings
                .lock()
                .unwrap()
                .iter()
                .any(|b| Self::is(b, id));
            if bound == bind {
                return Err(Self::err("InvalidParameter"));
            }
        }
        if kinds.windows(2).any(|w| w[0] != w[1]) {
            return Err(Self::err("InvalidParameter"));
        }
        Ok(())
    }

    /// Answers a write (after it was applied): its task ID, or a lost answer.
    fn answer(&self, action: &str) -> Result<String, ApiError> {
        let mut script = self.script.lock().unwrap();
        if script.lost_answers > 0 {
            script.lost_answers -= 1;
            return Err(ApiError::OutcomeUnknown {
                action: action.into(),
                cause: Box::new(ApiError::Config("connection reset".into())),
            });
        }
        Ok(format!("task-{}", script.writes))
    }

    /// A write that did nothing and got no useful answer, when one is scripted.
    fn unapplied(&self, action: &str) -> Result<(), ApiError> {
        let mut script = self.script.lock().unwrap();
        if script.unapplied_unknown > 0 {
            script.unapplied_unknown -= 1;
            script.writes += 1;
            return Err(ApiError::OutcomeUnknown {
                action: action.into(),
                cause: Box::new(Self::err("InternalError")),
            });
        }
        Ok(())
    }

    /// Every binding held, with its listener and rule details.
    fn details(&self) -> Vec<BindingDetail> {
        self.bindings
            .lock()
            .unwrap()
            .iter()
            .map(|(tg, b)| {
                let (protocol, _, _, port) =
                    fake_listener(&b.listener_id).unwrap_or(("TCP", "TARGETGROUP", &[], 0));
                let on_rule = b.location_id.is_some();
                BindingDetail {
                    target_group_id: tg.clone(),
                    binding: b.clone(),
                    protocol: protocol.into(),
                    port: Some(port),
                    domain: on_rule.then(|| "www.example.com".to_string()),
                    url: on_rule.then(|| "/".to_string()),
                }
            })
            .collect()
    }

    fn task_will_fail(&self) -> bool {
        let mut script = self.script.lock().unwrap();
        if script.failing_tasks > 0 {
            script.failing_tasks -= 1;
            return true;
        }
        script.task_failure.is_some()
    }
}

/// The fake's listeners on `lb-a`.
const LISTENERS: [&str; 3] = ["lbl-tcp", "lbl-node", "lbl-http"];

/// Protocol, target type, rules and port of a listener of `lb-a`.
fn fake_listener(id: &str) -> Option<(&'static str, &'static str, &'static [&'static str], i64)> {
    match id {
        "lbl-tcp" => Some(("TCP", "TARGETGROUP", &[], 7001)),
        "lbl-node" => Some(("UDP", "NODE", &[], 7002)),
        "lbl-http" => Some(("HTTP", "NODE", &["loc-r1"], 80)),
        _ => None,
    }
}

#[async_trait]
impl ClbApi for FakeClb {
    async fn target_groups(
        &self,
        ids: &[String],
        _d: &Deadline,
    ) -> Result<Vec<TargetGroup>, ApiError> {
        {
            let mut script = self.script.lock().unwrap();
            script.target_group_reads.push(ids.len());
            if let Some(code) = &script.read_error {
                return Err(Self::err(code));
            }
        }
        let all = self.bindings.lock().unwrap();
        Ok(ids
            .iter()
            .filter_map(|id| {
                let (vpc, kind) = Self::group(id)?;
                Some(TargetGroup {
                    id: id.clone(),
                    vpc_id: Some(vpc.into()),
                    kind,
                    bindings: all
                        .iter()
                        .filter(|(tg, _)| tg == id)
                        .map(|(_, b)| b.clone())
                        .collect(),
                })
            })
            .collect())
    }

    async fn load_balancer(
        &self,
        id: &str,
        _d: &Deadline,
    ) -> Result<Option<LoadBalancer>, ApiError> {
        self.script.lock().unwrap().catalog_reads += 1;
        Ok((id == "lb-a").then(|| LoadBalancer {
            id: id.into(),
            vpc_id: Some("vpc-a".into()),
        }))
    }

    async fn listeners(&self, lb: &str, _d: &Deadline) -> Result<Option<Vec<Listener>>, ApiError> {
        self.script.lock().unwrap().catalog_reads += 1;
        if lb != "lb-a" {
            return Ok(None);
        }
        let bound = self.bindings.lock().unwrap();
        Ok(Some(
            LISTENERS
                .iter()
                .filter_map(|&id| {
                    let (protocol, target_type, rules, _) = fake_listener(id)?;
                    Some(Listener {
                        id: id.into(),
                        protocol: protocol.into(),
                        target_type: Some(target_type.into()),
                        rule_ids: rules.iter().map(|r| r.to_string()).collect(),
                        target_group_ids: bound
                            .iter()
                            .filter(|(_, b)| b.listener_id == id)
                            .map(|(tg, _)| tg.clone())
                            .collect(),
                    })
                })
                .collect(),
        ))
    }

    async fn associate(
        &self,
        bindings: &[(AssociationId, Option<Weight>)],
        _d: &Deadline,
    ) -> Result<String, ApiError> {
        let ids: Vec<&AssociationId> = bindings.iter().map(|(id, _)| id).collect();
        self.unapplied("AssociateTargetGroups")?;
        self.check_write(&ids, true)?;
        let fail = self.task_will_fail();
        if !fail {
            let mut all = self.bindings.lock().unwrap();
            for (id, weight) in bindings {
                all.push((
                    id.target_group_id.clone(),
                    Binding {
                        load_balancer_id: id.load_balancer_id.clone(),
                        listener_id: id.listener_id.clone(),
                        location_id: id.location_id.clone(),
                        weight: Some(weight.unwrap_or(10)),
                    },
                ));
            }
        }
        let task = self.answer("AssociateTargetGroups")?;
        if fail {
            self.script.lock().unwrap().failed.push(task.clone());
        }
        Ok(task)
    }

    async fn disassociate(
        &self,
        bindings: &[AssociationId],
        _d: &Deadline,
    ) -> Result<String, ApiError> {
        let ids: Vec<&AssociationId> = bindings.iter().collect();
        self.unapplied("DisassociateTargetGroups")?;
        self.check_write(&ids, false)?;
        self.bindings
            .lock()
            .unwrap()
            .retain(|b| !bindings.iter().any(|id| Self::is(b, id)));
        self.answer("DisassociateTargetGroups")
    }

    async fn wait_task(&self, task_id: &str, deadline: &Deadline) -> Result<(), TaskError> {
        let (task_time, times_out) = {
            let mut script = self.script.lock().unwrap();
            let n = script.tasks_waited;
            script.tasks_waited += 1;
            let extra = match script.task_time_extra.len() {
                0 => Duration::ZERO,
                len => script.task_time_extra[n % len],
            };
            (script.task_time + extra, script.task_timeout)
        };
        if times_out {
            return Err(TaskError::DeadlineExceeded {
                task_id: task_id.into(),
            });
        }
        if deadline.run(tokio::time::sleep(task_time)).await.is_err() {
            return Err(TaskError::DeadlineExceeded {
                task_id: task_id.into(),
            });
        }
        let script = self.script.lock().unwrap();
        if script.failed.iter().any(|t| t == task_id) {
            return Err(TaskError::Failed {
                task_id: task_id.into(),
                message: script
                    .task_failure
                    .clone()
                    .unwrap_or_else(|| "transient backend failure".into()),
                request_id: None,
            });
        }
        Ok(())
    }

    async fn target_group_binding_details(
        &self,
        target_group_id: &str,
        _d: &Deadline,
    ) -> Result<Option<Vec<BindingDetail>>, ApiError> {
        if Self::group(target_group_id).is_none() {
            return Ok(None);
        }
        let mut all = self.details();
        all.retain(|d| d.target_group_id == target_group_id);
        Ok(Some(all))
    }

    async fn load_balancer_binding_details(
        &self,
        load_balancer_id: &str,
        listener_id: Option<&str>,
        _d: &Deadline,
    ) -> Result<Option<Vec<BindingDetail>>, ApiError> {
        if load_balancer_id != "lb-a" {
            return Ok(None);
        }
        let mut all = self.details();
        all.retain(|d| {
            d.binding.load_balancer_id == load_balancer_id
                && listener_id.is_none_or(|id| d.binding.listener_id == id)
        });
        Ok(Some(all))
    }
}
