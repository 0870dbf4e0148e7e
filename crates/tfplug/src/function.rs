//! Provider-defined functions (Terraform 1.8+, OpenTofu 1.7+): `provider::NAME::FUNC(...)`.
//!
//! A function declares typed parameters and a return type; the framework decodes each argument
//! with its parameter's type, refuses nulls the function does not accept, and encodes the result
//! with the return type. Terraform calls functions on a provider that was never configured, so
//! a function must not need the provider's data.

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::value::{Type, Value, from_value, to_value};

/// One parameter of a function.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Name, shown in Terraform's messages (a valid identifier, unique within the function).
    pub name: String,
    /// Type the argument is converted to before the call.
    pub ty: Type,
    /// Whether `null` may be passed (otherwise Terraform refuses the call itself).
    pub allow_null: bool,
    /// Whether an unknown value may be passed (otherwise the result is unknown without a call).
    pub allow_unknown: bool,
    /// Markdown description.
    pub description: String,
}

impl Parameter {
    /// A parameter that takes a known, non-null value of `ty`.
    pub fn new(name: impl Into<String>, ty: Type) -> Self {
        Parameter {
            name: name.into(),
            ty,
            allow_null: false,
            allow_unknown: false,
            description: String::new(),
        }
    }
    /// Accept `null`.
    pub fn allow_null(mut self) -> Self {
        self.allow_null = true;
        self
    }
    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = d.into();
        self
    }
}

/// What a function takes and returns, and its documentation.
#[derive(Debug, Clone)]
pub struct Signature {
    /// Positional parameters.
    pub parameters: Vec<Parameter>,
    /// Takes any number of further arguments of this parameter's type.
    pub variadic: Option<Parameter>,
    /// The result's type.
    pub return_type: Type,
    /// One line.
    pub summary: String,
    /// Markdown.
    pub description: String,
    /// Non-empty when the function is deprecated: what to use instead.
    pub deprecation_message: String,
}

impl Signature {
    /// A function returning `return_type`, with no parameters yet.
    pub fn new(return_type: Type) -> Self {
        Signature {
            parameters: Vec::new(),
            variadic: None,
            return_type,
            summary: String::new(),
            description: String::new(),
            deprecation_message: String::new(),
        }
    }
    /// Adds a positional parameter.
    pub fn parameter(mut self, p: Parameter) -> Self {
        self.parameters.push(p);
        self
    }
    /// Sets the summary.
    pub fn summary(mut self, s: impl Into<String>) -> Self {
        self.summary = s.into();
        self
    }
    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = d.into();
        self
    }
}

/// Why a call failed; Terraform shows `text`, on the argument `argument` (0-based) when set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    /// What was wrong and what was expected.
    pub text: String,
    /// The argument at fault.
    pub argument: Option<usize>,
}

impl FunctionError {
    /// An error about the call as a whole.
    pub fn new(text: impl Into<String>) -> Self {
        FunctionError {
            text: text.into(),
            argument: None,
        }
    }
    /// An error about argument `index` (0-based, counting variadic arguments too).
    pub fn argument(index: usize, text: impl Into<String>) -> Self {
        FunctionError {
            text: text.into(),
            argument: Some(index),
        }
    }
}

impl std::fmt::Display for FunctionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.argument {
            Some(i) => write!(f, "argument {i}: {}", self.text),
            None => f.write_str(&self.text),
        }
    }
}

/// The decoded arguments of one call, each already of its parameter's type.
#[derive(Debug, Clone)]
pub struct Arguments {
    values: Vec<Value>,
}

impl Arguments {
    pub(crate) fn new(values: Vec<Value>) -> Self {
        Arguments { values }
    }

    /// How many arguments were passed (variadic ones included).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when no argument was passed.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Argument `index` read into `T` (use `Option<T>` for a parameter that allows null). A
    /// value that does not fit `T` is an error on that argument.
    pub fn get<T: DeserializeOwned>(&self, index: usize) -> Result<T, FunctionError> {
        let v = self.values.get(index).ok_or_else(|| {
            FunctionError::new(format!(
                "the function needs argument {index}, but only {} were passed",
                self.values.len()
            ))
        })?;
        from_value(v).map_err(|e| FunctionError::argument(index, e.message))
    }
}

/// Where a function puts its result.
#[derive(Debug, Clone)]
pub struct FunctionResult {
    ty: Type,
    value: Option<Value>,
}

impl FunctionResult {
    pub(crate) fn new(ty: Type) -> Self {
        FunctionResult { ty, value: None }
    }

    /// Sets the result to `model`, encoded with the declared return type.
    pub fn set<T: Serialize>(&mut self, model: &T) -> Result<(), FunctionError> {
        let v = to_value(model, &self.ty).map_err(|e| {
            FunctionError::new(format!(
                "the function's result does not fit its declared type: {}. This is a bug in the \
                 provider; please report it.",
                e.message
            ))
        })?;
        self.value = Some(v);
        Ok(())
    }

    pub(crate) fn into_parts(self) -> (Type, Option<Value>) {
        (self.ty, self.value)
    }
}

/// A provider-defined function.
#[async_trait]
pub trait Function: Send + Sync + 'static {
    /// The name after `provider::NAME::` (a valid identifier).
    fn name(&self) -> &str;
    /// Parameters, return type and documentation.
    fn signature(&self) -> Signature;
    /// Computes the result from `args` (already checked against the signature) into `result`.
    async fn call(
        &self,
        args: &Arguments,
        result: &mut FunctionResult,
    ) -> Result<(), FunctionError>;
}
