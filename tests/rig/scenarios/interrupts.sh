# Interrupt delivery of assigned devices: MSI-X, MSI and INTx through irqfd,
# multi-vector MSI-X with DMA, affinity changes, driver reloads. In every
# case --stats must show interrupts delivered and no MSI/MSI-X enable that
# failed.
# Host requirement (run-all): --device e1000e --device e1000e (the second is
# the host's peer at 169.254.0.1/16), --disk nv:64 --device
# nvme,serial=rignv,drive=nv, --disk ad:64 --device ich9-ahci,id=ahci0
# --device ide-hd,drive=ad,bus=ahci0.0.
. /rig/lib.sh

K=$GUEST_KERNEL
CMDLINE="console=ttyS0 quiet minivmm.status_port=0xf4"
: "${VMM_TIMEOUT:=300}"

# ---- the host side ----
find_devices

# irq_lines NAME-REGEXP: the guest's /proc/interrupts lines (dumped by
# the run scripts between "irqs-begin" and "irqs-end").
irq_lines() {
	tr -d '\r' <"$VMM_OUT" | sed -n '/^irqs-begin/,/^irqs-end/p' | grep -E -- "$1" || true
}

# 1a/1b. e1000e with MSI-X (IntMode=2) and INTx (IntMode=0): 100 pings, no loss.
nic_mode() { # nic_mode NAME INTMODE STATS-MODE IRQ-REGEXP
	[ -n "$NIC" ] && [ -n "$PEER_IF" ] || fail "no e1000e pair in the host"
	initrd=$( (echo "INTMODE=$2"; cat <<'SCRIPT'
modprobe e1000e IntMode=$INTMODE || exit 10
net_up || exit 12
ping_peer 100 || { irqs; exit 13; }
irqs
SCRIPT
	) | guest_script "$1")
	expect_status 0 run_vmm "$1" --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 512M --assign "$NIC" --stats
	expect_grep '^ping_received=100 of 100$' "$VMM_OUT"
	l=$(irq_lines 'eth0')
	diag "guest /proc/interrupts: $(echo "$l" | tr -s ' ' | tr '\n' '|')"
	echo "$l" | grep -Eq -- "$4" || fail "no eth0 interrupt matching '$4' in the guest's /proc/interrupts"
	expect_irq_stats "$NIC" "$3"
	expect_driver_back "$NIC" e1000e
}
t_msix() { nic_mode msix 2 MSI-X 'PCI-MSI.*eth0'; }
t_intx() { nic_mode intx 0 INTx 'IO-APIC.*fasteoi.*eth0'; }

# expect_driver_back BDF DRIVER
expect_driver_back() {
	_d=$(pci_driver "$1")
	check "$1 is on '$_d' after minivmm, expected $2" test "$_d" = "$2"
}

# 2. MSI: the ich9-ahci controller, a 4 MiB write/read-back through DMA.
t_msi_ahci() {
	[ -n "$AHCI" ] || fail "no ich9-ahci (other than 00:1f.2) in the host"
	before=$(pci_driver "$AHCI")
	initrd=$(guest_script ahci <<'SCRIPT'
modprobe ahci || exit 10
modprobe sd_mod || exit 10
for i in $(seq 100); do [ -b /dev/sda ] && break; usleep 100000; done
[ -b /dev/sda ] || { echo "guest: no /dev/sda"; irqs; exit 11; }
disk_check /dev/sda 4 || { irqs; exit 12; }
irqs
SCRIPT
	)
	expect_status 0 run_vmm ahci --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 512M --assign "$AHCI" --stats
	expect_grep '^disk_ok=1$' "$VMM_OUT"
	l=$(irq_lines 'ahci')
	diag "guest /proc/interrupts: $(echo "$l" | tr -s ' ' | tr '\n' '|')"
	echo "$l" | grep -q 'PCI-MSI' || fail "the guest's ahci interrupt is not PCI-MSI"
	expect_irq_stats "$AHCI" MSI
	expect_driver_back "$AHCI" "$before"
}

