//! Framework behaviour at the RPC boundary, driven with protobuf requests directly.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::FrameworkServer;
use crate::proto::tfplugin6 as pb;
use crate::provider::*;
use crate::resource::*;
use crate::schema::{Attribute, Block, Schema};
use crate::value::{AttributePath, Type, Value, from_msgpack, to_msgpack};

struct P {
    res: Arc<R>,
    seen_config: Mutex<Option<Value>>,
}

#[derive(Default)]
struct R {
    modify_calls: AtomicUsize,
    fail_create: bool,
    read_gone: bool,
}

fn schema() -> Schema {
    Schema::new(
        2,
        Block::new()
            .attribute(Attribute::string("id").computed())
            .attribute(Attribute::string("name").required())
            .attribute(Attribute::string("zone").optional()),
    )
}

#[derive(Serialize, Deserialize)]
struct Thing {
    id: Option<String>,
    name: String,
    zone: Option<String>,
}

#[async_trait]
impl Provider for P {
    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new().attribute(Attribute::string("region").optional()),
        )
    }
    async fn configure(
        &self,
        _ctx: &Context,
        req: ConfigureProviderRequest,
        _resp: &mut ConfigureProviderResponse,
    ) {
        *self.seen_config.lock().unwrap() = Some(req.config.into_value());
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![self.res.clone()]
    }
}

#[async_trait]
impl Resource for R {
    fn type_name(&self) -> &str {
        "t_thing"
    }
    fn schema(&self) -> Schema {
        schema()
    }
    async fn create(&self, _ctx: &Context, req: CreateRequest, resp: &mut CreateResponse) {
        if self.fail_create {
            resp.diagnostics.error("boom", "cloud said no");
            return;
        }
        let mut thing: Thing = req.config.get().unwrap();
        thing.id = Some("x1".into());
        resp.state.set(&thing).unwrap();
    }
    async fn read(&self, _ctx: &Context, _req: ReadRequest, resp: &mut ReadResponse) {
        if self.read_gone {
            resp.state.set_null();
        }
    }
    async fn update(&self, _ctx: &Context, _req: UpdateRequest, _resp: &mut UpdateResponse) {}
    async fn delete(&self, _ctx: &Context, _req: DeleteRequest, _resp: &mut DeleteResponse) {}
    fn plan_modifier(&self) -> Option<&dyn ResourceModifyPlan> {
        Some(self)
    }
    fn state_upgrader(&self) -> Option<&dyn ResourceUpgradeState> {
        Some(self)
    }
}

#[async_trait]
impl ResourceUpgradeState for R {
    async fn upgrade_state(
        &self,
        _ctx: &Context,
        req: UpgradeStateRequest,
        resp: &mut UpgradeStateResponse,
    ) {
        // Version 1 called the name "title".
        if req.version != 1 {
            resp.diagnostics
                .error("no upgrade path", format!("from version {}", req.version));
            return;
        }
        #[derive(Deserialize)]
        struct V1 {
            id: String,
            title: String,
        }
        #[derive(Serialize)]
        struct V2 {
            id: String,
            name: String,
        }
        let Some(v1) = resp.diagnostics.capture(req.raw_state_as::<V1>()) else {
            return;
        };
        resp.set_state(&V2 {
            id: v1.id,
            name: v1.title,
        });
    }
}

#[async_trait]
impl ResourceModifyPlan for R {
    async fn modify_plan(
        &self,
        _ctx: &Context,
        _req: ModifyPlanRequest,
        resp: &mut ModifyPlanResponse,
    ) {
        self.modify_calls.fetch_add(1, Ordering::SeqCst);
        // Zone is chosen by the "cloud" when unset: plan a fixed value for the test.
        if resp
            .plan
            .get_attr::<Option<String>>("zone")
            .unwrap()
            .is_none()
        {
            resp.plan.set_attr("zone", &"z-1").unwrap();
        }
        resp.requires_replace = vec![AttributePath::root().attr("zone")];
    }
}

fn server(r: R) -> (FrameworkServer, Arc<R>) {
    let res = Arc::new(r);
    let p = Arc::new(P {
        res: res.clone(),
        seen_config: Mutex::new(None),
    });
    (FrameworkServer::new(p), res)
}

fn dv(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: to_msgpack(v, ty).unwrap(),
        json: vec![],
    })
}

