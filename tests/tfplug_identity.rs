//! Resource identity (tfplugin6.9), moves and data sources at the protocol level: a client over
//! the real mTLS transport calls each RPC as Terraform 1.12 would and checks the answers by
//! Terraform's rules. Terraform 1.12+ cannot be installed here; Terraform 1.11 (which never
//! calls the identity RPCs) is exercised end to end in `tfplug_e2e.rs`.

#[path = "support/provider_client.rs"]
mod provider_client;
#[path = "../crates/tfplug/examples/tfplugtest/provider.rs"]
mod test_provider;

use std::sync::Arc;

use provider_client::{
    ProviderClient, dynamic, errors, identity_data, identity_type, pb, valid_identity, value_of,
};
use test_provider::{
    ADDRESS, Item, RECORD_IDENTITY_VERSION, Store, TestProvider, items_schema, record_schema,
};
use tfplug::server::RunningServer;
use tfplug::value::{Type, Value};

const RECORD: &str = "tfplugtest_record";

struct Setup {
    server: RunningServer,
    client: ProviderClient,
    store: Store,
    identity_ty: Type,
}

async fn setup() -> Setup {
    let (provider, store) = TestProvider::new();
    let (server, client) = provider_client::start(provider as Arc<_>).await;
    let schemas = client.get_resource_identity_schemas().await;
    let identity_ty = identity_type(&schemas.identity_schemas[RECORD]);
    let resp = client
        .configure(
            &Value::object([("prefix", Value::Null)]),
            &Type::object([("prefix", Type::String)]),
        )
        .await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    Setup {
        server,
        client,
        store,
        identity_ty,
    }
}

fn record(name: &str, region: Option<&str>, content: &str, id: Option<&str>) -> Value {
    Value::object([
        ("id", id.map_or(Value::Null, Value::string)),
        ("name", Value::string(name)),
        ("region", region.map_or(Value::Null, Value::string)),
        ("content", Value::string(content)),
    ])
}

fn identity(name: Value, region: Value) -> Value {
    Value::object([("name", name), ("region", region)])
}

fn rty() -> Type {
    record_schema().value_type()
}

fn put(store: &Store, name: &str, region: Option<&str>) {
    store.lock().unwrap().insert(
        format!("item-{name}"),
        Item {
            id: Some(format!("item-{name}")),
            name: name.into(),
            content: Some("from the cloud".into()),
            region: region.map(String::from),
            ..Default::default()
        },
    );
}

#[tokio::test]
async fn schemas_and_capabilities_are_advertised() {
    let s = setup().await;
    let schemas = s.client.get_resource_identity_schemas().await;
    assert_eq!(
        schemas.identity_schemas.keys().collect::<Vec<_>>(),
        [RECORD],
        "only resources with identity appear"
    );
    let rs = &schemas.identity_schemas[RECORD];
    assert_eq!(rs.version, RECORD_IDENTITY_VERSION);
    let attrs: Vec<(&str, bool, bool, &[u8])> = rs
        .identity_attributes
        .iter()
        .map(|a| {
            (
                a.name.as_str(),
                a.required_for_import,
                a.optional_for_import,
                a.r#type.as_slice(),
            )
        })
        .collect();
    assert_eq!(
        attrs,
        [
            ("name", true, false, &b"\"string\""[..]),
            ("region", false, true, &b"\"string\""[..])
        ]
    );

    let schema = s.client.get_provider_schema().await;
    let caps = schema.server_capabilities.unwrap();
    assert!(caps.move_resource_state && caps.plan_destroy);
    assert!(schema.data_source_schemas.contains_key("tfplugtest_items"));
    let meta = s.client.get_metadata().await;
    assert!(meta.server_capabilities.unwrap().move_resource_state);
    assert_eq!(meta.data_sources[0].type_name, "tfplugtest_items");
    s.server.shutdown().await;
}

