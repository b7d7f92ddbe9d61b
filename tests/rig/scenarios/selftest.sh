# Rig self-test (needs host.sh --with-qemu): the nested host has a working
# /dev/kvm and QEMU/KVM boots the guest initramfs in it, whose init runs a
# script and reports its status. Checks the rig without minivmm.
. /rig/lib.sh

t_kvm() {
	check "/dev/kvm is not a character device" test -c /dev/kvm
	check "no IOMMU groups (intel-iommu off?)" test -n "$(ls /sys/kernel/iommu_groups)"
	check "vfio-pci not loaded" test -d /sys/bus/pci/drivers/vfio-pci
}

t_qemu_kvm() {
	command -v qemu-system-x86_64 >/dev/null || { fail "no qemu in this host (use --with-qemu)"; return 1; }
	initrd=$(guest_initrd_with - <<'SCRIPT'
echo "nproc=$(nproc)"
modprobe e1000e && echo "modprobe=ok"
exit 7
SCRIPT
	)
	t0=$(uptime_s)
	st=0
	timeout 300 qemu-system-x86_64 -M q35 -accel kvm -cpu host -nodefaults -nographic \
		-serial stdio -no-reboot -smp 2 -m 256 -kernel "$GUEST_KERNEL" -initrd "$initrd" \
		-append "console=ttyS0 quiet" >qemu.out 2>qemu.err </dev/null || st=$?
	diag "qemu: status $st after $(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN{printf "%.1f", b-a}')s"
	[ -s qemu.err ] && dump_tail qemu.err 10
	check "qemu exited with $st" test "$st" = 0
	expect_grep 'minivmm-guest: init$' qemu.out # firmware junk may precede it
	expect_grep '^nproc=2$' qemu.out
	expect_grep '^modprobe=ok$' qemu.out
	expect_grep '^minivmm-guest: exit status 7$' qemu.out
}

subtest "kvm and vfio in the host" t_kvm
subtest "qemu -accel kvm boots the guest initramfs" t_qemu_kvm
subtests_done
