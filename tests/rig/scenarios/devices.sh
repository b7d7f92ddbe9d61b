# More kinds of assigned functions: an I/O-port-only NIC with INTx
# (ne2k_pci), a large 64-bit prefetchable BAR that must land above 4 GiB
# (nvme's 128 MiB controller memory buffer), and a multifunction device
# whose two functions go to the guest together and keep their numbers.
# Host requirement (run-all): --device e1000e (the host's peer at
# 169.254.0.1/16), --device ne2k_pci, --disk cm:32 --device
# nvme,serial=rigcmb,drive=cm,cmb_size_mb=128, and two e1000e functions
# at 00:06.0/00:06.1 (multifunction=on).
. /rig/lib.sh

K=$GUEST_KERNEL
CMDLINE="console=ttyS0 quiet minivmm.status_port=0xf4"
: "${VMM_TIMEOUT:=300}"

modprobe e1000e || echo "# modprobe e1000e failed in the host"
PEER=$(pci_find 8086:10d3 | grep -v '^0000:00:06\.' | head -n 1)
NE2K=$(pci_find 10ec:8029 | head -n 1)
NVME=$( (pci_find 1b36:0010; pci_find 8086:5845) | head -n 1)
MF0=0000:00:06.0 MF1=0000:00:06.1
diag "peer e1000e: ${PEER:-none}, ne2k_pci: ${NE2K:-none}, nvme+CMB: ${NVME:-none}, multifunction: $(pci_driver $MF0)/$(pci_driver $MF1)"
PEER_IF=
[ -n "$PEER" ] && PEER_IF=$(peer_up "$PEER")


# 1. ne2k_pci: all its registers are behind one I/O-port BAR (trapped and
#    forwarded to VFIO), interrupts are INTx through irqfd + resamplefd.
t_ne2k() {
	[ -n "$NE2K" ] && [ -n "$PEER_IF" ] || fail "no ne2k_pci or no peer NIC in the host"
	before=$(pci_driver "$NE2K")
	initrd=$(guest_script ne2k <<'SCRIPT'
modprobe ne2k-pci || exit 10
IF=$(netif 0000:00:01.0) || { echo "guest: no netdev"; exit 11; }
echo "bar0=$(head -n 1 /sys/bus/pci/devices/0000:00:01.0/resource)"
ip addr add 169.254.0.2/16 dev "$IF"
ip link set "$IF" up
sleep 1
ping_peer 30 || { cat /proc/interrupts; exit 13; }
grep -E 'ne2k|eth0' /proc/interrupts | sed 's/^/irq: /'
SCRIPT
	)
	expect_status 0 run_vmm ne2k --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 512M --assign "$NE2K" --stats
	expect_grep '^ping_received=30 of 30$' "$VMM_OUT"
	diag "guest: $(tr -d '\r' <"$VMM_OUT" | grep -E '^(bar0=|irq:)' | tr '\n' ' ')"
	# The flags column has IORESOURCE_IO (0x100).
	flags=$(guest_value bar0 "$VMM_OUT" | cut -d' ' -f3)
	check "the guest's BAR0 flags '${flags:-?}' are not an I/O BAR" test $((${flags:-0} & 0x100)) -ne 0
	io=$(stats_field "$NE2K/bar0" "$VMM_ERR")
	check "${io:-no} I/O BAR accesses forwarded, expected many" test "${io:-0}" -gt 100
	expect_irq_stats "$NE2K" INTx
	check "$NE2K is on '$(pci_driver "$NE2K")' after minivmm, was $before" test "$(pci_driver "$NE2K")" = "$before"
}

