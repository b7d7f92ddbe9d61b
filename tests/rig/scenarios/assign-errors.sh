# Device assignment error cases: each ends in status 125 with one line on
# stderr naming the problem and the fix, and leaves the host's drivers as
# they were.
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
	_er_n=$(grep -c . "$VMM_ERR" || true)
	[ "$_er_n" -le 3 ] || diag "($_er_n lines on stderr)"
	return $_er_st
}

# expect_err PATTERN: minivmm's stderr matches the extended regexp PATTERN.
expect_err() {
	grep -Eq -- "$1" "$VMM_ERR" || fail "stderr does not match '$1'"
}

t_malformed() {
	[ -n "$BDF" ] || fail "no e1000e in the host"
	for bad in 00:3.0 zz:00.0; do
		error_run bad-bdf --kernel "$K" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" --assign "$bad"
		expect_err "$bad"
		expect_err 'DDDD:BB:DD\.F|BB:DD\.F'
	done
	expect_driver "$BDF" e1000e
}

t_no_device() {
	[ -e /sys/bus/pci/devices/0000:00:1e.7 ] && fail "the host has a 0000:00:1e.7"
	error_run nodev --kernel "$K" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" --assign 0000:00:1e.7
	expect_err 'no PCI device'
	expect_err '0000:00:1e\.7'
	expect_driver "$BDF" e1000e
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
	[ $st = 0 ] && expect_err 'in use' || st=1
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
	expect_driver "$BDF" e1000e
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
	expect_driver "$BDF" "$drv_before"
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
	expect_driver "$BDF" e1000e
}

subtest "malformed BDF (00:3.0, zz:00.0) -> 125 naming the format" t_malformed
subtest "no such device 0000:00:1e.7 -> 125 'no PCI device'" t_no_device
subtest "device in use by another minivmm -> 125 'in use'; first one unaffected" t_busy
subtest "IOMMU group not viable (q35 AHCI 00:1f.2) -> 125 naming the others, no change" t_group
subtest "vfio-pci missing, no modprobe -> 125 naming vfio-pci/modprobe" t_no_vfio
subtest "RLIMIT_MEMLOCK 1024 KiB without CAP_IPC_LOCK -> 125 naming it" t_memlock
subtests_done
