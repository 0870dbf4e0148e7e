//! The data source `tencentcloud_clb_target_group_associations`: schema, models, validation and
//! read (deferred, where Terraform allows it, while the provider block is not known). The lookup
//! itself is [`crate::clb::data_source::lookup`].

pub mod lookup;

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::clb::cloud::{BindingDetail, Deadline, Weight};
use crate::clb::data_source::lookup::{BindingQuery, find_bindings, validate_query};
use crate::clb::errors::report_api;
use crate::clb::provider::ConfiguredProvider;
use tfplug::datasource::{DataSource, DataSourceReadRequest, DataSourceReadResponse};
use tfplug::diag::Diagnostics;
use tfplug::provider::{ConfigValidator, Context};
use tfplug::schema::{Attribute, Block, Schema};
use tfplug::typed::TypedValue;
use tfplug::value::{Type, Unknowable};

/// How long one read may take, retries included.
const READ_TIMEOUT: Duration = Duration::from_secs(2 * 60);

/// The data source type name.
pub const TYPE_NAME: &str = "tencentcloud_clb_target_group_associations";

/// Attributes of one listed binding, with their types and descriptions, in schema order.
const ITEM_ATTRIBUTES: [(&str, bool, &str); 9] = [
    (
        "load_balancer_id",
        false,
        "ID of the load balancer (`lb-…`).",
    ),
    ("listener_id", false, "ID of the listener (`lbl-…`)."),
    (
        "location_id",
        false,
        "ID of the forwarding rule (`loc-…`); null for a layer-4 listener.",
    ),
    (
        "target_group_id",
        false,
        "ID of the target group (`lbtg-…`).",
    ),
    (
        "weight",
        true,
        "Weight of the binding; null for a v1 target group.",
    ),
    (
        "protocol",
        false,
        "Protocol of the listener, upper-case: TCP, UDP, TCP_SSL, QUIC, HTTP or HTTPS.",
    ),
    ("port", true, "Port of the listener."),
    (
        "domain",
        false,
        "Domain of the forwarding rule; null for layer 4.",
    ),
    (
        "url",
        false,
        "URL path of the forwarding rule; null for layer 4.",
    ),
];

/// The type of one element of `associations`.
fn item_type() -> Type {
    Type::object(ITEM_ATTRIBUTES.iter().map(|(name, number, _)| {
        (
            name.to_string(),
            if *number { Type::Number } else { Type::String },
        )
    }))
}

/// The data source's schema.
pub fn schema() -> Schema {
    let list_description = format!(
        "The bindings, sorted by load balancer, listener, rule and target group. Each has: {}",
        ITEM_ATTRIBUTES
            .iter()
            .map(|(name, _, d)| format!("`{name}`: {d}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    Schema::new(
        0,
        Block::new()
            .description(
                "Lists CLB target group bindings as the cloud has them: those of a target group, \
                 or those on a load balancer (optionally one listener), with the listener's \
                 protocol and port and the rule's domain and URL. At least one of \
                 `target_group_id` and `load_balancer_id` is required.",
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
            )
            .attribute(
                Attribute::string("region")
                    .optional()
                    .computed()
                    .description("Region to list in, e.g. `ap-shanghai`; the provider's region when omitted (the region used is recorded here)."),
            )
            .attribute(
                Attribute::list("associations", item_type())
                    .computed()
                    .description(list_description),
            ),
    )
}

/// One listed binding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AssociationItem {
    /// `lb-…`
    pub load_balancer_id: String,
    /// `lbl-…`
    pub listener_id: String,
    /// `loc-…`, null for layer 4.
    pub location_id: Option<String>,
    /// `lbtg-…`
    pub target_group_id: String,
    /// Null for v1 target groups.
    pub weight: Option<Weight>,
    /// Listener protocol.
    pub protocol: String,
    /// Listener port.
    pub port: Option<i64>,
    /// Rule domain.
    pub domain: Option<String>,
    /// Rule URL.
    pub url: Option<String>,
}

impl From<BindingDetail> for AssociationItem {
    fn from(d: BindingDetail) -> Self {
        AssociationItem {
            load_balancer_id: d.binding.load_balancer_id,
            listener_id: d.binding.listener_id,
            location_id: d.binding.location_id,
            target_group_id: d.target_group_id,
            weight: d.binding.weight,
            protocol: d.protocol,
            port: d.port,
            domain: d.domain,
            url: d.url,
        }
    }
}

/// The data source's configuration and result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AssociationsModel {
    /// `lbtg-…`
    pub target_group_id: Option<String>,
    /// `lb-…`
    pub load_balancer_id: Option<String>,
    /// `lbl-…`
    pub listener_id: Option<String>,
    /// Region listed in; the provider's when not configured.
    #[serde(default)]
    pub region: Option<String>,
    /// The result.
    pub associations: Option<Vec<AssociationItem>>,
}

