//! Plan deferral at the RPC boundary: a resource whose plan modifier puts the change off while
//! the provider block is not known gets a deferred answer with a plan of the resource schema
//! where Terraform allows it, a diagnostic where it does not, and a destroy is never deferred.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;

use super::FrameworkServer;
use crate::proto::tfplugin6 as pb;
use crate::provider::*;
use crate::resource::*;
use crate::schema::{Attribute, Block, Schema};
use crate::value::{Type, Unknowable, Value, from_msgpack, to_msgpack};

const THING: &str = "d_thing";

fn thing_schema() -> Schema {
    Schema::new(
        0,
        Block::new()
            .attribute(Attribute::string("id").computed())
            .attribute(Attribute::string("name").required())
            .attribute(Attribute::number("size").optional().computed()),
    )
}

/// Defers while the provider block is unknown (as a resource should), or always when its name is
/// "always" (ignoring `deferral_allowed`, which the framework must catch). Before deferring it
/// plans a known `id`, which a deferred answer must not carry.
#[derive(Default)]
struct Thing {
    saw_deferral_allowed: AtomicBool,
}

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &str {
        THING
    }
    fn schema(&self) -> Schema {
        thing_schema()
    }
    async fn create(&self, _: &Context, _: CreateRequest, _: &mut CreateResponse) {}
    async fn read(&self, _: &Context, _: ReadRequest, _: &mut ReadResponse) {}
    async fn update(&self, _: &Context, _: UpdateRequest, _: &mut UpdateResponse) {}
    async fn delete(&self, _: &Context, _: DeleteRequest, _: &mut DeleteResponse) {}
    fn plan_modifier(&self) -> Option<&dyn ResourceModifyPlan> {
        Some(self)
    }
}

#[async_trait]
impl ResourceModifyPlan for Thing {
    async fn modify_plan(
        &self,
        ctx: &Context,
        req: ModifyPlanRequest,
        resp: &mut ModifyPlanResponse,
    ) {
        self.saw_deferral_allowed
            .store(req.deferral_allowed, Ordering::SeqCst);
        resp.set_plan_attr("id", &"from-the-modifier");
        let name: String = req.config.get_attr("name").unwrap();
        resp.deferred = if name == "always" {
            Some(Deferred::AbsentPrerequisite)
        } else {
            ctx.defer_while_config_unknown(req.deferral_allowed)
        };
    }
}

struct P(Arc<Thing>);

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
        _: &Context,
        req: ConfigureProviderRequest,
        resp: &mut ConfigureProviderResponse,
    ) {
        let region: Unknowable<Option<String>> = req.config.get_attr("region").unwrap();
        resp.data = match region {
            Unknowable::Unknown => ProviderData::ConfigUnknown(vec!["region".into()]),
            Unknowable::Known(_) => ProviderData::ready(()),
        };
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![self.0.clone()]
    }
}

fn dv(v: &Value, ty: &Type) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: to_msgpack(v, ty).unwrap(),
        json: Vec::new(),
    }
}

/// A server whose provider block has `region` as given.
async fn server(region: Value) -> (FrameworkServer, Arc<Thing>) {
    let thing = Arc::new(Thing::default());
    let s = FrameworkServer::new(Arc::new(P(thing.clone())));
    let configured = s
        .configure_provider(pb::configure_provider::Request {
            terraform_version: "1.16.0".into(),
            config: Some(dv(
                &Value::object([("region", region)]),
                &Type::object([("region", Type::String)]),
            )),
            client_capabilities: None,
        })
        .await;
    assert!(configured.diagnostics.is_empty());
    (s, thing)
}

fn ty() -> Type {
    thing_schema().value_type()
}

fn config(name: &str) -> Value {
    Value::object([
        ("id", Value::Null),
        ("name", Value::string(name)),
        ("size", Value::Null),
    ])
}

