//! Resource identity of `tencentcloud_clb_target_group_association` at the protocol level, and
//! MoveResourceState as OpenTofu may call it: a client over the real transport (strict mTLS, our
//! `proto/`) calls each RPC as Terraform 1.12 would, against the provider configured for an
//! in-process emulator, and checks the answers by Terraform's rules for identities: present and
//! wholly known, of the identity schema's type, and unchanged by a refresh or an in-place plan.
//! (Terraform 1.12+ cannot be installed here; Terraform 1.11, which never sends identities, runs
//! the resource end to end in the other `clb_*` tests.)

#[path = "support/provider_client.rs"]
mod provider_client;

use std::sync::Arc;
use std::time::Duration;

use provider_client::{
    ProviderClient, dynamic, errors, identity_data, identity_type, pb, valid_identity, value_of,
};
use serde_json::json;
use tencentcloud_emulator::{self as emulator, EmulatorConfig, RunningEmulator};
use tencentcloud_provider::clb::{
    provider::TencentCloudProvider, provider::config as provider_config, resource,
};
use tfplug::server::RunningServer;
use tfplug::value::{Type, Value};

const TYPE: &str = "tencentcloud_clb_target_group_association";
const OFFICIAL: &str = "registry.terraform.io/tencentcloudstack/tencentcloud";

struct Setup {
    server: RunningServer,
    client: ProviderClient,
    emu: RunningEmulator,
    /// The identity type as Terraform derives it from GetResourceIdentitySchemas.
    ity: Type,
}

impl Setup {
    async fn new() -> Setup {
        let mut world: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/examples/emulator/world.json"
            ))
            .unwrap(),
        )
        .unwrap();
        // A load balancer and a target group in ap-shanghai, beside the provider's ap-guangzhou.
        world["LoadBalancers"].as_array_mut().unwrap().push(json!({
            "LoadBalancerId": "lb-sh000001", "VpcId": "vpc-sh000001", "Region": "ap-shanghai",
            "Listeners": [{"ListenerId": "lbl-sh000001", "Protocol": "TCP", "Port": 80,
                           "TargetType": "TARGETGROUP"}]
        }));
        world["TargetGroups"].as_array_mut().unwrap().push(json!({
            "TargetGroupId": "lbtg-sh000001", "VpcId": "vpc-sh000001", "Region": "ap-shanghai",
            "TargetGroupType": "v2", "Protocol": "TCP", "Port": 80
        }));
        let mut world: emulator::World = serde_json::from_value(world).unwrap();
        world.normalize().expect("a consistent world");
        let emu = emulator::start(EmulatorConfig {
            seed: Some(world),
            task_duration: Duration::from_millis(50),
            rate_limit_per_second: 0,
            ..EmulatorConfig::default()
        })
        .await
        .expect("emulator");
        let (server, client, ity) = provider_for(&emu).await;
        Setup {
            server,
            client,
            emu,
            ity,
        }
    }

    /// Replaces the provider by a new one against the same emulator, as the next Terraform
    /// command does: a provider process serves one command.
    async fn next_command(&mut self) {
        let (server, client, ity) = provider_for(&self.emu).await;
        std::mem::replace(&mut self.server, server).shutdown().await;
        self.client = client;
        self.ity = ity;
    }

    async fn stop(self) {
        self.server.shutdown().await;
        self.emu.shutdown().await;
    }

    fn bindings(&self) -> usize {
        self.emu.world().associations.len()
    }
}

/// A provider served over mTLS and configured for `emu`, with the identity type as Terraform
/// derives it from GetResourceIdentitySchemas.
async fn provider_for(emu: &RunningEmulator) -> (RunningServer, ProviderClient, Type) {
    let (server, client) =
        provider_client::start(Arc::new(TencentCloudProvider::new()) as Arc<_>).await;
    let schemas = client.get_resource_identity_schemas().await;
    let ity = identity_type(&schemas.identity_schemas[TYPE]);
    let pty = provider_config::schema().value_type();
    let Type::Object(attrs) = &pty else {
        unreachable!()
    };
    let mut config = Value::object(attrs.keys().map(|k| (k.clone(), Value::Null)));
    config.set_attr("endpoint", Value::string(emu.base_url()));
    config.set_attr("secret_id", Value::string(emulator::DEFAULT_SECRET_ID));
    config.set_attr("secret_key", Value::string(emulator::DEFAULT_SECRET_KEY));
    config.set_attr("region", Value::string("ap-guangzhou"));
    let resp = client.configure(&config, &pty).await;
    assert!(
        errors(&resp.diagnostics).is_empty(),
        "{:?}",
        resp.diagnostics
    );
    (server, client, ity)
}

