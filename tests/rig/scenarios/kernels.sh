# Distribution kernels (--kernel-package): Debian 12's 6.1, 6.12 and 6.1
# PREEMPT_RT kernels in ONE run, each booting with the assigned e1000e and
# pinging the host (table, JUnit, one unpack per package, the cache on a
# second run); packages that cannot boot, each named with its fix, beside
# an Ubuntu-style image + modules split that boots; a Fedora-style
# kernel-core + kernel-modules RPM pair that boots beside RPMs that
# cannot (aarch64, source, truncated); SIGTERM mid-run.
# Host devices: two e1000e, the first assigned, the second the host's
# network peer; the packages come from tests/rig/kernel-pkgs.sh
# (run-all.sh group "kernels").
. /rig/lib.sh

BDF=$(pci_find 8086:10d3 | head -n 1)
PEER=$(pci_find 8086:10d3 | sed -n 2p)
modprobe e1000e 2>/dev/null
sleep 1
PEER_IF=$(peer_up "$PEER")
diag "assigned e1000e $BDF on $(pci_driver "$BDF"); peer $PEER is $PEER_IF"
# Unpacking three kernels under TCG takes minutes (measured: 260 s of a 295 s run).
VMM_TIMEOUT=900
CACHE=$HOME/.cache/minivmm

# The guest's test: what kernel it is, then KTAP over the link and 10 pings.
mkdir -p share
cp /rig/guest-lib.sh share/
cat >share/t.sh <<'GUEST'
. ./guest-lib.sh
echo "uname=$(uname -r)"
echo "realtime=$(cat /sys/kernel/realtime 2>/dev/null || echo 0)"
echo "KTAP version 1"
echo "1..2"
if net_up; then echo "ok 1 link_up"; else echo "not ok 1 link_up"; fi
if ping_peer 10; then echo "ok 2 ping"; else echo "not ok 2 ping"; fi
GUEST

# re VERSION: VERSION as an extended regexp (versions hold '.' and '+').
re() { printf '%s' "$1" | sed 's/[.+()*]/\\&/g'; }

# expect_row KERNEL STATUS PASSED FAILED: KERNEL's line in the table of
# $VMM_ERR (skipped: 0, or - with the others).
expect_row() {
	_er_skip=0
	[ "$3" = - ] && _er_skip=-
	expect_grep "^  $(re "$1") +$(re "$2") +(-|[0-9]+\.[0-9]s) +$3 +$4 +$_er_skip\$" "$VMM_ERR"
}

t_three_kernels() {
	expect_status 0 run_vmm three --kernel-package "$RIG_KPKG_61" --kernel-package "$RIG_KPKG_612" \
		--kernel-package "$RIG_KPKG_RT" --assign "$BDF" --share "$RIG_TMP/share" --timeout 300 \
		--junit "$RIG_TMP/three.xml" --json "$RIG_TMP/three.json" -- sh t.sh
	diag "$(tr -d '\r' <"$VMM_ERR" | grep -E '^minivmm: (unpacking|indexing|kernel [0-9])|^  ')"
	# Each package unpacked once, each kernel booted once, in the order given.
	check "not 3 packages unpacked" test "$(grep -c '^minivmm: unpacking ' "$VMM_ERR")" = 3
	expect_grep "^minivmm: kernel 1 of 3: $(re "$RIG_KVER_61") " "$VMM_ERR"
	expect_grep "^minivmm: kernel 2 of 3: $(re "$RIG_KVER_612") " "$VMM_ERR"
	expect_grep "^minivmm: kernel 3 of 3: $(re "$RIG_KVER_RT") " "$VMM_ERR"
	# The guests ran the kernels they were given; the RT one is PREEMPT_RT.
	expect_grep "^uname=$(re "$RIG_KVER_61")\$" "$VMM_OUT"
	expect_grep "^uname=$(re "$RIG_KVER_612")\$" "$VMM_OUT"
	expect_grep "^uname=$(re "$RIG_KVER_RT")\$" "$VMM_OUT"
	check "the RT kernel's guest has no /sys/kernel/realtime = 1" \
		test "$(tr -d '\r' <"$VMM_OUT" | sed -n "/^uname=$(re "$RIG_KVER_RT")\$/{n;p}")" = realtime=1
	check "not 3 guests with 10 of 10 pings" \
		test "$(tr -d '\r' <"$VMM_OUT" | grep -c '^ping_received=10 of 10$')" = 3
	# The table.
	expect_grep '^minivmm: 3 kernels:$' "$VMM_ERR"
	expect_row "$RIG_KVER_61" "passed (0)" 2 0
	expect_row "$RIG_KVER_612" "passed (0)" 2 0
	expect_row "$RIG_KVER_RT" "passed (0)" 2 0
	# JUnit: one suite per kernel, each with the run and the two KTAP cases.
	diag "$(head -c 600 three.xml)"
	check "junit: not 3 testsuites" test "$(grep -c '<testsuite ' three.xml)" = 3
	expect_grep '^<testsuites name="minivmm" tests="9" failures="0" errors="0" skipped="0"' three.xml
	for v in "$RIG_KVER_61" "$RIG_KVER_612" "$RIG_KVER_RT"; do
		expect_grep "^  <testsuite name=\"$(re "$v")\" tests=\"3\" failures=\"0\" errors=\"0\"" three.xml
		expect_grep "<testcase classname=\"$(re "$v")\" name=\"ping\"/>" three.xml
	done
	# --json: a summary line per kernel, in order.
	json_check three.json
	check "--json: $(grep -c . three.json) lines, not 3" test "$(grep -c . three.json)" = 3
	n=1
	for v in "$RIG_KVER_61" "$RIG_KVER_612" "$RIG_KVER_RT"; do
		line=$(sed -n "${n}p" three.json)
		echo "$line" | grep -Eq "\"release\": \"$(re "$v")\"" || fail "--json line $n is not $v's: $line"
		echo "$line" | grep -q '"status": 0, "result": "passed"' || fail "--json line $n: not passed: $line"
		echo "$line" | grep -q '"tests": {"passed": 2, "failed": 0' || fail "--json line $n: not 2 tests passed"
		echo "$line" | grep -q "\"devices\": \[{\"bdf\": \"$BDF\"" || fail "--json line $n: no $BDF"
		n=$((n + 1))
	done
	check "$BDF not back on e1000e ($(pci_driver "$BDF"))" test "$(pci_driver "$BDF")" = e1000e
}

