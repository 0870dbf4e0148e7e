//! Schemas for providers and resources, built fluently.
//!
//! ```ignore
//! use tfplug::schema::{Attribute, Block, NestedBlock, Schema};
//! let schema = Schema::new(0, Block::new()
//!     .attribute(Attribute::string("id").computed().use_state_for_unknown())
//!     .attribute(Attribute::string("name").required().requires_replace())
//!     .block(NestedBlock::single("timeouts", Block::new()
//!         .attribute(Attribute::string("create").optional()))));
//! assert_eq!(schema.block.attributes.len(), 2);
//! ```

use std::collections::BTreeMap;

use super::value::Type;

/// A versioned schema: the provider's configuration or a resource type.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schema {
    /// Bump when stored state needs upgrading.
    pub version: i64,
    /// The top-level block.
    pub block: Block,
}

impl Schema {
    /// A schema with a version and a top-level block.
    pub fn new(version: i64, block: Block) -> Self {
        Schema { version, block }
    }
    /// The object type of the whole provider/resource value.
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }
}

/// A block: attributes and nested blocks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    /// Attributes, in declaration order.
    pub attributes: Vec<Attribute>,
    /// Nested blocks.
    pub blocks: Vec<NestedBlock>,
    /// Documentation (markdown).
    pub description: String,
    /// Shown by Terraform as deprecated.
    pub deprecated: bool,
}

impl Block {
    /// An empty block.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds an attribute.
    pub fn attribute(mut self, a: Attribute) -> Self {
        self.attributes.push(a);
        self
    }
    /// Adds a nested block.
    pub fn block(mut self, b: NestedBlock) -> Self {
        self.blocks.push(b);
        self
    }
    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = d.into();
        self
    }
    /// The attribute with this name.
    pub fn get_attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
    /// The object type this block's values have.
    pub fn value_type(&self) -> Type {
        let mut attrs = BTreeMap::new();
        for a in &self.attributes {
            attrs.insert(a.name.clone(), a.ty.clone());
        }
        for b in &self.blocks {
            attrs.insert(b.type_name.clone(), b.value_type());
        }
        Type::Object(attrs)
    }
}

/// One attribute of a block.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Name as written in configuration.
    pub name: String,
    /// Value type.
    pub ty: Type,
    /// Documentation (markdown).
    pub description: String,
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// May be chosen by the provider (when not set in configuration).
    pub computed: bool,
    /// Hidden in Terraform's output.
    pub sensitive: bool,
    /// Configuration-only: never stored in plan or state.
    pub write_only: bool,
    /// Marked deprecated in Terraform's output.
    pub deprecated: bool,
    /// A change of this attribute replaces the resource.
    pub requires_replace: bool,
    /// When computed and unset in configuration, plan the prior value instead of "known after apply".
    pub use_state_for_unknown: bool,
}

impl Attribute {
    /// An attribute of any type; pick one of required/optional/computed next.
    pub fn new(name: impl Into<String>, ty: Type) -> Self {
        Attribute {
            name: name.into(),
            ty,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            deprecated: false,
            requires_replace: false,
            use_state_for_unknown: false,
        }
    }
    /// A `string` attribute.
    pub fn string(name: impl Into<String>) -> Self {
        Self::new(name, Type::String)
    }
    /// A `number` attribute.
    pub fn number(name: impl Into<String>) -> Self {
        Self::new(name, Type::Number)
    }
    /// A `bool` attribute.
    pub fn bool(name: impl Into<String>) -> Self {
        Self::new(name, Type::Bool)
    }
    /// A `list(elem)` attribute.
    pub fn list(name: impl Into<String>, elem: Type) -> Self {
        Self::new(name, Type::list(elem))
    }
    /// A `set(elem)` attribute.
    pub fn set(name: impl Into<String>, elem: Type) -> Self {
        Self::new(name, Type::set(elem))
    }
    /// A `map(elem)` attribute.
    pub fn map(name: impl Into<String>, elem: Type) -> Self {
        Self::new(name, Type::map(elem))
    }
    /// Must be set.
    pub fn required(mut self) -> Self {
        self.required = true;
        self.optional = false;
        self
    }
    /// May be set.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self.required = false;
        self
    }
    /// Provider may choose the value.
    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }
    /// Hidden in output.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    /// Never persisted.
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }
    /// Deprecated.
    pub fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }
    /// Changes force replacement.
    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self
    }
    /// Keep the prior value in plans when unset in configuration.
    pub fn use_state_for_unknown(mut self) -> Self {
        self.use_state_for_unknown = true;
        self
    }
    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = d.into();
        self
    }
}