impl AssociationsModel {
    /// The lookup the configuration asks for.
    pub fn query(&self) -> BindingQuery {
        let set = |v: &Option<String>| v.as_deref().map(str::trim).map(str::to_string);
        BindingQuery {
            target_group_id: set(&self.target_group_id),
            load_balancer_id: set(&self.load_balancer_id),
            listener_id: set(&self.listener_id),
        }
    }
}

/// The query attributes as validation sees them: any may be unknown until apply.
#[derive(Debug, Deserialize)]
struct QueryConfig {
    target_group_id: Unknowable<Option<String>>,
    load_balancer_id: Unknowable<Option<String>>,
    listener_id: Unknowable<Option<String>>,
}

/// The data source.
pub(crate) struct AssociationsDataSource;

#[async_trait]
impl ConfigValidator for AssociationsDataSource {
    async fn validate_config(&self, _ctx: &Context, config: &TypedValue, diags: &mut Diagnostics) {
        let Some(q) = diags.capture(config.get::<QueryConfig>()) else {
            return;
        };
        diags.extend(validate_query(
            &q.target_group_id,
            &q.load_balancer_id,
            &q.listener_id,
        ));
    }
}

#[async_trait]
impl DataSource for AssociationsDataSource {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn config_validator(&self) -> Option<&dyn ConfigValidator> {
        Some(self)
    }

    async fn read(
        &self,
        ctx: &Context,
        req: DataSourceReadRequest,
        resp: &mut DataSourceReadResponse,
    ) {
        let d = &mut resp.diagnostics;
        let Some(mut model) = d.capture(req.config.get::<AssociationsModel>()) else {
            return;
        };
        // With the provider block not known yet, Terraform (where it allows it) reads again in a
        // later run instead of failing this one.
        if let Some(reason) = ctx.defer_while_config_unknown(req.deferral_allowed) {
            resp.deferred = Some(reason);
            return;
        }
        let Some(client) = d.capture(ctx.require_provider_data::<ConfiguredProvider>()) else {
            return;
        };
        let deadline = Deadline::after(READ_TIMEOUT, ctx.cancel.clone());
        let region = model
            .region
            .clone()
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| client.region.clone());
        model.region = Some(region.clone());
        match find_bindings(&client.engine_in(Some(&region)), &model.query(), &deadline).await {
            Ok(Ok(found)) => {
                model.associations = Some(found.into_iter().map(AssociationItem::from).collect());
                resp.set_state(&model);
            }
            Ok(Err(finding)) => d.add(finding),
            Err(e) => report_api(d, "list the target group bindings", &e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplug::value::{from_value, to_value};

    #[test]
    fn model_round_trips_through_the_schema_type() {
        let model = AssociationsModel {
            target_group_id: Some("lbtg-a1".into()),
            load_balancer_id: None,
            listener_id: None,
            region: Some("ap-guangzhou".into()),
            associations: Some(vec![AssociationItem {
                load_balancer_id: "lb-a1".into(),
                listener_id: "lbl-a1".into(),
                location_id: None,
                target_group_id: "lbtg-a1".into(),
                weight: Some(10),
                protocol: "TCP".into(),
                port: Some(80),
                domain: None,
                url: None,
            }]),
        };
        let v = to_value(&model, &schema().value_type()).unwrap();
        let back: AssociationsModel = from_value(&v).unwrap();
        assert_eq!(back, model);
    }

    #[test]
    fn every_item_attribute_is_described() {
        let s = schema();
        let list = s.block.get_attribute("associations").unwrap();
        for (name, _, _) in ITEM_ATTRIBUTES {
            assert!(
                list.description.contains(&format!("`{name}`")),
                "{name} undocumented"
            );
        }
    }
}
