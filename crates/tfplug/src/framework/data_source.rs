//! ReadDataSource.

use crate::datasource::{DataSourceReadRequest, DataSourceReadResponse};
use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;
use crate::typed::ValueRole;

use super::convert::{diags_to_proto, typed_from_proto};
use super::{FrameworkServer, encode_state, finish_state};

impl FrameworkServer {
    pub(super) async fn read_data_source(
        &self,
        req: pb::read_data_source::Request,
    ) -> pb::read_data_source::Response {
        let mut diags = Diagnostics::new();
        let state = self.read_data_inner(&req, &mut diags).await;
        pb::read_data_source::Response {
            state,
            diagnostics: diags_to_proto(&diags),
            deferred: None,
        }
    }

    async fn read_data_inner(
        &self,
        req: &pb::read_data_source::Request,
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
        let mut resp = DataSourceReadResponse {
            state: config.clone().with_role(ValueRole::State),
            diagnostics: Diagnostics::new(),
        };
        entry
            .data_source
            .read(&self.context(), DataSourceReadRequest { config }, &mut resp)
            .await;
        diags.extend(resp.diagnostics);
        if diags.has_errors() {
            return None;
        }
        let name = &req.type_name;
        if resp.state.is_null() {
            diags.error(
                "Data source returned no result",
                format!(
                    "Reading {name} returned neither a result nor an error; this is a provider bug."
                ),
            );
            return None;
        }
        let state = finish_state(&entry.schema, &resp.state, "reading", name, diags);
        encode_state(&entry.schema, &state, diags)
    }
}