fn obj(name: &str) -> Value {
    Value::object([
        ("id", Value::Null),
        ("name", Value::string(name)),
        ("zone", Value::Null),
    ])
}

#[tokio::test]
async fn stop_cancels_in_flight_contexts_and_rearms() {
    let (s, _) = server(R::default());
    let before = s.context();
    pb::provider_server::Provider::stop_provider(
        &s,
        tonic::Request::new(pb::stop_provider::Request {}),
    )
    .await
    .unwrap();
    assert!(before.cancel.is_cancelled());
    assert!(
        !s.context().cancel.is_cancelled(),
        "later requests get a fresh token"
    );
}

#[tokio::test]
async fn upgrade_reencodes_json_with_current_schema() {
    let (s, _) = server(R::default());
    let req = pb::upgrade_resource_state::Request {
        type_name: "t_thing".into(),
        version: 2,
        raw_state: Some(pb::RawState {
            json: br#"{"id":"x1","name":"a","obsolete":true}"#.to_vec(),
            flatmap: Default::default(),
        }),
    };
    let resp = s.upgrade_resource_state(req).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let v = from_msgpack(
        &resp.upgraded_state.unwrap().msgpack,
        &schema().value_type(),
    )
    .unwrap();
    assert_eq!(
        v,
        Value::object([
            ("id", "x1".into()),
            ("name", "a".into()),
            ("zone", Value::Null)
        ])
    );
}

#[tokio::test]
async fn upgrade_from_newer_version_is_a_diagnostic() {
    let (s, _) = server(R::default());
    let resp = s
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: "t_thing".into(),
            version: 7,
            raw_state: Some(pb::RawState {
                json: b"{}".to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await;
    assert_eq!(resp.diagnostics.len(), 1);
    assert!(resp.diagnostics[0].detail.contains("Upgrade the provider"));
}

#[tokio::test]
async fn unknown_type_and_garbage_input_are_diagnostics_not_errors() {
    let (s, _) = server(R::default());
    let resp = pb::provider_server::Provider::plan_resource_change(
        &s,
        tonic::Request::new(pb::plan_resource_change::Request {
            type_name: "t_nope".into(),
            ..Default::default()
        }),
    )
    .await
    .expect("no gRPC error")
    .into_inner();
    assert!(
        resp.diagnostics[0]
            .summary
            .contains("Unknown resource type")
    );
    let resp = s
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "t_thing".into(),
            config: Some(pb::DynamicValue {
                msgpack: vec![0x81, 0xa1],
                json: vec![],
            }),
            ..Default::default()
        })
        .await;
    assert_eq!(resp.diagnostics.len(), 1, "{:?}", resp.diagnostics);
}

#[tokio::test]
async fn plan_runs_modifier_but_not_for_destroy() {
    let (s, res) = server(R::default());
    let ty = schema().value_type();
    let cfg = obj("a");
    let resp = s
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "t_thing".into(),
            prior_state: dv(&Value::Null, &ty),
            proposed_new_state: dv(&cfg, &ty),
            config: dv(&cfg, &ty),
            ..Default::default()
        })
        .await;
    assert!(resp.diagnostics.is_empty());
    let planned = from_msgpack(&resp.planned_state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(planned.get_attr("id"), Some(&Value::Unknown));
    assert_eq!(planned.get_attr("zone"), Some(&Value::string("z-1")));
    assert_eq!(res.modify_calls.load(Ordering::SeqCst), 1);

    let prior = Value::object([
        ("id", "x1".into()),
        ("name", "a".into()),
        ("zone", "z-1".into()),
    ]);
    let resp = s
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "t_thing".into(),
            prior_state: dv(&prior, &ty),
            proposed_new_state: dv(&Value::Null, &ty),
            config: dv(&Value::Null, &ty),
            ..Default::default()
        })
        .await;
    let planned = from_msgpack(&resp.planned_state.unwrap().msgpack, &ty).unwrap();
    assert!(planned.is_null());
    assert_eq!(
        res.modify_calls.load(Ordering::SeqCst),
        1,
        "no modifier on destroy"
    );
}

