//! The list resource `tencentcloud_clb_target_group_association` and GenerateResourceConfig at
//! the protocol level, as Terraform 1.14+ calls them for `terraform query` (Terraform 1.14+
//! cannot be installed here): a client compiled from the upstream 6.11 proto, over the real
//! mTLS transport, against the provider configured for an in-process emulator holding 500
//! bindings on 5 load balancers.

#[path = "support/provider_client.rs"]
mod provider_client;

use std::sync::Arc;
use std::time::Duration;

use provider_client::{
    ProviderClient, dynamic, errors, identity_type, pb, type_of, valid_identity, value_of,
};
use tencentcloud_emulator::{
    self as emulator, DEFAULT_CREATED_TIME, EmulatorConfig, Listener, LoadBalancer, Rule,
    RunningEmulator, TargetGroup, TargetGroupAssociation, World,
};
use tencentcloud_provider::clb::{
    provider::TencentCloudProvider, provider::config as provider_config, resource,
};
use tfplug::server::RunningServer;
use tfplug::value::{Type, Value};

const TYPE: &str = "tencentcloud_clb_target_group_association";
const LOAD_BALANCERS: usize = 5;
/// Layer-4 bindings of the big target group on each load balancer.
const PER_LOAD_BALANCER: usize = 100;
const BIG: &str = "lbtg-big00001";
const WEB: &str = "lbtg-web00001";

fn lb(g: usize) -> String {
    format!("lb-list{g:04}")
}

/// 5 load balancers, each with 100 TCP listeners bound to BIG (weights 1..=100) and an HTTP
/// listener whose rule binds WEB with the default weight: 505 bindings.
fn world() -> World {
    let load_balancers = (0..LOAD_BALANCERS)
        .map(|g| LoadBalancer {
            load_balancer_id: lb(g),
            load_balancer_name: format!("list-{g}"),
            vpc_id: "vpc-list0001".into(),
            region: None,
            forward: 1,
            load_balancer_type: "OPEN".into(),
            create_time: DEFAULT_CREATED_TIME.into(),
            listeners: (0..PER_LOAD_BALANCER)
                .map(|i| Listener {
                    listener_id: format!("lbl-l{g}n{i:05}"),
                    listener_name: format!("tcp-{i}"),
                    protocol: "TCP".into(),
                    port: 10_000 + i as i64,
                    target_type: Some("TARGETGROUP".into()),
                    create_time: DEFAULT_CREATED_TIME.into(),
                    rules: Vec::new(),
                })
                .chain([Listener {
                    listener_id: format!("lbl-l{g}http0"),
                    listener_name: "http".into(),
                    protocol: "HTTP".into(),
                    port: 80,
                    target_type: None,
                    create_time: DEFAULT_CREATED_TIME.into(),
                    rules: vec![Rule {
                        location_id: format!("loc-l{g}web00"),
                        domain: "www.example.com".into(),
                        url: "/".into(),
                        target_type: None,
                        create_time: DEFAULT_CREATED_TIME.into(),
                    }],
                }])
                .collect(),
        })
        .collect();
    let group = |id: &str| TargetGroup {
        target_group_id: id.into(),
        target_group_name: id.into(),
        vpc_id: "vpc-list0001".into(),
        region: None,
        port: Some(8080),
        target_group_type: "v2".into(),
        protocol: Some("TCP".into()),
        weight: None,
        created_time: DEFAULT_CREATED_TIME.into(),
    };
    let mut associations = Vec::new();
    for g in 0..LOAD_BALANCERS {
        for i in 0..PER_LOAD_BALANCER {
            associations.push(TargetGroupAssociation {
                load_balancer_id: lb(g),
                listener_id: format!("lbl-l{g}n{i:05}"),
                location_id: None,
                target_group_id: BIG.into(),
                weight: Some(i as u64 + 1),
            });
        }
        associations.push(TargetGroupAssociation {
            load_balancer_id: lb(g),
            listener_id: format!("lbl-l{g}http0"),
            location_id: Some(format!("loc-l{g}web00")),
            target_group_id: WEB.into(),
            weight: Some(10),
        });
    }
    World {
        load_balancers,
        target_groups: vec![group(BIG), group(WEB)],
        associations,
        ..World::default()
    }
}

