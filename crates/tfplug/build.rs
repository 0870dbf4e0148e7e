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
        // Unimplemented RPCs answer `Unimplemented`, which Terraform tolerates.
        .generate_default_stubs(true)
        .compile_fds(descriptors)?;
    Ok(())
}