fn rty() -> Type {
    resource::schema().value_type()
}

/// A configuration (or proposed state) of the resource; computed attributes null.
fn config(lbl: &str, loc: Option<&str>, tg: &str, weight: Option<i64>) -> Value {
    Value::object([
        ("id", Value::Null),
        ("load_balancer_id", Value::string("lb-demo0001")),
        ("listener_id", Value::string(lbl)),
        ("location_id", loc.map_or(Value::Null, Value::string)),
        ("target_group_id", Value::string(tg)),
        ("weight", weight.map_or(Value::Null, Value::int)),
        ("region", Value::Null),
        ("timeouts", Value::Null),
    ])
}

/// The identity of a binding on `lb-demo0001`, in the provider's region (ap-guangzhou).
fn identity(lbl: &str, loc: Option<&str>, tg: &str) -> Value {
    Value::object([
        ("load_balancer_id", Value::string("lb-demo0001")),
        ("listener_id", Value::string(lbl)),
        ("target_group_id", Value::string(tg)),
        ("location_id", loc.map_or(Value::Null, Value::string)),
        ("region", Value::string("ap-guangzhou")),
    ])
}

/// The binding in ap-shanghai: its configuration and its identity.
fn shanghai() -> (Value, Value) {
    let mut cfg = config("lbl-sh000001", None, "lbtg-sh000001", Some(40));
    cfg.set_attr("load_balancer_id", Value::string("lb-sh000001"));
    cfg.set_attr("region", Value::string("ap-shanghai"));
    let identity = Value::object([
        ("load_balancer_id", Value::string("lb-sh000001")),
        ("listener_id", Value::string("lbl-sh000001")),
        ("target_group_id", Value::string("lbtg-sh000001")),
        ("location_id", Value::Null),
        ("region", Value::string("ap-shanghai")),
    ]);
    (cfg, identity)
}

/// `identity` as version 0 stored it: without region.
fn version_0(identity: &Value) -> serde_json::Value {
    let field = |name: &str| match identity.get_attr(name).and_then(Value::as_str) {
        Some(s) => json!(s),
        None => serde_json::Value::Null,
    };
    json!({"load_balancer_id": field("load_balancer_id"), "listener_id": field("listener_id"),
           "target_group_id": field("target_group_id"), "location_id": field("location_id")})
}

async fn upgrade(s: &Setup, version: i64, raw: Vec<u8>) -> pb::upgrade_resource_identity::Response {
    s.client
        .upgrade_resource_identity(pb::upgrade_resource_identity::Request {
            type_name: TYPE.into(),
            version,
            raw_identity: Some(pb::RawState {
                json: raw,
                flatmap: Default::default(),
            }),
        })
        .await
}

/// Plans and applies a create of `cfg` as Terraform 1.12 does; returns the new state and identity.
async fn create(s: &Setup, cfg: &Value) -> (Value, Value) {
    let (c, ty, ity) = (&s.client, rty(), &s.ity);
    let plan = c
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: Some(dynamic(&Value::Null, &ty)),
            proposed_new_state: Some(dynamic(cfg, &ty)),
            config: Some(dynamic(cfg, &ty)),
            ..Default::default()
        })
        .await;
    assert!(
        errors(&plan.diagnostics).is_empty(),
        "{:?}",
        plan.diagnostics
    );
    // The coordinates are known at plan time, so the identity is planned, wholly known.
    let planned_identity = valid_identity(plan.planned_identity.as_ref(), ity);
    let applied = c
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: Some(dynamic(&Value::Null, &ty)),
            planned_state: plan.planned_state.clone(),
            config: Some(dynamic(cfg, &ty)),
            planned_private: plan.planned_private.clone(),
            planned_identity: plan.planned_identity.clone(),
            ..Default::default()
        })
        .await;
    assert!(
        errors(&applied.diagnostics).is_empty(),
        "{:?}",
        applied.diagnostics
    );
    let new_identity = valid_identity(applied.new_identity.as_ref(), ity);
    assert!(
        new_identity.equals(&planned_identity),
        "apply changed the planned identity: {new_identity:?} vs {planned_identity:?}"
    );
    (value_of(applied.new_state.as_ref(), &ty), new_identity)
}

