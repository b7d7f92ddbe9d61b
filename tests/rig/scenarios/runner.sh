# Driver smoke tests from CI: zero-config guest (the host's kernel, modules
# found from the assigned device's modalias), commands and their status,
# timeouts, panics, KTAP -> JUnit, --share, the initramfs cache, doctor
# (with its probe guest on the host's KVM).
# Host devices: one e1000e (run-all.sh group "runner").
. /rig/lib.sh

BDF=$(pci_find 8086:10d3 | head -n 1)
modprobe e1000e 2>/dev/null
sleep 1
HOST_MAC=$(cat /sys/bus/pci/devices/$BDF/net/*/address 2>/dev/null)
diag "e1000e $BDF on $(pci_driver "$BDF"), MAC $HOST_MAC"

t_zero_config() {
	check "no e1000e with a netdev in the host" test -n "$HOST_MAC"
	expect_status 0 run_vmm zc --assign "$BDF" \
		--run 'ls /sys/class/net; cat /sys/class/net/*/address; grep -q "^pvpanic_mmio " /proc/modules && echo pvpanic-loaded'
	expect_grep "^$HOST_MAC\$" "$VMM_OUT"
	expect_grep '^pvpanic-loaded' "$VMM_OUT"
	expect_grep 'eth0' "$VMM_OUT"
	check "device not back on e1000e (now $(pci_driver "$BDF"))" test "$(pci_driver "$BDF")" = e1000e
	sleep 1
	check "host netdev not back" test "$(cat /sys/bus/pci/devices/$BDF/net/*/address)" = "$HOST_MAC"
}

t_exit_status() {
	expect_status 3 run_vmm exit3 --run 'exit 3'
	expect_status 5 run_vmm dashdash -- sh -c 'echo "arg: $0"; exit 5' "it's"
	expect_grep "^arg: it's" "$VMM_OUT"
}

t_timeout() {
	t0=$(uptime_s)
	expect_status 124 run_vmm timeout --timeout 20 --run 'echo sleeping now; sleep 1000'
	secs=$(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN{printf "%d", b-a}')
	check "timeout took ${secs}s, more than a minute" test "$secs" -lt 60
	expect_grep 'timed out' "$VMM_ERR"
	expect_grep 'sleeping now' "$VMM_ERR"
	# where the idle guest's boot CPU was, with the top of its stack
	expect_grep 'vCPU 0: (halted|running), rip 0x[0-9a-f]+ .*, stack( 0x[0-9a-f]+| 0){4}' "$VMM_ERR"
}

t_panic() {
	expect_status 126 run_vmm panic --run 'echo c > /proc/sysrq-trigger'
	expect_grep 'Kernel panic' "$VMM_ERR"
}

t_ktap_junit() {
	cat >ktap.sh <<'KTAP'
echo "KTAP version 1"
echo "1..3"
echo "ok 1 probe"
echo "# reading the link state failed"
echo "not ok 2 link_up"
echo "ok 3 wol # SKIP no wake-on-lan here"
KTAP
	mkdir -p share && cp ktap.sh share/
	expect_status 1 run_vmm ktap --share "$RIG_TMP/share" --junit "$RIG_TMP/junit.xml" --run 'sh ktap.sh'
	expect_grep '1 passed, 1 failed, 1 skipped' "$VMM_ERR"
	check "junit file missing" test -s junit.xml
	diag "$(cat junit.xml)"
	check "junit: not 3 testcases" test "$(grep -c '<testcase' junit.xml)" = 3
	check "junit: not 1 failure" test "$(grep -c '<failure' junit.xml)" = 1
	check "junit: not 1 skipped" test "$(grep -c '<skipped' junit.xml)" = 1
	expect_grep 'reading the link state failed' junit.xml
}

t_share_and_cache() {
	mkdir -p data/sub && echo "hello from the host" >data/sub/greeting
	expect_status 0 run_vmm share1 --share "$RIG_TMP/data" --run 'cat sub/greeting'
	expect_grep '^hello from the host' "$VMM_OUT"
	n1=$(ls ~/.cache/minivmm | wc -l)
	expect_status 0 run_vmm share2 --share "$RIG_TMP/data" --run 'cat sub/greeting'
	n2=$(ls ~/.cache/minivmm | wc -l)
	check "second identical run built another initramfs ($n1 -> $n2)" test "$n1" = "$n2"
}

t_doctor() {
	expect_status 0 "$MINIVMM" doctor "$BDF" >doctor.out 2>&1 || { cat doctor.out; false; }
	rmmod vfio_pci
	st=0
	PATH=/nonexistent "$MINIVMM" doctor "$BDF" >doctor2.out 2>&1 || st=$?
	modprobe vfio-pci
	cat doctor2.out
	check "doctor passed without vfio-pci" test "$st" = 1
	expect_grep 'fix: modprobe vfio-pci' doctor2.out
	# q35's LPC bridge shares an IOMMU group with the AHCI controller.
	modprobe lpc_ich 2>/dev/null || true
	check "00:1f.0 is not on lpc_ich ($(pci_driver 0000:00:1f.0))" test "$(pci_driver 0000:00:1f.0)" = lpc_ich
	st=0
	"$MINIVMM" doctor 0000:00:1f.2 >doctor3.out 2>&1 || st=$?
	cat doctor3.out
	check "doctor passed a non-viable group" test "$st" = 1
	expect_grep '0000:00:1f.0 \(lpc_ich\)' doctor3.out
	"$MINIVMM" doctor --json "$BDF" >doctor.json
	expect_grep '"ok": true}$' doctor.json
}

# Opening /dev/kvm is not enough: doctor runs a probe guest (real mode to
# long mode, descriptor tables, CMPXCHG16B, I/O and MMIO exits, an irqfd
# interrupt); kvm_amd here runs it all (tests/kvm-host.sh checks kvm_pvm).
t_doctor_kvm_guest() {
	st=0
	"$MINIVMM" doctor "$BDF" >doctor-kvm.out 2>&1 || st=$?
	cat doctor-kvm.out
	check "doctor failed (status $st)" test "$st" = 0
	expect_grep '^ok    KVM runs a guest: a probe guest ran all 10 steps, from real mode .* to an interrupt through an irqfd.*; /dev/kvm is kvm_amd, AMD-V$' doctor-kvm.out
	"$MINIVMM" doctor --json "$BDF" >doctor-kvm.json
	expect_grep '\{"check": "KVM runs a guest", "ok": true, "needed": true, "detail": "a probe guest ran all 10 steps' doctor-kvm.json
}

subtest "zero-config: host kernel, e1000e module found from the modalias" t_zero_config
subtest "--run 'exit 3' -> 3, -- CMD ARGS -> 5" t_exit_status
subtest "--timeout 20 -> 124 within a minute" t_timeout
subtest "guest panic -> 126" t_panic
subtest "KTAP: one failure, one skip -> JUnit, status 1" t_ktap_junit
subtest "--share and the initramfs cache" t_share_and_cache
subtest "doctor" t_doctor
subtest "doctor: KVM runs a guest (the probe passes on kvm_amd)" t_doctor_kvm_guest
subtests_done
