//! Validation of AssociateTargetGroups / DisassociateTargetGroups requests.
//!
//! The whole request is checked before anything happens, so it succeeds or fails as one.
//! Order: shape of the request, then each association against the world, then
//! request-wide rules, then the per-load-balancer lock, then the current bindings
//! (which may be in flux while a task runs, hence after the lock).

use crate::clb::tasks::TaskAction;
use crate::clb::world::{TargetGroupAssociation, World};
use crate::error::ApiFailure;
use crate::params::Params;
use tencentcloud::clb::ListenerMode;
use tencentcloud::clb::rules::{self, Layer, Refusal, TargetGroupType};

use tencentcloud::clb::MAX_ASSOCIATIONS_PER_CALL as MAX_ASSOCIATIONS;

const ITEM_KEYS: &[&str] = &[
    "LoadBalancerId",
    "TargetGroupId",
    "ListenerId",
    "LocationId",
    "Weight",
];

fn parse_item(p: &Params) -> Result<(TargetGroupAssociation, Option<i64>), ApiFailure> {
    p.only(ITEM_KEYS)?;
    let load_balancer_id = p.req_str("LoadBalancerId")?.to_string();
    let target_group_id = p.req_str("TargetGroupId")?.to_string();
    let listener_id = p.req_str("ListenerId")?.to_string();
    // An empty LocationId is how some clients say "none" for a layer-4 listener.
    let location_id = p
        .opt_str("LocationId")?
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let weight = p.opt_i64("Weight")?;
    if let Some(w) = weight
        && !rules::weight_in_range(w)
    {
        return Err(ApiFailure::new(
            "InvalidParameterValue.Range",
            format!(
                "{}.Weight must be within [{}, {}], got {w}.",
                p.path(),
                rules::WEIGHT_MIN,
                rules::WEIGHT_MAX
            ),
        ));
    }
    let a = TargetGroupAssociation {
        load_balancer_id,
        listener_id,
        location_id,
        target_group_id,
        weight: None,
    };
    Ok((a, weight))
}

