# Boot scenarios for the VMM foundation: vCPUs, RAM, exit statuses, crash
# detection, the error path, PCIe config space, reboot and SIGTERM.
# Host requirement: --mem 6144 (case b runs a 4 GiB guest).
. /rig/lib.sh

K=$GUEST_KERNEL
# minivmm's cache, where direct boot keeps the uncompressed kernel
cache=${XDG_CACHE_HOME:-$HOME/.cache}/minivmm

# j. direct boot (first in this file: it starts with an empty cache). The
#    first start decompresses the bzImage's payload into the cache, the
#    second reuses it; both enter the kernel at its link-time address (no
#    KASLR). --kaslr leaves decompression (and KASLR) to the bzImage.
t_direct() {
	initrd=$(guest_initrd_with - direct <<'SCRIPT'
echo "text=$(grep ' _text$' /proc/kallsyms | cut -d' ' -f1)"
echo "code=$(grep 'Kernel code' /proc/iomem | sed 's/^ *\([0-9a-f]*\)-.*/\1/')"
SCRIPT
	)
	rm -f "$cache"/vmlinux-*
	expect_status 0 run_vmm direct1 --kernel "$K" --initrd "$initrd" --cmdline "console=ttyS0" --mem 256M -v
	diag "first start: $(grep -E 'decompressed|uncompressed' "$VMM_ERR" | tr '\n' ' ')"
	expect_grep 'kernel decompressed once' "$VMM_ERR"
	expect_grep 'booting the uncompressed kernel' "$VMM_ERR"
	check "the guest's _text is '$(guest_value text "$VMM_OUT")', expected the link-time ffffffff81000000" \
		test "$(guest_value text "$VMM_OUT")" = ffffffff81000000
	check "the kernel's code is at physical '$(guest_value code "$VMM_OUT")', expected 01000000" \
		test "$(guest_value code "$VMM_OUT")" = 01000000
	n=$(ls "$cache"/vmlinux-* 2>/dev/null | wc -l)
	check "$n uncompressed kernels in $cache, expected 1" test "$n" = 1

	expect_status 0 run_vmm direct2 --kernel "$K" --initrd "$initrd" --cmdline "console=ttyS0" --mem 256M -v
	expect_grep 'booting the uncompressed kernel' "$VMM_ERR"
	expect_no_grep 'decompressed once' "$VMM_ERR"
	check "the guest's _text moved on the second start" test "$(guest_value text "$VMM_OUT")" = ffffffff81000000

	expect_status 0 run_vmm kaslr --kernel "$K" --initrd "$initrd" --cmdline "console=ttyS0" --mem 256M -v --kaslr
	expect_no_grep 'uncompressed kernel' "$VMM_ERR"
	text=$(guest_value text "$VMM_OUT") code=$(guest_value code "$VMM_OUT")
	diag "--kaslr: _text at $text, code at physical $code"
	# Both at their defaults by chance: about 1 in 40000.
	check "--kaslr left the kernel at its link-time addresses" \
		test "$text" != ffffffff81000000 -o "$code" != 01000000
}

# k. a vmlinux ELF as --kernel (the cached one: what a kernel build leaves
#    in its tree, stripped) boots directly at its link-time address; with
#    --kaslr, or a program ELF as the kernel -> 125 naming the problem.
t_vmlinux_elf() {
	initrd=$(guest_initrd_with - elf <<'SCRIPT'
echo "text=$(grep ' _text$' /proc/kallsyms | cut -d' ' -f1)"
echo "nproc=$(nproc)"
SCRIPT
	)
	elf=$(ls "$cache"/vmlinux-* 2>/dev/null | head -n 1)
	if [ -z "$elf" ]; then
		expect_status 0 run_vmm elf0 --kernel "$K" --initrd "$initrd" --cmdline "console=ttyS0" --mem 256M
		elf=$(ls "$cache"/vmlinux-* 2>/dev/null | head -n 1)
	fi
	check "no uncompressed kernel in $cache" test -n "$elf"
	cp "$elf" vmlinux
	expect_status 0 run_vmm elf --kernel vmlinux --initrd "$initrd" --cmdline "console=ttyS0" --cpus 2 --mem 256M -v
	expect_grep 'booting the vmlinux ELF vmlinux directly' "$VMM_ERR"
	expect_no_grep 'decompress' "$VMM_ERR"
	check "the guest's _text is '$(guest_value text "$VMM_OUT")', expected ffffffff81000000" \
		test "$(guest_value text "$VMM_OUT")" = ffffffff81000000
	check "the guest sees '$(guest_value nproc "$VMM_OUT")' CPUs, expected 2" test "$(guest_value nproc "$VMM_OUT")" = 2

	expect_status 125 run_vmm elfkaslr --kernel vmlinux --initrd "$initrd" --kaslr
	expect_grep 'kaslr needs a bzImage' "$VMM_ERR"
	expect_status 125 run_vmm elfprog --kernel /bin/busybox --initrd "$initrd"
	expect_grep 'is not a Linux kernel' "$VMM_ERR"
	rm -f vmlinux
}

