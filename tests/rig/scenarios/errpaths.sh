# Driver error paths through the control socket (issue 13): hot-unplug and
# replug of an e1000e under ping (held on vfio-pci, then handed back to the
# host's e1000e and taken again) and of an nvme under O_DIRECT I/O;
# surprise removal of an nvme; a dropped MSI-X interrupt on an nvme I/O
# queue; spurious MSI-X interrupts on an e1000e; dropped and spurious INTx
# assertions on an e1000e forced to INTx; --trace of e1000e BAR0
# during link-up, and a trace added at run time.
# Host devices (run-all.sh group "errpaths"): --device e1000e --device e1000e
# (the second is the host's peer at 169.254.0.1/16), an nvme on a 64 MiB disk.
. /rig/lib.sh

K=$GUEST_KERNEL
CMDLINE="console=ttyS0 quiet minivmm.status_port=0xf4"
: "${VMM_TIMEOUT:=300}"
SOCK=$RIG_TMP/ctl.sock

find_devices

# In the guest: nvme up with I/O timeouts of 5 s, /tmp/nv a private node of
# its namespace (a node whose device is gone fails with ENXIO instead of
# turning into a regular file in /dev, as dd of=/dev/nvme0n1 would).
NV_LIB='
nvme_up() {
	modprobe nvme_core io_timeout=5 || return 1
	modprobe nvme || return 1
	nvme_node
}
nvme_node() {
	for i in $(seq 300); do [ -b /dev/nvme0n1 ] && break; usleep 100000; done
	[ -b /dev/nvme0n1 ] || { echo "guest: no /dev/nvme0n1"; return 1; }
	# made beside and renamed over: an I/O loop still running may have
	# left a regular file there, or make one between an rm and a mknod
	rm -f /tmp/nv.new
	mknod /tmp/nv.new b $(tr ":" " " </sys/block/nvme0n1/dev) && mv -f /tmp/nv.new /tmp/nv
}
# gone|back: wait up to 2 minutes for 00:01.0 to leave or come back.
wait_dev() {
	for i in $(seq 1200); do
		if [ "$1" = gone ]; then [ -e $dev ] || return 0; else [ -e $dev ] && return 0; fi
		usleep 100000
	done
	echo "guest: 00:01.0 not $1 after 120 s"
	return 1
}
'

# wait_guest PATTERN [SECS]: the guest printed PATTERN (minivmm still runs).
wait_guest() {
	wait_for "$1" "$VMM_OUT" "${2:-180}" "$VMM_PID"
}

# finish NAME: wait for minivmm to end (up to 3 minutes), expect status 0.
finish() {
	if ! wait_exit "$VMM_PID" 180; then
		vmm_stop "$VMM_PID"
		dump_tail "$VMM_ERR" 15
		dump_tail "$VMM_OUT" 40
		fail "minivmm still runs 3 minutes after $1"
		return 1
	fi
	_fs=0
	wait "$VMM_PID" || _fs=$?
	VMM_STATUS=$_fs
	if [ "$_fs" != 0 ]; then
		dump_tail "$VMM_ERR" 15
		dump_tail "$VMM_OUT" 25
	fi
	check "minivmm exited with $_fs after $1" test "$_fs" = 0
	expect_no_grep 'minivmm error' "$VMM_ERR"
}

