# The arm64 machine end to end, in the arm64 test host (tests/rig/arm64/
# host.sh: KVM at EL2 with VHE, vGICv3 + ITS, VFIO through the SMMUv3):
# Debian's arm64 kernel boots with more vCPUs than the host has, poweroff,
# status and panic end minivmm as on x86; an assigned e1000e with MSI-X
# through the ITS and INTx (irq=intx) pings the host's peer; nvme with
# several MSI-X vectors writes and reads back; each device goes back to
# its host driver; the zero-config guest; doctor's arm64 checks.
# Host requirement (run-all.sh group arm64): --device e1000e --device
# e1000e (the second is the host's peer at 169.254.0.1/16) --disk nv:64
# --device nvme,serial=rignv,drive=nv.
. /rig/lib.sh

K=$GUEST_KERNEL
CMDLINE="console=ttyS0 quiet minivmm.status_mmio=0x09010000"
: "${VMM_TIMEOUT:=400}"

modprobe e1000e || echo "# modprobe e1000e failed in the host"
# nvme stays unbound until case 4: with the SMMU described by the device
# tree, a function joins an IOMMU group only when a driver probes it.
NIC=$(pci_find 8086:10d3 | sed -n 1p)
PEER=$(pci_find 8086:10d3 | sed -n 2p)
NVME=$( (pci_find 1b36:0010; pci_find 8086:5845) | head -n 1)
sleep 1
NIC_MAC=$(cat /sys/bus/pci/devices/$NIC/net/*/address 2>/dev/null)
diag "e1000e: ${NIC:-none} (MAC ${NIC_MAC:-none}, peer ${PEER:-none}), nvme: ${NVME:-none}; host: $(nproc) CPUs"
PEER_IF=
[ -n "$PEER" ] && PEER_IF=$(peer_up "$PEER")

irq_lines() {
	tr -d '\r' <"$VMM_OUT" | sed -n '/^irqs-begin/,/^irqs-end/p' | grep -E -- "$1" || true
}

expect_driver_back() {
	_d=$(pci_driver "$1")
	check "$1 is on '$_d' after minivmm, expected $2" test "$_d" = "$2"
}

# 1. 4 vCPUs (the host has 2) to the guest init; a command's status through
#    the MMIO status register; the guest's own poweroff (PSCI SYSTEM_OFF) -> 0.
t_boot() {
	initrd=$(guest_initrd_with - boot <<'SCRIPT'
echo "nproc=$(nproc)"
echo "cpus=$(ls -d /sys/devices/system/cpu/cpu[0-9]* | wc -l)"
echo "gic=$(grep -c GICv3 /proc/interrupts)"
echo "uart=$(cat /proc/tty/driver/serial 2>/dev/null | grep -c 'uart:16550A')"
exit 7
SCRIPT
	)
	expect_status 7 run_vmm boot --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" --cpus 4 --mem 512M
	expect_grep '^nproc=4$' "$VMM_OUT"
	expect_grep 'minivmm-guest: exit status 7' "$VMM_OUT"
	check "the guest saw no GICv3 interrupts" test "$(guest_value gic "$VMM_OUT")" -gt 0
	initrd=$(guest_initrd_with - off <<'SCRIPT'
echo "powering off myself"
poweroff -f
SCRIPT
	)
	expect_status 0 run_vmm off --kernel "$K" --initrd "$initrd" --cmdline "console=ttyS0 quiet" --cpus 4 --mem 512M
	expect_grep 'powering off myself' "$VMM_OUT"
}

# 2. a kernel panic -> 126 (Debian's arm64 kernel has no pvpanic driver: the console tells).
t_panic() {
	initrd=$(guest_initrd_with - panic <<'SCRIPT'
echo c >/proc/sysrq-trigger
SCRIPT
	)
	expect_status 126 run_vmm panic --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" --cpus 2 --mem 512M
	expect_grep 'Kernel panic' "$VMM_ERR"
}

# 3. e1000e: the guest's driver probes it with its MAC; 100 pings with
#    MSI-X through the ITS, then with INTx forced (irq=intx) through an SPI.
nic_mode() { # nic_mode NAME ASSIGN-OPTS STATS-MODE IRQ-REGEXP
	[ -n "$NIC" ] && [ -n "$PEER_IF" ] || fail "no e1000e pair in the host"
	initrd=$(guest_script "$1" <<'SCRIPT'
modprobe e1000e || exit 10
net_up || exit 12
echo "guest_mac=$(cat /sys/class/net/$IF/address)"
ping_peer 100 || { irqs; exit 13; }
irqs
SCRIPT
	)
	expect_status 0 run_vmm "$1" --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 512M --assign "$NIC$2" --stats
	expect_grep '^ping_received=100 of 100$' "$VMM_OUT"
	check "the guest's MAC is '$(guest_value guest_mac "$VMM_OUT")', the device's $NIC_MAC" \
		test "$(guest_value guest_mac "$VMM_OUT")" = "$NIC_MAC"
	l=$(irq_lines 'eth0')
	diag "guest /proc/interrupts: $(echo "$l" | tr -s ' ' | tr '\n' '|')"
	echo "$l" | grep -Eq -- "$4" || fail "no eth0 interrupt matching '$4' in the guest's /proc/interrupts"
	expect_irq_stats "$NIC" "$3"
	expect_driver_back "$NIC" e1000e
}
t_msix() { nic_mode msix '' MSI-X 'ITS-.*eth0'; }
t_intx() { nic_mode intx ',irq=intx' INTx 'GICv3.*Level.*eth0'; }

# 4. nvme, 4 vCPUs: one MSI-X vector per queue through the ITS; 16 MiB
#    written, caches dropped, read back byte-equal. The function was never
#    bound: it has no IOMMU group until minivmm binds it to vfio-pci. After
#    the run the host's nvme driver takes it and finds its namespace.
t_nvme() {
	[ -n "$NVME" ] || fail "no nvme in the host"
	before=$(pci_driver "$NVME")
	diag "nvme before: driver '${before:-none}', IOMMU group '$(readlink /sys/bus/pci/devices/$NVME/iommu_group 2>/dev/null)'"
	initrd=$(guest_script nvme <<'SCRIPT'
modprobe nvme || exit 10
for i in $(seq 300); do [ -b /dev/nvme0n1 ] && break; usleep 100000; done
[ -b /dev/nvme0n1 ] || { echo "guest: no /dev/nvme0n1"; irqs; exit 11; }
disk_check /dev/nvme0n1 16 || { irqs; exit 12; }
irqs
SCRIPT
	)
	expect_status 0 run_vmm nvme --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 4 --mem 512M --assign "$NVME" --stats
	expect_grep '^disk_ok=1$' "$VMM_OUT"
	l=$(irq_lines 'nvme0q')
	diag "guest /proc/interrupts: $(echo "$l" | tr -s ' ' | tr '\n' '|')"
	n=$(echo "$l" | grep -c 'ITS-' || true)
	check "$n nvme0q* ITS MSI vectors in the guest, expected at least 3" test "$n" -ge 3
	expect_irq_stats "$NVME" MSI-X
	expect_driver_back "$NVME" "$before"
	modprobe nvme || fail "modprobe nvme failed in the host"
	for i in $(seq 60); do [ -b /dev/nvme0n1 ] && break; sleep 0.5; done
	check "the host's nvme driver found no namespace after minivmm" test -b /dev/nvme0n1
	expect_driver_back "$NVME" nvme
}

# 5. the zero-config form: the host's kernel and modules, nothing prepared.
t_zero_config() {
	[ -n "$NIC_MAC" ] || fail "no e1000e with a netdev in the host"
	expect_status 0 run_vmm zc --assign "$NIC" --run 'cat /sys/class/net/*/address; echo "nproc=$(nproc)"'
	expect_grep "^$NIC_MAC\$" "$VMM_OUT"
	expect_status 3 run_vmm zc3 --run 'exit 3'
	expect_driver_back "$NIC" e1000e
}

