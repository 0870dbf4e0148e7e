//! The data source defers instead of failing while the provider block is not known, where
//! Terraform allows deferrals (HCP Stacks and experimental builds send deferral_allowed), and
//! fails with the unknown attributes named where it does not: at the protocol level, over the
//! real transport, with a client compiled from the upstream 6.11 proto.

#[path = "support/provider_client.rs"]
mod provider_client;

use std::sync::Arc;

use provider_client::{dynamic, errors, pb};
use tencentcloud_provider::clb::data_source;
use tencentcloud_provider::clb::provider::{TencentCloudProvider, config as provider_config};
use tfplug::value::{Type, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_source_defers_while_the_provider_block_is_unknown() {
    let (server, client) =
        provider_client::start(Arc::new(TencentCloudProvider::new()) as Arc<_>).await;
    let pty = provider_config::schema().value_type();
    let Type::Object(attrs) = &pty else {
        unreachable!()
    };
    let mut config = Value::object(attrs.keys().map(|k| (k.clone(), Value::Null)));
    // The region comes from a resource not created yet.
    config.set_attr("region", Value::Unknown);
    let configured = client.configure(&config, &pty).await;
    assert!(
        errors(&configured.diagnostics).is_empty(),
        "{:?}",
        configured.diagnostics
    );

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
