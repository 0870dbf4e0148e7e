//! PlanResourceChange: the framework's planning rules, then the resource's plan modifier, which
//! may put the change off to a later run where Terraform allows it (never a destroy: the
//! modifier does not see those).

use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;
use crate::resource::{Deferred, ModifyPlanRequest, ModifyPlanResponse};
use crate::schema::Schema;
use crate::typed::{TypedValue, ValueRole};
use crate::value::{AttributePath, Value};

use super::convert::{diags_to_proto, identity_to_proto, paths_to_proto, private_to_proto};
use super::deferral::{check_deferral, deferred_to_proto};
use super::identity::{keeps_identity, null_identity};
use super::plan_rules::{
    changed_configured_values, clear_write_only, normalize, plan_change, replace_paths,
};
use super::{ChangeValues, FrameworkServer, decode_change, encode_state};

impl FrameworkServer {
    pub(super) async fn plan_resource_change(
        &self,
        req: pb::plan_resource_change::Request,
    ) -> pb::plan_resource_change::Response {
        let mut diags = Diagnostics::new();
        let fail = |diags: &Diagnostics, req: &pb::plan_resource_change::Request| {
            pb::plan_resource_change::Response {
                planned_private: req.prior_private.clone(),
                diagnostics: diags_to_proto(diags),
                ..Default::default()
            }
        };
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => return fail(&d, &req),
        };
        let ty = entry.schema.value_type();
        let block = &entry.schema.block;
        let Some(ChangeValues {
            prior,
            next: proposed,
            config,
            private,
            identity: prior_identity,
        }) = decode_change(
            entry,
            [
                req.prior_state.as_ref(),
                req.proposed_new_state.as_ref(),
                req.config.as_ref(),
            ],
            &req.prior_private,
            req.prior_identity.as_ref(),
            &mut diags,
        )
        else {
            return fail(&diags, &req);
        };
        let plan = plan_change(block, prior.value(), proposed.value(), config.value());
        let deferral_allowed = req
            .client_capabilities
            .as_ref()
            .is_some_and(|c| c.deferral_allowed);
        let mut planned = TypedValue::new(ValueRole::Plan, ty.clone(), plan.planned);
        let mut replace = plan.requires_replace;
        let mut planned_private = private.clone();
        // The planned identity is the prior one (null on create) unless the modifier sets it.
        let mut planned_identity = prior_identity.clone().or_else(|| null_identity(entry));
        if !planned.is_null()
            && let Some(modifier) = entry.resource.plan_modifier()
        {
            let mut resp = ModifyPlanResponse {
                plan: planned.clone(),
                requires_replace: Vec::new(),
                private,
                identity: planned_identity.clone(),
                deferred: None,
                diagnostics: Diagnostics::new(),
            };
            modifier
                .modify_plan(
                    &self.context(),
                    ModifyPlanRequest {
                        config: config.clone(),
                        prior_state: prior.clone(),
                        prior_private: planned_private.clone(),
                        prior_identity: prior_identity.clone(),
                        deferral_allowed,
                    },
                    &mut resp,
                )
                .await;
            diags.extend(resp.diagnostics);
            if let Some(reason) = resp.deferred {
                check_deferral(deferral_allowed, "Planning", &req.type_name, &mut diags);
                return deferred_plan(&entry.schema, &planned, &replace, reason, req, diags);
            }
            if resp.plan.is_null() {
                diags.error(
                    "Plan modifier removed the plan",
                    format!(
                        "The plan modifier of {} left no planned object; only Terraform plans \
                         destroys. This is a bug in the provider; please report it.",
                        req.type_name
                    ),
                );
                return fail(&diags, &req);
            }
            let mut v = normalize(block, resp.plan.into_value());
            clear_write_only(block, &mut v);
            let changed = changed_configured_values(block, config.value(), &v);
            for path in &changed {
                diags.attribute_error(
                    path.clone(),
                    "Plan modifier changed a configured value",
                    format!(
                        "The plan modifier of {} planned a different value for {path} than the \
                         configuration sets. Rule: a plan may fill in values the configuration \
                         leaves null or unknown, never change a configured one (Terraform would \
                         reject the plan as inconsistent). This is a bug in the provider; please \
                         report it.",
                        req.type_name
                    ),
                );
            }
            if !changed.is_empty() {
                return fail(&diags, &req);
            }
            planned.replace_value(v);
            if !prior.is_null() {
                replace = replace_paths(block, prior.value(), planned.value(), &Default::default());
            }
            replace.extend(resp.requires_replace);
            replace.sort();
            replace.dedup();
            planned_private = resp.private;
            planned_identity = resp.identity;
        }
        let name = &req.type_name;
        // Terraform replaces only for listed paths whose value actually changes.
        let replacing = replace.iter().any(|p| {
            let before = prior.value().at_path(p).unwrap_or(&Value::Null);
            let after = planned.value().at_path(p).unwrap_or(&Value::Null);
            !before.equals(after)
        });
        let in_place = !prior.is_null() && !replacing;
        // A replacement is a new object: the old one's identity is not its plan.
        if !in_place
            && let (Some(prior), Some(planned)) = (&prior_identity, &planned_identity)
            && prior.same_as(planned)
        {
            planned_identity = null_identity(entry);
        }
        let identity = if planned.is_null() {
            None
        } else {
            self.planned_identity(
                entry.identity.is_some(),
                prior_identity.as_ref(),
                planned_identity.as_ref(),
                in_place,
                name,
                &mut diags,
            )
        };
        pb::plan_resource_change::Response {
            planned_state: encode_state(&entry.schema, planned.value(), &mut diags),
            requires_replace: paths_to_proto(&replace),
            planned_private: private_to_proto(&planned_private),
            planned_identity: identity,
            diagnostics: diags_to_proto(&diags),
            legacy_type_system: false,
            deferred: None,
        }
    }

    /// The planned identity may be null (not known before create) or wholly known, and an
    /// in-place update must keep the stored one.
    fn planned_identity(
        &self,
        has_identity: bool,
        prior: Option<&TypedValue>,
        planned: Option<&TypedValue>,
        in_place: bool,
        type_name: &str,
        diags: &mut Diagnostics,
    ) -> Option<pb::ResourceIdentityData> {
        let planned = planned.filter(|p| has_identity && !p.is_null())?;
        if !planned.is_fully_known() {
            diags.error(
                "Planned identity not wholly known",
                format!(
                    "The plan for {type_name} has an identity with unknown values; leave it null \
                     until it is known. This is a bug in the provider; please report it."
                ),
            );
            return None;
        }
        if in_place
            && let Some(prior) = prior.filter(|p| !p.is_null())
            && !keeps_identity(prior.value(), planned.value())
        {
            diags.error(
                "Unexpected identity change",
                format!(
                    "The plan for {type_name} changes its identity in place. An identity must not \
                     change for the life of the object. This is a bug in the provider; please \
                     report it."
                ),
            );
        }
        match identity_to_proto(Some(planned)) {
            Ok(p) => p,
            Err(d) => {
                diags.extend(d);
                None
            }
        }
    }
}

/// The answer to a deferred plan: the framework's own plan (the proposed object with computed
/// attributes unknown, so it still conforms to the schema) with its replace paths, the prior
/// private data and identity. Terraform plans the change for real in a later run.
fn deferred_plan(
    schema: &Schema,
    planned: &TypedValue,
    replace: &[AttributePath],
    reason: Deferred,
    req: pb::plan_resource_change::Request,
    mut diags: Diagnostics,
) -> pb::plan_resource_change::Response {
    let mut resp = pb::plan_resource_change::Response {
        planned_private: req.prior_private,
        ..Default::default()
    };
    if !diags.has_errors() {
        resp.planned_state = encode_state(schema, planned.value(), &mut diags);
        resp.requires_replace = paths_to_proto(replace);
        resp.planned_identity = req.prior_identity;
    }
    resp.deferred = deferred_to_proto(Some(reason), &diags);
    resp.diagnostics = diags_to_proto(&diags);
    resp
}
