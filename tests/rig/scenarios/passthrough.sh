# Passthrough that survives what real drivers do: D3hot and decode-off
# while another vCPU touches the BAR, the driver's suspend and resume, a
# guest function-level reset, an MSI grant smaller than the guest asked for,
# and IOMMU groups as the kernel sees them (a root port in the group).
# Host requirement (run-all): --device e1000e --device e1000e (the second is
# the host's peer at 169.254.0.1/16), an nvme, --device nec-usb-xhci,msix=off
# (16 MSI vectors), --no-intremap (without interrupt remapping the host
# grants one), and a two-function e1000e behind a pcie-root-port with
# disable-acs=true (one IOMMU group: the root port and both functions).
. /rig/lib.sh

K=$GUEST_KERNEL
CMDLINE="console=ttyS0 quiet minivmm.status_port=0xf4"
: "${VMM_TIMEOUT:=300}"

find_devices

# 0. No interrupt remapping in this host (--no-intremap): VFIO refuses such
#    an IOMMU; minivmm says why and what to do, 125, the NIC back on e1000e.
#    Then the rest of the scenario accepts it (allow_unsafe_interrupts).
t_no_intremap() {
	echo 0 >/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts
	expect_status 125 run_vmm unsafe --kernel "$K" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" \
		--mem 256M --assign "$NIC"
	expect_grep 'error: VFIO_SET_IOMMU for '"$NIC"' failed: this IOMMU has no interrupt remapping.*allow_unsafe_interrupts=1$' "$VMM_ERR"
	check "$NIC not back on e1000e" test "$(pci_driver "$NIC")" = e1000e
}
XHCI=$(pci_find 1033:0194 | head -n 1)
diag "nec-usb-xhci: ${XHCI:-none}"

# Guest-side config-space helpers, in front of the run scripts.
CFG_LIB='
cfg=$dev/config
cfg_rd() { od -An -tu1 -j "$1" -N "${2:-1}" "$cfg" | awk "{v=0; for (i=NF; i>0; i--) v=v*256+\$i; print v}"; }
cfg_wr8() { printf "\\$(printf %03o "$2")" | dd of="$cfg" bs=1 seek="$1" conv=notrunc 2>/dev/null; }
cfg_wr16() { cfg_wr8 "$1" $(($2 & 255)); cfg_wr8 $(($1 + 1)) $(($2 >> 8)); }
cfg_wr32() { cfg_wr16 "$1" $(($2 & 65535)); cfg_wr16 $(($1 + 2)) $(($2 >> 16)); }
cap_find() { p=$(cfg_rd 52); while [ "$p" -ne 0 ]; do [ "$(cfg_rd $p)" = "$1" ] && { echo $p; return 0; }; p=$(cfg_rd $((p + 1))); done; return 1; }
'