/// How a nested block repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// At most one; null when absent.
    Single,
    /// Ordered, zero or more; an empty list when absent.
    List,
    /// Unordered, zero or more; an empty set when absent.
    Set,
    /// Keyed by a label.
    Map,
    /// Exactly one, never null (attributes default to null).
    Group,
}

/// A nested block type inside a block.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedBlock {
    /// Block type name as written in configuration.
    pub type_name: String,
    /// How it repeats.
    pub nesting: Nesting,
    /// Its content.
    pub block: Block,
    /// Minimum count (0 = no minimum).
    pub min_items: i64,
    /// Maximum count (0 = no maximum).
    pub max_items: i64,
}

impl NestedBlock {
    /// A block with the given nesting.
    pub fn new(type_name: impl Into<String>, nesting: Nesting, block: Block) -> Self {
        NestedBlock {
            type_name: type_name.into(),
            nesting,
            block,
            min_items: 0,
            max_items: 0,
        }
    }
    /// A single block (e.g. `timeouts`).
    pub fn single(type_name: impl Into<String>, block: Block) -> Self {
        Self::new(type_name, Nesting::Single, block)
    }
    /// A list of blocks.
    pub fn list(type_name: impl Into<String>, block: Block) -> Self {
        Self::new(type_name, Nesting::List, block)
    }
    /// A set of blocks.
    pub fn set(type_name: impl Into<String>, block: Block) -> Self {
        Self::new(type_name, Nesting::Set, block)
    }
    /// Sets min/max counts.
    pub fn items(mut self, min: i64, max: i64) -> Self {
        self.min_items = min;
        self.max_items = max;
        self
    }
    /// The type of this block's value inside its parent object.
    pub fn value_type(&self) -> Type {
        let inner = self.block.value_type();
        match self.nesting {
            Nesting::Single | Nesting::Group => inner,
            Nesting::List => Type::list(inner),
            Nesting::Set => Type::set(inner),
            Nesting::Map => Type::map(inner),
        }
    }
}

/// The identity schema of a resource type (protocol 6.9): the attributes that name one remote
/// object, flat and primitive, versioned separately from the resource schema.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IdentitySchema {
    /// Bump when stored identities need upgrading.
    pub version: i64,
    /// The attributes, in declaration order.
    pub attributes: Vec<IdentityAttribute>,
}

impl IdentitySchema {
    /// A schema with a version and no attributes yet.
    pub fn new(version: i64) -> Self {
        IdentitySchema {
            version,
            attributes: Vec::new(),
        }
    }
    /// Adds an attribute.
    pub fn attribute(mut self, a: IdentityAttribute) -> Self {
        self.attributes.push(a);
        self
    }
    /// The object type of an identity value.
    pub fn value_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone()))
                .collect(),
        )
    }
}

/// Whether an `import { identity = {...} }` block must name an identity attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportRole {
    /// Must be set to import by identity.
    Required,
    /// May be set (e.g. absent for some kinds of object).
    Optional,
}

/// One identity attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityAttribute {
    /// Name.
    pub name: String,
    /// Primitive type (or a list of one).
    pub ty: Type,
    /// Required or optional when importing by identity.
    pub import: ImportRole,
    /// Documentation (markdown).
    pub description: String,
}

impl IdentityAttribute {
    /// A `string` attribute that an import by identity must set.
    pub fn required_string(name: impl Into<String>) -> Self {
        IdentityAttribute {
            name: name.into(),
            ty: Type::String,
            import: ImportRole::Required,
            description: String::new(),
        }
    }
    /// A `string` attribute that an import by identity may leave out.
    pub fn optional_string(name: impl Into<String>) -> Self {
        IdentityAttribute {
            import: ImportRole::Optional,
            ..Self::required_string(name)
        }
    }
    /// Another type.
    pub fn of_type(mut self, ty: Type) -> Self {
        self.ty = ty;
        self
    }
    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = d.into();
        self
    }
}
