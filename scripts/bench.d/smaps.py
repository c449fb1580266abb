"""Where a running process's resident memory is: /proc/PID/smaps grouped by what each mapping holds (scripts/bench.d/memory).

Usage: smaps.py PID [--symbols BINARY]   (root, or the process's owner: reads smaps, task/*/syscall and pagemap)

Groups, in KiB: Rss, Pss, Anonymous (memory no file backs: what the process allocated or wrote to a private mapping),
Dirty (shared and private dirty: what could not be dropped and read again from the file), and the address space
reserved:
- the binary's text (r-x), read-only data (r--: .rodata with ICU's data, .eh_frame, Swift metadata), writable data
  (rw- mapped from the file: .data, .got) and .bss (the anonymous mapping right after the binary's last one);
- each shared library (libc, libstdc++, ld.so, ...), vdso and friends;
- [heap]: the brk heap, glibc's main malloc arena;
- malloc arenas: glibc's other arenas, 64 MiB reserved each (HEAP_MAX_SIZE) at a 64 MiB aligned address, rw- as far as
  they have grown and --- after;
- thread stacks: the anonymous mapping holding a thread's stack pointer (task/TID/syscall), [stack] for the main one;
  their guard pages are counted as reserved only;
- other anonymous: everything else (Swift's and NIO's own mmaps, dispatch, large malloc blocks above the mmap threshold).

With --symbols BINARY (the unstripped binary the process runs), the binary's resident pages are attributed to its
symbols through /proc/PID/pagemap and `nm`: ICU's data (icudt*_dat), BoringSSL (two copies: swift-crypto's and
swift-nio-ssl's), the Swift runtime and standard library, Foundation and CoreFoundation, dispatch, the rest."""
import bisect
import os
import re
import struct
import subprocess
import sys

pid = int(sys.argv[1])
symbols_binary = sys.argv[sys.argv.index("--symbols") + 1] if "--symbols" in sys.argv else None
PAGE = os.sysconf("SC_PAGE_SIZE")
ARENA = 64 << 20

header = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) \S+ (\d+)\s*(.*)$")
maps = []
with open(f"/proc/{pid}/smaps") as smaps:
    for line in smaps:
        match = header.match(line)
        if match:
            start, end, perms, offset, inode, path = match.groups()
            maps.append({"start": int(start, 16), "end": int(end, 16), "perms": perms, "offset": int(offset, 16),
                         "inode": int(inode), "path": path.strip(), "Rss": 0, "Pss": 0, "Anonymous": 0, "Dirty": 0})
        else:
            key, _, value = line.partition(":")
            if key in ("Rss", "Pss", "Anonymous"):
                maps[-1][key] = int(value.split()[0])
            elif key in ("Shared_Dirty", "Private_Dirty"):
                maps[-1]["Dirty"] += int(value.split()[0])

exe = os.readlink(f"/proc/{pid}/exe")
stack_pointers = []
tasks = os.listdir(f"/proc/{pid}/task")
for tid in tasks:
    try:
        fields = open(f"/proc/{pid}/task/{tid}/syscall").read().split()
        if len(fields) >= 2 and fields[0] != "running":
            stack_pointers.append(int(fields[-2], 16))
    except OSError:
        pass
thread_names = {}
for tid in tasks:
    try:
        name = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
    except OSError:
        continue
    name = re.sub(r"\d+$", "#", name)
    thread_names[name] = thread_names.get(name, 0) + 1

last_exe_end = max((m["end"] for m in maps if m["path"] == exe), default=None)
groups = {}


def add(group, mapping, reserved_only=False):
    entry = groups.setdefault(group, {"Rss": 0, "Pss": 0, "Anonymous": 0, "Dirty": 0, "reserved": 0, "count": 0})
    entry["reserved"] += (mapping["end"] - mapping["start"]) >> 10
    entry["count"] += 1
    if not reserved_only:
        for key in ("Rss", "Pss", "Anonymous", "Dirty"):
            entry[key] += mapping[key]