# 1. D3hot and memory decode off written behind the driver's back while
#    another vCPU reads BAR0: the BAR reads all-ones, minivmm keeps running
#    (before: KVM_RUN failed with EFAULT, status 125), and after D0 the
#    driver comes back and passes traffic. The interface is down meanwhile:
#    with it up, the driver's transmit watchdog fired in the window
#    (NETDEV WATCHDOG, a kernel-log verdict) and its reset raced the pokes
#    (once the guest spun until the rig's timeout). A guest still running at
#    200 s prints every CPU's backtrace.
t_d3_under_reads() {
	[ -n "$NIC" ] && [ -n "$PEER_IF" ] || fail "no e1000e pair in the host"
	initrd=$( (echo "$CFG_LIB"; cat <<'SCRIPT'
( sleep 200; echo 8 >/proc/sys/kernel/printk; echo l >/proc/sysrq-trigger; echo w >/proc/sysrq-trigger ) &
modprobe e1000e || exit 10
net_up || exit 12
ip link set "$IF" down
bar0=$(( $(cut -d' ' -f1 $dev/resource | head -n 1) ))
pm=$(cap_find 1) || { echo "no PM capability"; exit 11; }
# A reader on CPU 1, as long as /tmp/reading exists.
touch /tmp/reading
( while [ -e /tmp/reading ]; do devmem $((bar0 + 8)) 32 >/tmp/last; done ) &
reader=$!
taskset -p -c 1 $reader >/dev/null
sleep 1
echo "status_d0=$(devmem $((bar0 + 8)) 32)"
cfg_wr16 $((pm + 4)) 3            # D3hot
sleep 1
echo "status_d3=$(devmem $((bar0 + 8)) 32) reader=$(cat /tmp/last)"
cfg_wr16 $((pm + 4)) 0            # D0
sleep 1
cmd=$(cfg_rd 4 2)
cfg_wr16 4 $((cmd & ~2))          # memory decode off
sleep 1
echo "status_nodecode=$(devmem $((bar0 + 8)) 32)"
cfg_wr16 4 $cmd
rm -f /tmp/reading
wait $reader
# The driver's view of the device is stale: reload it.
rmmod e1000e
modprobe e1000e || exit 14
net_up || exit 15
ping_peer 30 || exit 16
SCRIPT
	) | guest_script d3)
	# iomem=relaxed: devmem may read a BAR its driver holds.
	expect_status 0 run_vmm d3 --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE iomem=relaxed" \
		--cpus 2 --mem 512M --assign "$NIC" --stats
	expect_grep '^status_d3=0xFFFFFFFF' "$VMM_OUT"
	expect_grep '^status_nodecode=0xFFFFFFFF$' "$VMM_OUT"
	expect_no_grep '^status_d0=0xFFFFFFFF$' "$VMM_OUT"
	expect_grep '^ping_received=30 of 30$' "$VMM_OUT"
	d3=$(dev_counter "$NIC" d3_entries)
	check "minivmm saw ${d3:-no} D3hot entries, expected 1" test "${d3:-0}" = 1
	check "$NIC not back on e1000e" test "$(pci_driver "$NIC")" = e1000e
}

# 2. The driver's own power management: a suspend cycle of the guest
#    (s2idle stopped at the platform step by pm_test: every driver runs its
#    suspend and the PCI core puts the e1000e into D3hot, then all resume).
#    e1000e runtime PM needs the link down, which this rig cannot pull.
t_driver_pm() {
	[ -n "$NIC" ] && [ -n "$PEER_IF" ] || fail "no e1000e pair in the host"
	initrd=$( (echo "$CFG_LIB"; cat <<'SCRIPT'
modprobe e1000e || exit 10
net_up || exit 12
pm=$(cap_find 1) || exit 11
[ -w /sys/power/pm_test ] || { echo "guest: no /sys/power/pm_test (CONFIG_PM_DEBUG)"; exit 13; }
echo platform >/sys/power/pm_test
echo freeze >/sys/power/state
echo "suspend_status=$? pmcsr_state=$(( $(cfg_rd $((pm + 4)) 2) & 3 ))"
dmesg | grep -E "PM: suspend (entry|exit)|e1000e.*(suspend|resume|error)" | tail -n 5
net_up || exit 14
ping_peer 30 || exit 15
SCRIPT
	) | guest_script dpm)
	expect_status 0 run_vmm dpm --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 512M --assign "$NIC" --stats
	expect_grep '^suspend_status=0 pmcsr_state=0$' "$VMM_OUT"
	expect_grep '^ping_received=30 of 30$' "$VMM_OUT"
	d3=$(dev_counter "$NIC" d3_entries)
	check "minivmm saw ${d3:-no} D3hot entries" test "${d3:-0}" -ge 1
}

# 3. A function-level reset asked by the guest with its driver bound (nvme:
#    the driver's reset_prepare/reset_done run around it): minivmm resets
#    the function through VFIO, and the disk reads back what was written.
#    QEMU's e1000e has no FLR; its nvme has.
t_flr() {
	[ -n "$NVME" ] || fail "no nvme in the host"
	initrd=$(guest_script flr <<'SCRIPT'
modprobe nvme || exit 10
for i in $(seq 300); do [ -b /dev/nvme0n1 ] && break; usleep 100000; done
echo "reset_methods=$(cat $dev/reset_method 2>/dev/null)"
echo flr >$dev/reset_method || { echo "guest: flr refused"; exit 12; }
echo 1 >$dev/reset || { echo "guest: reset failed"; exit 13; }
for i in $(seq 300); do [ -b /dev/nvme0n1 ] && break; usleep 100000; done
disk_check /dev/nvme0n1 4
SCRIPT
	)
	expect_status 0 run_vmm flr --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 512M --assign "$NVME" --stats
	expect_grep '^reset_methods=.*flr' "$VMM_OUT"
	expect_grep '^disk_ok=1' "$VMM_OUT"
	flrs=$(dev_counter "$NVME" flrs)
	check "minivmm saw ${flrs:-no} FLR" test "${flrs:-0}" -ge 1
}

