//! ValidateListResourceConfig and ListResource (`terraform query`), with the rules Terraform
//! applies to each streamed result checked here, once, before a result leaves: an identity
//! that is present, wholly known and of the identity schema (with every attribute an import
//! needs), an object of the resource schema only when one was asked for, nothing past `limit`,
//! and an error ends the stream (Terraform drops the whole list block on one).

use std::sync::Arc;

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::diag::Diagnostics;
use crate::list::{ListRequest, ListResource, ListResult, ListStream};
use crate::proto::tfplugin6 as pb;
use crate::schema::{IdentitySchema, ImportRole, Schema};
use crate::typed::ValueRole;
use crate::value::{Type, Value};

use super::convert::{diags_to_proto, encode_dynamic, typed_from_proto, value_error_diag};
use super::unsupported::{RpcStream, one};
use super::{FrameworkServer, plan_rules, unknown_type};

/// Events buffered between a list resource and Terraform: enough to keep both busy, small
/// enough that a slow reader holds the producer back instead of memory growing.
const EVENT_BUFFER: usize = 16;

/// A list resource type with its config schema computed once.
pub(crate) struct ListEntry {
    pub list: Arc<dyn ListResource>,
    pub config_schema: Schema,
}

/// Checks and encodes the results of one ListResource call.
pub(crate) struct ResultChecker {
    type_name: String,
    identity: IdentitySchema,
    resource: Schema,
    include_resource_object: bool,
}

impl ResultChecker {
    pub(crate) fn identity_type(&self) -> Type {
        self.identity.value_type()
    }

    pub(crate) fn resource_type(&self) -> Type {
        self.resource.value_type()
    }

    /// The event for `result`, and whether it ends the stream (it carries an error).
    pub(crate) fn check(&self, result: ListResult) -> (pb::list_resource::Event, bool) {
        let mut diags = result.diagnostics;
        if diags.has_errors() {
            return (self.diagnostics_only(&diags), true);
        }
        if result.identity.is_null() {
            if diags.is_empty() {
                diags.error(
                    "Incomplete list result",
                    format!(
                        "Listing {} produced a result without an identity. This is a bug in the \
                         provider; please report it.",
                        self.type_name
                    ),
                );
                return (self.diagnostics_only(&diags), true);
            }
            // Warnings alone: Terraform shows them and counts no result.
            return (self.diagnostics_only(&diags), false);
        }
        let Some(identity) = self.identity_data(&result.identity, &mut diags) else {
            return (self.diagnostics_only(&diags), true);
        };
        let resource_object = if self.include_resource_object {
            match self.resource_object(result.resource_object.value(), &mut diags) {
                Ok(object) => object,
                Err(()) => return (self.diagnostics_only(&diags), true),
            }
        } else {
            None
        };
        let event = pb::list_resource::Event {
            identity: Some(identity),
            display_name: result.display_name,
            resource_object,
            diagnostic: diags_to_proto(&diags),
        };
        (event, false)
    }

    pub(crate) fn diagnostics_only(&self, diags: &Diagnostics) -> pb::list_resource::Event {
        pb::list_resource::Event {
            diagnostic: diags_to_proto(diags),
            ..Default::default()
        }
    }

    fn identity_data(
        &self,
        identity: &crate::typed::TypedValue,
        diags: &mut Diagnostics,
    ) -> Option<pb::ResourceIdentityData> {
        let name = &self.type_name;
        let v = identity.value().clone().conform(&self.identity_type());
        if !v.is_fully_known() {
            diags.error(
                "Invalid list result identity",
                format!(
                    "Listing {name} produced an identity with unknown values; identities must be \
                     wholly known. This is a bug in the provider; please report it."
                ),
            );
            return None;
        }
        let missing: Vec<&str> = self
            .identity
            .attributes
            .iter()
            .filter(|a| a.import == ImportRole::Required)
            .filter(|a| v.get_attr(&a.name).is_none_or(Value::is_null))
            .map(|a| a.name.as_str())
            .collect();
        if !missing.is_empty() {
            diags.error(
                "Invalid list result identity",
                format!(
                    "Listing {name} produced an identity without {}, which an import by this \
                     identity needs. This is a bug in the provider; please report it.",
                    missing.join(", ")
                ),
            );
            return None;
        }
        match encode_dynamic(&v, &self.identity_type()) {
            Ok(dv) => Some(pb::ResourceIdentityData {
                identity_data: Some(dv),
            }),
            Err(e) => {
                diags.extend(value_error_diag(
                    &format!("Listing {name} produced an identity that does not fit its schema"),
                    &e,
                ));
                None
            }
        }
    }