async fn read(s: &Setup, state: &Value, stored: Option<&Value>) -> pb::read_resource::Response {
    s.client
        .read_resource(pb::read_resource::Request {
            type_name: TYPE.into(),
            current_state: Some(dynamic(state, &rty())),
            current_identity: stored.map(|i| identity_data(i, &s.ity)),
            ..Default::default()
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_schema_and_capabilities_as_terraform_1_12_reads_them() {
    let s = Setup::new().await;
    let schemas = s.client.get_resource_identity_schemas().await;
    let ours = &schemas.identity_schemas[TYPE];
    assert_eq!(ours.version, 1);
    let attrs: Vec<(&str, bool, bool, &[u8])> = ours
        .identity_attributes
        .iter()
        .map(|a| {
            assert!(!a.description.is_empty(), "{} undescribed", a.name);
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
            ("load_balancer_id", true, false, &b"\"string\""[..]),
            ("listener_id", true, false, &b"\"string\""[..]),
            ("target_group_id", true, false, &b"\"string\""[..]),
            ("location_id", false, true, &b"\"string\""[..]),
            ("region", false, true, &b"\"string\""[..]),
        ]
    );
    let schema = s.client.get_provider_schema().await;
    assert!(schema.server_capabilities.unwrap().move_resource_state);
    assert!(
        schema
            .data_source_schemas
            .contains_key("tencentcloud_clb_target_group_associations")
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_read_plan_and_delete_return_a_known_stable_identity() {
    let mut s = Setup::new().await;
    let (c, ty) = (&s.client, rty());
    let cfg = config("lbl-http0001", Some("loc-api00001"), "lbtg-api00001", None);
    let (state, id) = create(&s, &cfg).await;
    assert!(id.equals(&identity(
        "lbl-http0001",
        Some("loc-api00001"),
        "lbtg-api00001"
    )));
    assert_eq!(s.bindings(), 1);

    // Refresh with the stored identity: the same identity back.
    let r = read(&s, &state, Some(&id)).await;
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    assert!(valid_identity(r.new_identity.as_ref(), &s.ity).equals(&id));
    // Refresh of a state stored by Terraform 1.11 (no identity yet): the identity appears.
    let r = read(&s, &state, None).await;
    assert!(valid_identity(r.new_identity.as_ref(), &s.ity).equals(&id));
    // A stored identity that disagrees with the state is refused, not silently replaced.
    let other = identity("lbl-http0001", Some("loc-web00001"), "lbtg-api00001");
    let r = read(&s, &state, Some(&other)).await;
    assert!(
        errors(&r.diagnostics)
            .iter()
            .any(|e| e.contains("identity different from the stored one")),
        "{:?}",
        r.diagnostics
    );

    // A no-op plan keeps the identity; a `timeouts` change (in place) too.
    let mut with_timeouts = cfg.clone();
    with_timeouts.set_attr(
        "timeouts",
        Value::object([("create", Value::string("5m")), ("delete", Value::Null)]),
    );
    for new_config in [cfg.clone(), with_timeouts] {
        let mut proposed = new_config.clone();
        proposed.set_attr("id", state.get_attr("id").unwrap().clone());
        proposed.set_attr("weight", state.get_attr("weight").unwrap().clone());
        proposed.set_attr("region", state.get_attr("region").unwrap().clone());
        let plan = c
            .plan_resource_change(pb::plan_resource_change::Request {
                type_name: TYPE.into(),
                prior_state: Some(dynamic(&state, &ty)),
                proposed_new_state: Some(dynamic(&proposed, &ty)),
                config: Some(dynamic(&new_config, &ty)),
                prior_identity: Some(identity_data(&id, &s.ity)),
                ..Default::default()
            })
            .await;
        assert!(
            errors(&plan.diagnostics).is_empty(),
            "{:?}",
            plan.diagnostics
        );
        assert!(plan.requires_replace.is_empty());
        assert!(valid_identity(plan.planned_identity.as_ref(), &s.ity).equals(&id));
    }

    // A replacement (another rule) plans the new binding's identity.
    let moved = config("lbl-http0001", Some("loc-web00001"), "lbtg-api00001", None);
    let plan = c
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: Some(dynamic(&state, &ty)),
            proposed_new_state: Some(dynamic(&moved, &ty)),
            config: Some(dynamic(&moved, &ty)),
            prior_identity: Some(identity_data(&id, &s.ity)),
            ..Default::default()
        })
        .await;
    assert!(
        errors(&plan.diagnostics).is_empty(),
        "{:?}",
        plan.diagnostics
    );
    assert!(!plan.requires_replace.is_empty());
    assert!(
        valid_identity(plan.planned_identity.as_ref(), &s.ity).equals(&identity(
            "lbl-http0001",
            Some("loc-web00001"),
            "lbtg-api00001"
        ))
    );

    // Coordinates unknown at plan time: no identity is planned rather than a partial one.
    let mut unknown = cfg.clone();
    unknown.set_attr("listener_id", Value::Unknown);
    let plan = c
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: Some(dynamic(&Value::Null, &ty)),
            proposed_new_state: Some(dynamic(&unknown, &ty)),
            config: Some(dynamic(&unknown, &ty)),
            ..Default::default()
        })
        .await;
    assert!(
        errors(&plan.diagnostics).is_empty(),
        "{:?}",
        plan.diagnostics
    );
    assert!(
        plan.planned_identity.is_none(),
        "{:?}",
        plan.planned_identity
    );

    // Destroy, by the next command as Terraform runs it (this test keeps no private data, and the
    // same process would take a delete without its object's mark for the deposed half of a
    // replacement): no identity after, and the binding is gone.
    s.next_command().await;
    let c = &s.client;
    let destroyed = c
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: Some(dynamic(&state, &ty)),
            planned_state: Some(dynamic(&Value::Null, &ty)),
            config: Some(dynamic(&Value::Null, &ty)),
            planned_identity: Some(identity_data(&id, &s.ity)),
            ..Default::default()
        })
        .await;
    assert!(
        errors(&destroyed.diagnostics).is_empty(),
        "{:?}",
        destroyed.diagnostics
    );
    assert!(value_of(destroyed.new_state.as_ref(), &ty).is_null());
    assert_eq!(s.bindings(), 0);
    // A refresh now finds nothing: null state, no identity.
    let r = read(&s, &state, Some(&id)).await;
    assert!(value_of(r.new_state.as_ref(), &ty).is_null());
    assert!(r.new_identity.is_none());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_by_identity_or_id_returns_the_identity_and_refuses_bad_ones() {
    let s = Setup::new().await;
    let (c, ty, ity) = (&s.client, rty(), &s.ity);
    // A layer-4 binding made outside Terraform.
    let (made, _) = create(&s, &config("lbl-tcp00001", None, "lbtg-web00001", Some(30))).await;
    let l4 = identity("lbl-tcp00001", None, "lbtg-web00001");

    // By identity (`import { identity = {...} }`), location_id left null for layer 4.
    let imported = c
        .import_resource_state(pb::import_resource_state::Request {
            type_name: TYPE.into(),
            identity: Some(identity_data(&l4, ity)),
            ..Default::default()
        })
        .await;
    assert!(
        errors(&imported.diagnostics).is_empty(),
        "{:?}",
        imported.diagnostics
    );
    let one = &imported.imported_resources[0];
    assert_eq!(one.type_name, TYPE);
    assert!(valid_identity(one.identity.as_ref(), ity).equals(&l4));
    let state = value_of(one.state.as_ref(), &ty);
    assert_eq!(
        state.get_attr("id").and_then(Value::as_str),
        Some("lb-demo0001#lbl-tcp00001#lbtg-web00001")
    );
    // Terraform then reads it: the weight comes from the cloud, the identity stays.
    let r = read(&s, &state, Some(&l4)).await;
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    let read_state = value_of(r.new_state.as_ref(), &ty);
    assert!(read_state.equals(&made), "{read_state:?} vs {made:?}");
    assert!(valid_identity(r.new_identity.as_ref(), ity).equals(&l4));

    // By ID (the official form works too): the identity is derived from it.
    for raw in [
        "lb-demo0001#lbl-tcp00001#lbtg-web00001",
        "lbtg-web00001#lbl-tcp00001#lb-demo0001#",
    ] {
        let imported = c
            .import_resource_state(pb::import_resource_state::Request {
                type_name: TYPE.into(),
                id: raw.into(),
                ..Default::default()
            })
            .await;
        assert!(
            errors(&imported.diagnostics).is_empty(),
            "{:?}",
            imported.diagnostics
        );
        assert!(valid_identity(imported.imported_resources[0].identity.as_ref(), ity).equals(&l4));
    }

    // Bad identities: a missing required attribute, an unknown one, a malformed ID.
    let mut missing = l4.clone();
    missing.set_attr("target_group_id", Value::Null);
    let mut unknown = l4.clone();
    unknown.set_attr("listener_id", Value::Unknown);
    let mut malformed = l4.clone();
    malformed.set_attr("listener_id", Value::string("lb-demo0001"));
    malformed.set_attr("location_id", Value::string("rule-1"));
    for (bad, needles) in [
        (
            missing,
            vec!["Missing required identity attribute", "target_group_id"],
        ),
        (unknown, vec!["Identity attribute not known", "listener_id"]),
        (
            malformed,
            vec![
                "Invalid identity",
                "is not a listener ID",
                "is not a forwarding rule ID",
            ],
        ),
    ] {
        let imported = c
            .import_resource_state(pb::import_resource_state::Request {
                type_name: TYPE.into(),
                identity: Some(identity_data(&bad, ity)),
                ..Default::default()
            })
            .await;
        assert!(imported.imported_resources.is_empty());
        let text = errors(&imported.diagnostics).join("\n");
        for n in &needles {
            assert!(text.contains(n), "{n:?} missing in {text}");
        }
        // Each error points at its identity attribute.
        assert!(
            imported
                .diagnostics
                .iter()
                .all(|d| d.attribute.as_ref().is_some_and(|a| !a.steps.is_empty())),
            "{:?}",
            imported.diagnostics
        );
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_identities_are_upgraded_or_refused() {
    let s = Setup::new().await;
    let l4 = identity("lbl-tcp00001", None, "lbtg-web00001");
    let stored = version_0(&l4);
    // Version 0 (no region) becomes version 1 with region null: the upgrade sees no state, so
    // it does not guess; the next read fills it in.
    let up = upgrade(&s, 0, serde_json::to_vec(&stored).unwrap()).await;
    assert!(errors(&up.diagnostics).is_empty(), "{:?}", up.diagnostics);
    let mut without_region = l4.clone();
    without_region.set_attr("region", Value::Null);
    assert!(
        valid_identity(up.upgraded_identity.as_ref(), &s.ity).equals(&without_region),
        "{:?}",
        up.upgraded_identity
    );
    for (version, raw, needle) in [
        (2, serde_json::to_vec(&stored).unwrap(), "newer provider"),
        (0, b"{not json".to_vec(), "not valid JSON"),
        (0, br#"{"listener_id": 7}"#.to_vec(), "expected a string"),
    ] {
        let up = upgrade(&s, version, raw).await;
        assert!(up.upgraded_identity.is_none());
        let text = errors(&up.diagnostics).join("\n");
        assert!(text.contains(needle), "{needle:?} missing in {text}");
    }
    s.stop().await;
}

/// Terraform 1.12+ upgrades a version-0 identity, then refreshes with it and plans with what the
/// refresh stored (or, with `-refresh=false`, with the upgraded one): nothing may trip the
/// rule that an identity never changes, and the refresh completes the region from the state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_after_an_upgrade_completes_the_region_and_keeps_the_identity_stable() {
    let s = Setup::new().await;
    let (c, ty, ity) = (&s.client, rty(), &s.ity);
    for cfg in [
        config("lbl-http0001", Some("loc-api00001"), "lbtg-api00001", None),
        shanghai().0,
    ] {
        let (state, full) = create(&s, &cfg).await;
        let up = upgrade(&s, 0, serde_json::to_vec(&version_0(&full)).unwrap()).await;
        assert!(errors(&up.diagnostics).is_empty(), "{:?}", up.diagnostics);
        let upgraded = valid_identity(up.upgraded_identity.as_ref(), ity);
        // The refresh: the region of the state (ap-shanghai for the second), no error.
        let r = read(&s, &state, Some(&upgraded)).await;
        assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
        assert!(value_of(r.new_state.as_ref(), &ty).equals(&state));
        let refreshed = valid_identity(r.new_identity.as_ref(), ity);
        assert!(refreshed.equals(&full), "{refreshed:?} vs {full:?}");
        // The next refresh keeps it exactly.
        let again = read(&s, &state, Some(&refreshed)).await;
        assert!(
            errors(&again.diagnostics).is_empty(),
            "{:?}",
            again.diagnostics
        );
        assert!(valid_identity(again.new_identity.as_ref(), ity).equals(&full));
        // `plan -refresh=false`: a no-op plan on the upgraded identity plans the full one.
        let plan = c
            .plan_resource_change(pb::plan_resource_change::Request {
                type_name: TYPE.into(),
                prior_state: Some(dynamic(&state, &ty)),
                proposed_new_state: Some(dynamic(&state, &ty)),
                config: Some(dynamic(&cfg, &ty)),
                prior_identity: Some(identity_data(&upgraded, ity)),
                ..Default::default()
            })
            .await;
        assert!(
            errors(&plan.diagnostics).is_empty(),
            "{:?}",
            plan.diagnostics
        );
        assert!(plan.requires_replace.is_empty());
        assert!(valid_identity(plan.planned_identity.as_ref(), ity).equals(&full));
        // Completing is not changing: a stored region is never replaced by another.
        let mut elsewhere = full.clone();
        elsewhere.set_attr("region", Value::string("ap-beijing"));
        let r = read(&s, &state, Some(&elsewhere)).await;
        assert!(
            errors(&r.diagnostics)
                .iter()
                .any(|e| e.contains("identity different from the stored one")),
            "{:?}",
            r.diagnostics
        );
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_by_identity_or_id_with_a_region_reads_from_that_region() {
    let s = Setup::new().await;
    let (c, ty, ity) = (&s.client, rty(), &s.ity);
    let (cfg, sh) = shanghai();
    let (made, _) = create(&s, &cfg).await;
    assert_eq!(
        made.get_attr("region").and_then(Value::as_str),
        Some("ap-shanghai")
    );
    let by_identity = pb::import_resource_state::Request {
        type_name: TYPE.into(),
        identity: Some(identity_data(&sh, ity)),
        ..Default::default()
    };
    let by_id = pb::import_resource_state::Request {
        type_name: TYPE.into(),
        id: "lb-sh000001#lbl-sh000001#lbtg-sh000001@ap-shanghai".into(),
        ..Default::default()
    };
    for req in [by_identity, by_id] {
        let imported = c.import_resource_state(req).await;
        assert!(
            errors(&imported.diagnostics).is_empty(),
            "{:?}",
            imported.diagnostics
        );
        let one = &imported.imported_resources[0];
        assert!(valid_identity(one.identity.as_ref(), ity).equals(&sh));
        let state = value_of(one.state.as_ref(), &ty);
        assert_eq!(
            state.get_attr("region").and_then(Value::as_str),
            Some("ap-shanghai")
        );
        // The read goes to ap-shanghai: the binding is found there, weight and all.
        let r = s
            .client
            .read_resource(pb::read_resource::Request {
                type_name: TYPE.into(),
                current_state: one.state.clone(),
                private: one.private.clone(),
                current_identity: one.identity.clone(),
                ..Default::default()
            })
            .await;
        assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
        let read_state = value_of(r.new_state.as_ref(), &ty);
        assert!(read_state.equals(&made), "{read_state:?} vs {made:?}");
        assert!(valid_identity(r.new_identity.as_ref(), ity).equals(&sh));
    }
    // Without a region: the provider's, where this binding does not exist.
    let mut no_region = sh.clone();
    no_region.set_attr("region", Value::Null);
    let imported = c
        .import_resource_state(pb::import_resource_state::Request {
            type_name: TYPE.into(),
            identity: Some(identity_data(&no_region, ity)),
            ..Default::default()
        })
        .await;
    let one = &imported.imported_resources[0];
    let mut guangzhou = sh.clone();
    guangzhou.set_attr("region", Value::string("ap-guangzhou"));
    assert!(valid_identity(one.identity.as_ref(), ity).equals(&guangzhou));
    let r = s
        .client
        .read_resource(pb::read_resource::Request {
            type_name: TYPE.into(),
            current_state: one.state.clone(),
            current_identity: one.identity.clone(),
            private: one.private.clone(),
            ..Default::default()
        })
        .await;
    assert!(value_of(r.new_state.as_ref(), &ty).is_null());
    // A malformed region, in an identity or after '@', is refused on its attribute.
    let mut bad = sh.clone();
    bad.set_attr("region", Value::string("Shanghai"));
    let imported = c
        .import_resource_state(pb::import_resource_state::Request {
            type_name: TYPE.into(),
            identity: Some(identity_data(&bad, ity)),
            ..Default::default()
        })
        .await;
    assert!(imported.imported_resources.is_empty());
    let text = errors(&imported.diagnostics).join("\n");
    assert!(text.contains("is not a region"), "{text}");
    let imported = c
        .import_resource_state(pb::import_resource_state::Request {
            type_name: TYPE.into(),
            id: "lb-sh000001#lbl-sh000001#lbtg-sh000001@".into(),
            ..Default::default()
        })
        .await;
    assert!(imported.imported_resources.is_empty());
    let text = errors(&imported.diagnostics).join("\n");
    assert!(
        text.contains("region after '@'") && text.contains("@REGION"),
        "{text}"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn move_from_the_official_attachment_and_refusals() {
    let s = Setup::new().await;
    let (c, ty, ity) = (&s.client, rty(), &s.ity);
    let mv = |provider: &str, type_name: &str, state: serde_json::Value| {
        pb::move_resource_state::Request {
            source_provider_address: provider.into(),
            source_type_name: type_name.into(),
            source_schema_version: 0,
            source_state: Some(pb::RawState {
                json: serde_json::to_vec(&state).unwrap(),
                flatmap: Default::default(),
            }),
            target_type_name: TYPE.into(),
            ..Default::default()
        }
    };
    let official = json!({"id": "lbtg-api00001#lbl-http0001#lb-demo0001#loc-api00001",
        "clb_id": "lb-demo0001", "listener_id": "lbl-http0001", "rule_id": "loc-api00001",
        "target_group_id": "lbtg-api00001"});
    for provider in [
        OFFICIAL,
        "registry.opentofu.org/tencentcloudstack/tencentcloud",
    ] {
        let moved = c
            .move_resource_state(mv(
                provider,
                "tencentcloud_clb_target_group_attachment",
                official.clone(),
            ))
            .await;
        assert!(
            errors(&moved.diagnostics).is_empty(),
            "{:?}",
            moved.diagnostics
        );
        let state = value_of(moved.target_state.as_ref(), &ty);
        assert_eq!(
            state.get_attr("id").and_then(Value::as_str),
            Some("lb-demo0001#lbl-http0001#loc-api00001#lbtg-api00001")
        );
        assert!(
            valid_identity(moved.target_identity.as_ref(), ity).equals(&identity(
                "lbl-http0001",
                Some("loc-api00001"),
                "lbtg-api00001"
            ))
        );
    }
    // A move never calls the API.
    let calls: u64 = s.emu.metrics().calls.values().sum();
    assert_eq!(calls, 0, "{:?}", s.emu.metrics().calls);

    for (provider, type_name, state, needle) in [
        (
            OFFICIAL,
            "tencentcloud_clb_listener",
            official.clone(),
            "Unsupported move source",
        ),
        (
            "registry.terraform.io/hashicorp/aws",
            "tencentcloud_clb_target_group_attachment",
            official.clone(),
            "Unsupported move source",
        ),
        (
            OFFICIAL,
            "tencentcloud_clb_target_group_attachment",
            json!({"clb_id": "lb-demo0001"}),
            "neither",
        ),
    ] {
        let moved = c.move_resource_state(mv(provider, type_name, state)).await;
        assert!(moved.target_state.is_none());
        let text = errors(&moved.diagnostics).join("\n");
        assert!(text.contains(needle), "{needle:?} missing in {text}");
        assert!(text.contains("removed"), "advice missing in {text}");
    }
    s.stop().await;
}

#[test]
fn resource_doc_names_every_identity_attribute() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/resources/clb_target_group_association.md"
    ))
    .unwrap();
    assert!(
        doc.contains("identity = {"),
        "no import-by-identity example"
    );
    let schema = tencentcloud_provider::clb::binding::identity::identity_schema();
    assert_eq!(schema.attributes.len(), 5);
    assert!(doc.contains("@ap-shanghai"), "no import ID with a region");
    for a in &schema.attributes {
        assert!(
            doc.contains(&format!("| `{}` |", a.name)),
            "the identity table lacks `{}`",
            a.name
        );
    }
}