t_cached() {
	n1=$(ls -d "$CACHE"/kpkg-* | wc -l)
	expect_status 0 run_vmm again --kernel-package "$RIG_KPKG_RT" --assign "$BDF" --share "$RIG_TMP/share" \
		--timeout 300 -- sh t.sh
	expect_no_grep '^minivmm: (unpacking|indexing)' "$VMM_ERR"
	expect_row "$RIG_KVER_RT" "passed (0)" 2 0
	n2=$(ls -d "$CACHE"/kpkg-* | wc -l)
	check "the second run unpacked again ($n1 -> $n2 trees)" test "$n1" = "$n2"
}

t_refused() {
	# In command-line order: refused packages and a bootable Ubuntu-style pair.
	expect_status 125 run_vmm refused --kernel-package "$RIG_KPKG_HELLO" --kernel-package "$RIG_KPKG_ARM64" \
		--kernel-package "$RIG_KPKG_META" --kernel-package "$RIG_KPKG_TRUNCATED" \
		--kernel-package "$RIG_KPKG_NODRV" --kernel-package /rig/debs/missing.deb \
		--kernel-package "$RIG_KPKG_SPLIT_IMAGE,$RIG_KPKG_SPLIT_MODULES" \
		--assign "$BDF" --share "$RIG_TMP/share" --timeout 300 --junit "$RIG_TMP/refused.xml" -- sh t.sh
	diag "$(tr -d '\r' <"$VMM_ERR" | grep -E '^minivmm: (error|not booted)|^  ')"
	expect_grep '^minivmm: error: hello\.deb: hello-minivmm is not a kernel package .*: pass a linux-image-\* package$' "$VMM_ERR"
	expect_grep '^minivmm: error: arm64\.deb: linux-image-6\.1\.0-57-arm64 is built for arm64, KVM here runs amd64 guests: use the amd64 package' "$VMM_ERR"
	expect_grep "^minivmm: error: linux-image-amd64_.*: linux-image-amd64 is a meta-package without a kernel, it depends on $(re "linux-image-$RIG_KVER_61"): pass that one" "$VMM_ERR"
	expect_grep '^minivmm: error: truncated\.deb is truncated \(a member runs past the end of the file\): download it again$' "$VMM_ERR"
	expect_grep "^minivmm: error: kernel 6\.1\.0-rig-nodrv has no driver for $BDF, which the host drives with e1000e: add the package that holds e1000e\.ko" "$VMM_ERR"
	expect_grep '^minivmm: error: --kernel-package /rig/debs/missing\.deb: No such file or directory' "$VMM_ERR"
	for f in hello.deb arm64.deb truncated.deb missing.deb 6.1.0-rig-nodrv; do
		expect_row "$f" "not booted (125)" - -
	done
	expect_grep "^  linux-image-amd64_.* +not booted \(125\) " "$VMM_ERR"
	# The split pair: grouped by version, merged, depmod'ed, boots and pings.
	expect_grep "^minivmm: kernel 1 of 1: $(re "$RIG_KVER_SPLIT") \(split-image\.deb,split-modules\.deb\)\$" "$VMM_ERR"
	expect_row "$RIG_KVER_SPLIT" "passed (0)" 2 0
	expect_grep '^ping_received=10 of 10$' "$VMM_OUT"
	check "junit: not 7 testsuites" test "$(grep -c '<testsuite ' refused.xml)" = 7
	expect_grep '^<testsuites name="minivmm" tests="9" failures="0" errors="6" skipped="0"' refused.xml
	expect_grep '<error message="not booted: arm64\.deb: linux-image-6\.1\.0-57-arm64 is built for arm64' refused.xml
	check "$BDF not back on e1000e ($(pci_driver "$BDF"))" test "$(pci_driver "$BDF")" = e1000e
}

