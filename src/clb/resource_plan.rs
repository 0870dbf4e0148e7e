//! Plan-time behaviour of the association resource: offline validation, API checks in the plan
//! modifier, and import.

use std::time::Duration;

use async_trait::async_trait;

use crate::clb::api::Deadline;
use crate::clb::association::OpError;
use crate::clb::checks::check_binding;
use crate::clb::errors::report;
use crate::clb::id::AssociationId;
use crate::clb::provider::ApiState;
use crate::clb::resource::{AssociationModel, AssociationResource, model_to_value};
use crate::clb::timeouts::parse_duration;
use crate::clb::validate::{IdKind, check_id, check_weight};
use crate::tfplug::diag::Diagnostics;
use crate::tfplug::provider::Context;
use crate::tfplug::resource::*;
use crate::tfplug::value::{AttributePath, Value};

/// How long the plan-time API checks may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2 * 60);

const ID_ATTRIBUTES: [(&str, IdKind); 4] = [
    ("load_balancer_id", IdKind::LoadBalancer),
    ("listener_id", IdKind::Listener),
    ("location_id", IdKind::Location),
    ("target_group_id", IdKind::TargetGroup),
];

/// Offline checks of a configuration; unknown values are skipped (they are checked once known).
pub fn validate_config_value(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::default();
    for (name, kind) in ID_ATTRIBUTES {
        if let Some(s) = config.get_attr(name).and_then(Value::as_str)
            && let Err(msg) = check_id(kind, s)
        {
            d.attribute_error(
                AttributePath::attr_root(name),
                format!("Invalid {name}"),
                msg,
            );
        }
    }
    if let Some(w) = config
        .get_attr("weight")
        .filter(|v| matches!(v, Value::Number(_)))
    {
        let path = AttributePath::attr_root("weight");
        match w.as_i64() {
            None => d.attribute_error(
                path,
                "Invalid weight",
                "weight must be a whole number between 0 and 100.",
            ),
            Some(n) => {
                if let Err(msg) = check_weight(n) {
                    d.attribute_error(path, "Invalid weight", msg);
                }
            }
        }
    }
    if let Some(t) = config.get_attr("timeouts") {
        for name in ["create", "delete"] {
            if let Some(s) = t.get_attr(name).and_then(Value::as_str)
                && let Err(msg) = parse_duration(s)
            {
                d.attribute_error(
                    AttributePath::attr_root("timeouts").attr(name),
                    format!("Invalid timeouts.{name}"),
                    msg,
                );
            }
        }
    }
    d
}

/// The binding named by a configuration, when all its ID attributes are known.
fn known_id(config: &Value) -> Option<AssociationId> {
    let s = |name: &str| {
        config
            .get_attr(name)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let location = match config.get_attr("location_id") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) | None => None,
        Some(_) => return None, // unknown
    };
    Some(AssociationId {
        load_balancer_id: s("load_balancer_id")?,
        listener_id: s("listener_id")?,
        location_id: location,
        target_group_id: s("target_group_id")?,
    })
}

#[async_trait]
impl ResourceValidateConfig for AssociationResource {
    async fn validate_config(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        validate_config_value(config)
    }
}

#[async_trait]
impl ResourceModifyPlan for AssociationResource {
    async fn modify_plan(&self, ctx: &Context, req: ModifyPlanRequest) -> ModifyPlanResponse {
        let mut resp = ModifyPlanResponse {
            planned_state: req.planned_state.clone(),
            ..Default::default()
        };
        let Some(id) = known_id(&req.config) else {
            return resp;
        };
        // The ID is a pure function of the configuration: show it in the plan.
        if resp
            .planned_state
            .get_attr("id")
            .is_some_and(Value::is_unknown)
        {
            resp.planned_state
                .set_attr("id", Value::string(id.to_string()));
        }
        // API checks only when a binding is about to be made; an existing one was checked then,
        // and a plan for it must not start failing because of unrelated cloud changes.
        let prior_id = prior_binding(&req.prior_state);
        if prior_id.as_ref() == Some(&id) {
            if let Some(notice) = weight_replacement_notice(&req.prior_state, &req.config, &id) {
                resp.diagnostics.attribute_warning(
                    AttributePath::attr_root("weight"),
                    "Changing weight replaces the binding",
                    notice,
                );
            }
            return resp;
        }
        let weight = match req.config.get_attr("weight") {
            Some(v @ Value::Number(_)) => v.as_i64(),
            Some(Value::Unknown) => return resp,
            _ => None,
        };
        let api = match self.shared.api() {
            ApiState::Ready(api) => api,
            // Checked at apply time, when the provider configuration is known.
            _ => return resp,
        };
        let deadline = Deadline::after(CHECK_TIMEOUT, ctx.cancel.clone());
        match check_binding(&api, &id, weight, &deadline).await {
            Ok(findings) => {
                for f in findings {
                    let path = AttributePath::attr_root(f.attribute);
                    if f.warning {
                        resp.diagnostics
                            .attribute_warning(path, f.summary, f.detail);
                    } else {
                        resp.diagnostics.attribute_error(path, f.summary, f.detail);
                    }
                }
            }
            Err(e) => report(
                &mut resp.diagnostics,
                "check the binding at plan time",
                &id,
                &OpError::Api(e),
            ),
        }
        resp
    }
}

