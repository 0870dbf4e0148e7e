//! Byte-level vectors for the codecs, checked against what go-cty produces and accepts.

use std::collections::BTreeMap;

use super::*;

fn obj_ab() -> Type {
    Type::object([("a", Type::String), ("b", Type::Number)])
}

#[test]
fn unknown_encodes_as_fixext_zero() {
    assert_eq!(
        to_msgpack(&Value::Unknown, &Type::String).unwrap(),
        vec![0xd4, 0x00, 0x00]
    );
}

#[test]
fn object_with_two_nulls_writes_every_attribute() {
    let bytes = to_msgpack(&Value::Object(BTreeMap::new()), &obj_ab()).unwrap();
    assert_eq!(bytes, vec![0x82, 0xa1, b'a', 0xc0, 0xa1, b'b', 0xc0]);
    let back = from_msgpack(&bytes, &obj_ab()).unwrap();
    assert_eq!(
        back,
        Value::object([("a", Value::Null), ("b", Value::Null)])
    );
}

#[test]
fn any_extension_decodes_as_unknown_including_refined() {
    // Plain unknown, and a refined unknown (ext 12 with a map payload {1: false}).
    assert_eq!(
        from_msgpack(&[0xd4, 0x00, 0x00], &Type::String).unwrap(),
        Value::Unknown
    );
    let refined = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2];
    assert_eq!(
        from_msgpack(&refined, &Type::String).unwrap(),
        Value::Unknown
    );
    // Refined unknown inside an object attribute.
    let mut bytes = vec![0x82, 0xa1, b'a'];
    bytes.extend_from_slice(&refined);
    bytes.extend_from_slice(&[0xa1, b'b', 0x05]);
    let v = from_msgpack(&bytes, &obj_ab()).unwrap();
    assert_eq!(v.get_attr("a"), Some(&Value::Unknown));
    assert_eq!(v.get_attr("b").and_then(Value::as_i64), Some(5));
    assert!(!v.is_fully_known());
}

