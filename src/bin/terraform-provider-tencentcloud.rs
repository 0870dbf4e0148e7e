//! The Terraform provider binary; Terraform starts it and talks gRPC to it.

fn main() -> std::process::ExitCode {
    tencentcloud_provider::clb::main()
}
