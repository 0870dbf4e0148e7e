//! Every example under `examples/` is formatted (`terraform fmt -check`) and valid
//! (`terraform init` from a local mirror, then `terraform validate`) against this provider's schema.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Example configurations (folders with a `main.tf`), the emulator's world excluded.
fn example_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("main.tf").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn os_arch() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{os}_{arch}")
}

/// A CLI config whose filesystem mirror holds the freshly built provider.
fn mirror_config(dir: &Path) -> PathBuf {
    let plugin_dir = dir
        .join("mirror/terraform.local/tencentcloud/tencentcloud/0.1.0")
        .join(os_arch());
    std::fs::create_dir_all(&plugin_dir).unwrap();
    std::fs::copy(
        support::provider_bin(),
        plugin_dir.join("terraform-provider-tencentcloud_v0.1.0"),
    )
    .unwrap();
    let rc = dir.join("terraform.rc");
    std::fs::write(
        &rc,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"terraform.local/*/*\"]\n  }}\n  direct {{\n    exclude = [\"terraform.local/*/*\"]\n  }}\n}}\n",
            dir.join("mirror").display()
        ),
    )
    .unwrap();
    rc
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn clb_examples_exist() {
    let names: Vec<String> = example_dirs()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for wanted in ["layer4", "layer7", "for-each-module", "import"] {
        assert!(
            names.iter().any(|n| n == wanted),
            "examples/{wanted} missing: {names:?}"
        );
    }
}

#[test]
fn clb_examples_are_formatted() {
    let tf = support::terraform_bin();
    run(
        Command::new(&tf)
            .args(["fmt", "-check", "-recursive", "-diff"])
            .current_dir(root().join("examples"))
            .env("CHECKPOINT_DISABLE", "1"),
        "terraform fmt -check -recursive examples",
    );
}

#[test]
fn clb_examples_validate() {
    let tf = support::terraform_bin();
    let tmp = tempfile::tempdir().unwrap();
    let rc = mirror_config(tmp.path());
    for example in example_dirs() {
        let name = example.file_name().unwrap().to_string_lossy().into_owned();
        // Work on a copy so examples/ never gets a .terraform folder or a lock file.
        let work = tmp.path().join("work").join(&name);
        copy_dir(&example, &work);
        let envs = [
            ("TF_CLI_CONFIG_FILE", rc.to_str().unwrap()),
            ("CHECKPOINT_DISABLE", "1"),
            ("TF_IN_AUTOMATION", "1"),
        ];
        run(
            Command::new(&tf)
                .args(["init", "-input=false", "-backend=false", "-no-color"])
                .current_dir(&work)
                .envs(envs),
            &format!("terraform init in examples/{name}"),
        );
        run(
            Command::new(&tf)
                .args(["validate", "-no-color"])
                .current_dir(&work)
                .envs(envs),
            &format!("terraform validate in examples/{name}"),
        );
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
