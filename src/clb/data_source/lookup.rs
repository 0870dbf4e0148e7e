//! Looking bindings up for the `tencentcloud_clb_target_group_associations` data source: which
//! call answers a query, the filters applied to its answer, and the findings for objects that do
//! not exist. Written against the [`Engine`] so it is unit-tested with the in-memory fake.

use crate::clb::binding::validate::{IdKind, check_id};
use crate::clb::cloud::{BindingDetail, Deadline};
use crate::clb::engine::Engine;
use tencentcloud::error::ApiError;
use tfplug::diag::{Diagnostic, Diagnostics};
use tfplug::value::Unknowable;

/// What to look up. At least one of `target_group_id` and `load_balancer_id` is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BindingQuery {
    /// Only bindings of this target group.
    pub target_group_id: Option<String>,
    /// Only bindings on this load balancer.
    pub load_balancer_id: Option<String>,
    /// Only bindings on this listener.
    pub listener_id: Option<String>,
}

/// The attributes a query is made of, with the kind of ID each holds.
const QUERY_IDS: [(&str, IdKind); 3] = [
    ("target_group_id", IdKind::TargetGroup),
    ("load_balancer_id", IdKind::LoadBalancer),
    ("listener_id", IdKind::Listener),
];

/// Problems with the query's attributes, each on its attribute. Unknown values count as set and
/// are checked once they are known.
pub(crate) fn validate_query(
    target_group_id: &Unknowable<Option<String>>,
    load_balancer_id: &Unknowable<Option<String>>,
    listener_id: &Unknowable<Option<String>>,
) -> Diagnostics {
    let unset = |v: &Unknowable<Option<String>>| matches!(v, Unknowable::Known(None));
    let mut found = Diagnostics::new();
    if unset(target_group_id) && unset(load_balancer_id) {
        found.add(missing_query());
    }
    for ((attribute, kind), value) in
        QUERY_IDS
            .into_iter()
            .zip([target_group_id, load_balancer_id, listener_id])
    {
        if let Some(v) = value.known_value()
            && let Err(detail) = check_id(kind, v.trim())
        {
            found.add(Diagnostic::error(format!("Invalid {attribute}"), detail).at(attribute));
        }
    }
    found
}

/// The bindings matching `query`, sorted by load balancer, listener, rule and target group; or a
/// finding when the target group or load balancer it names does not exist.
///
/// A target group is looked up with `DescribeTargetGroups` (one call for every binding it has);
/// a load balancer alone with `DescribeListeners` (one call for all its listeners and rules).
pub(crate) async fn find_bindings(
    engine: &Engine,
    query: &BindingQuery,
    deadline: &Deadline,
) -> Result<Result<Vec<BindingDetail>, Diagnostic>, ApiError> {
    let mut found = match (&query.target_group_id, &query.load_balancer_id) {
        (Some(tg), _) => match engine.target_group_binding_details(tg, deadline).await? {
            Some(all) => all,
            None => return Ok(Err(not_found("target_group_id", "Target group", tg))),
        },
        (None, Some(lb)) => {
            match engine
                .load_balancer_binding_details(lb, query.listener_id.as_deref(), deadline)
                .await?
            {
                Some(all) => all,
                None => return Ok(Err(not_found("load_balancer_id", "Load balancer", lb))),
            }
        }
        (None, None) => return Ok(Err(missing_query())),
    };
    found.retain(|d| {
        query
            .load_balancer_id
            .as_ref()
            .is_none_or(|lb| d.binding.load_balancer_id == *lb)
            && query
                .listener_id
                .as_ref()
                .is_none_or(|l| d.binding.listener_id == *l)
    });
    // With both IDs set the target group's answer is filtered; an empty result then says nothing
    // about the load balancer, so check that it exists rather than hide a mistyped ID.
    if found.is_empty()
        && query.target_group_id.is_some()
        && let Some(lb) = &query.load_balancer_id
        && engine.load_balancer(lb, deadline).await?.is_none()
    {
        return Ok(Err(not_found("load_balancer_id", "Load balancer", lb)));
    }
    found.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    found.dedup();
    Ok(Ok(found))
}

