# Capture the full config space of every PCI function in the nested host
# (the emulated devices given with host.sh --device) as hex, to build the
# test data of tests/unit/test_vconfig.c. Not part of run-all: run it by
# hand, e.g.
#   MINIVMM=none tests/rig/host.sh --device e1000e --device 'nvme,serial=deadbeef' \
#     --device e1000 --device ne2k_pci --device pcnet --device edu \
#     --device virtio-net-pci tests/rig/scenarios/capture-config.sh
# (root-bus devices: QEMU makes PCIe ones RC integrated endpoints) and
#   MINIVMM=none tests/rig/host.sh --name capture-config2 \
#     --device pcie-root-port,id=rp1,chassis=1,slot=1 \
#     --device 'virtio-net-pci,bus=rp1,ats=on,aer=on,disable-legacy=on' \
#     --device pcie-root-port,id=rp2,chassis=2,slot=2 --device e1000e,bus=rp2 \
#     tests/rig/scenarios/capture-config.sh
# (plain Endpoints: e1000e-ep.bin, virtio-net-ep.bin). Extract each dump
# from the TAP stream (tests/rig/out/NAME.tap) into tests/unit/data:
#   tr -d '\r' <tests/rig/out/capture-config.tap |
#     sed -n '/^# cfg-begin 0000:00:02.0 /,/^# cfg-end/p' | grep -v '^#' | xxd -r -p >nvme.bin
# Each dump is framed by "# cfg-begin BDF VENDOR:DEVICE CLASS DRIVER SIZE"
# and "# cfg-end BDF" lines; the hex lines in between are `od -An -tx1 -v`
# (SIZE is 256 for conventional PCI functions, 4096 for PCIe ones).
. /rig/lib.sh

t_dump() {
	n=0
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d/config" ] || continue
		bdf=${d##*/}
		v=$(cat "$d/vendor") dv=$(cat "$d/device") cl=$(cat "$d/class")
		drv=-
		[ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
		sz=$(wc -c <"$d/config")
		echo "# cfg-begin $bdf ${v#0x}:${dv#0x} $cl $drv $sz"
		od -An -tx1 -v "$d/config"
		echo "# cfg-end $bdf"
		n=$((n + 1))
	done
	check "no PCI functions found" test "$n" -gt 0
}

subtest "dump PCI config spaces" t_dump
subtests_done
