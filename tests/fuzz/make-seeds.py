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

# ---- boot / vmlinux: a tiny kernel ELF and bzImages around it ----
def kernel_elf():
    """A vmlinux like the unit tests': text at 16 MiB, data + bss at 20 MiB, a note."""
    text_off, text_size, data_off, data_filesz, data_memsz = 0x1000, 0x3000, 0x4000, 0x800, 0x2000
    eh = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    eh += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0x1000000, 64, 0, 0, 64, 56, 3, 0, 0, 0)
    ph = struct.pack("<IIQQQQQQ", 1, 5, text_off, 0xffffffff81000000, 0x1000000, text_size, text_size, 0x200000)
    ph += struct.pack("<IIQQQQQQ", 4, 4, text_off, 0, 0, 16, 16, 4)
    ph += struct.pack("<IIQQQQQQ", 1, 6, data_off, 0, 0x1400000, data_filesz, data_memsz, 0x200000)
    elf = bytearray(data_off + data_filesz)
    elf[: len(eh + ph)] = eh + ph
    elf[text_off : text_off + text_size] = bytes((i * 13 + 1) & 0xff for i in range(text_size))
    elf[data_off : data_off + data_filesz] = bytes((i * 5 + 2) & 0xff for i in range(data_filesz))
    return bytes(elf)


def bzimage(payload, version=0x020F, setup_sects=4, pref=0x1000000, init_size=0x2000000):
    """A bzImage header (Documentation/arch/x86/boot.rst) with @payload, 4 KiB at least."""
    setup = (setup_sects or 4) + 1
    pm = b"\x90" * 0x200 + payload
    img = bytearray(max(setup * 512 + len(pm), 0x1000))
    img[setup * 512 : setup * 512 + len(pm)] = pm

    def put(off, fmt, v):
        struct.pack_into(fmt, img, off, v)

    put(0x1F1, "<B", setup_sects)
    put(0x1FE, "<H", 0xAA55)
    put(0x200, "<H", 0x6AEB)
    put(0x202, "<I", 0x53726448)
    put(0x206, "<H", version)
    put(0x211, "<B", 0x01)  # LOADED_HIGH
    put(0x22C, "<I", 0x7FFFFFFF)
    put(0x230, "<I", 0x200000)
    put(0x234, "<B", 1)
    put(0x236, "<H", 0x0001)  # XLF_KERNEL_64
    put(0x238, "<I", 2047)
    put(0x248, "<I", 0x200)
    put(0x24C, "<I", len(payload))
    put(0x258, "<Q", pref)
    put(0x260, "<I", init_size)
    return bytes(img)


def boot():
    elf = kernel_elf()
    gz = gzip.compress(elf, mtime=0) + struct.pack("<I", len(elf))
    write("boot", "bzimage-gzip", bzimage(gz))
    write("boot", "bzimage-xz", bzimage(lzma.compress(elf, check=lzma.CHECK_CRC32)))
    write("boot", "bzimage-2.12-sects0", bzimage(b"\x28\xb5\x2f\xfd" + bytes(16), version=0x020C, setup_sects=0))
    write("boot", "bzimage-big-init", bzimage(b"", init_size=0x7FFFF000, pref=0x3F000000))
    write("boot", "vmlinux", elf)


def vmlinux():
    elf = kernel_elf()
    write("vmlinux", "kernel", elf)
    # The entry in the second segment, and a bss-only segment.
    e = bytearray(elf)
    struct.pack_into("<Q", e, 24, 0x1400010)
    struct.pack_into("<I", e, 64 + 56, 1)  # the note becomes a load of 16 bytes at paddr 0...
    struct.pack_into("<Q", e, 64 + 56 + 24, 0x1800000)  # ...at 24 MiB
    struct.pack_into("<Q", e, 64 + 56 + 40, 0x100000)  # with 1 MiB of bss
    write("vmlinux", "kernel-bss", bytes(e))


# ---- decompress: byte 0 sets the output limit (2^(b % 24)), then a payload ----
def zstd_compress(blob):
    return subprocess.run(["zstd", "-q", "-19", "-c"], input=blob, stdout=subprocess.PIPE, check=True).stdout


