//! `tencentcloud_clb_target_group_association`: schema, state model, create/read/update/delete.
//!
//! Plan-time behaviour (validation, API checks, import) is in [`crate::clb::resource_plan`].

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::clb::api::{Binding, Deadline, Weight};
use crate::clb::association::{self, CreateFailed, PendingWrite, Refreshed};
use crate::clb::engine::Engine;
use crate::clb::errors::{report, report_unconfirmed_create, report_unsettled};
use crate::clb::id::AssociationId;
use crate::clb::provider::{ApiState, Shared};
use crate::clb::timeouts::timeout_or_default;
use crate::tfplug::diag::Diagnostics;
use crate::tfplug::provider::Context;
use crate::tfplug::resource::*;
use crate::tfplug::schema::{Attribute, Block, NestedBlock, Schema};
use crate::tfplug::value::{AttributePath, Value, from_value, to_value};

/// The resource type name.
pub const TYPE_NAME: &str = "tencentcloud_clb_target_group_association";

/// How long a refresh may take before it gives up.
const READ_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The resource's schema.
pub fn schema() -> Schema {
    let id_attr = |name: &str, desc: &str| {
        Attribute::string(name)
            .required()
            .requires_replace()
            .description(desc)
    };
    Schema::new(
        0,
        Block::new()
            .description(
                "Binds a CLB target group to a layer-4 listener or to a layer-7 forwarding rule. \
                 One resource is one binding.",
            )
            .attribute(
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .description("Association ID: `lb-…#lbl-…#lbtg-…` (layer 4) or `lb-…#lbl-…#loc-…#lbtg-…` (layer 7). Also the import ID."),
            )
            .attribute(id_attr("load_balancer_id", "ID of the load balancer (`lb-…`). Changing it replaces the binding."))
            .attribute(id_attr("listener_id", "ID of the listener (`lbl-…`). A layer-4 listener must be in target-group mode. Changing it replaces the binding."))
            .attribute(id_attr("target_group_id", "ID of the target group (`lbtg-…`), in the same VPC as the load balancer. Changing it replaces the binding."))
            .attribute(
                Attribute::string("location_id")
                    .optional()
                    .requires_replace()
                    .description("ID of the forwarding rule (`loc-…`). Required for layer-7 (HTTP/HTTPS) listeners, not allowed for layer-4 ones. Changing it replaces the binding."),
            )
            .attribute(
                Attribute::number("weight")
                    .optional()
                    .computed()
                    .requires_replace()
                    .description("Weight of the binding, 0 to 100, for v2 target groups only; the cloud's default (10) when omitted. The API has no in-place weight update, so changing it unbinds and re-binds the target group."),
            )
            .block(NestedBlock::single(
                "timeouts",
                Block::new()
                    .description("How long operations may take, e.g. \"10m\", \"90s\", \"1h30m\".")
                    .attribute(Attribute::string("create").optional().description("Time for waiting on other operations of the same load balancer, binding and its task. Default 10m."))
                    .attribute(Attribute::string("delete").optional().description("Time for waiting on other operations of the same load balancer, unbinding and its task. Default 10m.")),
            )),
    )
}

/// The `timeouts` block.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct TimeoutsModel {
    /// `create`
    pub create: Option<String>,
    /// `delete`
    pub delete: Option<String>,
}

/// The resource's state as a plain struct.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct AssociationModel {
    /// Canonical association ID.
    pub id: Option<String>,
    /// `lb-…`
    pub load_balancer_id: Option<String>,
    /// `lbl-…`
    pub listener_id: Option<String>,
    /// `loc-…`
    pub location_id: Option<String>,
    /// `lbtg-…`
    pub target_group_id: Option<String>,
    /// 0..100
    pub weight: Option<Weight>,
    /// The `timeouts` block.
    pub timeouts: Option<TimeoutsModel>,
}

impl AssociationModel {
    /// The binding's coordinates; `None` when an ID attribute is missing.
    pub fn association_id(&self) -> Option<AssociationId> {
        Some(AssociationId {
            load_balancer_id: self.load_balancer_id.clone()?,
            listener_id: self.listener_id.clone()?,
            location_id: self.location_id.clone().filter(|s| !s.is_empty()),
            target_group_id: self.target_group_id.clone()?,
        })
    }

