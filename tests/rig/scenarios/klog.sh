# Kernel-log verdicts: the guest kernel's own bug reports fail a run whose
# command passed (status 1, one line naming the first report and its console
# line), --klog-ignore accepts known ones, and they are in --stats and the
# JUnit file. The reports are real: the rig's test module
# (tests/rig/testmod/klogtest.c, built against Debian's linux-headers for
# the guest kernel) makes the kernel print a WARNING, a soft lockup, an RCU
# stall, a hung task, an unregister_netdevice wait and a list corruption.
# A line written to /dev/kmsg is printed by the kernel exactly like its own
# (same prefix, same console); it counts, which one case shows, next to a
# program's look-alike line on the console, which does not.
# Host: /rig/klogtest.ko (run-all.sh group "klog"); no devices.
# KLOG_DUMP=1 (host.sh --env) prints every guest console as diagnostics.
. /rig/lib.sh
# the stalls here are the test module's: never the nested-KVM class retried
RIG_STALLS_WANTED=1

mkdir -p share
cp /rig/klogtest.ko share/ 2>/dev/null

dump_console() {
	[ -n "${KLOG_DUMP:-}" ] || return 0
	echo "# --- console of $1:"
	tr -d '\r' <"$VMM_OUT" | sed 's/^/#   | /'
}

# expect_verdict TITLE-ERE: minivmm's line names a report titled so, and the
# console line it gives is that report's first line.
expect_verdict() {
	expect_grep "^minivmm: guest kernel reported $1 at console line [0-9]+: " "$VMM_ERR"
	# the guest's verdict, never a minivmm error
	expect_no_grep '^minivmm: error' "$VMM_ERR"
	_ev=$(tr -d '\r' <"$VMM_ERR" | grep 'guest kernel reported' | head -n 1)
	_ev_n=$(echo "$_ev" | sed -n 's/.* at console line \([0-9]*\): .*/\1/p')
	_ev_hdr=$(echo "$_ev" | sed -n 's/.* at console line [0-9]*: \(.*\) (--klog-ignore .*/\1/p')
	_ev_line=$(tr -d '\r' <"$VMM_OUT" | sed -n "${_ev_n}p")
	check "console line $_ev_n is '$_ev_line', not the report's first line '$_ev_hdr'" \
		test -n "$_ev_hdr" -a "$_ev_line" = "$_ev_hdr"
}

# junit_case FILE NAME-ERE KIND: FILE has a testcase NAME whose next line is a <KIND ...>.
junit_case() {
	if ! tr -d '\r' <"$1" | grep -A1 -E "<testcase classname=\"kernel log\" name=\"$2\">" | grep -q "<$3 "; then
		dump_tail "$1" 60
		fail "no <$3> case '$2' in $1"
	fi
}

t_clean() {
	expect_status 0 run_vmm clean --share "$RIG_TMP/share" --stats --json "$RIG_TMP/clean.json" \
		--run 'insmod klogtest.ko mode=none && echo "insmod: ok"'
	dump_console clean
	expect_grep '^insmod: ok' "$VMM_OUT"
	expect_no_grep 'guest kernel reported' "$VMM_ERR"
	check "--stats has no kernel_log.failing 0: $(vmm_stats "$VMM_ERR")" test "$(stats_field failing "$VMM_ERR")" = 0
	json_check clean.json
	expect_grep '"status": 0, "result": "passed", "reason": "' clean.json
	expect_grep '"kernel_log": \{"reports": 0, "failing": 0, "classes": \{\}, "titles": \[\]\}' clean.json
}

