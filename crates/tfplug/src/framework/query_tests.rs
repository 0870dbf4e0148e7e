//! The 6.10/6.11 additions at the RPC boundary: the rules Terraform applies to a ListResource
//! stream (identity present, known, with what an import needs; objects of the resource schema
//! only when asked; nothing past `limit`; an error ends the stream), GenerateResourceConfig,
//! provider functions and data source deferral, each proven with a provider that breaks it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use futures::StreamExt;
use serde::Serialize;

use super::FrameworkServer;
use crate::datasource::*;
use crate::function::*;
use crate::list::*;
use crate::proto::tfplugin6 as pb;
use crate::provider::*;
use crate::resource::*;
use crate::schema::{Attribute, Block, IdentityAttribute, IdentitySchema, Schema};
use crate::value::{Type, Unknowable, Value, from_msgpack, to_msgpack};

const THING: &str = "q_thing";

fn thing_schema() -> Schema {
    Schema::new(
        0,
        Block::new()
            .attribute(Attribute::string("id").computed())
            .attribute(Attribute::string("name").required())
            .attribute(Attribute::string("zone").optional())
            .attribute(Attribute::number("size").optional().computed())
            .attribute(Attribute::string("arn").computed())
            .attribute(Attribute::string("legacy").optional().deprecated()),
    )
}

fn identity_schema() -> IdentitySchema {
    IdentitySchema::new(0)
        .attribute(IdentityAttribute::required_string("name"))
        .attribute(IdentityAttribute::optional_string("zone"))
}

#[derive(Serialize)]
struct Ident {
    name: Unknowable<Option<String>>,
    zone: Option<String>,
}

#[derive(Serialize)]
struct ThingState {
    id: String,
    name: String,
    zone: Option<String>,
    size: Unknowable<i64>,
    arn: String,
    legacy: Option<String>,
}

struct Thing;

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &str {
        THING
    }
    fn schema(&self) -> Schema {
        thing_schema()
    }
    async fn create(&self, _: &Context, _: CreateRequest, _: &mut CreateResponse) {}
    async fn read(&self, _: &Context, req: ReadRequest, resp: &mut ReadResponse) {
        // Deliberately ignores req.deferral_allowed: the framework must catch that.
        if req.state.get_attr::<String>("name").unwrap() == "defer" {
            resp.state.set_null();
            resp.deferred = Some(Deferred::AbsentPrerequisite);
        }
    }
    async fn update(&self, _: &Context, _: UpdateRequest, _: &mut UpdateResponse) {}
    async fn delete(&self, _: &Context, _: DeleteRequest, _: &mut DeleteResponse) {}
    fn identity(&self) -> Option<&dyn ResourceIdentity> {
        Some(self)
    }
    fn importer(&self) -> Option<&dyn ResourceImport> {
        Some(self)
    }
}

#[async_trait]
impl ResourceImport for Thing {
    async fn import_state(&self, _: &Context, _: ImportRequest, resp: &mut ImportResponse) {
        // Always defers, deliberately ignoring req.deferral_allowed.
        resp.deferred = Some(Deferred::ResourceConfigUnknown);
    }
}

impl ResourceIdentity for Thing {
    fn identity_schema(&self) -> IdentitySchema {
        identity_schema()
    }
}

/// Lists things; `config.mode` says which rule to break.
struct Lister {
    sends: AtomicUsize,
}

fn state(i: usize) -> ThingState {
    ThingState {
        id: format!("id-{i}"),
        name: format!("thing-{i}"),
        zone: None,
        size: Unknowable::Known(i as i64),
        arn: format!("arn:{i}"),
        legacy: None,
    }
}

#[async_trait]
impl ListResource for Lister {
    fn type_name(&self) -> &str {
        THING
    }
    fn config_schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new().attribute(Attribute::string("mode").required()),
        )
    }
    async fn list(&self, _ctx: &Context, req: ListRequest, stream: &mut ListStream) {
        let mode: String = req.config.get_attr("mode").unwrap();
        for i in 0..1000 {
            let mut r = stream.new_result();
            r.display_name = format!("thing {i}");
            let name = Unknowable::Known(Some(format!("thing-{i}")));
            let ident = match mode.as_str() {
                "unknown_identity" => Ident {
                    name: Unknowable::Unknown,
                    zone: None,
                },
                "missing_required" => Ident {
                    name: Unknowable::Known(None),
                    zone: Some("z".into()),
                },
                _ => Ident { name, zone: None },
            };
            if mode != "no_identity" {
                r.identity.set(&ident).unwrap();
            }
            let mut object = state(i);
            if mode == "unknown_object" {
                object.size = Unknowable::Unknown;
            }
            if mode != "no_object" {
                r.resource_object.set(&object).unwrap();
            }
            if mode == "error_after_two" && i == 2 {
                let mut d = crate::diag::Diagnostics::new();
                d.error("Listing failed", "the cloud said no");
                assert!(!stream.diagnostics(d).await, "an error ends the stream");
                return;
            }
            if mode == "warning_first" && i == 0 {
                let mut d = crate::diag::Diagnostics::new();
                d.warning("Partial listing", "one region was skipped");
                assert!(stream.diagnostics(d).await);
            }
            self.sends.fetch_add(1, Ordering::SeqCst);
            if !stream.send(r).await {
                return;
            }
        }
    }
}

