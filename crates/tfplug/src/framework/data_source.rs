//! ReadDataSource, with deferral: a data source may put its read off (Terraform then treats
//! the result as unknown) only when Terraform said it accepts that.

use crate::datasource::{DataSourceReadRequest, DataSourceReadResponse, Deferred};
use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;
use crate::typed::ValueRole;
use crate::value::Value;

use super::convert::{diags_to_proto, typed_from_proto};
use super::deferral::{check_deferral, deferred_to_proto};
use super::{FrameworkServer, encode_state, finish_state, left_nothing};

impl FrameworkServer {
    pub(super) async fn read_data_source(
        &self,
        req: pb::read_data_source::Request,
    ) -> pb::read_data_source::Response {
        let mut diags = Diagnostics::new();
        let mut deferred = None;
        let state = self.read_data_inner(&req, &mut deferred, &mut diags).await;
        pb::read_data_source::Response {
            state,
            deferred: deferred_to_proto(deferred, &diags),
            diagnostics: diags_to_proto(&diags),
        }
    }

    async fn read_data_inner(
        &self,
        req: &pb::read_data_source::Request,
        deferred: &mut Option<Deferred>,
        diags: &mut Diagnostics,
    ) -> Option<pb::DynamicValue> {
        let entry = match self.data_source(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                diags.extend(d);
                return None;
            }
        };
        let ty = entry.schema.value_type();
        let config = diags.capture(typed_from_proto(
            req.config.as_ref(),
            ValueRole::Config,
            &ty,
        ))?;
        let deferral_allowed = req
            .client_capabilities
            .as_ref()
            .is_some_and(|c| c.deferral_allowed);
        let mut resp = DataSourceReadResponse {
            state: config.clone().with_role(ValueRole::State),
            deferred: None,
            diagnostics: Diagnostics::new(),
        };
        let request = DataSourceReadRequest {
            config,
            deferral_allowed,
        };
        entry
            .data_source
            .read(&self.context(), request, &mut resp)
            .await;
        diags.extend(resp.diagnostics);
        if diags.has_errors() {
            return None;
        }
        let name = &req.type_name;
        if let Some(reason) = resp.deferred {
            *deferred = Some(reason);
            check_deferral(deferral_allowed, "Reading", name, diags);
            if diags.has_errors() {
                return None;
            }
            // Everything is unknown until the deferred read happens in a later run.
            return encode_state(&entry.schema, &Value::Unknown, diags);
        }
        if left_nothing(
            &resp.state,
            "Data source returned no result",
            &format!("Reading {name}"),
            "a result",
            diags,
        ) {
            return None;
        }
        let state = finish_state(&entry.schema, &resp.state, "reading", name, diags);
        encode_state(&entry.schema, &state, diags)
    }
}
