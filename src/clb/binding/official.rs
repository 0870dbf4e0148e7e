//! Moving state from the official provider's `tencentcloud_clb_target_group_attachment` to our
//! `tencentcloud_clb_target_group_association` (a `moved {}` block across resource types).
//!
//! Both name one binding by the same four IDs, so the move only renames attributes: no API call.
//! The official state has `clb_id`, `listener_id`, `target_group_id`, `rule_id` (empty for layer 4)
//! and the ID `tg#listener#clb#rule`; the attributes are used, and the ID when they are missing.

use serde::Deserialize;
use tfplug::diag::{Diagnostic, Diagnostics};

use crate::clb::binding::id::AssociationId;

/// The resource type a move may come from.
pub(crate) const OFFICIAL_TYPE: &str = "tencentcloud_clb_target_group_attachment";

/// The official provider's source addresses: in Terraform's registry and in OpenTofu's.
pub(crate) const OFFICIAL_PROVIDERS: [&str; 2] = [
    "registry.terraform.io/tencentcloudstack/tencentcloud",
    "registry.opentofu.org/tencentcloudstack/tencentcloud",
];

/// The official attachment's stored state, as far as a move reads it; other attributes are
/// ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub(crate) struct OfficialAttachment {
    /// `tg#listener#clb#rule`.
    #[serde(default)]
    pub id: Option<String>,
    /// The load balancer (`lb-…`).
    #[serde(default)]
    pub clb_id: Option<String>,
    /// `lbl-…`
    #[serde(default)]
    pub listener_id: Option<String>,
    /// `lbtg-…`
    #[serde(default)]
    pub target_group_id: Option<String>,
    /// `loc-…`, empty for layer 4.
    #[serde(default)]
    pub rule_id: Option<String>,
}

/// What the user can do when a move cannot be converted.
const INSTEAD: &str = "To take over an existing binding without a move, drop the old resource from state with a `removed` block (`lifecycle { destroy = false }`) and import the binding with an `import` block; see \"Migrating from tencentcloud_clb_target_group_attachment\" in the provider documentation.";

/// A refused move: the problem, then what to do instead.
pub fn refused(problem: Diagnostic) -> Diagnostic {
    Diagnostic {
        detail: format!("{}\n\n{INSTEAD}", problem.detail),
        ..problem
    }
}

fn unreadable(detail: String) -> Diagnostics {
    refused(Diagnostic::error(
        "Cannot read the state being moved",
        detail,
    ))
    .into()
}

impl OfficialAttachment {
    /// The binding this state names. Which provider and type a move may come from is
    /// [`OFFICIAL_PROVIDERS`] and [`OFFICIAL_TYPE`], checked by the framework before this is
    /// called; the attributes are used, and the ID when they are missing.
    pub fn binding(&self) -> Result<AssociationId, Diagnostics> {
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let from_attributes = match (
            text(&self.clb_id),
            text(&self.listener_id),
            text(&self.target_group_id),
        ) {
            (Some(lb), Some(lbl), Some(tg)) => Some(AssociationId {
                load_balancer_id: lb,
                listener_id: lbl,
                location_id: text(&self.rule_id),
                target_group_id: tg,
            }),
            _ => None,
        };
        let id = match (from_attributes, text(&self.id)) {
            (Some(id), _) => id,
            (None, Some(raw_id)) => AssociationId::parse(&raw_id).map_err(|e| {
                unreadable(format!(
                    "The {OFFICIAL_TYPE} state lacks clb_id, listener_id or target_group_id, and its ID could not be read instead: {e}"
                ))
            })?,
            (None, None) => {
                return Err(unreadable(format!(
                    "The {OFFICIAL_TYPE} state has neither clb_id, listener_id and target_group_id nor an ID, so the binding it names is unknown."
                )));
            }
        };
        // The canonical form goes through the same checks as an import ID.
        AssociationId::parse(&id.to_string()).map_err(|e| {
            unreadable(format!(
                "The {OFFICIAL_TYPE} state names a malformed binding: {e}"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn l7() -> AssociationId {
        AssociationId {
            load_balancer_id: "lb-cv0iz74c".into(),
            listener_id: "lbl-bicjmx3i".into(),
            location_id: Some("loc-ac6uk7b6".into()),
            target_group_id: "lbtg-odareyb2".into(),
        }
    }

    fn binding(state: serde_json::Value) -> Result<AssociationId, Diagnostics> {
        serde_json::from_value::<OfficialAttachment>(state)
            .unwrap()
            .binding()
    }

    fn detail(d: Diagnostics) -> String {
        d.iter().map(|d| d.detail.clone()).collect()
    }

    #[test]
    fn layer7_state_from_attributes() {
        let state = json!({
            "id": "lbtg-odareyb2#lbl-bicjmx3i#lb-cv0iz74c#loc-ac6uk7b6",
            "clb_id": "lb-cv0iz74c", "listener_id": "lbl-bicjmx3i",
            "rule_id": "loc-ac6uk7b6", "target_group_id": "lbtg-odareyb2",
            "other": ["ignored"]
        });
        assert_eq!(binding(state).unwrap(), l7());
    }

    #[test]
    fn layer4_state_has_an_empty_rule() {
        let state = json!({
            "id": "lbtg-odareyb2#lbl-bicjmx3i#lb-cv0iz74c#",
            "clb_id": "lb-cv0iz74c", "listener_id": "lbl-bicjmx3i",
            "rule_id": "", "target_group_id": "lbtg-odareyb2"
        });
        let id = binding(state).unwrap();
        assert_eq!(id.location_id, None);
        assert_eq!(id.to_string(), "lb-cv0iz74c#lbl-bicjmx3i#lbtg-odareyb2");
    }

    #[test]
    fn the_id_stands_in_for_missing_attributes() {
        let state =
            json!({"id": "lbtg-odareyb2#lbl-bicjmx3i#lb-cv0iz74c#loc-ac6uk7b6", "listener_id": ""});
        assert_eq!(binding(state).unwrap(), l7());
    }

    #[test]
    fn broken_states_are_refused_with_advice() {
        let cases = [
            (json!({"clb_id": "lb-a1"}), "neither"),
            (json!({"id": "garbage"}), "could not be read"),
            (
                json!({"clb_id": "lb-a1", "listener_id": "lbl-a1", "target_group_id": "tg-1"}),
                "target group ID \"tg-1\"",
            ),
        ];
        for (state, needle) in cases {
            let err = detail(binding(state).unwrap_err());
            assert!(err.contains(needle), "{needle}: {err}");
            assert!(err.contains("removed"), "{err}");
        }
    }
}
