//! Plan-time behaviour of the association resource: offline validation and the API checks in
//! the plan modifier. Import is [`crate::clb::resource::import`].

use async_trait::async_trait;

use crate::clb::binding::id::AssociationId;
use crate::clb::binding::identity::BindingIdentity;
use crate::clb::binding::timeouts::{DEFAULT_TIMEOUT, parse_duration, timeout_or_default};
use crate::clb::binding::validate::{IdKind, check_id, check_weight};
use crate::clb::checks::check_binding;
use crate::clb::cloud::{Deadline, Weight};
use crate::clb::engine::OpError;
use crate::clb::errors::report;
use crate::clb::provider::ConfiguredProvider;
use crate::clb::resource::{Association, AssociationResource, Timeouts};
use tencentcloud::ApiError;
use tfplug::diag::Diagnostics;
use tfplug::provider::{ConfigValidator, Configured, Context};
use tfplug::resource::*;
use tfplug::typed::TypedValue;
use tfplug::value::{AttributePath, Unknowable};

/// An attribute as plan time sees it: unknown, null or a value.
type Planning<T> = Unknowable<Option<T>>;

/// A configuration (or prior state) as plan time sees it: the resource's one model with any
/// attribute possibly unknown, and the weight a number, which configuration may write as a
/// fraction.
type PlanningModel = Association<Planning<String>, Planning<f64>, Planning<PlanningTimeouts>>;

type PlanningTimeouts = Timeouts<Planning<String>>;

