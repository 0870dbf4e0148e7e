//! The tfplug example provider's list resource, generated configuration and function at the
//! protocol level, as Terraform 1.14-1.16 calls them: a client compiled from the upstream 6.11
//! proto, over the real mTLS transport. The framework's own rules (each broken on purpose) are
//! unit-tested in crates/tfplug/src/framework/query_tests.rs.

#[path = "support/provider_client.rs"]
mod provider_client;
#[path = "../crates/tfplug/examples/tfplugtest/provider.rs"]
mod test_provider;

use std::sync::Arc;

use provider_client::{dynamic, errors, identity_type, pb, valid_identity, value_of};
use test_provider::query::record_list_schema;
use test_provider::{Item, TestProvider, record_schema};
use tfplug::value::{Type, Value};

const RECORD: &str = "tfplugtest_record";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_listed_imported_and_turned_into_configuration() {
    let (provider, store) = TestProvider::new();
    for i in 0..30 {
        let name = format!("{}{i:02}", if i % 3 == 0 { "db" } else { "web" });
        store.lock().unwrap().insert(
            format!("item-{name}"),
            Item {
                id: Some(format!("item-{name}")),
                name,
                content: Some("listed".into()),
                region: (i % 2 == 0).then(|| "eu".to_string()),
                ..Default::default()
            },
        );
    }
    let (server, client) = provider_client::start(provider as Arc<_>).await;
    let schema = client.get_provider_schema().await;
    assert!(schema.list_resource_schemas.contains_key(RECORD));
    assert!(schema.functions.contains_key("record_id"));
    let ity = identity_type(
        &client
            .get_resource_identity_schemas()
            .await
            .identity_schemas[RECORD],
    );
    client
        .configure(
            &Value::object([("prefix", Value::Null)]),
            &Type::object([("prefix", Type::String)]),
        )
        .await;
    let lty = record_list_schema().value_type();
    let rty = record_schema().value_type();
    let config = dynamic(
        &Value::object([("name_prefix", Value::string("web"))]),
        &lty,
    );
    let valid = client
        .validate_list_resource_config(RECORD, config.clone())
        .await;
    assert!(valid.diagnostics.is_empty(), "{:?}", valid.diagnostics);
    let request = |include: bool, limit: i64| pb::list_resource::Request {
        type_name: RECORD.into(),
        config: Some(config.clone()),
        include_resource_object: include,
        limit,
    };
    let all = client.list_resource(request(true, 100)).await;
    assert_eq!(all.len(), 20);
    for e in &all {
        let identity = valid_identity(e.identity.as_ref(), &ity);
        let object = value_of(e.resource_object.as_ref(), &rty);
        assert_eq!(identity.get_attr("name"), object.get_attr("name"));
        assert_eq!(identity.get_attr("region"), object.get_attr("region"));
        assert!(
            e.display_name.starts_with("record web"),
            "{}",
            e.display_name
        );
    }
    let few = client.list_resource(request(false, 4)).await;
    assert_eq!(few.len(), 4);
    assert!(few.iter().all(|e| e.resource_object.is_none()));

    // What `terraform plan` does with a generated import block: import by the listed identity.
    let imported = client
        .import_resource_state(pb::import_resource_state::Request {
            type_name: RECORD.into(),
            identity: all[0].identity.clone(),
            ..Default::default()
        })
        .await;
    assert!(
        errors(&imported.diagnostics).is_empty(),
        "{:?}",
        imported.diagnostics
    );
    // The generated configuration: no computed `id`.
    let generated = client
        .generate_resource_config(RECORD, all[0].resource_object.clone().unwrap())
        .await;
    let config = value_of(generated.config.as_ref(), &rty);
    assert_eq!(config.get_attr("id"), Some(&Value::Null));
    assert_eq!(config.get_attr("content"), Some(&Value::string("listed")));

    let id = client
        .call_function(
            "record_id",
            vec![dynamic(&Value::string("web01"), &Type::String)],
        )
        .await;
    assert_eq!(
        value_of(id.result.as_ref(), &Type::String),
        Value::string("item-web01")
    );
    let bad = client
        .call_function(
            "record_id",
            vec![dynamic(&Value::string("a b"), &Type::String)],
        )
        .await
        .error
        .unwrap();
    assert_eq!(bad.function_argument, Some(0));
    server.shutdown().await;
}