#[tokio::test]
async fn failed_create_records_nothing_and_gone_read_is_null() {
    let (s, _) = server(R {
        fail_create: true,
        read_gone: true,
        ..Default::default()
    });
    let ty = schema().value_type();
    let mut planned = obj("a");
    planned.set_attr("id", Value::Unknown);
    let resp = s
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: "t_thing".into(),
            prior_state: dv(&Value::Null, &ty),
            planned_state: dv(&planned, &ty),
            config: dv(&obj("a"), &ty),
            ..Default::default()
        })
        .await;
    assert_eq!(resp.diagnostics[0].summary, "boom");
    let v = from_msgpack(&resp.new_state.unwrap().msgpack, &ty).unwrap();
    assert!(v.is_null());

    let current = Value::object([
        ("id", "x1".into()),
        ("name", "a".into()),
        ("zone", Value::Null),
    ]);
    let resp = s
        .read_resource(pb::read_resource::Request {
            type_name: "t_thing".into(),
            current_state: dv(&current, &ty),
            ..Default::default()
        })
        .await;
    assert!(resp.diagnostics.is_empty());
    assert!(
        from_msgpack(&resp.new_state.unwrap().msgpack, &ty)
            .unwrap()
            .is_null()
    );
}

#[tokio::test]
async fn unknown_provider_config_reaches_configure() {
    let res = Arc::new(R::default());
    let p = Arc::new(P {
        res,
        seen_config: Mutex::new(None),
    });
    let s = FrameworkServer::new(p.clone());
    let ty = Type::object([("region", Type::String)]);
    let cfg = Value::object([("region", Value::Unknown)]);
    let resp = s
        .configure_provider(pb::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: dv(&cfg, &ty),
            client_capabilities: None,
        })
        .await;
    assert!(resp.diagnostics.is_empty());
    assert_eq!(*p.seen_config.lock().unwrap(), Some(cfg));
}

#[tokio::test]
async fn import_without_importer_is_a_diagnostic() {
    let (s, _) = server(R::default());
    let resp = s
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "t_thing".into(),
            id: "x".into(),
            ..Default::default()
        })
        .await;
    assert!(resp.imported_resources.is_empty());
    assert_eq!(resp.diagnostics[0].summary, "Import not supported");
}