# 6. doctor: SMMU, the host's GIC ITS, KVM_CAP_MSI_DEVID, the probe guest.
t_doctor() {
	_need_minivmm
	# (its status kept: a failing doctor must still show what it said)
	st=0
	"$MINIVMM" doctor "$NIC" >"$RIG_TMP/doctor.out" 2>&1 || st=$?
	sed 's/^/#   | /' "$RIG_TMP/doctor.out"
	check "doctor exited $st, expected 0" test "$st" = 0
	expect_grep '^ok    iommu: SMMU smmu3' "$RIG_TMP/doctor.out"
	expect_grep '^ok    GIC ITS: present' "$RIG_TMP/doctor.out"
	expect_grep '^ok    KVM_CAP_MSI_DEVID' "$RIG_TMP/doctor.out"
	expect_grep '^ok    KVM runs a guest' "$RIG_TMP/doctor.out"
}

subtest "1: 4 vCPUs on 2 host CPUs, status 7 through the status register, poweroff -> 0" t_boot
subtest "2: a kernel panic -> 126" t_panic
subtest "3a: e1000e with its MAC, MSI-X through the ITS: 100 pings" t_msix
subtest "3b: e1000e with irq=intx (an SPI, level irqfd + resamplefd): 100 pings" t_intx
subtest "4: nvme multi-vector MSI-X, 4 vCPUs: 16 MiB written and read back" t_nvme
subtest "5: zero-config guest: the host's kernel and modules" t_zero_config
subtest "6: doctor: SMMU, GIC ITS, KVM_CAP_MSI_DEVID, the probe guest" t_doctor
subtests_done
