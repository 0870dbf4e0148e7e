//! The read actions: DescribeTaskStatus, DescribeTargetGroups, DescribeTargetGroupList,
//! DescribeListeners and DescribeLoadBalancers. Output field names follow the official
//! response models exactly; fields the emulator has no data for are `null` or neutral.

use crate::clb::tasks::Task;
use crate::clb::world::{Listener, LoadBalancer, TargetGroup, World};
use crate::error::ApiFailure;
use crate::params::{Params, filters, page};
use serde_json::{Map, Value, json};

/// Region reported for a load balancer that names none (outside a regional view).
pub const REGION: &str = "ap-guangzhou";

/// DescribeTaskStatus.
pub fn task_status(tasks: &[Task], p: &Params) -> Result<Map<String, Value>, ApiFailure> {
    p.only(&["TaskId", "DealName"])?;
    let task_id = p.opt_str("TaskId")?.filter(|s| !s.is_empty());
    let deal = p.opt_str("DealName")?.filter(|s| !s.is_empty());
    let task_id = match (task_id, deal) {
        (Some(id), _) => id,
        (None, Some(d)) => {
            return Err(ApiFailure::new(
                "InvalidParameter",
                format!("Order {d} does not exist."),
            ));
        }
        (None, None) => {
            return Err(ApiFailure::new(
                "MissingParameter",
                "Either TaskId or DealName is required.",
            ));
        }
    };
    let t = tasks.iter().find(|t| t.task_id == task_id).ok_or_else(|| {
        ApiFailure::new(
            "InvalidParameter",
            format!("Task {task_id} does not exist."),
        )
    })?;
    let mut out = Map::new();
    out.insert("Status".into(), json!(t.status));
    out.insert("LoadBalancerIds".into(), json!(t.load_balancer_ids));
    out.insert("Message".into(), json!(t.message));
    Ok(out)
}

/// `--describe-unknown-ids refuse`: the first `TargetGroupIds` entry naming no target group
/// refuses the whole call, with the documented generic code and the ID in the message.
pub(crate) fn refuse_unknown_ids(world: &World, p: &Params) -> Result<(), ApiFailure> {
    let Ok(Some(ids)) = target_group_ids(p) else {
        return Ok(());
    };
    match ids
        .iter()
        .enumerate()
        .find(|(_, id)| world.target_group(id).is_none())
    {
        Some((i, id)) => Err(ApiFailure::new(
            "InvalidParameterValue",
            format!("TargetGroupIds.{i}: target group {id} does not exist."),
        )),
        None => Ok(()),
    }
}

fn target_group_ids<'a>(p: &Params<'a>) -> Result<Option<Vec<&'a str>>, ApiFailure> {
    p.opt_str_list("TargetGroupIds")
}

/// Target groups selected by IDs or filters, in world order. `list_variant` selects the
/// DescribeTargetGroupList rules: IDs win over filters, and no `Tag` filter.
fn select_target_groups<'w>(
    world: &'w World,
    p: &Params,
    list_variant: bool,
) -> Result<Vec<&'w TargetGroup>, ApiFailure> {
    p.only(&["TargetGroupIds", "Limit", "Offset", "Filters"])?;
    let ids = target_group_ids(p)?;
    let filters = filters(p)?;
    if ids.is_some() && !filters.is_empty() && !list_variant {
        return Err(ApiFailure::new(
            "InvalidParameter",
            "TargetGroupIds and Filters cannot be used together.",
        ));
    }
    let mut selected: Vec<&TargetGroup> = world.target_groups.iter().collect();
    if let Some(ids) = ids {
        selected.retain(|tg| ids.contains(&tg.target_group_id.as_str()));
    } else {
        for f in &filters {
            match f.name {
                "TargetGroupVpcId" => selected.retain(|tg| f.values.contains(&tg.vpc_id.as_str())),
                "TargetGroupName" => {
                    selected.retain(|tg| f.values.contains(&tg.target_group_name.as_str()))
                }
                // Tags are not modelled: no target group carries any.
                "Tag" if !list_variant => selected.clear(),
                other => {
                    return Err(ApiFailure::new(
                        "InvalidParameter.InvalidFilter",
                        format!("Filter name {other} is not supported."),
                    ));
                }
            }
        }
    }
    Ok(selected)
}

fn association_items(world: &World, tg: &TargetGroup) -> Vec<Value> {
    let mut items = Vec::new();
    for a in world
        .associations
        .iter()
        .filter(|a| a.target_group_id == tg.target_group_id)
    {
        let Some(lb) = world.load_balancer(&a.load_balancer_id) else {
            continue;
        };
        let Some(l) = lb.listener(&a.listener_id) else {
            continue;
        };
        let rule = a.location_id.as_deref().and_then(|loc| l.rule(loc));
        let mut item = json!({
            "LoadBalancerId": lb.load_balancer_id,
            "ListenerId": l.listener_id,
            "LocationId": a.location_id,
            "Protocol": l.protocol,
            "Port": l.port,
            "Domain": rule.map(|r| r.domain.as_str()),
            "Url": rule.map(|r| r.url.as_str()),
            "LoadBalancerName": lb.load_balancer_name,
            "ListenerName": l.listener_name,
        });
        if tg.target_group_type == "v2" {
            item["Weight"] = json!(a.weight);
        }
        items.push(item);
    }
    items
}