#[tokio::test]
async fn upgrader_migrates_older_versions() {
    let (s, _) = server(R::default());
    let resp = s
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: "t_thing".into(),
            version: 1,
            raw_state: Some(pb::RawState {
                json: br#"{"id":"x1","title":"old name"}"#.to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let v = from_msgpack(
        &resp.upgraded_state.unwrap().msgpack,
        &schema().value_type(),
    )
    .unwrap();
    // Attributes the upgrader left out are filled with null.
    assert_eq!(
        v,
        Value::object([
            ("id", "x1".into()),
            ("name", "old name".into()),
            ("zone", Value::Null)
        ])
    );
    let resp = s
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: "t_thing".into(),
            version: 0,
            raw_state: Some(pb::RawState {
                json: b"{}".to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await;
    assert_eq!(resp.diagnostics[0].summary, "no upgrade path");
    assert!(resp.upgraded_state.is_none());
}

/// A resource with identity that breaks one identity rule on purpose.
#[derive(Clone, Copy, PartialEq)]
enum Misbehave {
    None,
    NoIdentity,
    UnknownIdentity,
    ChangeOnUpdate,
    ChangeInPlan,
}

struct I(Misbehave);

fn ident_ty() -> Type {
    Type::object([("name", Type::String)])
}

#[derive(Serialize, Deserialize)]
struct Ident {
    name: crate::value::Unknowable<String>,
}

impl I {
    fn identity_for(&self, thing_name: &str, identity: &mut Option<crate::typed::TypedValue>) {
        use crate::value::Unknowable;
        let name = match self.0 {
            Misbehave::NoIdentity => return,
            Misbehave::UnknownIdentity => Unknowable::Unknown,
            _ => Unknowable::Known(thing_name.to_string()),
        };
        identity.as_mut().unwrap().set(&Ident { name }).unwrap();
    }
}

#[async_trait]
impl Resource for I {
    fn type_name(&self) -> &str {
        "t_ident"
    }
    fn schema(&self) -> Schema {
        schema()
    }
    async fn create(&self, _ctx: &Context, req: CreateRequest, resp: &mut CreateResponse) {
        let mut thing: Thing = req.config.get().unwrap();
        thing.id = Some("x1".into());
        resp.state.set(&thing).unwrap();
        self.identity_for(&thing.name, &mut resp.identity);
    }
    async fn read(&self, _ctx: &Context, _req: ReadRequest, _resp: &mut ReadResponse) {}
    async fn update(&self, _ctx: &Context, _req: UpdateRequest, resp: &mut UpdateResponse) {
        if self.0 == Misbehave::ChangeOnUpdate {
            self.identity_for("renamed", &mut resp.identity);
        }
    }
    async fn delete(&self, _ctx: &Context, _req: DeleteRequest, _resp: &mut DeleteResponse) {}
    fn identity(&self) -> Option<&dyn ResourceIdentity> {
        Some(self)
    }
    fn plan_modifier(&self) -> Option<&dyn ResourceModifyPlan> {
        Some(self)
    }
}

#[async_trait]
impl ResourceIdentity for I {
    fn identity_schema(&self) -> crate::schema::IdentitySchema {
        crate::schema::IdentitySchema::new(0)
            .attribute(crate::schema::IdentityAttribute::required_string("name"))
    }
}

#[async_trait]
impl ResourceModifyPlan for I {
    async fn modify_plan(
        &self,
        _ctx: &Context,
        _req: ModifyPlanRequest,
        resp: &mut ModifyPlanResponse,
    ) {
        match self.0 {
            Misbehave::ChangeInPlan => self.identity_for("other", &mut resp.identity),
            // Every change replaces the object.
            Misbehave::None => resp.requires_replace = vec![AttributePath::attr_root("zone")],
            _ => {}
        }
    }
}

struct IdentProvider(Misbehave);

#[async_trait]
impl Provider for IdentProvider {
    fn schema(&self) -> Schema {
        Schema::new(0, Block::new())
    }
    async fn configure(
        &self,
        _ctx: &Context,
        _req: ConfigureProviderRequest,
        _resp: &mut ConfigureProviderResponse,
    ) {
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(I(self.0)), Arc::new(R::default())]
    }
}

fn ident(name: &str) -> pb::ResourceIdentityData {
    pb::ResourceIdentityData {
        identity_data: dv(&Value::object([("name", Value::string(name))]), &ident_ty()),
    }
}

async fn create_ident(m: Misbehave) -> pb::apply_resource_change::Response {
    let s = FrameworkServer::new(Arc::new(IdentProvider(m)));
    let ty = schema().value_type();
    let mut planned = obj("a");
    planned.set_attr("id", Value::Unknown);
    s.apply_resource_change(pb::apply_resource_change::Request {
        type_name: "t_ident".into(),
        prior_state: dv(&Value::Null, &ty),
        planned_state: dv(&planned, &ty),
        config: dv(&obj("a"), &ty),
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn create_must_leave_a_wholly_known_identity() {
    let ok = create_ident(Misbehave::None).await;
    assert!(ok.diagnostics.is_empty(), "{:?}", ok.diagnostics);
    let id = from_msgpack(
        &ok.new_identity.unwrap().identity_data.unwrap().msgpack,
        &ident_ty(),
    )
    .unwrap();
    assert_eq!(id, Value::object([("name", Value::string("a"))]));

    let missing = create_ident(Misbehave::NoIdentity).await;
    assert_eq!(missing.diagnostics[0].summary, "Missing resource identity");
    assert!(missing.new_identity.is_none());
    let unknown = create_ident(Misbehave::UnknownIdentity).await;
    assert_eq!(
        unknown.diagnostics[0].summary,
        "Resource identity not wholly known"
    );
    assert!(unknown.new_identity.is_none());
}

#[tokio::test]
async fn identity_must_not_change_in_place() {
    let ty = schema().value_type();
    let prior = Value::object([
        ("id", "x1".into()),
        ("name", "a".into()),
        ("zone", Value::Null),
    ]);
    let mut changed = prior.clone();
    changed.set_attr("zone", "z".into());

    let s = FrameworkServer::new(Arc::new(IdentProvider(Misbehave::ChangeOnUpdate)));
    let resp = s
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: "t_ident".into(),
            prior_state: dv(&prior, &ty),
            planned_state: dv(&changed, &ty),
            config: dv(&changed, &ty),
            planned_identity: Some(ident("a")),
            ..Default::default()
        })
        .await;
    assert_eq!(resp.diagnostics[0].summary, "Unexpected identity change");

    let s = FrameworkServer::new(Arc::new(IdentProvider(Misbehave::ChangeInPlan)));
    let plan = |prior: &Value, proposed: &Value| pb::plan_resource_change::Request {
        type_name: "t_ident".into(),
        prior_state: dv(prior, &ty),
        proposed_new_state: dv(proposed, &ty),
        config: dv(proposed, &ty),
        prior_identity: (!prior.is_null()).then(|| ident("a")),
        ..Default::default()
    };
    let resp = s.plan_resource_change(plan(&prior, &changed)).await;
    assert_eq!(resp.diagnostics[0].summary, "Unexpected identity change");
    // On create any identity may be planned.
    let resp = s.plan_resource_change(plan(&Value::Null, &obj("a"))).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
}

#[tokio::test]
async fn identity_schemas_list_only_resources_with_identity() {
    let s = FrameworkServer::new(Arc::new(IdentProvider(Misbehave::None)));
    let schemas = s.get_resource_identity_schemas();
    assert_eq!(
        schemas.identity_schemas.keys().collect::<Vec<_>>(),
        ["t_ident"]
    );
    // Without a mover anywhere, moves are not advertised.
    assert!(
        !s.get_provider_schema()
            .server_capabilities
            .unwrap()
            .move_resource_state
    );
}

/// A data source that answers with whatever the test asks for.
struct D(Value);

#[async_trait]
impl crate::datasource::DataSource for D {
    fn type_name(&self) -> &str {
        "t_lookup"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new()
                .attribute(Attribute::string("key").required())
                .attribute(Attribute::string("answer").computed()),
        )
    }
    async fn read(
        &self,
        ctx: &Context,
        _req: crate::datasource::DataSourceReadRequest,
        resp: &mut crate::datasource::DataSourceReadResponse,
    ) {
        if resp
            .diagnostics
            .capture(ctx.require_provider_data::<String>())
            .is_none()
        {
            return;
        }
        resp.state.replace_value(self.0.clone());
    }
}

struct DataProvider(Value, bool);

#[async_trait]
impl Provider for DataProvider {
    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new().attribute(Attribute::string("region").optional()),
        )
    }
    async fn configure(
        &self,
        _ctx: &Context,
        req: ConfigureProviderRequest,
        resp: &mut ConfigureProviderResponse,
    ) {
        let region: crate::value::Unknowable<Option<String>> =
            req.config.get_attr("region").unwrap();
        resp.data = match region {
            crate::value::Unknowable::Unknown => ProviderData::ConfigUnknown(vec!["region".into()]),
            _ => ProviderData::ready("configured".to_string()),
        };
        if self.1 {
            resp.diagnostics.error("bad credentials", "no");
        }
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        Vec::new()
    }
    fn data_sources(&self) -> Vec<Arc<dyn crate::datasource::DataSource>> {
        vec![Arc::new(D(self.0.clone()))]
    }
}

