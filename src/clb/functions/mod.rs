//! Provider-defined functions (Terraform 1.8+, OpenTofu 1.7+), named after the binding's import
//! ID: `provider::tencentcloud::association_id(object)` builds it from the coordinates, and
//! `provider::tencentcloud::parse_association_id(string)` takes ours or the official
//! attachment's apart. Both use the binding's own ID and identity rules
//! ([`crate::clb::binding`]), so they accept exactly what import accepts.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::clb::binding::id::AssociationId;
use crate::clb::binding::identity::{BindingIdentity, checked_identity};
use tfplug::function::{Arguments, Function, FunctionError, FunctionResult, Parameter, Signature};
use tfplug::value::Type;

/// The functions of this provider.
pub fn functions() -> Vec<Arc<dyn Function>> {
    vec![
        Arc::new(AssociationIdFunction),
        Arc::new(ParseAssociationId),
    ]
}

/// The coordinates' attribute names, in the order the functions document them.
const COORDINATES: [&str; 4] = [
    "load_balancer_id",
    "listener_id",
    "location_id",
    "target_group_id",
];

/// The object both functions speak: `location_id` null for a layer-4 listener.
fn coordinates_type() -> Type {
    Type::object(COORDINATES.map(|n| (n, Type::String)))
}

/// The coordinates as passed in: any object or map; `location_id` may be left out, other
/// attributes (a whole resource, say) are ignored.
#[derive(Debug, Deserialize)]
struct GivenCoordinates {
    load_balancer_id: Option<String>,
    listener_id: Option<String>,
    #[serde(default)]
    location_id: Option<String>,
    target_group_id: Option<String>,
}

/// The coordinates as returned.
#[derive(Debug, Serialize)]
struct Coordinates {
    load_balancer_id: String,
    listener_id: String,
    location_id: Option<String>,
    target_group_id: String,
}

/// `association_id(object) → string`.
pub(crate) struct AssociationIdFunction;

#[async_trait]
impl Function for AssociationIdFunction {
    fn name(&self) -> &str {
        "association_id"
    }

    fn signature(&self) -> Signature {
        Signature::new(Type::String)
            .summary("Builds the import ID of a target group binding")
            .description(
                "Returns the ID `tencentcloud_clb_target_group_association` uses for a binding \
                 (also its import ID): `lb-…#lbl-…#lbtg-…` for a layer-4 listener, \
                 `lb-…#lbl-…#loc-…#lbtg-…` for a layer-7 rule.",
            )
            .parameter(Parameter::new("binding", Type::Dynamic).description(
                "An object with `load_balancer_id`, `listener_id`, `target_group_id` and, \
                     for a layer-7 rule, `location_id` (null or absent for layer 4). Other \
                     attributes are ignored, so a whole resource or data source item can be \
                     passed.",
            ))
    }

    async fn call(
        &self,
        args: &Arguments,
        result: &mut FunctionResult,
    ) -> Result<(), FunctionError> {
        let given: GivenCoordinates = args.get(0).map_err(|e| {
            FunctionError::argument(
                0,
                format!(
                    "expected an object with load_balancer_id, listener_id, target_group_id and \
                     optionally location_id, all strings ({})",
                    e.text
                ),
            )
        })?;
        let missing: Vec<&str> = [
            ("load_balancer_id", &given.load_balancer_id),
            ("listener_id", &given.listener_id),
            ("target_group_id", &given.target_group_id),
        ]
        .into_iter()
        .filter(|(_, v)| v.as_deref().is_none_or(|s| s.trim().is_empty()))
        .map(|(n, _)| n)
        .collect();
        if !missing.is_empty() {
            return Err(FunctionError::argument(
                0,
                format!(
                    "the object has no {}; expected load_balancer_id (lb-…), listener_id \
                     (lbl-…), target_group_id (lbtg-…) and, for a layer-7 rule, location_id \
                     (loc-…)",
                    missing.join(", ")
                ),
            ));
        }
        let given = BindingIdentity {
            binding: AssociationId {
                load_balancer_id: given.load_balancer_id.unwrap_or_default(),
                listener_id: given.listener_id.unwrap_or_default(),
                location_id: given.location_id,
                target_group_id: given.target_group_id.unwrap_or_default(),
            },
            region: None,
        };
        // The checks an import by identity makes, so both accept the same coordinates.
        let (id, _) = checked_identity(&given).map_err(|problems| {
            let text = problems
                .iter()
                .map(|p| match &p.attribute {
                    Some(a) => format!("{a}: {}", p.detail),
                    None => p.detail.clone(),
                })
                .collect::<Vec<_>>()
                .join("; ");
            FunctionError::argument(0, text)
        })?;
        result.set(&id.to_string())
    }
}

/// `parse_association_id(string) → object`.
pub(crate) struct ParseAssociationId;

#[async_trait]
impl Function for ParseAssociationId {
    fn name(&self) -> &str {
        "parse_association_id"
    }

    fn signature(&self) -> Signature {
        Signature::new(coordinates_type())
            .summary("Splits a target group binding ID into its parts")
            .description(
                "Returns `{load_balancer_id, listener_id, location_id, target_group_id}` for a \
                 binding ID: ours (`lb-…#lbl-…#lbtg-…`, `lb-…#lbl-…#loc-…#lbtg-…`) or the \
                 official `tencentcloud_clb_target_group_attachment`'s \
                 (`lbtg-…#lbl-…#lb-…#loc-…`, with an empty or absent last part for layer 4). \
                 `location_id` is null for a layer-4 listener.",
            )
            .parameter(
                Parameter::new("id", Type::String)
                    .description("The binding ID, in any form `terraform import` accepts."),
            )
    }

    async fn call(
        &self,
        args: &Arguments,
        result: &mut FunctionResult,
    ) -> Result<(), FunctionError> {
        let raw: String = args.get(0)?;
        let id =
            AssociationId::parse(&raw).map_err(|e| FunctionError::argument(0, e.to_string()))?;
        result.set(&Coordinates {
            load_balancer_id: id.load_balancer_id,
            listener_id: id.listener_id,
            location_id: id.location_id,
            target_group_id: id.target_group_id,
        })
    }
}
