#!/bin/sh
# Build the Linux guest: Debian's arm64 cloud kernel and an initramfs with busybox, /mte-test (mte-test.c), /mte-hold
# (mte-hold.c: the policy matrix's Linux rows) and the kernel's arm64 MTE selftests, into $KVM_MTE_LINUX_DIR (default .cache/linux-guest in the repository):
#   Image       the kernel (linux-image-$KVER-cloud-arm64, a plain arm64 Image)
#   initrd.gz   the initramfs (init: this directory's `init`)
# Needs: apt-get with Debian's repositories (arm64 added as a foreign architecture here), the aarch64-linux-gnu cross
# toolchain (gcc, libc6-dev-arm64-cross), cpio, xz-utils. Run as root, or with the packages already downloaded into
# the directory. Idempotent: an existing Image and initrd.gz newer than this script are kept.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${KVM_MTE_LINUX_DIR:-$ROOT/.cache/linux-guest}
KVER=${KVM_MTE_LINUX_KVER:-6.1.0-57}
mkdir -p "$OUT"
cd "$OUT"
if [ -f Image ] && [ -f initrd.gz ] && [ initrd.gz -nt "$HERE/build.sh" ] && [ initrd.gz -nt "$HERE/init" ] && [ initrd.gz -nt "$HERE/mte-test.c" ] && [ initrd.gz -nt "$HERE/mte-hold.c" ] && [ initrd.gz -nt "$HERE/mte-uapi.h" ]; then
  echo "linux-guest: up to date in $OUT"
  exit 0
fi
if ! ls linux-image-$KVER-cloud-arm64_*.deb busybox-static_*.deb linux-source-6.1_*.deb >/dev/null 2>&1; then
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  apt-get update -qq
  apt-get download -qq "linux-image-$KVER-cloud-arm64:arm64" busybox-static:arm64 linux-source-6.1
fi
rm -rf x root src
mkdir -p x root/bin root/proc root/sys root/dev root/tmp root/mte-selftests src
dpkg-deb -x linux-image-$KVER-cloud-arm64_*.deb x
dpkg-deb -x busybox-static_*.deb x
cp "x/boot/vmlinuz-$KVER-cloud-arm64" Image
cp x/bin/busybox root/bin/busybox
cp "$HERE/init" root/init
chmod +x root/init
aarch64-linux-gnu-gcc -O2 -static -march=armv8.5-a+memtag -o root/mte-test "$HERE/mte-test.c"
aarch64-linux-gnu-gcc -O2 -static -march=armv8.5-a+memtag -Wall -Werror -o root/mte-hold "$HERE/mte-hold.c"
# The MTE selftests from the kernel source (only the files they need are extracted).
dpkg-deb --fsys-tarfile linux-source-6.1_*.deb | tar -xO ./usr/src/linux-source-6.1.tar.xz | xz -dc |
  tar -x -C src --wildcards 'linux-source-6.1/tools/testing/selftests/arm64/mte/*' \
    'linux-source-6.1/tools/testing/selftests/kselftest*' 'linux-source-6.1/tools/testing/selftests/lib.mk'
make -s -C src/linux-source-6.1/tools/testing/selftests/arm64/mte CC=aarch64-linux-gnu-gcc ARCH=arm64 \
  CFLAGS="-static -std=gnu99 -I. -I../.. -pthread" LDFLAGS="-static -pthread" OUTPUT="$OUT/root/mte-selftests" 2>/dev/null
(cd root && find . | cpio -o -H newc --quiet | gzip -9) > initrd.gz
rm -rf x src root
echo "linux-guest: built $OUT/Image and $OUT/initrd.gz"
