//! cty's msgpack encoding (what Terraform sends and expects in `DynamicValue.msgpack`).
//!
//! Encoding is driven by the type so objects always carry every attribute; decoding reads a
//! generic msgpack tree first and then shapes it by the type. Any extension value decodes as
//! unknown, which covers refined unknowns (extension 12).

use std::collections::BTreeMap;

use super::{AttributePath, Number, Type, Value, ValueError, excerpt};

/// Encodes `value` as msgpack for a slot of type `ty`.
pub fn to_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut out = Vec::new();
    encode(&mut out, value, ty, &AttributePath::root())?;
    Ok(out)
}

/// Decodes msgpack bytes for a slot of type `ty`.
pub fn from_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let mut reader = Reader { buf: bytes, pos: 0 };
    let raw = reader.read()?;
    if reader.pos != bytes.len() {
        return Err(ValueError::new("trailing bytes after msgpack value"));
    }
    shape(raw, ty, &AttributePath::root())
}

fn w<E: std::fmt::Debug>(r: Result<impl Sized, E>) -> Result<(), ValueError> {
    r.map(|_| ())
        .map_err(|e| ValueError::new(format!("msgpack write failed: {e:?}")))
}

fn len32(n: usize, path: &AttributePath) -> Result<u32, ValueError> {
    u32::try_from(n).map_err(|_| ValueError::at(path, "collection too large"))
}

fn encode(out: &mut Vec<u8>, v: &Value, ty: &Type, path: &AttributePath) -> Result<(), ValueError> {
    use rmp::encode as e;
    match (ty, v) {
        (_, Value::Null) => w(e::write_nil(out)),
        // The form go-cty writes for an unrefined unknown: fixext1, type 0, one zero byte.
        (_, Value::Unknown) => {
            out.extend_from_slice(&[0xd4, 0x00, 0x00]);
            Ok(())
        }
        (Type::Dynamic, v) => {
            let (concrete, inner) = match v {
                Value::Dynamic(t, inner) => (t.clone(), inner.as_ref()),
                other => (infer_type(other), other),
            };
            w(e::write_array_len(out, 2))?;
            w(e::write_bin(out, &concrete.to_json_bytes()))?;
            encode(out, inner, &concrete, path)
        }
        (t, Value::Dynamic(_, inner)) => encode(out, inner, t, path),
        (Type::Bool, Value::Bool(b)) => w(e::write_bool(out, *b)),
        (Type::Number, Value::Number(n)) => match n {
            Number::Int(i) => w(e::write_sint(out, *i)),
            Number::Float(f) => w(e::write_f64(out, *f)),
            Number::Big(s) => w(e::write_str(out, s)),
        },
        (Type::String, Value::String(s)) => w(e::write_str(out, s)),
        (Type::List(et) | Type::Set(et), Value::List(items) | Value::Set(items)) => {
            w(e::write_array_len(out, len32(items.len(), path)?))?;
            for (i, item) in items.iter().enumerate() {
                encode(out, item, et, &path.clone().index(i as i64))?;
            }
            Ok(())
        }
        (Type::Tuple(ets), Value::Tuple(items) | Value::List(items)) => {
            if ets.len() != items.len() {
                return Err(ValueError::at(
                    path,
                    format!("tuple needs {} elements, got {}", ets.len(), items.len()),
                ));
            }
            w(e::write_array_len(out, len32(items.len(), path)?))?;
            for (i, (item, et)) in items.iter().zip(ets).enumerate() {
                encode(out, item, et, &path.clone().index(i as i64))?;
            }
            Ok(())
        }
        (Type::Map(et), Value::Map(m) | Value::Object(m)) => {
            w(e::write_map_len(out, len32(m.len(), path)?))?;
            for (k, item) in m {
                w(e::write_str(out, k))?;
                encode(out, item, et, &path.clone().key(k))?;
            }
            Ok(())
        }
        (Type::Object(attrs), Value::Object(m) | Value::Map(m)) => {
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(ValueError::at(
                    path,
                    format!("unsupported attribute {extra:?}"),
                ));
            }
            w(e::write_map_len(out, len32(attrs.len(), path)?))?;
            for (k, at) in attrs {
                w(e::write_str(out, k))?;
                let item = m.get(k).unwrap_or(&Value::Null);
                encode(out, item, at, &path.clone().attr(k))?;
            }
            Ok(())
        }
        (t, v) => Err(ValueError::at(
            path,
            format!("a value of type {t} is required, got {}", describe(v)),
        )),
    }
}