#[tokio::test]
async fn every_response_carries_a_known_stable_identity() {
    let s = setup().await;
    let (c, ty, ity) = (&s.client, rty(), &s.identity_ty);
    let config = record("a", Some("r1"), "one", None);

    // Plan a create: the identity is not known yet, so none is planned.
    let plan = c
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: RECORD.into(),
            prior_state: Some(dynamic(&Value::Null, &ty)),
            proposed_new_state: Some(dynamic(&config, &ty)),
            config: Some(dynamic(&config, &ty)),
            ..Default::default()
        })
        .await;
    assert!(
        errors(&plan.diagnostics).is_empty(),
        "{:?}",
        plan.diagnostics
    );
    assert!(plan.planned_identity.is_none());

    let created = c
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: RECORD.into(),
            prior_state: Some(dynamic(&Value::Null, &ty)),
            planned_state: plan.planned_state.clone(),
            config: Some(dynamic(&config, &ty)),
            planned_private: plan.planned_private.clone(),
            ..Default::default()
        })
        .await;
    assert!(
        errors(&created.diagnostics).is_empty(),
        "{:?}",
        created.diagnostics
    );
    let id = valid_identity(created.new_identity.as_ref(), ity);
    assert_eq!(id, identity(Value::string("a"), Value::string("r1")));
    let state = value_of(created.new_state.as_ref(), &ty);
    assert_eq!(state.get_attr("id"), Some(&Value::string("item-a")));

    // Refresh with the stored identity, and without one (state written by Terraform 1.11).
    for current_identity in [Some(identity_data(&id, ity)), None] {
        let read = c
            .read_resource(pb::read_resource::Request {
                type_name: RECORD.into(),
                current_state: created.new_state.clone(),
                private: created.private.clone(),
                current_identity,
                ..Default::default()
            })
            .await;
        assert!(
            errors(&read.diagnostics).is_empty(),
            "{:?}",
            read.diagnostics
        );
        assert_eq!(valid_identity(read.new_identity.as_ref(), ity), id);
    }

    // An in-place update plans the stored identity and keeps it.
    let changed = record("a", Some("r1"), "two", Some("item-a"));
    let plan = c
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: RECORD.into(),
            prior_state: created.new_state.clone(),
            proposed_new_state: Some(dynamic(&changed, &ty)),
            config: Some(dynamic(&record("a", Some("r1"), "two", None), &ty)),
            prior_identity: Some(identity_data(&id, ity)),
            ..Default::default()
        })
        .await;
    assert!(
        errors(&plan.diagnostics).is_empty(),
        "{:?}",
        plan.diagnostics
    );
    assert!(plan.requires_replace.is_empty());
    assert_eq!(valid_identity(plan.planned_identity.as_ref(), ity), id);
    let updated = c
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: RECORD.into(),
            prior_state: created.new_state.clone(),
            planned_state: plan.planned_state.clone(),
            config: Some(dynamic(&record("a", Some("r1"), "two", None), &ty)),
            planned_identity: plan.planned_identity.clone(),
            ..Default::default()
        })
        .await;
    assert!(
        errors(&updated.diagnostics).is_empty(),
        "{:?}",
        updated.diagnostics
    );
    assert_eq!(valid_identity(updated.new_identity.as_ref(), ity), id);

    // Destroy: no identity afterwards.
    let destroyed = c
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: RECORD.into(),
            prior_state: updated.new_state.clone(),
            planned_state: Some(dynamic(&Value::Null, &ty)),
            config: Some(dynamic(&Value::Null, &ty)),
            planned_identity: plan.planned_identity.clone(),
            ..Default::default()
        })
        .await;
    assert!(errors(&destroyed.diagnostics).is_empty());
    assert!(value_of(destroyed.new_state.as_ref(), &ty).is_null());
    assert!(destroyed.new_identity.is_none());
    assert!(s.store.lock().unwrap().is_empty());
    s.server.shutdown().await;
}

#[tokio::test]
async fn import_by_identity_or_id_returns_the_full_identity() {
    let s = setup().await;
    let (c, ty, ity) = (&s.client, rty(), &s.identity_ty);
    put(&s.store, "b", Some("r2"));
    // By identity, leaving the optional region out; the answer completes it.
    let by_identity = c
        .import_resource_state(pb::import_resource_state::Request {
            type_name: RECORD.into(),
            id: String::new(),
            identity: Some(identity_data(
                &identity(Value::string("b"), Value::Null),
                ity,
            )),
            ..Default::default()
        })
        .await;
    assert!(
        errors(&by_identity.diagnostics).is_empty(),
        "{:?}",
        by_identity.diagnostics
    );
    let imported = &by_identity.imported_resources[0];
    assert_eq!(imported.type_name, RECORD);
    let full = identity(Value::string("b"), Value::string("r2"));
    assert_eq!(valid_identity(imported.identity.as_ref(), ity), full);
    assert_eq!(
        value_of(imported.state.as_ref(), &ty).get_attr("id"),
        Some(&Value::string("item-b"))
    );

    // Terraform then reads it with the identity the import returned.
    let read = c
        .read_resource(pb::read_resource::Request {
            type_name: RECORD.into(),
            current_state: imported.state.clone(),
            private: imported.private.clone(),
            current_identity: imported.identity.clone(),
            ..Default::default()
        })
        .await;
    assert!(
        errors(&read.diagnostics).is_empty(),
        "{:?}",
        read.diagnostics
    );
    assert_eq!(valid_identity(read.new_identity.as_ref(), ity), full);
    assert!(
        read.private.is_empty(),
        "the framework's import mark is gone after the first read"
    );

    // By ID.
    let by_id = c
        .import_resource_state(pb::import_resource_state::Request {
            type_name: RECORD.into(),
            id: "item-b".into(),
            ..Default::default()
        })
        .await;
    assert!(
        errors(&by_id.diagnostics).is_empty(),
        "{:?}",
        by_id.diagnostics
    );
    assert_eq!(
        valid_identity(by_id.imported_resources[0].identity.as_ref(), ity),
        full
    );
    s.server.shutdown().await;
}