# 1. e1000e unplugged under ping and plugged again, twice: first held on
#    vfio-pci, then handed back to the host's e1000e (release=true) and
#    taken again. The guest's driver is removed and probes the function
#    again each time; traffic resumes; the events are in the exit summary
#    and the JUnit properties; the device is the host's again at exit.
t_unplug_nic() {
	[ -n "$NIC" ] && [ -n "$PEER_IF" ] || fail "no e1000e pair in the host"
	initrd=$( (echo "$NV_LIB"; cat <<'SCRIPT'
modprobe e1000e || exit 10
net_up || exit 11
ping_peer 10 _before || exit 12
for round in 1 2; do
	ping -i 0.2 169.254.0.1 >/tmp/ping$round 2>&1 &
	p=$!
	echo "ready-unplug-$round"
	wait_dev gone || exit 13
	kill $p
	echo "gone-$round netdevs=$(ls /sys/class/net | tr '\n' ' ')"
	wait_dev back || exit 14
	net_up || exit 15
	echo "back-$round driver=$(basename "$(readlink $dev/driver)")"
	ping_peer 20 _after$round || exit 16
done
SCRIPT
	) | guest_script unplug-nic)
	vmm_start_ready '^ready-unplug-1' unplug-nic --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 512M --assign "$NIC" --control "$SOCK" --stats --junit "$RIG_TMP/unplug-nic.xml" \
		--json "$RIG_TMP/unplug-nic.json"
	ctl_expect 0 un1.json --timeout 180 --wait-event unplugged "$SOCK" unplug "$NIC"
	expect_grep '^\{"ok": true, "bdf": "'"$NIC"'", "state": "removing"\}' un1.json
	expect_grep '^\{"event": "unplugged", "time_ms": [0-9]+, "what": "'"$NIC"'"\}' un1.json
	check "$NIC is $(pci_driver "$NIC") while unplugged, not held on vfio-pci" test "$(pci_driver "$NIC")" = vfio-pci
	ctl_expect 0 st1.json "$SOCK" status
	expect_grep '"hotplug": "unplugged"' st1.json
	wait_guest '^gone-1'
	ctl_expect 1 again.json "$SOCK" unplug "$NIC"
	expect_grep 'is unplugged: plug it first' again.json
	ctl_expect 0 plug1.json "$SOCK" plug "$NIC"
	expect_grep '"state": "present"' plug1.json
	wait_guest '^ready-unplug-2'

	ctl_expect 0 un2.json --timeout 180 --wait-event unplugged "$SOCK" unplug "$NIC" release=true
	expect_grep '"what": "'"$NIC"' \(back to its host driver\)"' un2.json
	check "$NIC is $(pci_driver "$NIC") after unplug release=true, not e1000e" test "$(pci_driver "$NIC")" = e1000e
	hostif=$(pci_netdev "$NIC" 10) || fail "no host netdev for $NIC while it is the host's"
	diag "host netdev of $NIC while released: $hostif"
	wait_guest '^gone-2'
	ctl_expect 0 plug2.json "$SOCK" plug "$NIC"
	finish "two unplug/plug rounds"
	for r in 1 2; do
		expect_grep "^back-$r driver=e1000e" "$VMM_OUT"
		expect_grep "^ping_received_after$r=20 of 20\$" "$VMM_OUT"
	done
	expect_grep '^gone-1 netdevs=lo $' "$VMM_OUT"
	expect_grep 'minivmm: injected at [0-9]+\.[0-9]{3} s: unplug '"$NIC"': removal requested$' "$VMM_ERR"
	expect_grep 'minivmm: injected at [0-9]+\.[0-9]{3} s: unplugged '"$NIC"' \(back to its host driver\)$' "$VMM_ERR"
	expect_grep 'minivmm: injected at [0-9]+\.[0-9]{3} s: plug '"$NIC"'$' "$VMM_ERR"
	expect_grep '<property name="event.1" value="at [0-9]+\.[0-9]{3} s: unplug '"$NIC"': removal requested"/>' \
		"$RIG_TMP/unplug-nic.xml"
	expect_grep '<property name="seed" value="[0-9]+"/>' "$RIG_TMP/unplug-nic.xml"
	json_check "$RIG_TMP/unplug-nic.json"
	expect_grep '"status": 0, "result": "passed"' "$RIG_TMP/unplug-nic.json"
	expect_grep '"events": \[\{"time_ms": [0-9]+, "kind": "unplug", "what": "'"$NIC"': removal requested"\}' \
		"$RIG_TMP/unplug-nic.json"
	check "$NIC is $(pci_driver "$NIC") after exit, not e1000e" test "$(pci_driver "$NIC")" = e1000e
}

