//! GetFunctions and CallFunction: provider-defined functions with typed parameters. Arguments
//! are decoded with their parameter's type (variadic ones with the variadic type), checked
//! against the signature, and a failure is a `FunctionError` on the argument at fault.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::diag::Diagnostics;
use crate::function::{Arguments, Function, FunctionError, FunctionResult, Parameter, Signature};
use crate::proto::tfplugin6 as pb;
use crate::value::Value;

use super::FrameworkServer;
use super::convert::{decode_dynamic, encode_dynamic};

/// A function with its signature computed once.
pub(crate) struct FunctionEntry {
    pub function: Arc<dyn Function>,
    pub signature: Signature,
}

fn parameter_to_proto(p: &Parameter) -> pb::function::Parameter {
    pb::function::Parameter {
        name: p.name.clone(),
        r#type: p.ty.to_json_bytes(),
        allow_null_value: p.allow_null,
        allow_unknown_values: p.allow_unknown,
        description: p.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
    }
}

pub(crate) fn function_to_proto(s: &Signature) -> pb::Function {
    pb::Function {
        parameters: s.parameters.iter().map(parameter_to_proto).collect(),
        variadic_parameter: s.variadic.as_ref().map(parameter_to_proto),
        r#return: Some(pb::function::Return {
            r#type: s.return_type.to_json_bytes(),
        }),
        summary: s.summary.clone(),
        description: s.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecation_message: s.deprecation_message.clone(),
    }
}

/// What Terraform accepts as a function or parameter name.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl FrameworkServer {
    /// The rules Terraform applies when it loads the schema: identifiers for names, parameter
    /// names unique within a function.
    pub(super) fn check_function_definitions(&self, diags: &mut Diagnostics) {
        for (name, e) in &self.functions {
            let mut problems = Vec::new();
            if !is_identifier(name) {
                problems.push("its name is not a valid identifier".to_string());
            }
            let mut seen = BTreeSet::new();
            for p in e.signature.parameters.iter().chain(&e.signature.variadic) {
                if !is_identifier(&p.name) {
                    problems.push(format!("parameter {:?} is not a valid identifier", p.name));
                }
                if !seen.insert(p.name.as_str()) {
                    problems.push(format!("parameter {:?} is declared twice", p.name));
                }
            }
            for problem in problems {
                diags.error(
                    "Invalid provider definition",
                    format!(
                        "function {name}: {problem}. This is a bug in the provider; please report it."
                    ),
                );
            }
        }
    }

    pub(super) fn function_schemas(&self) -> std::collections::HashMap<String, pb::Function> {
        self.functions
            .iter()
            .map(|(k, e)| (k.clone(), function_to_proto(&e.signature)))
            .collect()
    }

    pub(super) fn get_functions(&self) -> pb::get_functions::Response {
        pb::get_functions::Response {
            functions: self.function_schemas(),
            diagnostics: Vec::new(),
        }
    }

    pub(super) async fn call_function(
        &self,
        req: pb::call_function::Request,
    ) -> pb::call_function::Response {
        match self.call_function_inner(req).await {
            Ok(result) => pb::call_function::Response {
                result: Some(result),
                error: None,
            },
            Err(e) => pb::call_function::Response {
                result: None,
                error: Some(pb::FunctionError {
                    text: e.text,
                    function_argument: e.argument.and_then(|i| i64::try_from(i).ok()),
                }),
            },
        }
    }

    async fn call_function_inner(
        &self,
        req: pb::call_function::Request,
    ) -> Result<pb::DynamicValue, FunctionError> {
        let Some(entry) = self.functions.get(&req.name) else {
            let known: Vec<&str> = self.functions.keys().map(String::as_str).collect();
            return Err(FunctionError::new(format!(
                "this provider has no function {:?} (it offers: {}); check the name or upgrade \
                 the provider",
                req.name,
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        };
        let sig = &entry.signature;
        let fixed = sig.parameters.len();
        let count = req.arguments.len();
        if count < fixed || (count > fixed && sig.variadic.is_none()) {
            let expected = if sig.variadic.is_some() {
                format!("at least {fixed}")
            } else {
                fixed.to_string()
            };
            return Err(FunctionError::new(format!(
                "{} takes {expected} argument(s), but {count} were passed",
                req.name
            )));
        }
        let mut values = Vec::with_capacity(count);
        let mut any_unknown_refused = false;
        for (i, dv) in req.arguments.iter().enumerate() {
            // The count check above guarantees a parameter for every argument.
            let Some(param) = sig.parameters.get(i).or(sig.variadic.as_ref()) else {
                return Err(FunctionError::argument(i, "unexpected argument"));
            };
            let v = decode_dynamic(Some(dv), &param.ty).map_err(|e| {
                FunctionError::argument(
                    i,
                    format!("{} must be of type {}: {}", param.name, param.ty, e.message),
                )
            })?;
            if v.is_null() && !param.allow_null {
                return Err(FunctionError::argument(
                    i,
                    format!("{} must not be null", param.name),
                ));
            }
            if !v.is_fully_known() && !param.allow_unknown {
                any_unknown_refused = true;
            }
            values.push(v);
        }
        let return_type = sig.return_type.clone();
        let encode = |v: &Value| {
            encode_dynamic(v, &return_type).map_err(|e| {
                FunctionError::new(format!(
                    "the result could not be encoded: {}. This is a bug in the provider; please \
                     report it.",
                    e.message
                ))
            })
        };
        // Terraform does not call with such values; if a client does, the answer is unknown.
        if any_unknown_refused {
            return encode(&Value::Unknown);
        }
        let mut result = FunctionResult::new(return_type.clone());
        entry
            .function
            .call(&Arguments::new(values), &mut result)
            .await?;
        let (_, value) = result.into_parts();
        let Some(value) = value else {
            return Err(FunctionError::new(format!(
                "{} returned no result. This is a bug in the provider; please report it.",
                req.name
            )));
        };
        encode(&value)
    }
}
