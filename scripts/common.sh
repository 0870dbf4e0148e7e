# Shared by scripts/demo, scripts/bench, scripts/release and scripts/test (sourced, not run).
#
# Everything here runs before the first external command of a script, so a newcomer whose PATH
# lacks a tool gets a sentence that says what to install instead of "command not found".

say() { printf '\n==> %s\n' "$*"; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# What each tool is for and how to get it, for require_tools.
tool_hint() {
  case "$1" in
    terraform) echo "Install Terraform 1.11 or newer (https://developer.hashicorp.com/terraform/install) and put it on PATH." ;;
    cargo) echo "Install Rust 1.88 or newer with rustup (https://rustup.rs), then open a new shell so ~/.cargo/bin is on PATH." ;;
    curl) echo "Install curl (Debian/Ubuntu: apt-get install curl; macOS ships it)." ;;
    python3) echo "Install Python 3 (Debian/Ubuntu: apt-get install python3 python3-venv)." ;;
    gpg) echo "Install GnuPG 2 (Debian/Ubuntu: apt-get install gnupg; macOS: brew install gnupg)." ;;
    *) echo "Install $1 and put it on PATH." ;;
  esac
}

# require_tools WHY TOOL... : stops at the first missing tool with what to do about it.
require_tools() {
  local why="$1" tool
  shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 \
      || die "$tool is not on PATH; $why needs it. $(tool_hint "$tool")"
  done
}

# install_missing_tools WHY TOOL=DEBIAN_PACKAGE...: installs the packages of missing tools with
# apt-get when run as root on Debian/Ubuntu (a fresh CI machine), else stops like require_tools.
install_missing_tools() {
  local why="$1" pair tools=() packages=()
  shift
  for pair in "$@"; do
    tools+=("${pair%%=*}")
    command -v "${pair%%=*}" >/dev/null 2>&1 || packages+=("${pair#*=}")
  done
  if [[ ${#packages[@]} -gt 0 && "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "apt-get install ${packages[*]} ($why needs it)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"; } >&2 \
      || die "apt-get install ${packages[*]} failed (message above)."
  fi
  require_tools "$why" "${tools[@]}"
}

# require_python_venv: `python3 -m venv` works only with the venv and ensurepip modules, which
# Debian and Ubuntu ship separately (python3-venv).
# Stops with a clear message when the file system holding DIR has less than MIN_GB free, and
# warns below WANT_GB: a build that runs out of space fails with "No space left on device" in
# the middle of compiling some dependency, which says nothing about how much was needed.
check_free_space() {
  local who="$1" dir="$2" min_gb="$3" want_gb="$4" free_kb free_gb
  free_kb="$(df -Pk "$dir" 2>/dev/null | awk 'NR==2 {print $4}')"
  [[ "$free_kb" =~ ^[0-9]+$ ]] || return 0
  free_gb="$(awk -v k="$free_kb" 'BEGIN {printf "%.1f", k / 1048576}')"
  if (( free_kb < min_gb * 1048576 )); then
    die "$who: only $free_gb GB free on the file system of $dir; a run needs about $want_gb GB (debug and release builds under target/, the tccli virtualenv). Free some space, or point CARGO_TARGET_DIR at a larger disk."
  elif (( free_kb < want_gb * 1048576 )); then
    printf 'warning: %s: %s GB free on the file system of %s; a run from scratch needs about %s GB\n' "$who" "$free_gb" "$dir" "$want_gb" >&2
  fi
}

require_python_venv() {
  require_tools "creating the tccli virtual environment" python3
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 \
    || die "python3 -m venv is not available (the venv/ensurepip modules are missing). Install them (Debian/Ubuntu: apt-get install python3-venv), or point TCCLI and TCCLI_PYTHON at an existing tccli and Python with tencentcloud-sdk-python."
}

# The provider's version, from Cargo.toml (the one place it is written).
provider_version() {
  local id
  id="$(cargo pkgid --offline 2>/dev/null || cargo pkgid)" || die "cargo pkgid failed; run it from the repository."
  # path+file:///…/repo#terraform-provider-tencentcloud@0.1.0, or …/repo#0.1.0
  printf '%s\n' "${id##*[#@]}"
}

# The Rust target triple of this machine (what cargo builds when given no --target).
host_target() {
  local host
  host="$(rustc -vV 2>/dev/null | sed -n 's/^host: //p')"
  [[ -n "$host" ]] || die "rustc -vV did not name the host target; is the Rust toolchain installed (rustup)?"
  printf '%s\n' "$host"
}

# target_platform TRIPLE: Terraform's OS_ARCH for a Rust target triple, e.g.
# x86_64-unknown-linux-gnu -> linux_amd64, i686-pc-windows-msvc -> windows_386.
target_platform() {
  local triple="$1" os arch
  case "$triple" in
    *-linux-*) os=linux ;;
    *-apple-darwin) os=darwin ;;
    *-windows-*) os=windows ;;
    *-freebsd*) os=freebsd ;;
    *) die "no Terraform platform for the target $triple: expected a Linux, macOS, Windows or FreeBSD target." ;;
  esac
  case "${triple%%-*}" in
    x86_64) arch=amd64 ;;
    aarch64) arch=arm64 ;;
    i686 | i586) arch=386 ;;
    arm | armv6 | armv7) arch=arm ;;
    *) die "no Terraform architecture for the target $triple: expected x86_64, aarch64, i686 or armv7." ;;
  esac
  printf '%s_%s\n' "$os" "$arch"
}

# Terraform's name of this machine's platform, e.g. linux_amd64.
platform() {
  target_platform "$(host_target)"
}

# The provider source address our examples use, and the mirror sub-path it maps to.
PROVIDER_SOURCE="terraform.local/tencentcloud/tencentcloud"

# write_mirror_cli_config FILE MIRROR_DIR: a Terraform CLI configuration that installs our
# provider from the filesystem mirror and nothing else (every other provider from its registry).
write_mirror_cli_config() {
  cat >"$1" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$2"
    include = ["terraform.local/*/*"]
  }
  direct {
    exclude = ["terraform.local/*/*"]
  }
}
RC
}

# install_provider_mirror DIR BINARY: BINARY as this provider's version for this platform in a
# filesystem mirror under DIR/mirror, and DIR/terraform.rc installing it from there (point
# TF_CLI_CONFIG_FILE at it), so `terraform init` works offline, as a user installs a local build.
install_provider_mirror() {
  local dir="$1" binary="$2" version os_arch
  [[ -x "$binary" ]] || die "no provider binary at $binary (build it first)."
  version="$(provider_version)"
  os_arch="$(platform)"
  local plugin_dir="$dir/mirror/$PROVIDER_SOURCE/$version/$os_arch"
  mkdir -p "$plugin_dir"
  cp "$binary" "$plugin_dir/terraform-provider-tencentcloud_v$version"
  write_mirror_cli_config "$dir/terraform.rc" "$dir/mirror"
}

# NO_PROXY with loopback in it (added once): the provider and Terraform must reach the local
# emulator directly, whatever proxy the shell has.
no_proxy_with_loopback() {
  local v="${NO_PROXY:-}"
  [[ ",$v," == *,127.0.0.1,* ]] || v="127.0.0.1,localhost${v:+,$v}"
  printf '%s\n' "$v"
}