# 2. nvme unplugged and plugged under raw O_DIRECT I/O (no file system):
#    I/O fails while it is gone, resumes when it is back, and data written
#    afterwards reads back the same.
t_unplug_nvme() {
	[ -n "$NVME" ] || fail "no nvme in the host"
	initrd=$( (echo "$NV_LIB"; cat <<'SCRIPT'
nvme_up || exit 10
dd if=/dev/urandom of=/tmp/a bs=4k count=64 2>/dev/null
cat >/tmp/io.sh <<'W'
ok=0 err=0
while [ ! -e /tmp/stop ]; do
	if dd if=/tmp/a of=/tmp/nv bs=4k count=64 oflag=direct conv=notrunc 2>/dev/null &&
		dd if=/tmp/nv of=/dev/null bs=4k count=64 iflag=direct 2>/dev/null; then
		ok=$((ok + 1))
	else
		err=$((err + 1))
	fi
	echo "$ok $err" >/tmp/io.new && mv /tmp/io.new /tmp/io
	usleep 20000
done
W
sh /tmp/io.sh &
sleep 3
echo "io_before=$(cat /tmp/io)"
echo ready-nvme
wait_dev gone || exit 11
sleep 2
echo "io_gone=$(cat /tmp/io)"
wait_dev back || exit 12
nvme_node || exit 13
sleep 3
touch /tmp/stop
wait
echo "io_end=$(cat /tmp/io)"
dd if=/dev/urandom of=/tmp/b bs=4k count=1024 2>/dev/null
dd if=/tmp/b of=/tmp/nv bs=4k oflag=direct conv=notrunc 2>/dev/null || { echo "guest: write after replug failed"; exit 14; }
dd if=/tmp/nv of=/tmp/c bs=4k count=1024 iflag=direct 2>/dev/null || { echo "guest: read after replug failed"; exit 15; }
[ "$(sha256sum </tmp/b)" = "$(sha256sum </tmp/c)" ] && echo direct_ok=1
SCRIPT
	) | guest_script unplug-nvme)
	vmm_start_ready '^ready-nvme' unplug-nvme --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 512M --assign "$NVME" --control "$SOCK" --stats
	ctl_expect 0 un.json --timeout 180 --wait-event unplugged "$SOCK" unplug "$NVME"
	wait_guest '^io_gone='
	ctl_expect 0 plug.json "$SOCK" plug "$NVME"
	finish "nvme unplug/plug"
	tr -d '\r' <"$VMM_OUT" | grep '^io_' | sed 's/^/# guest: /'
	before=$(tr -d '\r' <"$VMM_OUT" | sed -n 's/^io_before=\([0-9]*\) .*/\1/p')
	gone_ok=$(tr -d '\r' <"$VMM_OUT" | sed -n 's/^io_gone=\([0-9]*\) .*/\1/p')
	gone_err=$(tr -d '\r' <"$VMM_OUT" | sed -n 's/^io_gone=[0-9]* \([0-9]*\)$/\1/p')
	end_ok=$(tr -d '\r' <"$VMM_OUT" | sed -n 's/^io_end=\([0-9]*\) .*/\1/p')
	check "no I/O before the unplug (${before:-none})" test "${before:-0}" -gt 0
	check "no I/O error while the nvme was gone (${gone_err:-none})" test "${gone_err:-0}" -gt 0
	check "I/O did not resume after the replug (${gone_ok:-?} then ${end_ok:-?})" test "${end_ok:-0}" -gt "${gone_ok:-0}"
	expect_grep '^direct_ok=1$' "$VMM_OUT"
	check "$NVME is $(pci_driver "$NVME") after exit, not nvme" test "$(pci_driver "$NVME")" = nvme
}