    /// The object when one was asked for: of the resource schema, wholly known. A missing one
    /// is a warning (the result is still useful), a malformed one an error.
    fn resource_object(
        &self,
        object: &Value,
        diags: &mut Diagnostics,
    ) -> Result<Option<pb::DynamicValue>, ()> {
        let name = &self.type_name;
        if object.is_null() {
            diags.warning(
                "List result without its resource object",
                format!(
                    "The query asked for each {name}'s full object, but the provider sent only \
                     its identity. Import the object to see it in full."
                ),
            );
            return Ok(None);
        }
        let mut v = plan_rules::normalize(&self.resource.block, object.clone());
        plan_rules::clear_write_only(&self.resource.block, &mut v);
        if !v.is_fully_known() {
            diags.error(
                "Invalid list result object",
                format!(
                    "Listing {name} produced an object with unknown values. This is a bug in the \
                     provider; please report it."
                ),
            );
            return Err(());
        }
        match encode_dynamic(&v, &self.resource_type()) {
            Ok(dv) => Ok(Some(dv)),
            Err(e) => {
                diags.extend(value_error_diag(
                    &format!("Listing {name} produced an object that does not fit its schema"),
                    &e,
                ));
                Err(())
            }
        }
    }
}

impl FrameworkServer {
    pub(super) fn list_entry(&self, type_name: &str) -> Result<&ListEntry, Diagnostics> {
        self.list_resources
            .get(type_name)
            .ok_or_else(|| unknown_type("list resource", type_name, self.list_resources.keys()))
    }

    /// The provider-definition rule Terraform enforces when it lists: a list resource is named
    /// after a managed resource type that has an identity.
    pub(super) fn check_list_definitions(&self, diags: &mut Diagnostics) {
        for name in self.list_resources.keys() {
            let problem = match self.resources.get(name) {
                None => "there is no managed resource type of that name",
                Some(e) if e.identity.is_none() => "its managed resource type has no identity",
                Some(_) => continue,
            };
            diags.error(
                "Invalid provider definition",
                format!(
                    "list resource {name}: {problem}, and Terraform lists only resources it can \
                     import by identity. This is a bug in the provider; please report it."
                ),
            );
        }
    }

    pub(super) async fn validate_list_resource_config(
        &self,
        req: pb::validate_list_resource_config::Request,
    ) -> pb::validate_list_resource_config::Response {
        let diags = match self.list_entry(&req.type_name) {
            Err(d) => d,
            Ok(e) => {
                self.validate(
                    req.config.as_ref(),
                    ValueRole::Config,
                    &e.config_schema,
                    e.list.config_validator(),
                )
                .await
            }
        };
        pb::validate_list_resource_config::Response {
            diagnostics: diags_to_proto(&diags),
        }
    }

    pub(super) async fn list_resource(
        &self,
        req: pb::list_resource::Request,
    ) -> RpcStream<pb::list_resource::Event> {
        let mut diags = Diagnostics::new();
        match self.start_listing(req, &mut diags).await {
            Some(stream) => stream,
            None => one(pb::list_resource::Event {
                diagnostic: diags_to_proto(&diags),
                ..Default::default()
            }),
        }
    }

    async fn start_listing(
        &self,
        req: pb::list_resource::Request,
        diags: &mut Diagnostics,
    ) -> Option<RpcStream<pb::list_resource::Event>> {
        let name = req.type_name.as_str();
        let entry = diags.capture(self.list_entry(name))?;
        let (Ok(resource), Some(identity)) = (
            self.resource(name),
            self.resources.get(name).and_then(|e| e.identity.clone()),
        ) else {
            diags.error(
                "Identity schema not found",
                format!(
                    "{name} has no identity schema, so it cannot be listed. This is a bug in the \
                     provider; please report it."
                ),
            );
            return None;
        };
        let ty = entry.config_schema.value_type();
        let config = diags.capture(typed_from_proto(
            req.config.as_ref(),
            ValueRole::Config,
            &ty,
        ))?;
        if !config.is_fully_known() {
            diags.error(
                "List configuration is not known",
                format!(
                    "The config of this {name} list block depends on values known only after \
                     apply. Use values known when planning."
                ),
            );
            return None;
        }
        let ctx = self.context();
        if let Some(v) = entry.list.config_validator() {
            v.validate_config(&ctx, &config, diags).await;
            if diags.has_errors() {
                return None;
            }
        }
        // Terraform reads nothing once `limit` results arrived; with 0 it reads none at all.
        if req.limit <= 0 {
            return Some(Box::pin(futures::stream::empty()));
        }
        let checker = Arc::new(ResultChecker {
            type_name: name.to_string(),
            identity,
            resource: resource.schema.clone(),
            include_resource_object: req.include_resource_object,
        });
        let (tx, rx) = mpsc::channel(EVENT_BUFFER);
        let mut stream = ListStream {
            checker,
            events: tx,
            sent: 0,
            limit: req.limit,
            stopped: false,
        };
        let list = entry.list.clone();
        let request = ListRequest {
            config,
            include_resource_object: req.include_resource_object,
            limit: req.limit,
        };
        // Terraform cancels the call once it has enough; dropping the response stream then
        // cancels the listing's context too, so waits on the cloud end promptly.
        let on_drop = ctx.cancel.clone().drop_guard();
        tokio::spawn(async move {
            list.list(&ctx, request, &mut stream).await;
        });
        Some(Box::pin(ReceiverStream::new(rx).map(move |event| {
            let _keep_until_dropped = &on_drop;
            Ok(event)
        })))
    }
}