/// Returns the length of `text` times `factor` (null factor: 1), plus any extra numbers.
struct Scale;

#[async_trait]
impl Function for Scale {
    fn name(&self) -> &str {
        "scale"
    }
    fn signature(&self) -> Signature {
        let mut s = Signature::new(Type::Number)
            .parameter(Parameter::new("text", Type::String))
            .parameter(Parameter::new("factor", Type::Number).allow_null());
        s.variadic = Some(Parameter::new("extra", Type::Number));
        s
    }
    async fn call(
        &self,
        args: &Arguments,
        result: &mut FunctionResult,
    ) -> Result<(), FunctionError> {
        let text: String = args.get(0)?;
        let factor: Option<i64> = args.get(1)?;
        if text == "bad" {
            return Err(FunctionError::argument(0, "text must not be \"bad\""));
        }
        let extra: i64 = (2..args.len())
            .map(|i| args.get::<i64>(i))
            .sum::<Result<i64, _>>()?;
        result.set(&(text.len() as i64 * factor.unwrap_or(1) + extra))
    }
}

/// A data source that defers when `config.defer` is true.
struct Deferring;

#[async_trait]
impl DataSource for Deferring {
    fn type_name(&self) -> &str {
        "q_data"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new()
                .attribute(Attribute::bool("defer").required())
                .attribute(Attribute::string("out").computed()),
        )
    }
    async fn read(
        &self,
        _: &Context,
        req: DataSourceReadRequest,
        resp: &mut DataSourceReadResponse,
    ) {
        if req.config.get_attr::<bool>("defer").unwrap() {
            // Deliberately ignores req.deferral_allowed: the framework must catch that.
            resp.deferred = Some(Deferred::ProviderConfigUnknown);
            return;
        }
        resp.state.set_attr("out", &"read").unwrap();
    }
}

struct QueryProvider {
    lister: Arc<Lister>,
}

#[async_trait]
impl Provider for QueryProvider {
    fn schema(&self) -> Schema {
        Schema::new(0, Block::new())
    }
    async fn configure(
        &self,
        _: &Context,
        _: ConfigureProviderRequest,
        _: &mut ConfigureProviderResponse,
    ) {
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Thing)]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(Deferring)]
    }
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        vec![self.lister.clone()]
    }
    fn functions(&self) -> Vec<Arc<dyn Function>> {
        vec![Arc::new(Scale)]
    }
}

fn server() -> (FrameworkServer, Arc<Lister>) {
    let lister = Arc::new(Lister {
        sends: AtomicUsize::new(0),
    });
    let s = FrameworkServer::new(Arc::new(QueryProvider {
        lister: lister.clone(),
    }));
    assert!(s.definition.is_empty(), "{:?}", s.definition);
    (s, lister)
}

fn dv(v: &Value, ty: &Type) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: to_msgpack(v, ty).unwrap(),
        json: Vec::new(),
    }
}

async fn list(
    s: &FrameworkServer,
    mode: &str,
    include: bool,
    limit: i64,
) -> Vec<pb::list_resource::Event> {
    let ty = Type::object([("mode", Type::String)]);
    let config = dv(&Value::object([("mode", Value::string(mode))]), &ty);
    s.list_resource(pb::list_resource::Request {
        type_name: THING.into(),
        config: Some(config),
        include_resource_object: include,
        limit,
    })
    .await
    .map(|e| e.unwrap())
    .collect()
    .await
}

fn summaries(e: &pb::list_resource::Event) -> Vec<(i32, String)> {
    e.diagnostic
        .iter()
        .map(|d| (d.severity, d.summary.clone()))
        .collect()
}

const ERROR: i32 = pb::diagnostic::Severity::Error as i32;
const WARNING: i32 = pb::diagnostic::Severity::Warning as i32;

