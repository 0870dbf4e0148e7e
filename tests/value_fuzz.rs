//! Hostile input against the cty decoders Terraform feeds: msgpack (`DynamicValue.msgpack`) and
//! JSON (`RawState.json`, `DynamicValue.json`). Property tests on fixed seeds: no panic, no hang,
//! and memory bounded by the input, measured by a counting allocator.
//!
//! Each test decodes on a thread with a 2 MiB stack (what a tokio worker serving gRPC has), so
//! deep input that would overflow a real server's stack fails here too.

mod fuzz_support;

use std::collections::BTreeMap;

use fuzz_support::{LIMIT, heap_bound, on_server_stack, peak_heap};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tfplug::value::{Number, Type, Value, from_json_slice, from_msgpack, to_msgpack};

// ---------------------------------------------------------------------------------------------
// Types and values to decode against.

fn schema_types() -> Vec<Type> {
    let timeouts = Type::object([("create", Type::String), ("delete", Type::String)]);
    vec![
        Type::Dynamic,
        Type::String,
        Type::Number,
        Type::Bool,
        Type::list(Type::String),
        Type::set(Type::Number),
        Type::map(Type::Dynamic),
        Type::Tuple(vec![Type::String, Type::Dynamic]),
        Type::object([
            ("id", Type::String),
            ("load_balancer_id", Type::String),
            ("location_id", Type::String),
            ("weight", Type::Number),
            ("timeouts", timeouts),
            ("tags", Type::map(Type::String)),
            ("any", Type::Dynamic),
        ]),
        Type::list(Type::list(Type::list(Type::Dynamic))),
    ]
}

fn random_type(rng: &mut StdRng, depth: u32) -> Type {
    let leaf = depth == 0 || rng.random_bool(0.4);
    if leaf {
        return match rng.random_range(0..4) {
            0 => Type::String,
            1 => Type::Number,
            2 => Type::Bool,
            _ => Type::Dynamic,
        };
    }
    match rng.random_range(0..5) {
        0 => Type::list(random_type(rng, depth - 1)),
        1 => Type::set(random_type(rng, depth - 1)),
        2 => Type::map(random_type(rng, depth - 1)),
        3 => Type::Tuple(
            (0..rng.random_range(0..4))
                .map(|_| random_type(rng, depth - 1))
                .collect(),
        ),
        _ => Type::Object(
            (0..rng.random_range(0..4))
                .map(|i| (format!("a{i}"), random_type(rng, depth - 1)))
                .collect(),
        ),
    }
}

fn random_string(rng: &mut StdRng) -> String {
    const PIECES: &[&str] = &[
        "", "a", "lb-1", "#", "é", "𝄞", "\u{0}", "\"", "\\", "\n", "ID",
    ];
    (0..rng.random_range(0..5))
        .map(|_| PIECES[rng.random_range(0..PIECES.len())])
        .collect()
}

/// A value that conforms to `ty` (nulls and unknowns included at any level).
fn random_value(rng: &mut StdRng, ty: &Type, allow_unknown: bool) -> Value {
    match rng.random_range(0..12) {
        0 => return Value::Null,
        1 if allow_unknown => return Value::Unknown,
        _ => {}
    }
    match ty {
        Type::Bool => Value::Bool(rng.random()),
        Type::Number => Value::Number(match rng.random_range(0..3) {
            0 => Number::Int(rng.random()),
            1 => Number::from_f64(rng.random_range(-1e6..1e6)),
            _ => Number::Int(rng.random_range(-100..100)),
        }),
        Type::String => Value::String(random_string(rng)),
        Type::Dynamic => {
            let t = random_type(rng, 1);
            match random_value(rng, &t, allow_unknown) {
                v @ (Value::Null | Value::Unknown) => v,
                v => Value::Dynamic(t, Box::new(v)),
            }
        }
        Type::List(et) => Value::List(
            (0..rng.random_range(0..4))
                .map(|_| random_value(rng, et, allow_unknown))
                .collect(),
        ),
        Type::Set(et) => Value::Set(
            (0..rng.random_range(0..4))
                .map(|_| random_value(rng, et, allow_unknown))
                .collect(),
        ),
        Type::Map(et) => Value::Map(
            (0..rng.random_range(0..4))
                .map(|_| (random_string(rng), random_value(rng, et, allow_unknown)))
                .collect::<BTreeMap<_, _>>(),
        ),
        Type::Tuple(ets) => Value::Tuple(
            ets.iter()
                .map(|t| random_value(rng, t, allow_unknown))
                .collect(),
        ),
        Type::Object(attrs) => Value::Object(
            attrs
                .iter()
                .map(|(k, t)| (k.clone(), random_value(rng, t, allow_unknown)))
                .collect(),
        ),
    }
}

