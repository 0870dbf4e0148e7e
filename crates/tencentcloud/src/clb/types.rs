//! Wire types of the CLB actions: PascalCase on the wire, optional fields omitted when unset,
//! every response field optional and unknown fields ignored (the service adds fields over time).
//!
//! All types are `Serialize + Deserialize + Clone + Debug` so the emulator can reuse them.

use serde::{Deserialize, Serialize};

/// Weight of a v2 binding (0..=100): one integer type from the wire to Terraform state.
pub type Weight = i64;

/// One binding of a target group to a layer-4 listener or a layer-7 forwarding rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetGroupAssociation {
    /// CLB instance ID (`lb-…`).
    pub load_balancer_id: String,
    /// Target group ID (`lbtg-…`).
    pub target_group_id: String,
    /// Listener ID (`lbl-…`); required by Associate/Disassociate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener_id: Option<String>,
    /// Forwarding rule ID (`loc-…`); required for layer-7 listeners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// Weight 0–100 (v2 target groups only; default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<Weight>,
}

/// `AssociateTargetGroups` parameters (at most 20 associations, all of one target-group type).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateTargetGroupsRequest {
    /// The bindings to create.
    pub associations: Vec<TargetGroupAssociation>,
}

/// `DisassociateTargetGroups` parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DisassociateTargetGroupsRequest {
    /// The bindings to remove.
    pub associations: Vec<TargetGroupAssociation>,
}

/// Answer of the asynchronous actions: only the RequestId, which is also the task ID.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct AsyncActionResponse {
    /// RequestId of the call = TaskId to poll.
    pub request_id: Option<String>,
}

/// `DescribeTaskStatus` parameters: `TaskId` or `DealName`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribeTaskStatusRequest {
    /// RequestId of the asynchronous call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// Order ID (purchases only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal_name: Option<String>,
}

/// Task status values of `DescribeTaskStatus` (2, or anything else: still running).
pub mod task_status {
    /// The task succeeded.
    pub const SUCCEEDED: i64 = 0;
    /// The task failed; `Message` says why.
    pub const FAILED: i64 = 1;
}

/// `DescribeTaskStatus` answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeTaskStatusResponse {
    /// 0 succeeded, 1 failed, 2 in progress (see [`task_status`]).
    pub status: Option<i64>,
    /// Load balancers the task touched.
    pub load_balancer_ids: Option<Vec<String>>,
    /// Extra information, e.g. the failure cause.
    pub message: Option<String>,
    /// RequestId of this query.
    pub request_id: Option<String>,
}

/// A name/values filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Filter {
    /// Filter name, e.g. `TargetGroupVpcId`.
    pub name: String,
    /// Accepted values.
    pub values: Vec<String>,
}

/// `DescribeTargetGroups` parameters (`TargetGroupIds` and `Filters` are mutually exclusive).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribeTargetGroupsRequest {
    /// Target group IDs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_group_ids: Option<Vec<String>>,
    /// Page size (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Page offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Filters: `TargetGroupVpcId`, `TargetGroupName`, `Tag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<Filter>>,
}

/// `DescribeTargetGroups` answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeTargetGroupsResponse {
    /// Total number of matching target groups (not just this page).
    pub total_count: Option<u64>,
    /// This page.
    pub target_group_set: Option<Vec<TargetGroupInfo>>,
    /// RequestId of this query.
    pub request_id: Option<String>,
}

/// A tag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TagInfo {
    /// Key.
    pub tag_key: Option<String>,
    /// Value.
    pub tag_value: Option<String>,
}

