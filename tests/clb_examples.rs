//! Every example under `examples/` is formatted (`terraform fmt -check`) and valid
//! (`terraform init` from a local mirror, then `terraform validate`) against this provider's schema.
//! The side-by-side example's bindings apply against the emulator, and the example module's
//! `terraform test` passes against it.

mod clb_common;
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

/// A CLI config whose filesystem mirror holds the freshly built provider.
fn mirror_config(dir: &Path) -> PathBuf {
    let version = env!("CARGO_PKG_VERSION");
    let plugin_dir = dir
        .join("mirror/terraform.local/tencentcloud/tencentcloud")
        .join(version)
        .join(support::platform());
    std::fs::create_dir_all(&plugin_dir).unwrap();
    std::fs::copy(
        support::provider_bin(),
        plugin_dir.join(format!("terraform-provider-tencentcloud_v{version}")),
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
        overlay_offline_check(&work);
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

/// An example that also needs a provider this offline test cannot install (the official one)
/// carries `offline-check/`: files that replace the same-named files of the example, so the rest
/// (our resources under their local name) is validated unchanged.
fn overlay_offline_check(work: &Path) {
    let overlay = work.join("offline-check");
    if !overlay.is_dir() {
        return;
    }
    for entry in std::fs::read_dir(&overlay).unwrap() {
        let entry = entry.unwrap();
        let replaced = work.join(entry.file_name());
        assert!(
            replaced.is_file(),
            "{} stands in for {}, which does not exist",
            entry.path().display(),
            replaced.display()
        );
        std::fs::copy(entry.path(), replaced).unwrap();
    }
    std::fs::remove_dir_all(overlay).unwrap();
}

#[test]
fn side_by_side_bindings_apply_under_the_second_local_name() {
    let example = root().join("examples/side-by-side");
    // The official resources exist only in the real example; their provider is not installable here.
    let official = std::fs::read_to_string(example.join("official.tf")).unwrap();
    assert!(official.contains("resource \"tencentcloud_clb_listener_rule\""));
    let versions = std::fs::read_to_string(example.join("versions.tf")).unwrap();
    assert!(versions.contains("tencentcloudstack/tencentcloud") && versions.contains("tcclb = {"));

    let env = clb_common::Env::new();
    copy_dir(&example, env.ws.path());
    overlay_offline_check(env.ws.path());
    // As on a first apply next to the official provider, the IDs are unknown at plan time.
    let plan = env.ws.plan_json();
    let planned = plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "tencentcloud_clb_target_group_association.api")
        .expect("the api binding is planned");
    assert_eq!(planned["change"]["after_unknown"]["load_balancer_id"], true);
    assert_eq!(planned["change"]["after_unknown"]["location_id"], true);
    env.ws.apply_and_check_empty_plan();
    env.assert_agree();
    assert_eq!(
        env.cloud(),
        vec![
            clb_common::row(
                "lb-demo0001",
                "lbl-http0001",
                Some("loc-api00001"),
                "lbtg-api00001",
                Some(80)
            ),
            clb_common::row(
                "lb-demo0001",
                "lbl-tcp00001",
                None,
                "lbtg-web00001",
                Some(50)
            ),
        ]
    );
    env.ws.destroy().assert_success();
    assert!(env.cloud().is_empty());
}

#[test]
fn module_tests_pass_against_the_emulator() {
    let module = root().join("examples/for-each-module/modules/listener-bindings");
    assert!(module.join("tests/listener_bindings.tftest.hcl").is_file());
    let env = clb_common::Env::new();
    copy_dir(&module, env.ws.path());
    let out = env.ws.run(&["test", "-no-color"]).assert_success();
    assert!(
        out.stdout.contains("3 passed, 0 failed"),
        "{}",
        out.combined()
    );
    // terraform test destroys what its runs applied.
    assert!(env.cloud().is_empty(), "{:?}", env.cloud());
    // The first run binds three listeners (one call or more: the provider batches the binds of
    // one load balancer), the third one more, each run in its own apply.
    let binds = env.calls("AssociateTargetGroups");
    assert!((2..=4).contains(&binds), "{binds} bind calls");
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
