# bench/dma.sh's part inside the nested test host (busybox sh).
. /rig/lib.sh

runs=${BENCH_RUNS:-3}
parts=" ${BENCH_PARTS:-dma bw} "
# Runs of each part: 0 for a part not asked for (bench/dma.sh --only).
case $parts in *" dma "*) dma_runs=$runs ;; *) dma_runs=0 ;; esac
case $parts in *" bw "*) bw_runs=$runs ;; *) bw_runs=0 ;; esac
marker="minivmm-guest: init"
cmdline="console=ttyS0 quiet"
NIC=$(pci_find 8086:10d3 | sed -n 1p)
[ -n "$NIC" ] || { fail "no e1000e in the host"; exit 1; }
vfio_bind "$NIC" >/dev/null || exit 1
initrd=$(guest_initrd_with - dma <<'SCRIPT'
true
SCRIPT
) || exit 1
# The bandwidth guest carries membw.
mkdir -p bw/root/bin && cp /usr/local/bin/membw bw/root/bin/ &&
	mkdir -p bw/root/etc/minivmm && printf '/bin/membw 64 3\n' >bw/root/etc/minivmm/run &&
	(cd bw/root && find . | cpio -o -H newc 2>/dev/null | gzip -1) >bw.cpio.gz
cat "$GUEST_INITRD" bw.cpio.gz >bw.initrd

errors=0
# first WHO I MB CMD...: exec -> guest init, appended to WHO.txt
first() {
	_w=$1 _i=$2 _m=$3
	shift 3
	_l=$(stamp -t 400 -m "$_m" -o "$_w.$_i.log" "$marker" -- "$@") || { errors=$((errors + 1)); echo "# $_w $_i: $_l"; dump_tail "$_w.$_i.log" 8; return 1; }
	echo "# $_w run $_i: $_l"
	echo "$_l" | sed -n 's/.*first_ms=\([0-9.]*\).*/\1/p' >>"$_w.txt"
}
diff_ms() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-") print "-"; else printf "%.0f", a - b }'; }

for g in 2 4; do
	mb=$((g * 1024))
	i=1
	while [ $i -le "$dma_runs" ]; do
		first vmm-$g-dev $i $mb "$MINIVMM" -v --kernel "$GUEST_KERNEL" --initrd "$initrd" --cmdline "$cmdline" --mem ${g}G --assign "$NIC" || true
		grep -h 'mapped .* for DMA in' vmm-$g-dev.$i.log | sed -n 's/.* in \([0-9]*\) ms/\1/p' >>vmm-$g-map.txt
		first vmm-$g-nodev $i $mb "$MINIVMM" --kernel "$GUEST_KERNEL" --initrd "$initrd" --cmdline "$cmdline" --mem ${g}G || true
		first qemu-$g-dev $i $mb qemu-system-x86_64 -M q35 -accel kvm -cpu host -nodefaults -nographic -serial stdio -no-reboot \
			-kernel "$GUEST_KERNEL" -initrd "$initrd" -append "$cmdline" -m $mb -device vfio-pci,host="$NIC" || true
		first qemu-$g-nodev $i $mb qemu-system-x86_64 -M q35 -accel kvm -cpu host -nodefaults -nographic -serial stdio -no-reboot \
			-kernel "$GUEST_KERNEL" -initrd "$initrd" -append "$cmdline" -m $mb || true
		i=$((i + 1))
	done
done

# Bandwidth: 1 vCPU, 1 GiB; minivmm (THP-aligned RAM), minivmm --hugepages, QEMU.
echo 600 >/proc/sys/vm/nr_hugepages
diag "huge pages reserved: $(cat /proc/sys/vm/nr_hugepages)"
i=1
while [ $i -le "$bw_runs" ]; do
	_o=$("$MINIVMM" --kernel "$GUEST_KERNEL" --initrd bw.initrd --cmdline "$cmdline" --mem 1G </dev/null 2>&1 | tr -d '\r' | sed -n 's/^membw_mbps=//p'); echo "# minivmm bw: $_o"; [ -n "$_o" ] && echo "$_o" >>bw-minivmm.txt
	_o=$("$MINIVMM" --kernel "$GUEST_KERNEL" --initrd bw.initrd --cmdline "$cmdline" --mem 1G --hugepages </dev/null 2>&1 | tr -d '\r' | sed -n 's/^membw_mbps=//p'); echo "# minivmm --hugepages bw: $_o"; [ -n "$_o" ] && echo "$_o" >>bw-minivmm-huge.txt
	_o=$(qemu-system-x86_64 -M q35 -accel kvm -cpu host -nodefaults -nographic -serial stdio -no-reboot -kernel "$GUEST_KERNEL" -initrd bw.initrd -append "$cmdline" -m 1024 </dev/null 2>&1 | tr -d '\r' | sed -n 's/^membw_mbps=//p'); echo "# qemu bw: $_o"; [ -n "$_o" ] && echo "$_o" >>bw-qemu.txt
	i=$((i + 1))
done

echo "# DMA and memory benchmark, medians of $runs runs"
printf '# %-44s %10s %10s\n' "" minivmm qemu
for g in 2 4; do
	[ "$dma_runs" = 0 ] && break
	printf '# %-44s %10s %10s\n' "DMA map ${g} GiB, the VMM's own measure (ms)" "$(median vmm-$g-map)" "-"
	printf '# %-44s %10s %10s\n' "exec->init with minus without device, ${g} GiB (ms)" \
		"$(diff_ms "$(median vmm-$g-dev)" "$(median vmm-$g-nodev)")" "$(diff_ms "$(median qemu-$g-dev)" "$(median qemu-$g-nodev)")"
	printf '# %-44s %10s %10s\n' "exec->init with the device, ${g} GiB (ms)" "$(median vmm-$g-dev)" "$(median qemu-$g-dev)"
done
[ "$bw_runs" = 0 ] || printf '# %-44s %10s %10s\n' "guest memcpy bandwidth, 1 GiB guest (MiB/s)" "$(median bw-minivmm)" "$(median bw-qemu)"
[ "$bw_runs" = 0 ] || printf '# %-44s %10s %10s\n' "  minivmm --hugepages (MiB/s)" "$(median bw-minivmm-huge)" ""
[ "$errors" = 0 ]
