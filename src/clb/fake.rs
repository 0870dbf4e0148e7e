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

/// Protocol, target type, rules and port of the fake's listeners on `lb-a`.
fn fake_listener(id: &str) -> Option<(&'static str, &'static str, Vec<&'static str>, i64)> {
    match id {
        "lbl-tcp" => Some(("TCP", "TARGETGROUP", vec![], 7001)),
        "lbl-node" => Some(("UDP", "NODE", vec![], 7002)),
        "lbl-http" => Some(("HTTP", "NODE", vec!["loc-r1"], 80)),
        _ => None,
    }
}

impl FakeClb {
    /// Every binding held, with its listener and rule details.
    fn details(&self) -> Vec<BindingDetail> {
        self.bindings
            .lock()
            .unwrap()
            .iter()
            .map(|(tg, b)| {
                let (protocol, _, _, port) =
                    fake_listener(&b.listener_id).unwrap_or(("TCP", "TARGETGROUP", vec![], 0));
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
}

#[async_trait]
impl ClbApi for FakeClb {
    async fn target_group(
        &self,
        id: &str,
        _l: &CallLimits,
    ) -> Result<Option<TargetGroup>, ApiError> {
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
        Ok(
            fake_listener(id).map(|(protocol, target_type, rules, _)| Listener {
                id: id.into(),
                protocol: protocol.into(),
                target_type: Some(target_type.into()),
                rule_ids: rules.into_iter().map(str::to_string).collect(),
            }),
        )
    }

    async fn associate(
        &self,
        req: &AssociationRequest,
        _l: &CallLimits,
    ) -> Result<String, ApiError> {
        let mut script = self.script.lock().unwrap();
        script.writes += 1;
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
        if script.task_failure.is_none() {
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
                detail: "connection reset".into(),
            });
        }
        Ok(format!("task-{}", script.writes))
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
                detail: "connection reset".into(),
            });
        }
        Ok(format!("task-{}", script.writes))
    }

    async fn wait_task(&self, task_id: &str, _l: &CallLimits) -> Result<(), TaskError> {
        match &self.script.lock().unwrap().task_failure {
            Some(message) => Err(TaskError::Failed {
                task_id: task_id.into(),
                message: message.clone(),
                request_id: None,
            }),
            None => Ok(()),
        }
    }

    async fn target_group_binding_details(
        &self,
        target_group_id: &str,
        l: &CallLimits,
    ) -> Result<Option<Vec<BindingDetail>>, ApiError> {
        if self.target_group(target_group_id, l).await?.is_none() {
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
        l: &CallLimits,
    ) -> Result<Option<Vec<BindingDetail>>, ApiError> {
        if self.load_balancer(load_balancer_id, l).await?.is_none() {
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
