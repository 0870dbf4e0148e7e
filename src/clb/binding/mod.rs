//! One binding as a value: how it is named (ID, identity), checked offline (validation), timed
//! (timeouts), and how the official provider's attachment names it. Nothing here calls the API
//! or knows the plugin protocol's wire types.

pub mod id;
pub mod identity;
pub mod official;
pub mod timeouts;
pub mod validate;
