#!/usr/bin/env python3
# Regenerate the seed corpora in tests/fuzz/corpus/NAME (checked in; run
# this only when a harness's input format changes): small inputs that
# reach the interesting states of each harness at once. Deterministic.
import gzip
import lzma
import os
import struct
import subprocess
import sys

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
out = os.path.join(top, "tests", "fuzz", "corpus")
data = os.path.join(top, "tests", "unit", "data")


def write(name, seed, blob):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, seed), "wb") as f:
        f.write(blob)


def u16(v):
    return struct.pack("<H", v & 0xffff)


def u32(v):
    return struct.pack("<I", v & 0xffffffff)


def u64(v):
    return struct.pack("<Q", v & 0xffffffffffffffff)


# ---- vconfig: the order of vconfig_fuzz.c's dump_info ----
DUMPS = ["e1000e", "e1000e-ep", "nvme", "e1000", "ne2k_pci", "pcnet", "edu", "virtio-net", "virtio-net-ep"]
VC_LEN = {1: 0, 2: 1, 4: 2}  # length code (op bits 2-4)


def vc_op(kind, reg, length=4, val=None):
    b = bytes([kind | VC_LEN[length] << 2]) + u16(reg)
    return b + (u32(val) if kind in (1, 2, 3) else b"")


def std_caps(cfg):
    caps, pos, seen = {}, cfg[0x34] & 0xfc if cfg[6] & 0x10 else 0, set()
    while pos >= 0x40 and pos not in seen:
        seen.add(pos)
        caps.setdefault(cfg[pos], pos)
        pos = cfg[pos + 1] & 0xfc
    return caps


def vconfig():
    for i, d in enumerate(DUMPS):
        cfg = open(os.path.join(data, d + ".bin"), "rb").read()
        caps = std_caps(cfg)
        ops = b""
        # BAR and ROM sizing, then an address, as a guest's PCI core does.
        for bar in range(6):
            reg = 0x10 + 4 * bar
            ops += vc_op(1, reg, 4, 0xffffffff) + vc_op(0, reg) + vc_op(1, reg, 4, 0xfe000000 + bar * 0x100000)
        ops += vc_op(1, 0x30, 4, 0xfffff801) + vc_op(0, 0x30) + vc_op(1, 0x30, 4, 0xfeb00001)
        ops += vc_op(3, 0, 4, 0xfe000000)  # minivmm seeding BAR 0
        ops += vc_op(1, 0x04, 2, 0x0407) + vc_op(0, 0x06, 2) + vc_op(1, 0x06, 2, 0xf900)
        ops += vc_op(1, 0x3c, 1, 0x0b) + vc_op(0, 0x0e, 1)
        if 0x11 in caps:  # MSI-X: enable, function mask, disable
            p = caps[0x11]
            ops += vc_op(1, p + 2, 2, 0xc000) + vc_op(1, p + 2, 2, 0x8000) + vc_op(1, p + 2, 2, 0)
        if 0x05 in caps:  # MSI: address, data, enable with too many vectors
            p = caps[0x05]
            ops += vc_op(1, p + 4, 4, 0xfee00000) + vc_op(1, p + 8, 4, 0x4041) + vc_op(1, p + 2, 2, 0x0051)
        if 0x01 in caps:  # PM: D3hot and back
            p = caps[0x01]
            ops += vc_op(1, p + 4, 2, 0x0003) + vc_op(1, p + 4, 2, 0x8000)
        if 0x10 in caps:  # PCIe: device control, status
            p = caps[0x10]
            ops += vc_op(1, p + 8, 2, 0xffff) + vc_op(0, p + 0xc, 4) + vc_op(1, p + 0xa, 2, 0xf)
        if len(cfg) == 4096:
            ops += vc_op(0, 0x100, 4) + vc_op(1, 0x104, 4, 0xffffffff)
        write("vconfig", d, bytes([i]) + ops)
        # The same dump with its chain looped back and an odd BAR layout.
        if caps:
            first = cfg[0x34] & 0xfc
            patch = bytes([0x80 | 0x40 | i, 2]) + u16(first + 1) + bytes([cfg[first + 1] ^ first])
            patch += u16(0x0e) + bytes([0x80])
            bars = bytes([12, 0, 20, 2, 0, 0, 5, 1, 0x4d, 4, 30, 6]) + bytes([18])
            write("vconfig", d + "-loop", patch + bars + ops)


# ---- msix: op kinds of msix_fuzz.c ----
def mx_op(kind, off, length=4, val=None, wide=False, hi=False):
    code = {4: 0, 8: 1, 1: 4, 2: 5, 3: 6}[length]
    b = bytes([kind | code << 3 | (0x40 if wide else 0) | (0x80 if hi else 0)])
    b += u64(off) if wide else u16(off)
    return b + (u64(val) if kind == 2 else b"")


def msix():
    ops = b""
    for v in range(4):  # program four vectors, unmask three
        ops += mx_op(2, 16 * v, 8, 0xfee00000 | v << 12)
        ops += mx_op(2, 16 * v + 8, 8, (0x30 + v) | (1 if v == 3 else 0) << 32)
    ops += mx_op(6, 1) + mx_op(4, 0, 8)  # fired while disabled: pending
    ops += mx_op(5, 0, hi=True)  # enable: delivered
    ops += mx_op(5, 0, wide=True, hi=True) + mx_op(6, 2) + mx_op(5, 0, hi=True)  # function mask
    ops += mx_op(2, 16 * 3 + 12, 4, 0) + mx_op(0, 16 * 3, 8) + mx_op(2, 16 + 4, 4, 0x1)
    ops += mx_op(0, 3, 4) + mx_op(2, 6, 2, 0xffff) + mx_op(2, 16 * 8, 4, 0)  # bad accesses
    write("msix", "eight-vectors", bytes([7]) + ops)
    big = mx_op(2, 16 * 2047 + 12, 4, 0) + mx_op(6, 2047) + mx_op(6, 5) + mx_op(4, 255, 1)
    big += mx_op(5, 0, hi=True) + mx_op(4, 0, 8) + mx_op(0, 1 << 36, 4, wide=True)
    write("msix", "2048-vectors", bytes([0x87, 0xff]) + big)


HARNESSES = {"vconfig": vconfig, "msix": msix}

if __name__ == "__main__":
    for name in sys.argv[1:] or HARNESSES:
        HARNESSES[name]()
