#!/bin/sh
# Downloads a release binary for the image, verifies it, and installs it.
#
#   fetch-tool.sh NAME URL SHA256 DEST [MEMBER]
#
# NAME is what the error messages call the tool (its build argument). SHA256 is the digest of
# the file at URL, 64 lower-case hex digits; nothing is unpacked or installed before it
# matches. When URL is a .zip or .tar.gz, MEMBER is the file inside it to install.
set -eu

if [ "$#" -lt 4 ]; then
  echo "usage: fetch-tool.sh NAME URL SHA256 DEST [MEMBER]" >&2
  exit 2
fi
name=$1 url=$2 sha=$3 dest=$4 member=${5:-}

if ! printf '%s\n' "$sha" | grep -Eq '^[0-9a-f]{64}$'; then
  echo "fetch-tool: $name: a SHA-256 checksum (64 hex digits) is required, got '$sha'." >&2
  echo "fetch-tool: take it from the release's checksums file and pass it as a build argument." >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! curl --fail --silent --show-error --location --retry 3 --output "$tmp/download" "$url"; then
  echo "fetch-tool: $name: cannot download $url" >&2
  exit 1
fi
actual=$(sha256sum "$tmp/download" | cut -d ' ' -f 1)
if [ "$actual" != "$sha" ]; then
  echo "fetch-tool: $name: checksum mismatch for $url: expected $sha, got $actual" >&2
  exit 1
fi

case "$url" in
  *.zip)
    mkdir "$tmp/unpacked"
    unzip -q "$tmp/download" "$member" -d "$tmp/unpacked"
    src=$tmp/unpacked/$member
    ;;
  *.tar.gz | *.tgz)
    mkdir "$tmp/unpacked"
    tar -xzf "$tmp/download" -C "$tmp/unpacked" "$member"
    src=$tmp/unpacked/$member
    ;;
  *) src=$tmp/download ;;
esac
install -m 0755 "$src" "$dest"
echo "fetch-tool: installed $name at $dest ($sha)"
