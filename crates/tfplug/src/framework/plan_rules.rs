//! Terraform's planning rules, applied once for every resource (reference §2.5).
//!
//! Pure functions over a schema block and values, so they are unit-testable without gRPC.

use std::collections::BTreeMap;

use crate::schema::{Block, Nesting};
use crate::value::{AttributePath, Value};

/// The framework's plan for one resource instance, before the optional plan modifier.
pub(crate) struct Plan {
    pub planned: Value,
    pub requires_replace: Vec<AttributePath>,
}

/// Builds the plan from Terraform's proposed new state.
///
/// - destroy (proposed null) plans null;
/// - write-only attributes are always planned null;
/// - when anything changes, computed attributes that are null in config become unknown,
///   except `use_state_for_unknown`/`requires_replace` ones, which keep the prior value;
/// - `requires_replace` paths whose value differs from prior are reported, and then every
///   computed attribute not set in config becomes unknown (the object is new).
pub(crate) fn plan_change(block: &Block, prior: &Value, proposed: &Value, config: &Value) -> Plan {
    if proposed.is_null() {
        return Plan {
            planned: Value::Null,
            requires_replace: Vec::new(),
        };
    }
    let mut planned = normalize(block, proposed.clone());
    clear_write_only(block, &mut planned);
    let changing = prior.is_null() || !planned.equals(prior);
    if changing {
        mark_computed_unknown(block, &mut planned, config, prior, true);
    }
    let requires_replace = if prior.is_null() {
        Vec::new()
    } else {
        replace_paths(block, prior, &planned, &AttributePath::root())
    };
    if !requires_replace.is_empty() {
        mark_computed_unknown(block, &mut planned, config, &Value::Null, false);
    }
    Plan {
        planned,
        requires_replace,
    }
}

/// Requires-replace paths of the schema whose value differs between prior and planned.
pub(crate) fn replace_paths(
    block: &Block,
    prior: &Value,
    planned: &Value,
    path: &AttributePath,
) -> Vec<AttributePath> {
    let mut out = Vec::new();
    for a in &block.attributes {
        if !a.requires_replace {
            continue;
        }
        let before = prior.get_attr(&a.name).unwrap_or(&Value::Null);
        let after = planned.get_attr(&a.name).unwrap_or(&Value::Null);
        if !before.equals(after) {
            out.push(path.clone().attr(&a.name));
        }
    }
    for nb in &block.blocks {
        let before = prior.get_attr(&nb.type_name).unwrap_or(&Value::Null);
        let after = planned.get_attr(&nb.type_name).unwrap_or(&Value::Null);
        let here = path.clone().attr(&nb.type_name);
        match (nb.nesting, before, after) {
            (Nesting::Single | Nesting::Group, b, a) => {
                if b.is_null() != a.is_null() && has_replace(&nb.block) {
                    out.push(here);
                } else if !b.is_null() {
                    out.extend(replace_paths(&nb.block, b, a, &here));
                }
            }
            (Nesting::List, Value::List(bs), Value::List(as_)) => {
                if bs.len() != as_.len() && has_replace(&nb.block) {
                    out.push(here);
                } else {
                    for (i, (b, a)) in bs.iter().zip(as_).enumerate() {
                        out.extend(replace_paths(
                            &nb.block,
                            b,
                            a,
                            &here.clone().index(i as i64),
                        ));
                    }
                }
            }
            (_, b, a) => {
                if !b.equals(a) && has_replace(&nb.block) {
                    out.push(here);
                }
            }
        }
    }
    out
}

fn has_replace(block: &Block) -> bool {
    block.attributes.iter().any(|a| a.requires_replace)
        || block.blocks.iter().any(|b| has_replace(&b.block))
}

