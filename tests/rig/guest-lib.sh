# shellcheck shell=sh
# Helpers for the run scripts of rig guests (busybox sh inside the guest).
# lib.sh's guest_script puts this file in front of a scenario's run script.
#
#   dev                the sysfs directory of the first assigned function
#   netif [BDF]        print the netdev of a guest PCI function (default
#                      00:01.0), waiting up to 10 s for it
#   net_up             169.254.0.2/16 on 00:01.0's netdev, link up, carrier
#   ping_peer N [TAG]  warm up ARP, N pings 50 ms apart to 169.254.0.1;
#                      prints ping_receivedTAG=R of N, false unless all came back
#   irqs               /proc/interrupts between irqs-begin / irqs-end lines
#   disk_check DEV MIB write MIB MiB of random data to DEV, drop caches, read
#                      back: prints written=, readback= and disk_ok=1 on a match
#   drain_console      wait until the tty has sent what was written to it
#                      (a panic right after an echo would lose its line)

dev=/sys/bus/pci/devices/0000:00:01.0

netif() {
	for _i in $(seq 100); do
		for _n in /sys/bus/pci/devices/${1:-0000:00:01.0}/net/*; do
			[ -e "$_n" ] && echo "${_n##*/}" && return 0
		done
		usleep 100000
	done
	return 1
}

net_up() {
	IF=$(netif) || { echo "guest: no netdev for 00:01.0"; return 1; }
	ip addr add 169.254.0.2/16 dev "$IF" 2>/dev/null
	ip link set "$IF" up
	for _i in $(seq 300); do
		[ "$(cat /sys/class/net/$IF/carrier 2>/dev/null)" = 1 ] && break
		usleep 100000
	done
	echo "carrier=$(cat /sys/class/net/$IF/carrier 2>/dev/null)"
	[ "$(cat /sys/class/net/$IF/carrier 2>/dev/null)" = 1 ]
}

ping_peer() {
	for _i in 1 2 3 4 5; do ping -c 1 -W 2 169.254.0.1 >/dev/null 2>&1 && break; done
	_out=$(ping -c "$1" -i 0.05 -W 5 169.254.0.1 2>&1)
	echo "$_out" | tail -n 3
	_r=$(echo "$_out" | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
	echo "ping_received${2:-}=${_r:-0} of $1"
	[ "${_r:-0}" = "$1" ]
}

irqs() {
	echo irqs-begin
	cat /proc/interrupts
	echo irqs-end
}

disk_check() {
	dd if=/dev/urandom of=/tmp/data bs=1M count=$2 2>/dev/null
	want=$(sha256sum </tmp/data | cut -d' ' -f1)
	dd if=/tmp/data of=$1 bs=1M 2>/dev/null || { echo "guest: writing $1 failed"; return 1; }
	sync
	echo 3 >/proc/sys/vm/drop_caches
	got=$(dd if=$1 bs=1M count=$2 2>/dev/null | sha256sum | cut -d' ' -f1)
	echo "written=$want"
	echo "readback=$got"
	[ "$want" = "$got" ] && echo disk_ok=1
}

drain_console() {
	stty -F /dev/console "$(stty -F /dev/console -g)" 2>/dev/null
}
