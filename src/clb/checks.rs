//! Plan-time checks that need the API: they catch a binding the cloud would refuse before
//! `terraform apply` changes anything. Each finding names the attribute it is about.

use crate::clb::api::{Deadline, TargetGroupType, Weight};
use crate::clb::association::matches;
use crate::clb::engine::{Engine, Freshness};
use crate::clb::id::AssociationId;
use crate::tencentcloud::error::ApiError;

/// One problem found, on one attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The attribute to point at in the configuration.
    pub attribute: &'static str,
    /// One line.
    pub summary: String,
    /// What is wrong and what to do.
    pub detail: String,
    /// True for a notice that does not stop the plan.
    pub warning: bool,
}

fn finding(
    attribute: &'static str,
    summary: impl Into<String>,
    detail: impl Into<String>,
) -> Finding {
    Finding {
        attribute,
        summary: summary.into(),
        detail: detail.into(),
        warning: false,
    }
}

/// Checks that the binding `id` (with `weight`) can be made: every object exists, the listener's
/// layer matches `location_id`, a layer-4 listener forwards to target groups, the VPCs match, and a
/// weight is only given for a v2 target group. The load balancer and its listeners are asked for
/// once per process, target groups through the engine's shared reads.
pub async fn check_binding(
    engine: &Engine,
    id: &AssociationId,
    weight: Option<Weight>,
    deadline: &Deadline,
) -> Result<Vec<Finding>, ApiError> {
    let mut found = Vec::new();
    let lb = engine.load_balancer(&id.load_balancer_id, deadline).await?;
    if lb.is_none() {
        found.push(finding(
            "load_balancer_id",
            "Load balancer not found",
            format!(
                "No load balancer {} exists in this region. Check the ID and the provider's `region`.",
                id.load_balancer_id
            ),
        ));
    } else {
        match engine
            .listener(&id.load_balancer_id, &id.listener_id, deadline)
            .await?
        {
            None => found.push(finding(
                "listener_id",
                "Listener not found",
                format!(
                    "Load balancer {} has no listener {}. Check `listener_id`.",
                    id.load_balancer_id, id.listener_id
                ),
            )),
            Some(listener) => {
                let proto = &listener.protocol;
                match (&id.location_id, listener.is_layer7()) {
                    (None, true) => found.push(finding(
                        "location_id",
                        "location_id is required for a layer-7 listener",
                        format!(
                            "Listener {} is {proto}: target groups bind to its forwarding rules. Set `location_id` to one of its rules: {}.",
                            listener.id,
                            list_or_none(&listener.rule_ids)
                        ),
                    )),
                    (Some(loc), false) => found.push(finding(
                        "location_id",
                        "location_id is not allowed for a layer-4 listener",
                        format!(
                            "Listener {} is {proto}, which has no forwarding rules; remove `location_id` ({loc}).",
                            listener.id
                        ),
                    )),
                    (Some(loc), true) if !listener.rule_ids.iter().any(|r| r == loc) => {
                        found.push(finding(
                            "location_id",
                            "Forwarding rule not found",
                            format!(
                                "Listener {} has no rule {loc}. Its rules are: {}.",
                                listener.id,
                                list_or_none(&listener.rule_ids)
                            ),
                        ))
                    }
                    (None, false) if !listener.in_target_group_mode() => found.push(finding(
                        "listener_id",
                        "Listener is not in target-group mode",
                        format!(
                            "Listener {} ({proto}) forwards to directly bound backends (target type {}), so it cannot take a target group. Create the listener with target type TARGETGROUP, or pick another listener.",
                            listener.id,
                            listener.target_type.as_deref().unwrap_or("unknown")
                        ),
                    )),
                    _ => {}
                }
            }
        }
    }
    match engine
        .target_group(&id.target_group_id, Freshness::Recent, deadline)
        .await?
    {
        None => found.push(finding(
            "target_group_id",
            "Target group not found",
            format!(
                "No target group {} exists in this region. Check `target_group_id`.",
                id.target_group_id
            ),
        )),
        Some(tg) => {
            if let (Some(lb), Some(tg_vpc)) = (&lb, &tg.vpc_id)
                && let Some(lb_vpc) = &lb.vpc_id
                && lb_vpc != tg_vpc
            {
                found.push(finding(
                    "target_group_id",
                    "Target group is in another VPC",
                    format!(
                        "Target group {} is in {tg_vpc} but load balancer {} is in {lb_vpc}; they must share a VPC. Use a target group of {lb_vpc}.",
                        tg.id, lb.id
                    ),
                ));
            }
            // A binding left by an interrupted run: apply adopts it. One with another weight is
            // not reported here, because a weight replacement plans exactly that situation.
            if let Some(existing) = tg.bindings.iter().find(|b| matches(b, id))
                && (weight.is_none() || existing.weight.is_none() || weight == existing.weight)
            {
                let mut f = finding(
                    "target_group_id",
                    "Binding already exists",
                    format!(
                        "{id} is already bound in the cloud. Unless this plan replaces it, apply adopts it into state instead of binding it again."
                    ),
                );
                f.warning = true;
                found.push(f);
            }
            if let (Some(w), TargetGroupType::V1) = (weight, tg.kind) {
                found.push(finding(
                    "weight",
                    "weight needs a v2 target group",
                    format!(
                        "Target group {} is a v1 (legacy) target group, whose bindings have no weight. Remove `weight` ({w}) or use a v2 target group.",
                        tg.id
                    ),
                ));
            }
        }
    }
    Ok(found)
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}
