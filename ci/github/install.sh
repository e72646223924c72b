#!/usr/bin/env bash
# Installs paved for the GitHub Action (action.yml) and puts it on PATH for the later steps.
#
# INPUT_PAVED_VERSION:
#   ""        use paved on PATH when there is one (a container image, an earlier step), else
#             the latest release
#   "latest"  the latest release
#   "1.2.3"   that release (a leading "v" is accepted); paved on PATH is used when it is that
#             version already
# Release archives are verified against their published .sha256 file before anything is
# unpacked. PAVED_REPOSITORY (owner/name) and PAVED_DOWNLOAD_BASE (a mirror, or GitHub
# Enterprise) say where releases live.
set -euo pipefail

version=${INPUT_PAVED_VERSION:-}
version=${version#v}
repository=${PAVED_REPOSITORY:-paved-dev/paved}
download_base=${PAVED_DOWNLOAD_BASE:-https://github.com/$repository/releases}
tool_root=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/paved

# The version of paved on PATH, or nothing.
installed_version() {
  command -v paved >/dev/null 2>&1 || return 0
  paved --version 2>/dev/null | awk '{print $2}'
}

current=$(installed_version)
if [ -n "$current" ] && { [ -z "$version" ] || [ "$version" = "$current" ]; }; then
  echo "paved $current is on PATH ($(command -v paved))"
  exit 0
fi
if [ -z "$version" ]; then
  version=latest
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=x86_64-unknown-linux-gnu ;;
  Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-gnu ;;
  Darwin-x86_64) target=x86_64-apple-darwin ;;
  Darwin-arm64) target=aarch64-apple-darwin ;;
  *)
    echo "::error title=paved::no paved release for $(uname -s) $(uname -m); install paved in an earlier step"
    exit 2
    ;;
esac

if [ "$version" = latest ]; then
  path=latest/download
else
  path=download/v$version
fi
archive="paved-$target.tar.gz"
url="$download_base/$path/$archive"

dir=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/paved-install.XXXXXX")
fetch() {
  curl --fail --silent --show-error --location --retry 3 --output "$2" "$1"
}
if ! fetch "$url" "$dir/$archive" || ! fetch "$url.sha256" "$dir/$archive.sha256"; then
  echo "::error title=paved::cannot download $url (and its .sha256); check paved-version"
  exit 2
fi

# The .sha256 file holds "<hex>  <name>" or just "<hex>".
expected=$(awk 'NR == 1 {print $1}' "$dir/$archive.sha256")
if command -v sha256sum >/dev/null 2>&1; then
  actual=$(sha256sum "$dir/$archive" | awk '{print $1}')
else
  actual=$(shasum -a 256 "$dir/$archive" | awk '{print $1}')
fi
if ! [[ $expected =~ ^[0-9a-f]{64}$ ]] || [ "$expected" != "$actual" ]; then
  echo "::error title=paved::checksum mismatch for $archive: expected '$expected', got '$actual'"
  exit 2
fi

tar -xzf "$dir/$archive" -C "$dir"
bin=$(find "$dir" -type f -name paved -perm -u+x | head -n 1)
if [ -z "$bin" ]; then
  echo "::error title=paved::$archive holds no paved executable"
  exit 2
fi
installed=$("$bin" --version | awk '{print $2}')
mkdir -p "$tool_root/$installed/bin"
mv "$bin" "$tool_root/$installed/bin/paved"
echo "$tool_root/$installed/bin" >>"${GITHUB_PATH:-/dev/null}"
rm -rf "$dir"
echo "installed paved $installed from $url"
