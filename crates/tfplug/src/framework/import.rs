//! ImportResourceState: by ID, or (Terraform ≥ 1.12) by identity; deferred where Terraform
//! allows it.

use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;
use crate::resource::{Deferred, ImportRequest, ImportResponse, ImportTarget};
use crate::typed::{Private, TypedValue, ValueRole};

use super::convert::{diags_to_proto, identity_from_proto, private_to_proto};
use super::deferral::{check_deferral, deferred_to_proto};
use super::identity::{check_import_identity, finish_identity, null_identity};
use super::plan_rules::{clear_write_only, normalize};
use super::{FrameworkServer, encode_state};

impl FrameworkServer {
    pub(super) async fn import_resource_state(
        &self,
        req: pb::import_resource_state::Request,
    ) -> pb::import_resource_state::Response {
        let mut diags = Diagnostics::new();
        let mut deferred = None;
        let imported = self.import_inner(&req, &mut deferred, &mut diags).await;
        pb::import_resource_state::Response {
            imported_resources: imported.into_iter().collect(),
            deferred: deferred_to_proto(deferred, &diags),
            diagnostics: diags_to_proto(&diags),
        }
    }

    async fn import_inner(
        &self,
        req: &pb::import_resource_state::Request,
        deferred: &mut Option<Deferred>,
        diags: &mut Diagnostics,
    ) -> Option<pb::import_resource_state::ImportedResource> {
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                diags.extend(d);
                return None;
            }
        };
        let name = &req.type_name;
        let Some(importer) = entry.resource.importer() else {
            diags.error(
                "Import not supported",
                format!("{name} cannot be imported. Create it with Terraform instead."),
            );
            return None;
        };
        let by_identity = req
            .identity
            .as_ref()
            .is_some_and(|i| i.identity_data.is_some());
        let target = if by_identity {
            let Some(schema) = &entry.identity else {
                diags.error(
                    "Import by identity not supported",
                    format!(
                        "{name} has no resource identity, so it cannot be imported by identity. \
                         Use `id` in the `import` block instead."
                    ),
                );
                return None;
            };
            let identity = diags.capture(identity_from_proto(
                req.identity.as_ref(),
                &schema.value_type(),
            ))?;
            check_import_identity(schema, &identity, diags);
            if diags.has_errors() {
                return None;
            }
            ImportTarget::Identity(identity)
        } else {
            ImportTarget::Id(req.id.clone())
        };
        let ty = entry.schema.value_type();
        let mut resp = ImportResponse {
            state: TypedValue::null(ValueRole::State, ty),
            private: Private::new(),
            identity: match &target {
                ImportTarget::Identity(i) => Some(i.clone()),
                ImportTarget::Id(_) => null_identity(entry),
            },
            deferred: None,
            diagnostics: Diagnostics::new(),
        };
        let deferral_allowed = req
            .client_capabilities
            .as_ref()
            .is_some_and(|c| c.deferral_allowed);
        let request = ImportRequest {
            target,
            deferral_allowed,
        };
        importer
            .import_state(&self.context(), request, &mut resp)
            .await;
        diags.extend(resp.diagnostics);
        if diags.has_errors() {
            return None;
        }
        if let Some(reason) = resp.deferred {
            // Nothing is imported now; Terraform asks again in a later run.
            *deferred = Some(reason);
            check_deferral(deferral_allowed, "Importing", name, diags);
            return None;
        }
        if resp.state.is_null() {
            let what = if by_identity {
                "by identity".to_string()
            } else {
                format!("with ID {:?}", req.id)
            };
            diags.error(
                "Cannot import",
                format!("Import of {name} {what} produced no object; this is a provider bug."),
            );
            return None;
        }
        let mut v = normalize(&entry.schema.block, resp.state.into_value());
        clear_write_only(&entry.schema.block, &mut v);
        let identity = finish_identity(entry, resp.identity.as_ref(), "import", name, diags);
        let state = encode_state(&entry.schema, &v, diags)?;
        if diags.has_errors() {
            return None;
        }
        // The read that follows may complete an identity imported with optional parts left out.
        resp.private.mark_imported();
        Some(pb::import_resource_state::ImportedResource {
            type_name: name.clone(),
            state: Some(state),
            private: private_to_proto(&resp.private),
            identity,
        })
    }
}