# 3. Surprise removal of an nvme under I/O: all-ones everywhere, no
#    interrupts. The guest's timeout handler finds the controller dead
#    (CSTS all-ones) and gives it up; then the slot reports presence lost
#    and the guest removes the function. minivmm runs on and ends normally.
t_surprise_nvme() {
	[ -n "$NVME" ] || fail "no nvme in the host"
	initrd=$( (echo "$NV_LIB"; cat <<'SCRIPT'
nvme_up || exit 10
( while :; do dd if=/tmp/nv of=/dev/null bs=4k count=16 iflag=direct 2>/dev/null; usleep 50000; done ) &
r=$!
sleep 2
echo ready-surprise
for i in $(seq 1200); do dmesg | grep -q 'controller is down' && break; usleep 100000; done
dmesg | grep -m 1 'controller is down' | sed 's/^/dead: /'
echo dead-seen
wait_dev gone || exit 11
echo removed=yes
kill $r
dmesg | grep nvme | tail -n 8 | sed 's/^/nvme-log: /'
SCRIPT
	) | guest_script surprise)
	vmm_start_ready '^ready-surprise' surprise --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 512M --assign "$NVME" --control "$SOCK" --stats
	ctl_expect 0 sur.json "$SOCK" surprise "$NVME"
	expect_grep '"state": "gone"' sur.json
	ctl_expect 0 st.json "$SOCK" status
	expect_grep '"hotplug": "gone"' st.json
	wait_guest '^dead-seen'
	ctl_expect 0 lost.json "$SOCK" surprise "$NVME" presence_lost=true
	finish "surprise removal"
	tr -d '\r' <"$VMM_OUT" | grep '^nvme-log: ' | sed 's/^/# guest: /'
	expect_grep '^dead: .*nvme nvme0: controller is down; will reset: CSTS=0xffffffff' "$VMM_OUT"
	expect_grep '^removed=yes' "$VMM_OUT"
	expect_grep 'minivmm: injected at [0-9.]+ s: surprise-removal '"$NVME"'$' "$VMM_ERR"
	expect_grep 'minivmm: injected at [0-9.]+ s: presence-lost '"$NVME"'$' "$VMM_ERR"
	check "$NVME is $(pci_driver "$NVME") after exit, not nvme" test "$(pci_driver "$NVME")" = nvme
}

# 4. The next interrupt of the nvme's I/O queue (1 vCPU: queue 1, MSI-X
#    vector 1) is swallowed: the guest's timeout handler polls the queue,
#    finds the completion, and the I/O succeeds; data round-trips.
t_drop_msi_nvme() {
	[ -n "$NVME" ] || fail "no nvme in the host"
	initrd=$( (echo "$NV_LIB"; cat <<'SCRIPT'
nvme_up || exit 10
grep nvme0q /proc/interrupts | sed 's/^/irq: /'
dd if=/dev/urandom of=/tmp/a bs=4k count=16 2>/dev/null
echo ready-drop
sleep 8
t0=$(cut -d' ' -f1 /proc/uptime)
dd if=/tmp/a of=/tmp/nv bs=4k count=16 oflag=direct conv=notrunc 2>/tmp/e && echo write_ok=1
t1=$(cut -d' ' -f1 /proc/uptime)
echo "io_secs=$(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.1f", b - a }')"
dmesg | grep -m 1 'timeout, completion polled' | sed 's/^/polled: /'
dd if=/tmp/nv of=/tmp/b bs=4k count=16 iflag=direct 2>/dev/null
[ "$(sha256sum </tmp/a)" = "$(sha256sum </tmp/b)" ] && echo roundtrip_ok=1
SCRIPT
	) | guest_script drop-msi)
	vmm_start_ready '^ready-drop' drop-msi --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 1 --mem 512M --assign "$NVME" --control "$SOCK" --stats
	ctl_expect 0 drop.json "$SOCK" drop-msi "$NVME" 1 1
	expect_grep '^\{"ok": true, "bdf": "'"$NVME"'", "count": 1, "probability": 0\}' drop.json
	finish "drop-msi"
	tr -d '\r' <"$VMM_OUT" | grep -E '^(irq|io_secs|polled)' | sed 's/^/# guest: /'
	expect_grep '^polled: .*nvme nvme0: I/O .*QID 1 timeout, completion polled' "$VMM_OUT"
	expect_grep '^write_ok=1$' "$VMM_OUT"
	expect_grep '^roundtrip_ok=1$' "$VMM_OUT"
	dropped=$(dev_counter "$NVME" faults_dropped)
	check "--stats counts ${dropped:-no} dropped interrupts, expected 1" test "${dropped:-0}" = 1
	expect_grep 'minivmm: injected at [0-9.]+ s: drop-msi '"$NVME"' vector 1: next 1 interrupts' "$VMM_ERR"
}

