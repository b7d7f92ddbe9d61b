# Device assignment acceptance: an e1000e NIC of the test host goes from the
# host's e1000e driver to a minivmm guest and back, on every exit path.
# Host requirement: two e1000e on hub 0 (run-all: --device e1000e --device
# e1000e): the first is assigned, the second stays in the host as the
# network peer at 169.254.0.1/16; the guest uses 169.254.0.2/16.
. /rig/lib.sh

K=$GUEST_KERNEL
CMDLINE="console=ttyS0 quiet minivmm.status_port=0xf4"
: "${VMM_TIMEOUT:=240}"

# ---- the host side ----
modprobe e1000e || echo "# modprobe e1000e failed in the host"
# shellcheck disable=SC2046
set -- $(pci_find 8086:10d3)
BDF=${1:-} PEER=${2:-}
HOST_IF='' HOST_MAC='' PEER_IF='' HOST_EXT='' HOST_ROM=''
setup_host() {
	[ -n "$BDF" ] && [ -n "$PEER" ] || fail "need two e1000e in the host, found: $BDF $PEER" || return 1
	HOST_IF=$(pci_netdev "$BDF" 10) || fail "the host's e1000e created no netdev for $BDF" || return 1
	HOST_MAC=$(cat "/sys/class/net/$HOST_IF/address")
	PEER_IF=$(peer_up "$PEER") || fail "no netdev for the peer $PEER" || return 1
	HOST_EXT=$(extcaps "/sys/bus/pci/devices/$BDF/config")
	HOST_ROM=$(rom_md5 "/sys/bus/pci/devices/$BDF")
	diag "assigned: $BDF ($(pci_driver "$BDF"), $HOST_IF, MAC $HOST_MAC, ext caps: $HOST_EXT, ROM md5 $HOST_ROM)"
	diag "peer: $PEER ($(pci_driver "$PEER"), $PEER_IF, 169.254.0.1/16)"
}

# rom_md5 SYSFSDEV: the md5 of the device's expansion ROM image (sysfs
# parses the image's size), or "none".
rom_md5() {
	echo 1 >"$1/rom" 2>/dev/null || { echo none; return 0; }
	_rm=$(md5sum <"$1/rom" 2>/dev/null | cut -d' ' -f1)
	echo 0 >"$1/rom"
	echo "${_rm:-none}"
}

# extcaps CONFIGFILE: the PCIe extended capability IDs (hex) along the chain at 0x100.
extcaps() {
	_ec_off=256 _ec_n=0 _ec_ids=''
	while [ "$_ec_off" -ge 256 ] && [ "$_ec_n" -lt 64 ]; do
		_ec_h=$(od -An -tu4 -j"$_ec_off" -N4 "$1" | tr -d ' ')
		[ -n "$_ec_h" ] && [ "$_ec_h" != 0 ] || break
		_ec_ids="$_ec_ids $(printf '%04x' $((_ec_h & 0xffff)))"
		_ec_off=$(((_ec_h >> 20) & 0xffc))
		_ec_n=$((_ec_n + 1))
	done
	echo $_ec_ids
}

# expect_back: the host's e1000e owns $BDF again and its netdev has the old MAC.
expect_back() {
	_eb_drv=$(pci_driver "$BDF")
	check "$BDF is on '$_eb_drv' after minivmm, expected e1000e" test "$_eb_drv" = e1000e
	_eb_if=$(pci_netdev "$BDF" 10) || fail "$BDF has no netdev after minivmm" || return 1
	_eb_mac=$(cat "/sys/class/net/$_eb_if/address")
	check "$BDF came back with MAC $_eb_mac, was $HOST_MAC" test "$_eb_mac" = "$HOST_MAC"
	diag "$BDF is back on e1000e as $_eb_if, MAC $_eb_mac"
}

