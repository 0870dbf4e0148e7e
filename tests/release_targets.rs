//! The per-target and `--combine` paths of `scripts/release`, the two the release workflow
//! (.github/workflows/release.yml) runs: every target is built with `RELEASE_CARGO` (cargo, or
//! cross) for its triple and zipped under its Terraform platform (Windows binaries end in .exe);
//! zips gathered from the build jobs are listed in one SHA256SUMS, signed, and mirrored.

#[path = "support/release.rs"]
mod release;
mod support;

use std::ffi::OsString;

use release::{NAME, VERSION, assert_signed_by, fingerprint_of, read, release_fails};

#[test]
fn the_per_target_path_builds_the_triple_with_release_cargo() {
    // A stand-in for cargo/cross: records its arguments and puts the debug build where a build
    // for the --target it was given would be.
    let tmp = tempfile::tempdir().unwrap();
    let fake = tmp.path().join("fake-cargo");
    let args_file = tmp.path().join("args");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\necho \"$@\" > '{}'\nwhile [ \"$1\" != --target ]; do shift; done\n\
             mkdir -p \"$CARGO_TARGET_DIR/$2/release\"\n\
             cp '{}' \"$CARGO_TARGET_DIR/$2/release/{NAME}.exe\"\n",
            args_file.display(),
            support::provider_bin().display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out_dir = tmp.path().join("dist");
    let target_dir = tmp.path().join("target");
    let args: Vec<OsString> = vec![
        "--target".into(),
        "aarch64-pc-windows-msvc".into(),
        "--out".into(),
        out_dir.clone().into(),
    ];
    release::run_release(
        &args,
        &[
            ("RELEASE_CARGO", fake.as_os_str()),
            ("CARGO_TARGET_DIR", target_dir.as_os_str()),
            ("PYTHON", "python3".as_ref()),
        ],
    );
    assert_eq!(
        std::fs::read_to_string(&args_file).unwrap().trim(),
        format!("build --release --locked --target aarch64-pc-windows-msvc --bin {NAME}")
    );
    let entries =
        release::zip_entries(&out_dir.join(format!("{NAME}_{VERSION}_windows_arm64.zip")));
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].name, format!("{NAME}_v{VERSION}.exe"));
    assert_eq!(
        entries[0].sha256,
        release::sha256_hex(&read(&support::provider_bin()))
    );
}

#[test]
fn per_target_zips_gathered_in_one_folder_are_combined_and_signed() {
    let binary = support::provider_bin();
    let gathered = tempfile::tempdir().unwrap();
    // What the workflow's build jobs do on their runners (here with the host's binary standing in
    // for each target's): one zip per target, then the combine job.
    for (target, platform, entry) in [
        (
            "aarch64-apple-darwin",
            "darwin_arm64",
            format!("{NAME}_v{VERSION}"),
        ),
        (
            "i686-pc-windows-msvc",
            "windows_386",
            format!("{NAME}_v{VERSION}.exe"),
        ),
        (
            "armv7-unknown-freebsd",
            "freebsd_arm",
            format!("{NAME}_v{VERSION}"),
        ),
    ] {
        let one = tempfile::tempdir().unwrap();
        let args: Vec<OsString> = vec![
            "--target".into(),
            target.into(),
            "--binary".into(),
            binary.clone().into(),
            "--out".into(),
            one.path().into(),
        ];
        release::run_release(&args, &[]);
        let zip = format!("{NAME}_{VERSION}_{platform}.zip");
        let entries = release::zip_entries(&one.path().join(&zip));
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].name, entry, "{target}");
        std::fs::copy(one.path().join(&zip), gathered.path().join(&zip)).unwrap();
    }
    let out = release::run_release(
        &[
            "--combine".as_ref(),
            "--out".as_ref(),
            gathered.path().as_os_str(),
        ],
        &[],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("THROWAWAY KEY"));

    let sums = String::from_utf8(read(
        &gathered.path().join(format!("{NAME}_{VERSION}_SHA256SUMS")),
    ))
    .unwrap();
    let listed: Vec<&str> = sums
        .lines()
        .map(|l| l.split_once("  ").unwrap().1)
        .collect();
    assert_eq!(
        listed,
        [
            format!("{NAME}_{VERSION}_darwin_arm64.zip"),
            format!("{NAME}_{VERSION}_freebsd_arm.zip"),
            format!("{NAME}_{VERSION}_manifest.json"),
            format!("{NAME}_{VERSION}_windows_386.zip"),
        ]
    );
    let fingerprint = fingerprint_of(
        &gathered
            .path()
            .join(format!("{NAME}_{VERSION}_signing-key.asc")),
    );
    assert_signed_by(gathered.path(), &fingerprint);
    let archives: serde_json::Value = serde_json::from_slice(&read(
        &gathered
            .path()
            .join("network-mirror/terraform.local/tencentcloud/tencentcloud")
            .join(format!("{VERSION}.json")),
    ))
    .unwrap();
    let platforms: Vec<&String> = archives["archives"].as_object().unwrap().keys().collect();
    assert_eq!(platforms, ["darwin_arm64", "freebsd_arm", "windows_386"]);

    // --combine builds nothing, and needs zips to list.
    let empty = tempfile::tempdir().unwrap();
    let err = release_fails(
        &[
            "--combine".as_ref(),
            "--out".as_ref(),
            empty.path().as_os_str(),
        ],
        &[],
    );
    assert!(err.contains("no terraform-provider-tencentcloud_"), "{err}");
    let err = release_fails(
        &[
            "--combine".as_ref(),
            "--target".as_ref(),
            "x86_64-pc-windows-msvc".as_ref(),
        ],
        &[],
    );
    assert!(err.contains("--combine builds nothing"), "{err}");
    let err = release_fails(
        &[
            "--target".as_ref(),
            "riscv64gc-unknown-linux-gnu".as_ref(),
            "--binary".as_ref(),
            binary.as_os_str(),
            "--out".as_ref(),
            empty.path().as_os_str(),
        ],
        &[],
    );
    assert!(
        err.contains("no Terraform architecture for the target riscv64gc-unknown-linux-gnu"),
        "{err}"
    );
}