/// A target group, with the listeners and rules it is bound to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TargetGroupInfo {
    /// Target group ID.
    pub target_group_id: Option<String>,
    /// VPC of the target group.
    pub vpc_id: Option<String>,
    /// Name.
    pub target_group_name: Option<String>,
    /// Default port.
    pub port: Option<u64>,
    /// Creation time (`YYYY-MM-DD HH:MM:SS`).
    pub created_time: Option<String>,
    /// Modification time.
    pub updated_time: Option<String>,
    /// Listeners and rules this group is bound to.
    pub associated_rule: Option<Vec<AssociationItem>>,
    /// Backend protocol (v2 only).
    pub protocol: Option<String>,
    /// `v1` (legacy) or `v2`.
    pub target_group_type: Option<String>,
    /// Number of bound rules.
    pub associated_rule_count: Option<i64>,
    /// Number of registered instances.
    pub registered_instances_count: Option<i64>,
    /// Tags.
    pub tag: Option<Vec<TagInfo>>,
    /// Default weight (v2 only).
    pub weight: Option<Weight>,
    /// Health check settings, kept as raw JSON (not needed by the provider).
    pub health_check: Option<serde_json::Value>,
    /// Scheduling algorithm.
    pub schedule_algorithm: Option<String>,
    /// IP version.
    pub ip_version: Option<String>,
}

/// One binding of a target group, as `DescribeTargetGroups` reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AssociationItem {
    /// CLB instance ID.
    pub load_balancer_id: Option<String>,
    /// Listener ID.
    pub listener_id: Option<String>,
    /// Rule ID (null for layer-4 listeners).
    pub location_id: Option<String>,
    /// Listener protocol; case varies between answers, compare case-insensitively.
    pub protocol: Option<String>,
    /// Listener port.
    pub port: Option<u64>,
    /// Rule domain (layer 7).
    pub domain: Option<String>,
    /// Rule path (layer 7).
    pub url: Option<String>,
    /// CLB instance name.
    pub load_balancer_name: Option<String>,
    /// Listener name.
    pub listener_name: Option<String>,
    /// Weight of the binding (v2 only).
    pub weight: Option<Weight>,
    /// Advanced routing rule ID.
    pub rule_id: Option<String>,
}

/// `DescribeListeners` parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeListenersRequest {
    /// CLB instance ID (required).
    pub load_balancer_id: String,
    /// Listener IDs (at most 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener_ids: Option<Vec<String>>,
    /// Protocol filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Port filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
}

/// `DescribeListeners` answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeListenersResponse {
    /// The listeners.
    pub listeners: Option<Vec<Listener>>,
    /// Number of listeners returned.
    pub total_count: Option<u64>,
    /// RequestId of this query.
    pub request_id: Option<String>,
}

/// A listener (the fields the provider needs).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Listener {
    /// Listener ID.
    pub listener_id: Option<String>,
    /// `TCP`, `UDP`, `HTTP`, `HTTPS`, `TCP_SSL`, `QUIC`.
    pub protocol: Option<String>,
    /// Port.
    pub port: Option<i64>,
    /// Forwarding rules (layer 7 only).
    pub rules: Option<Vec<RuleOutput>>,
    /// Name.
    pub listener_name: Option<String>,
    /// Creation time.
    pub create_time: Option<String>,
    /// End of a port range.
    pub end_port: Option<i64>,
    /// `NODE`, `POLARIS`, `TARGETGROUP`, `TARGETGROUP-V2`.
    pub target_type: Option<String>,
    /// Bound target group.
    pub target_group: Option<BasicTargetGroupInfo>,
    /// Attribute flags.
    pub attr_flags: Option<Vec<String>>,
    /// Bound target groups.
    pub target_group_list: Option<Vec<BasicTargetGroupInfo>>,
}

/// A layer-7 forwarding rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RuleOutput {
    /// Rule ID (`loc-…`).
    pub location_id: Option<String>,
    /// Domain.
    pub domain: Option<String>,
    /// Path.
    pub url: Option<String>,
    /// Listener of the rule.
    pub listener_id: Option<String>,
    /// Creation time.
    pub create_time: Option<String>,
    /// `NODE` or `TARGETGROUP`.
    pub target_type: Option<String>,
    /// Bound target group.
    pub target_group: Option<BasicTargetGroupInfo>,
    /// Domains.
    pub domains: Option<Vec<String>>,
    /// Bound target groups.
    pub target_group_list: Option<Vec<BasicTargetGroupInfo>>,
}

/// ID, name and weight of a bound target group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BasicTargetGroupInfo {
    /// Target group ID.
    pub target_group_id: Option<String>,
    /// Name.
    pub target_group_name: Option<String>,
    /// Weight.
    pub weight: Option<Weight>,
}

