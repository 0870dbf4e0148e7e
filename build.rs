//! Compiles `proto/tfplugin6.proto` for this package's tests and benchmark: they talk to the
//! provider as Terraform does, with messages generated from the protocol's own definition (the
//! `tfplug` crate compiles its server side separately and keeps it private).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "proto/tfplugin6.proto",
        "proto/plugin/grpc_controller.proto",
    ];
    for file in files {
        println!("cargo:rerun-if-changed={file}");
    }
    let descriptors = protox::compile(files, ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(false)
        .compile_fds(descriptors)?;
    Ok(())
}
