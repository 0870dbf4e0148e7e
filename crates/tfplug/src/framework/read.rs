//! ReadResource: refresh one object from the real world (or, where Terraform allows it, put the
//! refresh off to a later run).

use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;
use crate::resource::{ReadRequest, ReadResponse};
use crate::typed::ValueRole;
use crate::value::Value;

use super::convert::{diags_to_proto, private_from_proto, private_to_proto, typed_from_proto};
use super::deferral::{check_deferral, deferred_to_proto};
use super::identity::{finish_identity, request_identity, require_unchanged};
use super::{FrameworkServer, encode_state, finish_state};

impl FrameworkServer {
    pub(super) async fn read_resource(
        &self,
        req: pb::read_resource::Request,
    ) -> pb::read_resource::Response {
        let mut diags = Diagnostics::new();
        // Whatever goes wrong before the resource is asked, Terraform keeps what it had.
        let echo =
            |diags: &Diagnostics, req: pb::read_resource::Request| pb::read_resource::Response {
                new_state: req.current_state,
                diagnostics: diags_to_proto(diags),
                private: req.private,
                deferred: None,
                new_identity: req.current_identity,
            };
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => return echo(&d, req),
        };
        let ty = entry.schema.value_type();
        let state = diags.capture(typed_from_proto(
            req.current_state.as_ref(),
            ValueRole::State,
            &ty,
        ));
        let private = diags.capture(private_from_proto(&req.private));
        let identity = diags.capture(request_identity(entry, req.current_identity.as_ref()));
        let (Some(state), Some(mut private), Some(identity)) = (state, private, identity) else {
            return echo(&diags, req);
        };
        let following_import = private.take_imported();
        if state.is_null() {
            return pb::read_resource::Response {
                new_state: encode_state(&entry.schema, &Value::Null, &mut diags),
                diagnostics: diags_to_proto(&diags),
                ..Default::default()
            };
        }
        let deferral_allowed = req
            .client_capabilities
            .as_ref()
            .is_some_and(|c| c.deferral_allowed);
        let mut resp = ReadResponse {
            state: state.clone(),
            private: private.clone(),
            identity: identity.clone(),
            deferred: None,
            diagnostics: Diagnostics::new(),
        };
        entry
            .resource
            .read(
                &self.context(),
                ReadRequest {
                    state,
                    private,
                    identity: identity.clone(),
                    deferral_allowed,
                },
                &mut resp,
            )
            .await;
        diags.extend(resp.diagnostics);
        let name = &req.type_name;
        if let Some(reason) = resp.deferred {
            // Terraform keeps what it had until the deferred read happens in a later run.
            check_deferral(deferral_allowed, "Refreshing", name, &mut diags);
            let deferred = deferred_to_proto(Some(reason), &diags);
            return pb::read_resource::Response {
                deferred,
                ..echo(&diags, req)
            };
        }
        let new_state = finish_state(&entry.schema, &resp.state, "refresh", name, &mut diags);
        let new_identity = if resp.state.is_null() {
            None
        } else if diags.has_errors() {
            req.current_identity.clone()
        } else {
            if !following_import {
                require_unchanged(
                    identity.as_ref(),
                    resp.identity.as_ref(),
                    "refresh",
                    name,
                    &mut diags,
                );
            }
            finish_identity(entry, resp.identity.as_ref(), "refresh", name, &mut diags)
        };
        pb::read_resource::Response {
            new_state: encode_state(&entry.schema, &new_state, &mut diags),
            private: private_to_proto(&resp.private),
            new_identity,
            deferred: None,
            diagnostics: diags_to_proto(&diags),
        }
    }
}
