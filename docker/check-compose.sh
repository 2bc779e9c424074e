#!/bin/sh
# Validates docker-compose.yml as Compose itself reads it, without a Docker engine:
# `docker-compose config -q` (Debian's docker-compose 1.29, installed when missing) against a
# throwaway .env made from docker/env.example, every empty value filled in. It runs on a copy
# of the files in a temporary directory, so a real .env beside docker-compose.yml is neither
# read nor touched, and nothing from the caller's environment fills a variable in.
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"

if ! command -v docker-compose >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq docker-compose >/dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$root/docker-compose.yml" "$work/"
cp -R "$root/docker" "$work/docker"
# "KEY=" lines get a throwaway value; comments and filled-in lines stay as they are.
sed 's/^\([A-Z_][A-Z0-9_]*\)=$/\1=compose-check-only/' "$root/docker/env.example" > "$work/.env"

cd "$work"
env -i PATH="$PATH" HOME="$work" docker-compose -f docker-compose.yml config -q
echo "docker-compose.yml is valid (docker-compose $(docker-compose version --short))."