t_warn() {
	expect_status 1 run_vmm warn --share "$RIG_TMP/share" --stats --junit "$RIG_TMP/warn.xml" --json "$RIG_TMP/warn.json" \
		--run 'insmod klogtest.ko mode=warn; echo "insmod: $?"'
	dump_console warn
	# the command itself passed
	expect_grep '^insmod: 0' "$VMM_OUT"
	expect_grep 'minivmm-guest: exit status 0' "$VMM_OUT"
	# the kernel's WARN on the console (loglevel=5 shows it) and minivmm's line about it
	expect_grep '^\[ *[0-9]+\.[0-9]+\] WARNING: CPU: [0-9]+ PID: [0-9]+ at .*klogtest\.c:[0-9]+ klogtest_warn\+0x[0-9a-f]+/0x[0-9a-f]+ \[klogtest\]$' "$VMM_OUT"
	expect_verdict 'WARNING in klogtest_warn'
	expect_grep "\(--klog-ignore 'WARNING in klogtest_warn' accepts it\)$" "$VMM_ERR"
	check "more than one 'guest kernel reported' line" test "$(grep -c 'guest kernel reported' "$VMM_ERR")" = 1
	# the report's lines follow it on stderr, up to the end of the trace
	expect_grep '^  \| WARNING: CPU: [0-9]+ PID: [0-9]+ at .*klogtest\.c:[0-9]+ klogtest_warn\+' "$VMM_ERR"
	expect_grep '^  \|  klogtest_init\+0x[0-9a-f]+/0x[0-9a-f]+ \[klogtest\]$' "$VMM_ERR"
	expect_grep '^  \| ---\[ end trace [0-9a-f]+ \]---$' "$VMM_ERR"
	diag "stats: $(vmm_stats "$VMM_ERR")"
	check "--stats kernel_log.failing is not 1" test "$(stats_field failing "$VMM_ERR")" = 1
	check "--stats kernel_log.classes.warning is not 1" test "$(stats_field warning "$VMM_ERR")" = 1
	vmm_stats "$VMM_ERR" >stats.json
	json_check stats.json
	junit_case warn.xml 'WARNING in klogtest_warn' failure
	expect_grep '<failure message="console line [0-9]+: \[ *[0-9.]+\] WARNING: CPU: ' warn.xml
	# the report's lines are the failure text, up to the end of the trace
	expect_grep '^ klogtest_init\+0x[0-9a-f]+/0x[0-9a-f]+ \[klogtest\]$' warn.xml
	expect_grep '^---\[ end trace [0-9a-f]+ \]---$' warn.xml
	# --json: failed, why, and the report with its lines
	json_check warn.json
	expect_grep '"status": 1, "result": "failed", "reason": "guest kernel reported WARNING in klogtest_warn at console line [0-9]+: ' warn.json
	expect_grep '"titles": \[\{"title": "WARNING in klogtest_warn", "class": "warning", "count": 1, "line": [0-9]+, "ignored": false, "header": "\[ *[0-9.]+\] WARNING: CPU: [0-9]+ PID: [0-9]+ at [^"]*klogtest\.c:[0-9]+ klogtest_warn\+0x[0-9a-f]+/0x[0-9a-f]+ \[klogtest\]", "text": "WARNING: CPU: ' warn.json
	expect_grep '\\n klogtest_init\+0x[0-9a-f]+/0x[0-9a-f]+ \[klogtest\]\\n' warn.json
	expect_grep '\\n---\[ end trace [0-9a-f]+ \]---\\n", "truncated": false\}' warn.json
}

t_ignore() {
	expect_status 0 run_vmm ignore --share "$RIG_TMP/share" --stats --junit "$RIG_TMP/ignore.xml" \
		--klog-ignore 'WARNING in klogtest_*' --klog-ignore '*waiting for klogtest0 to become free. Usage count = *' \
		--run 'echo 1 >/proc/sys/net/core/netdev_unregister_timeout_secs
insmod klogtest.ko mode=warn; echo "insmod warn: $?"; rmmod klogtest
insmod klogtest.ko mode=netdev secs=3; echo "insmod netdev: $?"'
	dump_console ignore
	expect_grep '^insmod netdev: 0' "$VMM_OUT"
	expect_grep 'unregister_netdevice: waiting for klogtest0 to become free' "$VMM_OUT"
	expect_no_grep 'guest kernel reported' "$VMM_ERR"
	diag "stats: $(vmm_stats "$VMM_ERR")"
	check "--stats kernel_log.failing is not 0" test "$(stats_field failing "$VMM_ERR")" = 0
	check "--stats kernel_log.classes.warning is not 1" test "$(stats_field warning "$VMM_ERR")" = 1
	# accepted reports are skipped cases, saying which pattern took them
	junit_case ignore.xml 'WARNING in klogtest_warn' skipped
	junit_case ignore.xml 'unregister_netdevice: waiting for klogtest0 to become free' skipped
	expect_grep "<skipped message=\"accepted by --klog-ignore &apos;WARNING in klogtest_\*&apos;; console line [0-9]+: " ignore.xml
	check "a failure in ignore.xml" test "$(grep -c '<failure' ignore.xml)" = 0
}

