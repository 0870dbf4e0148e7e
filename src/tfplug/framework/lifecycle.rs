//! The managed-resource RPCs: upgrade, read, plan, apply, import.

use crate::tfplug::diag::Diagnostics;
use crate::tfplug::proto::tfplugin6 as pb;
use crate::tfplug::resource::{
    CreateRequest, DeleteRequest, ModifyPlanRequest, ReadRequest, UpdateRequest,
    UpgradeStateRequest,
};
use crate::tfplug::schema::Schema;
use crate::tfplug::value::{Type, Value, from_json};

use super::convert::{decode_dynamic, diags_to_proto, encode_dynamic};
use super::plan::{clear_write_only, normalize, plan_change, replace_paths};
use super::{FrameworkServer, value_error_diag};

/// Result of encoding a value for the wire, with problems as diagnostics.
fn encode(v: &Value, ty: &Type, diags: &mut Diagnostics) -> Option<pb::DynamicValue> {
    match encode_dynamic(v, ty) {
        Ok(dv) => Some(dv),
        Err(e) => {
            diags.extend(value_error_diag("Could not encode the resource state", &e));
            None
        }
    }
}

/// Decodes or records a diagnostic.
fn decode(
    dv: Option<&pb::DynamicValue>,
    ty: &Type,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<Value> {
    match decode_dynamic(dv, ty) {
        Ok(v) => Some(v),
        Err(e) => {
            diags.extend(value_error_diag(
                &format!("Could not decode the {what}"),
                &e,
            ));
            None
        }
    }
}

/// Shapes a state a resource returned and checks it is wholly known.
fn finish_state(
    schema: &Schema,
    v: Value,
    when: &str,
    type_name: &str,
    diags: &mut Diagnostics,
) -> Value {
    let mut v = normalize(&schema.block, v);
    clear_write_only(&schema.block, &mut v);
    if !v.is_fully_known() {
        diags.error(
            "Provider returned unknown values",
            format!(
                "After {when}, {type_name} still has values that are not known. This is a bug in the \
                 provider: every attribute must be set to a concrete value (or null)."
            ),
        );
    }
    v
}

impl FrameworkServer {
    pub(super) async fn upgrade(
        &self,
        req: pb::upgrade_resource_state::Request,
    ) -> pb::upgrade_resource_state::Response {
        let mut diags = Diagnostics::new();
        let upgraded = self.upgrade_inner(req, &mut diags).await;
        pb::upgrade_resource_state::Response {
            upgraded_state: upgraded,
            diagnostics: diags_to_proto(&diags),
        }
    }

    async fn upgrade_inner(
        &self,
        req: pb::upgrade_resource_state::Request,
        diags: &mut Diagnostics,
    ) -> Option<pb::DynamicValue> {
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                diags.extend(d);
                return None;
            }
        };
        let ty = entry.schema.value_type();
        let raw = req.raw_state.unwrap_or_default();
        if raw.json.is_empty() {
            if !raw.flatmap.is_empty() {
                diags.error(
                    "Unsupported legacy state format",
                    format!(
                        "The stored state of this {} uses the pre-0.12 flatmap format, which this \
                         provider cannot read. Remove it with `terraform state rm` and import it again.",
                        req.type_name
                    ),
                );
            }
            return encode(&Value::Null, &ty, diags);
        }
        let json: serde_json::Value = match serde_json::from_slice(&raw.json) {
            Ok(j) => j,
            Err(e) => {
                diags.error(
                    "Stored state is not valid JSON",
                    format!("The state of this {} could not be parsed ({e}). Restore the state from a backup.", req.type_name),
                );
                return None;
            }
        };
        let current = entry.schema.version;
        let value = if req.version > current {
            diags.error(
                "State written by a newer provider",
                format!(
                    "This {} was stored with schema version {}, but this provider only knows up to \
                     version {current}. Upgrade the provider to the version that wrote the state.",
                    req.type_name, req.version
                ),
            );
            return None;
        } else if req.version < current && entry.resource.state_upgrader().is_some() {
            let upgrader = entry.resource.state_upgrader()?;
            let resp = upgrader
                .upgrade_state(
                    &self.context(),
                    UpgradeStateRequest {
                        version: req.version,
                        raw_state: json,
                    },
                )
                .await;
            diags.extend(resp.diagnostics);
            match resp.state {
                Some(v) => v,
                None => {
                    if !diags.has_errors() {
                        diags.error(
                            "State upgrade produced no state",
                            format!("Upgrading {} from version {} returned nothing; this is a provider bug.", req.type_name, req.version),
                        );
                    }
                    return None;
                }
            }
        } else {
            // Same version (or no upgrader): re-read with the current schema, which drops
            // attributes that no longer exist and fills new ones with null.
            match from_json(&json, &ty) {
                Ok(v) => v,
                Err(e) => {
                    diags.extend(value_error_diag("Could not read the stored state", &e));
                    return None;
                }
            }
        };
        let mut v = normalize(&entry.schema.block, value);
        clear_write_only(&entry.schema.block, &mut v);
        encode(&v, &ty, diags)
    }

    pub(super) async fn read(
        &self,
        req: pb::read_resource::Request,
    ) -> pb::read_resource::Response {
        let mut diags = Diagnostics::new();
        let mut resp = pb::read_resource::Response::default();
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                resp.diagnostics = diags_to_proto(&d);
                resp.new_state = req.current_state;
                return resp;
            }
        };
        let ty = entry.schema.value_type();
        let Some(current) = decode(req.current_state.as_ref(), &ty, "current state", &mut diags)
        else {
            resp.diagnostics = diags_to_proto(&diags);
            resp.new_state = req.current_state;
            return resp;
        };
        if current.is_null() {
            resp.new_state = encode(&Value::Null, &ty, &mut diags);
            resp.diagnostics = diags_to_proto(&diags);
            return resp;
        }
        let out = entry
            .resource
            .read(
                &self.context(),
                ReadRequest {
                    current_state: current.clone(),
                    private: req.private.clone(),
                },
            )
            .await;
        diags.extend(out.diagnostics);
        let new_state = match out.new_state {
            Some(v) => finish_state(&entry.schema, v, "refresh", &req.type_name, &mut diags),
            // On an error without a state, keep what Terraform had rather than "gone".
            None if diags.has_errors() => current,
            None => Value::Null,
        };
        resp.new_state = encode(&new_state, &ty, &mut diags);
        // An empty private in the response means "unchanged", so resources need not echo it.
        resp.private = if out.private.is_empty() {
            req.private
        } else {
            out.private
        };
        resp.diagnostics = diags_to_proto(&diags);
        resp
    }

    pub(super) async fn plan(
        &self,
        req: pb::plan_resource_change::Request,
    ) -> pb::plan_resource_change::Response {
        let mut diags = Diagnostics::new();
        let mut resp = pb::plan_resource_change::Response {
            planned_private: req.prior_private.clone(),
            ..Default::default()
        };
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                resp.diagnostics = diags_to_proto(&d);
                return resp;
            }
        };
        let ty = entry.schema.value_type();
        let block = &entry.schema.block;
        let (Some(prior), Some(proposed), Some(config)) = (
            decode(req.prior_state.as_ref(), &ty, "prior state", &mut diags),
            decode(
                req.proposed_new_state.as_ref(),
                &ty,
                "proposed new state",
                &mut diags,
            ),
            decode(req.config.as_ref(), &ty, "configuration", &mut diags),
        ) else {
            resp.diagnostics = diags_to_proto(&diags);
            return resp;
        };
        let plan = plan_change(block, &prior, &proposed, &config);
        let mut planned = plan.planned;
        let mut replace = plan.requires_replace;
        if !planned.is_null()
            && let Some(modifier) = entry.resource.plan_modifier()
        {
            let out = modifier
                .modify_plan(
                    &self.context(),
                    ModifyPlanRequest {
                        config: config.clone(),
                        prior_state: prior.clone(),
                        planned_state: planned.clone(),
                        prior_private: req.prior_private.clone(),
                    },
                )
                .await;
            diags.extend(out.diagnostics);
            // A modifier that returns a default (null) plan did not mean "destroy": destroys never
            // reach it. Keep the framework's plan in that case.
            if !out.planned_state.is_null() {
                planned = normalize(block, out.planned_state);
                clear_write_only(block, &mut planned);
            }
            if !prior.is_null() {
                replace = replace_paths(block, &prior, &planned, &Default::default());
            }
            replace.extend(out.requires_replace);
            replace.sort();
            replace.dedup();
        }
        resp.planned_state = encode(&planned, &ty, &mut diags);
        resp.requires_replace = replace.iter().map(super::convert::path_to_proto).collect();
        resp.diagnostics = diags_to_proto(&diags);
        resp
    }

    pub(super) async fn apply(
        &self,
        req: pb::apply_resource_change::Request,
    ) -> pb::apply_resource_change::Response {
        let mut diags = Diagnostics::new();
        let mut resp = pb::apply_resource_change::Response::default();
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                resp.diagnostics = diags_to_proto(&d);
                resp.new_state = req.prior_state;
                return resp;
            }
        };
        let ty = entry.schema.value_type();
        let (Some(prior), Some(planned), Some(config)) = (
            decode(req.prior_state.as_ref(), &ty, "prior state", &mut diags),
            decode(req.planned_state.as_ref(), &ty, "planned state", &mut diags),
            decode(req.config.as_ref(), &ty, "configuration", &mut diags),
        ) else {
            resp.diagnostics = diags_to_proto(&diags);
            resp.new_state = req.prior_state;
            return resp;
        };
        let ctx = self.context();
        let name = &req.type_name;
        let new_state = if planned.is_null() {
            let out = entry
                .resource
                .delete(
                    &ctx,
                    DeleteRequest {
                        prior_state: prior.clone(),
                        private: req.planned_private.clone(),
                    },
                )
                .await;
            diags.extend(out.diagnostics);
            if diags.has_errors() {
                prior
            } else {
                Value::Null
            }
        } else if prior.is_null() {
            let out = entry
                .resource
                .create(
                    &ctx,
                    CreateRequest {
                        config,
                        planned_state: planned,
                        planned_private: req.planned_private.clone(),
                    },
                )
                .await;
            diags.extend(out.diagnostics);
            resp.private = out.private;
            match out.new_state {
                Some(v) => finish_state(&entry.schema, v, "create", name, &mut diags),
                None => {
                    if !diags.has_errors() {
                        diags.error("Create returned no state", format!("Creating {name} returned neither a state nor an error; this is a provider bug."));
                    }
                    Value::Null
                }
            }
        } else {
            let out = entry
                .resource
                .update(
                    &ctx,
                    UpdateRequest {
                        config,
                        prior_state: prior.clone(),
                        planned_state: planned.clone(),
                        planned_private: req.planned_private.clone(),
                    },
                )
                .await;
            diags.extend(out.diagnostics);
            resp.private = if out.private.is_empty() {
                req.planned_private.clone()
            } else {
                out.private
            };
            match out.new_state {
                Some(v) => finish_state(&entry.schema, v, "update", name, &mut diags),
                None if diags.has_errors() => {
                    resp.private = req.planned_private.clone();
                    prior
                }
                None if planned.is_fully_known() => planned,
                None => {
                    diags.error("Update returned no state", format!("Updating {name} returned no state although some values were unknown; this is a provider bug."));
                    prior
                }
            }
        };
        resp.new_state = encode(&new_state, &ty, &mut diags);
        resp.diagnostics = diags_to_proto(&diags);
        resp
    }

    pub(super) async fn import(
        &self,
        req: pb::import_resource_state::Request,
    ) -> pb::import_resource_state::Response {
        let mut diags = Diagnostics::new();
        let mut resp = pb::import_resource_state::Response::default();
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                resp.diagnostics = diags_to_proto(&d);
                return resp;
            }
        };
        let Some(importer) = entry.resource.importer() else {
            diags.error(
                "Import not supported",
                format!(
                    "{} cannot be imported. Create it with Terraform instead.",
                    req.type_name
                ),
            );
            resp.diagnostics = diags_to_proto(&diags);
            return resp;
        };
        let out = importer.import_state(&self.context(), &req.id).await;
        diags.extend(out.diagnostics);
        let ty = entry.schema.value_type();
        match out.state {
            Some(v) if !diags.has_errors() => {
                let mut v = normalize(&entry.schema.block, v.conform(&ty));
                clear_write_only(&entry.schema.block, &mut v);
                if let Some(state) = encode(&v, &ty, &mut diags) {
                    resp.imported_resources
                        .push(pb::import_resource_state::ImportedResource {
                            type_name: req.type_name.clone(),
                            state: Some(state),
                            private: out.private,
                            identity: None,
                        });
                }
            }
            Some(_) => {}
            None => {
                if !diags.has_errors() {
                    diags.error(
                        "Cannot import",
                        format!(
                            "Import of {} with ID {:?} produced no object; this is a provider bug.",
                            req.type_name, req.id
                        ),
                    );
                }
            }
        }
        resp.diagnostics = diags_to_proto(&diags);
        resp
    }
}
