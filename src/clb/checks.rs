//! Plan-time checks that need the API: they catch a binding the cloud would refuse before
//! `terraform apply` changes anything. Each finding is a diagnostic on the attribute it is about.

use crate::clb::association::matches;
use crate::clb::binding::id::AssociationId;
use crate::clb::cloud::{Deadline, Listener, TargetGroup, Weight};
use crate::clb::engine::{Engine, Freshness};
use tencentcloud::clb::ListenerMode;
use tencentcloud::clb::rules::{self, Refusal};
use tencentcloud::error::ApiError;
use tfplug::diag::{Diagnostic, Diagnostics};

/// One problem found, as an error on the attribute it is about.
fn finding(
    attribute: &'static str,
    summary: impl Into<String>,
    detail: impl Into<String>,
) -> Diagnostic {
    Diagnostic::error(summary, detail).at(attribute)
}

/// Checks that the binding `id` (with `weight`) can be made: every object exists, the listener's
/// layer matches `location_id`, a v1 target group on a layer-4 listener finds target groups
/// enabled, the VPCs match, and a weight is only given for a v2 target group. The cloud's rules
/// themselves are in [`rules`], which the emulator applies too. The load balancer and its
/// listeners are asked for once per process, target groups through the engine's shared reads.
pub(crate) async fn check_binding(
    engine: &Engine,
    id: &AssociationId,
    weight: Option<Weight>,
    deadline: &Deadline,
) -> Result<Diagnostics, ApiError> {
    let mut found = Diagnostics::new();
    let lb = engine.load_balancer(&id.load_balancer_id, deadline).await?;
    let listener = match &lb {
        Some(_) => {
            engine
                .listener(&id.load_balancer_id, &id.listener_id, deadline)
                .await?
        }
        None => None,
    };
    let tg = engine
        .target_group(&id.target_group_id, Freshness::Recent, deadline)
        .await?;
    if lb.is_none() {
        found.add(finding(
            "load_balancer_id",
            "Load balancer not found",
            format!(
                "No load balancer {} exists in this region. Check the ID, and `region` (the provider's region when unset).",
                id.load_balancer_id
            ),
        ));
    } else if let Some(listener) = &listener {
        check_listener(listener, id, tg.as_ref(), &mut found);
    } else {
        found.add(finding(
            "listener_id",
            "Listener not found",
            format!(
                "Load balancer {} has no listener {}. Check `listener_id`.",
                id.load_balancer_id, id.listener_id
            ),
        ));
    }
    match tg {
        None => found.add(finding(
            "target_group_id",
            "Target group not found",
            format!(
                "No target group {} exists in this region. Check `target_group_id`, and `region` (the provider's region when unset).",
                id.target_group_id
            ),
        )),
        Some(tg) => {
            if let Some(lb) = &lb
                && let Err(Refusal::VpcMismatch) =
                    rules::check_vpc(lb.vpc_id.as_deref(), tg.vpc_id.as_deref())
            {
                found.add(finding(
                    "target_group_id",
                    "Target group is in another VPC",
                    format!(
                        "Target group {} is in {} but load balancer {} is in {}; they must share a VPC. Use a target group of {}.",
                        tg.id,
                        tg.vpc_id.as_deref().unwrap_or_default(),
                        lb.id,
                        lb.vpc_id.as_deref().unwrap_or_default(),
                        lb.vpc_id.as_deref().unwrap_or_default()
                    ),
                ));
            }
            // A binding left by an interrupted run: apply adopts it. One with another weight is
            // not reported here, because a weight replacement plans exactly that situation.
            if let Some(existing) = tg.bindings.iter().find(|b| matches(b, id))
                && (weight.is_none() || existing.weight.is_none() || weight == existing.weight)
            {
                found.add(
                    Diagnostic::warning(
                        "Binding already exists",
                        format!(
                            "{id} is already bound in the cloud. Unless this plan replaces it, apply adopts it into state instead of binding it again."
                        ),
                    )
                    .at("target_group_id"),
                );
            }
            if let Some(w) = weight
                && !rules::has_weight(tg.kind)
            {
                found.add(finding(
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

/// The rules about the listener: `location_id` against its layer, the rule's existence, and
/// the layer-4 mode a v1 target group needs (checked once the target group is known).
fn check_listener(
    listener: &Listener,
    id: &AssociationId,
    tg: Option<&TargetGroup>,
    found: &mut Diagnostics,
) {
    let proto = &listener.protocol;
    match rules::check_location(listener.layer(), id.location_id.is_some()) {
        Err(Refusal::LocationRequired) => found.add(finding(
            "location_id",
            "location_id is required for a layer-7 listener",
            format!(
                "Listener {} is {proto}: target groups bind to its forwarding rules. Set `location_id` to one of its rules: {}.",
                listener.id,
                list_or_none(&listener.rule_ids)
            ),
        )),
        Err(_) => found.add(finding(
            "location_id",
            "location_id is not allowed for a layer-4 listener",
            format!(
                "Listener {} is {proto}, which has no forwarding rules; remove `location_id` ({}).",
                listener.id,
                id.location_id.as_deref().unwrap_or_default()
            ),
        )),
        Ok(()) => {}
    }
    if let Some(loc) = &id.location_id
        && listener.is_layer7()
        && !listener.rule_ids.iter().any(|r| r == loc)
    {
        found.add(finding(
            "location_id",
            "Forwarding rule not found",
            format!(
                "Listener {} has no rule {loc}. Its rules are: {}.",
                listener.id,
                list_or_none(&listener.rule_ids)
            ),
        ));
    }
    if let Some(tg) = tg
        && rules::check_listener_mode(listener.layer(), listener.target_type.as_deref(), tg.kind)
            .is_err()
    {
        found.add(finding(
            "listener_id",
            "Listener is not in target-group mode",
            format!(
                "Listener {} ({proto}) has target type {}, and {} is a v1 (legacy) target group, which binds only to a layer-4 listener with backend target groups enabled (target type {}). {}",
                listener.id,
                listener.target_type.as_deref().unwrap_or("unknown"),
                tg.id,
                rules::TARGET_GROUP_MODE,
                mode_advice(listener.target_type.as_deref())
            ),
        ));
    }
}

/// What to do about a v1 target group on a listener of this mode.
fn mode_advice(mode: Option<&str>) -> String {
    match ListenerMode::from_api(mode) {
        Some(ListenerMode::TargetGroupV2) => "This listener serves v2 target groups: bind a v2 target group, or pick a listener in TARGETGROUP mode.".into(),
        Some(ListenerMode::Node) => "Use a v2 target group, switch the listener to backend target groups (TARGETGROUP), or pick another listener.".into(),
        Some(ListenerMode::Polaris) => "This listener takes its backends from the Polaris service registry: pick a listener in TARGETGROUP mode.".into(),
        Some(ListenerMode::Other(m)) => format!("Target type {m} is not one the API documents; pick a listener in TARGETGROUP mode, or bind a v2 target group and let the cloud decide."),
        None | Some(ListenerMode::TargetGroup) => "Use a v2 target group, or pick a listener in TARGETGROUP mode.".into(),
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}
