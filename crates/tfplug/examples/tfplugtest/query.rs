//! What `tfplugtest` offers Terraform's newer workflows: the list resource `tfplugtest_record`
//! (`terraform query`: every stored item as a record, by name prefix) and the function
//! `record_id(name)`, the import ID of a record. Included by `provider.rs`.

use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;
use tfplug::function::*;
use tfplug::list::*;
use tfplug::provider::Context;
use tfplug::schema::{Attribute, Block, Schema};
use tfplug::value::Type;

use super::{Cloud, Record, SLOW_MARKER, item_id, load};

/// `tfplugtest_record` as a list resource.
pub struct RecordList;

#[derive(Deserialize)]
struct RecordQuery {
    name_prefix: Option<String>,
}

pub fn record_list_schema() -> Schema {
    Schema::new(
        0,
        Block::new().attribute(
            Attribute::string("name_prefix")
                .optional()
                .description("Only records whose name starts with this."),
        ),
    )
}

#[async_trait]
impl ListResource for RecordList {
    fn type_name(&self) -> &str {
        "tfplugtest_record"
    }

    fn config_schema(&self) -> Schema {
        record_list_schema()
    }

    async fn list(&self, ctx: &Context, req: ListRequest, stream: &mut ListStream) {
        let mut d = tfplug::diag::Diagnostics::new();
        let (Some(cloud), Some(query)) = (
            d.capture(ctx.require_provider_data::<Cloud>()),
            d.capture(req.config.get::<RecordQuery>()),
        ) else {
            stream.diagnostics(d).await;
            return;
        };
        load(&cloud.store, &cloud.file);
        let prefix = query.name_prefix.unwrap_or_default();
        let items: Vec<_> = cloud
            .store
            .lock()
            .unwrap()
            .iter()
            .filter(|(id, item)| id.as_str() != SLOW_MARKER && item.name.starts_with(&prefix))
            .map(|(_, item)| item.clone())
            .collect();
        for item in items {
            let record = Record::from_item(&item);
            let mut result = stream.new_result();
            result.display_name = format!("record {}", record.name);
            if let Err(e) = result.identity.set(&record.identity()) {
                result.diagnostics.extend(e);
            }
            if req.include_resource_object
                && let Err(e) = result.resource_object.set(&record)
            {
                result.diagnostics.extend(e);
            }
            if !stream.send(result).await {
                return;
            }
        }
    }
}

/// `provider::tfplugtest::record_id(name)`: the import ID of the record called `name`.
pub struct RecordIdFunction;

#[async_trait]
impl Function for RecordIdFunction {
    fn name(&self) -> &str {
        "record_id"
    }

    fn signature(&self) -> Signature {
        Signature::new(Type::String)
            .summary("The import ID of a record")
            .parameter(Parameter::new("name", Type::String).description("The record's name."))
    }

    async fn call(
        &self,
        args: &Arguments,
        result: &mut FunctionResult,
    ) -> Result<(), FunctionError> {
        let name: String = args.get(0)?;
        if name.is_empty() || name.chars().any(char::is_whitespace) {
            return Err(FunctionError::argument(
                0,
                format!("a record name is non-empty and has no whitespace, got {name:?}"),
            ));
        }
        result.set(&item_id(&name))
    }
}

pub fn list_resources() -> Vec<Arc<dyn ListResource>> {
    vec![Arc::new(RecordList)]
}

pub fn functions() -> Vec<Arc<dyn Function>> {
    vec![Arc::new(RecordIdFunction)]
}