#[tokio::test]
async fn results_carry_known_identities_and_objects_only_when_asked() {
    let (s, _) = server();
    let with = list(&s, "ok", true, 3).await;
    assert_eq!(with.len(), 3);
    let ity = identity_schema().value_type();
    let rty = thing_schema().value_type();
    for (i, e) in with.iter().enumerate() {
        let id = from_msgpack(
            &e.identity
                .as_ref()
                .unwrap()
                .identity_data
                .as_ref()
                .unwrap()
                .msgpack,
            &ity,
        )
        .unwrap();
        assert_eq!(
            id.get_attr("name"),
            Some(&Value::string(format!("thing-{i}")))
        );
        let obj = from_msgpack(&e.resource_object.as_ref().unwrap().msgpack, &rty).unwrap();
        assert!(obj.is_fully_known());
        assert_eq!(e.display_name, format!("thing {i}"));
    }
    let without = list(&s, "ok", false, 3).await;
    assert!(without.iter().all(|e| e.resource_object.is_none()));
}

#[tokio::test]
async fn the_framework_stops_the_stream_at_the_limit() {
    let (s, lister) = server();
    assert_eq!(list(&s, "ok", false, 5).await.len(), 5);
    // The provider was told to stop: it sent no more than the limit.
    assert_eq!(lister.sends.load(Ordering::SeqCst), 5);
    assert!(list(&s, "ok", false, 0).await.is_empty());
    assert_eq!(
        lister.sends.load(Ordering::SeqCst),
        5,
        "limit 0 lists nothing"
    );
    // A warning-only event does not count toward the limit.
    let events = list(&s, "warning_first", false, 2).await;
    assert_eq!(events.len(), 3);
    assert_eq!(summaries(&events[0]), [(WARNING, "Partial listing".into())]);
    assert!(events[0].identity.is_none());
}

#[tokio::test]
async fn broken_identities_end_the_stream_with_an_error() {
    let (s, _) = server();
    for (mode, needle) in [
        ("no_identity", "without an identity"),
        ("unknown_identity", "unknown values"),
        ("missing_required", "without name"),
    ] {
        let events = list(&s, mode, false, 10).await;
        assert_eq!(
            events.len(),
            1,
            "{mode}: the stream ends at the first bad result"
        );
        assert!(events[0].identity.is_none(), "{mode}");
        let d = &events[0].diagnostic[0];
        assert_eq!(d.severity, ERROR, "{mode}");
        assert!(d.detail.contains(needle), "{mode}: {}", d.detail);
    }
}

#[tokio::test]
async fn objects_are_checked_only_when_asked_for() {
    let (s, _) = server();
    // Not asked: an object with unknowns is simply not sent.
    assert_eq!(list(&s, "unknown_object", false, 2).await.len(), 2);
    let bad = list(&s, "unknown_object", true, 2).await;
    assert_eq!(bad.len(), 1);
    assert_eq!(
        summaries(&bad[0]),
        [(ERROR, "Invalid list result object".into())]
    );
    // Asked for but missing: the result still counts, with a warning.
    let missing = list(&s, "no_object", true, 2).await;
    assert_eq!(missing.len(), 2);
    assert!(missing[0].identity.is_some() && missing[0].resource_object.is_none());
    assert_eq!(missing[0].diagnostic[0].severity, WARNING);
}

#[tokio::test]
async fn an_error_ends_the_stream_after_the_results_before_it() {
    let (s, _) = server();
    let events = list(&s, "error_after_two", true, 100).await;
    assert_eq!(events.len(), 3);
    assert_eq!(summaries(&events[2]), [(ERROR, "Listing failed".into())]);
}

#[tokio::test]
async fn unknown_types_and_undeclared_identities_are_refused() {
    let (s, _) = server();
    let mut events: Vec<_> = s
        .list_resource(pb::list_resource::Request {
            type_name: "q_nothing".into(),
            limit: 10,
            ..Default::default()
        })
        .await
        .collect()
        .await;
    let e = events.pop().unwrap().unwrap();
    assert!(
        e.diagnostic[0]
            .summary
            .contains("Unknown list resource type")
    );
    // A list resource must be named after a managed resource with an identity.
    struct Orphan;
    #[async_trait]
    impl Provider for Orphan {
        fn schema(&self) -> Schema {
            Schema::new(0, Block::new())
        }
        async fn configure(
            &self,
            _: &Context,
            _: ConfigureProviderRequest,
            _: &mut ConfigureProviderResponse,
        ) {
        }
        fn resources(&self) -> Vec<Arc<dyn Resource>> {
            Vec::new()
        }
        fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
            vec![Arc::new(Lister {
                sends: AtomicUsize::new(0),
            })]
        }
    }
    let orphan = FrameworkServer::new(Arc::new(Orphan));
    let text = orphan
        .definition
        .iter()
        .map(|d| d.detail.clone())
        .collect::<String>();
    assert!(
        text.contains("list resource q_thing: there is no managed resource type"),
        "{text}"
    );
}

