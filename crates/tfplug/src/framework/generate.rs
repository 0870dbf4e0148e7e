//! GenerateResourceConfig (Terraform 1.14+): the configuration a user would write for a state,
//! which `terraform query -generate-config-out` and `terraform plan -generate-config-out` turn
//! into HCL. Kept: what a user can set. Null: computed-only, write-only and deprecated
//! attributes and an optional+computed `id` (the rules Terraform itself applies when a provider
//! does not offer this call), then the resource's own refinement.

use std::collections::BTreeMap;

use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;
use crate::schema::{Block, Nesting};
use crate::typed::{TypedValue, ValueRole};
use crate::value::Value;

use super::FrameworkServer;
use super::convert::{diags_to_proto, typed_from_proto, typed_to_proto};

/// `state` reduced to what a user writes in `block`.
pub(crate) fn configurable_part(block: &Block, state: &Value) -> Value {
    let Value::Object(attrs) = state else {
        return state.clone();
    };
    let mut out = BTreeMap::new();
    for a in &block.attributes {
        let computed_only = a.computed && !a.optional && !a.required;
        let generated_id = a.name == "id" && a.computed && !a.required;
        let keep = !(computed_only || generated_id || a.write_only || a.deprecated);
        let v = attrs.get(&a.name).cloned().unwrap_or_default();
        out.insert(a.name.clone(), if keep { v } else { Value::Null });
    }
    for nb in &block.blocks {
        let v = attrs.get(&nb.type_name).cloned().unwrap_or_default();
        let each = |items: &[Value]| -> Vec<Value> {
            items
                .iter()
                .map(|i| configurable_part(&nb.block, i))
                .collect()
        };
        let v = match (nb.nesting, v) {
            (_, Value::List(items)) => Value::List(each(&items)),
            (_, Value::Set(items)) => Value::Set(each(&items)),
            (_, Value::Map(items)) => Value::Map(
                items
                    .into_iter()
                    .map(|(k, i)| (k, configurable_part(&nb.block, &i)))
                    .collect(),
            ),
            (Nesting::Single | Nesting::Group, v) => configurable_part(&nb.block, &v),
            (_, v) => v,
        };
        out.insert(nb.type_name.clone(), v);
    }
    Value::Object(out)
}

impl FrameworkServer {
    pub(super) async fn generate_resource_config(
        &self,
        req: pb::generate_resource_config::Request,
    ) -> pb::generate_resource_config::Response {
        let mut diags = Diagnostics::new();
        let config = self.generate_inner(&req, &mut diags);
        pb::generate_resource_config::Response {
            config,
            diagnostics: diags_to_proto(&diags),
        }
    }

    fn generate_inner(
        &self,
        req: &pb::generate_resource_config::Request,
        diags: &mut Diagnostics,
    ) -> Option<pb::DynamicValue> {
        let name = &req.type_name;
        let entry = diags.capture(self.resource(name))?;
        let ty = entry.schema.value_type();
        let state = diags.capture(typed_from_proto(req.state.as_ref(), ValueRole::State, &ty))?;
        if state.is_null() || !state.is_fully_known() {
            diags.error(
                "Cannot generate configuration",
                format!(
                    "Terraform asked for the configuration of a {name} whose state is {}. Only a \
                     stored or imported object can be turned into configuration.",
                    if state.is_null() {
                        "empty"
                    } else {
                        "not wholly known"
                    }
                ),
            );
            return None;
        }
        let derived = configurable_part(&entry.schema.block, state.value());
        let mut config = TypedValue::new(ValueRole::Config, ty, derived);
        if let Some(g) = entry.resource.config_generator() {
            g.generate_config(&state, &mut config, diags);
            if diags.has_errors() {
                return None;
            }
        }
        diags.capture(typed_to_proto(&config))
    }
}
