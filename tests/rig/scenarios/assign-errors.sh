# Error cases (the bad-input table of issue 11): each ends in status 125
# with exactly one line on stderr naming the problem and the fix, and leaves
# the host as it was: the device on its driver, no state file in
# /run/minivmm, no supervisor left running, nothing half-written in a cache.
# Host requirement: an e1000e (run-all: the assign group's two e1000e), the
# host modules lpc_ich, i2c-i801 and ahci (host.sh puts them in the host),
# and util-linux setpriv at /usr/local/bin/setpriv for the RLIMIT_MEMLOCK
# case (host.sh --add-elf /usr/bin/setpriv:/usr/local/bin/setpriv).
. /rig/lib.sh

K=$GUEST_KERNEL
CMDLINE="console=ttyS0 quiet minivmm.status_port=0xf4"
VMM_TIMEOUT=60

modprobe e1000e || echo "# modprobe e1000e failed in the host"
BDF=$(pci_find 8086:10d3 | head -n 1)
[ -n "$BDF" ] && pci_netdev "$BDF" 10 >/dev/null

# expect_driver BDF DRIVER: BDF is bound to DRIVER ("none": unbound).
expect_driver() {
	_ed=$(pci_driver "$1")
	check "$1 is on '$_ed', expected $2" test "$_ed" = "$2"
}

# error_run NAME ARGS...: minivmm ARGS (no guest should start) -> 125 with a
# one-line explanation on stderr, shown as a diagnostic.
error_run() {
	_er_st=0
	expect_status 125 run_vmm "$@" || _er_st=1
	diag "stderr: $(head -n 3 "$VMM_ERR")"
	# Progress lines ("minivmm: preparing the guest initramfs...") are no error lines.
	_er_n=$(grep -v '\.\.\.$' "$VMM_ERR" | grep -c . || true)
	if [ "$_er_n" != 1 ]; then
		dump_tail "$VMM_ERR" 6
		fail "$_er_n lines on stderr, expected one"
		_er_st=1
	fi
	return $_er_st
}

# expect_err PATTERN: minivmm's stderr matches the extended regexp PATTERN.
expect_err() {
	grep -Eq -- "$1" "$VMM_ERR" || fail "stderr does not match '$1'"
}

# expect_host_unchanged [DRIVER]: $BDF on DRIVER (default e1000e), no state
# file or temporary file in /run/minivmm, no supervisor of minivmm running.
expect_host_unchanged() {
	expect_driver "$BDF" "${1:-e1000e}"
	check "a state file was left: $(ls -a /run/minivmm 2>/dev/null | tr '\n' ' ')" \
		test -z "$(ls -A /run/minivmm 2>/dev/null)"
	_eh=0
	while [ $_eh -lt 30 ] && grep -qx minivmm-sup /proc/[0-9]*/comm 2>/dev/null; do
		usleep 100000
		_eh=$((_eh + 1))
	done
	check "a minivmm supervisor still runs" test $_eh -lt 30
}

t_malformed() {
	[ -n "$BDF" ] || fail "no e1000e in the host"
	for bad in 00:3.0 zz:00.0; do
		error_run bad-bdf --kernel "$K" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" --assign "$bad"
		expect_err "$bad"
		expect_err 'DDDD:BB:DD\.F|BB:DD\.F'
	done
	expect_host_unchanged
}

t_no_device() {
	[ -e /sys/bus/pci/devices/0000:00:1e.7 ] && fail "the host has a 0000:00:1e.7"
	error_run nodev --kernel "$K" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" --assign 0000:00:1e.7
	expect_err 'no PCI device'
	expect_err '0000:00:1e\.7'
	expect_err 'lspci -D'
	expect_host_unchanged
}

