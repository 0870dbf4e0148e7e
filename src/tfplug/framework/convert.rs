//! Conversions between the public framework types and the generated protobuf types.
//! The only place besides the server glue that touches generated code.

use crate::tfplug::diag::{Diagnostic, Diagnostics, Severity};
use crate::tfplug::proto::tfplugin6 as pb;
use crate::tfplug::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::tfplug::value::{
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