#[tokio::test]
async fn invalid_identities_get_diagnostics_not_errors() {
    let s = setup().await;
    let (c, ity) = (&s.client, &s.identity_ty);
    put(&s.store, "c", Some("r1"));
    let import = |identity: pb::ResourceIdentityData, type_name: &str| {
        c.import_resource_state(pb::import_resource_state::Request {
            type_name: type_name.into(),
            identity: Some(identity),
            ..Default::default()
        })
    };
    // A required attribute missing: points at it.
    let resp = import(
        identity_data(&identity(Value::Null, Value::string("r1")), ity),
        RECORD,
    )
    .await;
    assert!(resp.imported_resources.is_empty());
    assert_eq!(
        resp.diagnostics[0].summary,
        "Missing required identity attribute"
    );
    let step = &resp.diagnostics[0].attribute.as_ref().unwrap().steps[0];
    assert_eq!(
        step.selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "name".into()
        ))
    );
    // Not known.
    let resp = import(
        identity_data(&identity(Value::Unknown, Value::Null), ity),
        RECORD,
    )
    .await;
    assert_eq!(resp.diagnostics[0].summary, "Identity attribute not known");
    // Not of the schema's type (a string where an object belongs).
    let resp = import(identity_data(&Value::string("c"), &Type::String), RECORD).await;
    assert!(resp.imported_resources.is_empty());
    assert_eq!(errors(&resp.diagnostics).len(), 1, "{:?}", resp.diagnostics);
    // A resource without identity.
    let resp = import(
        identity_data(&identity(Value::string("c"), Value::Null), ity),
        "tfplugtest_item",
    )
    .await;
    assert_eq!(
        resp.diagnostics[0].summary,
        "Import by identity not supported"
    );

    // Stability across Read: the cloud object changed region out of band, so its identity would
    // change; Terraform must be told, not handed a different identity silently.
    let stored = identity(Value::string("c"), Value::string("r1"));
    let state = record("c", Some("r1"), "from the cloud", Some("item-c"));
    put(&s.store, "c", Some("r9"));
    let read = c
        .read_resource(pb::read_resource::Request {
            type_name: RECORD.into(),
            current_state: Some(dynamic(&state, &rty())),
            current_identity: Some(identity_data(&stored, ity)),
            ..Default::default()
        })
        .await;
    assert_eq!(
        errors(&read.diagnostics),
        [format!(
            "Unexpected identity change: During refresh, {RECORD} returned an identity different \
             from the stored one. An identity must not change for the life of the object. This is \
             a bug in the provider; please report it."
        )]
    );
    s.server.shutdown().await;
}