for index, mapping in enumerate(maps):
    path, perms = mapping["path"], mapping["perms"]
    if path == exe:
        kind = {"r-x": "text", "r--": "read-only data", "rw-": "writable data"}.get(perms[:3], perms)
        add(f"binary: {kind}", mapping)
    elif mapping["start"] == last_exe_end and not path:
        add("binary: .bss", mapping)
    elif path.startswith("/"):
        add(os.path.basename(path).split(".so")[0] + ".so", mapping)
    elif path == "[heap]":
        add("[heap] (main malloc arena)", mapping)
    elif path == "[stack]":
        add("thread stacks (incl. main [stack])", mapping)
    elif path.startswith("["):
        add("vdso, vvar, vsyscall", mapping)
    elif any(mapping["start"] <= sp < mapping["end"] for sp in stack_pointers):
        add("thread stacks (incl. main [stack])", mapping)
    elif perms.startswith("---") and index + 1 < len(maps) and maps[index + 1]["start"] == mapping["end"] and any(
            maps[index + 1]["start"] <= sp < maps[index + 1]["end"] for sp in stack_pointers):
        add("thread stacks (incl. main [stack])", mapping, reserved_only=True)
    elif mapping["start"] % ARENA == 0 and perms.startswith("rw") and (
            (index + 1 < len(maps) and maps[index + 1]["start"] == mapping["end"] and maps[index + 1]["perms"].startswith("---")
             and maps[index + 1]["end"] - mapping["start"] == ARENA) or mapping["end"] - mapping["start"] == ARENA):
        add("malloc arenas (non-main)", mapping)
        mapping["arena"] = True
    elif perms.startswith("---") and index > 0 and maps[index - 1].get("arena"):
        add("malloc arenas (non-main)", mapping, reserved_only=True)
    else:
        add("other anonymous", mapping)

total = {key: sum(m[key] for m in maps) for key in ("Rss", "Pss", "Anonymous", "Dirty")}
total["reserved"] = sum((m["end"] - m["start"]) >> 10 for m in maps)
arenas = groups.get("malloc arenas (non-main)", {}).get("count", 0) and sum(1 for m in maps if m.get("arena"))
print(f"pid {pid}: {len(tasks)} threads; {arenas} non-main malloc arenas; VmHWM "
      + next(l.split(":")[1].strip() for l in open(f"/proc/{pid}/status") if l.startswith("VmHWM")))
print("threads by name: " + ", ".join(f"{name} x{count}" for name, count in sorted(thread_names.items())))
print(f"{'group (KiB)':38} {'Rss':>8} {'Pss':>8} {'Anonymous':>9} {'Dirty':>8} {'reserved':>9} {'maps':>5}")
for name, entry in sorted(groups.items(), key=lambda item: -item[1]["Rss"]):
    print(f"{name:38} {entry['Rss']:>8} {entry['Pss']:>8} {entry['Anonymous']:>9} {entry['Dirty']:>8} "
          f"{entry['reserved']:>9} {entry['count']:>5}")
print(f"{'total':38} {total['Rss']:>8} {total['Pss']:>8} {total['Anonymous']:>9} {total['Dirty']:>8} "
      f"{total['reserved']:>9} {len(maps):>5}")