# a. 4 vCPUs, 512 MiB: the guest sees 4 CPUs; the run script's end powers off -> 0.
t_cpus4() {
	initrd=$(guest_initrd_with - cpus4 <<'SCRIPT'
echo "nproc=$(nproc)"
echo "cpuinfo=$(grep -c ^processor /proc/cpuinfo)"
SCRIPT
	)
	expect_status 0 run_vmm cpus4 --kernel "$K" --initrd "$initrd" --cmdline "console=ttyS0" --cpus 4 --mem 512M
	expect_grep 'minivmm-guest: init$' "$VMM_OUT"
	expect_grep '^nproc=4$' "$VMM_OUT"
	expect_grep '^cpuinfo=4$' "$VMM_OUT"
	expect_grep '^minivmm-guest: exit status 0$' "$VMM_OUT"
}

# b. 8 vCPUs, 4 GiB (RAM above the 32-bit hole): 8 CPUs, MemTotal > 3.7 GiB.
t_cpus8_4g() {
	initrd=$(guest_initrd_with - cpus8 <<'SCRIPT'
echo "nproc=$(nproc)"
echo "cpuinfo=$(grep -c ^processor /proc/cpuinfo)"
echo "memtotal_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
SCRIPT
	)
	# (A run the test host's nested KVM hangs is retried by run_vmm.)
	VMM_TIMEOUT=150 expect_status 0 run_vmm cpus8 --kernel "$K" --initrd "$initrd" --cmdline "console=ttyS0" \
		--cpus 8 --mem 4G
	expect_grep '^nproc=8$' "$VMM_OUT"
	expect_grep '^cpuinfo=8$' "$VMM_OUT"
	kb=$(guest_value memtotal_kb "$VMM_OUT")
	diag "guest MemTotal: ${kb:-?} kB"
	# 3.7 GiB = 3879731 kB
	check "MemTotal ${kb:-missing} kB is not above 3.7 GiB" test "${kb:-0}" -gt 3879731
}

# c. a guest kernel panic -> 126, seen on the console (pvpanic unloaded
#    first: the console watcher alone must catch it).
t_panic() {
	initrd=$(guest_script panic <<'SCRIPT'
rmmod pvpanic_mmio pvpanic && echo "pvpanic unloaded"
echo "panicking now"
drain_console
echo c >/proc/sysrq-trigger
echo "still alive after sysrq-c"
SCRIPT
	)
	expect_status 126 run_vmm panic --kernel "$K" --initrd "$initrd" --cmdline "console=ttyS0" --cpus 1 --mem 256M
	expect_grep '^pvpanic unloaded' "$VMM_OUT"
	expect_grep '^panicking now' "$VMM_OUT"
	diag "stderr: $(head -n 1 "$VMM_ERR")"
	check "stderr does not quote the panic message" grep -q 'Kernel panic - not syncing: sysrq triggered crash' "$VMM_ERR"
}

# c2. a panic the console does not show (loglevel=0): pvpanic reports it -> 126.
t_panic_pvpanic() {
	initrd=$(guest_script panic2 <<'SCRIPT'
grep -q '^pvpanic_mmio ' /proc/modules && echo "pvpanic loaded"
echo "panicking now"
drain_console
echo c >/proc/sysrq-trigger
echo "still alive after sysrq-c"
SCRIPT
	)
	expect_status 126 run_vmm panic2 --kernel "$K" --initrd "$initrd" --cmdline "console=ttyS0 loglevel=0" \
		--cpus 2 --mem 256M --stats
	expect_grep '^pvpanic loaded' "$VMM_OUT"
	expect_no_grep 'Kernel panic' "$VMM_OUT"
	diag "stderr: $(head -n 1 "$VMM_ERR")"
	check "stderr does not name pvpanic" grep -q 'pvpanic' "$VMM_ERR"
	check "no pvpanic access counted" test "$(stats_field pvpanic "$VMM_ERR")" -gt 0
}

# d. a text file as the kernel -> 125 and a message about bzImage on stderr.
t_not_bzimage() {
	echo "this is a text file, not a Linux bzImage" >not-a-kernel.txt
	expect_status 125 run_vmm notkernel --kernel not-a-kernel.txt --initrd "$GUEST_INITRD" --cmdline "console=ttyS0" --mem 256M
	diag "stderr: $(head -n 3 "$VMM_ERR")"
	check "stderr does not mention bzImage" grep -qi bzimage "$VMM_ERR"
}

