# Sourced by scripts/demo and scripts/bench: installs a provider binary into a Terraform
# filesystem mirror so `terraform init` works offline, the way a user installs a local build.
#
#   install_provider_mirror DIR BINARY
#
# creates DIR/mirror/terraform.local/tencentcloud/tencentcloud/0.1.0/<os>_<arch>/ with the
# binary, writes DIR/terraform.rc that installs terraform.local/* from that mirror only, and
# exports TF_CLI_CONFIG_FILE pointing at it.

install_provider_mirror() {
  local dir="$1" binary="$2" os arch version=0.1.0
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "error: unsupported OS $(uname -s)" >&2; return 1 ;; esac
  case "$(uname -m)" in x86_64 | amd64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) echo "error: unsupported CPU $(uname -m)" >&2; return 1 ;; esac
  [[ -x "$binary" ]] || { echo "error: no provider binary at $binary (build it first)" >&2; return 1; }
  local plugin_dir="$dir/mirror/terraform.local/tencentcloud/tencentcloud/$version/${os}_${arch}"
  mkdir -p "$plugin_dir"
  cp "$binary" "$plugin_dir/terraform-provider-tencentcloud_v$version"
  cat >"$dir/terraform.rc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$dir/mirror"
    include = ["terraform.local/*/*"]
  }
  direct {
    exclude = ["terraform.local/*/*"]
  }
}
RC
  export TF_CLI_CONFIG_FILE="$dir/terraform.rc"
}