# 2. nvme with a 128 MiB controller memory buffer: BAR2 is 64-bit and
#    prefetchable, so minivmm puts it in the window above 4 GiB (256 GiB
#    up); the flags survive, the BAR is a memory slot (words written at
#    both ends read back, no access traps), and the disk still moves data
#    by DMA. (Debian's kernel has no CONFIG_PCI_P2PDMA, so its nvme driver
#    says "failed to register the CMB" and leaves the buffer alone: the
#    guest touches it with devmem instead.)
t_cmb() {
	[ -n "$NVME" ] || fail "no nvme in the host"
	before=$(pci_driver "$NVME")
	initrd=$(guest_script cmb <<'SCRIPT'
d=/sys/bus/pci/devices/0000:00:01.0
sed -n 3p $d/resource | sed 's/^/bar2=/'
# Through the BAR's memory slot into the device's buffer and back (before
# the driver claims the BAR): decode on, write, read.
cmd=$(od -An -tu2 -j4 -N2 $d/config | tr -d ' ')
c=$((cmd | 2))
printf "\\$(printf %03o $((c & 255)))\\$(printf %03o $((c >> 8)))" | dd of=$d/config bs=2 seek=2 count=1 conv=notrunc 2>/dev/null
base=$(sed -n 3p $d/resource | cut -d' ' -f1)
devmem $((base + 0x1000)) 32 0x5a17c0de
devmem $((base + 0x7fffffc)) 32 0xc0ffee11
echo "cmb_read=$(devmem $((base + 0x1000)) 32) $(devmem $((base + 0x7fffffc)) 32)"
modprobe nvme || exit 10
for i in $(seq 150); do [ -b /dev/nvme0n1 ] && break; usleep 100000; done
[ -b /dev/nvme0n1 ] || { echo "guest: no /dev/nvme0n1"; exit 11; }
dmesg | grep -i 'cmb\|controller memory' | sed 's/^/dmesg: /'
dd if=/dev/urandom of=/tmp/data bs=1M count=8 2>/dev/null
dd if=/tmp/data of=/dev/nvme0n1 bs=1M 2>/dev/null || exit 12
sync; echo 3 >/proc/sys/vm/drop_caches
[ "$(sha256sum </tmp/data)" = "$(dd if=/dev/nvme0n1 bs=1M count=8 2>/dev/null | sha256sum)" ] && echo disk_ok=1
SCRIPT
	)
	expect_status 0 run_vmm cmb --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 512M --assign "$NVME" --stats
	expect_grep '^disk_ok=1$' "$VMM_OUT"
	set -- $(guest_value bar2 "$VMM_OUT")
	diag "guest BAR2: start $1 end ${2:-?} flags ${3:-?}; $(tr -d '\r' <"$VMM_OUT" | grep '^dmesg:' | head -n 2 | tr '\n' ' ')"
	check "the guest has no BAR2 resource" test -n "${1:-}"
	check "BAR2 at $1, below the 64-bit window at 256 GiB" test $(($1 >= 0x4000000000)) = 1
	check "BAR2 is $(($2 - $1 + 1)) bytes, expected 128 MiB" test $(($2 - $1 + 1)) = $((128 << 20))
	# IORESOURCE_MEM_64 (0x100000) and IORESOURCE_PREFETCH (0x2000)
	check "BAR2 flags $3 lost 64-bit or prefetchable" test $(($3 & 0x102000)) = $((0x102000))
	check "the guest read back '$(guest_value cmb_read "$VMM_OUT")' from the CMB, wrote 0x5A17C0DE 0xC0FFEE11" \
		test "$(guest_value cmb_read "$VMM_OUT")" = "0x5A17C0DE 0xC0FFEE11"
	check "$(stats_field "$NVME/bar2" "$VMM_ERR") guest accesses to BAR2 trapped, expected 0" \
		test "$(stats_field "$NVME/bar2" "$VMM_ERR")" = 0
	check "$NVME is on '$(pci_driver "$NVME")' after minivmm, was $before" test "$(pci_driver "$NVME")" = "$before"
}

# 3. the two functions of a multifunction e1000e go to the guest together:
#    one slot, function numbers 0 and 1, both driven, MACs as on the host.
t_multifunction() {
	m0=$(cat /sys/bus/pci/devices/$MF0/net/*/address 2>/dev/null)
	m1=$(cat /sys/bus/pci/devices/$MF1/net/*/address 2>/dev/null)
	check "no host netdevs on $MF0/$MF1 (test set-up)" test -n "$m0" -a -n "$m1"
	g0=$(basename "$(readlink /sys/bus/pci/devices/$MF0/iommu_group)")
	g1=$(basename "$(readlink /sys/bus/pci/devices/$MF1/iommu_group)")
	diag "host: $MF0 MAC $m0 group $g0, $MF1 MAC $m1 group $g1"
	initrd=$(guest_script mf <<'SCRIPT'
ls /sys/bus/pci/devices | tr '\n' ' ' | sed 's/^/devices=/'; echo
modprobe e1000e || exit 10
for f in 0 1; do
	IF=$(netif 0000:00:01.$f) || { echo "guest: no netdev for 00:01.$f"; exit 11; }
	echo "mac$f=$(cat /sys/class/net/$IF/address)"
done
SCRIPT
	)
	expect_status 0 run_vmm mf --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 512M --assign "$MF0" --assign "$MF1"
	diag "guest: $(guest_value devices "$VMM_OUT")"
	check "guest 00:01.0 has MAC '$(guest_value mac0 "$VMM_OUT")', host $MF0 had $m0" \
		test "$(guest_value mac0 "$VMM_OUT")" = "$m0"
	check "guest 00:01.1 has MAC '$(guest_value mac1 "$VMM_OUT")', host $MF1 had $m1" \
		test "$(guest_value mac1 "$VMM_OUT")" = "$m1"
	for f in $MF0 $MF1; do
		check "$f is on '$(pci_driver $f)' after minivmm, expected e1000e" test "$(pci_driver $f)" = e1000e
	done
}

subtest "1: ne2k_pci: I/O-port BAR forwarded, INTx by irqfd, 30 pings" t_ne2k
subtest "2: nvme CMB: 128 MiB 64-bit prefetchable BAR above 4 GiB, no traps, DMA" t_cmb
subtest "3: multifunction e1000e: both functions, same slot, same numbers" t_multifunction
subtests_done