# expect_bar0_untrapped: the --stats line has "$BDF/bar0": 0.
expect_bar0_untrapped() {
	diag "stats: $(vmm_stats "$VMM_ERR")"
	_eu=$(stats_field "$BDF/bar0" "$VMM_ERR")
	check "no --stats counter for $BDF/bar0 in $VMM_ERR" test -n "$_eu"
	check "$_eu guest accesses to the e1000e's register BAR0 trapped to minivmm, expected 0" test "$_eu" = 0
}

# ---- the guest side: run scripts (guest_script adds /rig/guest-lib.sh) ----

# 1. the guest's e1000e driver probes the assigned NIC (same MAC), reads its
#    4 KiB config space with the PCIe extended capabilities and its
#    expansion ROM (same bytes as the host reads); the NIC is back on the
#    host's e1000e afterwards.
t_assign() {
	setup_host
	initrd=$(guest_script assign <<'SCRIPT'
echo "cfgsize=$(wc -c <$dev/config)"
echo "ext100=$(od -An -tx4 -j256 -N4 $dev/config | tr -d ' ')"
off=256 ids='' n=0
while [ $off -ge 256 ] && [ $n -lt 64 ]; do
	h=$(od -An -tu4 -j$off -N4 $dev/config | tr -d ' ')
	[ -n "$h" ] && [ "$h" != 0 ] || break
	ids="$ids $(printf '%04x' $((h & 0xffff)))"
	off=$(((h >> 20) & 0xffc)); n=$((n + 1))
done
echo "extcaps=$(echo $ids)"
modprobe e1000e || exit 10
IF=$(netif) || exit 11
# The ROM decodes only with memory decode on: after the driver enabled it.
if echo 1 >$dev/rom; then
	echo "rom_md5=$(md5sum <$dev/rom | cut -d' ' -f1)"
	echo 0 >$dev/rom
else
	echo "rom_md5=none"
fi
echo "guest_driver=$(basename $(readlink $dev/driver))"
echo "guest_mac=$(cat /sys/class/net/$IF/address)"
SCRIPT
	)
	expect_status 0 run_vmm assign --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 512M --assign "$BDF" --stats
	expect_grep '^guest_driver=e1000e$' "$VMM_OUT"
	rom=$(guest_value rom_md5 "$VMM_OUT")
	diag "expansion ROM md5: guest ${rom:-?}, host $HOST_ROM; ROM reads trapped: $(stats_field "$BDF/rom" "$VMM_ERR")"
	check "the host reads no expansion ROM from $BDF (test set-up)" test "$HOST_ROM" != none
	check "the guest read ROM md5 '${rom:-}', the host $HOST_ROM" test "$rom" = "$HOST_ROM"
	check "no ROM reads counted in --stats" test "$(stats_field "$BDF/rom" "$VMM_ERR")" -gt 0
	mac=$(guest_value guest_mac "$VMM_OUT")
	check "the guest sees MAC '$mac', the host saw $HOST_MAC" test "$mac" = "$HOST_MAC"
	expect_grep '^cfgsize= *4096$' "$VMM_OUT"
	ext=$(guest_value ext100 "$VMM_OUT")
	gext=$(guest_value extcaps "$VMM_OUT")
	diag "guest: dword at 0x100 = ${ext:-?}, extended capabilities: ${gext:-none} (host: $HOST_EXT)"
	check "the dword at config offset 0x100 is '${ext:-}' in the guest (no extended capabilities)" \
		test -n "$ext" -a "$ext" != 00000000
	case " $HOST_EXT " in
	*" 0003 "*) case " $gext " in *" 0003 "*) ;; *) fail "the host has a DSN capability (0003), the guest does not" ;; esac ;;
	esac
	expect_back
}

