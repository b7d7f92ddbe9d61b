# Device assignment on a host without an IOMMU: 125 with a message naming
# intel_iommu=on, and the device stays with its host driver.
# Host requirement (run-all): --no-iommu --device e1000e.
. /rig/lib.sh

K=$GUEST_KERNEL
VMM_TIMEOUT=60

modprobe e1000e || echo "# modprobe e1000e failed in the host"
BDF=$(pci_find 8086:10d3 | head -n 1)

t_noiommu() {
	[ -n "$BDF" ] || fail "no e1000e in the host"
	n=$(ls /sys/kernel/iommu_groups 2>/dev/null | wc -l)
	check "the host has $n IOMMU groups; this case needs a host without IOMMU (host.sh --no-iommu)" test "$n" = 0
	ifc=$(pci_netdev "$BDF" 10) || fail "no netdev for $BDF"
	mac=$(cat "/sys/class/net/$ifc/address")
	expect_status 125 run_vmm noiommu --kernel "$K" --initrd "$GUEST_INITRD" --cmdline "console=ttyS0 quiet" \
		--mem 256M --assign "$BDF"
	diag "stderr: $(head -n 3 "$VMM_ERR")"
	# Progress lines ("minivmm: decompressing the kernel ...") are no error lines.
	n=$(grep -v '\.\.\.$' "$VMM_ERR" | grep -c .)
	check "$n lines on stderr besides progress lines, expected one" test "$n" = 1
	check "stderr does not say '$BDF has no IOMMU group'" grep -q "$BDF has no IOMMU group" "$VMM_ERR"
	check "stderr does not name intel_iommu=on" grep -q 'intel_iommu=on' "$VMM_ERR"
	check "a state file was left in /run/minivmm" test -z "$(ls -A /run/minivmm 2>/dev/null)"
	drv=$(pci_driver "$BDF")
	check "$BDF is on '$drv' after minivmm, expected e1000e" test "$drv" = e1000e
	ifc=$(pci_netdev "$BDF" 10) || fail "$BDF has no netdev after minivmm"
	check "$BDF's MAC changed" test "$(cat "/sys/class/net/$ifc/address")" = "$mac"
}

subtest "no IOMMU: --assign -> 125 naming intel_iommu=on, driver unchanged" t_noiommu
subtests_done
