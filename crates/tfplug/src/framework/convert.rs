//! Conversions between the public framework types and the generated protobuf types.
//! The only place that translates generated code; the RPC files only move fields around.

use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::proto::tfplugin6 as pb;
use crate::schema::{Attribute, Block, IdentitySchema, ImportRole, NestedBlock, Nesting, Schema};
use crate::typed::{Private, TypedValue, ValueRole};
use crate::value::{
    AttributePath, PathStep, Type, Value, ValueError, from_json_slice, from_msgpack, to_msgpack,
};

pub(crate) fn path_to_proto(path: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::{Step, step::Selector};
    pb::AttributePath {
        steps: path
            .steps()
            .iter()
            .map(|s| Step {
                selector: Some(match s {
                    PathStep::Attr(n) => Selector::AttributeName(n.clone()),
                    PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

pub(crate) fn diag_to_proto(d: &Diagnostic) -> pb::Diagnostic {
    pb::Diagnostic {
        severity: match d.severity {
            Severity::Error => pb::diagnostic::Severity::Error as i32,
            Severity::Warning => pb::diagnostic::Severity::Warning as i32,
        },
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        // An empty path would make Terraform point at the whole block; leave it out instead.
        attribute: d
            .attribute
            .as_ref()
            .filter(|p| !p.is_root())
            .map(path_to_proto),
    }
}

pub(crate) fn diags_to_proto(diags: &Diagnostics) -> Vec<pb::Diagnostic> {
    diags.iter().map(diag_to_proto).collect()
}

pub(crate) fn schema_to_proto(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block_to_proto(&s.block, s.version)),
    }
}

fn block_to_proto(b: &Block, version: i64) -> pb::schema::Block {
    pb::schema::Block {
        version,
        attributes: b.attributes.iter().map(attribute_to_proto).collect(),
        block_types: b.blocks.iter().map(nested_to_proto).collect(),
        description: b.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: b.deprecated,
        deprecation_message: String::new(),
        computed: false,
    }
}

fn attribute_to_proto(a: &Attribute) -> pb::schema::Attribute {
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: a.ty.to_json_bytes(),
        nested_type: None,
        description: a.description.clone(),
        required: a.required,
        // An attribute that is neither required nor computed must be optional to be settable.
        optional: a.optional || (!a.required && !a.computed),
        computed: a.computed,
        sensitive: a.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: a.deprecated,
        write_only: a.write_only,
        deprecation_message: String::new(),
    }
}

fn nested_to_proto(n: &NestedBlock) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode;
    let nesting = match n.nesting {
        Nesting::Single => NestingMode::Single,
        Nesting::List => NestingMode::List,
        Nesting::Set => NestingMode::Set,
        Nesting::Map => NestingMode::Map,
        Nesting::Group => NestingMode::Group,
    };
    pb::schema::NestedBlock {
        type_name: n.type_name.clone(),
        block: Some(block_to_proto(&n.block, 0)),
        nesting: nesting as i32,
        min_items: n.min_items,
        max_items: n.max_items,
    }
}

/// Decodes a `DynamicValue`: msgpack when present, else JSON, else null (as Terraform does).
pub(crate) fn decode_dynamic(
    dv: Option<&pb::DynamicValue>,
    ty: &Type,
) -> Result<Value, ValueError> {
    match dv {
        None => Ok(Value::Null),
        Some(dv) if !dv.msgpack.is_empty() => from_msgpack(&dv.msgpack, ty),
        Some(dv) if !dv.json.is_empty() => from_json_slice(&dv.json, ty),
        Some(_) => Ok(Value::Null),
    }
}

/// Encodes a value as msgpack, the form Terraform prefers.
pub(crate) fn encode_dynamic(v: &Value, ty: &Type) -> Result<pb::DynamicValue, ValueError> {
    Ok(pb::DynamicValue {
        msgpack: to_msgpack(v, ty)?,
        json: Vec::new(),
    })
}

/// Turns a value codec error into a diagnostic that says where and what to do.
pub(crate) fn value_error_diag(what: &str, e: &ValueError) -> Diagnostics {
    let mut d = Diagnostics::new();
    let detail = format!(
        "{what}: {}. This is a bug in the provider or a mismatch with the Terraform version; \
         please report it with the output of `terraform version`.",
        e.message
    );
    if e.path.is_root() {
        d.error("Invalid value", detail);
    } else {
        d.attribute_error(e.path.clone(), "Invalid value", detail);
    }
    d
}

/// Decodes a `DynamicValue` of type `ty` into a typed value (absent means null).
pub(crate) fn typed_from_proto(
    dv: Option<&pb::DynamicValue>,
    role: ValueRole,
    ty: &Type,
) -> Result<TypedValue, Diagnostics> {
    decode_dynamic(dv, ty)
        .map(|v| TypedValue::new(role, ty.clone(), v))
        .map_err(|e| value_error_diag(&format!("Could not decode the {}", role.noun()), &e))
}

/// Encodes a typed value for the wire.
pub(crate) fn typed_to_proto(v: &TypedValue) -> Result<pb::DynamicValue, Diagnostics> {
    encode_dynamic(v.value(), v.value_type())
        .map_err(|e| value_error_diag(&format!("Could not encode the {}", v.role().noun()), &e))
}

/// Decodes identity data (absent means null).
pub(crate) fn identity_from_proto(
    data: Option<&pb::ResourceIdentityData>,
    ty: &Type,
) -> Result<TypedValue, Diagnostics> {
    typed_from_proto(
        data.and_then(|d| d.identity_data.as_ref()),
        ValueRole::Identity,
        ty,
    )
}

/// Encodes identity data; a null identity is sent as no identity.
pub(crate) fn identity_to_proto(
    v: Option<&TypedValue>,
) -> Result<Option<pb::ResourceIdentityData>, Diagnostics> {
    match v {
        Some(v) if !v.is_null() => Ok(Some(pb::ResourceIdentityData {
            identity_data: Some(typed_to_proto(v)?),
        })),
        _ => Ok(None),
    }
}

/// Decodes identity data written with a schema we do not know (a moved resource's source):
/// Terraform sends it as stored, JSON.
pub(crate) fn foreign_identity_from_proto(
    data: Option<&pb::RawState>,
) -> Result<Option<serde_json::Value>, Diagnostics> {
    let Some(raw) = data.filter(|r| !r.json.is_empty()) else {
        return Ok(None);
    };
    serde_json::from_slice::<serde_json::Value>(&raw.json)
        .map(|j| (!j.is_null()).then_some(j))
        .map_err(|e| {
            value_error_diag(
                "Could not decode the source identity",
                &ValueError::new(format!("invalid JSON: {e}")),
            )
        })
}

/// Private data from the wire.
pub(crate) fn private_from_proto(bytes: &[u8]) -> Result<Private, Diagnostics> {
    Private::from_bytes(bytes)
}

/// Private data for the wire.
pub(crate) fn private_to_proto(p: &Private) -> Vec<u8> {
    p.to_bytes()
}

pub(crate) fn identity_schema_to_proto(s: &IdentitySchema) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: s.version,
        identity_attributes: s
            .attributes
            .iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.clone(),
                r#type: a.ty.to_json_bytes(),
                required_for_import: a.import == ImportRole::Required,
                optional_for_import: a.import == ImportRole::Optional,
                description: a.description.clone(),
            })
            .collect(),
    }
}

pub(crate) fn paths_to_proto(paths: &[AttributePath]) -> Vec<pb::AttributePath> {
    paths.iter().map(path_to_proto).collect()
}
