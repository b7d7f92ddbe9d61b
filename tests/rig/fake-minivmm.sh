#!/bin/sh
# A stand-in for minivmm made of QEMU/KVM, to check the rig and the
# scenarios themselves (not the VMM): it takes minivmm's options and follows
# its exit-status contract as far as QEMU allows.
#   MINIVMM=tests/rig/fake-minivmm.sh tests/rig/host.sh --with-qemu --mem 6144 tests/rig/scenarios/boot.sh
# 0 poweroff/reboot, N from "minivmm-guest: exit status N", 125 bad
# arguments or not a bzImage, 126 "Kernel panic" on the console.
# busybox sh, runs inside the nested host.
kernel='' initrd='' cmdline='' cpus=1 mem=256M console=''
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--cmdline) cmdline=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--console) console=$2; shift 2 ;;
	--stats) shift ;;
	*) echo "fake-minivmm: unsupported argument $1" >&2; exit 125 ;;
	esac
done
[ -r "$kernel" ] || { echo "fake-minivmm: cannot read kernel $kernel" >&2; exit 125; }
if [ "$(dd if="$kernel" bs=1 skip=514 count=4 2>/dev/null)" != HdrS ]; then
	echo "fake-minivmm: $kernel is not a bzImage (no HdrS signature)" >&2
	exit 125
fi
case $mem in
*G) m=$((${mem%G} * 1024)) ;; *M) m=${mem%M} ;; *K) m=$((${mem%K} / 1024)) ;; *) m=$((mem / 1048576)) ;;
esac
log=$(mktemp)
set -- -M q35 -accel kvm -cpu host -nodefaults -nographic -serial "file:$log" -no-reboot \
	-smp "$cpus" -m "$m" -kernel "$kernel" -append "$cmdline"
[ -n "$initrd" ] && set -- "$@" -initrd "$initrd"
: >"$log"
if [ -n "$console" ]; then tail -f "$log" >"$console" & else tail -f "$log" & fi
tpid=$!
qemu-system-x86_64 "$@" </dev/null 2>"$log.err" &
qpid=$!
trap 'kill $qpid 2>/dev/null; wait $qpid; sleep 1; kill $tpid; rm -f "$log" "$log.err"; exit 0' TERM INT
st=
while kill -0 $qpid 2>/dev/null; do
	if grep -q 'Kernel panic - not syncing' "$log"; then
		kill $qpid
		st=126
		break
	fi
	usleep 200000
done
wait $qpid
qst=$?
sleep 1 # let tail catch up
kill $tpid
echo "fake-minivmm: qemu exited with $qst" >&2
if [ -z "$st" ]; then
	if [ $qst != 0 ]; then
		cat "$log.err" >&2
		st=125
	else
		st=$(tr -d '\r' <"$log" | sed -n 's/^minivmm-guest: exit status \([0-9]*\)$/\1/p' | tail -n 1)
		st=${st:-0}
	fi
fi
rm -f "$log" "$log.err"
exit "$st"