def decompress():
    elf = kernel_elf()
    text = b"minivmm decompresses the kernel once\n" * 20
    trailer = struct.pack("<I", len(elf))
    gz = gzip.compress(elf, mtime=0)
    xz = lzma.compress(elf, check=lzma.CHECK_CRC32)
    zs = zstd_compress(elf)
    write("decompress", "gzip", bytes([23]) + gz + trailer)
    write("decompress", "gzip-text", bytes([23]) + gzip.compress(text, mtime=0))
    write("decompress", "gzip-truncated", bytes([23]) + gz[: len(gz) // 2])
    write("decompress", "gzip-over-limit", bytes([10]) + gz + trailer)
    write("decompress", "xz", bytes([23]) + xz + trailer)
    write("decompress", "xz-two-streams", bytes([23]) + lzma.compress(text) + lzma.compress(text))
    write("decompress", "xz-over-limit", bytes([8]) + xz)
    write("decompress", "zstd", bytes([23]) + zs + trailer)
    write("decompress", "zstd-truncated", bytes([23]) + zs[:-3])
    write("decompress", "zstd-text", bytes([23]) + zstd_compress(text))
    write("decompress", "lz4", bytes([23]) + b"\x02\x21\x4c\x18" + bytes(16))


# ---- config: NUL-separated argv, argv[0] included ----
def config():
    lines = {
        "assign-run": ["minivmm", "--assign", "0000:03:00.0", "--timeout", "120", "--junit", "r.xml", "--",
                       "./run-my-kselftest.sh", "it's", ""],
        "kernel": ["minivmm", "--kernel", "bzImage", "--initrd", "initrd", "--cmdline=console=ttyS0 quiet",
                   "--cpus", "4", "--mem", "4G", "-vv", "--stats", "--kaslr"],
        "modules": ["minivmm", "--kernel", "vmlinux", "--modules", "/lib/modules/6.1.0", "--share", ".",
                    "--run", "ls", "--assign", "03:00.0", "--assign=03:00.1", "--no-rebind", "--mem", "65536Ki"],
        "errors": ["", "-vx", "--cpus", "0", "--mem", "1B", "--assign", "03:00.0", "--assign", "0000:03:00.0"],
        "help": ["minivmm", "-h", "--version", "--console", "log", "--timeout"],
    }
    for name, argv in lines.items():
        write("config", name, b"\0".join(a.encode() for a in argv))


# ---- trace: the --trace value, NUL, then accesses (region, 7-byte offset, width) ----
def trace():
    write("trace", "bar0-range", b"0000:03:00.0:bar0:0x0+0x100")
    write("trace", "config", b"00:1f.7:config")
    write("trace", "bar5-off", b"0000:00:02.0:bar5:4096")
    write("trace", "with-accesses", b"0000:00:02.0:bar2:0x10+8\0" + bytes([0]) + u64(0x12) + bytes([4, 1]) +
          u64(0x0c << 0 | 2 << 56))


# ---- archive: tar streams, ar archives (.deb), package control and paths ----
def tar_blob(fmt, entries):
    import io
    import tarfile
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as t:
        for name, kind, data, link in entries:
            ti = tarfile.TarInfo(name)
            ti.mode = 0o755 if kind == "dir" else 0o644
            if kind == "dir":
                ti.type = tarfile.DIRTYPE
            elif kind == "sym":
                ti.type, ti.linkname = tarfile.SYMTYPE, link
            elif kind == "hard":
                ti.type, ti.linkname = tarfile.LNKTYPE, link
            else:
                ti.size = len(data)
            t.addfile(ti, io.BytesIO(data) if kind == "file" else None)
    # Without tarfile's padding to 10 KiB: the end-of-archive blocks only.
    blob = out.getvalue().rstrip(b"\0")
    return blob + bytes(-len(blob) % 512 + 1024)


KVER = "6.1.0-57-amd64"
DATA_ENTRIES = [
    ("./", "dir", b"", None),
    ("./boot/", "dir", b"", None),
    ("./boot/vmlinuz-" + KVER, "file", b"MZ" + bytes(600), None),
    ("./boot/System.map-" + KVER, "file", b"ffffffff81000000 T _text\n", None),
    ("./usr/lib/modules/" + KVER + "/kernel/drivers/net/e1000e.ko.xz", "file", b"\xfd7zXZ" + bytes(40), None),
    ("./lib/modules/" + KVER + "/modules.order", "file", b"kernel/drivers/net/e1000e.ko\n", None),
    ("./lib/modules/" + KVER + "/build", "sym", b"", "/usr/src/linux-headers-" + KVER),
    ("./lib/modules/" + KVER + "/kernel/" + "d" * 120 + "/long-name.ko", "file", b"\x7fELF", None),
    ("./boot/vmlinuz-link", "hard", b"", "./boot/vmlinuz-" + KVER),
]
CONTROL = ("Package: linux-image-" + KVER + "\nVersion: 6.1.158-1\nArchitecture: amd64\n"
           "Depends: kmod, linux-base (>= 4.3~)\nDescription: Linux 6.1 for 64-bit PCs\n continued\n")


def ar_blob(members):
    out = b"!<arch>\n"
    for name, data in members:
        out += ("%-16s%-12d%-6d%-6d%-8s%-10d" % (name, 0, 0, 0, "100644", len(data))).encode() + b"`\n" + data
        if len(data) % 2:
            out += b"\n"
    return out


def deb_blob(data_tar, control=CONTROL, md5sums=""):
    ctl = [("./", "dir", b"", None), ("./control", "file", control.encode(), None)]
    if md5sums:
        ctl.append(("./md5sums", "file", md5sums.encode(), None))
    import tarfile
    return ar_blob([("debian-binary", b"2.0\n"), ("control.tar", tar_blob(tarfile.GNU_FORMAT, ctl)),
                    ("data.tar", data_tar)])


def archive():
    import tarfile
    write("archive", "ar-deb", bytes([0]) + deb_blob(tar_blob(tarfile.GNU_FORMAT, DATA_ENTRIES)))
    write("archive", "ar-gnu-names", bytes([0]) + ar_blob([("debian-binary/", b"2.0\n"), ("control.tar.xz/", b"\xfd7zXZ\0"),
                                                           ("data.tar.zst/", b"\x28\xb5\x2f\xfd")]))
    write("archive", "ar-rpm", bytes([0]) + b"\xed\xab\xee\xdb" + bytes(92))
    sizes = bytes([1, 7, 64, 200])
    for fmt, name in ((tarfile.GNU_FORMAT, "gnu"), (tarfile.PAX_FORMAT, "pax"), (tarfile.USTAR_FORMAT, "ustar")):
        entries = DATA_ENTRIES if fmt != tarfile.USTAR_FORMAT else DATA_ENTRIES[:-2]
        blob = tar_blob(fmt, entries)
        write("archive", "tar-" + name, bytes([1 | 4]) + sizes + blob)
    write("archive", "tar-truncated", bytes([1 | 4 | 8]) + sizes + tar_blob(tarfile.GNU_FORMAT, DATA_ENTRIES)[:3000])
    paths = [(0, "./boot/vmlinuz-" + KVER), (1, "./lib/modules/" + KVER + "/"),
             (0, "usr/lib/modules/" + KVER + "/kernel/fs/ext4.ko.zst"), (0, "./lib/modules/../../etc/passwd"),
             (0, "/usr/lib/debug/boot/vmlinux-" + KVER), (0, "lib/modules/6.2.0-1-amd64/kernel/x.ko")]
    pk = bytes([2, 2]) + bytes([len(paths)]) + CONTROL.encode() + b"\0" + \
        ("d41d8cd98f00b204e9800998ecf8427e  boot/vmlinuz-" + KVER + "\n").encode() + b"\0"
    for d, path in paths:
        pk += bytes([d]) + path.encode() + b"\0"
    pk += bytes([0]) + b"Package: linux-modules-" + KVER.encode() + b"\nArchitecture: amd64\n\0" + \
        b"0  lib/modules/" + KVER.encode() + b"/kernel/a.ko\n\0"
    write("archive", "kpkg-image-and-modules", pk)
    write("archive", "kpkg-meta", bytes([3, 0, 0]) + b"Package: linux-image-amd64\nDepends: linux-image-6.1.0-57-amd64 (= 6.1.158-1)\n\0\0")


# ---- deb: a flag byte, then the package's data.tar ----
def deb():
    import tarfile
    for fmt, name in ((tarfile.GNU_FORMAT, "gnu"), (tarfile.PAX_FORMAT, "pax")):
        write("deb", "data-" + name, bytes([0]) + tar_blob(fmt, DATA_ENTRIES))
    deep = "./lib/modules/" + KVER + "/" + "/".join(["k" * 200] * 19) + "/"
    write("deb", "deep-dir", bytes([0]) + tar_blob(tarfile.GNU_FORMAT, [(deep, "dir", b"", None),
                                                                      (deep + "m.ko", "file", b"x", None)]))
    # A directory whose name nearly fills PATH_MAX (GNU long name).
    longest = "./lib/modules/" + KVER + "/" + "/".join(["n" * 250] * 16)
    longest += "/" + "m" * (4090 - len(longest) - 1) + "/"
    write("deb", "longest-dir", bytes([0]) + tar_blob(tarfile.GNU_FORMAT, [(longest, "dir", b"", None)]))
    write("deb", "unsafe", bytes([0]) + tar_blob(tarfile.GNU_FORMAT, [("./lib/modules/../../../etc/x", "file", b"x", None)]))
    write("deb", "twice", bytes([0]) + tar_blob(tarfile.GNU_FORMAT, DATA_ENTRIES[2:4] + DATA_ENTRIES[2:3]))


# ---- rpm: rpm_fuzz.c's modes ----
def rpm_header(entries):
    """entries: (tag, type, count, bytes); data aligned as rpm aligns its types."""
    store, index = b"", b""
    for tag, typ, count, blob in entries:
        align = {3: 2, 4: 4, 5: 8}.get(typ, 1)
        store += bytes(-len(store) % align)
        index += struct.pack(">IIII", tag, typ, len(store), count)
        store += blob
    return b"\x8e\xad\xe8\x01" + bytes(4) + struct.pack(">II", len(entries), len(store)) + index + store


def rpm_strings(*s):
    return b"".join(x.encode() + b"\0" for x in s)


def cpio_newc(entries):
    out = b""
    for ino, (name, mode, data) in enumerate(entries + [("TRAILER!!!", 0, b"")], 1):
        n = name.encode() + b"\0"
        out += b"070701" + b"".join(b"%08X" % v for v in (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(n), 0))
        out += n + bytes(-(110 + len(n)) % 4) + data + bytes(-len(data) % 4)
    return out


def rpm_blob(arch="x86_64", source=False, comp="xz"):
    mod = "/lib/modules/" + KVER + "/"
    files = [("vmlinuz", 0o100644), ("kernel", 0o40755), ("modules.order", 0o100644)]
    entries = [(1000, 6, 1, rpm_strings("kernel-core")), (1001, 6, 1, rpm_strings("6.1.0")),
               (1002, 6, 1, rpm_strings("57.fc41")), (1022, 6, 1, rpm_strings(arch)),
               (1030, 3, 3, b"".join(struct.pack(">H", m) for _, m in files)),
               (1037, 4, 3, struct.pack(">III", 0, 0, 0)), (1049, 8, 2, rpm_strings("rpmlib(PayloadIsXz)", "kernel-core-uname-r")),
               (1116, 4, 3, struct.pack(">III", 0, 0, 0)), (1117, 8, 3, rpm_strings(*(f for f, _ in files))),
               (1118, 8, 1, rpm_strings(mod)), (1124, 6, 1, rpm_strings("cpio")), (1125, 6, 1, rpm_strings(comp))]
    if not source:
        entries.append((1044, 6, 1, rpm_strings("kernel-6.1.0-57.fc41.src.rpm")))
    hdr = rpm_header(entries)
    cpio = cpio_newc([("." + mod + "vmlinuz", 0o100644, b"bzImage"), ("." + mod + "kernel", 0o40755, b""),
                      ("." + mod + "modules.order", 0o100644, b"")])
    payload = lzma.compress(cpio, preset=0) if comp == "xz" else gzip.compress(cpio, mtime=0)
    sig = rpm_header([(1000, 4, 1, struct.pack(">I", len(hdr) + len(payload)))])
    sig += bytes(-len(sig) % 8)
    lead = b"\xed\xab\xee\xdb\x03\x00" + struct.pack(">HH", 1 if source else 0, 1)
    lead += b"kernel-core-6.1.0-57.fc41".ljust(66, b"\0") + struct.pack(">HH", 1, 5) + bytes(16)
    return lead + sig + hdr + payload


def rpm():
    write("rpm", "kernel-core-xz", bytes([0]) + rpm_blob())
    write("rpm", "kernel-core-gzip", bytes([0]) + rpm_blob(comp="gzip"))
    write("rpm", "aarch64", bytes([2]) + rpm_blob(arch="aarch64"))
    write("rpm", "source", bytes([0]) + rpm_blob(source=True))
    write("rpm", "zstd-named", bytes([2]) + rpm_blob(comp="zstd"))
    mod = "./lib/modules/" + KVER + "/"
    write("rpm", "cpio", bytes([1 | 14, 3]) + cpio_newc([(mod, 0o40755, b""), (mod + "vmlinuz", 0o100644, b"bzImage!"),
                                                        (mod + "build", 0o120777, b"/usr/src/kernels/x")]))
    write("rpm", "cpio-stripped", bytes([1, 0]) + b"07070X" + b"00000000" + bytes(2))


HARNESSES = {"vconfig": vconfig, "msix": msix, "boot": boot, "vmlinux": vmlinux, "decompress": decompress, "config": config,
             "trace": trace, "archive": archive, "deb": deb, "rpm": rpm}

if __name__ == "__main__":
    for name in sys.argv[1:] or HARNESSES:
        HARNESSES[name]()
