//! ApplyResourceChange: create, update or delete, as the plan says.

use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;
use crate::resource::{
    CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, UpdateRequest, UpdateResponse,
};
use crate::typed::{Private, TypedValue, ValueRole};
use crate::value::Value;

use super::convert::{diags_to_proto, private_from_proto, private_to_proto, typed_from_proto};
use super::identity::{finish_identity, null_identity, request_identity, require_unchanged};
use super::plan_rules::changed_planned_values;
use super::{FrameworkServer, ResourceEntry, encode_state, finish_state};

/// What an apply leaves: state, private data, identity.
struct Applied {
    state: Value,
    private: Private,
    identity: Option<pb::ResourceIdentityData>,
}

impl FrameworkServer {
    pub(super) async fn apply_resource_change(
        &self,
        req: pb::apply_resource_change::Request,
    ) -> pb::apply_resource_change::Response {
        let mut diags = Diagnostics::new();
        let echo = |diags: &Diagnostics, req: pb::apply_resource_change::Request| {
            pb::apply_resource_change::Response {
                new_state: req.prior_state,
                private: req.planned_private,
                diagnostics: diags_to_proto(diags),
                legacy_type_system: false,
                new_identity: None,
            }
        };
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => return echo(&d, req),
        };
        let ty = entry.schema.value_type();
        let decoded = (
            diags.capture(typed_from_proto(
                req.prior_state.as_ref(),
                ValueRole::State,
                &ty,
            )),
            diags.capture(typed_from_proto(
                req.planned_state.as_ref(),
                ValueRole::Plan,
                &ty,
            )),
            diags.capture(typed_from_proto(
                req.config.as_ref(),
                ValueRole::Config,
                &ty,
            )),
            diags.capture(private_from_proto(&req.planned_private)),
            diags.capture(request_identity(entry, req.planned_identity.as_ref())),
        );
        let (Some(prior), Some(plan), Some(config), Some(private), Some(identity)) = decoded else {
            return echo(&diags, req);
        };
        let identity = identity.or_else(|| null_identity(entry));
        let name = req.type_name.clone();
        let applied = if plan.is_null() {
            self.delete(entry, prior, private, identity, &mut diags)
                .await
        } else if prior.is_null() {
            self.create(entry, config, plan, private, identity, &name, &mut diags)
                .await
        } else {
            self.update(
                entry, config, prior, plan, private, identity, &name, &mut diags,
            )
            .await
        };
        pb::apply_resource_change::Response {
            new_state: encode_state(&entry.schema, &applied.state, &mut diags),
            private: private_to_proto(&applied.private),
            diagnostics: diags_to_proto(&diags),
            legacy_type_system: false,
            new_identity: applied.identity,
        }
    }

    async fn delete(
        &self,
        entry: &ResourceEntry,
        prior: TypedValue,
        private: Private,
        identity: Option<TypedValue>,
        diags: &mut Diagnostics,
    ) -> Applied {
        let mut resp = DeleteResponse::default();
        entry
            .resource
            .delete(
                &self.context(),
                DeleteRequest {
                    prior_state: prior.clone(),
                    private: private.clone(),
                    identity,
                },
                &mut resp,
            )
            .await;
        diags.extend(resp.diagnostics);
        if diags.has_errors() {
            // The object is still there: keep it in state as it was.
            Applied {
                state: prior.into_value(),
                private,
                identity: None,
            }
        } else {
            Applied {
                state: Value::Null,
                private: Private::new(),
                identity: None,
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn create(
        &self,
        entry: &ResourceEntry,
        config: TypedValue,
        plan: TypedValue,
        private: Private,
        identity: Option<TypedValue>,
        name: &str,
        diags: &mut Diagnostics,
    ) -> Applied {
        let planned = plan.value().clone();
        let mut resp = CreateResponse {
            state: TypedValue::null(ValueRole::State, plan.value_type().clone()),
            private: private.clone(),
            identity: identity.clone(),
            diagnostics: Diagnostics::new(),
        };
        entry
            .resource
            .create(
                &self.context(),
                CreateRequest {
                    config,
                    plan,
                    private,
                    identity,
                },
                &mut resp,
            )
            .await;
        diags.extend(resp.diagnostics);
        if resp.state.is_null() {
            if !diags.has_errors() {
                diags.error(
                    "Create returned no state",
                    format!("Creating {name} returned neither a state nor an error; this is a provider bug."),
                );
            }
            return Applied {
                state: Value::Null,
                private: Private::new(),
                identity: None,
            };
        }
        let failed = diags.has_errors();
        let state = finish_state(&entry.schema, &resp.state, "create", name, diags);
        if !failed {
            check_planned_values_kept(&planned, &state, "create", name, diags);
        }
        let identity = if failed {
            None
        } else {
            finish_identity(entry, resp.identity.as_ref(), "create", name, diags)
        };
        Applied {
            state,
            private: resp.private,
            identity,
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn update(
        &self,
        entry: &ResourceEntry,
        config: TypedValue,
        prior: TypedValue,
        plan: TypedValue,
        private: Private,
        identity: Option<TypedValue>,
        name: &str,
        diags: &mut Diagnostics,
    ) -> Applied {
        let planned = plan.value().clone();
        let mut resp = UpdateResponse {
            state: plan.clone().with_role(ValueRole::State),
            private: private.clone(),
            identity: identity.clone(),
            diagnostics: Diagnostics::new(),
        };
        entry
            .resource
            .update(
                &self.context(),
                UpdateRequest {
                    config,
                    prior_state: prior.clone(),
                    plan,
                    private: private.clone(),
                    identity: identity.clone(),
                },
                &mut resp,
            )
            .await;
        diags.extend(resp.diagnostics);
        if diags.has_errors() && !resp.state.is_fully_known() {
            // Nothing trustworthy came back: keep what Terraform had.
            return Applied {
                state: prior.into_value(),
                private,
                identity: None,
            };
        }
        let failed = diags.has_errors();
        let state = finish_state(&entry.schema, &resp.state, "update", name, diags);
        if !failed {
            check_planned_values_kept(&planned, &state, "update", name, diags);
        }
        let new_identity = if failed {
            None
        } else {
            require_unchanged(
                identity.as_ref(),
                resp.identity.as_ref(),
                "update",
                name,
                diags,
            );
            finish_identity(entry, resp.identity.as_ref(), "update", name, diags)
        };
        Applied {
            state,
            private: resp.private,
            identity: new_identity,
        }
    }
}

/// Terraform's apply rule: every value the plan knew (null included) stays as planned; only
/// unknown ones are the apply's to decide. Checked only for a successful apply, as Terraform does.
fn check_planned_values_kept(
    planned: &Value,
    applied: &Value,
    operation: &str,
    type_name: &str,
    diags: &mut Diagnostics,
) {
    for path in changed_planned_values(planned, applied) {
        diags.attribute_error(
            path.clone(),
            "Apply changed a planned value",
            format!(
                "After {operation}, {type_name} has a different value for {path} than the plan \
                 promised. Rule: apply must not change a value the plan knew; a value decided \
                 only during apply must be planned as unknown (Terraform would reject the result \
                 as inconsistent). This is a bug in the provider; please report it."
            ),
        );
    }
}
