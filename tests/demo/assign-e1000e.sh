# Demo scenario (runs inside the nested test host): assign the host's
# e1000e to a minivmm guest and show what the guest's driver sees.
. /rig/lib.sh

bdf=$(pci_find 8086:10d3 | head -n 1)
[ -n "$bdf" ] || { fail "no e1000e in the test host"; exit 1; }
modprobe e1000e 2>/dev/null || true
sleep 1
echo "host: $bdf is owned by $(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)")," \
	"MAC $(cat /sys/bus/pci/devices/$bdf/net/*/address)"

# Zero-config: no kernel or initramfs given. minivmm boots this host's own
# kernel with an initramfs it builds, holding the module for the device's
# modalias (e1000e) with its dependencies, loaded before the command runs.
echo "host: minivmm --assign $bdf --cpus 2 --mem 512M --stats -- sh -c '...'"
st=0
"$MINIVMM" --assign "$bdf" --cpus 2 --mem 512M --stats -- sh -c '
	for n in /sys/class/net/*; do
		[ -e "$n/device" ] || continue
		i=$(basename $n)
		echo "guest: $i MAC $(cat $n/address) driver $(basename $(readlink $n/device/driver))"
		ip link set "$i" up	# e1000e requests its MSI-X vectors when the link opens
	done
	sleep 3
	for n in /sys/class/net/*; do
		[ -e "$n/device" ] && echo "guest: $(basename $n) link $(cat $n/operstate)"
	done
	grep -E "eth|enp" /proc/interrupts' </dev/null || st=$?
echo "host: minivmm exited with status $st"
sleep 1
echo "host: $bdf is owned by $(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)") again," \
	"MAC $(cat /sys/bus/pci/devices/$bdf/net/*/address)"
exit "$st"
