#!/usr/bin/env bash
# Checks a Parley image tar (launcher/target/parley-image.tar by default) the way `docker load`
# would read it, on a machine without a Docker daemon, then runs it:
#   1. structure: manifest.json names a config and layers that are in the tar; the config's
#      diff_ids are the sha256 of each layer uncompressed (what docker load verifies);
#   2. skopeo, an independent reader, copies it to an OCI layout (checking every digest);
#   3. umoci unpacks that into a root filesystem, and the image's own entrypoint runs in it
#      (chroot, in new mount and PID namespaces, as the image's user): `--version`, then, unless
#      --no-serve, `parley all` answering /healthz on a spare port.
# Needs root, python3, curl, and the Debian packages skopeo and umoci.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
tar="$here/../../launcher/target/parley-image.tar"
serve=yes
for arg in "$@"; do
  case "$arg" in
    --no-serve) serve=no ;;
    *) tar="$arg" ;;
  esac
done
[ -f "$tar" ] || { echo "no image tar at $tar: build it with ./mvnw -B -Pimage -pl launcher -am package -DskipTests" >&2; exit 1; }

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    # unshare --fork ignores SIGTERM while it waits: stop its child, the JVM, which drains and exits.
    for child in $(ps -o pid= --ppid "$server_pid"); do kill "$child" 2>/dev/null || true; done
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "1/3 structure of $tar"
mkdir "$work/tar"
tar -xf "$tar" -C "$work/tar"
python3 - "$work/tar" <<'PY'
import gzip, hashlib, json, os, sys
root = sys.argv[1]
manifest = json.load(open(os.path.join(root, "manifest.json")))
assert len(manifest) == 1, "one image per tar"
entry = manifest[0]
config = json.load(open(os.path.join(root, entry["Config"])))
layers = entry["Layers"]
diff_ids = config["rootfs"]["diff_ids"]
assert config["rootfs"]["type"] == "layers"
assert len(layers) == len(diff_ids), f"{len(layers)} layers but {len(diff_ids)} diff_ids"
for layer, diff_id in zip(layers, diff_ids):
    opener = gzip.open if layer.endswith(".gz") else open
    digest = hashlib.sha256()
    with opener(os.path.join(root, layer), "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    assert "sha256:" + digest.hexdigest() == diff_id, f"{layer}: content is not {diff_id}"
c = config["config"]
assert c.get("Entrypoint"), "no entrypoint"
print(f"  tags {entry['RepoTags']}, {len(layers)} layers, digests match; "
      f"{config['os']}/{config['architecture']}, user {c.get('User')}, ports {sorted(c.get('ExposedPorts', {}))}")
print("  entrypoint " + " ".join(c["Entrypoint"]))
PY

echo "2/3 skopeo reads it as an image"
skopeo copy --quiet "docker-archive:$tar" "oci:$work/oci:parley"
skopeo inspect "oci:$work/oci:parley" | python3 -c 'import json,sys; i=json.load(sys.stdin); print("  digest", i["Digest"], "layers", len(i["Layers"]))'

echo "3/3 the entrypoint runs in the unpacked image"
umoci unpack --image "$work/oci:parley" "$work/bundle" >/dev/null
rootfs="$work/bundle/rootfs"
mapfile -t entrypoint < <(python3 -c 'import json,sys; [print(a) for a in json.load(open(sys.argv[1]))["process"]["args"]]' "$work/bundle/config.json")
user="$(python3 -c 'import json,sys; u=json.load(open(sys.argv[1]))["process"]["user"]; print(u["uid"], u["gid"], sep=":")' "$work/bundle/config.json")"
run() {
  exec unshare --fork --kill-child --pid --mount --mount-proc="$rootfs/proc" \
    chroot --userspec="$user" "$rootfs" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/home/parley "${entrypoint[@]}" "$@"
}
echo "  $(run --version)"  # run execs: in a subshell here, and in the background below
if [ "$serve" = yes ]; then
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  grpc="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  run all --host 127.0.0.1 --http-port "$port" --grpc-port "$grpc" > "$work/parley.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 60); do
    if body="$(curl -fsS "http://127.0.0.1:$port/healthz" 2>/dev/null)"; then
      echo "  parley all in the image: GET /healthz -> $body"
      exit 0
    fi
    sleep 1
  done
  echo "parley did not answer /healthz within 60 s:" >&2
  cat "$work/parley.log" >&2
  exit 1
fi