#[async_trait]
impl ResourceImport for AssociationResource {
    async fn import_state(&self, _ctx: &Context, raw: &str) -> ImportResponse {
        let mut resp = ImportResponse::default();
        match AssociationId::parse(raw) {
            Err(e) => resp.diagnostics.error("Invalid import ID", e.to_string()),
            Ok(id) => {
                let model = AssociationModel {
                    id: Some(id.to_string()),
                    load_balancer_id: Some(id.load_balancer_id.clone()),
                    listener_id: Some(id.listener_id.clone()),
                    location_id: id.location_id.clone(),
                    target_group_id: Some(id.target_group_id.clone()),
                    weight: None,
                    timeouts: None,
                };
                match model_to_value(&model) {
                    Ok(v) => resp.state = Some(v),
                    Err(e) => resp.diagnostics.error("Internal error encoding state", e),
                }
            }
        }
        resp
    }
}

/// The warning for a plan that changes only the weight of an existing binding, which replaces it
/// by the same binding (the API has no in-place weight update).
fn weight_replacement_notice(prior: &Value, config: &Value, id: &AssociationId) -> Option<String> {
    let wanted = config.get_attr("weight").and_then(Value::as_i64)?;
    let have = prior.get_attr("weight").and_then(Value::as_i64)?;
    (wanted != have).then(|| {
        format!(
            "The API cannot change the weight of {id} in place, so Terraform replaces the binding with itself: it unbinds it and binds it again with weight {wanted}, and traffic through this listener or rule stops for a moment. Under `create_before_destroy` the new object would find the binding still there with weight {have}, and apply stops with an error without changing anything; change the weight without `create_before_destroy`."
        )
    })
}

/// The binding a prior state names; `None` on create.
fn prior_binding(state: &Value) -> Option<AssociationId> {
    if state.is_null() {
        return None;
    }
    known_id(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut v = Value::object(
            [
                "id",
                "load_balancer_id",
                "listener_id",
                "location_id",
                "target_group_id",
                "weight",
                "timeouts",
            ]
            .map(|k| (k, Value::Null)),
        );
        for (k, x) in pairs {
            v.set_attr(*k, x.clone());
        }
        v
    }

    fn paths(d: &Diagnostics) -> Vec<String> {
        d.iter()
            .map(|d| d.attribute.as_ref().unwrap().to_string())
            .collect()
    }

    #[test]
    fn offline_validation_points_at_each_attribute() {
        let c = config(&[
            ("load_balancer_id", Value::string("lbx-1")),
            ("listener_id", Value::string("lb-1")),
            ("location_id", Value::string("loc")),
            ("target_group_id", Value::string("tg-1")),
            ("weight", Value::int(101)),
            (
                "timeouts",
                Value::object([("create", Value::string("soon")), ("delete", Value::Null)]),
            ),
        ]);
        assert_eq!(
            paths(&validate_config_value(&c)),
            [
                "load_balancer_id",
                "listener_id",
                "location_id",
                "target_group_id",
                "weight",
                "timeouts.create"
            ]
        );
    }

    #[test]
    fn unknowns_and_valid_values_pass() {
        let c = config(&[
            ("load_balancer_id", Value::Unknown),
            ("listener_id", Value::string("lbl-1")),
            ("target_group_id", Value::string("lbtg-1")),
            ("weight", Value::Unknown),
        ]);
        assert!(validate_config_value(&c).is_empty());
    }

    #[test]
    fn known_id_needs_every_part() {
        let c = config(&[
            ("load_balancer_id", Value::string("lb-1")),
            ("listener_id", Value::string("lbl-1")),
            ("target_group_id", Value::string("lbtg-1")),
        ]);
        assert_eq!(known_id(&c).unwrap().to_string(), "lb-1#lbl-1#lbtg-1");
        let mut c2 = c.clone();
        c2.set_attr("location_id", Value::Unknown);
        assert!(known_id(&c2).is_none());
    }
}