#[test]
fn numbers_small_large_and_fractional() {
    assert_eq!(
        to_msgpack(&Value::int(5), &Type::Number).unwrap(),
        vec![0x05]
    );
    assert_eq!(
        to_msgpack(&Value::int(-1), &Type::Number).unwrap(),
        vec![0xff]
    );
    // Beyond i64: written as a decimal string, exactly as go-cty does.
    let big = Value::Number(Number::parse("18446744073709551617").unwrap());
    let bytes = to_msgpack(&big, &Type::Number).unwrap();
    assert_eq!(bytes[0], 0xb4);
    assert_eq!(&bytes[1..], b"18446744073709551617");
    assert_eq!(from_msgpack(&bytes, &Type::Number).unwrap(), big);
    // A uint64 beyond i64 (0xcf) decodes without loss.
    let u = [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    assert_eq!(
        from_msgpack(&u, &Type::Number).unwrap(),
        Value::Number(Number::Big("18446744073709551615".into()))
    );
    // 1.5 as float64.
    let f = to_msgpack(&Value::Number(Number::from_f64(1.5)), &Type::Number).unwrap();
    assert_eq!(f, vec![0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]);
    // A float64 that is integral decodes as an integer.
    let two = [0xcb, 0x40, 0, 0, 0, 0, 0, 0, 0];
    assert_eq!(from_msgpack(&two, &Type::Number).unwrap(), Value::int(2));
}

#[test]
fn nested_list_blocks_are_empty_lists_not_null() {
    use crate::framework::plan_rules::normalize;
    use crate::schema::{Attribute, Block, NestedBlock};
    let block = Block::new()
        .attribute(Attribute::string("a").optional())
        .block(NestedBlock::list(
            "r",
            Block::new().attribute(Attribute::number("p").optional()),
        ));
    let v = normalize(&block, Value::object([("a", Value::string("x"))]));
    let bytes = to_msgpack(&v, &block.value_type()).unwrap();
    // {"a": "x", "r": []}
    assert_eq!(bytes, vec![0x82, 0xa1, b'a', 0xa1, b'x', 0xa1, b'r', 0x90]);
}

#[test]
fn sets_and_maps() {
    let set = Value::Set(vec![Value::string("x"), Value::string("y")]);
    let bytes = to_msgpack(&set, &Type::set(Type::String)).unwrap();
    assert_eq!(bytes, vec![0x92, 0xa1, b'x', 0xa1, b'y']);
    assert_eq!(from_msgpack(&bytes, &Type::set(Type::String)).unwrap(), set);
    assert!(set.equals(&Value::Set(vec![Value::string("y"), Value::string("x")])));

    let map = Value::Map([("k".to_string(), Value::Bool(true))].into());
    let bytes = to_msgpack(&map, &Type::map(Type::Bool)).unwrap();
    assert_eq!(bytes, vec![0x81, 0xa1, b'k', 0xc3]);
    assert_eq!(from_msgpack(&bytes, &Type::map(Type::Bool)).unwrap(), map);
}

#[test]
fn dynamic_carries_its_type() {
    let v = Value::Dynamic(Type::String, Box::new(Value::string("hi")));
    let bytes = to_msgpack(&v, &Type::Dynamic).unwrap();
    // [bin("\"string\""), "hi"]
    let mut expected = vec![0x92, 0xc4, 0x08];
    expected.extend_from_slice(b"\"string\"");
    expected.extend_from_slice(&[0xa2, b'h', b'i']);
    assert_eq!(bytes, expected);
    assert_eq!(from_msgpack(&bytes, &Type::Dynamic).unwrap(), v);
    // Null and unknown in a dynamic slot stay plain.
    assert_eq!(
        to_msgpack(&Value::Null, &Type::Dynamic).unwrap(),
        vec![0xc0]
    );
    assert_eq!(
        from_msgpack(&[0xd4, 0, 0], &Type::Dynamic).unwrap(),
        Value::Unknown
    );
}

#[test]
fn object_shape_errors_name_the_attribute() {
    // Unknown attribute in msgpack input.
    let bytes = [0x81, 0xa1, b'z', 0xc0];
    let err = from_msgpack(&bytes, &obj_ab()).unwrap_err();
    assert!(err.message.contains("unsupported attribute \"z\""), "{err}");
    // Wrong type at a nested path.
    let err = to_msgpack(&Value::object([("b", Value::string("x"))]), &obj_ab()).unwrap_err();
    assert_eq!(err.path, AttributePath::root().attr("b"));
    // Truncated input never panics.
    assert!(from_msgpack(&[0x82, 0xa1], &obj_ab()).is_err());
    assert!(from_msgpack(&[0xdd, 0xff, 0xff, 0xff, 0xff], &Type::list(Type::String)).is_err());
}

#[test]
fn json_upgrade_drops_unknown_keys_and_nulls_new_ones() {
    let ty = Type::object([("a", Type::String), ("new", Type::Number)]);
    let v = from_json_slice(br#"{"a":"x","obsolete":1}"#, &ty).unwrap();
    assert_eq!(
        v,
        Value::object([("a", Value::string("x")), ("new", Value::Null)])
    );
    let big = from_json_slice(b"123456789012345678901234567890", &Type::Number).unwrap();
    assert_eq!(
        to_json(&big, &Type::Number).unwrap().to_string(),
        "123456789012345678901234567890"
    );
}

#[test]
fn serde_bridge_round_trip_and_unknown_error() {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct S {
        a: Option<String>,
        b: Option<i64>,
    }
    let v = to_value(
        &S {
            a: Some("x".into()),
            b: None,
        },
        &obj_ab(),
    )
    .unwrap();
    assert_eq!(
        v,
        Value::object([("a", Value::string("x")), ("b", Value::Null)])
    );
    let s: S = from_value(&v).unwrap();
    assert_eq!(
        s,
        S {
            a: Some("x".into()),
            b: None
        }
    );
    let err =
        from_value::<S>(&Value::object([("a", Value::Unknown), ("b", Value::Null)])).unwrap_err();
    assert_eq!(err.path, AttributePath::root().attr("a"));
}

#[test]
fn type_json_round_trip() {
    let t = Type::object([("l", Type::list(Type::String)), ("d", Type::Dynamic)]);
    let json = t.to_json();
    assert_eq!(
        json,
        serde_json::json!(["object", {"d": "dynamic", "l": ["list", "string"]}])
    );
    assert_eq!(Type::from_json(&json).unwrap(), t);
    assert_eq!(
        AttributePath::root()
            .attr("timeouts")
            .attr("create")
            .to_string(),
        "timeouts.create"
    );
    assert_eq!(
        AttributePath::root()
            .attr("r")
            .index(0)
            .key("k")
            .to_string(),
        "r[0][\"k\"]"
    );
}