struct Setup {
    server: RunningServer,
    client: ProviderClient,
    emu: RunningEmulator,
    /// The identity type as Terraform derives it from GetResourceIdentitySchemas.
    ity: Type,
    /// The resource and list config types as Terraform derives them from GetProviderSchema.
    rty: Type,
    lty: Type,
}

impl Setup {
    async fn new() -> Setup {
        Self::with_secret(emulator::DEFAULT_SECRET_KEY).await
    }

    async fn with_secret(secret_key: &str) -> Setup {
        let emu = emulator::start(EmulatorConfig {
            seed: Some(world()),
            task_duration: Duration::from_millis(50),
            rate_limit_per_second: 0,
            ..EmulatorConfig::default()
        })
        .await
        .expect("emulator");
        let (server, client) =
            provider_client::start(Arc::new(TencentCloudProvider::new()) as Arc<_>).await;
        let schema = client.get_provider_schema().await;
        let block_type = |s: &pb::Schema| {
            Type::object(
                s.block
                    .as_ref()
                    .unwrap()
                    .attributes
                    .iter()
                    .map(|a| (a.name.clone(), type_of(&a.r#type)))
                    .chain(s.block.as_ref().unwrap().block_types.iter().map(|b| {
                        let inner = Type::object(
                            b.block
                                .as_ref()
                                .unwrap()
                                .attributes
                                .iter()
                                .map(|a| (a.name.clone(), type_of(&a.r#type))),
                        );
                        (b.type_name.clone(), inner)
                    })),
            )
        };
        let rty = block_type(&schema.resource_schemas[TYPE]);
        assert_eq!(rty, resource::schema().value_type());
        let lty = block_type(&schema.list_resource_schemas[TYPE]);
        let ity = identity_type(
            &client
                .get_resource_identity_schemas()
                .await
                .identity_schemas[TYPE],
        );
        let pty = provider_config::schema().value_type();
        let Type::Object(attrs) = &pty else {
            unreachable!()
        };
        let mut config = Value::object(attrs.keys().map(|k| (k.clone(), Value::Null)));
        config.set_attr("endpoint", Value::string(emu.base_url()));
        config.set_attr("secret_id", Value::string(emulator::DEFAULT_SECRET_ID));
        config.set_attr("secret_key", Value::string(secret_key));
        config.set_attr("region", Value::string("ap-guangzhou"));
        let resp = client.configure(&config, &pty).await;
        assert!(
            errors(&resp.diagnostics).is_empty(),
            "{:?}",
            resp.diagnostics
        );
        Setup {
            server,
            client,
            emu,
            ity,
            rty,
            lty,
        }
    }

    async fn stop(self) {
        self.server.shutdown().await;
        self.emu.shutdown().await;
    }

    fn config(&self, tg: Option<&str>, lb: Option<&str>, lbl: Option<&str>) -> pb::DynamicValue {
        let s = |v: Option<&str>| v.map_or(Value::Null, Value::string);
        dynamic(
            &Value::object([
                ("target_group_id", s(tg)),
                ("load_balancer_id", s(lb)),
                ("listener_id", s(lbl)),
            ]),
            &self.lty,
        )
    }

    async fn list(
        &self,
        config: pb::DynamicValue,
        include_resource_object: bool,
        limit: i64,
    ) -> Vec<pb::list_resource::Event> {
        self.client
            .list_resource(pb::list_resource::Request {
                type_name: TYPE.into(),
                config: Some(config),
                include_resource_object,
                limit,
            })
            .await
    }

    fn calls(&self) -> u64 {
        self.emu.metrics().calls.values().sum()
    }
}

fn attr(v: &Value, name: &str) -> Value {
    v.get_attr(name).cloned().unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_resource_is_offered_beside_its_managed_resource() {
    let s = Setup::new().await;
    let schema = s.client.get_provider_schema().await;
    let caps = schema.server_capabilities.unwrap();
    assert!(caps.generate_resource_config);
    let list = schema.list_resource_schemas[TYPE].block.clone().unwrap();
    let names: Vec<(&str, bool, bool)> = list
        .attributes
        .iter()
        .map(|a| (a.name.as_str(), a.optional, a.required))
        .collect();
    // All optional: Terraform then does not make the config block itself mandatory, and the
    // "one of the two" rule is the provider's validation.
    assert_eq!(
        names,
        [
            ("target_group_id", true, false),
            ("load_balancer_id", true, false),
            ("listener_id", true, false)
        ]
    );
    let meta = s.client.get_metadata().await;
    assert_eq!(meta.list_resources[0].type_name, TYPE);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_needs_a_target_group_or_load_balancer_on_the_block() {
    let s = Setup::new().await;
    let neither = s
        .client
        .validate_list_resource_config(TYPE, s.config(None, None, Some("lbl-l0n00001")))
        .await;
    assert_eq!(
        errors(&neither.diagnostics).len(),
        1,
        "{:?}",
        neither.diagnostics
    );
    assert!(
        neither.diagnostics[0].attribute.is_none(),
        "on the block, not an attribute"
    );
    assert!(neither.diagnostics[0].detail.contains("load_balancer_id"));
    let bad = s
        .client
        .validate_list_resource_config(TYPE, s.config(Some("lb-list0000"), None, None))
        .await;
    let step = &bad.diagnostics[0].attribute.as_ref().unwrap().steps[0];
    assert_eq!(
        step.selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "target_group_id".into()
        ))
    );
    for ok in [
        s.config(Some(BIG), None, None),
        s.config(None, Some(&lb(0)), Some("lbl-l0n00001")),
    ] {
        let resp = s.client.validate_list_resource_config(TYPE, ok).await;
        assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    }
    // A client that skips validation gets the same error from ListResource, and nothing else.
    let events = s.list(s.config(None, None, None), false, 100).await;
    assert_eq!(events.len(), 1);
    assert!(events[0].identity.is_none());
    assert!(errors(&events[0].diagnostic)[0].contains("Missing target_group_id"));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_group_with_500_bindings_on_5_load_balancers_streams_in_a_handful_of_calls() {
    let s = Setup::new().await;
    let before = s.calls();
    let events = s.list(s.config(Some(BIG), None, None), true, 1000).await;
    let calls = s.calls() - before;
    println!("500 bindings listed with {calls} API calls");
    assert!(calls <= 5, "{calls} calls for one listing");
    assert_eq!(events.len(), LOAD_BALANCERS * PER_LOAD_BALANCER);
    let mut seen = std::collections::BTreeSet::new();
    for e in &events {
        assert!(e.diagnostic.is_empty(), "{:?}", e.diagnostic);
        let identity = valid_identity(e.identity.as_ref(), &s.ity);
        assert_eq!(attr(&identity, "target_group_id"), Value::string(BIG));
        assert_eq!(attr(&identity, "location_id"), Value::Null);
        // Every attribute Terraform needs, of the resource schema, wholly known.
        let object = value_of(e.resource_object.as_ref(), &s.rty);
        assert!(object.is_fully_known(), "{object:?}");
        // The identity carries the region the list looked in, the object's region.
        assert_eq!(attr(&identity, "region"), Value::string("ap-guangzhou"));
        for name in [
            "load_balancer_id",
            "listener_id",
            "target_group_id",
            "region",
        ] {
            assert_eq!(attr(&object, name), attr(&identity, name));
        }
        let weight = attr(&object, "weight").as_i64().unwrap();
        assert!((1..=100).contains(&weight));
        assert!(
            e.display_name.contains(&format!("(weight {weight})")),
            "{}",
            e.display_name
        );
        assert!(e.display_name.starts_with(BIG), "{}", e.display_name);
        seen.insert(attr(&object, "id").as_str().unwrap().to_string());
    }
    assert_eq!(seen.len(), events.len(), "no binding twice");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_balancer_or_listener_lists_its_bindings_with_readable_names() {
    let s = Setup::new().await;
    let all = s
        .list(s.config(None, Some(&lb(2)), None), false, 1000)
        .await;
    assert_eq!(all.len(), PER_LOAD_BALANCER + 1);
    assert!(
        all.iter().all(|e| e.resource_object.is_none()),
        "not asked for"
    );
    let web: Vec<_> = all
        .iter()
        .filter(|e| e.display_name.starts_with(WEB))
        .collect();
    assert_eq!(web.len(), 1);
    assert_eq!(
        web[0].display_name,
        "lbtg-web00001 → lb-list0002 / lbl-l2http0 HTTP:80 / loc-l2web00 www.example.com/ (weight 10)"
    );
    let identity = valid_identity(web[0].identity.as_ref(), &s.ity);
    assert_eq!(attr(&identity, "location_id"), Value::string("loc-l2web00"));
    let one = s
        .list(
            s.config(None, Some(&lb(2)), Some("lbl-l2n00007")),
            true,
            100,
        )
        .await;
    assert_eq!(one.len(), 1);
    assert_eq!(
        one[0].display_name,
        "lbtg-big00001 → lb-list0002 / lbl-l2n00007 TCP:10007 (weight 8)"
    );
    // Both IDs: the target group's bindings on that load balancer.
    let both = s
        .list(s.config(Some(WEB), Some(&lb(4)), None), false, 100)
        .await;
    assert_eq!(both.len(), 1);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_stops_at_the_limit() {
    let s = Setup::new().await;
    let seven = s.list(s.config(Some(BIG), None, None), false, 7).await;
    assert_eq!(seven.len(), 7);
    // The provider itself sends no more than the limit, even to a client that keeps reading.
    let mut stream = s
        .client
        .list_resource_stream(pb::list_resource::Request {
            type_name: TYPE.into(),
            config: Some(s.config(Some(BIG), None, None)),
            include_resource_object: false,
            limit: 7,
        })
        .await;
    let mut n = 0;
    while let Some(e) = stream.message().await.unwrap() {
        assert!(e.identity.is_some());
        n += 1;
    }
    assert_eq!(n, 7);
    // With limit 0 Terraform reads nothing; the provider sends nothing.
    let mut stream = s
        .client
        .list_resource_stream(pb::list_resource::Request {
            type_name: TYPE.into(),
            config: Some(s.config(Some(BIG), None, None)),
            include_resource_object: true,
            limit: 0,
        })
        .await;
    assert!(stream.message().await.unwrap().is_none());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_reads_are_diagnostics_on_the_stream() {
    let s = Setup::new().await;
    let missing = s
        .list(s.config(Some("lbtg-nothere1"), None, None), true, 100)
        .await;
    assert_eq!(missing.len(), 1);
    assert!(missing[0].identity.is_none());
    let text = errors(&missing[0].diagnostic).join("\n");
    assert!(text.contains("Target group not found"), "{text}");
    s.stop().await;
    // Credentials the cloud refuses: the API's answer, explained, as the stream's one event.
    let s = Setup::with_secret("not-the-right-secret-key").await;
    let refused = s.list(s.config(Some(BIG), None, None), true, 100).await;
    assert_eq!(refused.len(), 1);
    assert!(refused[0].identity.is_none());
    assert!(
        !errors(&refused[0].diagnostic).is_empty(),
        "{:?}",
        refused[0].diagnostic
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listed_object_is_what_an_import_by_its_identity_produces() {
    let s = Setup::new().await;
    let events = s.list(s.config(Some(WEB), None, None), true, 100).await;
    assert_eq!(events.len(), LOAD_BALANCERS);
    let listed = &events[3];
    // What `terraform plan` does with the generated import block: import by identity, then read.
    let imported = s
        .client
        .import_resource_state(pb::import_resource_state::Request {
            type_name: TYPE.into(),
            id: String::new(),
            client_capabilities: None,
            identity: listed.identity.clone(),
        })
        .await;
    assert!(
        errors(&imported.diagnostics).is_empty(),
        "{:?}",
        imported.diagnostics
    );
    let item = &imported.imported_resources[0];
    let read = s
        .client
        .read_resource(pb::read_resource::Request {
            type_name: TYPE.into(),
            current_state: item.state.clone(),
            private: item.private.clone(),
            current_identity: item.identity.clone(),
            ..Default::default()
        })
        .await;
    assert!(
        errors(&read.diagnostics).is_empty(),
        "{:?}",
        read.diagnostics
    );
    let state = value_of(read.new_state.as_ref(), &s.rty);
    let object = value_of(listed.resource_object.as_ref(), &s.rty);
    assert!(state.equals(&object), "import {state:?}\nlisted {object:?}");
    // The identity stored after the import and read is the listed one, region included.
    let stored = valid_identity(read.new_identity.as_ref(), &s.ity);
    assert!(
        stored.equals(&valid_identity(listed.identity.as_ref(), &s.ity)),
        "{stored:?}"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_config_holds_what_a_user_writes() {
    let s = Setup::new().await;
    let events = s
        .list(s.config(None, Some(&lb(1)), Some("lbl-l1http0")), true, 100)
        .await;
    let layer7 = events[0].resource_object.clone().unwrap();
    let resp = s.client.generate_resource_config(TYPE, layer7).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let config = value_of(resp.config.as_ref(), &s.rty);
    let expected = Value::object([
        ("id", Value::Null),
        ("load_balancer_id", Value::string(lb(1))),
        ("listener_id", Value::string("lbl-l1http0")),
        ("location_id", Value::string("loc-l1web00")),
        ("target_group_id", Value::string(WEB)),
        // The cloud's default weight: what a user who never set one has.
        ("weight", Value::Null),
        // The region stays: an import may come from another region than the provider's
        // (`@REGION`, an identity's `region`), and without it the next plan would replace.
        ("region", Value::string("ap-guangzhou")),
        ("timeouts", Value::Null),
    ]);
    assert!(config.equals(&expected), "{config:?}");
    // A weight a user chose stays.
    let events = s
        .list(
            s.config(None, Some(&lb(1)), Some("lbl-l1n00041")),
            true,
            100,
        )
        .await;
    let layer4 = events[0].resource_object.clone().unwrap();
    let config = value_of(
        s.client
            .generate_resource_config(TYPE, layer4)
            .await
            .config
            .as_ref(),
        &s.rty,
    );
    assert_eq!(attr(&config, "weight"), Value::int(42));
    assert_eq!(attr(&config, "location_id"), Value::Null);
    assert_eq!(attr(&config, "id"), Value::Null);
    // A binding imported from ap-shanghai is configured in ap-shanghai.
    let mut elsewhere = value_of(events[0].resource_object.as_ref(), &s.rty);
    elsewhere.set_attr("region", Value::string("ap-shanghai"));
    let config = value_of(
        s.client
            .generate_resource_config(TYPE, dynamic(&elsewhere, &s.rty))
            .await
            .config
            .as_ref(),
        &s.rty,
    );
    assert_eq!(attr(&config, "region"), Value::string("ap-shanghai"));
    // No state, no configuration: a diagnostic, not a crash.
    let empty = s
        .client
        .generate_resource_config(TYPE, dynamic(&Value::Null, &s.rty))
        .await;
    assert!(empty.config.is_none());
    assert!(errors(&empty.diagnostics)[0].contains("Cannot generate configuration"));
    s.stop().await;
}