fn target_group_info(world: &World, tg: &TargetGroup, with_rules: bool) -> Value {
    let rules = association_items(world, tg);
    let v2 = tg.target_group_type == "v2";
    json!({
        "TargetGroupId": tg.target_group_id,
        "VpcId": tg.vpc_id,
        "TargetGroupName": tg.target_group_name,
        "Port": tg.port,
        "CreatedTime": tg.created_time,
        "UpdatedTime": tg.created_time,
        "AssociatedRuleCount": rules.len(),
        "AssociatedRule": if with_rules { Value::Array(rules) } else { Value::Null },
        "Protocol": if v2 { json!(tg.protocol.as_deref().unwrap_or("TCP")) } else { Value::Null },
        "ScheduleAlgorithm": null,
        "HealthCheck": null,
        "TargetGroupType": tg.target_group_type,
        "RegisteredInstancesCount": 0,
        "Tag": [],
        "Weight": if v2 { json!(tg.weight) } else { Value::Null },
        "FullListenSwitch": tg.port == Some(0),
        "KeepaliveEnable": false,
        "SessionExpireTime": 0,
        "IpVersion": "IPv4",
        "SnatEnable": false,
    })
}

/// DescribeTargetGroups (with `AssociatedRule`) or DescribeTargetGroupList (without).
pub fn target_groups(
    world: &World,
    p: &Params,
    list_variant: bool,
) -> Result<Map<String, Value>, ApiFailure> {
    let selected = select_target_groups(world, p, list_variant)?;
    let (offset, limit) = page(p, if list_variant { 100 } else { 1000 })?;
    let set: Vec<Value> = selected
        .iter()
        .skip(offset)
        .take(limit)
        .map(|tg| target_group_info(world, tg, !list_variant))
        .collect();
    let mut out = Map::new();
    out.insert("TotalCount".into(), json!(selected.len()));
    out.insert("TargetGroupSet".into(), Value::Array(set));
    Ok(out)
}

fn basic_target_group(world: &World, tg_id: &str, weight: Option<u64>) -> Value {
    let name = world
        .target_group(tg_id)
        .map_or(tg_id, |tg| tg.target_group_name.as_str());
    let mut v = json!({"TargetGroupId": tg_id, "TargetGroupName": name});
    if let Some(w) = weight {
        v["Weight"] = json!(w);
    }
    v
}

/// `TargetGroup` (first bound group) and `TargetGroupList` (all) for a listener or rule.
fn bound_groups(world: &World, lb: &str, listener: &str, loc: Option<&str>) -> (Value, Value) {
    let list: Vec<Value> = world
        .associations
        .iter()
        .filter(|a| a.on_target(lb, listener, loc))
        .map(|a| basic_target_group(world, &a.target_group_id, a.weight))
        .collect();
    match list.first() {
        None => (Value::Null, Value::Null),
        Some(first) => (first.clone(), Value::Array(list)),
    }
}

fn listener_info(world: &World, lb: &LoadBalancer, l: &Listener) -> Value {
    let (tg, tg_list) = bound_groups(world, &lb.load_balancer_id, &l.listener_id, None);
    let rules = if l.is_layer4() {
        Value::Null
    } else {
        let rules: Vec<Value> = l
            .rules
            .iter()
            .map(|r| {
                let (rtg, rlist) = bound_groups(
                    world,
                    &lb.load_balancer_id,
                    &l.listener_id,
                    Some(&r.location_id),
                );
                let target_type = if rtg.is_null() {
                    r.target_type.clone().unwrap_or_else(|| "NODE".into())
                } else {
                    "TARGETGROUP".into()
                };
                json!({
                    "LocationId": r.location_id,
                    "Domain": r.domain,
                    "Url": r.url,
                    "ListenerId": l.listener_id,
                    "CreateTime": r.create_time,
                    "TargetType": target_type,
                    "TargetGroup": rtg,
                    "TargetGroupList": rlist,
                    "Domains": [r.domain],
                    "HealthCheck": null,
                    "Certificate": null,
                })
            })
            .collect();
        Value::Array(rules)
    };
    json!({
        "ListenerId": l.listener_id,
        "ListenerName": l.listener_name,
        "Protocol": l.protocol,
        "Port": l.port,
        "EndPort": 0,
        "CreateTime": l.create_time,
        "TargetType": l.target_type,
        "TargetGroup": tg,
        "TargetGroupList": tg_list,
        "Rules": rules,
        "AttrFlags": [],
        "Certificate": null,
        "HealthCheck": null,
        "SniSwitch": 0,
    })
}

