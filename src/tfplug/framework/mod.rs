//! The tfplugin6 `Provider` service implemented on top of the [`Provider`](super::provider::Provider)
//! and [`Resource`](super::resource::Resource) traits.