# A second minivmm asking for a device the first one owns -> 125 "in use";
# the first one is unaffected and gives the device back on SIGTERM.
t_busy() {
	initrd=$(guest_initrd_with - busy <<'SCRIPT'
echo "guest: up"
sleep 1000
SCRIPT
	)
	vmm_start_ready '^guest: up' first --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" --cpus 1 --mem 256M --assign "$BDF"
	pid=$VMM_PID first_err=$VMM_ERR
	st=0
	error_run second --kernel "$K" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" --mem 256M --assign "$BDF" || st=1
	[ $st = 0 ] && expect_err "in use by minivmm pid $pid: stop that one first" || st=1
	[ $st = 0 ] && expect_driver "$BDF" vfio-pci || st=1
	[ $st = 0 ] && check "the first minivmm died when the second one failed" proc_alive "$pid" || st=1
	kill -TERM "$pid"
	if ! wait_exit "$pid" 10; then
		kill -KILL "$pid" 2>/dev/null || true
		fail "the first minivmm still runs 10 s after SIGTERM"
	fi
	fst=0
	wait "$pid" || fst=$?
	dump_tail "$first_err" 5
	[ $st = 0 ] || return 1
	check "the first minivmm exited with $fst after SIGTERM, expected 143" test "$fst" = 143
	expect_host_unchanged
}

# The q35 AHCI shares IOMMU group with the LPC bridge and the SMBus
# controller, both on host drivers: not viable -> 125 naming them, no change.
t_group() {
	modprobe lpc_ich || diag "modprobe lpc_ich failed"
	modprobe i2c-i801 || diag "modprobe i2c-i801 failed"
	modprobe ahci || diag "modprobe ahci failed"
	usleep 500000
	for g in /sys/kernel/iommu_groups/*; do
		diag "iommu group ${g##*/}: $(for d in "$g"/devices/*; do printf '%s(%s) ' "${d##*/}" "$(pci_driver "${d##*/}")"; done)"
	done
	ahci=0000:00:1f.2
	grp=$(readlink /sys/bus/pci/devices/$ahci/iommu_group)
	grp=${grp##*/}
	members=$(ls "/sys/kernel/iommu_groups/$grp/devices" | tr '\n' ' ')
	others=''
	for m in $members; do
		[ "$m" = $ahci ] && continue
		d=$(pci_driver "$m")
		case $d in none | vfio-pci | pci-stub) ;; *) others="$others $m=$d" ;; esac
	done
	check "group $grp of $ahci ($members) has no other member on a host driver; cannot test" test -n "$others"
	before=$(pci_driver $ahci)
	diag "$ahci is on $before; the other members on host drivers:$others"
	error_run group --kernel "$K" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" --mem 256M --assign $ahci
	expect_err 'not viable'
	for o in $others; do
		expect_err "${o%%=*} \\(${o#*=}\\)"
		expect_driver "${o%%=*}" "${o#*=}"
	done
	expect_driver $ahci "$before"
}

# vfio-pci not loaded and no modprobe on PATH -> 125 naming vfio-pci/modprobe.
t_no_vfio() {
	drv_before=$(pci_driver "$BDF")
	rmmod vfio_pci 2>/dev/null || rmmod vfio-pci || fail "cannot rmmod vfio_pci"
	if [ -e /sys/bus/pci/drivers/vfio-pci ]; then
		modprobe vfio-pci
		fail "/sys/bus/pci/drivers/vfio-pci is still there after rmmod vfio_pci"
	fi
	mkdir -p "$RIG_TMP/emptybin"
	printf '#!/bin/sh\nPATH=%s exec %s "$@"\n' "$RIG_TMP/emptybin" "$MINIVMM" >"$RIG_TMP/nomodprobe.sh"
	chmod +x "$RIG_TMP/nomodprobe.sh"
	st=0
	MINIVMM=$RIG_TMP/nomodprobe.sh error_run novfio --kernel "$K" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" \
		--mem 256M --assign "$BDF" || st=1
	[ $st = 0 ] && expect_err 'vfio-pci|vfio_pci' || st=1
	[ $st = 0 ] && expect_err 'modprobe' || st=1
	modprobe vfio-pci || diag "modprobe vfio-pci failed"
	[ -e /sys/bus/pci/drivers/vfio-pci ] || fail "vfio-pci is not back after modprobe vfio-pci"
	[ $st = 0 ] || return 1
	expect_host_unchanged "$drv_before"
}

