//! Moving state from the official provider's `tencentcloud_clb_target_group_attachment` to our
//! `tencentcloud_clb_target_group_association` (a `moved {}` block across resource types).
//!
//! Both name one binding by the same four IDs, so the move only renames attributes: no API call.
//! The official state has `clb_id`, `listener_id`, `target_group_id`, `rule_id` (empty for layer 4)
//! and the ID `tg#listener#clb#rule`; the attributes are used, and the ID when they are missing.

use serde_json::Value as Json;

use crate::clb::binding::id::AssociationId;

/// The resource type a move may come from.
pub const OFFICIAL_TYPE: &str = "tencentcloud_clb_target_group_attachment";

/// The official provider's source addresses: in Terraform's registry and in OpenTofu's.
pub const OFFICIAL_PROVIDERS: [&str; 2] = [
    "registry.terraform.io/tencentcloudstack/tencentcloud",
    "registry.opentofu.org/tencentcloudstack/tencentcloud",
];

/// Why a move was refused; becomes an error diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveRefused {
    /// One line.
    pub summary: String,
    /// What was wrong and what to do instead.
    pub detail: String,
}

/// What the user can do when a move cannot be converted.
const INSTEAD: &str = "To take over an existing binding without a move, drop the old resource from state with a `removed` block (`lifecycle { destroy = false }`) and import the binding with an `import` block; see \"Migrating from tencentcloud_clb_target_group_attachment\" in the provider documentation.";

fn refused(summary: &str, detail: String) -> MoveRefused {
    MoveRefused {
        summary: summary.into(),
        detail: format!("{detail}\n\n{INSTEAD}"),
    }
}

/// "a string", "an array", …: what a JSON value is, without its contents.
fn json_kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// The binding named by the official resource's stored state (`raw_state`, its JSON form).
/// Which provider and type a move may come from is [`OFFICIAL_PROVIDERS`] and [`OFFICIAL_TYPE`],
/// checked by the framework before this is called.
pub fn binding_from_official_state(raw_state: &Json) -> Result<AssociationId, MoveRefused> {
    let Some(attrs) = raw_state.as_object() else {
        return Err(refused(
            "Cannot read the state being moved",
            // Named by its JSON kind only: the stored value may be large or hold secrets.
            format!(
                "The stored {OFFICIAL_TYPE} state is {}, not an object.",
                json_kind(raw_state)
            ),
        ));
    };
    let text = |key: &str| {
        attrs
            .get(key)
            .and_then(Json::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let from_attributes = match (text("clb_id"), text("listener_id"), text("target_group_id")) {
        (Some(lb), Some(lbl), Some(tg)) => Some(AssociationId {
            load_balancer_id: lb,
            listener_id: lbl,
            location_id: text("rule_id"),
            target_group_id: tg,
        }),
        _ => None,
    };
    let id = match (from_attributes, text("id")) {
        (Some(id), _) => id,
        (None, Some(raw_id)) => AssociationId::parse(&raw_id).map_err(|e| {
            refused(
                "Cannot read the state being moved",
                format!(
                    "The {OFFICIAL_TYPE} state lacks clb_id, listener_id or target_group_id, and its ID could not be read instead: {e}"
                ),
            )
        })?,
        (None, None) => {
            return Err(refused(
                "Cannot read the state being moved",
                format!(
                    "The {OFFICIAL_TYPE} state has neither clb_id, listener_id and target_group_id nor an ID, so the binding it names is unknown."
                ),
            ));
        }
    };
    // The canonical form goes through the same checks as an import ID.
    AssociationId::parse(&id.to_string()).map_err(|e| {
        refused(
            "Cannot read the state being moved",
            format!("The {OFFICIAL_TYPE} state names a malformed binding: {e}"),
        )
    })
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

    #[test]
    fn layer7_state_from_attributes() {
        let state = json!({
            "id": "lbtg-odareyb2#lbl-bicjmx3i#lb-cv0iz74c#loc-ac6uk7b6",
            "clb_id": "lb-cv0iz74c", "listener_id": "lbl-bicjmx3i",
            "rule_id": "loc-ac6uk7b6", "target_group_id": "lbtg-odareyb2"
        });
        assert_eq!(binding_from_official_state(&state).unwrap(), l7());
    }

    #[test]
    fn layer4_state_has_an_empty_rule() {
        let state = json!({
            "id": "lbtg-odareyb2#lbl-bicjmx3i#lb-cv0iz74c#",
            "clb_id": "lb-cv0iz74c", "listener_id": "lbl-bicjmx3i",
            "rule_id": "", "target_group_id": "lbtg-odareyb2"
        });
        let id = binding_from_official_state(&state).unwrap();
        assert_eq!(id.location_id, None);
        assert_eq!(id.to_string(), "lb-cv0iz74c#lbl-bicjmx3i#lbtg-odareyb2");
    }

    #[test]
    fn the_id_stands_in_for_missing_attributes() {
        let state =
            json!({"id": "lbtg-odareyb2#lbl-bicjmx3i#lb-cv0iz74c#loc-ac6uk7b6", "listener_id": ""});
        assert_eq!(binding_from_official_state(&state).unwrap(), l7());
    }

    #[test]
    fn a_state_that_is_no_object_is_not_echoed() {
        let huge = "secret-".repeat(10_000);
        let err = binding_from_official_state(&json!([huge])).unwrap_err();
        assert!(err.detail.contains("is an array, not an object"), "{err:?}");
        assert!(!err.detail.contains("secret-"), "the state was echoed");
        assert!(err.detail.len() < 1_000, "{} bytes", err.detail.len());
    }

    #[test]
    fn broken_states_are_refused_with_advice() {
        let cases = [
            (json!("lb-a1"), "is a string, not an object"),
            (json!({"clb_id": "lb-a1"}), "neither"),
            (json!({"id": "garbage"}), "could not be read"),
            (
                json!({"clb_id": "lb-a1", "listener_id": "lbl-a1", "target_group_id": "tg-1"}),
                "target group ID \"tg-1\"",
            ),
        ];
        for (state, needle) in cases {
            let err = binding_from_official_state(&state).unwrap_err();
            assert!(err.detail.contains(needle), "{needle}: {err:?}");
            assert!(err.detail.contains("removed"), "{err:?}");
        }
    }
}