/// Checks one association against the world; returns it with the weight it will carry
/// and whether its target group is v1.
fn check_item(
    world: &World,
    action: TaskAction,
    mut a: TargetGroupAssociation,
    weight: Option<i64>,
    at: &str,
) -> Result<(TargetGroupAssociation, bool), ApiFailure> {
    let lb = world.load_balancer(&a.load_balancer_id).ok_or_else(|| {
        ApiFailure::new(
            "InvalidParameter.LBIdNotFound",
            format!("{at}: load balancer {} does not exist.", a.load_balancer_id),
        )
    })?;
    let listener = lb.listener(&a.listener_id).ok_or_else(|| {
        ApiFailure::new(
            "InvalidParameter.ListenerIdNotFound",
            format!(
                "{at}: listener {} does not exist on load balancer {}.",
                a.listener_id, a.load_balancer_id
            ),
        )
    })?;
    let layer = Layer::of_protocol(&listener.protocol);
    match rules::check_location(layer, a.location_id.is_some()) {
        Err(Refusal::LocationRequired) => {
            return Err(ApiFailure::new(
                "InvalidParameter",
                format!(
                    "{at}: LocationId is required for layer-7 ({}) listener {}.",
                    listener.protocol, a.listener_id
                ),
            ));
        }
        Err(_) => {
            return Err(ApiFailure::new(
                "InvalidParameter",
                format!(
                    "{at}: LocationId {} must not be given for layer-4 ({}) listener {}.",
                    a.location_id.as_deref().unwrap_or_default(),
                    listener.protocol,
                    a.listener_id
                ),
            ));
        }
        Ok(()) => {}
    }
    if let Some(loc) = &a.location_id
        && listener.rule(loc).is_none()
    {
        return Err(ApiFailure::new(
            "InvalidParameter.LocationNotFound",
            format!(
                "{at}: rule {loc} does not exist on listener {}.",
                a.listener_id
            ),
        ));
    }
    let tg = world.target_group(&a.target_group_id).ok_or_else(|| {
        ApiFailure::new(
            "ResourceNotFound",
            format!("{at}: target group {} does not exist.", a.target_group_id),
        )
    })?;
    let kind = TargetGroupType::from_api(Some(&tg.target_group_type));
    let v1 = kind == TargetGroupType::V1;
    if action == TaskAction::AssociateTargetGroups {
        if rules::check_vpc(Some(&lb.vpc_id), Some(&tg.vpc_id)).is_err() {
            return Err(ApiFailure::new(
                "InvalidParameter",
                format!(
                    "{at}: target group {} is in VPC {} but load balancer {} is in VPC {}; they must be in the same VPC.",
                    tg.target_group_id, tg.vpc_id, lb.load_balancer_id, lb.vpc_id
                ),
            ));
        }
        if rules::check_listener_mode(layer, listener.target_type.as_deref(), kind).is_err() {
            return Err(ApiFailure::new(
                "FailedOperation",
                format!(
                    "{at}: layer-4 listener {} does not have backend target groups enabled (TargetType {}), so v1 target group {} cannot be bound.",
                    listener.listener_id,
                    listener.target_type.as_deref().unwrap_or("null"),
                    tg.target_group_id
                ),
            ));
        }
        // Undocumented: a listener fed by the Polaris registry takes no target group. The
        // provider does not refuse this at plan time, so this is how the cloud's own refusal
        // of an undocumented case reaches the user.
        if layer == Layer::Four
            && ListenerMode::from_api(listener.target_type.as_deref())
                == Some(ListenerMode::Polaris)
        {
            return Err(ApiFailure::new(
                "FailedOperation",
                format!(
                    "{at}: listener {} takes its backends from Polaris (TargetType POLARIS); target group {} cannot be bound.",
                    listener.listener_id, tg.target_group_id
                ),
            ));
        }
        // Weight only means something for v2 groups; the API ignores it for v1.
        a.weight = if rules::has_weight(kind) {
            Some(weight.unwrap_or(rules::DEFAULT_WEIGHT) as u64)
        } else {
            None
        };
    }
    Ok((a, v1))
}

/// Validates a whole request. `busy` tells whether a load balancer has a running task.
/// On success returns the associations to apply and the load balancers to lock.
pub fn validate(
    world: &World,
    action: TaskAction,
    body: &Params,
    binding_quota: Option<usize>,
    busy: impl Fn(&str) -> bool,
) -> Result<(Vec<TargetGroupAssociation>, Vec<String>), ApiFailure> {
    body.only(&["Associations"])?;
    let items = body.req_objects("Associations")?;
    if items.is_empty() {
        return Err(ApiFailure::new(
            "InvalidParameterValue",
            "Associations must contain at least one association.",
        ));
    }
    if items.len() > MAX_ASSOCIATIONS {
        return Err(ApiFailure::new(
            "InvalidParameterValue.Length",
            format!(
                "Associations holds {} items; at most {MAX_ASSOCIATIONS} are allowed per request.",
                items.len()
            ),
        ));
    }
    let parsed = items
        .iter()
        .map(parse_item)
        .collect::<Result<Vec<_>, _>>()?;
    let mut checked: Vec<(TargetGroupAssociation, bool)> = Vec::with_capacity(parsed.len());
    for (i, (a, weight)) in parsed.into_iter().enumerate() {
        let at = format!("Associations.{i}");
        let (a, v1) = check_item(world, action, a, weight, &at)?;
        if checked.iter().any(|(b, _)| b.same_binding(&a)) {
            return Err(ApiFailure::new(
                "InvalidParameterValue.Duplicate",
                format!("{at} repeats an earlier association."),
            ));
        }
        checked.push((a, v1));
    }
    if action == TaskAction::AssociateTargetGroups
        && checked.iter().any(|(_, v1)| *v1)
        && checked.iter().any(|(_, v1)| !*v1)
    {
        return Err(ApiFailure::new(
            "InvalidParameter",
            "All target groups in one request must be of the same type (v1 or v2).",
        ));
    }
    let mut lbs: Vec<String> = Vec::new();
    for (a, _) in &checked {
        if !lbs.contains(&a.load_balancer_id) {
            lbs.push(a.load_balancer_id.clone());
        }
    }
    if let Some(lb) = lbs.iter().find(|lb| busy(lb)) {
        return Err(ApiFailure::new(
            "FailedOperation.ResourceInOperating",
            format!("Load balancer {lb} is being operated on by another task; retry later."),
        ));
    }
    for (i, (a, v1)) in checked.iter().enumerate() {
        check_bindings(world, action, a, *v1, &checked[..i], i)?;
    }
    if action == TaskAction::AssociateTargetGroups
        && let Some(quota) = binding_quota
    {
        for lb in &lbs {
            let held = world
                .associations
                .iter()
                .filter(|b| &b.load_balancer_id == lb)
                .count();
            let added = checked
                .iter()
                .filter(|(a, _)| &a.load_balancer_id == lb)
                .count();
            if held + added > quota {
                return Err(ApiFailure::new(
                    "LimitExceeded",
                    format!(
                        "Load balancer {lb} holds {held} bindings; {added} more would pass its quota of {quota}."
                    ),
                ));
            }
        }
    }
    Ok((checked.into_iter().map(|(a, _)| a).collect(), lbs))
}