    /// The model for `id`, with the cloud's view of the binding.
    pub fn from_binding(id: &AssociationId, b: &Binding, timeouts: Option<TimeoutsModel>) -> Self {
        AssociationModel {
            id: Some(id.to_string()),
            load_balancer_id: Some(id.load_balancer_id.clone()),
            listener_id: Some(id.listener_id.clone()),
            location_id: id.location_id.clone(),
            target_group_id: Some(id.target_group_id.clone()),
            weight: b.weight,
            timeouts,
        }
    }
}

/// Converts a model to a state value of the schema's type.
pub fn model_to_value(m: &AssociationModel) -> Result<Value, String> {
    to_value(m, &schema().value_type()).map_err(|e| e.to_string())
}

/// Reads the known parts of a configuration or state value into a model; unknown attributes
/// become `None` (so a plan's unknown weight does not stop create).
pub fn value_to_model(v: &Value) -> Result<AssociationModel, String> {
    let known = strip_unknown(v);
    from_value(&known).map_err(|e| e.to_string())
}

fn strip_unknown(v: &Value) -> Value {
    match v {
        Value::Unknown => Value::Null,
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), strip_unknown(x)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The resource; holds the provider's shared state.
pub struct AssociationResource {
    pub(crate) shared: Arc<Shared>,
}

impl AssociationResource {
    /// The resource backed by `shared`.
    pub fn new(shared: Arc<Shared>) -> Self {
        AssociationResource { shared }
    }

    /// The engine, or an error diagnostic saying why the API cannot be called.
    pub(crate) fn ready_api(&self, diags: &mut Diagnostics) -> Option<Arc<Engine>> {
        match self.shared.api() {
            ApiState::Ready(api) => Some(api),
            ApiState::Unknown(attrs) => {
                diags.error(
                    "Provider configuration is not known yet",
                    format!(
                        "The provider block's {} depend on values known only after apply, so the CLB API cannot be called now. Run apply again once they are known, or set them to known values.",
                        attrs.join(", ")
                    ),
                );
                None
            }
            ApiState::NotConfigured => {
                diags.error(
                    "Provider not configured",
                    "The tencentcloud provider was not configured before this operation; this is a bug, please report it.",
                );
                None
            }
        }
    }
}

fn deadline(ctx: &Context, timeout: Duration) -> Deadline {
    Deadline::after(timeout, ctx.cancel.clone())
}

fn timeout_of(
    m: &AssociationModel,
    pick: fn(&TimeoutsModel) -> Option<&String>,
) -> Result<Duration, String> {
    timeout_or_default(m.timeouts.as_ref().and_then(pick).map(String::as_str))
}

#[async_trait]
impl Resource for AssociationResource {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn create(&self, ctx: &Context, req: CreateRequest) -> CreateResponse {
        let mut resp = CreateResponse::default();
        let model = match value_to_model(&req.config) {
            Ok(m) => m,
            Err(e) => {
                resp.diagnostics.error("Invalid configuration", e);
                return resp;
            }
        };
        let Some(id) = model.association_id() else {
            resp.diagnostics.error(
                "Invalid configuration",
                "load_balancer_id, listener_id and target_group_id must all be set.",
            );
            return resp;
        };
        let timeout = match timeout_of(&model, |t| t.create.as_ref()) {
            Ok(t) => t,
            Err(e) => {
                resp.diagnostics.attribute_error(
                    AttributePath::attr_root("timeouts").attr("create"),
                    "Invalid timeout",
                    e,
                );
                return resp;
            }
        };
        let Some(api) = self.ready_api(&mut resp.diagnostics) else {
            return resp;
        };
        let created = association::create(
            &api,
            &self.shared.run,
            &id,
            model.weight,
            &deadline(ctx, timeout),
        )
        .await;
        let binding = match created {
            Ok(binding) => binding,
            Err(CreateFailed {
                error,
                pending: None,
            }) => {
                report(&mut resp.diagnostics, "bind the target group", &id, &error);
                return resp;
            }
            Err(CreateFailed {
                error,
                pending: Some(pending),
            }) => {
                // The cloud may have accepted the bind: record it (Terraform taints it), so a
                // destroy or the next apply removes it instead of leaving an orphan.
                report_unconfirmed_create(&mut resp.diagnostics, &id, &error);
                resp.private = pending.to_private();
                association::unconfirmed_binding(&id, model.weight)
            }
        };
        let state = AssociationModel::from_binding(&id, &binding, model.timeouts.clone());
        match model_to_value(&state) {
            Ok(v) => resp.new_state = Some(v),
            Err(e) => resp.diagnostics.error("Internal error encoding state", e),
        }
        resp
    }

    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResponse {
        let mut resp = ReadResponse {
            private: req.private.clone(),
            ..Default::default()
        };
        let model = match value_to_model(&req.current_state) {
            Ok(m) => m,
            Err(e) => {
                resp.diagnostics.error("Invalid state", e);
                return resp;
            }
        };
        let Some(id) = model.association_id() else {
            resp.diagnostics.error("Invalid state", "The stored state lacks load_balancer_id, listener_id or target_group_id; remove it with `terraform state rm` and import the binding again.");
            return resp;
        };
        let api = match self.shared.api() {
            ApiState::Ready(api) => api,
            ApiState::Unknown(_) => {
                // Nothing can be checked until the provider's configuration is known; keep the
                // recorded state rather than claiming the binding is gone.
                resp.new_state = Some(req.current_state);
                return resp;
            }
            ApiState::NotConfigured => {
                self.ready_api(&mut resp.diagnostics);
                return resp;
            }
        };
        let pending = PendingWrite::from_private(&req.private);
        let refreshed =
            association::refresh(&api, &id, pending.as_ref(), &deadline(ctx, READ_TIMEOUT)).await;
        match refreshed {
            Ok(Refreshed::Present(binding)) => {
                let state = AssociationModel::from_binding(&id, &binding, model.timeouts.clone());
                match model_to_value(&state) {
                    Ok(v) => resp.new_state = Some(v),
                    Err(e) => resp.diagnostics.error("Internal error encoding state", e),
                }
            }
            Ok(Refreshed::Absent) => {
                tracing::info!(id = %id, "binding no longer exists; removing it from state");
                resp.new_state = None;
            }
            Ok(Refreshed::Unconfirmed(why)) => {
                // Keep the binding and its pending write as recorded, so destroy still removes it.
                report_unsettled(&mut resp.diagnostics, &id, &why);
                resp.new_state = Some(req.current_state);
                return resp;
            }
            Err(err) => report(&mut resp.diagnostics, "read the binding", &id, &err),
        }
        if pending.is_some() && !resp.diagnostics.has_errors() {
            resp.private = PendingWrite::settled_private();
        }
        resp
    }

    async fn update(&self, _ctx: &Context, req: UpdateRequest) -> UpdateResponse {
        // Every binding attribute forces replacement, so only `timeouts` can change in place:
        // nothing to send to the cloud.
        let mut resp = UpdateResponse::default();
        let mut state = req.planned_state.clone();
        if state.get_attr("id").is_some_and(Value::is_unknown)
            && let Some(prior_id) = req.prior_state.get_attr("id")
        {
            state.set_attr("id", prior_id.clone());
        }
        if state.get_attr("weight").is_some_and(Value::is_unknown) {
            let prior = req
                .prior_state
                .get_attr("weight")
                .cloned()
                .unwrap_or_default();
            state.set_attr("weight", prior);
        }
        resp.new_state = Some(state);
        resp
    }

    async fn delete(&self, ctx: &Context, req: DeleteRequest) -> DeleteResponse {
        let mut resp = DeleteResponse::default();
        let model = match value_to_model(&req.prior_state) {
            Ok(m) => m,
            Err(e) => {
                resp.diagnostics.error("Invalid state", e);
                return resp;
            }
        };
        let Some(id) = model.association_id() else {
            // Nothing identifiable to remove.
            return resp;
        };
        let timeout = timeout_of(&model, |t| t.delete.as_ref())
            .unwrap_or(crate::clb::timeouts::DEFAULT_TIMEOUT);
        let Some(api) = self.ready_api(&mut resp.diagnostics) else {
            return resp;
        };
        let pending = PendingWrite::from_private(&req.private);
        if let Err(err) = association::delete(
            &api,
            &self.shared.run,
            &id,
            pending.as_ref(),
            &deadline(ctx, timeout),
        )
        .await
        {
            report(&mut resp.diagnostics, "unbind the target group", &id, &err);
        }
        resp
    }

    fn importer(&self) -> Option<&dyn ResourceImport> {
        Some(self)
    }

    fn config_validator(&self) -> Option<&dyn ResourceValidateConfig> {
        Some(self)
    }

    fn plan_modifier(&self) -> Option<&dyn ResourceModifyPlan> {
        Some(self)
    }
}