# 3. nvme, 4 vCPUs: one MSI-X vector per queue (the table shares BAR0 with the
#    registers); 16 MiB written, caches dropped, read back identical.
t_nvme() {
	[ -n "$NVME" ] || fail "no nvme in the host"
	before=$(pci_driver "$NVME")
	initrd=$(guest_script nvme <<'SCRIPT'
modprobe nvme || exit 10
for i in $(seq 150); do [ -b /dev/nvme0n1 ] && break; usleep 100000; done
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
	n=$(echo "$l" | grep -c 'PCI-MSI' || true)
	check "$n nvme0q* PCI-MSI vectors in the guest, expected at least 3" test "$n" -ge 3
	expect_irq_stats "$NVME" MSI-X
	expect_driver_back "$NVME" "$before"
}

# 4. 4 vCPUs, MSI-X: the eth0 IRQs' affinity rotates over CPUs 0-3 every
#    0.2 s while 100 pings go out: no loss, the GSI routes follow.
t_affinity() {
	[ -n "$NIC" ] && [ -n "$PEER_IF" ] || fail "no e1000e pair in the host"
	initrd=$(guest_script affinity <<'SCRIPT'
modprobe e1000e IntMode=2 || exit 10
net_up || exit 12
ping_peer 3 -warmup
irqs=$(grep -E 'eth0' /proc/interrupts | cut -d: -f1 | tr -d ' ')
echo "eth0 irqs: $irqs"
( n=0
  while :; do
	for m in 1 2 4 8; do
		for i in $irqs; do echo $m >/proc/irq/$i/smp_affinity 2>/dev/null; done
		n=$((n + 1))
		echo $n >/tmp/rotations
		usleep 200000
	done
  done ) &
rot=$!
ping_peer 100; st=$?
kill $rot
echo "rotations=$(cat /tmp/rotations)"
irqs
exit $st
SCRIPT
	)
	st=0
	run_vmm affinity --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 4 --mem 512M --assign "$NIC" --stats || st=$?
	diag "guest: $(tr -d '\r' <"$VMM_OUT" | grep -E '^(ping_received|rotations=|eth0 irqs:)|packets transmitted|round-trip' | tr '\n' '|')"
	check "minivmm exited with status $st, expected 0" test "$st" = 0
	expect_grep '^ping_received=100 of 100$' "$VMM_OUT"
	rot=$(guest_value rotations "$VMM_OUT")
	l=$(irq_lines 'eth0')
	diag "guest /proc/interrupts: $(echo "$l" | tr -s ' ' | tr '\n' '|')"
	upd=$(stats_field gsi_routing_updates "$VMM_ERR")
	base=$(stats_field gsi_routing_updates "$RIG_TMP/msix.err")
	diag "affinity rotations: ${rot:-?}; gsi_routing_updates: ${upd:-?} (without rotation: ${base:-?})"
	check "gsi_routing_updates ${upd:-?} did not grow over the run without affinity changes (${base:-?})" \
		test "${upd:-0}" -gt "$((${base:-0} + 4))"
	expect_irq_stats "$NIC" MSI-X
	expect_driver_back "$NIC" e1000e
}

# 5. rmmod/modprobe e1000e 10 times (IntMode 2 and 0 alternating), then the
#    link comes up and pings work.
t_reload() {
	[ -n "$NIC" ] && [ -n "$PEER_IF" ] || fail "no e1000e pair in the host"
	initrd=$(guest_script reload <<'SCRIPT'
for i in 1 2 3 4 5 6 7 8 9 10; do
	m=$(((i % 2) * 2))
	modprobe e1000e IntMode=$m || { echo "guest: modprobe $i failed"; exit 10; }
	netif >/dev/null || { echo "guest: no netdev after modprobe $i"; exit 11; }
	rmmod e1000e || { echo "guest: rmmod $i failed"; exit 14; }
	echo "reload $i IntMode=$m ok"
done
modprobe e1000e IntMode=2 || exit 10
net_up || exit 12
ping_peer 20 || { irqs; exit 13; }
irqs
SCRIPT
	)
	expect_status 0 run_vmm reload --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 512M --assign "$NIC" --stats
	expect_grep '^reload 10 IntMode=0 ok$' "$VMM_OUT"
	expect_grep '^ping_received=20 of 20$' "$VMM_OUT"
	mc=$(stats_field mode_changes "$VMM_ERR")
	diag "mode_changes: ${mc:-?}"
	expect_irq_stats "$NIC" MSI-X
	expect_driver_back "$NIC" e1000e
}

subtest "1a: e1000e MSI-X: 100 pings, no loss, irqfd only" t_msix
subtest "1b: e1000e INTx: 100 pings, no loss, irqfd only" t_intx
subtest "2: ahci MSI: 4 MiB written and read back, irqfd only" t_msi_ahci
subtest "3: nvme multi-vector MSI-X, 4 vCPUs: 16 MiB written and read back" t_nvme
subtest "4: MSI-X affinity rotation during 100 pings: no loss, routes updated" t_affinity
subtest "5: e1000e unload/reload 10 times, then ping" t_reload
subtests_done