# 2. SIGTERM to minivmm while the guest runs with the driver loaded -> 143
#    within 10 s, the NIC back on the host's e1000e.
t_sigterm() {
	setup_host
	initrd=$(guest_script sigterm <<'SCRIPT'
modprobe e1000e || exit 10
IF=$(netif) || exit 11
echo "guest: driver loaded on $IF"
sleep 1000
SCRIPT
	)
	vmm_start_ready '^guest: driver loaded' sigterm --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" --cpus 2 --mem 512M --assign "$BDF"
	pid=$VMM_PID
	drv=$(pci_driver "$BDF")
	check "$BDF is on '$drv' while the guest runs, expected vfio-pci" test "$drv" = vfio-pci
	kill -TERM "$pid"
	if ! wait_exit "$pid" 10; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		fail "minivmm still running 10 s after SIGTERM"
	fi
	st=0
	wait "$pid" || st=$?
	dump_tail "$VMM_ERR" 5
	check "minivmm exited with $st after SIGTERM, expected 143" test "$st" = 143
	expect_back
}

# 3. a guest panic with the driver loaded -> 126, the NIC back on e1000e.
t_panic() {
	VMM_TIMEOUT=90 # a normal run takes 15-25 s
	setup_host
	initrd=$(guest_script panic <<'SCRIPT'
modprobe e1000e || exit 10
IF=$(netif) || exit 11
echo "guest: driver loaded on $IF, panicking"
drain_console
echo c >/proc/sysrq-trigger
echo "still alive after sysrq-c"
SCRIPT
	)
	st=0
	run_vmm panic --kernel "$K" --initrd "$initrd" --cmdline "console=ttyS0 minivmm.status_port=0xf4" \
		--cpus 2 --mem 512M --assign "$BDF" || st=$?
	if [ "$st" != 126 ]; then
		# Which panic lines did minivmm's console watcher get to see?
		diag "console lines about the panic:"
		tr -d '\r' <"$VMM_OUT" | grep -n -B1 'Kernel panic\|not syncing' | cut -c1-200 | sed 's/^/#   | /'
		dump_tail "$VMM_ERR" 10
		fail "minivmm exited with status $st after the guest panicked, expected 126"
	fi
	expect_grep '^guest: driver loaded' "$VMM_OUT"
	expect_back
}

# 4. --stats: probe, link-up and pings do not trap a single access to the
#    register BAR (BAR0); only the MSI-X table BAR may trap.
t_stats() {
	setup_host
	initrd=$(guest_script stats <<'SCRIPT'
modprobe e1000e || exit 10
net_up || exit 12
ping_peer 10 || exit 13
SCRIPT
	)
	expect_status 0 run_vmm stats --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" \
		--cpus 2 --mem 512M --assign "$BDF" --stats
	expect_grep '^ping_received=10 of 10$' "$VMM_OUT"
	expect_bar0_untrapped
	expect_back
}