t_rpm() {
	# RPMs in Fedora's layout (kernel-pkgs.sh builds them with rpmbuild): three refused, one pair boots.
	expect_status 125 run_vmm rpm --kernel-package "$RIG_KPKG_RPM_ARM64" --kernel-package "$RIG_KPKG_RPM_SRPM" \
		--kernel-package "$RIG_KPKG_RPM_TRUNCATED" --kernel-package "$RIG_KPKG_RPM_CORE,$RIG_KPKG_RPM_MODULES" \
		--assign "$BDF" --share "$RIG_TMP/share" --timeout 300 --junit "$RIG_TMP/rpm.xml" -- sh t.sh
	diag "$(tr -d '\r' <"$VMM_ERR" | grep -E '^minivmm: (error|not booted|unpacking|kernel [0-9])|^  ')"
	expect_grep '^minivmm: error: kernel-core-aarch64\.rpm: kernel-core is built for aarch64, KVM here runs x86_64 guests: use the x86_64 package \(dnf download --arch x86_64 kernel-core\)$' "$VMM_ERR"
	expect_grep '^minivmm: error: kernel-core\.src\.rpm is a source RPM \(of kernel-core\), not a built kernel: pass the binary kernel-core-\*\.rpm \(rpmbuild --rebuild kernel-core\.src\.rpm builds it\)$' "$VMM_ERR"
	expect_grep '^minivmm: error: truncated\.rpm is truncated \(shorter than its signature says\): download it again$' "$VMM_ERR"
	for f in kernel-core-aarch64.rpm kernel-core.src.rpm truncated.rpm; do
		expect_row "$f" "not booted (125)" - -
	done
	# The pair: unpacked once each (its own tree, not the .deb's), depmod'ed, boots with the .ko.xz e1000e and pings.
	expect_grep '^minivmm: unpacking kernel-core\.rpm ' "$VMM_ERR"
	expect_grep '^minivmm: unpacking kernel-modules\.rpm ' "$VMM_ERR"
	expect_grep "^minivmm: kernel 1 of 1: $(re "$RIG_KVER_SPLIT") \(kernel-core\.rpm,kernel-modules\.rpm\)\$" "$VMM_ERR"
	expect_row "$RIG_KVER_SPLIT" "passed (0)" 2 0
	expect_grep "^uname=$(re "$RIG_KVER_SPLIT")\$" "$VMM_OUT"
	expect_grep '^ping_received=10 of 10$' "$VMM_OUT"
	check "junit: not 4 testsuites" test "$(grep -c '<testsuite ' rpm.xml)" = 4
	check "$BDF not back on e1000e ($(pci_driver "$BDF"))" test "$(pci_driver "$BDF")" = e1000e
}

t_sigterm() {
	cat >share/sleep.sh <<'GUEST'
echo "sleeping now"
sleep 1000
GUEST
	vmm_start_ready '^sleeping now' sigterm --kernel-package "$RIG_KPKG_61" --kernel-package "$RIG_KPKG_RT" \
		--assign "$BDF" --share "$RIG_TMP/share" -- sh sleep.sh
	kill -TERM "$VMM_PID"
	wait_exit "$VMM_PID" 30 || { vmm_stop "$VMM_PID"; fail "minivmm did not stop within 30 s of SIGTERM"; }
	st=0
	wait "$VMM_PID" || st=$?
	diag "$(tr -d '\r' <"$VMM_ERR" | grep -E '^minivmm: |^  ' | tail -n 8)"
	check "status $st after SIGTERM, expected 143" test "$st" = 143
	expect_row "$RIG_KVER_61" "signal 15 (143)" - -
	expect_row "$RIG_KVER_RT" "not booted (143)" - -
	expect_grep "^minivmm: $(re "$RIG_KVER_RT"): not run: minivmm was stopped by signal 15\$" "$VMM_ERR"
	expect_no_grep "kernel 2 of 2" "$VMM_ERR"
	sleep 1
	check "$BDF not back on e1000e ($(pci_driver "$BDF"))" test "$(pci_driver "$BDF")" = e1000e
}

subtest "6.1, 6.12 and 6.1-rt in one run: each pings with the assigned e1000e; table, JUnit" t_three_kernels
subtest "a second run finds the unpacked kernel in the cache" t_cached
subtest "packages that cannot boot: one line each with the fix; an Ubuntu-style split boots" t_refused
subtest "Fedora-style RPMs: kernel-core + kernel-modules boots and pings; aarch64, source, truncated refused" t_rpm
subtest "SIGTERM mid-run: passed on to the running kernel, the rest not run, 143" t_sigterm
subtests_done