/// Rules about what is already bound: no double binding, no unbinding what is not bound,
/// and a listener or rule holding a v1 group holds nothing else.
fn check_bindings(
    world: &World,
    action: TaskAction,
    a: &TargetGroupAssociation,
    v1: bool,
    earlier: &[(TargetGroupAssociation, bool)],
    i: usize,
) -> Result<(), ApiFailure> {
    let at = format!("Associations.{i}");
    let bound = world.associations.iter().any(|b| b.same_binding(a));
    if action == TaskAction::DisassociateTargetGroups {
        if !bound {
            return Err(ApiFailure::new(
                "InvalidParameter",
                format!(
                    "{at}: target group {} is not bound to {}.",
                    a.target_group_id,
                    target_name(a)
                ),
            ));
        }
        return Ok(());
    }
    if bound {
        return Err(ApiFailure::new(
            "InvalidParameter",
            format!(
                "{at}: target group {} is already bound to {}.",
                a.target_group_id,
                target_name(a)
            ),
        ));
    }
    let loc = a.location_id.as_deref();
    let others = world
        .associations
        .iter()
        .filter(|b| b.on_target(&a.load_balancer_id, &a.listener_id, loc))
        .map(|b| {
            let b_v1 = world.target_group(&b.target_group_id).is_some_and(|tg| {
                TargetGroupType::from_api(Some(&tg.target_group_type)) == TargetGroupType::V1
            });
            (b.target_group_id.as_str(), b_v1)
        })
        .chain(
            earlier
                .iter()
                .filter(|(b, _)| b.on_target(&a.load_balancer_id, &a.listener_id, loc))
                .map(|(b, b_v1)| (b.target_group_id.as_str(), *b_v1)),
        );
    for (other, other_v1) in others {
        if v1 || other_v1 {
            return Err(ApiFailure::new(
                "FailedOperation",
                format!(
                    "{at}: {} already has target group {other} bound; a v1 target group cannot share a listener or rule.",
                    target_name(a)
                ),
            ));
        }
    }
    Ok(())
}

fn target_name(a: &TargetGroupAssociation) -> String {
    match &a.location_id {
        Some(loc) => format!("rule {loc} of listener {}", a.listener_id),
        None => format!("listener {}", a.listener_id),
    }
}