async fn read_lookup(answer: Value, region: Value, configure_fails: bool) -> Vec<String> {
    let s = FrameworkServer::new(Arc::new(DataProvider(answer, configure_fails)));
    s.configure_provider(pb::configure_provider::Request {
        terraform_version: "1.11.4".into(),
        config: dv(
            &Value::object([("region", region)]),
            &Type::object([("region", Type::String)]),
        ),
        client_capabilities: None,
    })
    .await;
    let ty = Type::object([("key", Type::String), ("answer", Type::String)]);
    let resp = s
        .read_data_source(pb::read_data_source::Request {
            type_name: "t_lookup".into(),
            config: dv(
                &Value::object([("key", "k".into()), ("answer", Value::Null)]),
                &ty,
            ),
            ..Default::default()
        })
        .await;
    if resp.diagnostics.is_empty() {
        let v = from_msgpack(&resp.state.unwrap().msgpack, &ty).unwrap();
        assert_eq!(v.get_attr("answer"), Some(&Value::string("42")));
    }
    resp.diagnostics.iter().map(|d| d.summary.clone()).collect()
}

#[tokio::test]
async fn data_source_results_must_be_known_and_configured() {
    let good = Value::object([("key", "k".into()), ("answer", "42".into())]);
    let half = Value::object([("key", "k".into()), ("answer", Value::Unknown)]);
    assert!(
        read_lookup(good.clone(), Value::Null, false)
            .await
            .is_empty()
    );
    assert_eq!(
        read_lookup(half, Value::Null, false).await,
        ["Provider returned unknown values"]
    );
    assert_eq!(
        read_lookup(Value::Null, Value::Null, false).await,
        ["Data source returned no result"]
    );
    // The configure step's outcome reaches the data source through its context.
    assert_eq!(
        read_lookup(good.clone(), Value::Unknown, false).await,
        ["Provider configuration is not known yet"]
    );
    assert_eq!(
        read_lookup(good, Value::Null, true).await,
        ["Provider not configured"]
    );
}