# RLIMIT_MEMLOCK 1024 KiB without CAP_IPC_LOCK -> 125 naming the limit.
t_memlock() {
	sp=/usr/local/bin/setpriv
	[ -x $sp ] || fail "no util-linux setpriv in the host (host.sh --add-elf /usr/bin/setpriv:$sp)"
	printf '#!/bin/sh\nulimit -l 1024 || exit 99\nexec %s --bounding-set -ipc_lock --inh-caps -ipc_lock %s "$@"\n' \
		"$sp" "$MINIVMM" >"$RIG_TMP/memlock.sh"
	chmod +x "$RIG_TMP/memlock.sh"
	diag "CapEff under setpriv: $(sh -c "ulimit -l 1024; $sp --bounding-set -ipc_lock --inh-caps -ipc_lock grep CapEff /proc/self/status")"
	MINIVMM=$RIG_TMP/memlock.sh error_run memlock --kernel "$K" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" \
		--mem 512M --assign "$BDF"
	expect_err 'RLIMIT_MEMLOCK'
	expect_err '1024'
	expect_err 'ulimit -l'
	expect_host_unchanged
}

# No KVM: /dev/kvm renamed away for the run -> 125 naming kvm_amd; and a
# /dev/kvm that is no KVM device (/dev/null bound over it in a mount
# namespace) -> 125 saying so.
t_no_kvm() {
	mv /dev/kvm /dev/kvm.hidden
	st=0
	error_run nokvm --kernel "$K" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" --mem 256M --assign "$BDF" || st=1
	mv /dev/kvm.hidden /dev/kvm
	[ $st = 0 ] || return 1
	expect_err 'cannot open /dev/kvm: no such device; load kvm_intel or kvm_amd'
	expect_host_unchanged
	printf '#!/bin/sh\nmount -o bind /dev/null /dev/kvm || exit 99\nexec %s "$@"\n' "$MINIVMM" >"$RIG_TMP/fakekvm.sh"
	chmod +x "$RIG_TMP/fakekvm.sh"
	printf '#!/bin/sh\nexec unshare -m %s "$@"\n' "$RIG_TMP/fakekvm.sh" >"$RIG_TMP/nskvm.sh"
	chmod +x "$RIG_TMP/nskvm.sh"
	MINIVMM=$RIG_TMP/nskvm.sh error_run notkvm --kernel "$K" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" \
		--mem 256M --assign "$BDF"
	expect_err "/dev/kvm does not answer KVM's ioctls"
	expect_err 'modprobe'
	check "/dev/kvm is no longer KVM's (10:232) in the host: $(stat -c %t:%T /dev/kvm)" \
		test "$(stat -c %t:%T /dev/kvm)" = a:e8
	expect_host_unchanged
}

# A bzImage cut short, and an empty file -> 125 naming the file.
t_bad_kernel() {
	head -c 4000000 "$K" >trunc.bzImage
	error_run trunc --kernel trunc.bzImage --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" --mem 256M --assign "$BDF"
	expect_err "kernel 'trunc.bzImage' is truncated \(4000000 of [0-9]+ bytes\): pass the complete bzImage"
	: >empty.bzImage
	error_run emptyk --kernel empty.bzImage --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" --mem 256M --assign "$BDF"
	expect_err "kernel 'empty.bzImage' is neither a Linux bzImage nor an ELF vmlinux"
	expect_host_unchanged
}

# An initrd larger than guest RAM -> 125 before the device is touched.
t_initrd_too_big() {
	dd if=/dev/zero of=big.initrd bs=1M count=80 2>/dev/null
	# 96 MiB: the kernel fits (it needs RAM up to about 75 MiB), the initrd does not.
	error_run bigrd --kernel "$K" --initrd big.initrd --cmdline "$CMDLINE" --mem 96M --assign "$BDF"
	expect_err "initrd 'big.initrd' \(80 MiB\) does not fit in guest RAM.*give more --mem"
	rm -f big.initrd
	expect_host_unchanged
}

# --mem beyond the host's RAM + swap; and, with a device (DMA pins it all),
# beyond what is available.
t_mem_too_big() {
	error_run hugemem --kernel "$K" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" --mem 64G --assign "$BDF"
	expect_err '--mem 64.0G is more than this host has .*: use a smaller --mem'
	expect_host_unchanged
	avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
	total=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
	mb=$((avail + 64))
	diag "host: $total MiB, $avail MiB available; asking for $mb MiB with a device"
	check "too little room between available and total memory to test" test $mb -lt "$total"
	error_run pinmem --kernel "$K" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" --mem "${mb}M" --assign "$BDF"
	expect_err 'pins all guest RAM, but only .* are available: use a smaller --mem'
	expect_host_unchanged
}

