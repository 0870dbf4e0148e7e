//! Compiles `proto/` into Rust with a pure-Rust protobuf compiler (protox), so no
//! system `protoc` is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "../../proto/tfplugin6.proto",
        "../../proto/plugin/grpc_controller.proto",
        "../../proto/plugin/grpc_stdio.proto",
        "../../proto/plugin/grpc_broker.proto",
    ];
    for file in files {
        println!("cargo:rerun-if-changed={file}");
    }
    let descriptors = protox::compile(files, ["../../proto"])?;
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(true)
        // No default stubs: every RPC has an explicit answer (a diagnostic for the features we
        // do not offer), so a missing one is a compile error rather than a bare UNIMPLEMENTED.
        .generate_default_stubs(false)
        .compile_fds(descriptors)?;
    Ok(())
}
