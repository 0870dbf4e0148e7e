//! ApplyResourceChange: create, update or delete, as the plan says.

use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;
use crate::resource::{
    CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, UpdateRequest, UpdateResponse,
};
use crate::typed::{Private, TypedValue, ValueRole};
use crate::value::Value;

use super::convert::{diags_to_proto, private_to_proto};
use super::identity::{finish_identity, null_identity, require_unchanged};
use super::plan_rules::changed_planned_values;
use super::{
    ChangeValues, FrameworkServer, ResourceEntry, decode_change, encode_state, finish_state,
    left_nothing,
};

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
        let Some(mut change) = decode_change(
            entry,
            [
                req.prior_state.as_ref(),
                req.planned_state.as_ref(),
                req.config.as_ref(),
            ],
            &req.planned_private,
            req.planned_identity.as_ref(),
            &mut diags,
        ) else {
            return echo(&diags, req);
        };
        change.identity = change.identity.or_else(|| null_identity(entry));
        let name = req.type_name.clone();
        let applied = if change.next.is_null() {
            self.delete(entry, change, &mut diags).await
        } else if change.prior.is_null() {
            self.create(entry, change, &name, &mut diags).await
        } else {
            self.update(entry, change, &name, &mut diags).await
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
        change: ChangeValues,
        diags: &mut Diagnostics,
    ) -> Applied {
        let ChangeValues {
            prior,
            private,
            identity,
            ..
        } = change;
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

    async fn create(
        &self,
        entry: &ResourceEntry,
        change: ChangeValues,
        name: &str,
        diags: &mut Diagnostics,
    ) -> Applied {
        let ChangeValues {
            next: plan,
            config,
            private,
            identity,
            ..
        } = change;
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
        if left_nothing(
            &resp.state,
            "Create returned no state",
            &format!("Creating {name}"),
            "a state",
            diags,
        ) {
            return Applied {
                state: Value::Null,
                private: Private::new(),
                identity: None,
            };
        }
        let left = Left {
            state: &resp.state,
            identity: resp.identity.as_ref(),
        };
        let (state, identity) = left.finish(entry, &planned, "create", name, diags);
        Applied {
            state,
            private: resp.private,
            identity,
        }
    }

    async fn update(
        &self,
        entry: &ResourceEntry,
        change: ChangeValues,
        name: &str,
        diags: &mut Diagnostics,
    ) -> Applied {
        let ChangeValues {
            prior,
            next: plan,
            config,
            private,
            identity,
        } = change;
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
        if !diags.has_errors() {
            require_unchanged(
                identity.as_ref(),
                resp.identity.as_ref(),
                "update",
                name,
                diags,
            );
        }
        let left = Left {
            state: &resp.state,
            identity: resp.identity.as_ref(),
        };
        let (state, new_identity) = left.finish(entry, &planned, "update", name, diags);
        Applied {
            state,
            private: resp.private,
            identity: new_identity,
        }
    }
}

/// What a create or an update left in its response.
struct Left<'a> {
    state: &'a TypedValue,
    identity: Option<&'a TypedValue>,
}

impl Left<'_> {
    /// The state shaped for Terraform and, unless the call failed, checked against the plan,
    /// with the identity it leaves (none after a failure).
    fn finish(
        self,
        entry: &ResourceEntry,
        planned: &Value,
        operation: &str,
        name: &str,
        diags: &mut Diagnostics,
    ) -> (Value, Option<pb::ResourceIdentityData>) {
        let failed = diags.has_errors();
        let state = finish_state(&entry.schema, self.state, operation, name, diags);
        if failed {
            return (state, None);
        }
        check_planned_values_kept(planned, &state, operation, name, diags);
        let identity = finish_identity(entry, self.identity, operation, name, diags);
        (state, identity)
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