# e. the guest reads the host bridge's 4 KiB PCIe config space (ECAM) via sysfs.
t_pcie_config() {
	initrd=$(guest_initrd_with - pcicfg <<'SCRIPT'
ls /sys/bus/pci/devices/
echo "cfgsize=$(wc -c </sys/bus/pci/devices/0000:00:00.0/config)"
SCRIPT
	)
	expect_status 0 run_vmm pcicfg --kernel "$K" --initrd "$initrd" --cmdline "console=ttyS0" --cpus 1 --mem 256M
	expect_grep '^cfgsize= *4096$' "$VMM_OUT"
}

# f. reboot -f in the guest -> 0, without the guest being started again.
t_reboot() {
	initrd=$(guest_initrd_with - reboot <<'SCRIPT'
echo "rebooting now"
reboot -f
sleep 30
echo "still alive after reboot -f"
SCRIPT
	)
	expect_status 0 run_vmm reboot --kernel "$K" --initrd "$initrd" --cmdline "console=ttyS0" --cpus 1 --mem 256M
	expect_grep '^rebooting now' "$VMM_OUT"
	expect_no_grep 'still alive after reboot|minivmm-guest: exit status' "$VMM_OUT"
	n=$(tr -d '\r' <"$VMM_OUT" | grep -c 'minivmm-guest: init$' || true)
	check "the guest booted $n times, expected once" test "$n" = 1
}

# g. SIGTERM to a running minivmm (guest sleeping): exits within 10 s, no core dump.
t_sigterm() {
	initrd=$(guest_initrd_with - sigterm <<'SCRIPT'
echo "sleeping now"
sleep 3600
SCRIPT
	)
	vmm_start_ready '^sleeping now' sigterm --kernel "$K" --initrd "$initrd" --cmdline "console=ttyS0" --cpus 2 --mem 256M
	pid=$VMM_PID
	check "minivmm is not running before SIGTERM" proc_alive "$pid"
	kill -TERM "$pid"
	if ! wait_exit "$pid" 10; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		fail "minivmm still running 10 s after SIGTERM"
		return 1
	fi
	st=0
	wait "$pid" || st=$?
	diag "minivmm status after SIGTERM: $st"
	dump_tail "$VMM_ERR" 5
	# Killed by a core-dumping signal (QUIT ILL TRAP ABRT BUS FPE SEGV XCPU XFSZ SYS)?
	case $st in
	131 | 132 | 133 | 134 | 135 | 136 | 139 | 152 | 153 | 159)
		fail "minivmm died of signal $((st - 128)) (core dump)"
		return 1
		;;
	esac
	check "a core file was left behind" test -z "$(ls core* 2>/dev/null)"
}

# h. the run script's exit status becomes minivmm's status.
t_guest_status() {
	initrd=$(guest_initrd_with - status <<'SCRIPT'
echo "exiting with 7"
exit 7
SCRIPT
	)
	expect_status 7 run_vmm status --kernel "$K" --initrd "$initrd" \
		--cmdline "console=ttyS0 minivmm.status_port=0xf4" --cpus 1 --mem 256M
	expect_grep '^minivmm-guest: exit status 7$' "$VMM_OUT"
}

# i. a custom initramfs reports its status with the static minivmm-exit tool.
t_minivmm_exit() {
	initrd=$(guest_initrd_with - exittool <<'SCRIPT'
minivmm-exit 42
SCRIPT
	)
	expect_status 42 run_vmm exittool --kernel "$K" --initrd "$initrd" --cmdline "console=ttyS0" --cpus 1 --mem 256M
}

subtest "j: direct boot from the kernel cache; --kaslr boots the bzImage way" t_direct
subtest "k: a vmlinux ELF as the kernel boots directly; --kaslr or a program ELF -> 125" t_vmlinux_elf
subtest "a: 4 vCPUs, 512M" t_cpus4
subtest "b: 8 vCPUs, 4G" t_cpus8_4g
subtest "c: guest panic on the console -> 126" t_panic
subtest "c2: guest panic, silent console, pvpanic -> 126" t_panic_pvpanic
subtest "d: text file as kernel -> 125, mentions bzImage" t_not_bzimage
subtest "e: 4 KiB PCIe config space of 00:00.0" t_pcie_config
subtest "f: reboot -f -> 0" t_reboot
subtest "g: SIGTERM -> prompt exit, no core" t_sigterm
subtest "h: guest command status -> exit status" t_guest_status
subtest "i: minivmm-exit 42 in the guest -> 42" t_minivmm_exit
subtests_done
