//! The two consistency rules Terraform enforces, proven with a resource that breaks each:
//! a plan modifier must not change a configured value, and apply must not change a known
//! planned value. The framework names the attribute and the rule instead of Terraform's
//! "Provider produced inconsistent result".

use std::sync::Arc;

use async_trait::async_trait;

use super::FrameworkServer;
use crate::proto::tfplugin6 as pb;
use crate::provider::*;
use crate::resource::*;
use crate::schema::{Attribute, Block, Schema};
use crate::value::{Type, Value, to_msgpack};

/// Which rule the resource breaks.
#[derive(Clone, Copy, PartialEq)]
enum Breaks {
    Nothing,
    /// The plan modifier upper-cases the configured `name`.
    ConfiguredValue,
    /// Create and update pick a `zone` although the plan said null.
    PlannedValue,
}

struct Breaker(Breaks);

fn schema() -> Schema {
    Schema::new(
        0,
        Block::new()
            .attribute(Attribute::string("id").computed())
            .attribute(Attribute::string("name").required())
            .attribute(Attribute::string("zone").optional()),
    )
}

#[async_trait]
impl Resource for Breaker {
    fn type_name(&self) -> &str {
        "t_breaker"
    }
    fn schema(&self) -> Schema {
        schema()
    }
    async fn create(&self, _ctx: &Context, req: CreateRequest, resp: &mut CreateResponse) {
        resp.state = req.plan.with_role(crate::typed::ValueRole::State);
        resp.state.set_attr("id", &"x1").unwrap();
        if self.0 == Breaks::PlannedValue {
            resp.state.set_attr("zone", &"z-picked").unwrap();
        }
    }
    async fn read(&self, _ctx: &Context, _req: ReadRequest, _resp: &mut ReadResponse) {}
    async fn update(&self, _ctx: &Context, _req: UpdateRequest, resp: &mut UpdateResponse) {
        if self.0 == Breaks::PlannedValue {
            resp.state.set_attr("zone", &"z-picked").unwrap();
        }
    }
    async fn delete(&self, _ctx: &Context, _req: DeleteRequest, _resp: &mut DeleteResponse) {}
    fn plan_modifier(&self) -> Option<&dyn ResourceModifyPlan> {
        Some(self)
    }
}

#[async_trait]
impl ResourceModifyPlan for Breaker {
    async fn modify_plan(
        &self,
        _ctx: &Context,
        _req: ModifyPlanRequest,
        resp: &mut ModifyPlanResponse,
    ) {
        let name: String = resp.plan.get_attr("name").unwrap();
        if self.0 == Breaks::ConfiguredValue {
            resp.plan.set_attr("name", &name.to_uppercase()).unwrap();
        }
    }
}

struct BreakerProvider(Breaks);

#[async_trait]
impl Provider for BreakerProvider {
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
        vec![Arc::new(Breaker(self.0))]
    }
}

fn dv(v: &Value) -> Option<pb::DynamicValue> {
    let ty: Type = schema().value_type();
    Some(pb::DynamicValue {
        msgpack: to_msgpack(v, &ty).unwrap(),
        json: vec![],
    })
}

fn thing(id: Value, name: &str) -> Value {
    Value::object([("id", id), ("name", name.into()), ("zone", Value::Null)])
}

fn summaries(diags: &[pb::Diagnostic]) -> Vec<(&str, String)> {
    diags
        .iter()
        .map(|d| {
            let at = d
                .attribute
                .as_ref()
                .map(|p| format!("{p:?}"))
                .unwrap_or_default();
            (d.summary.as_str(), at)
        })
        .collect()
}

async fn plan_create(breaks: Breaks) -> pb::plan_resource_change::Response {
    let s = FrameworkServer::new(Arc::new(BreakerProvider(breaks)));
    let config = thing(Value::Null, "web");
    s.plan_resource_change(pb::plan_resource_change::Request {
        type_name: "t_breaker".into(),
        prior_state: dv(&Value::Null),
        proposed_new_state: dv(&config),
        config: dv(&config),
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn a_plan_modifier_may_not_change_a_configured_value() {
    let ok = plan_create(Breaks::Nothing).await;
    assert!(ok.diagnostics.is_empty(), "{:?}", ok.diagnostics);
    assert!(ok.planned_state.is_some());

    let bad = plan_create(Breaks::ConfiguredValue).await;
    assert!(bad.planned_state.is_none(), "a broken plan is not returned");
    let [d] = bad.diagnostics.as_slice() else {
        panic!("one diagnostic expected: {:?}", bad.diagnostics)
    };
    assert_eq!(d.summary, "Plan modifier changed a configured value");
    assert!(format!("{:?}", d.attribute).contains("\"name\""), "{d:?}");
    assert!(
        d.detail.contains("t_breaker") && d.detail.contains("name"),
        "{}",
        d.detail
    );
    assert!(
        d.detail.contains("never change a configured one"),
        "{}",
        d.detail
    );
}

#[tokio::test]
async fn apply_may_not_change_a_known_planned_value() {
    async fn create(breaks: Breaks) -> pb::apply_resource_change::Response {
        let s = FrameworkServer::new(Arc::new(BreakerProvider(breaks)));
        s.apply_resource_change(pb::apply_resource_change::Request {
            type_name: "t_breaker".into(),
            prior_state: dv(&Value::Null),
            planned_state: dv(&thing(Value::Unknown, "web")),
            config: dv(&thing(Value::Null, "web")),
            ..Default::default()
        })
        .await
    }
    let ok = create(Breaks::Nothing).await;
    assert!(ok.diagnostics.is_empty(), "{:?}", ok.diagnostics);

    let bad = create(Breaks::PlannedValue).await;
    let found = summaries(&bad.diagnostics);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "Apply changed a planned value");
    assert!(found[0].1.contains("\"zone\""), "{found:?}");
    let detail = &bad.diagnostics[0].detail;
    assert!(detail.contains("After create, t_breaker"), "{detail}");
    assert!(
        detail.contains("must not change a value the plan knew"),
        "{detail}"
    );

    // The same rule holds for an update.
    let s = FrameworkServer::new(Arc::new(BreakerProvider(Breaks::PlannedValue)));
    let prior = thing("x1".into(), "web");
    let changed = thing("x1".into(), "web2");
    let resp = s
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: "t_breaker".into(),
            prior_state: dv(&prior),
            planned_state: dv(&changed),
            config: dv(&thing(Value::Null, "web2")),
            ..Default::default()
        })
        .await;
    let found = summaries(&resp.diagnostics);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "Apply changed a planned value");
    assert!(resp.diagnostics[0].detail.contains("After update"));
}
