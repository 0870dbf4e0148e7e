//! The list resource `tencentcloud_clb_target_group_association` (`terraform query`, Terraform
//! 1.14+): finds the bindings of a target group or on a load balancer (optionally one listener)
//! with the data source's lookup, and streams each with its identity, a display name and, when
//! asked, the state an import of it would produce. The framework checks each result and stops
//! the stream at the query's `limit`.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;

use crate::clb::binding::id::AssociationId;
use crate::clb::binding::identity::BindingIdentity;
use crate::clb::cloud::{BindingDetail, Deadline};
use crate::clb::data_source::lookup::{BindingQuery, find_bindings, missing_query, validate_query};
use crate::clb::errors::report_api;
use crate::clb::provider::ConfiguredProvider;
use crate::clb::resource::{AssociationModel, TYPE_NAME};
use tfplug::diag::Diagnostics;
use tfplug::list::{ListRequest, ListResource, ListStream};
use tfplug::provider::{ConfigValidator, Context};
use tfplug::schema::{Attribute, Block, Schema};
use tfplug::typed::TypedValue;
use tfplug::value::Unknowable;

/// How long one listing may take, retries included.
const LIST_TIMEOUT: Duration = Duration::from_secs(2 * 60);

/// What goes inside the list block's `config { }`.
pub(crate) fn config_schema() -> Schema {
    Schema::new(
        0,
        Block::new()
            .description(
                "Finds the target group bindings of a target group, or on a load balancer \
                 (optionally one listener), so `terraform query` can list them and generate \
                 `import` blocks. At least one of `target_group_id` and `load_balancer_id` is \
                 required.",
            )
            .attribute(Attribute::string("target_group_id").optional().description(
                "List the bindings of this target group (`lbtg-…`), on any load balancer.",
            ))
            .attribute(Attribute::string("load_balancer_id").optional().description(
                "List the bindings on this load balancer (`lb-…`); with `target_group_id`, only that target group's.",
            ))
            .attribute(
                Attribute::string("listener_id")
                    .optional()
                    .description("Only bindings on this listener (`lbl-…`)."),
            ),
    )
}

/// The config as validation sees it (values may be unknown then).
#[derive(Debug, Deserialize)]
struct QueryConfig {
    target_group_id: Unknowable<Option<String>>,
    load_balancer_id: Unknowable<Option<String>>,
    listener_id: Unknowable<Option<String>>,
}

/// The config as a listing reads it (wholly known).
#[derive(Debug, Deserialize)]
struct ListConfig {
    target_group_id: Option<String>,
    load_balancer_id: Option<String>,
    listener_id: Option<String>,
}

impl ListConfig {
    fn query(&self) -> BindingQuery {
        let set = |v: &Option<String>| v.as_deref().map(str::trim).map(str::to_string);
        BindingQuery {
            target_group_id: set(&self.target_group_id),
            load_balancer_id: set(&self.load_balancer_id),
            listener_id: set(&self.listener_id),
        }
    }
}

/// What a person reads in `terraform query`: the target group, where it is bound (load
/// balancer, listener with protocol and port, rule with domain and URL) and the weight.
pub fn display_name(d: &BindingDetail) -> String {
    let b = &d.binding;
    let mut listener = format!("{} {}", b.listener_id, d.protocol);
    if let Some(port) = d.port {
        listener.push_str(&format!(":{port}"));
    }
    let mut name = format!(
        "{} → {} / {listener}",
        d.target_group_id, b.load_balancer_id
    );
    if let Some(loc) = &b.location_id {
        name.push_str(&format!(" / {loc}"));
        let rule = format!(
            "{}{}",
            d.domain.as_deref().unwrap_or(""),
            d.url.as_deref().unwrap_or("")
        );
        if !rule.is_empty() {
            name.push_str(&format!(" {rule}"));
        }
    }
    match b.weight {
        Some(w) => name.push_str(&format!(" (weight {w})")),
        None => name.push_str(" (v1, no weight)"),
    }
    name
}

/// The list resource.
pub(crate) struct AssociationList;

#[async_trait]
impl ConfigValidator for AssociationList {
    async fn validate_config(&self, _ctx: &Context, config: &TypedValue, diags: &mut Diagnostics) {
        let Some(q) = diags.capture(config.get::<QueryConfig>()) else {
            return;
        };
        let missing = missing_query();
        for mut d in validate_query(&q.target_group_id, &q.load_balancer_id, &q.listener_id) {
            if d == missing {
                // A rule about the config block as a whole, not about one of its attributes.
                d.attribute = None;
            }
            diags.add(d);
        }
    }
}

#[async_trait]
impl ListResource for AssociationList {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn config_schema(&self) -> Schema {
        config_schema()
    }

    fn config_validator(&self) -> Option<&dyn ConfigValidator> {
        Some(self)
    }

    async fn list(&self, ctx: &Context, req: ListRequest, stream: &mut ListStream) {
        let mut d = Diagnostics::new();
        let (Some(config), Some(client)) = (
            d.capture(req.config.get::<ListConfig>()),
            d.capture(ctx.require_provider_data::<ConfiguredProvider>()),
        ) else {
            stream.diagnostics(d).await;
            return;
        };
        let deadline = Deadline::after(LIST_TIMEOUT, ctx.cancel.clone());
        let found = match find_bindings(&client.engine, &config.query(), &deadline).await {
            Ok(Ok(found)) => found,
            Ok(Err(problem)) => {
                d.add(problem);
                stream.diagnostics(d).await;
                return;
            }
            Err(e) => {
                report_api(&mut d, "list the target group bindings", &e);
                stream.diagnostics(d).await;
                return;
            }
        };
        for detail in found {
            let id = AssociationId {
                load_balancer_id: detail.binding.load_balancer_id.clone(),
                listener_id: detail.binding.listener_id.clone(),
                location_id: detail.binding.location_id.clone(),
                target_group_id: detail.target_group_id.clone(),
            };
            let mut result = stream.new_result();
            result.display_name = display_name(&detail);
            if let Err(e) = result
                .identity
                .set(&BindingIdentity::new(&id, Some(&client.region)))
            {
                result.diagnostics.extend(e);
            }
            if req.include_resource_object {
                // What `terraform import` followed by a refresh stores for this binding.
                let state = AssociationModel::from_binding(&id, &detail.binding, None)
                    .in_region(&client.region);
                if let Err(e) = result.resource_object.set(&state) {
                    result.diagnostics.extend(e);
                }
            }
            if !stream.send(result).await {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clb::cloud::Binding;

    fn detail(loc: Option<&str>, weight: Option<i64>) -> BindingDetail {
        BindingDetail {
            target_group_id: "lbtg-web".into(),
            binding: Binding {
                load_balancer_id: "lb-a".into(),
                listener_id: "lbl-http".into(),
                location_id: loc.map(str::to_string),
                weight,
            },
            protocol: "HTTP".into(),
            port: Some(80),
            domain: loc.map(|_| "www.example.com".to_string()),
            url: loc.map(|_| "/api".to_string()),
        }
    }

    #[test]
    fn display_names_say_where_and_how_heavy() {
        assert_eq!(
            display_name(&detail(Some("loc-r1"), Some(30))),
            "lbtg-web → lb-a / lbl-http HTTP:80 / loc-r1 www.example.com/api (weight 30)"
        );
        assert_eq!(
            display_name(&detail(None, None)),
            "lbtg-web → lb-a / lbl-http HTTP:80 (v1, no weight)"
        );
    }
}