/// A resource whose definition breaks Terraform's rules.
struct Broken;

#[async_trait]
impl Resource for Broken {
    fn type_name(&self) -> &str {
        "t_broken"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new()
                .attribute(Attribute::string("count").optional())
                .attribute(Attribute::string("name").required())
                .attribute(Attribute::string("name").optional()),
        )
    }
    async fn create(&self, _ctx: &Context, _req: CreateRequest, _resp: &mut CreateResponse) {}
    async fn read(&self, _ctx: &Context, _req: ReadRequest, _resp: &mut ReadResponse) {}
    async fn update(&self, _ctx: &Context, _req: UpdateRequest, _resp: &mut UpdateResponse) {}
    async fn delete(&self, _ctx: &Context, _req: DeleteRequest, _resp: &mut DeleteResponse) {}
    fn identity(&self) -> Option<&dyn ResourceIdentity> {
        Some(self)
    }
}

#[async_trait]
impl ResourceIdentity for Broken {
    fn identity_schema(&self) -> crate::schema::IdentitySchema {
        crate::schema::IdentitySchema::new(0).attribute(
            crate::schema::IdentityAttribute::required_string("tags")
                .of_type(Type::map(Type::String)),
        )
    }
}

struct BrokenProvider;

#[async_trait]
impl Provider for BrokenProvider {
    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new().attribute(Attribute::string("alias").optional()),
        )
    }
    async fn configure(
        &self,
        _ctx: &Context,
        _req: ConfigureProviderRequest,
        _resp: &mut ConfigureProviderResponse,
    ) {
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Broken), Arc::new(Broken)]
    }
}

#[tokio::test]
async fn definition_problems_are_reported_with_the_schema() {
    let s = FrameworkServer::new(Arc::new(BrokenProvider));
    let details: Vec<String> = s
        .get_provider_schema()
        .diagnostics
        .into_iter()
        .map(|d| d.detail)
        .collect();
    let expect = [
        "the provider block: \"alias\" is reserved",
        "resource type t_broken: \"count\" is reserved",
        "resource type t_broken: \"name\" is declared twice",
        "identity attribute \"tags\" has type map(string)",
        "resource type t_broken is offered twice",
    ];
    assert_eq!(details.len(), expect.len(), "{details:#?}");
    for e in expect {
        assert!(details.iter().any(|d| d.contains(e)), "{e}: {details:#?}");
    }
    assert_eq!(s.get_metadata().diagnostics.len(), expect.len());
    // A sound provider reports nothing.
    let (ok, _) = server(R::default());
    assert!(ok.get_provider_schema().diagnostics.is_empty());
}

#[tokio::test]
async fn a_replacement_plans_no_identity_of_its_own() {
    let ty = schema().value_type();
    let prior = Value::object([
        ("id", "x1".into()),
        ("name", "a".into()),
        ("zone", Value::Null),
    ]);
    let mut changed = prior.clone();
    changed.set_attr("zone", "z".into());
    let s = FrameworkServer::new(Arc::new(IdentProvider(Misbehave::None)));
    let resp = s
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "t_ident".into(),
            prior_state: dv(&prior, &ty),
            proposed_new_state: dv(&changed, &ty),
            config: dv(&changed, &ty),
            prior_identity: Some(ident("a")),
            ..Default::default()
        })
        .await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(resp.requires_replace.len(), 1);
    assert!(
        resp.planned_identity.is_none(),
        "the old object's identity was planned"
    );
    // Unchanged: the stored identity is planned again.
    let resp = s
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "t_ident".into(),
            prior_state: dv(&prior, &ty),
            proposed_new_state: dv(&prior, &ty),
            config: dv(&prior, &ty),
            prior_identity: Some(ident("a")),
            ..Default::default()
        })
        .await;
    assert_eq!(resp.planned_identity, Some(ident("a")));
}