/// Byte-level damage: flips, cuts, splices of hostile markers and long length prefixes.
fn mutate(rng: &mut StdRng, bytes: &mut Vec<u8>) {
    const HOSTILE: &[&[u8]] = &[
        &[0xc1],
        &[0xdd, 0x01, 0x00, 0x00, 0x00],
        &[0xdf, 0xff, 0xff, 0xff, 0xff],
        &[0xdb, 0x7f, 0xff, 0xff, 0xff],
        &[0xc6, 0xff, 0xff, 0xff, 0xff],
        &[0xc9, 0xff, 0xff, 0xff, 0xff, 0x00],
        &[0xa2, 0xff, 0xfe],
        &[0x81, 0x01, 0xc0],
        &[0xd4, 0x0c, 0x00],
    ];
    for _ in 0..rng.random_range(1..4) {
        let at = rng.random_range(0..=bytes.len());
        match rng.random_range(0..4) {
            0 if !bytes.is_empty() => {
                let i = rng.random_range(0..bytes.len());
                bytes[i] ^= 1 << rng.random_range(0..8);
            }
            1 => bytes.truncate(at),
            2 => {
                let piece = HOSTILE[rng.random_range(0..HOSTILE.len())];
                bytes.splice(at..at, piece.iter().copied());
            }
            _ => bytes.insert(at, rng.random()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// msgpack

/// Decodes and checks the properties every input must have.
fn check_msgpack(input: &[u8], ty: &Type) {
    let (result, peak) = peak_heap(|| from_msgpack(input, ty));
    assert!(
        peak <= heap_bound(input.len()),
        "decoding {} bytes held {peak} bytes of heap; input starts {:02x?}",
        input.len(),
        &input[..input.len().min(32)]
    );
    if let Err(e) = result {
        assert!(!e.message.is_empty());
        assert!(
            e.message.len() < 4096,
            "error message of {} bytes",
            e.message.len()
        );
    }
}

#[test]
fn msgpack_round_trips_generated_values() {
    on_server_stack("msgpack round trip", LIMIT, || {
        let mut rng = StdRng::seed_from_u64(0x6d73_6770);
        for i in 0..3000 {
            let ty = random_type(&mut rng, 3);
            let v = random_value(&mut rng, &ty, true);
            let bytes = to_msgpack(&v, &ty).unwrap_or_else(|e| panic!("case {i}: {ty}: {e}"));
            let back = from_msgpack(&bytes, &ty).unwrap_or_else(|e| panic!("case {i}: {ty}: {e}"));
            let again = to_msgpack(&back, &ty).unwrap();
            assert_eq!(bytes, again, "case {i}: {ty}: {v:?} came back as {back:?}");
        }
    });
}

#[test]
fn msgpack_survives_random_and_damaged_input() {
    on_server_stack("msgpack fuzz", LIMIT, || {
        let mut rng = StdRng::seed_from_u64(0xbad_5eed);
        let types = schema_types();
        for _ in 0..20_000 {
            let ty = &types[rng.random_range(0..types.len())];
            let input = if rng.random_bool(0.3) {
                let len = rng.random_range(0..64);
                (0..len).map(|_| rng.random()).collect::<Vec<u8>>()
            } else {
                let shape = if rng.random_bool(0.5) {
                    ty.clone()
                } else {
                    random_type(&mut rng, 3)
                };
                let v = random_value(&mut rng, &shape, true);
                let mut bytes = to_msgpack(&v, &shape).unwrap();
                mutate(&mut rng, &mut bytes);
                bytes
            };
            check_msgpack(&input, ty);
        }
    });
}

/// The hard cases by hand, each against every schema type.
#[test]
fn msgpack_known_hard_cases_are_errors_not_crashes() {
    on_server_stack("msgpack hard cases", LIMIT, || {
        let mut cases: Vec<(&str, Vec<u8>, bool)> = vec![
            ("0xc1", vec![0xc1], false),
            ("0xc1 inside an array", vec![0x92, 0x01, 0xc1], false),
            ("invalid UTF-8 fixstr", vec![0xa2, 0xc3, 0x28], false),
            ("invalid UTF-8 str8", vec![0xd9, 0x01, 0xff], false),
            (
                "truncated str32",
                vec![0xdb, 0x00, 0x00, 0x10, 0x00, b'a'],
                false,
            ),
            ("truncated str32 length", vec![0xdb, 0x00, 0x00], false),
            (
                "truncated ext32",
                vec![0xc9, 0x00, 0x01, 0x00, 0x00, 0x05, 1, 2],
                false,
            ),
            (
                "truncated map32",
                vec![0xdf, 0x00, 0x00, 0x00, 0x03, 0xa1, b'a', 0xc0],
                false,
            ),
            (
                "truncated bin32",
                vec![0xc6, 0x00, 0x10, 0x00, 0x00, 0x00],
                false,
            ),
            ("non-string map key", vec![0x81, 0x01, 0xa1, b'x'], false),
            ("nil map key", vec![0x81, 0xc0, 0xa1, b'x'], false),
            ("array map key", vec![0x81, 0x90, 0xa1, b'x'], false),
            ("trailing bytes", vec![0xa1, b'x', 0x00], false),
            ("trailing nil", vec![0xc0, 0xc0], false),
            ("empty input", vec![], false),
            (
                "array32 claiming 16M elements",
                vec![0xdd, 0x01, 0x00, 0x00, 0x00],
                false,
            ),
            (
                "map32 claiming 4G entries",
                vec![0xdf, 0xff, 0xff, 0xff, 0xff],
                false,
            ),
            (
                "array16 claiming 65535 with 3 present",
                vec![0xdc, 0xff, 0xff, 1, 2, 3],
                false,
            ),
            (
                "dynamic with garbage type",
                vec![0x92, 0xc4, 0x01, b'{', 0xc0],
                false,
            ),
            (
                "dynamic with a deep type",
                {
                    let json = format!("{}\"string\"{}", "[\"list\",".repeat(200), "]".repeat(200));
                    let mut v = vec![0x92, 0xc5];
                    v.extend_from_slice(&(json.len() as u16).to_be_bytes());
                    v.extend_from_slice(json.as_bytes());
                    v.push(0xc0);
                    v
                },
                false,
            ),
        ];
        let long_key = |value: u8| {
            let mut v = vec![0x81, 0xdb];
            v.extend_from_slice(&100_000u32.to_be_bytes());
            v.extend(std::iter::repeat_n(b'k', 100_000));
            v.push(value);
            v
        };
        // A long map key with a value of the wrong type (or an unknown attribute name).
        cases.push(("100k-byte key, bool value", long_key(0xc3), true));
        cases.push((
            "100k-byte key, nested error",
            {
                let mut v = long_key(0x91);
                v.push(0xc3);
                v
            },
            true,
        ));
        // 600-deep nesting of each container, and the deepest nesting that is still accepted.
        let nest = |opener: &[u8], depth: usize, leaf: u8| {
            let mut v = Vec::new();
            for _ in 0..depth {
                v.extend_from_slice(opener);
            }
            v.push(leaf);
            v
        };
        cases.push(("600-deep fixarray", nest(&[0x91], 600, 0xc0), false));
        cases.push((
            "600-deep array32",
            nest(&[0xdd, 0, 0, 0, 1], 600, 0xc0),
            false,
        ));
        cases.push(("600-deep map", nest(&[0x81, 0xa1, b'k'], 600, 0xc0), false));
        cases.push((
            "600-deep dynamic",
            nest(
                &[
                    0x92, 0xc4, 0x09, b'"', b'd', b'y', b'n', b'a', b'm', b'i', b'c', b'"',
                ],
                600,
                0xc0,
            ),
            false,
        ));
        cases.push(("500-deep fixarray", nest(&[0x91], 500, 0x01), true));
        cases.push((
            "250-deep dynamic",
            nest(
                &[
                    0x92, 0xc4, 0x09, b'"', b'd', b'y', b'n', b'a', b'm', b'i', b'c', b'"',
                ],
                250,
                0x01,
            ),
            true,
        ));
        for (name, input, may_decode) in &cases {
            for ty in schema_types() {
                let (result, peak) = peak_heap(|| from_msgpack(input, &ty));
                assert!(
                    peak <= heap_bound(input.len()),
                    "{name} as {ty}: held {peak} bytes of heap for {} bytes of input",
                    input.len()
                );
                if !may_decode {
                    assert!(result.is_err(), "{name} as {ty} decoded: {result:?}");
                }
                if let Err(e) = &result {
                    assert!(
                        e.message.len() < 1024,
                        "{name} as {ty}: {} byte message",
                        e.message.len()
                    );
                }
            }
        }
    });
}

/// The deepest value accepted still decodes, re-encodes, prints and drops on a 2 MiB stack; one
/// level more is refused with a clear message.
#[test]
fn msgpack_deepest_accepted_value_fits_a_server_stack() {
    on_server_stack("msgpack depth", LIMIT, || {
        for (depth, ok) in [(128usize, true), (129, false)] {
            let mut ty = Type::String;
            for _ in 0..depth {
                ty = Type::list(ty);
            }
            let mut input = vec![0x91; depth];
            input.extend_from_slice(&[0xa1, b'x']);
            match from_msgpack(&input, &ty) {
                Ok(v) => {
                    assert!(ok, "{depth} levels decoded");
                    assert_eq!(to_msgpack(&v, &ty).unwrap(), input);
                    let json = tfplug::value::to_json(&v, &ty).unwrap();
                    assert!(format!("{v:?}").contains("\"x\""));
                    assert!(json.to_string().contains("\"x\""));
                }
                Err(e) => {
                    assert!(!ok, "{depth} levels: {e}");
                    assert!(e.message.contains("nested too deeply"), "{e}");
                }
            }
        }
    });
}

/// A length prefix is checked against the bytes that are left before anything is reserved:
/// claiming 16 million elements in five bytes costs almost nothing, and so does the same claim
/// repeated at every level of nesting.
#[test]
fn msgpack_length_prefixes_are_refused_before_allocating() {
    on_server_stack("msgpack length prefixes", LIMIT, || {
        let ty = Type::Dynamic;
        let huge = [0xdd, 0x01, 0x00, 0x00, 0x00];
        let (r, peak) = peak_heap(|| from_msgpack(&huge, &Type::list(Type::String)));
        let e = r.unwrap_err();
        assert!(e.message.contains("16777216"), "{}", e.message);
        assert!(peak < 1024, "array32 of 16M elements reserved {peak} bytes");

        // Every level claims more than is left except for what the nesting itself needs.
        let mut nested = Vec::new();
        for _ in 0..500 {
            nested.extend_from_slice(&[0xdd, 0x00, 0x00, 0x10, 0x00]);
        }
        let (r, peak) = peak_heap(|| from_msgpack(&nested, &ty));
        assert!(r.is_err());
        assert!(
            peak <= heap_bound(nested.len()),
            "500 nested array32 headers ({} bytes) reserved {peak} bytes",
            nested.len()
        );
        for map in [[0xdf, 0x00, 0x10, 0x00, 0x00], [0xde, 0xff, 0xff, 0, 0]] {
            let (r, peak) = peak_heap(|| from_msgpack(&map, &ty));
            assert!(r.is_err());
            assert!(peak < 1024, "map header {map:02x?} reserved {peak} bytes");
        }
    });
}

// ---------------------------------------------------------------------------------------------
// JSON (stored state)

fn check_json(input: &[u8], ty: &Type) {
    let (result, peak) = peak_heap(|| from_json_slice(input, ty));
    assert!(
        peak <= heap_bound(input.len()),
        "decoding {} bytes of JSON held {peak} bytes of heap: {}",
        input.len(),
        String::from_utf8_lossy(&input[..input.len().min(80)])
    );
    if let Err(e) = result {
        assert!(
            e.message.len() <= 4096,
            "error message of {} bytes for {} bytes of input",
            e.message.len(),
            input.len()
        );
    }
}

fn random_json(rng: &mut StdRng, depth: u32) -> serde_json::Value {
    use serde_json::Value as J;
    let leaf = depth == 0 || rng.random_bool(0.35);
    if leaf {
        return match rng.random_range(0..7) {
            0 => J::Null,
            1 => J::Bool(rng.random()),
            2 => J::from(rng.random::<i64>()),
            3 => serde_json::from_str(
                ["1e400", "-0.0", "18446744073709551616", "1.5", "1e-400"][rng.random_range(0..5)],
            )
            .unwrap(),
            4 => J::from(["string", "number", "bool", "dynamic"][rng.random_range(0..4)]),
            _ => J::from(random_string(rng)),
        };
    }
    match rng.random_range(0..3) {
        0 => J::Array(
            (0..rng.random_range(0..4))
                .map(|_| random_json(rng, depth - 1))
                .collect(),
        ),
        1 => {
            serde_json::json!({"type": random_json(rng, depth - 1), "value": random_json(rng, depth - 1)})
        }
        _ => J::Object(
            (0..rng.random_range(0..4))
                .map(|i| {
                    let k = ["id", "weight", "timeouts", "create", "a0", "type", "value"][i % 7];
                    (k.to_string(), random_json(rng, depth - 1))
                })
                .collect(),
        ),
    }
}

#[test]
fn json_state_survives_random_and_damaged_input() {
    on_server_stack("json fuzz", LIMIT, || {
        let mut rng = StdRng::seed_from_u64(0x6a73_6f6e);
        let types = schema_types();
        for _ in 0..10_000 {
            let ty = &types[rng.random_range(0..types.len())];
            let mut bytes = serde_json::to_vec(&random_json(&mut rng, 4)).unwrap();
            if rng.random_bool(0.3) {
                for _ in 0..rng.random_range(1..3) {
                    let at = rng.random_range(0..=bytes.len());
                    match rng.random_range(0..3) {
                        0 => bytes.truncate(at),
                        1 => bytes.insert(at, rng.random()),
                        _ => {
                            bytes.splice(at..at, *b"[{\"type\":");
                        }
                    }
                }
            }
            check_json(&bytes, ty);
        }
        // Round trip through msgpack for values JSON can hold (no unknowns).
        for i in 0..2000 {
            let ty = random_type(&mut rng, 3);
            let v = random_value(&mut rng, &ty, false);
            let json = tfplug::value::to_json(&v, &ty).unwrap_or_else(|e| panic!("case {i}: {e}"));
            let back = from_json_slice(json.to_string().as_bytes(), &ty)
                .unwrap_or_else(|e| panic!("case {i}: {ty}: {e}: {json}"));
            assert_eq!(
                to_msgpack(&back, &ty).unwrap(),
                to_msgpack(&v, &ty).unwrap(),
                "case {i}: {ty}: {json}"
            );
        }
    });
}

#[test]
fn json_state_known_hard_cases() {
    on_server_stack("json hard cases", LIMIT, || {
        let deep_array = format!("{}{}", "[".repeat(600), "]".repeat(600));
        let deep_dynamic = format!(
            "{}null{}",
            "{\"type\":\"dynamic\",\"value\":".repeat(600),
            "}".repeat(600)
        );
        let deep_type = format!(
            "{{\"type\":{}\"string\"{},\"value\":null}}",
            "[\"list\",".repeat(600),
            "]".repeat(600)
        );
        let big_number = format!("{{\"weight\": 1{}}}", "0".repeat(100_000));
        let huge_exponent = "{\"weight\": 1e999999999}".to_string();
        let long_string = format!("{{\"id\": {}}}", "[".repeat(100_000));
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("600-deep array", deep_array.into_bytes()),
            ("600-deep dynamic", deep_dynamic.into_bytes()),
            ("600-deep type", deep_type.into_bytes()),
            ("100k-digit number", big_number.into_bytes()),
            ("huge exponent", huge_exponent.into_bytes()),
            ("unclosed 100k arrays", long_string.into_bytes()),
            ("invalid UTF-8", b"{\"id\": \"\xff\xfe\"}".to_vec()),
            ("lone surrogate escape", br#"{"id": "\ud800"}"#.to_vec()),
            ("trailing bytes", br#"{"id": "x"} {}"#.to_vec()),
            ("NUL", b"\0".to_vec()),
            ("empty", b"".to_vec()),
        ];
        for (name, input) in &cases {
            for ty in schema_types() {
                let (r, peak) = peak_heap(|| from_json_slice(input, &ty));
                assert!(
                    peak <= heap_bound(input.len()),
                    "{name} as {ty}: {peak} bytes of heap"
                );
                if let Err(e) = &r {
                    assert!(
                        e.message.len() <= 4096,
                        "{name} as {ty}: {} byte message",
                        e.message.len()
                    );
                }
                if name.starts_with("600") || *name == "trailing bytes" || *name == "invalid UTF-8"
                {
                    assert!(r.is_err(), "{name} as {ty} decoded");
                }
            }
        }
    });
}