# 5. Spurious MSI-X interrupts on the e1000e's receive vector: the guest
#    counts them in /proc/interrupts and its traffic still flows. With it,
#    a trace of the STATUS register added at run time: only that page of
#    BAR0 traps, and the driver's watchdog reads show in the trace.
t_spurious_nic() {
	[ -n "$NIC" ] && [ -n "$PEER_IF" ] || fail "no e1000e pair in the host"
	initrd=$(guest_script spurious <<'SCRIPT'
modprobe e1000e || exit 10
net_up || exit 11
rx() { grep "$IF-rx-0" /proc/interrupts | awk '{ s = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print s }'; }
echo "rx_before=$(rx)"
echo ready-spurious
sleep 15
echo "rx_after=$(rx)"
ping_peer 20 || exit 12
SCRIPT
	)
	vmm_start_ready '^ready-spurious' spurious --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 512M --assign "$NIC" --control "$SOCK" --stats --trace-file "$RIG_TMP/rt.trace"
	ctl_expect 0 sp.json "$SOCK" spurious-msi "$NIC" 0 200
	expect_grep '"count": 200' sp.json
	ctl_expect 0 tr.json "$SOCK" trace "$NIC:bar0:0x8+4"
	finish "spurious-msi"
	b=$(tr -d '\r' <"$VMM_OUT" | sed -n 's/^rx_before=//p')
	a=$(tr -d '\r' <"$VMM_OUT" | sed -n 's/^rx_after=//p')
	diag "guest eth0-rx-0 interrupts: ${b:-?} before, ${a:-?} after 200 spurious"
	check "the guest counted $((${a:-0} - ${b:-0})) of 200 spurious interrupts, expected at least 100" \
		test $((${a:-0} - ${b:-0})) -ge 100
	expect_grep '^ping_received=20 of 20$' "$VMM_OUT"
	sp=$(dev_counter "$NIC" faults_spurious)
	check "--stats counts ${sp:-no} spurious interrupts, expected 200" test "${sp:-0}" = 200
	n=$(grep -c " $NIC bar0 0x0008 4 R 0x" "$RIG_TMP/rt.trace" || true)
	check "the run-time trace holds $n STATUS reads" test "$n" -gt 0
	expect_grep "\"$NIC\": \{\"bar0\": \{\"size\": 131072, \"trapped\": \[\"0x0\+0x1000\"\]" "$VMM_ERR"
}

# 5b. INTx faults on an e1000e forced to INTx: the next 3 assertions are
#    swallowed (minivmm unmasks the line in VFIO, so the still-pending
#    device asserts again), then 50 assertions with no device event behind
#    them: the guest counts them on its IO-APIC line and its handler finds
#    nothing to do; traffic passes throughout.
t_intx_faults_nic() {
	[ -n "$NIC" ] && [ -n "$PEER_IF" ] || fail "no e1000e pair in the host"
	initrd=$(guest_script intx-faults <<'SCRIPT'
modprobe e1000e || exit 10
net_up || exit 11
line() { grep "IO-APIC.* $IF\$" /proc/interrupts | awk '{ s = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print s }'; }
echo "intx_before=$(line)"
echo ready-intx
sleep 10
echo "intx_after=$(line)"
ping_peer 20 || exit 12
SCRIPT
	)
	vmm_start_ready '^ready-intx' intx-faults --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 512M --assign "$NIC,irq=intx" --control "$SOCK" --stats
	ctl_expect 0 di.json "$SOCK" drop-intx "$NIC" 3
	ctl_expect 0 si.json "$SOCK" spurious-intx "$NIC" 50
	finish "drop-intx and spurious-intx"
	b=$(tr -d '\r' <"$VMM_OUT" | sed -n 's/^intx_before=//p')
	a=$(tr -d '\r' <"$VMM_OUT" | sed -n 's/^intx_after=//p')
	diag "guest IO-APIC line of the e1000e: ${b:-?} interrupts before, ${a:-?} after 50 spurious"
	check "the guest counted $((${a:-0} - ${b:-0})) interrupts, expected at least 50" test $((${a:-0} - ${b:-0})) -ge 50
	expect_grep '^ping_received=20 of 20$' "$VMM_OUT"
	dr=$(dev_counter "$NIC" faults_dropped)
	sp=$(dev_counter "$NIC" faults_spurious)
	check "--stats counts ${dr:-no} dropped INTx assertions, expected 3" test "${dr:-0}" = 3
	check "--stats counts ${sp:-no} spurious INTx assertions, expected 50" test "${sp:-0}" = 50
	expect_grep 'minivmm: injected at [0-9.]+ s: drop-intx '"$NIC"': next 3 assertions' "$VMM_ERR"
}

