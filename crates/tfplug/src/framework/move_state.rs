//! MoveResourceState: `moved` blocks across resource types (and providers).
//!
//! OpenTofu calls this RPC whether or not the capability is advertised, so every refusal is a
//! diagnostic that says what can be moved here and what to do instead.

use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;
use crate::resource::{MoveSource, MoveStateRequest, MoveStateResponse};
use crate::typed::{Private, TypedValue, ValueRole};

use super::convert::{diags_to_proto, foreign_identity_from_proto, private_to_proto};
use super::identity::{finish_identity, null_identity};
use super::{FrameworkServer, encode_state, finish_state, left_nothing};

impl FrameworkServer {
    pub(super) async fn move_resource_state(
        &self,
        req: pb::move_resource_state::Request,
    ) -> pb::move_resource_state::Response {
        let mut diags = Diagnostics::new();
        let mut out = pb::move_resource_state::Response::default();
        if let Some((state, private, identity)) = self.move_inner(req, &mut diags).await {
            out.target_state = Some(state);
            out.target_private = private;
            out.target_identity = identity;
        }
        out.diagnostics = diags_to_proto(&diags);
        out
    }

    async fn move_inner(
        &self,
        req: pb::move_resource_state::Request,
        diags: &mut Diagnostics,
    ) -> Option<(pb::DynamicValue, Vec<u8>, Option<pb::ResourceIdentityData>)> {
        let target = &req.target_type_name;
        let entry = match self.resource(target) {
            Ok(e) => e,
            Err(d) => {
                diags.extend(d);
                return None;
            }
        };
        let source = MoveSource {
            provider_address: req.source_provider_address.clone(),
            type_name: req.source_type_name.clone(),
        };
        let Some(mover) = entry.resource.mover() else {
            diags.error(
                "Moving resources into this type is not supported",
                format!(
                    "{} ({}) cannot be moved into {target}: {target} accepts no `moved` blocks \
                     from other resource types. Remove the `moved` block, then import the object \
                     into the new address (an `import` block) and forget the old one (a `removed` \
                     block with `lifecycle {{ destroy = false }}`).",
                    source.type_name, source.provider_address
                ),
            );
            return None;
        };
        let accepted = mover.move_sources();
        if !accepted.contains(&source) {
            let list: Vec<String> = accepted
                .iter()
                .map(|s| format!("{} ({})", s.type_name, s.provider_address))
                .collect();
            diags.error(
                "Unsupported move source",
                format!(
                    "{} ({}) cannot be moved into {target}. It accepts moves only from: {}. \
                     Otherwise remove the `moved` block, import the object into the new address \
                     and forget the old one with a `removed` block.",
                    source.type_name,
                    source.provider_address,
                    list.join(", ")
                ),
            );
            return None;
        }
        let raw = req.source_state.unwrap_or_default();
        let source_state: serde_json::Value = match serde_json::from_slice(&raw.json) {
            Ok(j) => j,
            Err(e) => {
                diags.error(
                    "Source state is not readable",
                    format!(
                        "The state of the {} being moved could not be parsed as JSON ({e}). \
                         Terraform sends only JSON here; restore the state from a backup.",
                        source.type_name
                    ),
                );
                return None;
            }
        };
        let source_identity =
            diags.capture(foreign_identity_from_proto(req.source_identity.as_ref()))?;
        let mut resp = MoveStateResponse {
            state: TypedValue::null(ValueRole::State, entry.schema.value_type()),
            private: Private::new(),
            identity: null_identity(entry),
            diagnostics: Diagnostics::new(),
        };
        mover
            .move_state(
                &self.context(),
                MoveStateRequest {
                    source: source.clone(),
                    source_schema_version: req.source_schema_version,
                    source_state,
                    source_private: req.source_private,
                    source_identity,
                },
                &mut resp,
            )
            .await;
        diags.extend(resp.diagnostics);
        if diags.has_errors() {
            return None;
        }
        let doing = format!("Moving {} into {target}", source.type_name);
        if left_nothing(
            &resp.state,
            "Move produced no state",
            &doing,
            "a state",
            diags,
        ) {
            return None;
        }
        let state = finish_state(&entry.schema, &resp.state, "a move", target, diags);
        let identity = finish_identity(entry, resp.identity.as_ref(), "a move", target, diags);
        let state = encode_state(&entry.schema, &state, diags)?;
        if diags.has_errors() {
            return None;
        }
        Some((state, private_to_proto(&resp.private), identity))
    }
}