if symbols_binary:
    # The binary's resident pages, by the symbol each page starts in (pagemap bit 63: present).
    base = min(m["start"] for m in maps if m["path"] == exe and m["offset"] == 0)  # the first segment: vaddr 0
    nm = subprocess.run(["nm", "--defined-only", "-n", symbols_binary], capture_output=True, text=True).stdout
    addresses, names = [], []
    for line in nm.splitlines():
        parts = line.split(maxsplit=2)
        if len(parts) == 3 and parts[1] in "tTdDbBrRvVwW":
            addresses.append(int(parts[0], 16))
            names.append(parts[2])

    def family(name):
        if name.startswith("icudt"):
            return "ICU data (icudt*_dat)"
        if name.startswith(("CCryptoBoringSSL", "_ZL24ecp_nistz256", "CCryptoBoringSSLShims")):
            return "BoringSSL (swift-crypto)"
        if name.startswith("CNIOBoringSSL"):
            return "BoringSSL (swift-nio-ssl)"
        if re.match(r"^(_ZN?\d*icu|u_|ucol_|uloc_|ures_|ubrk_|uregex_|ucnv_|_ZN6icu_)", name) or "icu_76" in name:
            return "ICU code"
        if name.startswith(("_dispatch", "dispatch_", "_os_", "_dispatch")):
            return "libdispatch"
        if name.startswith(("__CF", "CF", "_CF", "__NSCF")) or "CoreFoundation" in name:
            return "CoreFoundation"
        if name.startswith("$s") and re.match(r"^\$s(\d+)(Foundation\w*|FoundationEssentials|FoundationInternationalization)", name):
            return "Foundation (Swift)"
        if name.startswith(("$ss", "swift_", "_swift", "$sS")) or "_swift_stdlib" in name or name.startswith("_ZN5swift"):
            return "Swift runtime and stdlib"
        module = re.match(r"^\$s(\d+)", name)
        if module:
            length = int(module.group(1))
            ident = name[len(module.group(0)):len(module.group(0)) + length]
            if ident.startswith("ForwardAuth") or ident == "forward_auth":
                return "forward-auth's own modules"
            if ident.startswith("NIO") or ident.startswith("_NIO") or ident.startswith("CNIO"):
                return "SwiftNIO"
            if ident.startswith(("Hummingbird", "HTTPTypes")):
                return "Hummingbird, HTTPTypes"
            if ident.startswith(("AsyncHTTPClient", "JWTKit", "Crypto", "_Crypto", "X509", "SwiftASN1", "Yams")):
                return "AsyncHTTPClient, JWTKit, Crypto, X509, ASN1, Yams"
            return "other Swift packages"
        return "other (C/C++, unnamed)"

    # Sections without symbols of their own (unwind tables, dynamic symbols, Swift metadata) count by section.
    sections = []
    for line in subprocess.run(["readelf", "-SW", symbols_binary], capture_output=True, text=True).stdout.splitlines():
        match = re.match(r"^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if match and int(match.group(2), 16):
            sections.append((int(match.group(2), 16), int(match.group(2), 16) + int(match.group(3), 16), match.group(1)))
    by_symbol = {".text", ".rodata", ".data", ".bss", ".data.rel.ro", ".tbss", ".tdata"}

    def section_of(address):
        for start, end, name in sections:
            if start <= address < end:
                return name
        return "(between sections)"

    pagemap = open(f"/proc/{pid}/pagemap", "rb")
    resident = {}
    for mapping in maps:
        if not (mapping["path"] == exe or (mapping["start"] == last_exe_end and not mapping["path"])) or not mapping["Rss"]:
            continue
        pages = (mapping["end"] - mapping["start"]) // PAGE
        pagemap.seek(mapping["start"] // PAGE * 8)
        data = pagemap.read(pages * 8)
        for page in range(pages):
            (entry,) = struct.unpack_from("<Q", data, page * 8)
            if not entry >> 63:
                continue
            address = mapping["start"] + page * PAGE - base
            section = section_of(address)
            if section in by_symbol:
                slot = bisect.bisect_right(addresses, address) - 1
                name = f"{section}: " + (family(names[slot]) if slot >= 0 else "?")
            else:
                name = f"section {section}"
            key = (name, mapping["perms"][:3])
            resident[key] = resident.get(key, 0) + PAGE // 1024
    print(f"\nthe binary's resident pages by the symbol each starts in (KiB):")
    for (name, perms), kib in sorted(resident.items(), key=lambda item: -item[1]):
        print(f"  {name:48} {perms}  {kib:>7}")
