#!/usr/bin/env bash
# Build the arm64 kvm-unit-tests the project runs (pnpm kvm-unit-tests, scripts/kvm-unit-tests.test.ts) into DIR, in
# the layout ../shared/kvm-unit-tests has: DIR/bin/NAME.flat and NAME.elf, DIR/unittests.cfg, DIR/environ. Used by
# .ci/run on a machine without ../shared/kvm-unit-tests. Needs git, make, the aarch64-linux-gnu cross toolchain and
# network access to the suite's public repository (or KUT_REPO, a clone to fetch from first). The suite is GPL-2.0
# test data: it is built, never committed.
#
#   scripts/provision-kvm-unit-tests.sh DIR
set -euo pipefail
COMMIT=1da1819e49fc4938985edca67df669099b4c87a7
REPOS=(${KUT_REPO:-} https://gitlab.com/kvm-unit-tests/kvm-unit-tests.git https://github.com/kvm-unit-tests/kvm-unit-tests.git)
dest=${1:?usage: provision-kvm-unit-tests.sh DIR}
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
git -C "$src" init -q
fetched=
for r in "${REPOS[@]}"; do
  if git -C "$src" fetch -q --depth 1 "$r" "$COMMIT" 2>/dev/null; then fetched=$r; break; fi
done
[ -n "$fetched" ] || { echo "provision-kvm-unit-tests: cannot fetch commit $COMMIT from ${REPOS[*]}" >&2; exit 1; }
git -C "$src" checkout -q FETCH_HEAD
(cd "$src" && ./configure --arch=arm64 --cross-prefix=aarch64-linux-gnu- >/dev/null && make -s -j"$(nproc)" >/dev/null)
mkdir -p "$dest/bin"
cp "$src"/arm/*.flat "$src"/arm/*.elf "$dest/bin/"
cp "$src/arm/unittests.cfg" "$dest/unittests.cfg"
printf 'ERRATA_FORCE=y\n' > "$dest/environ" # as the suite's runner passes under TCG
echo "provision-kvm-unit-tests: built $COMMIT from $fetched into $dest ($(ls "$dest/bin" | wc -l) files)"