#[tokio::test]
async fn generated_config_keeps_what_a_user_can_write() {
    let (s, _) = server();
    let rty = thing_schema().value_type();
    let state = Value::object([
        ("id", Value::string("id-1")),
        ("name", Value::string("n")),
        ("zone", Value::Null),
        ("size", Value::int(3)),
        ("arn", Value::string("arn:1")),
        ("legacy", Value::string("old")),
    ]);
    let resp = s
        .generate_resource_config(pb::generate_resource_config::Request {
            type_name: THING.into(),
            state: Some(dv(&state, &rty)),
        })
        .await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let config = from_msgpack(&resp.config.unwrap().msgpack, &rty).unwrap();
    let expected = Value::object([
        ("id", Value::Null),
        ("name", Value::string("n")),
        ("zone", Value::Null),
        ("size", Value::int(3)),
        ("arn", Value::Null),
        ("legacy", Value::Null),
    ]);
    assert!(config.equals(&expected), "{config:?}");
    assert!(s.capabilities().generate_resource_config);
}

async fn call(s: &FrameworkServer, args: Vec<(Value, Type)>) -> pb::call_function::Response {
    s.call_function(pb::call_function::Request {
        name: "scale".into(),
        arguments: args.iter().map(|(v, t)| dv(v, t)).collect(),
    })
    .await
}

#[tokio::test]
async fn functions_decode_typed_arguments_and_name_the_one_at_fault() {
    let (s, _) = server();
    let text = |t: &str| (Value::string(t), Type::String);
    let num = |n: i64| (Value::int(n), Type::Number);
    let ok = call(&s, vec![text("abcd"), num(3), num(1), num(2)]).await;
    let v = from_msgpack(&ok.result.unwrap().msgpack, &Type::Number).unwrap();
    assert_eq!(v, Value::int(15));
    let null_ok = call(&s, vec![text("ab"), (Value::Null, Type::Number)]).await;
    assert!(null_ok.error.is_none(), "{:?}", null_ok.error);
    // The provider's own error, on the argument it names.
    let bad = call(&s, vec![text("bad"), num(1)]).await.error.unwrap();
    assert_eq!(bad.function_argument, Some(0));
    // Null where the parameter refuses it.
    let null = call(&s, vec![(Value::Null, Type::String), num(1)])
        .await
        .error
        .unwrap();
    assert_eq!(null.function_argument, Some(0));
    assert!(null.text.contains("must not be null"));
    // An argument of the wrong type (a variadic one), and too few arguments.
    let wrong = call(&s, vec![text("a"), num(1), text("x")])
        .await
        .error
        .unwrap();
    assert_eq!(wrong.function_argument, Some(2));
    let few = call(&s, vec![text("a")]).await.error.unwrap();
    assert_eq!(few.function_argument, None);
    assert!(few.text.contains("at least 2"), "{}", few.text);
    // Declared once, the same in the schema and by GetFunctions.
    assert_eq!(
        s.get_provider_schema().functions,
        s.get_functions().functions
    );
    assert!(s.get_functions().functions["scale"].parameters[1].allow_null_value);
}

#[tokio::test]
async fn a_deferral_is_passed_on_only_where_terraform_allows_it() {
    let (s, _) = server();
    let ty = Type::object([("defer", Type::Bool), ("out", Type::String)]);
    let read = |allowed: bool| {
        let config = dv(
            &Value::object([("defer", Value::Bool(true)), ("out", Value::Null)]),
            &ty,
        );
        s.read_data_source(pb::read_data_source::Request {
            type_name: "q_data".into(),
            config: Some(config),
            provider_meta: None,
            client_capabilities: Some(pb::ClientCapabilities {
                deferral_allowed: allowed,
                ..Default::default()
            }),
        })
    };
    let allowed = read(true).await;
    assert!(allowed.diagnostics.is_empty(), "{:?}", allowed.diagnostics);
    assert_eq!(
        allowed.deferred.unwrap().reason,
        pb::deferred::Reason::ProviderConfigUnknown as i32
    );
    assert_eq!(
        from_msgpack(&allowed.state.unwrap().msgpack, &ty).unwrap(),
        Value::Unknown
    );
    let refused = read(false).await;
    assert!(refused.deferred.is_none());
    assert!(
        refused.diagnostics[0]
            .detail
            .contains("does not accept deferred")
    );
}