fn mark_computed_unknown(
    block: &Block,
    planned: &mut Value,
    config: &Value,
    prior: &Value,
    keep_state: bool,
) {
    let Value::Object(attrs) = planned else {
        return;
    };
    for a in &block.attributes {
        if !a.computed || a.write_only {
            continue;
        }
        let in_config = config.get_attr(&a.name).is_some_and(|v| !v.is_null());
        if in_config {
            continue;
        }
        let prior_value = prior.get_attr(&a.name);
        let keep =
            keep_state && (a.use_state_for_unknown || a.requires_replace) && !prior.is_null();
        let new = match (keep, prior_value) {
            (true, Some(p)) => p.clone(),
            _ => Value::Unknown,
        };
        attrs.insert(a.name.clone(), new);
    }
    for nb in &block.blocks {
        let Some(child) = attrs.get_mut(&nb.type_name) else {
            continue;
        };
        let cfg = config.get_attr(&nb.type_name).unwrap_or(&Value::Null);
        let pri = prior.get_attr(&nb.type_name).unwrap_or(&Value::Null);
        match (nb.nesting, child) {
            (Nesting::Single | Nesting::Group, c @ Value::Object(_)) => {
                mark_computed_unknown(&nb.block, c, cfg, pri, keep_state);
            }
            (Nesting::List | Nesting::Set, Value::List(items) | Value::Set(items)) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let c = element(cfg, i);
                    // Set elements have no stable identity, so only lists reuse prior elements.
                    let p = if nb.nesting == Nesting::List {
                        element(pri, i)
                    } else {
                        &Value::Null
                    };
                    mark_computed_unknown(&nb.block, item, c, p, keep_state);
                }
            }
            (Nesting::Map, Value::Map(items)) => {
                for (k, item) in items.iter_mut() {
                    let c = map_entry(cfg, k);
                    let p = map_entry(pri, k);
                    mark_computed_unknown(&nb.block, item, c, p, keep_state);
                }
            }
            _ => {}
        }
    }
}

fn element(v: &Value, i: usize) -> &Value {
    match v {
        Value::List(items) | Value::Set(items) => items.get(i).unwrap_or(&Value::Null),
        _ => &Value::Null,
    }
}

fn map_entry<'a>(v: &'a Value, k: &str) -> &'a Value {
    match v {
        Value::Map(m) => m.get(k).unwrap_or(&Value::Null),
        _ => &Value::Null,
    }
}

/// Sets every write-only attribute to null (they must never appear in plans or state).
pub(crate) fn clear_write_only(block: &Block, v: &mut Value) {
    let Value::Object(attrs) = v else {
        return;
    };
    for a in &block.attributes {
        if a.write_only {
            attrs.insert(a.name.clone(), Value::Null);
        }
    }
    for nb in &block.blocks {
        match attrs.get_mut(&nb.type_name) {
            Some(Value::List(items) | Value::Set(items)) => items
                .iter_mut()
                .for_each(|i| clear_write_only(&nb.block, i)),
            Some(Value::Map(items)) => items
                .values_mut()
                .for_each(|i| clear_write_only(&nb.block, i)),
            Some(child) => clear_write_only(&nb.block, child),
            None => {}
        }
    }
}

/// Brings a value into the exact shape Terraform expects for this block: every attribute
/// present, unknown keys dropped, absent list/set blocks as empty collections (never null),
/// absent group blocks as objects.
pub(crate) fn normalize(block: &Block, v: Value) -> Value {
    let mut m = match v {
        Value::Null => return Value::Null,
        Value::Unknown => return Value::Unknown,
        Value::Object(m) | Value::Map(m) => m,
        Value::Dynamic(_, inner) => return normalize(block, *inner),
        other => return other,
    };
    let mut out = BTreeMap::new();
    for a in &block.attributes {
        let v = m.remove(&a.name).unwrap_or_default().conform(&a.ty);
        out.insert(a.name.clone(), v);
    }
    for nb in &block.blocks {
        let v = m.remove(&nb.type_name).unwrap_or_default();
        let v = match (nb.nesting, v) {
            (Nesting::List, Value::Null) => Value::List(Vec::new()),
            (Nesting::Set, Value::Null) => Value::Set(Vec::new()),
            (Nesting::Map, Value::Null) => Value::Map(BTreeMap::new()),
            (Nesting::Group, Value::Null) => normalize(&nb.block, Value::Object(BTreeMap::new())),
            (Nesting::List, Value::List(items) | Value::Set(items) | Value::Tuple(items)) => {
                Value::List(items.into_iter().map(|i| normalize(&nb.block, i)).collect())
            }
            (Nesting::Set, Value::List(items) | Value::Set(items) | Value::Tuple(items)) => {
                Value::Set(items.into_iter().map(|i| normalize(&nb.block, i)).collect())
            }
            (Nesting::Map, Value::Map(items) | Value::Object(items)) => Value::Map(
                items
                    .into_iter()
                    .map(|(k, i)| (k, normalize(&nb.block, i)))
                    .collect(),
            ),
            (_, other) => normalize(&nb.block, other),
        };
        out.insert(nb.type_name.clone(), v);
    }
    Value::Object(out)
}