/// Best-effort type of a value placed in a `dynamic` slot without an explicit type.
pub(crate) fn infer_type(v: &Value) -> Type {
    match v {
        Value::Null | Value::Unknown => Type::Dynamic,
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::List(items) => Type::list(items.first().map(infer_type).unwrap_or(Type::Dynamic)),
        Value::Set(items) => Type::set(items.first().map(infer_type).unwrap_or(Type::Dynamic)),
        Value::Map(m) => Type::map(m.values().next().map(infer_type).unwrap_or(Type::Dynamic)),
        Value::Object(m) => {
            Type::Object(m.iter().map(|(k, v)| (k.clone(), infer_type(v))).collect())
        }
        Value::Tuple(items) => Type::Tuple(items.iter().map(infer_type).collect()),
        Value::Dynamic(t, _) => t.clone(),
    }
}

pub(crate) fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Unknown => "an unknown value",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::List(_) => "a list",
        Value::Set(_) => "a set",
        Value::Map(_) => "a map",
        Value::Object(_) => "an object",
        Value::Tuple(_) => "a tuple",
        Value::Dynamic(..) => "a dynamic value",
    }
}

/// Generic msgpack tree, before the type gives it meaning.
#[derive(Debug)]
enum Raw {
    Nil,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Bin(Vec<u8>),
    Array(Vec<Raw>),
    Map(Vec<(Raw, Raw)>),
    Ext,
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// Deepest nesting accepted. Schemas nest a few levels; this bound keeps the recursive
/// reader and shaper well inside a 2 MiB thread stack (a tokio worker's) even in debug builds.
pub(crate) const MAX_DEPTH: usize = 128;

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], ValueError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.buf.len())
            .ok_or_else(|| ValueError::new("truncated msgpack value"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn uint(&mut self, n: usize) -> Result<u64, ValueError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }
    fn read(&mut self) -> Result<Raw, ValueError> {
        self.read_depth(0)
    }
    fn read_depth(&mut self, depth: usize) -> Result<Raw, ValueError> {
        if depth > MAX_DEPTH {
            return Err(ValueError::new("msgpack value nested too deeply"));
        }
        let m = self.take(1)?[0];
        Ok(match m {
            0x00..=0x7f => Raw::Int(i128::from(m)),
            0xe0..=0xff => Raw::Int(i128::from(m as i8)),
            0x80..=0x8f => self.map(usize::from(m & 0x0f), depth)?,
            0x90..=0x9f => self.array(usize::from(m & 0x0f), depth)?,
            0xa0..=0xbf => self.str(usize::from(m & 0x1f))?,
            0xc0 => Raw::Nil,
            0xc2 => Raw::Bool(false),
            0xc3 => Raw::Bool(true),
            0xc4..=0xc6 => {
                let n = self.uint(1 << (m - 0xc4))? as usize;
                Raw::Bin(self.take(n)?.to_vec())
            }
            0xc7..=0xc9 => {
                let n = self.uint(1 << (m - 0xc7))? as usize;
                self.take(1 + n)?;
                Raw::Ext
            }
            0xca => Raw::Float(f64::from(f32::from_bits(self.uint(4)? as u32))),
            0xcb => Raw::Float(f64::from_bits(self.uint(8)?)),
            0xcc..=0xcf => Raw::Int(i128::from(self.uint(1 << (m - 0xcc))?)),
            0xd0 => Raw::Int(i128::from(self.uint(1)? as u8 as i8)),
            0xd1 => Raw::Int(i128::from(self.uint(2)? as u16 as i16)),
            0xd2 => Raw::Int(i128::from(self.uint(4)? as u32 as i32)),
            0xd3 => Raw::Int(i128::from(self.uint(8)? as i64)),
            0xd4..=0xd8 => {
                self.take(1 + (1 << (m - 0xd4)))?;
                Raw::Ext
            }
            0xd9..=0xdb => {
                let n = self.uint(1 << (m - 0xd9))? as usize;
                self.str(n)?
            }
            0xdc | 0xdd => {
                let n = self.uint(2 << (m - 0xdc))? as usize;
                self.array(n, depth)?
            }
            0xde | 0xdf => {
                let n = self.uint(2 << (m - 0xde))? as usize;
                self.map(n, depth)?
            }
            0xc1 => return Err(ValueError::new("invalid msgpack marker 0xc1")),
        })
    }
    fn str(&mut self, n: usize) -> Result<Raw, ValueError> {
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec())
            .map(Raw::Str)
            .map_err(|_| ValueError::new("msgpack string is not valid UTF-8"))
    }
    /// Refuses a length prefix that claims more items than the bytes left could hold (every
    /// item takes at least `min_bytes`), before anything is reserved for them.
    fn claim(&self, n: usize, min_bytes: usize, what: &str) -> Result<(), ValueError> {
        let left = self.buf.len() - self.pos;
        if n.saturating_mul(min_bytes) > left {
            return Err(ValueError::new(format!(
                "msgpack {what} claims {n} items but only {left} bytes are left"
            )));
        }
        Ok(())
    }
    fn array(&mut self, n: usize, depth: usize) -> Result<Raw, ValueError> {
        self.claim(n, 1, "array")?;
        // No reservation from the prefix: items are pushed as they are read, so memory follows
        // the bytes actually present.
        let mut items = Vec::new();
        for _ in 0..n {
            items.push(self.read_depth(depth + 1)?);
        }
        Ok(Raw::Array(items))
    }
    fn map(&mut self, n: usize, depth: usize) -> Result<Raw, ValueError> {
        self.claim(n, 2, "map")?;
        let mut items = Vec::new();
        for _ in 0..n {
            let k = self.read_depth(depth + 1)?;
            let v = self.read_depth(depth + 1)?;
            items.push((k, v));
        }
        Ok(Raw::Map(items))
    }
}