# One guest, every other kind, each a failed case of its own.
t_many() {
	expect_status 1 run_vmm many --cpus 2 --share "$RIG_TMP/share" --stats --junit "$RIG_TMP/many.xml" --json "$RIG_TMP/many.json" \
		--run 'echo 1 >/proc/sys/kernel/watchdog_thresh
echo 3 >/sys/module/rcupdate/parameters/rcu_cpu_stall_timeout
insmod klogtest.ko mode=lockup secs=8; echo "insmod lockup: $?"; rmmod klogtest
# a hung task report prints its stack at KERN_INFO
echo 7 >/proc/sys/kernel/printk
echo 2 >/proc/sys/kernel/hung_task_timeout_secs
insmod klogtest.ko mode=hang secs=10; echo "insmod hang: $?"; rmmod klogtest
echo 0 >/proc/sys/kernel/hung_task_timeout_secs
echo 1 >/proc/sys/net/core/netdev_unregister_timeout_secs
insmod klogtest.ko mode=netdev secs=4; echo "insmod netdev: $?"; rmmod klogtest
insmod klogtest.ko mode=list; echo "insmod list: $?"
exit 0'
	dump_console many
	expect_grep '^insmod netdev: 0' "$VMM_OUT"
	expect_grep '^insmod list: ' "$VMM_OUT"
	expect_grep 'minivmm-guest: exit status 0' "$VMM_OUT"
	# the soft lockup comes at 2 s, the stall at 3 s: either may be first under TCG
	expect_verdict '(BUG: soft lockup|INFO: rcu detected stall) in klogtest_[a-z_]+'
	expect_grep '^  \| (watchdog: )?BUG: soft lockup - CPU#[0-9]+ stuck for [0-9]+s! |^  \| (rcu: )?INFO: rcu_[a-z]+ (self-)?detected stalls? on CPU' "$VMM_ERR"
	diag "stats: $(vmm_stats "$VMM_ERR")"
	vmm_stats "$VMM_ERR" >stats.json
	json_check stats.json
	for c in soft-lockup rcu-stall hung-task netdev-unregister list-corruption; do
		n=$(stats_field "$c" "$VMM_ERR")
		check "--stats kernel_log.classes.$c is '$n'" test "${n:-0}" -ge 1
	done
	diag "$(grep -E '<testcase classname="kernel log"|<(failure|skipped) message' many.xml)"
	junit_case many.xml 'BUG: soft lockup in klogtest_[a-z_]+' failure
	junit_case many.xml 'INFO: rcu detected stall in klogtest_[a-z_]+' failure
	junit_case many.xml 'INFO: task hung in klogtest_hang' failure
	junit_case many.xml 'unregister_netdevice: waiting for klogtest0 to become free' failure
	junit_case many.xml 'BUG: corrupted list in klogtest_list' failure
	# printed again while the reference is held: one case, counted
	expect_grep '<failure message="[0-9]+ times, the first at console line [0-9]+: \[ *[0-9.]+\] unregister_netdevice: waiting for klogtest0 to become free\. Usage count = [0-9]+">' many.xml
	expect_grep '">list_add corruption\. next-&gt;prev should be prev' many.xml
	expect_grep '^kernel BUG at lib/list_debug\.c:[0-9]+!$' many.xml
	expect_grep "; [0-9]+ more reports\)$" "$VMM_ERR"
	json_check many.json
	expect_grep '"status": 1, "result": "failed", "reason": "guest kernel reported (BUG: soft lockup|INFO: rcu detected stall) in klogtest_' many.json
	expect_grep '\{"title": "BUG: soft lockup in klogtest_[a-z_]+", "class": "soft-lockup", "count": [0-9]+, "line": [0-9]+, "ignored": false, "header": "[^"]*BUG: soft lockup - CPU#[0-9]+ stuck for [0-9]+s! ' many.json
}

# What the console shows: a program's look-alike line is not the kernel's;
# a line in the kernel's log is, whoever wrote it. The command's own status stays.
t_kmsg_and_status() {
	expect_status 3 run_vmm kmsg --share "$RIG_TMP/share" \
		--run 'echo "WARNING: CPU: 0 PID: 1 at drivers/fake.c:1 fake_fn+0x1/0x2"
echo "BUG: this is only a program talking"
echo "<4>WARNING: CPU: 0 PID: 1 at drivers/net/kmsg.c:7 kmsg_fn+0x1/0x2" >/dev/kmsg
exit 3'
	dump_console kmsg
	expect_grep '^WARNING: CPU: 0 PID: 1 at drivers/fake.c:1 fake_fn' "$VMM_OUT"
	expect_grep '^\[ *[0-9.]+\] WARNING: CPU: 0 PID: 1 at drivers/net/kmsg.c:7 kmsg_fn\+0x1/0x2$' "$VMM_OUT"
	expect_verdict 'WARNING in kmsg_fn'
	expect_no_grep 'fake_fn|only a program' "$VMM_ERR"
}

subtest "a clean module load: status 0, no kernel report" t_clean
subtest "a real WARNING with the command passing: status 1, its line, --stats, a failed JUnit case" t_warn
subtest "--klog-ignore by title and by first line: status 0, skipped JUnit cases" t_ignore
subtest "soft lockup, RCU stall, hung task, unregister_netdevice, list corruption: one failed case each" t_many
subtest "a program's WARNING is no report, /dev/kmsg's is; the command's status 3 stays" t_kmsg_and_status
subtests_done
