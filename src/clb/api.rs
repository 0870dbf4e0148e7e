//! What the resource needs from the cloud, as a small trait over domain types.
//!
//! The resource logic (idempotent create, confirmed delete, plan checks) is written against this
//! trait, so it is unit-tested with an in-memory fake; [`crate::clb::client_api`] implements it on
//! the real API client.

use std::time::Instant;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::tencentcloud::clb::TaskError;
use crate::tencentcloud::error::ApiError;

/// One binding as the cloud reports it on a target group (`AssociatedRule` item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// `lb-…`
    pub load_balancer_id: String,
    /// `lbl-…`
    pub listener_id: String,
    /// `loc-…` for layer 7, `None` for layer 4.
    pub location_id: Option<String>,
    /// Weight of a v2 binding; `None` when the cloud does not report one (v1).
    pub weight: Option<i64>,
}

/// Target group version: v2 bindings carry a weight, v1 ones do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetGroupType {
    /// Legacy target group.
    V1,
    /// New-style target group.
    V2,
}

/// A target group and every binding it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetGroup {
    /// `lbtg-…`
    pub id: String,
    /// VPC of the target group.
    pub vpc_id: Option<String>,
    /// v1 or v2.
    pub kind: TargetGroupType,
    /// Bindings, from `AssociatedRule`.
    pub bindings: Vec<Binding>,
}

/// A load balancer, as far as binding checks care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadBalancer {
    /// `lb-…`
    pub id: String,
    /// VPC of the load balancer.
    pub vpc_id: Option<String>,
}

/// A listener, as far as binding checks care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// `lbl-…`
    pub id: String,
    /// `TCP`, `UDP`, `TCP_SSL`, `QUIC`, `HTTP`, `HTTPS`.
    pub protocol: String,
    /// `NODE`, `TARGETGROUP`, … (`None` when not reported).
    pub target_type: Option<String>,
    /// IDs of the forwarding rules (layer 7).
    pub rule_ids: Vec<String>,
}

impl Listener {
    /// True for HTTP/HTTPS listeners, which bind target groups per forwarding rule.
    pub fn is_layer7(&self) -> bool {
        matches!(
            self.protocol.to_ascii_uppercase().as_str(),
            "HTTP" | "HTTPS"
        )
    }

    /// True when the listener forwards to target groups rather than to directly bound nodes.
    pub fn in_target_group_mode(&self) -> bool {
        self.target_type
            .as_deref()
            .is_some_and(|t| t.to_ascii_uppercase().starts_with("TARGETGROUP"))
    }
}

/// One association to create or remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssociationRequest {
    /// `lb-…`
    pub load_balancer_id: String,
    /// `lbl-…`
    pub listener_id: String,
    /// `loc-…` for layer 7.
    pub location_id: Option<String>,
    /// `lbtg-…`
    pub target_group_id: String,
    /// Weight (v2 only); `None` lets the cloud pick its default.
    pub weight: Option<i64>,
}

/// One binding with the listener and rule it sits on, as a lookup lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingDetail {
    /// `lbtg-…`
    pub target_group_id: String,
    /// Where the target group is bound, and with which weight.
    pub binding: Binding,
    /// Protocol of the listener (`TCP`, `HTTP`, …), upper-case.
    pub protocol: String,
    /// Port of the listener; `None` when the cloud does not report it.
    pub port: Option<i64>,
    /// Domain of the forwarding rule (layer 7 only).
    pub domain: Option<String>,
    /// URL path of the forwarding rule (layer 7 only).
    pub url: Option<String>,
}

/// Per-call limits handed to every API operation.
#[derive(Debug, Clone)]
pub struct CallLimits {
    /// The whole operation must end by then (retries included).
    pub deadline: Instant,
    /// Cancelled by StopProvider.
    pub cancel: CancellationToken,
}

/// The CLB operations the association resource uses.
#[async_trait]
pub trait ClbApi: Send + Sync {
    /// The target group with its bindings; `None` when it does not exist.
    async fn target_group(
        &self,
        id: &str,
        limits: &CallLimits,
    ) -> Result<Option<TargetGroup>, ApiError>;
    /// The load balancer; `None` when it does not exist.
    async fn load_balancer(
        &self,
        id: &str,
        limits: &CallLimits,
    ) -> Result<Option<LoadBalancer>, ApiError>;
    /// The listener of a load balancer; `None` when either does not exist.
    async fn listener(
        &self,
        load_balancer_id: &str,
        listener_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<Listener>, ApiError>;
    /// Starts binding; returns the task ID.
    async fn associate(
        &self,
        req: &AssociationRequest,
        limits: &CallLimits,
    ) -> Result<String, ApiError>;
    /// Starts unbinding; returns the task ID.
    async fn disassociate(
        &self,
        req: &AssociationRequest,
        limits: &CallLimits,
    ) -> Result<String, ApiError>;
    /// Waits for a task to end.
    async fn wait_task(&self, task_id: &str, limits: &CallLimits) -> Result<(), TaskError>;
    /// Every binding of a target group, with its listener's protocol and port and its rule's
    /// domain and URL (`DescribeTargetGroups`, `AssociatedRule`); `None` when the target group
    /// does not exist.
    async fn target_group_binding_details(
        &self,
        target_group_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<Vec<BindingDetail>>, ApiError>;
    /// Every target group binding on the listeners of a load balancer (only on `listener_id`
    /// when given), from `DescribeListeners`; `None` when the load balancer does not exist.
    async fn load_balancer_binding_details(
        &self,
        load_balancer_id: &str,
        listener_id: Option<&str>,
        limits: &CallLimits,
    ) -> Result<Option<Vec<BindingDetail>>, ApiError>;
}