# The zero-config guest's cache on a read-only file system -> 125 naming it.
t_cache_unwritable() {
	mkdir -p ro
	mount -t tmpfs -o ro,size=1m none ro
	st=0
	XDG_CACHE_HOME=$RIG_TMP/ro/cache error_run rocache --assign "$BDF" --run true || st=1
	umount ro
	[ $st = 0 ] || return 1
	expect_err "cannot create the cache directory $RIG_TMP/ro/cache/minivmm: Read-only file system; point XDG_CACHE_HOME at a writable directory"
	expect_host_unchanged
}

# A full disk while the initramfs is written (a 256 KiB tmpfs as the cache)
# -> 125 saying so; no partial file stays.
t_full_disk() {
	mkdir -p small
	mount -t tmpfs -o size=256k none small
	st=0
	XDG_CACHE_HOME=$RIG_TMP/small error_run fullcache --assign "$BDF" --run true || st=1
	left=$(ls -A small/minivmm 2>/dev/null | tr '\n' ' ')
	umount small
	[ $st = 0 ] || return 1
	expect_err "no space left in $RIG_TMP/small/minivmm for the guest initramfs: free space there or point XDG_CACHE_HOME"
	check "files left in the full cache: $left" test -z "$left"
	expect_host_unchanged
}

# --share of a tree with an unreadable file (minivmm without the
# capabilities that let root read anything) -> 125 naming the file.
t_share_unreadable() {
	sp=/usr/local/bin/setpriv
	[ -x $sp ] || fail "no util-linux setpriv in the host (host.sh --add-elf /usr/bin/setpriv:$sp)"
	mkdir -p tree/sub
	echo visible >tree/a.txt
	echo secret >tree/sub/secret
	chmod 000 tree/sub/secret
	printf '#!/bin/sh\nexec %s --bounding-set -all --inh-caps -all %s "$@"\n' "$sp" "$MINIVMM" >"$RIG_TMP/nocaps.sh"
	chmod +x "$RIG_TMP/nocaps.sh"
	before=$(ls ~/.cache/minivmm 2>/dev/null | wc -l)
	MINIVMM=$RIG_TMP/nocaps.sh error_run unreadable --share "$RIG_TMP/tree" --run 'cat a.txt'
	expect_err "--share $RIG_TMP/tree: cannot read $RIG_TMP/tree/sub/secret: Permission denied; make the tree readable \(chmod -R u\+rX $RIG_TMP/tree\)"
	check "the cache changed ($before -> $(ls ~/.cache/minivmm | wc -l) files)" test "$(ls ~/.cache/minivmm 2>/dev/null | wc -l)" = "$before"
	expect_host_unchanged
}

subtest "malformed BDF (00:3.0, zz:00.0) -> 125 naming the format" t_malformed
subtest "no such device 0000:00:1e.7 -> 125 'no PCI device'" t_no_device
subtest "device in use by another minivmm -> 125 'in use'; first one unaffected" t_busy
subtest "IOMMU group not viable (q35 AHCI 00:1f.2) -> 125 naming the others, no change" t_group
subtest "vfio-pci missing, no modprobe -> 125 naming vfio-pci/modprobe" t_no_vfio
subtest "RLIMIT_MEMLOCK 1024 KiB without CAP_IPC_LOCK -> 125 naming it" t_memlock
subtest "no /dev/kvm, and a /dev/kvm that is no KVM -> 125 naming it" t_no_kvm
subtest "truncated and empty kernel -> 125 naming the file" t_bad_kernel
subtest "initrd larger than guest RAM -> 125 before the device is touched" t_initrd_too_big
subtest "--mem beyond the host's memory, and beyond what can be pinned -> 125" t_mem_too_big
subtest "unwritable cache -> 125 naming it" t_cache_unwritable
subtest "full disk while writing the initramfs -> 125, nothing left" t_full_disk
subtest "--share of a tree with an unreadable file -> 125 naming the file" t_share_unreadable
subtests_done