/// Rule 1 (Terraform checks it after every plan): configured values that the plan changed.
/// A plan may fill in what the configuration leaves null or unknown, never replace what it sets.
/// Write-only attributes are skipped: the plan holds them null by design.
pub(crate) fn changed_configured_values(
    block: &Block,
    config: &Value,
    planned: &Value,
) -> Vec<AttributePath> {
    let mut config = normalize(block, config.clone());
    clear_write_only(block, &mut config);
    let mut out = Vec::new();
    changed_paths(&config, planned, true, &AttributePath::root(), &mut out);
    out
}

/// Rule 2 (Terraform checks it after every apply): known planned values, null included, that
/// the applied state changed. Only what the plan left unknown may be decided by the apply.
pub(crate) fn changed_planned_values(planned: &Value, applied: &Value) -> Vec<AttributePath> {
    let mut out = Vec::new();
    changed_paths(planned, applied, false, &AttributePath::root(), &mut out);
    out
}

/// Paths where `actual` differs from what `expected` fixes. Unknown expected values fix nothing;
/// with `null_is_open`, neither do null ones. Sets are compared whole, and only when wholly
/// known, since their elements have no path.
fn changed_paths(
    expected: &Value,
    actual: &Value,
    null_is_open: bool,
    path: &AttributePath,
    out: &mut Vec<AttributePath>,
) {
    let actual = match actual {
        Value::Dynamic(_, inner) => inner.as_ref(),
        other => other,
    };
    match (expected, actual) {
        (Value::Unknown, _) => {}
        (Value::Null, _) if null_is_open => {}
        (Value::Dynamic(_, inner), _) => changed_paths(inner, actual, null_is_open, path, out),
        (Value::Object(e), Value::Object(a)) => {
            for (name, ev) in e {
                let av = a.get(name).unwrap_or(&Value::Null);
                changed_paths(ev, av, null_is_open, &path.clone().attr(name), out);
            }
        }
        (Value::Map(e), Value::Map(a)) if e.keys().eq(a.keys()) => {
            for (k, ev) in e {
                changed_paths(ev, &a[k], null_is_open, &path.clone().key(k), out);
            }
        }
        (Value::List(e), Value::List(a)) | (Value::Tuple(e), Value::Tuple(a))
            if e.len() == a.len() =>
        {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                changed_paths(ev, av, null_is_open, &path.clone().index(i as i64), out);
            }
        }
        (Value::Set(_), _) if !expected.is_fully_known() => {}
        (e, a) => {
            if !e.equals(a) {
                out.push(path.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Attribute, NestedBlock};

    fn block() -> Block {
        Block::new()
            .attribute(Attribute::string("id").computed().use_state_for_unknown())
            .attribute(Attribute::string("name").required().requires_replace())
            .attribute(Attribute::string("note").optional())
            .attribute(Attribute::number("length").computed())
            .attribute(Attribute::string("secret").optional().write_only())
            .block(NestedBlock::single(
                "timeouts",
                Block::new().attribute(Attribute::string("create").optional()),
            ))
            .block(NestedBlock::list(
                "rule",
                Block::new().attribute(Attribute::number("port").optional()),
            ))
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        let v = Value::object(pairs.iter().map(|(k, v)| (*k, v.clone())));
        normalize(&block(), v)
    }

    #[test]
    fn create_marks_computed_unknown_and_blocks_empty() {
        let cfg = obj(&[("name", "a".into()), ("secret", "s".into())]);
        let p = plan_change(&block(), &Value::Null, &cfg, &cfg);
        assert_eq!(p.planned.get_attr("id"), Some(&Value::Unknown));
        assert_eq!(p.planned.get_attr("length"), Some(&Value::Unknown));
        assert_eq!(p.planned.get_attr("secret"), Some(&Value::Null));
        assert_eq!(p.planned.get_attr("rule"), Some(&Value::List(vec![])));
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn unchanged_keeps_prior_exactly() {
        let prior = obj(&[
            ("id", "x".into()),
            ("name", "a".into()),
            ("length", Value::int(1)),
        ]);
        let cfg = obj(&[("name", "a".into())]);
        let p = plan_change(&block(), &prior, &prior, &cfg);
        assert_eq!(p.planned, prior);
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn update_keeps_use_state_and_unknowns_the_rest() {
        let prior = obj(&[
            ("id", "x".into()),
            ("name", "a".into()),
            ("length", Value::int(1)),
        ]);
        let cfg = obj(&[("name", "a".into()), ("note", "n".into())]);
        let proposed = obj(&[
            ("id", "x".into()),
            ("name", "a".into()),
            ("note", "n".into()),
            ("length", Value::int(1)),
        ]);
        let p = plan_change(&block(), &prior, &proposed, &cfg);
        assert_eq!(p.planned.get_attr("id"), Some(&Value::string("x")));
        assert_eq!(p.planned.get_attr("length"), Some(&Value::Unknown));
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn replace_reports_path_and_unknowns_ids() {
        let prior = obj(&[("id", "x".into()), ("name", "a".into())]);
        let cfg = obj(&[("name", "b".into())]);
        let proposed = obj(&[("id", "x".into()), ("name", "b".into())]);
        let p = plan_change(&block(), &prior, &proposed, &cfg);
        assert_eq!(p.requires_replace, vec![AttributePath::root().attr("name")]);
        assert_eq!(p.planned.get_attr("id"), Some(&Value::Unknown));
    }

    #[test]
    fn destroy_plans_null() {
        let prior = obj(&[("id", "x".into()), ("name", "a".into())]);
        let p = plan_change(&block(), &prior, &Value::Null, &Value::Null);
        assert!(p.planned.is_null());
    }

    #[test]
    fn configured_values_must_survive_the_plan() {
        let cfg = obj(&[("name", "a".into()), ("secret", "s".into())]);
        let planned = obj(&[
            ("id", Value::Unknown),
            ("name", "a".into()),
            ("note", "filled".into()),
        ]);
        // Filling a null, leaving a write-only null: allowed.
        assert!(changed_configured_values(&block(), &cfg, &planned).is_empty());
        let renamed = obj(&[("name", "b".into())]);
        assert_eq!(
            changed_configured_values(&block(), &cfg, &renamed),
            vec![AttributePath::root().attr("name")]
        );
        let with_rule = obj(&[
            ("name", "a".into()),
            (
                "rule",
                Value::List(vec![Value::object([("port", Value::int(80))])]),
            ),
        ]);
        let other_port = obj(&[
            ("name", "a".into()),
            (
                "rule",
                Value::List(vec![Value::object([("port", Value::int(81))])]),
            ),
        ]);
        assert_eq!(
            changed_configured_values(&block(), &with_rule, &other_port),
            vec![AttributePath::root().attr("rule").index(0).attr("port")]
        );
    }

    #[test]
    fn known_planned_values_must_survive_the_apply() {
        let planned = obj(&[("id", Value::Unknown), ("name", "a".into())]);
        let applied = obj(&[("id", "x".into()), ("name", "a".into())]);
        assert!(changed_planned_values(&planned, &applied).is_empty());
        // A planned null is a known value too.
        let noted = obj(&[
            ("id", "x".into()),
            ("name", "a".into()),
            ("note", "n".into()),
        ]);
        assert_eq!(
            changed_planned_values(&planned, &noted),
            vec![AttributePath::root().attr("note")]
        );
    }
}