# 4. MSI with 4 vectors asked where the host grants 1 (no interrupt
#    remapping here): minivmm enables what it got and Multiple Message
#    Enable reads 1 vector (before: MSI stayed off and MME said 4).
t_msi_partial() {
	[ -n "$XHCI" ] || fail "no nec-usb-xhci (msix=off) in the host"
	initrd=$( (echo "$CFG_LIB"; cat <<'SCRIPT'
dev=$(ls -d /sys/bus/pci/devices/* | while read d; do [ "$(cat $d/vendor):$(cat $d/device)" = 0x1033:0x0194 ] && echo $d; done | head -n 1)
cfg=$dev/config
msi=$(cap_find 5) || { echo "no MSI capability"; exit 11; }
ctl=$(cfg_rd $((msi + 2)) 2)
echo "mmc=$(( (ctl >> 1) & 7 ))"
cfg_wr32 $((msi + 4)) 0xfee00000
cfg_wr32 $((msi + 8)) 0
cfg_wr16 $((msi + 12)) 0x41
cfg_wr16 $((msi + 2)) $(( (ctl & ~0x71) | (2 << 4) | 1 ))   # 4 vectors, enable
ctl=$(cfg_rd $((msi + 2)) 2)
echo "msi_enabled=$((ctl & 1)) mme=$(( (ctl >> 4) & 7 ))"
cfg_wr16 $((msi + 2)) $((ctl & ~1))
SCRIPT
	) | guest_script msi-partial)
	expect_status 0 run_vmm msi-partial --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 256M --assign "$XHCI" --stats
	expect_grep '^mmc=4$' "$VMM_OUT"
	expect_grep '^msi_enabled=1 mme=0$' "$VMM_OUT"
	s=$(vmm_stats "$VMM_ERR" | grep -o "\"$XHCI\": {[^}]*}")
	diag "stats: $s"
	echo "$s" | grep -q '"partial_grants": [1-9]' || fail "no partial grant counted"
	echo "$s" | grep -q '"modes_used": \[[^]]*"MSI"' || fail "MSI was never enabled"
}

# The two-function e1000e behind a root port without ACS: GRP_FN0, GRP_FN1,
# GRP_RP (on pcieport), all in IOMMU group GRP.
GRP_FN0='' GRP_FN1='' GRP_RP='' GRP=''
for d in $(pci_find 8086:10d3); do
	case $d in *.0) ;; *) continue ;; esac
	rp=$(basename "$(dirname "$(readlink -f "/sys/bus/pci/devices/$d")")")
	[ -e "/sys/bus/pci/devices/${d%.0}.1" ] && [ "$(pci_driver "$rp")" = pcieport ] || continue
	GRP_FN0=$d GRP_FN1=${d%.0}.1 GRP_RP=$rp
	GRP=$(basename "$(readlink "/sys/bus/pci/devices/$d/iommu_group")")
done
diag "root-port group ${GRP:-none}: $(ls "/sys/kernel/iommu_groups/${GRP:-x}/devices" 2>/dev/null | tr '\n' ' ')"
re_quote() { printf '%s' "$1" | sed 's/[][().*^$+?{}|\\/]/\\&/g'; }

grp_need() {
	[ -n "$GRP" ] && [ -n "$PEER_IF" ] || fail "no two-function e1000e behind a root port (and peer) in the host"
	for m in "$GRP_RP" "$GRP_FN1"; do
		[ "$(basename "$(readlink "/sys/bus/pci/devices/$m/iommu_group")")" = "$GRP" ] ||
			fail "$m is not in IOMMU group $GRP of $GRP_FN0 (the root port has ACS?)"
	done
}
GRP_PING='
modprobe e1000e || exit 10
net_up || exit 12
ping_peer 20 || exit 16
'

# 5. The group {root port on pcieport, function 0, function 1 unbound}: the
#    kernel calls it viable (pcieport manages no DMA of its own), so the
#    guest gets function 0 and pings through it; then function 0 is back on
#    e1000e, the root port still on pcieport (before: refused with 125, "it
#    also holds ... (pcieport)").
t_group_rootport() {
	grp_need
	echo "$GRP_FN1" >/sys/bus/pci/drivers/e1000e/unbind
	initrd=$(echo "$GRP_PING" | guest_script grp)
	st=0
	run_vmm grp --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" --mem 256M --assign "$GRP_FN0" || st=$?
	echo "$GRP_FN1" >/sys/bus/pci/drivers/e1000e/bind
	[ "$st" = 0 ] || { dump_tail "$VMM_ERR" 10; dump_tail "$VMM_OUT" 10; fail "minivmm exited with $st, expected 0"; }
	expect_grep '^ping_received=20 of 20$' "$VMM_OUT"
	check "$GRP_FN0 not back on e1000e" test "$(pci_driver "$GRP_FN0")" = e1000e
	check "$GRP_FN0 kept a driver_override" test "$(pci_override "$GRP_FN0")" = none
	check "$GRP_RP not on pcieport" test "$(pci_driver "$GRP_RP")" = pcieport
	check "$GRP_FN1 not back on e1000e" test "$(pci_driver "$GRP_FN1")" = e1000e
}

# 6. Function 1 on its host driver: the kernel says not viable; one line
#    naming function 1 and both fixes, 125, function 0 back on e1000e and
#    working in the host.
t_group_not_viable() {
	grp_need
	check "$GRP_FN1 not on e1000e" test "$(pci_driver "$GRP_FN1")" = e1000e
	expect_status 125 run_vmm grp-nv --kernel "$K" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" \
		--mem 256M --assign "$GRP_FN0"
	msg="error: IOMMU group $GRP of $GRP_FN0 is not viable: it also holds $GRP_FN1 (e1000e), on a host driver that uses the group's DMA: assign it too (--assign $GRP_FN1) or unbind it from its host driver (echo $GRP_FN1 > /sys/bus/pci/drivers/e1000e/unbind)"
	expect_grep "$(re_quote "$msg")\$" "$VMM_ERR"
	n=$(grep -c 'error:' "$VMM_ERR" || true)
	check "$n error lines, expected 1" test "$n" = 1
	check "$GRP_FN0 not back on e1000e" test "$(pci_driver "$GRP_FN0")" = e1000e
	check "$GRP_FN0 kept a driver_override" test "$(pci_override "$GRP_FN0")" = none
	host_ping "$GRP_FN0"
}

# 7. The other fix: both functions assigned (function 1's driver_override
#    set to e1000e by hand before, and put back so at exit, not cleared).
t_group_both() {
	grp_need
	echo e1000e >"/sys/bus/pci/devices/$GRP_FN1/driver_override"
	initrd=$(echo "$GRP_PING" | guest_script grp2)
	expect_status 0 run_vmm grp2 --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" --mem 256M \
		--assign "$GRP_FN0" --assign "$GRP_FN1"
	expect_grep '^ping_received=20 of 20$' "$VMM_OUT"
	for f in "$GRP_FN0" "$GRP_FN1"; do
		check "$f not back on e1000e" test "$(pci_driver "$f")" = e1000e
	done
	check "$GRP_FN0 kept a driver_override" test "$(pci_override "$GRP_FN0")" = none
	ov=$(pci_override "$GRP_FN1")
	check "$GRP_FN1's driver_override is $ov, not e1000e as before" test "$ov" = e1000e
	echo >"/sys/bus/pci/devices/$GRP_FN1/driver_override"
}

subtest "0: an IOMMU without interrupt remapping: one line with the fix, 125" t_no_intremap
echo 1 >/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts
subtest "1: D3hot and decode-off under BAR reads" t_d3_under_reads
subtest "2: suspend and resume of the e1000e driver (D3hot)" t_driver_pm
subtest "3: guest FLR of an nvme under its driver" t_flr
subtest "4: MSI: 4 vectors asked, 1 granted" t_msi_partial
subtest "5: IOMMU group {root port, function 0, unbound function 1}: assigned, guest pings" t_group_rootport
subtest "6: IOMMU group with function 1 on e1000e: not viable, one line with the fix, 125" t_group_not_viable
subtest "7: IOMMU group with both functions assigned; function 1's driver_override put back" t_group_both
subtests_done
