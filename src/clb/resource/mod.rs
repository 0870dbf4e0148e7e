//! `tencentcloud_clb_target_group_association`: schema, state model, create/read/update/delete.
//!
//! Plan-time behaviour (validation, API checks, import) is in [`crate::clb::resource::plan`].

mod generate;
pub mod identity;
pub mod import;
pub mod moves;
pub mod plan;

#[cfg(test)]
mod tests;

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::clb::association::{self, CreateFailed, Created, ObjectMark, PendingWrite, Refreshed};
use crate::clb::binding::id::AssociationId;
use crate::clb::binding::identity::BindingIdentity;
use crate::clb::binding::timeouts::timeout_or_default;
use crate::clb::cloud::{Binding, Deadline, Weight};
use crate::clb::errors::{report, report_unconfirmed_create, report_unsettled};
use crate::clb::provider::ConfiguredProvider;
use tfplug::provider::{ConfigValidator, Configured, Context};
use tfplug::resource::*;
use tfplug::schema::{Attribute, Block, NestedBlock, Schema};
use tfplug::value::AttributePath;

/// The resource type name.
pub const TYPE_NAME: &str = "tencentcloud_clb_target_group_association";

/// How long a refresh may take before it gives up.
const READ_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Private-data key of a bind the cloud may have accepted but whose result a create did not see
/// ([`PendingWrite`]); read and delete settle it first.
const PENDING_WRITE: &str = "pending_write";
/// Private-state key of the [`ObjectMark`] a create gives the object it puts into state.
const OBJECT_MARK: &str = "object_mark";

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
            .attribute(id_attr("listener_id", "ID of the listener (`lbl-…`). A v1 (legacy) target group needs a layer-4 listener in target-group mode; a v2 one also binds to a `NODE`-mode layer-4 listener. Changing it replaces the binding."))
            .attribute(id_attr("target_group_id", "ID of the target group (`lbtg-…`), in the same VPC as the load balancer. Changing it replaces the binding."))
            .attribute(
                Attribute::string("location_id")
                    .optional()
                    .requires_replace()
                    .description("ID of the forwarding rule (`loc-…`). Required for layer-7 (HTTP/HTTPS) listeners, not allowed for layer-4 ones. Changing it replaces the binding."),
            )
            .attribute(
                Attribute::string("region")
                    .optional()
                    .computed()
                    .requires_replace()
                    .description("Region of the binding's load balancer and target group, e.g. `ap-shanghai`; the provider's region when omitted. Recorded in state: every read and write of the binding goes to this region, so changing the provider's region plans a replacement instead of losing the binding."),
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

/// The `timeouts` block, generic in how each value is held (see [`Association`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Timeouts<S> {
    /// `create`
    pub create: S,
    /// `delete`
    pub delete: S,
}

/// The resource's attributes, generic in how each one is held, so that every view of the
/// resource is this one model: the state ([`AssociationModel`], known values) and the plan-time
/// view of a configuration (`PlanningModel` in [`plan`], where any attribute may be unknown).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Association<S, W, T> {
    /// Canonical association ID.
    pub id: S,
    /// `lb-…`
    pub load_balancer_id: S,
    /// `lbl-…`
    pub listener_id: S,
    /// `loc-…`
    pub location_id: S,
    /// `lbtg-…`
    pub target_group_id: S,
    /// 0..100
    pub weight: W,
    /// Region of the binding (null in state written before regions; read fills it in).
    #[serde(default)]
    pub region: S,
    /// The `timeouts` block.
    pub timeouts: T,
}

/// The `timeouts` block as state holds it.
pub type TimeoutsModel = Timeouts<Option<String>>;