/// `DescribeLoadBalancers` parameters (the subset the provider uses).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeLoadBalancersRequest {
    /// CLB instance IDs (at most 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer_ids: Option<Vec<String>>,
    /// Page offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// Page size (max 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// VPC filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    /// Filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<Filter>>,
}

/// `DescribeLoadBalancers` answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeLoadBalancersResponse {
    /// Total matching instances.
    pub total_count: Option<u64>,
    /// This page.
    pub load_balancer_set: Option<Vec<LoadBalancer>>,
    /// RequestId of this query.
    pub request_id: Option<String>,
}

/// A CLB instance (the fields the provider needs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct LoadBalancer {
    /// Instance ID.
    pub load_balancer_id: Option<String>,
    /// Name.
    pub load_balancer_name: Option<String>,
    /// `OPEN` or `INTERNAL`.
    pub load_balancer_type: Option<String>,
    /// 1 CLB, 0 classic.
    pub forward: Option<u64>,
    /// VIPs.
    pub load_balancer_vips: Option<Vec<String>>,
    /// 0 creating, 1 running.
    pub status: Option<u64>,
    /// Creation time.
    pub create_time: Option<String>,
    /// Project.
    pub project_id: Option<u64>,
    /// VPC.
    pub vpc_id: Option<String>,
    /// Subnet.
    pub subnet_id: Option<String>,
    /// Tags.
    pub tags: Option<Vec<TagInfo>>,
    /// Where the backends live (the provider's same-VPC check uses its `VpcId`).
    pub target_region_info: Option<TargetRegionInfo>,
    /// `ipv4` or `ipv6`.
    #[serde(rename = "AddressIPVersion")]
    pub address_ip_version: Option<String>,
    /// Numeric VPC ID.
    pub numerical_vpc_id: Option<u64>,
    /// Domain assigned by the cloud.
    pub load_balancer_domain: Option<String>,
}

/// Region and network of the backends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TargetRegionInfo {
    /// Region.
    pub region: Option<String>,
    /// VPC (`0` for the basic network).
    pub vpc_id: Option<String>,
    /// Numeric VPC ID.
    pub numerical_vpc_id: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_pascal_case_and_omit_unset_fields() {
        let req = AssociateTargetGroupsRequest {
            associations: vec![TargetGroupAssociation {
                load_balancer_id: "lb-1".into(),
                target_group_id: "lbtg-1".into(),
                listener_id: Some("lbl-1".into()),
                location_id: None,
                weight: None,
            }],
        };
        assert_eq!(
            serde_json::to_string(&req).unwrap(),
            r#"{"Associations":[{"LoadBalancerId":"lb-1","TargetGroupId":"lbtg-1","ListenerId":"lbl-1"}]}"#
        );
        assert_eq!(
            serde_json::to_string(&DescribeLoadBalancersRequest::default()).unwrap(),
            "{}"
        );
    }

    #[test]
    fn responses_tolerate_nulls_missing_and_unknown_fields() {
        let body = r#"{"TotalCount":1,"NewField":{"x":1},"TargetGroupSet":[{"TargetGroupId":"lbtg-1",
            "Port":null,"AssociatedRule":[{"LocationId":null,"ListenerId":"lbl-1","Port":80,"Protocol":"tcp","Extra":true}]}],
            "RequestId":"r"}"#;
        let r: DescribeTargetGroupsResponse = serde_json::from_str(body).unwrap();
        let tg = &r.target_group_set.unwrap()[0];
        assert_eq!(tg.port, None);
        let rule = &tg.associated_rule.as_ref().unwrap()[0];
        assert_eq!(rule.listener_id.as_deref(), Some("lbl-1"));
        assert_eq!(rule.location_id, None);
        let lb: LoadBalancer = serde_json::from_str(
            r#"{"AddressIPVersion":"ipv4","TargetRegionInfo":{"VpcId":"vpc-1"}}"#,
        )
        .unwrap();
        assert_eq!(lb.address_ip_version.as_deref(), Some("ipv4"));
        assert_eq!(
            lb.target_region_info.unwrap().vpc_id.as_deref(),
            Some("vpc-1")
        );
    }
}
