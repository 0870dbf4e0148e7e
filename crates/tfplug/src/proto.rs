//! Generated protobuf/gRPC code. Private: only the conversion and server code touch it.
#![allow(clippy::all, missing_docs, unreachable_pub, dead_code)]

pub(crate) mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

pub(crate) mod plugin {
    tonic::include_proto!("plugin");
}
