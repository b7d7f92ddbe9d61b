#!/usr/bin/env bash
# DMA-mapping and guest memory benchmark: time to map 2 and 4 GiB of guest
# RAM for DMA with an assigned e1000e (minivmm's own measure from -v, and
# for both VMMs the difference of exec -> guest init with and without the
# device), and guest memory bandwidth (a memcpy loop), minivmm beside QEMU
# in the same nested test host; minivmm also with --hugepages.
#
# usage: bench/dma.sh [--runs N] [--only dma|bw]   (default 3 runs, both parts;
#   --only: the DMA-map part or the bandwidth part alone, in a shorter host boot)
# Environment: as tests/rig/host.sh. Exit 0 unless something failed to run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/rig/common.sh
source "$here/../tests/rig/common.sh"

runs=3 parts="dma bw"
while (($#)); do
	case $1 in
	--runs) runs=${2:?}; shift 2 ;;
	--only)
		case ${2:-} in dma | bw) parts=$2 ;; *) echo "bench/dma.sh: --only takes dma or bw" >&2; exit 2 ;; esac
		shift 2 ;;
	-h | --help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "bench/dma.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
rig_need gcc:gcc /usr/lib/x86_64-linux-gnu/libc.a:libc6-dev
mkdir -p "$MINIVMM_CACHE"
stamp=$(mktemp "$MINIVMM_CACHE/stamp.XXXXXX")
membw=$(mktemp "$MINIVMM_CACHE/membw.XXXXXX")
trap 'rm -f "$stamp" "$membw"' EXIT
gcc -static -O2 -Wall -o "$stamp" "$here/stamp.c" || rig_die "cannot build bench/stamp.c"
gcc -static -O2 -Wall -o "$membw" "$here/membw.c" || rig_die "cannot build bench/membw.c"

exec "$here/../tests/rig/host.sh" --with-qemu --name bench-dma --mem 11264 \
	--scenario-timeout $((600 + runs * 600)) --timeout $((900 + runs * 600)) \
	--device e1000e \
	--add "$stamp:/usr/local/bin/stamp" --add "$membw:/usr/local/bin/membw" \
	--env "BENCH_RUNS=$runs" --env "BENCH_PARTS=$parts" "$here/dma-host.sh"