#[tokio::test]
async fn features_not_offered_answer_with_a_diagnostic_naming_them() {
    use pb::provider_server::Provider as _;
    let (s, _) = server();
    let r = s
        .plan_action(tonic::Request::new(pb::plan_action::Request {
            action_type: "q_reboot".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.diagnostics[0].summary, "Unsupported action");
    assert!(r.diagnostics[0].detail.contains("\"q_reboot\""));
    let r = s
        .get_states(tonic::Request::new(pb::get_states::Request {
            type_name: "q_store".into(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.diagnostics[0].summary, "Unsupported state store");
    let mut events: Vec<_> = s
        .invoke_action(tonic::Request::new(pb::invoke_action::Request::default()))
        .await
        .unwrap()
        .into_inner()
        .collect()
        .await;
    let Some(pb::invoke_action::event::Type::Completed(done)) =
        events.pop().unwrap().unwrap().r#type
    else {
        panic!("one Completed event")
    };
    assert_eq!(done.diagnostics[0].summary, "Unsupported action");
}

#[tokio::test]
async fn a_resource_refresh_is_deferred_only_where_terraform_allows_it() {
    let (s, _) = server();
    let rty = thing_schema().value_type();
    let recorded = Value::object([
        ("id", Value::string("id-1")),
        ("name", Value::string("defer")),
        ("zone", Value::Null),
        ("size", Value::int(1)),
        ("arn", Value::string("arn:1")),
        ("legacy", Value::Null),
    ]);
    let read = |allowed: bool| {
        s.read_resource(pb::read_resource::Request {
            type_name: THING.into(),
            current_state: Some(dv(&recorded, &rty)),
            client_capabilities: Some(pb::ClientCapabilities {
                deferral_allowed: allowed,
                ..Default::default()
            }),
            ..Default::default()
        })
    };
    let allowed = read(true).await;
    assert!(allowed.diagnostics.is_empty(), "{:?}", allowed.diagnostics);
    assert_eq!(
        allowed.deferred.unwrap().reason,
        pb::deferred::Reason::AbsentPrereq as i32
    );
    // Terraform keeps what it had: the recorded state, not the resource's null.
    let kept = from_msgpack(&allowed.new_state.unwrap().msgpack, &rty).unwrap();
    assert!(kept.equals(&recorded));
    let refused = read(false).await;
    assert!(refused.deferred.is_none());
    assert_eq!(
        refused.diagnostics[0].summary,
        "Deferred without permission"
    );
}

#[tokio::test]
async fn a_client_that_stops_reading_stops_the_listing() {
    let (s, lister) = server();
    let ty = Type::object([("mode", Type::String)]);
    let stream = s
        .list_resource(pb::list_resource::Request {
            type_name: THING.into(),
            config: Some(dv(&Value::object([("mode", Value::string("ok"))]), &ty)),
            include_resource_object: true,
            limit: 1000,
        })
        .await;
    // Terraform cancels the call once it has what it wants: here after 3 of 1000.
    let first: Vec<_> = stream.take(3).collect().await;
    assert_eq!(first.len(), 3);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let sent = lister.sends.load(Ordering::SeqCst);
    // The buffer between the two bounds what was produced for nobody.
    assert!(
        sent <= 3 + 16 + 2,
        "{sent} results produced after the reader left"
    );
}

#[tokio::test]
async fn an_import_is_deferred_only_where_terraform_allows_it() {
    let (s, _) = server();
    let import = |allowed: bool| {
        s.import_resource_state(pb::import_resource_state::Request {
            type_name: THING.into(),
            id: "later".into(),
            client_capabilities: Some(pb::ClientCapabilities {
                deferral_allowed: allowed,
                ..Default::default()
            }),
            identity: None,
        })
    };
    let allowed = import(true).await;
    assert!(allowed.diagnostics.is_empty(), "{:?}", allowed.diagnostics);
    assert!(allowed.imported_resources.is_empty());
    assert_eq!(
        allowed.deferred.unwrap().reason,
        pb::deferred::Reason::ResourceConfigUnknown as i32
    );
    let refused = import(false).await;
    assert!(refused.deferred.is_none());
    assert_eq!(
        refused.diagnostics[0].summary,
        "Deferred without permission"
    );
}
