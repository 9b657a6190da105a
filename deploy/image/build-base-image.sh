#!/usr/bin/env bash
# Builds the container image's base without a registry and without a Docker daemon: a Debian
# bookworm root filesystem with openjdk-17-jre-headless (mmdebstrap, from Debian's own packages),
# made into a one-layer OCI image (umoci) and written as a tar in `docker save` format (skopeo),
# which Jib takes as a base with -Djib.from.image=tar://... (see the README, "Deploying").
#
# An operator whose machine reaches a container registry needs none of this: the image profile
# builds on eclipse-temurin:17-jre by default.
#
# Usage: deploy/image/build-base-image.sh [OUTPUT.tar]   (default deploy/image/build/parley-base.tar)
# Needs root (mmdebstrap runs maintainer scripts in a chroot) and the Debian packages
# mmdebstrap, umoci and skopeo: apt-get install mmdebstrap umoci skopeo.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/build/parley-base.tar}"
suite="${PARLEY_BASE_SUITE:-bookworm}"
tag="parley-base:17-${suite}"
# The user the image runs as; Jib's image sets it, the base only needs its home to exist.
uid=65532

for tool in mmdebstrap umoci skopeo; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is missing: apt-get install mmdebstrap umoci skopeo" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$out")"

echo "1/3 root filesystem: Debian $suite with openjdk-17-jre-headless"
# No man pages, docs or translations; update-alternatives still needs the man1 folder to exist.
mmdebstrap --variant=apt \
  --include=openjdk-17-jre-headless,ca-certificates,tzdata \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --setup-hook='mkdir -p "$1/usr/share/man/man1"' \
  --customize-hook="chroot \"\$1\" useradd --system --uid $uid --user-group --home-dir /home/parley --create-home --shell /usr/sbin/nologin parley" \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  "$suite" "$work/rootfs.tar"

echo "2/3 OCI image: one layer, java on the PATH"
umoci init --layout "$work/oci"
umoci new --image "$work/oci:base"
umoci raw add-layer --image "$work/oci:base" "$work/rootfs.tar"
umoci config --image "$work/oci:base" \
  --os linux --architecture amd64 \
  --config.env 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --config.env 'JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
  --config.env 'LANG=C.UTF-8' \
  --config.user "$uid:$uid" \
  --config.workingdir /home/parley \
  --author 'Parley build-base-image.sh' \
  --history.created_by "mmdebstrap $suite + openjdk-17-jre-headless"

echo "3/3 docker-archive tar: $out"
rm -f "$out"
skopeo copy --quiet "oci:$work/oci:base" "docker-archive:$out:$tag"
ls -l "$out"
echo "base image $tag written; build Parley's image on it with:"
echo "  ./mvnw -B -Pimage -pl launcher -am package -DskipTests -Djib.from.image=tar://$out"
