#!/usr/bin/env bash
# Installs (or upgrades) ioc-edge on an edge box: the built app in /opt/ioc-edge, the service
# user, production node modules, ffmpeg, the config and state directories, edgectl on PATH and
# the systemd unit. Safe to run again: each step checks first and only does what is missing.
#
#   sudo deploy/install.sh [--config site.yaml] [--no-start] [--dry-run]
#
#   --config FILE   install FILE as /etc/ioc-edge/config.yaml (an existing config is kept) and
#                   give its sensors random secrets in /etc/ioc-edge/sensors.env (root only)
#   --no-start      enable the service but do not (re)start it
#   --dry-run       print what would be done, change nothing (no root needed)
set -euo pipefail

APP_DIR=/opt/ioc-edge
CONFIG_DIR=/etc/ioc-edge
STATE_DIR=/var/lib/ioc-edge
SERVICE_USER=ioc-edge
SENSORS_ENV=$CONFIG_DIR/sensors.env
UNIT_DIR=/etc/systemd/system
BIN_LINK=/usr/local/bin/edgectl
SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

dry_run=0
start=1
site_config=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --no-start) start=0 ;;
    --config) site_config="${2:?--config needs a file}"; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '==> %s\n' "$*"; }
# Every change goes through run: printed in a dry run, executed otherwise.
run() {
  if [ "$dry_run" -eq 1 ]; then printf '    + %s\n' "$*"; else "$@"; fi
}

if [ "$dry_run" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (sudo deploy/install.sh), or with --dry-run to see the steps" >&2
  exit 1
fi
[ "$dry_run" -eq 1 ] && say "dry run: nothing will be changed"

say "checking Node.js (20 or newer) and the build"
node_bin="$(command -v node || true)"
if [ -z "$node_bin" ]; then
  echo "install.sh: Node.js is not installed; install Node.js 20 or newer first" >&2
  exit 1
fi
node_major="$("$node_bin" -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "install.sh: Node.js $("$node_bin" --version) is too old; ioc-edge needs 20 or newer" >&2
  exit 1
fi
if [ ! -f "$SOURCE_DIR/dist/edge/main.js" ] || [ ! -f "$SOURCE_DIR/dist/edge/cli/main.js" ]; then
  echo "install.sh: $SOURCE_DIR is not built; run make build first" >&2
  exit 1
fi
for f in models/manifest.json models/centernet.json models/centernet.bin; do
  [ -f "$SOURCE_DIR/$f" ] || { echo "install.sh: $f is missing; run make models first" >&2; exit 1; }
done

say "ffmpeg (camera decoding)"
if command -v ffmpeg >/dev/null; then
  echo "    present: $(command -v ffmpeg)"
else
  run env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg
fi

say "service user $SERVICE_USER"
if id -u "$SERVICE_USER" >/dev/null 2>&1; then
  echo "    exists"
else
  run useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
fi

say "directories"
# Config: root-owned, the agent's group may write (edgectl config apply runs in the agent).
run install -d -o root -g "$SERVICE_USER" -m 0770 "$CONFIG_DIR"
run install -d -o "$SERVICE_USER" -g "$SERVICE_USER" -m 0750 "$STATE_DIR"
run install -d -o root -g root -m 0755 "$APP_DIR"

say "application in $APP_DIR"
for item in dist bin models proto deploy package.json package-lock.json; do
  if [ -d "$SOURCE_DIR/$item" ]; then
    run rsync -a --delete --exclude 'cache/' --exclude '/test/' "$SOURCE_DIR/$item/" "$APP_DIR/$item/"
  else
    run install -m 0644 "$SOURCE_DIR/$item" "$APP_DIR/$item"
  fi
done
run chmod 0755 "$APP_DIR/bin/edge-agent.js" "$APP_DIR/bin/edgectl.js"

say "node modules (npm ci --omit=dev)"
lock_sum="$(sha256sum "$SOURCE_DIR/package-lock.json" | cut -d' ' -f1)"
if [ -d "$APP_DIR/node_modules" ] && [ "$(cat "$APP_DIR/.installed-lock.sha256" 2>/dev/null)" = "$lock_sum" ]; then
  echo "    up to date (package-lock.json unchanged)"
else
  run sh -c "cd '$APP_DIR' && npm ci --omit=dev --no-audit --no-fund"
  run sh -c "echo '$lock_sum' > '$APP_DIR/.installed-lock.sha256'"
fi

say "site config $CONFIG_DIR/config.yaml"
if [ -f "$CONFIG_DIR/config.yaml" ]; then
  echo "    kept (use edgectl config apply to change it)"
elif [ -n "$site_config" ]; then
  # Sensor secrets first (random, root-only, printed once): the config names them as ${VAR}.
  run "$node_bin" "$SOURCE_DIR/dist/edge/cli/main.js" --config "$site_config" provision --sensors-only --sensors-env "$SENSORS_ENV"
  run "$node_bin" "$SOURCE_DIR/dist/edge/cli/main.js" config validate "$site_config"
  run install -o root -g "$SERVICE_USER" -m 0660 "$site_config" "$CONFIG_DIR/config.yaml"
else
  echo "    none yet: copy one from firmware-config/ (install.sh --config firmware-config/<site>.yaml)"
fi

say "edgectl on PATH ($BIN_LINK)"
if [ "$(readlink "$BIN_LINK" 2>/dev/null)" = "$APP_DIR/bin/edgectl.js" ]; then
  echo "    present"
else
  run ln -sfn "$APP_DIR/bin/edgectl.js" "$BIN_LINK"
fi

say "systemd unit ioc-edge.service"
unit_text="$(sed "s#^ExecStart=/usr/bin/node #ExecStart=$node_bin #" "$SOURCE_DIR/deploy/systemd/ioc-edge.service")"
if [ -f "$UNIT_DIR/ioc-edge.service" ] && [ "$(cat "$UNIT_DIR/ioc-edge.service")" = "$unit_text" ]; then
  echo "    unchanged"
else
  if [ "$dry_run" -eq 1 ]; then
    printf '    + write %s (ExecStart with %s)\n' "$UNIT_DIR/ioc-edge.service" "$node_bin"
  else
    printf '%s\n' "$unit_text" > "$UNIT_DIR/ioc-edge.service"
  fi
  run systemctl daemon-reload
fi
run systemctl enable ioc-edge.service

if [ "$start" -eq 1 ] && [ -f "$CONFIG_DIR/config.yaml" -o "$dry_run" -eq 1 ]; then
  say "starting (or restarting onto the new version)"
  run systemctl restart ioc-edge.service
  [ "$dry_run" -eq 1 ] || { sleep 3; systemctl --no-pager --lines=0 status ioc-edge.service || true; }
else
  say "not started: $([ "$start" -eq 0 ] && echo '--no-start' || echo 'no config yet')"
fi

say "done. Next: edgectl provision --coordinator HOST:PORT --token T; edgectl doctor"