impl PlanningModel {
    fn id_attributes(&self) -> [(&'static str, IdKind, &Unknowable<Option<String>>); 4] {
        [
            (
                "load_balancer_id",
                IdKind::LoadBalancer,
                &self.load_balancer_id,
            ),
            ("listener_id", IdKind::Listener, &self.listener_id),
            ("location_id", IdKind::Location, &self.location_id),
            (
                "target_group_id",
                IdKind::TargetGroup,
                &self.target_group_id,
            ),
        ]
    }
}

/// Offline checks of a configuration; unknown values are skipped (they are checked once known).
pub(crate) fn validate_config_value(config: &TypedValue) -> Diagnostics {
    let mut d = Diagnostics::default();
    let Some(model) = d.capture(config.get::<PlanningModel>()) else {
        return d;
    };
    for (name, kind, value) in model.id_attributes() {
        if let Some(s) = value.known_value()
            && let Err(msg) = check_id(kind, s)
        {
            d.attribute_error(
                AttributePath::attr_root(name),
                format!("Invalid {name}"),
                msg,
            );
        }
    }
    if let Some(w) = model.weight.known_value() {
        let path = AttributePath::attr_root("weight");
        if w.fract() != 0.0 {
            d.attribute_error(
                path,
                "Invalid weight",
                "weight must be a whole number between 0 and 100.",
            );
        } else if let Err(msg) = check_weight(*w as Weight) {
            d.attribute_error(path, "Invalid weight", msg);
        }
    }
    if let Some(t) = model.timeouts.known_value() {
        for (name, value) in [("create", &t.create), ("delete", &t.delete)] {
            if let Some(s) = value.known_value()
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

/// The binding named by a configuration or state, when all its ID attributes are known.
fn known_id(config: &TypedValue) -> Option<AssociationId> {
    if config.is_null() {
        return None;
    }
    let m = config.get::<PlanningModel>().ok()?;
    let known = |v: &Unknowable<Option<String>>| v.known_value().cloned();
    Some(AssociationId {
        load_balancer_id: known(&m.load_balancer_id)?,
        listener_id: known(&m.listener_id)?,
        location_id: m.location_id.into_known()?,
        target_group_id: known(&m.target_group_id)?,
    })
}

#[async_trait]
impl ConfigValidator for AssociationResource {
    async fn validate_config(&self, _ctx: &Context, config: &TypedValue, diags: &mut Diagnostics) {
        diags.extend(validate_config_value(config));
    }
}

#[async_trait]
impl ResourceModifyPlan for AssociationResource {
    async fn modify_plan(
        &self,
        ctx: &Context,
        req: ModifyPlanRequest,
        resp: &mut ModifyPlanResponse,
    ) {
        // With the provider block not known yet, neither is the region a binding without its own
        // goes to, nor can the cloud be asked: where Terraform allows it, plan in a later run.
        // Otherwise (Terraform 1.11) plan what is known and check the rest at apply time.
        if let Some(reason) = ctx.defer_while_config_unknown(req.deferral_allowed) {
            resp.deferred = Some(reason);
            return;
        }
        let Some(id) = known_id(&req.config) else {
            // The binding is not known before apply: neither is its identity.
            resp.identity = None;
            return;
        };
        // The ID is a pure function of the configuration: show it in the plan.
        if resp.plan.is_unknown("id") {
            resp.set_plan_attr("id", &id.to_string());
        }
        let Some(model) = resp.diagnostics.capture(req.config.get::<PlanningModel>()) else {
            return;
        };
        let provider = match ctx.provider_data::<ConfiguredProvider>() {
            Configured::Ready(client) => Some(client),
            _ => None,
        };
        // Without `region` in the configuration the binding belongs to the provider's region:
        // when that differs from the region in state, the plan shows the move as a replacement
        // (the state's binding is still read and destroyed in its own region).
        let region = match (&model.region, &provider) {
            (Unknowable::Known(Some(r)), _) => Some(r.clone()),
            (Unknowable::Known(None), Some(client)) => {
                resp.set_plan_attr("region", &client.region);
                Some(client.region.clone())
            }
            _ => None,
        };
        // The identity is the coordinates and the region; with the region not known yet (the
        // provider's configuration is not), the plan's own region (kept from state) if known,
        // else no identity is planned rather than a partial one.
        let planned_region = region.clone().or_else(|| {
            resp.plan
                .get_attr::<Option<String>>("region")
                .ok()
                .flatten()
        });
        match planned_region {
            Some(r) => {
                resp.set_identity(&BindingIdentity::new(&id, Some(&r)));
            }
            None => resp.identity = None,
        }
        // API checks only when a binding is about to be made; an existing one was checked then,
        // and a plan for it must not start failing because of unrelated cloud changes.
        if known_id(&req.prior_state).as_ref() == Some(&id) {
            if let Some(notice) = weight_replacement_notice(&req.prior_state, &model, &id) {
                resp.diagnostics.attribute_warning(
                    AttributePath::attr_root("weight"),
                    "Changing weight replaces the binding",
                    notice,
                );
            }
            return;
        }
        let weight = match model.weight {
            Unknowable::Unknown => return,
            Unknowable::Known(w) => w.map(|w| w as Weight),
        };
        let Some(client) = provider else {
            // Checked at apply time, when the provider configuration is known.
            return;
        };
        // The checks are the first part of creating the binding, so they share its budget: the
        // user's `timeouts.create` (documented with the resource).
        let budget = model
            .timeouts
            .known_value()
            .and_then(|t| t.create.known_value().cloned())
            .and_then(|create| timeout_or_default(Some(&create)).ok())
            .unwrap_or(DEFAULT_TIMEOUT);
        let deadline = Deadline::after(budget, ctx.cancel.clone());
        let engine = client.engine_in(region.as_deref());
        match check_binding(&engine, &id, weight, &deadline).await {
            Ok(findings) => resp.diagnostics.extend(findings),
            Err(ApiError::DeadlineExceeded { action, last }) => resp.diagnostics.attribute_error(
                AttributePath::attr_root("timeouts").attr("create"),
                "Plan-time check ran out of time",
                format!(
                    "Checking {id} against the cloud before creating it did not finish within {} (the create timeout): {} was still without an answer{}. Raise `timeouts.create` if the cloud is slow, or check that the endpoint is reachable.",
                    humanize(budget),
                    action.as_deref().unwrap_or("a call"),
                    last.map(|e| format!("; its last attempt failed with: {e}"))
                        .unwrap_or_default()
                ),
            ),
            Err(e) => report(
                &mut resp.diagnostics,
                "check the binding at plan time",
                &id,
                &OpError::Api(e),
            ),
        }
    }
}

/// A duration as a user writes it in `timeouts` (`"2m30s"`, `"10m"`, `"1.5s"`).
fn humanize(d: std::time::Duration) -> String {
    let secs = d.as_secs();
    if d.subsec_millis() != 0 || secs == 0 {
        return format!("{}s", d.as_secs_f64());
    }
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for (n, unit) in [(h, "h"), (m, "m"), (s, "s")] {
        if n != 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    out
}

/// The warning for a plan that changes only the weight of an existing binding, which replaces it
/// by the same binding (the API has no in-place weight update).
fn weight_replacement_notice(
    prior: &TypedValue,
    config: &PlanningModel,
    id: &AssociationId,
) -> Option<String> {
    let wanted = config.weight.known_value().map(|w| *w as Weight)?;
    let prior = prior.get::<PlanningModel>().ok()?;
    let have = prior.weight.known_value().map(|w| *w as Weight)?;
    (wanted != have).then(|| {
        format!(
            "The API cannot change the weight of {id} in place, so Terraform replaces the binding with itself: it unbinds it and binds it again with weight {wanted}, and traffic through this listener or rule stops for a moment. Under `create_before_destroy` the new object would find the binding still there with weight {have}, and apply stops with an error without changing anything; change the weight without `create_before_destroy`."
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clb::resource::schema;
    use Unknowable::{Known, Unknown};
    use tfplug::typed::ValueRole;

    fn config(m: &PlanningModel) -> TypedValue {
        TypedValue::from_model(ValueRole::Config, schema().value_type(), m).unwrap()
    }

    fn text(s: &str) -> Unknowable<Option<String>> {
        Known(Some(s.to_string()))
    }

    fn paths(d: &Diagnostics) -> Vec<String> {
        d.iter()
            .map(|d| d.attribute.as_ref().unwrap().to_string())
            .collect()
    }

    #[test]
    fn offline_validation_points_at_each_attribute() {
        let c = config(&PlanningModel {
            id: Known(None),
            load_balancer_id: text("lbx-1"),
            listener_id: text("lb-1"),
            location_id: text("loc"),
            target_group_id: text("tg-1"),
            weight: Known(Some(101.0)),
            region: Known(None),
            timeouts: Known(Some(PlanningTimeouts {
                create: text("soon"),
                delete: Known(None),
            })),
        });
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
        let fraction = config(&PlanningModel {
            weight: Known(Some(1.5)),
            ..Default::default()
        });
        assert_eq!(paths(&validate_config_value(&fraction)), ["weight"]);
    }

    #[test]
    fn unknowns_and_valid_values_pass() {
        let c = config(&PlanningModel {
            load_balancer_id: Unknown,
            listener_id: text("lbl-1"),
            target_group_id: text("lbtg-1"),
            weight: Unknown,
            timeouts: Known(Some(PlanningTimeouts {
                create: Unknown,
                delete: text("90s"),
            })),
            ..Default::default()
        });
        assert!(validate_config_value(&c).is_empty());
    }

    #[test]
    fn known_id_needs_every_part() {
        let mut m = PlanningModel {
            load_balancer_id: text("lb-1"),
            listener_id: text("lbl-1"),
            target_group_id: text("lbtg-1"),
            ..Default::default()
        };
        assert_eq!(
            known_id(&config(&m)).unwrap().to_string(),
            "lb-1#lbl-1#lbtg-1"
        );
        m.location_id = Unknown;
        assert!(known_id(&config(&m)).is_none());
    }
}
