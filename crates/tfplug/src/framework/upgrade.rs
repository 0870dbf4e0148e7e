//! UpgradeResourceState: stored JSON (any older schema version) to the current schema.

use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;
use crate::resource::{UpgradeStateRequest, UpgradeStateResponse};
use crate::typed::TypedValue;
use crate::typed::ValueRole;
use crate::value::{Value, from_json};

use super::convert::{diags_to_proto, value_error_diag};
use super::plan_rules::{clear_write_only, normalize};
use super::{FrameworkServer, encode_state, left_nothing};

impl FrameworkServer {
    pub(super) async fn upgrade_resource_state(
        &self,
        req: pb::upgrade_resource_state::Request,
    ) -> pb::upgrade_resource_state::Response {
        let mut diags = Diagnostics::new();
        let upgraded = self.upgrade_inner(req, &mut diags).await;
        pb::upgrade_resource_state::Response {
            upgraded_state: upgraded,
            diagnostics: diags_to_proto(&diags),
        }
    }

    async fn upgrade_inner(
        &self,
        req: pb::upgrade_resource_state::Request,
        diags: &mut Diagnostics,
    ) -> Option<pb::DynamicValue> {
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                diags.extend(d);
                return None;
            }
        };
        let ty = entry.schema.value_type();
        let raw = req.raw_state.unwrap_or_default();
        if raw.json.is_empty() {
            if !raw.flatmap.is_empty() {
                diags.error(
                    "Unsupported legacy state format",
                    format!(
                        "The stored state of this {} uses the pre-0.12 flatmap format, which this \
                         provider cannot read. Remove it with `terraform state rm` and import it again.",
                        req.type_name
                    ),
                );
            }
            return encode_state(&entry.schema, &Value::Null, diags);
        }
        let json: serde_json::Value = match serde_json::from_slice(&raw.json) {
            Ok(j) => j,
            Err(e) => {
                diags.error(
                    "Stored state is not valid JSON",
                    format!("The state of this {} could not be parsed ({e}). Restore the state from a backup.", req.type_name),
                );
                return None;
            }
        };
        let current = entry.schema.version;
        let upgrader = entry.resource.state_upgrader();
        let value = if req.version > current {
            diags.error(
                "State written by a newer provider",
                format!(
                    "This {} was stored with schema version {}, but this provider only knows up to \
                     version {current}. Upgrade the provider to the version that wrote the state.",
                    req.type_name, req.version
                ),
            );
            return None;
        } else if let (true, Some(upgrader)) = (req.version < current, upgrader) {
            let mut resp = UpgradeStateResponse {
                state: TypedValue::null(ValueRole::State, ty.clone()),
                diagnostics: Diagnostics::new(),
            };
            upgrader
                .upgrade_state(
                    &self.context(),
                    UpgradeStateRequest {
                        version: req.version,
                        raw_state: json,
                    },
                    &mut resp,
                )
                .await;
            diags.extend(resp.diagnostics);
            if diags.has_errors() {
                return None;
            }
            let doing = format!("Upgrading {} from version {}", req.type_name, req.version);
            let summary = "State upgrade produced no state";
            if left_nothing(&resp.state, summary, &doing, "a state", diags) {
                return None;
            }
            resp.state.into_value()
        } else {
            // Same version (or no upgrader): re-read with the current schema, which drops
            // attributes that no longer exist and fills new ones with null.
            match from_json(&json, &ty) {
                Ok(v) => v,
                Err(e) => {
                    diags.extend(value_error_diag("Could not read the stored state", &e));
                    return None;
                }
            }
        };
        let mut v = normalize(&entry.schema.block, value);
        clear_write_only(&entry.schema.block, &mut v);
        encode_state(&entry.schema, &v, diags)
    }
}
