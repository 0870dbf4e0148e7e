//! cty's JSON encoding, as used for stored state (`RawState.json`) and the serde bridge.
//!
//! Decoding is lenient about object shape on purpose: attributes missing from the JSON become
//! null and unknown attributes are dropped, which is exactly the normalisation a state upgrade
//! to the current schema needs.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde_json::Value as Json;

use super::msgpack::{describe, infer_type};
use super::{AttributePath, Number, Type, Value, ValueError, excerpt};

/// Decodes JSON bytes for a slot of type `ty`.
pub fn from_json_slice(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let json: Json =
        serde_json::from_slice(bytes).map_err(|e| ValueError::new(format!("invalid JSON: {e}")))?;
    from_json(&json, ty)
}

/// Decodes a parsed JSON value for a slot of type `ty`.
pub fn from_json(json: &Json, ty: &Type) -> Result<Value, ValueError> {
    decode(json, ty, &AttributePath::root())
}

/// Encodes a wholly known value as JSON. Unknown values cannot be written as JSON.
pub fn to_json(value: &Value, ty: &Type) -> Result<Json, ValueError> {
    encode(value, ty, &AttributePath::root())
}

fn decode(json: &Json, ty: &Type, path: &AttributePath) -> Result<Value, ValueError> {
    let mismatch = || ValueError::at(path, format!("{ty} required, found {}", quoted(json)));
    match (ty, json) {
        (_, Json::Null) => Ok(Value::Null),
        (Type::Dynamic, Json::Object(o)) if o.contains_key("type") => {
            let concrete =
                Type::from_json(&o["type"]).map_err(|e| ValueError::at(path, e.message))?;
            let inner = decode(o.get("value").unwrap_or(&Json::Null), &concrete, path)?;
            Ok(match inner {
                Value::Null => Value::Null,
                v => Value::Dynamic(concrete, Box::new(v)),
            })
        }
        (Type::Dynamic, other) => {
            // Untyped JSON in a dynamic slot: take the natural mapping.
            let v = natural(other);
            let t = infer_type(&v);
            Ok(Value::Dynamic(t, Box::new(v)))
        }
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Bool, Json::String(s)) if s == "true" || s == "false" => {
            Ok(Value::Bool(s == "true"))
        }
        (Type::Number, Json::Number(n)) => Number::parse(&n.to_string())
            .map(Value::Number)
            .ok_or_else(mismatch),
        (Type::Number, Json::String(s)) => Number::parse(s).map(Value::Number).ok_or_else(mismatch),
        (Type::String, Json::String(s)) => Ok(Value::String(s.clone())),
        (Type::String, Json::Number(n)) => Ok(Value::String(n.to_string())),
        (Type::String, Json::Bool(b)) => Ok(Value::String(b.to_string())),
        (Type::List(et), Json::Array(items)) => Ok(Value::List(decode_all(items, et, path)?)),
        (Type::Set(et), Json::Array(items)) => Ok(Value::Set(decode_all(items, et, path)?)),
        (Type::Tuple(ets), Json::Array(items)) if ets.len() == items.len() => {
            let mut out = Vec::with_capacity(items.len());
            for (i, (item, et)) in items.iter().zip(ets).enumerate() {
                out.push(decode(item, et, &path.clone().index(i as i64))?);
            }
            Ok(Value::Tuple(out))
        }
        (Type::Map(et), Json::Object(o)) => {
            let mut out = BTreeMap::new();
            for (k, v) in o {
                out.insert(k.clone(), decode(v, et, &path.clone().key(k))?);
            }
            Ok(Value::Map(out))
        }
        (Type::Object(attrs), Json::Object(o)) => {
            let mut out = BTreeMap::new();
            for (k, at) in attrs {
                let v = match o.get(k) {
                    Some(j) => decode(j, at, &path.clone().attr(k))?,
                    None => Value::Null,
                };
                out.insert(k.clone(), v);
            }
            Ok(Value::Object(out))
        }
        _ => Err(mismatch()),
    }
}

/// A bounded excerpt of the JSON text that was found, for error messages.
fn quoted(json: &Json) -> String {
    excerpt(&json.to_string(), 80)
}

fn decode_all(items: &[Json], et: &Type, path: &AttributePath) -> Result<Vec<Value>, ValueError> {
    items
        .iter()
        .enumerate()
        .map(|(i, j)| decode(j, et, &path.clone().index(i as i64)))
        .collect()
}

/// Maps JSON to a value without a type (objects stay objects, arrays become tuples).
fn natural(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Number::parse(&n.to_string()).map_or(Value::Null, Value::Number),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Tuple(items.iter().map(natural).collect()),
        Json::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), natural(v))).collect()),
    }
}

fn number_json(n: &Number, path: &AttributePath) -> Result<Json, ValueError> {
    let num = match n {
        Number::Int(i) => serde_json::Number::from(*i),
        Number::Float(f) => serde_json::Number::from_f64(*f)
            .ok_or_else(|| ValueError::at(path, "infinite numbers cannot be written as JSON"))?,
        Number::Big(s) => serde_json::Number::from_str(s)
            .map_err(|_| ValueError::at(path, format!("{s:?} is not a number")))?,
    };
    Ok(Json::Number(num))
}

fn encode(v: &Value, ty: &Type, path: &AttributePath) -> Result<Json, ValueError> {
    match (ty, v) {
        (_, Value::Null) => Ok(Json::Null),
        (_, Value::Unknown) => Err(ValueError::at(path, "value is not known yet")),
        (Type::Dynamic, v) => {
            let (concrete, inner) = match v {
                Value::Dynamic(t, inner) => (t.clone(), inner.as_ref()),
                other => (infer_type(other), other),
            };
            Ok(serde_json::json!({
                "type": concrete.to_json(),
                "value": encode(inner, &concrete, path)?,
            }))
        }
        (t, Value::Dynamic(_, inner)) => encode(inner, t, path),
        (Type::Bool, Value::Bool(b)) => Ok(Json::Bool(*b)),
        (Type::Number, Value::Number(n)) => number_json(n, path),
        (Type::String, Value::String(s)) => Ok(Json::String(s.clone())),
        (Type::List(et) | Type::Set(et), Value::List(items) | Value::Set(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| encode(item, et, &path.clone().index(i as i64)))
            .collect::<Result<Vec<_>, _>>()
            .map(Json::Array),
        (Type::Tuple(ets), Value::Tuple(items) | Value::List(items))
            if ets.len() == items.len() =>
        {
            items
                .iter()
                .zip(ets)
                .enumerate()
                .map(|(i, (item, et))| encode(item, et, &path.clone().index(i as i64)))
                .collect::<Result<Vec<_>, _>>()
                .map(Json::Array)
        }
        (Type::Map(et), Value::Map(m) | Value::Object(m)) => {
            let mut out = serde_json::Map::new();
            for (k, item) in m {
                out.insert(k.clone(), encode(item, et, &path.clone().key(k))?);
            }
            Ok(Json::Object(out))
        }
        (Type::Object(attrs), Value::Object(m) | Value::Map(m)) => {
            let mut out = serde_json::Map::new();
            for (k, at) in attrs {
                let item = m.get(k).unwrap_or(&Value::Null);
                out.insert(k.clone(), encode(item, at, &path.clone().attr(k))?);
            }
            Ok(Json::Object(out))
        }
        (t, v) => Err(ValueError::at(
            path,
            format!("a value of type {t} is required, got {}", describe(v)),
        )),
    }
}