/// DescribeListeners.
pub fn listeners(world: &World, p: &Params) -> Result<Map<String, Value>, ApiFailure> {
    p.only(&["LoadBalancerId", "ListenerIds", "Protocol", "Port"])?;
    let lb_id = p.req_str("LoadBalancerId")?;
    let ids = p.opt_str_list("ListenerIds")?;
    if ids.as_ref().is_some_and(|ids| ids.len() > 100) {
        return Err(ApiFailure::new(
            "InvalidParameterValue.Length",
            "ListenerIds holds more than 100 IDs.",
        ));
    }
    let protocol = p.opt_str("Protocol")?;
    let port = p.opt_i64("Port")?;
    let lb = world.load_balancer(lb_id).ok_or_else(|| {
        ApiFailure::new(
            "InvalidParameter.LBIdNotFound",
            format!("Load balancer {lb_id} does not exist."),
        )
    })?;
    let set: Vec<Value> = lb
        .listeners
        .iter()
        .filter(|l| {
            ids.as_ref()
                .is_none_or(|ids| ids.contains(&l.listener_id.as_str()))
        })
        .filter(|l| protocol.is_none_or(|p| p.eq_ignore_ascii_case(&l.protocol)))
        .filter(|l| port.is_none_or(|p| p == l.port))
        .map(|l| listener_info(world, lb, l))
        .collect();
    let mut out = Map::new();
    out.insert("Listeners".into(), json!(set));
    out.insert("TotalCount".into(), json!(set.len()));
    Ok(out)
}

const LB_KEYS: &[&str] = &[
    "LoadBalancerIds",
    "LoadBalancerType",
    "Forward",
    "LoadBalancerName",
    "Domain",
    "LoadBalancerVips",
    "BackendPublicIps",
    "BackendPrivateIps",
    "Offset",
    "Limit",
    "OrderBy",
    "OrderType",
    "SearchKey",
    "ProjectId",
    "WithRs",
    "VpcId",
    "SecurityGroup",
    "MasterZone",
    "Filters",
    "AdditionalFields",
];

fn load_balancer_info(lb: &LoadBalancer) -> Value {
    let region = lb.region.as_deref().unwrap_or(REGION);
    json!({
        "LoadBalancerId": lb.load_balancer_id,
        "LoadBalancerName": lb.load_balancer_name,
        "LoadBalancerType": lb.load_balancer_type,
        "Forward": lb.forward,
        "LoadBalancerVips": [],
        "Status": 1,
        "CreateTime": lb.create_time,
        "ProjectId": 0,
        "VpcId": lb.vpc_id,
        "Tags": [],
        "TargetRegionInfo": {"Region": region, "VpcId": lb.vpc_id},
        "AddressIPVersion": "ipv4",
        "LoadBalancerDomain": format!("{}.clb.{region}.tencentclb.com", lb.load_balancer_id),
    })
}

/// DescribeLoadBalancers. Filters on IDs, name, type, Forward, VPC and SearchKey; the other
/// documented parameters are accepted and have no effect (the emulator has no data for them).
pub fn load_balancers(world: &World, p: &Params) -> Result<Map<String, Value>, ApiFailure> {
    p.only(LB_KEYS)?;
    let ids = p.opt_str_list("LoadBalancerIds")?;
    if ids.as_ref().is_some_and(|ids| ids.len() > 20) {
        return Err(ApiFailure::new(
            "InvalidParameterValue.Length",
            "LoadBalancerIds holds more than 20 IDs.",
        ));
    }
    let name = p.opt_str("LoadBalancerName")?;
    let lb_type = p.opt_str("LoadBalancerType")?;
    let forward = p.opt_i64("Forward")?;
    let vpc = p.opt_str("VpcId")?;
    let search = p.opt_str("SearchKey")?;
    // Type-check the parameters that do not filter anything here.
    for key in ["Domain", "OrderBy", "SecurityGroup", "MasterZone"] {
        p.opt_str(key)?;
    }
    for key in ["OrderType", "ProjectId", "WithRs"] {
        p.opt_i64(key)?;
    }
    for key in [
        "LoadBalancerVips",
        "BackendPublicIps",
        "BackendPrivateIps",
        "AdditionalFields",
    ] {
        p.opt_str_list(key)?;
    }
    let _ = filters(p)?;
    let (offset, limit) = page(p, 100)?;
    let selected: Vec<&LoadBalancer> = world
        .load_balancers
        .iter()
        .filter(|lb| {
            ids.as_ref()
                .is_none_or(|ids| ids.contains(&lb.load_balancer_id.as_str()))
        })
        .filter(|lb| name.is_none_or(|n| lb.load_balancer_name.contains(n)))
        .filter(|lb| lb_type.is_none_or(|t| t == lb.load_balancer_type))
        .filter(|lb| forward.is_none_or(|f| f == lb.forward))
        .filter(|lb| vpc.is_none_or(|v| v == lb.vpc_id))
        .filter(|lb| {
            search.is_none_or(|s| {
                lb.load_balancer_name.contains(s) || lb.load_balancer_id.contains(s)
            })
        })
        .collect();
    let set: Vec<Value> = selected
        .iter()
        .skip(offset)
        .take(limit)
        .map(|lb| load_balancer_info(lb))
        .collect();
    let mut out = Map::new();
    out.insert("TotalCount".into(), json!(selected.len()));
    out.insert("LoadBalancerSet".into(), json!(set));
    Ok(out)
}