fn raw_name(r: &Raw) -> &'static str {
    match r {
        Raw::Nil => "nil",
        Raw::Bool(_) => "a bool",
        Raw::Int(_) | Raw::Float(_) => "a number",
        Raw::Str(_) => "a string",
        Raw::Bin(_) => "binary data",
        Raw::Array(_) => "an array",
        Raw::Map(_) => "a map",
        Raw::Ext => "an extension",
    }
}

fn shape(raw: Raw, ty: &Type, path: &AttributePath) -> Result<Value, ValueError> {
    let mismatch = |r: &Raw| ValueError::at(path, format!("{ty} required, found {}", raw_name(r)));
    match (ty, raw) {
        (_, Raw::Nil) => Ok(Value::Null),
        (_, Raw::Ext) => Ok(Value::Unknown),
        (Type::Dynamic, Raw::Array(mut parts)) if parts.len() == 2 => {
            let inner = parts.pop().unwrap_or(Raw::Nil);
            let type_json = match parts.pop() {
                Some(Raw::Bin(b)) => b,
                Some(Raw::Str(s)) => s.into_bytes(),
                _ => return Err(ValueError::at(path, "dynamic value lacks its type")),
            };
            let json: serde_json::Value = serde_json::from_slice(&type_json)
                .map_err(|e| ValueError::at(path, format!("bad dynamic type: {e}")))?;
            let concrete = Type::from_json(&json).map_err(|e| ValueError::at(path, e.message))?;
            match shape(inner, &concrete, path)? {
                v @ (Value::Null | Value::Unknown) => Ok(v),
                v => Ok(Value::Dynamic(concrete, Box::new(v))),
            }
        }
        (Type::Bool, Raw::Bool(b)) => Ok(Value::Bool(b)),
        (Type::Number, Raw::Int(i)) => Ok(Value::Number(match i64::try_from(i) {
            Ok(i) => Number::Int(i),
            Err(_) => Number::Big(i.to_string()),
        })),
        (Type::Number, Raw::Float(f)) => Ok(Value::Number(Number::from_f64(f))),
        (Type::Number, Raw::Str(s)) => Number::parse(&s)
            .map(Value::Number)
            .ok_or_else(|| ValueError::at(path, format!("{:?} is not a number", excerpt(&s, 80)))),
        (Type::String, Raw::Str(s)) => Ok(Value::String(s)),
        (Type::List(et), Raw::Array(items)) => Ok(Value::List(shape_all(items, et, path)?)),
        (Type::Set(et), Raw::Array(items)) => Ok(Value::Set(shape_all(items, et, path)?)),
        (Type::Tuple(ets), Raw::Array(items)) => {
            if ets.len() != items.len() {
                return Err(ValueError::at(
                    path,
                    format!(
                        "a tuple of {} elements is required ({} given)",
                        ets.len(),
                        items.len()
                    ),
                ));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, (item, et)) in items.into_iter().zip(ets).enumerate() {
                out.push(shape(item, et, &path.clone().index(i as i64))?);
            }
            Ok(Value::Tuple(out))
        }
        (Type::Map(et), Raw::Map(entries)) => {
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                let Raw::Str(k) = k else {
                    return Err(ValueError::at(path, "map keys must be strings"));
                };
                let item = shape(v, et, &path.clone().key(&k))?;
                out.insert(k, item);
            }
            Ok(Value::Map(out))
        }
        (Type::Object(attrs), Raw::Map(entries)) => {
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                let Raw::Str(k) = k else {
                    return Err(ValueError::at(path, "object keys must be strings"));
                };
                let Some(at) = attrs.get(&k) else {
                    return Err(ValueError::at(
                        path,
                        format!("unsupported attribute {:?}", excerpt(&k, 80)),
                    ));
                };
                let item = shape(v, at, &path.clone().attr(&k))?;
                out.insert(k, item);
            }
            // Terraform always sends every attribute; tolerate gaps as null rather than fail.
            for k in attrs.keys() {
                out.entry(k.clone()).or_insert(Value::Null);
            }
            Ok(Value::Object(out))
        }
        (_, r) => Err(mismatch(&r)),
    }
}

fn shape_all(items: Vec<Raw>, et: &Type, path: &AttributePath) -> Result<Vec<Value>, ValueError> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| shape(item, et, &path.clone().index(i as i64)))
        .collect()
}
