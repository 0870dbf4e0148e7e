//! What the resource needs from the cloud, as a small trait over domain types.
//!
//! The resource logic (idempotent create, confirmed delete, plan checks) is written against this
//! trait, so it is unit-tested with an in-memory fake; [`crate::clb::cloud::tencent`] implements it on
//! the real API client.

#[cfg(test)]
pub(crate) mod fake;
pub mod tencent;

use async_trait::async_trait;

use crate::clb::binding::id::AssociationId;
use tencentcloud::clb::TaskError;
pub use tencentcloud::clb::Weight;
use tencentcloud::clb::rules::Layer;
pub use tencentcloud::deadline::Deadline;
use tencentcloud::error::ApiError;

pub use tencentcloud::clb::MAX_ASSOCIATIONS_PER_CALL;
/// Most target groups asked for in one `DescribeTargetGroups` call: the API's default page size,
/// so one call answers them all.
pub const MAX_TARGET_GROUPS_PER_READ: usize = 20;

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
    pub weight: Option<Weight>,
}

pub use tencentcloud::clb::rules::TargetGroupType;

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
    /// Target groups bound to the listener or to any of its rules, as far as the listing says
    /// (used only to read sibling target groups together, never as the truth about a binding).
    pub target_group_ids: Vec<String>,
}

impl Listener {
    /// True for HTTP/HTTPS listeners, which bind target groups per forwarding rule.
    pub fn is_layer7(&self) -> bool {
        self.layer() == Layer::Seven
    }

    /// The layer the listener works at.
    pub fn layer(&self) -> Layer {
        Layer::of_protocol(&self.protocol)
    }
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

/// The CLB operations the association resource uses. Writes take many associations because the
/// cloud runs one task per load balancer at a time: one call carries a whole batch.
#[async_trait]
pub trait ClbApi: Send + Sync {
    /// The target groups among `ids` (at most [`MAX_TARGET_GROUPS_PER_READ`]) that exist, with
    /// their bindings; missing ones are left out.
    async fn target_groups(
        &self,
        ids: &[String],
        deadline: &Deadline,
    ) -> Result<Vec<TargetGroup>, ApiError>;
    /// The load balancer; `None` when it does not exist.
    async fn load_balancer(
        &self,
        id: &str,
        deadline: &Deadline,
    ) -> Result<Option<LoadBalancer>, ApiError>;
    /// Every listener of a load balancer; `None` when the load balancer does not exist.
    async fn listeners(
        &self,
        load_balancer_id: &str,
        deadline: &Deadline,
    ) -> Result<Option<Vec<Listener>>, ApiError>;
    /// Starts binding each `(binding, weight)` (weight `None`: the cloud's default); returns the
    /// task ID. At most [`MAX_ASSOCIATIONS_PER_CALL`], all of one target-group type.
    async fn associate(
        &self,
        bindings: &[(AssociationId, Option<Weight>)],
        deadline: &Deadline,
    ) -> Result<String, ApiError>;
    /// Starts unbinding; returns the task ID. Same limits as [`ClbApi::associate`].
    async fn disassociate(
        &self,
        bindings: &[AssociationId],
        deadline: &Deadline,
    ) -> Result<String, ApiError>;
    /// Waits for a task to end.
    async fn wait_task(&self, task_id: &str, deadline: &Deadline) -> Result<(), TaskError>;
    /// Every binding of a target group, with its listener's protocol and port and its rule's
    /// domain and URL (`DescribeTargetGroups`, `AssociatedRule`); `None` when the target group
    /// does not exist.
    async fn target_group_binding_details(
        &self,
        target_group_id: &str,
        deadline: &Deadline,
    ) -> Result<Option<Vec<BindingDetail>>, ApiError>;
    /// Every target group binding on the listeners of a load balancer (only on `listener_id`
    /// when given), from `DescribeListeners`; `None` when the load balancer does not exist.
    async fn load_balancer_binding_details(
        &self,
        load_balancer_id: &str,
        listener_id: Option<&str>,
        deadline: &Deadline,
    ) -> Result<Option<Vec<BindingDetail>>, ApiError>;
}