# 5. BAR0 relocation before the driver loads. minivmm puts the NIC's BARs at
#    the bottom of the 32-bit window (0xc0000000 up); `reserve=` makes the
#    guest kernel take 0xc0000000-0xc001ffff away, so at boot it moves BAR0
#    elsewhere. Then the guest moves it again at run time: decode off, BAR0
#    rewritten above every BAR (read back), remove + rescan (on which Linux
#    assigns the BARs anew: BAR0 lands where BAR1 was). The driver must work
#    at the final address and BAR0 still never traps (the memory slot
#    followed the BAR).
t_relocate() {
	setup_host
	initrd=$(guest_script relocate <<'SCRIPT'
le16() { printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $((($1 >> 8) & 255)))"; }
le32() { le16 $(($1 & 65535)); le16 $((($1 >> 16) & 65535)); }
bar0() { printf '%#x' $(($(head -n 1 $dev/resource | cut -d' ' -f1))); }
dmesg | grep -E 'pci 0000:00:01.0: (BAR|reg 0x10)|can.t claim' | sed 's/^/dmesg: /'
boot=$(bar0)
echo "bar0_boot=$boot"
[ $((boot)) != $((0xc0000000)) ] || { echo "the kernel kept BAR0 at 0xc0000000 despite reserve="; exit 20; }
set -- $(head -n 1 $dev/resource)
size=$(($2 - $1 + 1))
max=0
for r in /sys/bus/pci/devices/*/resource; do
	while read -r s e f; do
		s=$((s)) e=$((e))
		[ $s -ge $((0xc0000000)) ] && [ $e -le $((0xdfffffff)) ] && [ $e -gt $max ] && max=$e
	done <$r
done
want=$(((max + size) / size * size))
printf 'size=%#x highest_end=%#x bar0_want=%#x\n' $size $max $want
[ $((want + size - 1)) -le $((0xdfffffff)) ] || { echo "no room in the 32-bit window"; exit 20; }
cmd=$(od -An -tu2 -j4 -N2 $dev/config | tr -d ' ')
le16 $((cmd & ~2)) >/tmp/cmd
dd if=/tmp/cmd of=$dev/config bs=2 seek=2 count=1 conv=notrunc 2>/dev/null || exit 21
bar=$(od -An -tu4 -j16 -N4 $dev/config | tr -d ' ')
le32 $((want | (bar & 15))) >/tmp/bar
dd if=/tmp/bar of=$dev/config bs=4 seek=4 count=1 conv=notrunc 2>/dev/null || exit 22
reg=$(od -An -tu4 -j16 -N4 $dev/config | tr -d ' ')
printf 'cmd=%#x bar0_reg=%#x\n' $(od -An -tu2 -j4 -N2 $dev/config) $reg
[ $((reg & ~15)) = $want ] || { echo "BAR0 reads back $reg after writing $want"; exit 23; }
echo 1 >$dev/remove
echo 1 >/sys/bus/pci/rescan
for i in $(seq 50); do [ -e $dev/resource ] && break; usleep 100000; done
final=$(bar0)
echo "bar0_final=$final"
[ $((final)) != $((boot)) ] || { echo "BAR0 is back at $boot after the rescan"; exit 24; }
modprobe e1000e || exit 10
net_up || exit 12
reg=$(od -An -tu4 -j16 -N4 $dev/config | tr -d ' ')
printf 'bar0_reg_final=%#x\n' $((reg & ~15))
[ $((reg & ~15)) = $((final)) ] || { echo "BAR0 register $reg is not the resource $final"; exit 25; }
ping_peer 10 || exit 13
SCRIPT
	)
	expect_status 0 run_vmm relocate --kernel "$K" --initrd "$initrd" \
		--cmdline "$CMDLINE reserve=0xc0000000,0x20000" --cpus 2 --mem 512M --assign "$BDF" --stats
	diag "guest: $(tr -d '\r' <"$VMM_OUT" | grep -E '^(bar0_|cmd=)' | tr '\n' ' ')"
	expect_grep '^ping_received=10 of 10$' "$VMM_OUT"
	expect_bar0_untrapped
	expect_back
}

# 6. --no-rebind with the NIC on the host's e1000e -> 125 naming vfio-pci and
#    --no-rebind; the NIC stays on e1000e.
t_no_rebind() {
	setup_host
	VMM_TIMEOUT=60
	expect_status 125 run_vmm norebind --kernel "$K" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" \
		--mem 512M --assign "$BDF" --no-rebind
	diag "stderr: $(head -n 3 "$VMM_ERR")"
	check "stderr does not mention vfio-pci" grep -q vfio-pci "$VMM_ERR"
	check "stderr does not mention --no-rebind" grep -q -- --no-rebind "$VMM_ERR"
	expect_back
}

subtest "1: e1000e assigned: guest driver, same MAC, 4 KiB config with ext caps; back on e1000e" t_assign
subtest "2: SIGTERM with the driver loaded -> 143, back on e1000e" t_sigterm
subtest "3: guest panic with the driver loaded -> 126, back on e1000e" t_panic
subtest "4: --stats: no BAR0 traps during probe, link-up and ping" t_stats
subtest "5: guest relocates BAR0: driver works, still no BAR0 traps" t_relocate
subtest "6: --no-rebind with the NIC on e1000e -> 125, unchanged" t_no_rebind
subtests_done