/// The resource's state: every attribute known (or null).
pub type AssociationModel = Association<Option<String>, Option<Weight>, Option<TimeoutsModel>>;

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

    /// The binding's identity, in the region the state records.
    pub fn identity(&self) -> Option<BindingIdentity> {
        Some(BindingIdentity::new(
            &self.association_id()?,
            self.region.as_deref(),
        ))
    }

    /// The model naming the binding `id`, before the cloud was read (import, move).
    pub fn named(id: &AssociationId) -> Self {
        AssociationModel {
            id: Some(id.to_string()),
            load_balancer_id: Some(id.load_balancer_id.clone()),
            listener_id: Some(id.listener_id.clone()),
            location_id: id.location_id.clone(),
            target_group_id: Some(id.target_group_id.clone()),
            weight: None,
            region: None,
            timeouts: None,
        }
    }

    /// The model naming the binding `id` in `region`, or, without one, in the provider's region
    /// once the provider is configured (else the read that follows fills it in).
    pub(crate) fn named_in(id: &AssociationId, region: Option<String>, ctx: &Context) -> Self {
        let region = region.or_else(|| match ctx.provider_data::<ConfiguredProvider>() {
            Configured::Ready(client) => Some(client.region.clone()),
            _ => None,
        });
        AssociationModel {
            region,
            ..Self::named(id)
        }
    }

    /// The same model, in `region`.
    pub fn in_region(self, region: &str) -> Self {
        AssociationModel {
            region: Some(region.to_string()),
            ..self
        }
    }

    /// The model for `id`, with the cloud's view of the binding.
    pub fn from_binding(id: &AssociationId, b: &Binding, timeouts: Option<TimeoutsModel>) -> Self {
        AssociationModel {
            weight: b.weight,
            timeouts,
            ..Self::named(id)
        }
    }
}

