//! While the provider block is not known, where Terraform allows deferrals (HCP Stacks and
//! experimental builds send deferral_allowed): the data source defers instead of failing, and
//! the resource defers its plan. Where Terraform does not (1.11, OpenTofu) the data source fails
//! with the unknown attributes named and the resource plans what it knows, as before. At the
//! protocol level, over the real transport, with a client compiled from the upstream 6.11 proto.

#[path = "support/provider_client.rs"]
mod provider_client;

use std::sync::Arc;

use provider_client::{ProviderClient, dynamic, errors, pb, value_of};
use tencentcloud_provider::clb::provider::{TencentCloudProvider, config as provider_config};
use tencentcloud_provider::clb::{data_source, resource};
use tfplug::value::{Type, Value};

/// Configures the provider with a region that comes from a resource not created yet.
async fn configure_with_unknown_region(client: &ProviderClient) {
    let pty = provider_config::schema().value_type();
    let Type::Object(attrs) = &pty else {
        unreachable!()
    };
    let mut config = Value::object(attrs.keys().map(|k| (k.clone(), Value::Null)));
    config.set_attr("region", Value::Unknown);
    let configured = client.configure(&config, &pty).await;
    assert!(
        errors(&configured.diagnostics).is_empty(),
        "{:?}",
        configured.diagnostics
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_source_defers_while_the_provider_block_is_unknown() {
    let (server, client) =
        provider_client::start(Arc::new(TencentCloudProvider::new()) as Arc<_>).await;
    configure_with_unknown_region(&client).await;

    let dty = data_source::schema().value_type();
    let Type::Object(attrs) = &dty else {
        unreachable!()
    };
    let mut query = Value::object(attrs.keys().map(|k| (k.clone(), Value::Null)));
    query.set_attr("target_group_id", Value::string("lbtg-web00001"));
    let read = |deferral_allowed: bool| {
        client.read_data_source(pb::read_data_source::Request {
            type_name: data_source::TYPE_NAME.into(),
            config: Some(dynamic(&query, &dty)),
            provider_meta: None,
            client_capabilities: Some(pb::ClientCapabilities {
                deferral_allowed,
                write_only_attributes_allowed: true,
                ..Default::default()
            }),
        })
    };
    let deferred = read(true).await;
    assert!(
        deferred.diagnostics.is_empty(),
        "{:?}",
        deferred.diagnostics
    );
    assert_eq!(
        deferred.deferred.map(|d| d.reason),
        Some(pb::deferred::Reason::ProviderConfigUnknown as i32)
    );
    // Terraform 1.11 and OpenTofu never allow it: the read fails and says why.
    let refused = read(false).await;
    assert!(refused.deferred.is_none());
    let text = errors(&refused.diagnostics).join("\n");
    assert!(
        text.contains("Provider configuration is not known yet"),
        "{text}"
    );
    assert!(text.contains("region"), "{text}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_resource_defers_its_plan_while_the_provider_block_is_unknown() {
    let (server, client) =
        provider_client::start(Arc::new(TencentCloudProvider::new()) as Arc<_>).await;
    configure_with_unknown_region(&client).await;

    let rty = resource::schema().value_type();
    let Type::Object(attrs) = &rty else {
        unreachable!()
    };
    let mut config = Value::object(attrs.keys().map(|k| (k.clone(), Value::Null)));
    config.set_attr("load_balancer_id", Value::string("lb-web00001"));
    config.set_attr("listener_id", Value::string("lbl-web00001"));
    config.set_attr("target_group_id", Value::string("lbtg-web00001"));
    let plan = |prior: &Value, proposed: &Value, config: &Value, deferral_allowed: bool| {
        client.plan_resource_change(pb::plan_resource_change::Request {
            type_name: resource::TYPE_NAME.into(),
            prior_state: Some(dynamic(prior, &rty)),
            proposed_new_state: Some(dynamic(proposed, &rty)),
            config: Some(dynamic(config, &rty)),
            client_capabilities: Some(pb::ClientCapabilities {
                deferral_allowed,
                write_only_attributes_allowed: true,
                ..Default::default()
            }),
            ..Default::default()
        })
    };
    let deferred = plan(&Value::Null, &config, &config, true).await;
    assert!(
        deferred.diagnostics.is_empty(),
        "{:?}",
        deferred.diagnostics
    );
    assert_eq!(
        deferred.deferred.map(|d| d.reason),
        Some(pb::deferred::Reason::ProviderConfigUnknown as i32)
    );
    // Still a plan of the resource schema: what is configured, everything computed unknown.
    let planned = value_of(deferred.planned_state.as_ref(), &rty);
    assert_eq!(
        planned.get_attr("target_group_id"),
        Some(&Value::string("lbtg-web00001"))
    );
    for computed in ["id", "region", "weight"] {
        assert!(
            planned.get_attr(computed).unwrap().is_unknown(),
            "{computed}: {planned:?}"
        );
    }
    assert!(deferred.planned_identity.is_none());

    // Terraform 1.11 and OpenTofu never allow it: the plan goes ahead as before, with the ID
    // from the configuration and the region (the provider's) left for apply.
    let now = plan(&Value::Null, &config, &config, false).await;
    assert!(errors(&now.diagnostics).is_empty(), "{:?}", now.diagnostics);
    assert!(now.deferred.is_none());
    let planned = value_of(now.planned_state.as_ref(), &rty);
    assert_eq!(
        planned.get_attr("id"),
        Some(&Value::string("lb-web00001#lbl-web00001#lbtg-web00001"))
    );
    assert!(planned.get_attr("region").unwrap().is_unknown());

    // A destroy is never deferred: it needs only what the state records.
    let mut state = config.clone();
    state.set_attr(
        "id",
        Value::string("lb-web00001#lbl-web00001#lbtg-web00001"),
    );
    state.set_attr("region", Value::string("ap-guangzhou"));
    state.set_attr("weight", Value::int(10));
    let destroy = plan(&state, &Value::Null, &Value::Null, true).await;
    assert!(
        errors(&destroy.diagnostics).is_empty(),
        "{:?}",
        destroy.diagnostics
    );
    assert!(destroy.deferred.is_none());
    assert!(value_of(destroy.planned_state.as_ref(), &rty).is_null());
    server.shutdown().await;
}