# 6. --trace of e1000e BAR0 0x0+0x100 from the start: the driver's link-up
#    accesses to CTRL (0x0) and STATUS (0x8) are in the trace file, nothing
#    outside the range is, and --stats shows that only BAR0's first page
#    traps. Without a trace no BAR0 page traps (the run before this one).
t_trace_nic() {
	[ -n "$NIC" ] && [ -n "$PEER_IF" ] || fail "no e1000e pair in the host"
	initrd=$(guest_script trace <<'SCRIPT'
modprobe e1000e || exit 10
net_up || exit 11
ping_peer 5 || exit 12
SCRIPT
	)
	expect_status 0 run_vmm trace --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 512M --assign "$NIC" --stats --trace "$NIC:bar0:0x0+0x100" --trace "$NIC:config:0x4+2" \
		--trace-file "$RIG_TMP/e.trace"
	f=$RIG_TMP/e.trace
	diag "trace: $(grep -vc '^#' "$f") accesses; first: $(grep -v '^#' "$f" | head -n 3 | tr '\n' '|')"
	expect_grep '^# minivmm access trace: seconds vcpu bdf region offset width r/w value$' "$f"
	expect_grep "^[0-9]+\.[0-9]{6} [0-9]+ $NIC bar0 0x0000 4 W 0x[0-9a-f]{8}\$" "$f"
	expect_grep "^[0-9]+\.[0-9]{6} [0-9]+ $NIC bar0 0x0008 4 R 0x[0-9a-f]{8}\$" "$f"
	# offsets are 0x%04x: outside the range means five digits or >= 0100
	out=$(grep -v '^#' "$f" | awk '$4 == "config" { next } { o = $5; sub(/^0x/, "", o); if ($4 != "bar0" || length(o) > 4 || o >= "0100") n++ } END { print n + 0 }')
	check "$out traced accesses outside 0x0+0x100" test "$out" = 0
	# The config range: the driver's command-register accesses (pci_enable_device), nothing else.
	expect_grep "^[0-9]+\.[0-9]{6} [0-9]+ $NIC config 0x0004 [124] [RW] 0x[0-9a-f]+\$" "$f"
	cfg_out=$(grep -v '^#' "$f" | awk '$4 == "config" && $5 != "0x0004" && $5 != "0x0005" { n++ } END { print n + 0 }')
	check "$cfg_out traced config accesses outside 0x4+2" test "$cfg_out" = 0
	expect_grep "\"$NIC\": \{\"bar0\": \{\"size\": 131072, \"trapped\": \[\"0x0\+0x1000\"\]" "$VMM_ERR"
	expect_grep '^ping_received=5 of 5$' "$VMM_OUT"
}

# Before any trace: BAR0 of the e1000e traps nowhere (its MSI-X table is in BAR3).
t_no_trace_nic() {
	[ -n "$NIC" ] && [ -n "$PEER_IF" ] || fail "no e1000e pair in the host"
	initrd=$(guest_script notrace <<'SCRIPT'
modprobe e1000e || exit 10
net_up || exit 11
SCRIPT
	)
	expect_status 0 run_vmm notrace --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 1 --mem 512M --assign "$NIC" --stats
	expect_grep "\"$NIC\": \{\"bar0\": \{\"size\": 131072, \"trapped\": \[\], \"accesses\": 0\}" "$VMM_ERR"
}

subtest "1: e1000e unplug/plug under ping, held then handed back to the host" t_unplug_nic
subtest "2: nvme unplug/plug under O_DIRECT I/O" t_unplug_nvme
subtest "3: nvme surprise removal, then presence lost" t_surprise_nvme
subtest "4: drop-msi on the nvme I/O queue: timeout, completion polled" t_drop_msi_nvme
subtest "5: spurious-msi on e1000e, trace added at run time" t_spurious_nic
subtest "5b: drop-intx and spurious-intx on e1000e (irq=intx)" t_intx_faults_nic
subtest "6a: e1000e BAR0 traps nowhere without a trace" t_no_trace_nic
subtest "6b: --trace e1000e BAR0 0x0+0x100 and config 0x4+2 during link-up" t_trace_nic
subtests_done