async fn plan(
    s: &FrameworkServer,
    prior: &Value,
    proposed: &Value,
    config: &Value,
    deferral_allowed: bool,
) -> pb::plan_resource_change::Response {
    s.plan_resource_change(pb::plan_resource_change::Request {
        type_name: THING.into(),
        prior_state: Some(dv(prior, &ty())),
        proposed_new_state: Some(dv(proposed, &ty())),
        config: Some(dv(config, &ty())),
        prior_private: b"{\"k\":1}".to_vec(),
        client_capabilities: Some(pb::ClientCapabilities {
            deferral_allowed,
            ..Default::default()
        }),
        ..Default::default()
    })
    .await
}

fn planned(r: &pb::plan_resource_change::Response) -> Value {
    from_msgpack(&r.planned_state.as_ref().unwrap().msgpack, &ty()).unwrap()
}

#[tokio::test]
async fn a_plan_defers_while_the_provider_block_is_unknown_where_terraform_allows_it() {
    let (s, thing) = server(Value::Unknown).await;
    let c = config("web");
    let r = plan(&s, &Value::Null, &c, &c, true).await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert!(thing.saw_deferral_allowed.load(Ordering::SeqCst));
    assert_eq!(
        r.deferred.as_ref().map(|d| d.reason),
        Some(pb::deferred::Reason::ProviderConfigUnknown as i32)
    );
    // A plan of the resource schema: configured values kept, computed ones unknown (not what
    // the modifier planned before it deferred), private data carried over.
    let p = planned(&r);
    assert_eq!(p.get_attr("name"), Some(&Value::string("web")));
    assert!(p.get_attr("id").unwrap().is_unknown(), "{p:?}");
    assert!(p.get_attr("size").unwrap().is_unknown(), "{p:?}");
    assert_eq!(r.planned_private, b"{\"k\":1}");

    // Terraform 1.11 and OpenTofu never allow it: the plan goes ahead as before.
    let r = plan(&s, &Value::Null, &c, &c, false).await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert!(r.deferred.is_none());
    assert_eq!(
        planned(&r).get_attr("id"),
        Some(&Value::string("from-the-modifier"))
    );

    // A known provider block plans now.
    let (s, _) = server(Value::string("eu")).await;
    let r = plan(&s, &Value::Null, &c, &c, true).await;
    assert!(r.deferred.is_none());
    assert_eq!(
        planned(&r).get_attr("id"),
        Some(&Value::string("from-the-modifier"))
    );
}

#[tokio::test]
async fn a_plan_deferred_without_permission_is_refused() {
    let (s, _) = server(Value::string("eu")).await;
    let c = config("always");
    let r = plan(&s, &Value::Null, &c, &c, false).await;
    assert!(r.deferred.is_none());
    assert!(r.planned_state.is_none());
    assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
    assert_eq!(r.diagnostics[0].summary, "Deferred without permission");
    assert!(r.diagnostics[0].detail.contains(THING));
    let r = plan(&s, &Value::Null, &c, &c, true).await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(
        r.deferred.map(|d| d.reason),
        Some(pb::deferred::Reason::AbsentPrereq as i32)
    );
}

#[tokio::test]
async fn a_destroy_plan_is_never_deferred() {
    let (s, _) = server(Value::Unknown).await;
    let prior = Value::object([
        ("id", Value::string("id-1")),
        ("name", Value::string("web")),
        ("size", Value::int(3)),
    ]);
    // An update of that object is put off...
    let mut c = config("web");
    c.set_attr("size", Value::int(4));
    let mut proposed = prior.clone();
    proposed.set_attr("size", Value::int(4));
    let update = plan(&s, &prior, &proposed, &c, true).await;
    assert!(update.deferred.is_some(), "{:?}", update.diagnostics);
    assert_eq!(planned(&update).get_attr("size"), Some(&Value::int(4)));
    // ...its destroy is not: it needs only the state Terraform has.
    let destroy = plan(&s, &prior, &Value::Null, &Value::Null, true).await;
    assert!(destroy.diagnostics.is_empty(), "{:?}", destroy.diagnostics);
    assert!(destroy.deferred.is_none());
    assert!(planned(&destroy).is_null());
}
