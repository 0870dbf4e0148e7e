use serde::{Deserialize, Serialize};

use super::*;
use crate::value::Unknowable;

fn ty() -> Type {
    Type::object([
        ("name", Type::String),
        ("size", Type::Number),
        ("inner", Type::object([("port", Type::Number)])),
    ])
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Inner {
    port: Unknowable<Option<i64>>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct M {
    name: Option<String>,
    size: Unknowable<Option<i64>>,
    inner: Option<Inner>,
}

#[test]
fn unknowns_round_trip_through_models() {
    let v = Value::object([
        ("name", Value::string("a")),
        ("size", Value::Unknown),
        ("inner", Value::object([("port", Value::Unknown)])),
    ]);
    let t = TypedValue::new(ValueRole::Plan, ty(), v.clone());
    let m: M = t.get().unwrap();
    assert_eq!(m.size, Unknowable::Unknown);
    assert_eq!(m.inner.as_ref().unwrap().port, Unknowable::Unknown);
    let mut back = TypedValue::null(ValueRole::Plan, ty());
    back.set(&m).unwrap();
    assert_eq!(back.value(), &v);
    assert!(!back.is_fully_known());
    assert!(back.is_unknown("size"));
}

#[test]
fn unknown_in_a_plain_field_points_at_the_attribute() {
    let v = Value::object([("name", Value::Unknown), ("size", Value::int(1))]);
    let t = TypedValue::new(ValueRole::Config, ty(), v);
    let d = t.get::<M>().unwrap_err();
    let first = d.iter().next().unwrap();
    assert_eq!(first.attribute, Some(AttributePath::attr_root("name")));
    assert!(first.detail.contains("Unknowable"), "{first}");
}

#[test]
fn attribute_access_reads_and_writes_one_value() {
    let mut t = TypedValue::new(
        ValueRole::State,
        ty(),
        Value::object([
            ("name", Value::string("a")),
            ("inner", Value::object([("port", Value::Null)])),
        ]),
    );
    assert_eq!(
        t.get_attr::<Option<String>>("name").unwrap().as_deref(),
        Some("a")
    );
    assert_eq!(t.get_attr::<Option<i64>>("size").unwrap(), None);
    t.set_attr(AttributePath::attr_root("inner").attr("port"), &80)
        .unwrap();
    assert_eq!(
        t.get_attr::<i64>(AttributePath::attr_root("inner").attr("port"))
            .unwrap(),
        80
    );
    // A wrong type names the attribute.
    let d = t.set_attr("size", &"big").unwrap_err();
    assert_eq!(
        d.iter().next().unwrap().attribute,
        Some(AttributePath::attr_root("size"))
    );
    let d = t.set_attr("nope", &1).unwrap_err();
    assert!(
        d.iter()
            .next()
            .unwrap()
            .detail
            .contains("no such attribute")
    );
}

#[test]
fn private_keys_round_trip_and_foreign_bytes_are_refused() {
    let mut p = Private::new();
    assert!(p.to_bytes().is_empty());
    p.set("etag", &"abc").unwrap();
    let back = Private::from_bytes(&p.to_bytes()).unwrap();
    assert_eq!(back.get::<String>("etag").unwrap().as_deref(), Some("abc"));
    assert_eq!(back.get::<String>("other").unwrap(), None);
    assert!(Private::from_bytes(b"\x01\x02").is_err());
}

#[test]
fn framework_private_keys_are_hidden_from_resources() {
    let mut p = Private::new();
    assert!(p.set(".mine", &1).is_err(), "'.' keys are the framework's");
    p.set("etag", &"abc").unwrap();
    p.mark_imported();
    let mut back = Private::from_bytes(&p.to_bytes()).unwrap();
    assert_eq!(back.get::<bool>(".tfplug.imported").unwrap(), None);
    assert!(back.take_imported());
    assert!(!back.take_imported(), "the mark is read once");
    assert_eq!(back.to_bytes(), br#"{"etag":"abc"}"#.to_vec());
}

#[test]
fn known_values_read_through_unknowable() {
    let v = Value::object([
        ("name", Value::Null),
        ("size", Value::int(12)),
        ("inner", Value::object([("port", Value::int(80))])),
    ]);
    let m: M = TypedValue::new(ValueRole::Config, ty(), v.clone())
        .get()
        .unwrap();
    assert_eq!(m.size, Unknowable::Known(Some(12)));
    assert_eq!(m.size.known_value(), Some(&12));
    assert_eq!(m.inner.unwrap().port, Unknowable::Known(Some(80)));
    let big: Unknowable<Option<f64>> = TypedValue::new(ValueRole::Config, ty(), v)
        .get_attr("size")
        .unwrap();
    assert_eq!(big.known_value(), Some(&12.0));
}

#[test]
fn a_model_that_does_not_fit_names_the_attribute() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        inner: WrongInner,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct WrongInner {
        port: String,
    }
    let v = Value::object([
        ("name", Value::Null),
        ("size", Value::Null),
        ("inner", Value::object([("port", Value::int(80))])),
    ]);
    let d = TypedValue::new(ValueRole::State, ty(), v)
        .get::<Wrong>()
        .unwrap_err();
    let first = d.iter().next().unwrap();
    assert_eq!(
        first.attribute,
        Some(AttributePath::attr_root("inner").attr("port"))
    );
    assert!(first.detail.contains("expected a string"), "{first}");
    assert!(first.detail.contains("bug in the provider"), "{first}");
}
