#!/usr/bin/env bash
# Builds a stand-in for the `node:24-slim` image the Dockerfiles start FROM, without a
# registry of images: a Debian bookworm minbase root (debootstrap), the official Node 24
# binary and npm 11, both from the npm registry, a `node` user (uid 1000) and this
# machine's CA bundle (npm's `cafile` and NODE_EXTRA_CA_CERTS point at it, so npm inside
# a build trusts what npm here trusts). Imported into local container storage under the
# name the Dockerfiles use, with the label rdc.stand-in=node24.
#   bash test/images/build-base.sh            # build (again)
#   bash test/images/build-base.sh --reuse    # build only if no stand-in is there yet
# Needs root, debootstrap and podman (apt-get install debootstrap podman buildah).
set -euo pipefail
cd "$(dirname "$0")/../.."

name="${RDC_BASE_IMAGE:-docker.io/library/node:24-slim}"
suite="${RDC_BASE_SUITE:-bookworm}"
mirror="${RDC_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
npm_major="${RDC_BASE_NPM:-11}"
cache="${RDC_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rdc-ci}"

if [ "${1:-}" = "--reuse" ] \
  && [ "$(podman image inspect --format '{{index .Labels "rdc.stand-in"}}' "$name" 2>/dev/null)" = node24 ]; then
  echo "base: reusing $name"
  exit 0
fi
for tool in debootstrap podman; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "error: $tool is missing; install it with: apt-get install debootstrap podman buildah" >&2
    exit 1
  fi
done
if [ "$(id -u)" != 0 ]; then
  echo "error: building the base image needs root (debootstrap and container storage)" >&2
  exit 1
fi

ca="${NODE_EXTRA_CA_CERTS:-$(npm config get cafile 2>/dev/null || true)}"
[ -n "$ca" ] && [ "$ca" != null ] && [ -f "$ca" ] || ca=/etc/ssl/certs/ca-certificates.crt
if [ ! -f "$ca" ]; then
  echo "error: no CA bundle found (set NODE_EXTRA_CA_CERTS to a PEM file)" >&2
  exit 1
fi

work="$(mktemp -d /tmp/rdc-base-XXXXXX)"
trap 'rm -rf "$work"' EXIT
root="$work/root"
start=$SECONDS

echo "base: debootstrap --variant=minbase $suite ($mirror)"
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 20 "$work/debootstrap.log" >&2
  echo "error: debootstrap of $suite from $mirror failed (see above); set RDC_DEBIAN_MIRROR to a reachable mirror" >&2
  exit 1
}

echo "base: Node 24 and npm $npm_major from the npm registry"
node_dir="$(bash test/images/node24.sh)"
install -D -m 0755 "$node_dir/bin/node" "$root/usr/local/bin/node"
(cd "$work" && npm pack "npm@$npm_major" --silent >/dev/null)
mkdir -p "$root/usr/local/lib/node_modules/npm"
tar -xzf "$work"/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

install -D -m 0644 "$ca" "$root/etc/ssl/certs/ca-certificates.crt"
printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nupdate-notifier=false\nfund=false\n' \
  >"$root/usr/local/etc/npmrc"
registry="$(npm config get registry 2>/dev/null || true)"
if [ -n "$registry" ] && [ "$registry" != "https://registry.npmjs.org/" ]; then
  echo "registry=$registry" >>"$root/usr/local/etc/npmrc"
fi

echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$root/etc/passwd"
echo 'node:x:1000:' >>"$root/etc/group"
echo 'node:*:19000:0:99999:7:::' >>"$root/etc/shadow"
install -d -o 1000 -g 1000 "$root/home/node"

# What a slim image leaves out.
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
  "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log
chroot "$root" /usr/local/bin/node --version >/dev/null
chroot "$root" /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js --version >/dev/null

node_version="$("$node_dir/bin/node" --version)"
podman rmi --force "$name" >/dev/null 2>&1 || true
tar -C "$root" -c . | podman import --quiet \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'LABEL rdc.stand-in=node24' \
  --change 'CMD ["node"]' \
  - "$name" >/dev/null
echo "base: $name ($node_version, npm $(chroot "$root" /usr/local/bin/node \
  /usr/local/lib/node_modules/npm/bin/npm-cli.js --version)) built in $((SECONDS - start)) s"
