#!/usr/bin/env bash
# Build the hostile guest program static (cached by source), print its path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/rig/common.sh
source "$here/../common.sh"
rig_need gcc:gcc /usr/lib/x86_64-linux-gnu/libc.a:libc6-dev
sum=$(sha256sum "$here/hostile.c" | cut -c1-16)
out=$MINIVMM_CACHE/hostile-$sum
if [[ ! -x $out ]]; then
	mkdir -p "$MINIVMM_CACHE"
	gcc -static -O2 -Wall -Wextra -Werror -o "$out.tmp" "$here/hostile.c" >&2
	mv "$out.tmp" "$out"
fi
echo "$out"
