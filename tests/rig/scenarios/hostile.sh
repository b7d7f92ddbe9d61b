# Hostile guests: a root guest program (tests/rig/hostile/hostile.c) does
# seeded random config writes, BAR accesses of every width, BAR sizing and
# relocation storms, interrupt-mode toggles, PM states and DMA to wherever
# the device points, on e1000e, nvme, ahci and ne2k_pci, three seeds each.
# minivmm must never die from a signal nor end with 125 (126 or 0 are the
# guest's business), keep its log bounded, and the host driver must get
# the device back working. Then QEMU-KVM on the first seed (HOSTILE_QEMU_SEEDS), for the record.
# Host requirement (run-all): e1000e + peer e1000e, nvme, ich9-ahci with a
# disk, ne2k_pci, --with-qemu, /usr/local/bin/hostile.
. /rig/lib.sh

K=$GUEST_KERNEL
CMDLINE="console=ttyS0 quiet minivmm.status_port=0xf4"
: "${VMM_TIMEOUT:=240}"
SEEDS=${HOSTILE_SEEDS:-"1 2 3"}
LOG_MAX=200 # lines of minivmm's stderr a run may leave

find_devices

# The guest: hostile on 00:01.0, then power off.
mkdir -p h/root/bin && cp /usr/local/bin/hostile h/root/bin/ &&
	(cd h/root && find . | cpio -o -H newc 2>/dev/null | gzip -1) >h.cpio.gz
base=$(guest_initrd_with - hostile-run <<'SCRIPT'
for a in $(cat /proc/cmdline); do case $a in hostile.seed=*) seed=${a#*=} ;; esac; done
/bin/hostile /sys/bus/pci/devices/0000:00:01.0 "$seed" 1500
echo "hostile_status=$?"
SCRIPT
)
cat "$base" h.cpio.gz >hostile.initrd

# host_works BDF DRIVER: the host's driver has BDF back and it does its job.
host_works() {
	_hw=$(pci_driver "$1")
	check "$1 is on '$_hw' after minivmm, expected $2" test "$_hw" = "$2"
	case $2 in
	e1000e | ne2k-pci)
		# From a network namespace of its own: an address beside the peer's
		# in one stack never puts a packet on the wire.
		host_ping "$1" || { dmesg | grep -i "$1" | tail -n 8 | sed 's/^/#   | /'; return 1; }
		;;
	nvme)
		_b=$(ls /sys/bus/pci/devices/$1/nvme/*/ 2>/dev/null | grep -m1 '^nvme[0-9]*n1$')
		for _i in $(seq 50); do [ -n "$_b" ] && [ -b /dev/$_b ] && break; usleep 100000
			_b=$(ls /sys/bus/pci/devices/$1/nvme/*/ 2>/dev/null | grep -m1 '^nvme[0-9]*n1$'); done
		[ -b "/dev/$_b" ] || fail "no namespace block device for $1 after minivmm" || return 1
		dd if=/dev/urandom of=w.bin bs=64k count=16 2>/dev/null
		dd if=w.bin of=/dev/$_b bs=64k oflag=direct 2>/dev/null &&
			dd if=/dev/$_b of=r.bin bs=64k count=16 iflag=direct 2>/dev/null &&
			cmp -s w.bin r.bin || fail "$1 (/dev/$_b) does not round-trip data after minivmm"
		;;
	ahci)
		for _i in $(seq 100); do _b=$(ls -d /sys/bus/pci/devices/$1/ata*/host*/target*/*/block/* 2>/dev/null | head -n 1); [ -n "$_b" ] && break; usleep 100000; done
		[ -n "$_b" ] || fail "no disk behind $1 after minivmm" || return 1
		dd if="/dev/${_b##*/}" of=/dev/null bs=64k count=16 iflag=direct 2>/dev/null ||
			fail "$1 (${_b##*/}) cannot read its disk after minivmm"
		;;
	esac
}

# hostile_on BDF DRIVER: every seed on BDF under minivmm.
hostile_on() {
	[ -n "$1" ] || fail "no such device in the host"
	for seed in $SEEDS; do
		_st=0
		_run_vmm_once "h-$2-$seed" --kernel "$K" --initrd hostile.initrd --cmdline "$CMDLINE hostile.seed=$seed" \
			--cpus 2 --mem 256M --assign "$1" --timeout 200 || _st=$?
		diag "$2 seed $seed: status $_st; guest: $(tr -d '\r' <"$VMM_OUT" | grep -E '^hostile(_status)?[:=]' | tr '\n' '|')"
		case $_st in
		0 | 126) ;;
		*) dump_tail "$VMM_ERR" 15; dump_tail "$VMM_OUT" 10; fail "$2 seed $seed: minivmm ended with $_st" ;;
		esac
		_n=$(wc -l <"$VMM_ERR")
		if [ "$_n" -gt $LOG_MAX ]; then
			diag "the most frequent lines (digits as N):"
			sed 's/[0-9a-fx]\{3,\}/N/g; s/[0-9]/N/g' "$VMM_ERR" | sort | uniq -c | sort -rn | head -n 10 | sed 's/^/#   | /'
		fi
		check "$2 seed $seed: $_n lines on minivmm's stderr, more than $LOG_MAX" test "$_n" -le $LOG_MAX
		expect_no_grep 'minivmm: error' "$VMM_ERR"
		host_works "$1" "$2"
	done
}

t_e1000e() { [ -n "$PEER_IF" ] || fail "no peer NIC"; hostile_on "$NIC" e1000e; }
t_nvme() { hostile_on "$NVME" nvme; }
t_ahci() { hostile_on "$AHCI" ahci; }
t_ne2k() { [ -n "$PEER_IF" ] || fail "no peer NIC"; hostile_on "$NE2K" ne2k-pci; }

# QEMU-KVM with the same guest and seeds on the e1000e: what it does is
# recorded, not judged (it may also take the test host down).
t_qemu_record() {
	command -v qemu-system-x86_64 >/dev/null || fail "no qemu in this host"
	vfio_bind "$NIC" >/dev/null || return 1
	# HOSTILE_QEMU_SEEDS: the first of minivmm's seeds unless told (CI time).
	for seed in ${HOSTILE_QEMU_SEEDS:-${SEEDS%% *}}; do
		_st=0
		timeout -s KILL 240 qemu-system-x86_64 -M q35 -accel kvm -cpu host -nodefaults -nographic -serial file:q-$seed.out \
			-no-reboot -smp 2 -m 256 -kernel "$K" -initrd hostile.initrd -append "$CMDLINE hostile.seed=$seed" \
			-device vfio-pci,host="$NIC" </dev/null >q-$seed.err 2>&1 || _st=$?
		diag "QEMU e1000e seed $seed: status $_st, $(wc -l <q-$seed.err) stderr lines; guest: $(tr -d '\r' <q-$seed.out | grep -E '^hostile(_status)?[:=]' | tail -n 2 | tr '\n' '|')"
		sed -n '1,3p' q-$seed.err | sed 's/^/#   qemu: /'
	done
	echo "$NIC" >/sys/bus/pci/devices/$NIC/driver/unbind
	echo >/sys/bus/pci/devices/$NIC/driver_override
	echo "$NIC" >/sys/bus/pci/drivers_probe
	return 0
}

subtest "e1000e" t_e1000e
subtest "nvme" t_nvme
subtest "ahci" t_ahci
subtest "ne2k_pci" t_ne2k
subtest "QEMU-KVM on the same seeds (recorded)" t_qemu_record
subtests_done
