//! Local Tencent Cloud CLB API emulator; see `docs/emulator.md`.

fn main() -> std::process::ExitCode {
    tencentcloud_emulator::main()
}
