#!/usr/bin/env bash
# Installs the Debian packages ioc-edge needs when they are missing: ffmpeg (camera decode),
# rtsp-server-perl (a real RTSP server for tests and the demo), chromium (console tests),
# libxml2-utils (xmllint: CAP and Open311 XML checked against their schemas in tests), openssl
# (test certificates for EdgeLink TLS/mTLS and HTTPS), nats-server (the JetStream tests' server,
# started by .ci/run when it is not running), haproxy (the load balancer before coordinator
# replicas: deploy/haproxy.cfg, run by the replicas test).
set -euo pipefail
need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v rtsp-server-perl >/dev/null || need+=(rtsp-server-perl)
command -v chromium >/dev/null || need+=(chromium)
command -v xmllint >/dev/null || need+=(libxml2-utils)
command -v openssl >/dev/null || need+=(openssl)
[ -x /usr/sbin/nats-server ] || command -v nats-server >/dev/null || need+=(nats-server)
[ -x /usr/sbin/haproxy ] || command -v haproxy >/dev/null || need+=(haproxy)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]}" >&2
  echo "install them as root:  sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