fn sort_key(d: &BindingDetail) -> (&str, &str, Option<&str>, &str) {
    (
        &d.binding.load_balancer_id,
        &d.binding.listener_id,
        d.binding.location_id.as_deref(),
        &d.target_group_id,
    )
}

/// The error for a query that names neither a target group nor a load balancer.
pub(crate) fn missing_query() -> Diagnostic {
    Diagnostic::error(
        "Missing target_group_id or load_balancer_id",
        "Set `target_group_id` to list the bindings of a target group, or `load_balancer_id` to list the bindings on a load balancer's listeners (both to list the bindings of that target group on that load balancer). `listener_id` alone is not enough.",
    )
    .at("target_group_id")
}

fn not_found(attribute: &'static str, what: &str, id: &str) -> Diagnostic {
    Diagnostic::error(
        format!("{what} not found"),
        format!(
            "{what} {id} does not exist in this region (or these credentials cannot see it). Check the ID and the provider's region."
        ),
    )
    .at(attribute)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::clb::binding::id::AssociationId;
    use crate::clb::cloud::fake::FakeClb;
    use crate::clb::cloud::{ClbApi, Weight};

    fn deadline() -> Deadline {
        Deadline::in_(Duration::from_secs(5))
    }

    async fn bind(api: &FakeClb, lbl: &str, loc: Option<&str>, tg: &str, weight: Option<Weight>) {
        let id = AssociationId {
            load_balancer_id: "lb-a".into(),
            listener_id: lbl.into(),
            location_id: loc.map(str::to_string),
            target_group_id: tg.into(),
        };
        api.associate(&[(id, weight)], &deadline()).await.unwrap();
    }

    async fn world() -> Arc<Engine> {
        let api = Arc::new(FakeClb::new());
        bind(&api, "lbl-http", Some("loc-r1"), "lbtg-v2", Some(30)).await;
        bind(&api, "lbl-tcp", None, "lbtg-v2", Some(40)).await;
        bind(&api, "lbl-tcp", None, "lbtg-v1", None).await;
        Engine::new(api)
    }

    fn query(tg: Option<&str>, lb: Option<&str>, lbl: Option<&str>) -> BindingQuery {
        BindingQuery {
            target_group_id: tg.map(str::to_string),
            load_balancer_id: lb.map(str::to_string),
            listener_id: lbl.map(str::to_string),
        }
    }

    fn coordinates(found: &[BindingDetail]) -> Vec<(String, Option<String>, String)> {
        found
            .iter()
            .map(|d| {
                (
                    d.binding.listener_id.clone(),
                    d.binding.location_id.clone(),
                    d.target_group_id.clone(),
                )
            })
            .collect()
    }

    fn c(lbl: &str, loc: Option<&str>, tg: &str) -> (String, Option<String>, String) {
        (lbl.into(), loc.map(str::to_string), tg.into())
    }

    #[tokio::test]
    async fn by_target_group_lists_its_bindings_with_listener_and_rule_details() {
        let api = world().await;
        let found = find_bindings(&api, &query(Some("lbtg-v2"), None, None), &deadline())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            coordinates(&found),
            vec![
                c("lbl-http", Some("loc-r1"), "lbtg-v2"),
                c("lbl-tcp", None, "lbtg-v2")
            ]
        );
        let http = &found[0];
        assert_eq!(http.protocol, "HTTP");
        assert_eq!(http.port, Some(80));
        assert_eq!(http.domain.as_deref(), Some("www.example.com"));
        assert_eq!(http.url.as_deref(), Some("/"));
        assert_eq!(http.binding.weight, Some(30));
        let tcp = &found[1];
        assert_eq!((tcp.domain.as_deref(), tcp.url.as_deref()), (None, None));
        assert_eq!(tcp.binding.weight, Some(40));
    }

    #[tokio::test]
    async fn by_load_balancer_lists_every_target_group_and_filters_on_listener() {
        let api = world().await;
        let all = find_bindings(&api, &query(None, Some("lb-a"), None), &deadline())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            coordinates(&all),
            vec![
                c("lbl-http", Some("loc-r1"), "lbtg-v2"),
                c("lbl-tcp", None, "lbtg-v1"),
                c("lbl-tcp", None, "lbtg-v2"),
            ]
        );
        assert_eq!(all[0].binding.weight, Some(30));
        assert_eq!(all[0].domain.as_deref(), Some("www.example.com"));
        let tcp = find_bindings(
            &api,
            &query(None, Some("lb-a"), Some("lbl-tcp")),
            &deadline(),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(
            coordinates(&tcp),
            vec![c("lbl-tcp", None, "lbtg-v1"), c("lbl-tcp", None, "lbtg-v2")]
        );
    }

    #[tokio::test]
    async fn both_ids_filter_the_target_group_on_the_load_balancer_and_listener() {
        let api = world().await;
        let found = find_bindings(
            &api,
            &query(Some("lbtg-v2"), Some("lb-a"), Some("lbl-tcp")),
            &deadline(),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(coordinates(&found), vec![c("lbl-tcp", None, "lbtg-v2")]);
        // A target group with no binding there: empty, not an error.
        let none = find_bindings(
            &api,
            &query(Some("lbtg-far"), Some("lb-a"), None),
            &deadline(),
        )
        .await
        .unwrap()
        .unwrap();
        assert!(none.is_empty());
    }

    #[tokio::test]
    async fn missing_objects_are_findings_on_their_attribute() {
        let api = world().await;
        for (q, attribute) in [
            (query(Some("lbtg-nope"), None, None), "target_group_id"),
            (query(None, Some("lb-nope"), None), "load_balancer_id"),
            (
                query(Some("lbtg-v2"), Some("lb-nope"), None),
                "load_balancer_id",
            ),
        ] {
            let finding = find_bindings(&api, &q, &deadline())
                .await
                .unwrap()
                .expect_err("not found");
            assert_eq!(
                finding.attribute,
                Some(tfplug::value::AttributePath::attr_root(attribute)),
                "{q:?}"
            );
            assert!(finding.detail.contains("does not exist"), "{finding:?}");
        }
        // Nothing bound on an existing listener: an empty list.
        let empty = find_bindings(
            &api,
            &query(None, Some("lb-a"), Some("lbl-node")),
            &deadline(),
        )
        .await
        .unwrap()
        .unwrap();
        assert!(empty.is_empty());
    }

    #[test]
    fn validation_needs_a_target_group_or_load_balancer_and_well_formed_ids() {
        let null = || Unknowable::Known(None);
        let known = |s: &str| Unknowable::Known(Some(s.to_string()));
        let at = |d: &Diagnostic| d.attribute.as_ref().unwrap().to_string();
        let none: Vec<_> = validate_query(&null(), &null(), &known("lbl-tcp"))
            .into_iter()
            .collect();
        assert_eq!(none.len(), 1);
        assert_eq!(at(&none[0]), "target_group_id");
        assert!(none[0].detail.contains("load_balancer_id"), "{none:?}");
        assert!(validate_query(&Unknowable::Unknown, &null(), &null()).is_empty());
        assert!(validate_query(&null(), &known("lb-a1"), &Unknowable::Unknown).is_empty());
        assert!(validate_query(&known("lbtg-a1"), &known(" lb-a1"), &known("lbl-a1")).is_empty());
        let bad: Vec<_> = validate_query(&known("lb-a1"), &known("lbl-a1"), &known("loc-1"))
            .into_iter()
            .collect();
        let attrs: Vec<_> = bad.iter().map(at).collect();
        assert_eq!(
            attrs,
            ["target_group_id", "load_balancer_id", "listener_id"]
        );
        assert!(bad[0].detail.contains("\"lbtg-\""), "{bad:?}");
    }
}