/// The resource. What it needs from the provider comes through the call's [`Context`]
/// ([`ConfiguredProvider`]).
pub struct AssociationResource;

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

    async fn create(&self, ctx: &Context, req: CreateRequest, resp: &mut CreateResponse) {
        let d = &mut resp.diagnostics;
        let Some(model) = d.capture(req.config.get::<AssociationModel>()) else {
            return;
        };
        let Some(id) = model.association_id() else {
            d.error(
                "Invalid configuration",
                "load_balancer_id, listener_id and target_group_id must all be set.",
            );
            return;
        };
        let timeout = match timeout_of(&model, |t| t.create.as_ref()) {
            Ok(t) => t,
            Err(e) => {
                d.attribute_error(
                    AttributePath::attr_root("timeouts").attr("create"),
                    "Invalid timeout",
                    e,
                );
                return;
            }
        };
        let Some(client) = d.capture(ctx.require_provider_data::<ConfiguredProvider>()) else {
            return;
        };
        let region = model
            .region
            .clone()
            .unwrap_or_else(|| client.region.clone());
        let created = association::create(
            &client.engine_in(Some(&region)),
            &client.run,
            &id,
            model.weight,
            &deadline(ctx, timeout),
        )
        .await;
        let binding = match created {
            Ok(Created { binding, mark }) => {
                resp.set_private(OBJECT_MARK, &mark);
                binding
            }
            Err(CreateFailed {
                error,
                pending: None,
            }) => {
                report(d, "bind the target group", &id, &error);
                return;
            }
            Err(CreateFailed {
                error,
                pending: Some(pending),
            }) => {
                // The cloud may have accepted the bind: record it (Terraform taints it), so a
                // destroy or the next apply removes it instead of leaving an orphan.
                report_unconfirmed_create(d, &id, &error, pending.task_id.as_deref());
                resp.set_private(PENDING_WRITE, &pending);
                association::unconfirmed_binding(&id, model.weight)
            }
        };
        let state = AssociationModel::from_binding(&id, &binding, model.timeouts.clone())
            .in_region(&region);
        resp.set_state(&state);
        resp.set_identity(&BindingIdentity::new(&id, Some(&region)));
    }

    async fn read(&self, ctx: &Context, req: ReadRequest, resp: &mut ReadResponse) {
        let d = &mut resp.diagnostics;
        let Some(model) = d.capture(req.state.get::<AssociationModel>()) else {
            return;
        };
        let Some(id) = model.association_id() else {
            d.error("Invalid state", "The stored state lacks load_balancer_id, listener_id or target_group_id; remove it with `terraform state rm` and import the binding again.");
            return;
        };
        // The identity follows from the state alone, so it is there even when the cloud cannot be
        // asked, and for state written before identities existed (Terraform < 1.12).
        resp.set_identity(&BindingIdentity::new(&id, model.region.as_deref()));
        let d = &mut resp.diagnostics;
        let client = match ctx.provider_data::<ConfiguredProvider>() {
            Configured::Ready(client) => client,
            // Nothing can be checked until the provider's configuration is known; keep the
            // recorded state (the response starts with it) rather than claiming it is gone.
            Configured::ConfigUnknown(_) => return,
            Configured::NotConfigured => {
                d.capture(ctx.require_provider_data::<ConfiguredProvider>());
                return;
            }
        };
        let Some(pending) = d.capture(req.private.get::<PendingWrite>(PENDING_WRITE)) else {
            return;
        };
        // The binding lives where the state says; older state names no region: the provider's.
        let region = model
            .region
            .clone()
            .unwrap_or_else(|| client.region.clone());
        // The region the binding is read in is its region from now on: in state, and in an
        // identity that had none (state before regions, an identity upgraded from version 0).
        resp.set_identity(&BindingIdentity::new(&id, Some(&region)));
        let refreshed = association::refresh(
            &client.engine_in(Some(&region)),
            &id,
            pending.as_ref(),
            &deadline(ctx, READ_TIMEOUT),
        )
        .await;
        match refreshed {
            Ok(Refreshed::Present(binding)) => {
                let state = AssociationModel::from_binding(&id, &binding, model.timeouts.clone())
                    .in_region(&region);
                resp.set_state(&state);
            }
            Ok(Refreshed::Absent) => {
                tracing::info!(id = %id, "binding no longer exists; removing it from state");
                resp.state.set_null();
            }
            Ok(Refreshed::Unconfirmed(why)) => {
                // Keep the binding and its pending write as recorded (what the response starts
                // with), so destroy still removes it.
                report_unsettled(&mut resp.diagnostics, &id, &why);
                return;
            }
            Err(err) => report(&mut resp.diagnostics, "read the binding", &id, &err),
        }
        if pending.is_some() && !resp.diagnostics.has_errors() {
            resp.private.remove(PENDING_WRITE);
        }
    }

    async fn update(&self, _ctx: &Context, _req: UpdateRequest, resp: &mut UpdateResponse) {
        // Every binding attribute forces replacement, so only `timeouts` can change in place:
        // nothing to send to the cloud, and the response starts as the plan, whose `id` and
        // `weight` the framework's plan rules (`use_state_for_unknown`, `requires_replace`)
        // already kept from the prior state.
        // The plan may carry no identity (state stored before identities existed): name the
        // binding from the planned coordinates and region, which an in-place update never
        // changes.
        if let Some(identity) = resp
            .diagnostics
            .capture(resp.state.get::<AssociationModel>())
            .and_then(|m| m.identity())
        {
            resp.set_identity(&identity);
        }
    }

    async fn delete(&self, ctx: &Context, req: DeleteRequest, resp: &mut DeleteResponse) {
        let d = &mut resp.diagnostics;
        let Some(model) = d.capture(req.prior_state.get::<AssociationModel>()) else {
            return;
        };
        let Some(id) = model.association_id() else {
            // Nothing identifiable to remove.
            return;
        };
        let timeout = timeout_of(&model, |t| t.delete.as_ref())
            .unwrap_or(crate::clb::binding::timeouts::DEFAULT_TIMEOUT);
        let Some(client) = d.capture(ctx.require_provider_data::<ConfiguredProvider>()) else {
            return;
        };
        let Some(pending) = d.capture(req.private.get::<PendingWrite>(PENDING_WRITE)) else {
            return;
        };
        let Some(mark) = d.capture(req.private.get::<ObjectMark>(OBJECT_MARK)) else {
            return;
        };
        if let Err(err) = association::delete(
            &client.engine_in(model.region.as_deref()),
            &client.run,
            &id,
            pending.as_ref(),
            mark.as_ref(),
            &deadline(ctx, timeout),
        )
        .await
        {
            report(d, "unbind the target group", &id, &err);
        }
    }

    fn importer(&self) -> Option<&dyn ResourceImport> {
        Some(self)
    }

    fn config_validator(&self) -> Option<&dyn ConfigValidator> {
        Some(self)
    }

    fn plan_modifier(&self) -> Option<&dyn ResourceModifyPlan> {
        Some(self)
    }

    fn identity(&self) -> Option<&dyn ResourceIdentity> {
        Some(self)
    }

    fn mover(&self) -> Option<&dyn ResourceMoveState> {
        Some(self)
    }

    fn config_generator(&self) -> Option<&dyn ResourceGenerateConfig> {
        Some(self)
    }
}