#[tokio::test]
async fn stored_identities_are_upgraded() {
    let s = setup().await;
    let (c, ity) = (&s.client, &s.identity_ty);
    let upgrade = |version: i64, raw: &str, type_name: &str| {
        c.upgrade_resource_identity(pb::upgrade_resource_identity::Request {
            type_name: type_name.into(),
            version,
            raw_identity: Some(pb::RawState {
                json: raw.as_bytes().to_vec(),
                flatmap: Default::default(),
            }),
        })
    };
    let resp = upgrade(0, r#"{"id":"item-x"}"#, RECORD).await;
    assert!(
        errors(&resp.diagnostics).is_empty(),
        "{:?}",
        resp.diagnostics
    );
    assert_eq!(
        valid_identity(resp.upgraded_identity.as_ref(), ity),
        identity(Value::string("x"), Value::Null)
    );
    let resp = upgrade(1, r#"{"name":"x","region":"r","gone":1}"#, RECORD).await;
    assert_eq!(
        valid_identity(resp.upgraded_identity.as_ref(), ity),
        identity(Value::string("x"), Value::string("r"))
    );
    let resp = upgrade(0, r#"{"other":"x"}"#, RECORD).await;
    assert!(resp.upgraded_identity.is_none());
    assert_eq!(
        resp.diagnostics[0].summary,
        "Cannot upgrade the record identity"
    );
    let resp = upgrade(5, "{}", RECORD).await;
    assert_eq!(
        resp.diagnostics[0].summary,
        "Identity written by a newer provider"
    );
    let resp = upgrade(1, "{not json", RECORD).await;
    assert_eq!(
        resp.diagnostics[0].summary,
        "Stored identity is not valid JSON"
    );
    let resp = upgrade(0, "{}", "tfplugtest_item").await;
    assert_eq!(resp.diagnostics[0].summary, "Resource has no identity");
    s.server.shutdown().await;
}

#[tokio::test]
async fn moves_are_accepted_from_declared_sources_only() {
    let s = setup().await;
    let (c, ity) = (&s.client, &s.identity_ty);
    let item_state = serde_json::json!({
        "id": "item-m", "name": "m", "content": "moved", "length": 5,
        "tags": null, "rule": [], "timeouts": null
    });
    let request = |address: &str, source: &str, target: &str| pb::move_resource_state::Request {
        source_provider_address: address.into(),
        source_type_name: source.into(),
        source_schema_version: 1,
        source_state: Some(pb::RawState {
            json: item_state.to_string().into_bytes(),
            flatmap: Default::default(),
        }),
        target_type_name: target.into(),
        source_private: Vec::new(),
        // Stored JSON, written with the source's own identity schema, unknown to the target.
        source_identity: Some(pb::RawState {
            json: br#"{"id":"item-m"}"#.to_vec(),
            flatmap: Default::default(),
        }),
        source_identity_schema_version: 0,
    };
    let moved = c
        .move_resource_state(request(ADDRESS, "tfplugtest_item", RECORD))
        .await;
    assert!(
        errors(&moved.diagnostics).is_empty(),
        "{:?}",
        moved.diagnostics
    );
    assert_eq!(
        value_of(moved.target_state.as_ref(), &rty()),
        record("m", None, "moved", Some("item-m"))
    );
    assert_eq!(
        valid_identity(moved.target_identity.as_ref(), ity),
        identity(Value::string("m"), Value::Null)
    );
    assert!(s.store.lock().unwrap().is_empty(), "a move writes nothing");

    let other = c
        .move_resource_state(request("registry.terraform.io/other/x", "x_thing", RECORD))
        .await;
    assert!(other.target_state.is_none());
    assert_eq!(other.diagnostics[0].summary, "Unsupported move source");
    assert!(
        other.diagnostics[0]
            .detail
            .contains("tfplugtest_item (terraform.local/test/tfplugtest)"),
        "{:?}",
        other.diagnostics
    );
    let no_mover = c
        .move_resource_state(request(ADDRESS, RECORD, "tfplugtest_item"))
        .await;
    assert_eq!(
        no_mover.diagnostics[0].summary,
        "Moving resources into this type is not supported"
    );
    let unknown = c
        .move_resource_state(request(ADDRESS, "tfplugtest_item", "tfplugtest_nope"))
        .await;
    assert_eq!(unknown.diagnostics[0].summary, "Unknown resource type");
    s.server.shutdown().await;
}

#[tokio::test]
async fn data_source_reads_and_validates() {
    let s = setup().await;
    let c = &s.client;
    let ty = items_schema().value_type();
    put(&s.store, "alpha", None);
    put(&s.store, "beta", None);
    let config = |prefix: Value| {
        Value::object([
            ("name_prefix", prefix),
            ("items", Value::Null),
            ("total", Value::Null),
        ])
    };
    let read = c
        .read_data_source(pb::read_data_source::Request {
            type_name: "tfplugtest_items".into(),
            config: Some(dynamic(&config(Value::string("al")), &ty)),
            ..Default::default()
        })
        .await;
    assert!(
        errors(&read.diagnostics).is_empty(),
        "{:?}",
        read.diagnostics
    );
    let state = value_of(read.state.as_ref(), &ty);
    assert!(state.is_fully_known());
    assert_eq!(state.get_attr("total").and_then(Value::as_i64), Some(1));
    assert_eq!(
        state.at_path(
            &tfplug::value::AttributePath::root()
                .attr("items")
                .index(0)
                .attr("name")
        ),
        Some(&Value::string("alpha"))
    );

    let bad = c
        .validate_data_resource_config(pb::validate_data_resource_config::Request {
            type_name: "tfplugtest_items".into(),
            config: Some(dynamic(&config(Value::string("a b")), &ty)),
        })
        .await;
    assert_eq!(bad.diagnostics[0].summary, "Invalid name_prefix");
    let unknown_ok = c
        .validate_data_resource_config(pb::validate_data_resource_config::Request {
            type_name: "tfplugtest_items".into(),
            config: Some(dynamic(&config(Value::Unknown), &ty)),
        })
        .await;
    assert!(unknown_ok.diagnostics.is_empty());
    let missing = c
        .read_data_source(pb::read_data_source::Request {
            type_name: "tfplugtest_nope".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(missing.diagnostics[0].summary, "Unknown data source type");
    s.server.shutdown().await;
}
