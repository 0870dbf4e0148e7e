//! In-memory [`ClbApi`] for unit tests of the resource logic.

use std::sync::Mutex;

use async_trait::async_trait;

use crate::clb::api::*;
use crate::tencentcloud::clb::TaskError;
use crate::tencentcloud::error::ApiError;

/// Fault knobs and call counters of the fake.
#[derive(Debug, Default)]
pub struct Script {
    /// The next N writes are applied but answer `OutcomeUnknown`.
    pub lost_answers: usize,
    /// Tasks fail with this message.
    pub task_failure: Option<String>,
    /// Writes sent.
    pub writes: usize,
    /// The next N writes do nothing and answer `OutcomeUnknown` (like `InternalError`).
    pub unapplied_unknown: usize,
    /// The next N tasks fail once, changing nothing (a transient task failure).
    pub failing_tasks: usize,
    /// Waiting for a task runs out of time (the task itself completes in the cloud).
    pub task_timeout: bool,
    /// Reading a target group answers this API error code.
    pub read_error: Option<String>,
    /// Task IDs that failed.
    pub failed: Vec<String>,
}

/// A small world: one LB in `vpc-a`, TCP listener in target-group mode, TCP listener in node mode,
/// HTTP listener with rule `loc-r1`, v2 target group `lbtg-v2`, v1 target group `lbtg-v1`,
/// v2 target group `lbtg-far` in another VPC.
pub struct FakeClb {
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
}

#[async_trait]
impl ClbApi for FakeClb {
    async fn target_group(
        &self,
        id: &str,
        _l: &CallLimits,
    ) -> Result<Option<TargetGroup>, ApiError> {
        if let Some(code) = &self.script.lock().unwrap().read_error {
            return Err(Self::err(code));
        }
        let (vpc, kind) = match id {
            "lbtg-v2" => ("vpc-a", TargetGroupType::V2),
            "lbtg-v1" => ("vpc-a", TargetGroupType::V1),
            "lbtg-far" => ("vpc-b", TargetGroupType::V2),
            _ => return Ok(None),
        };
        let bindings = self
            .bindings
            .lock()
            .unwrap()
            .iter()
            .filter(|(tg, _)| tg == id)
            .map(|(_, b)| b.clone())
            .collect();
        Ok(Some(TargetGroup {
            id: id.into(),
            vpc_id: Some(vpc.into()),
            kind,
            bindings,
        }))
    }

    async fn load_balancer(
        &self,
        id: &str,
        _l: &CallLimits,
    ) -> Result<Option<LoadBalancer>, ApiError> {
        Ok((id == "lb-a").then(|| LoadBalancer {
            id: id.into(),
            vpc_id: Some("vpc-a".into()),
        }))
    }

    async fn listener(
        &self,
        lb: &str,
        id: &str,
        _l: &CallLimits,
    ) -> Result<Option<Listener>, ApiError> {
        if lb != "lb-a" {
            return Ok(None);
        }
        let (protocol, target_type, rules) = match id {
            "lbl-tcp" => ("TCP", "TARGETGROUP", vec![]),
            "lbl-node" => ("UDP", "NODE", vec![]),
            "lbl-http" => ("HTTP", "NODE", vec!["loc-r1".to_string()]),
            _ => return Ok(None),
        };
        Ok(Some(Listener {
            id: id.into(),
            protocol: protocol.into(),
            target_type: Some(target_type.into()),
            rule_ids: rules,
        }))
    }

    async fn associate(
        &self,
        req: &AssociationRequest,
        _l: &CallLimits,
    ) -> Result<String, ApiError> {
        let mut script = self.script.lock().unwrap();
        script.writes += 1;
        if script.unapplied_unknown > 0 {
            script.unapplied_unknown -= 1;
            return Err(ApiError::OutcomeUnknown {
                action: "AssociateTargetGroups".into(),
                cause: Box::new(Self::err("InternalError")),
            });
        }
        let task_id = format!("task-{}", script.writes);
        let mut all = self.bindings.lock().unwrap();
        let exists = all.iter().any(|(tg, b)| {
            *tg == req.target_group_id
                && b.load_balancer_id == req.load_balancer_id
                && b.listener_id == req.listener_id
                && b.location_id == req.location_id
        });
        if exists {
            return Err(Self::err("InvalidParameter"));
        }
        let fails = script.task_failure.is_some() || script.failing_tasks > 0;
        if fails {
            script.failing_tasks = script.failing_tasks.saturating_sub(1);
            script.failed.push(task_id.clone());
        } else {
            all.push((
                req.target_group_id.clone(),
                Binding {
                    load_balancer_id: req.load_balancer_id.clone(),
                    listener_id: req.listener_id.clone(),
                    location_id: req.location_id.clone(),
                    weight: Some(req.weight.unwrap_or(10)),
                },
            ));
        }
        if script.lost_answers > 0 {
            script.lost_answers -= 1;
            return Err(ApiError::OutcomeUnknown {
                action: "AssociateTargetGroups".into(),
                cause: Box::new(ApiError::Config("connection reset".into())),
            });
        }
        Ok(task_id)
    }

    async fn disassociate(
        &self,
        req: &AssociationRequest,
        _l: &CallLimits,
    ) -> Result<String, ApiError> {
        let mut script = self.script.lock().unwrap();
        script.writes += 1;
        let mut all = self.bindings.lock().unwrap();
        let before = all.len();
        all.retain(|(tg, b)| {
            !(*tg == req.target_group_id
                && b.load_balancer_id == req.load_balancer_id
                && b.listener_id == req.listener_id
                && b.location_id == req.location_id)
        });
        if all.len() == before {
            return Err(Self::err("InvalidParameter"));
        }
        if script.lost_answers > 0 {
            script.lost_answers -= 1;
            return Err(ApiError::OutcomeUnknown {
                action: "DisassociateTargetGroups".into(),
                cause: Box::new(ApiError::Config("connection reset".into())),
            });
        }
        Ok(format!("task-{}", script.writes))
    }

    async fn wait_task(&self, task_id: &str, _l: &CallLimits) -> Result<(), TaskError> {
        let script = self.script.lock().unwrap();
        if script.task_timeout {
            return Err(TaskError::DeadlineExceeded {
                task_id: task_id.into(),
            });
        }
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
}
