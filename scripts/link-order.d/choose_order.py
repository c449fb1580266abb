"""Chooses the layout of the release link's code (scripts/link-order): which input sections of `.text` a profiled
run executed, and how each can be placed with the others.

Usage: choose_order.py MAP PROFILE SYMBOLS ORDER SCRIPT
  MAP      lld's -Map of the profiled binary (linked with --no-demangle)
  PROFILE  callgrind's profile of it (--dump-instr=yes --compress-pos=no --compress-strings=no)
  SYMBOLS  `nm -S --defined-only` of it
  ORDER    the --symbol-ordering-file to write (Sources/forward-auth/link-order.txt)
  SCRIPT   the linker script to write (Sources/forward-auth/text-layout.ld)

An executed section is placed one of three ways:
- by a symbol in the order file, when one of its names belongs to it alone. A name can stand for several sections:
  local symbols of one name (`objectdestroyTm`, `__swift_destroy_boxed_opaque_existential_1Tm`, value witnesses)
  exist in many objects, and lld places every section that defines a listed name, even the toolchain's
  whole-object `.text` sections (one such name pulled the 475 KiB `.text` of `_RegexParser.o` among the hot
  functions). A name that brings along more than PULL_LIMIT bytes of other sections is not used.
- by its file and section name in the linker script, when it has no such name: private functions
  (`.text..Lobjectdestroy`, `.text..L__unnamed_1`: no symbol at all) and local names many objects share, each in
  a section of its own when every module is built with one section per function (scripts/swift-release). The
  script gathers them in `.text.hot`, just before `.text`. (valgrind reports no code that runs in an output
  section other than `.text`, so the profiled binary is linked without the script: relink.py.)
- not at all: a whole-object section of the toolchain without a name of its own (few, see the summary line).

Order-file sections go dense first (executed bytes over size): the toolchain's archives hold whole objects in one
`.text` (1.5 MiB for the standard library's `Swift.o`, of which a run executes under 100 KiB), and placed last only
the 64 KiB the kernel maps around each executed function become resident, not the stretch between them."""
import bisect
import collections
import os
import re
import sys

PULL_LIMIT = 4096  # bytes of other sections a name may bring along
DENSE = 0.5        # sections at least this full of executed functions, or at most a page, come first

map_path, profile_path, symbols_path, order_path, script_path = sys.argv[1:6]

# lld's map: "VMA LMA Size Align Out In Symbol", indented by column; an output section at indent 0, an input
# section at 8, a symbol at 16.
line_format = re.compile(r"\s*([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+ (.*)$")
sections = []  # [address, size, "file:(section)", [(address, symbol)]]
in_text = False
with open(map_path) as map_file:
    for line in map_file:
        match = line_format.match(line.rstrip("\n"))
        if not match:
            continue
        address, size, body = int(match.group(1), 16), int(match.group(2), 16), match.group(3)
        indent = len(body) - len(body.lstrip(" "))
        if indent == 0:
            in_text = body.strip() == ".text"
        elif in_text and indent == 8:
            sections.append([address, size, body.strip(), []])
        elif in_text and indent >= 16 and sections:
            sections[-1][3].append((address, body.strip()))
sections.sort()
starts = [section[0] for section in sections]

sizes = {}
with open(symbols_path) as symbols_file:
    for line in symbols_file:
        fields = line.split()
        if len(fields) == 4 and fields[2] in "tTwW":
            sizes[(int(fields[0], 16), fields[3])] = int(fields[1], 16)

# callgrind's positions are the binary's own addresses for a PIE (checked below). Only the profiled binary's object
# ("ob=") counts, not the shared libraries', and "???": callgrind names no object for code without a symbol (the
# private functions), and valgrind maps the libraries far above the binary, so those addresses are the binary's.
function_line = re.compile(r"^fn=(?:\(\d+\) )?(.+)$")
object_line = re.compile(r"^ob=(?:\(\d+\) )?(.+)$")
position_line = re.compile(r"^(0x[0-9a-f]+)\s")
by_name = collections.defaultdict(list)
for (address, name) in sizes:
    by_name[name].append(address)
executed = []
offsets = collections.Counter()
program = None  # the profiled binary, as callgrind names it on its "cmd:" line
in_program = False
current = None
with open(profile_path) as profile:
    for line in profile:
        if line.startswith("cmd:"):
            program = line.split()[1]
            continue
        match = object_line.match(line)
        if match:
            in_program = match.group(1) in (program, "???")
            continue
        match = function_line.match(line)
        if match:
            current = match.group(1)
            continue
        match = position_line.match(line)
        if match and in_program:
            address = int(match.group(1), 16)
            executed.append(address)
            if current is not None and len(by_name.get(current, ())) == 1:
                offsets[address - by_name[current][0]] += 1
                current = None
if not offsets:
    sys.exit("choose_order.py: no profiled function matched a symbol: was the profile made with --dump-instr=yes?")
base = offsets.most_common(1)[0][0]
if base != 0:
    sys.exit(f"choose_order.py: callgrind's addresses are {base:#x} off the binary's")

hot_symbols = collections.defaultdict(set)  # section index -> executed symbols' (address, name)
symbol_starts = {}
for address in executed:
    index = bisect.bisect_right(starts, address) - 1
    if index < 0 or address >= sections[index][0] + sections[index][1]:
        continue
    symbols = sections[index][3]
    if index not in symbol_starts:
        symbol_starts[index] = [symbol[0] for symbol in symbols]
    position = bisect.bisect_right(symbol_starts[index], address) - 1
    hot_symbols[index].add(symbols[position] if position >= 0 else None)

defined_in = collections.defaultdict(set)
for index, section in enumerate(sections):
    for _, name in section[3]:
        defined_in[name].add(index)

input_section = re.compile(r"^(.*):\((\.text\..+)\)$")  # a section of its own: "file:(.text.NAME)"


def script_pattern(name):
    """The linker script's pattern for one input section: its file by the last two path components (a module's
    `Module.build/File.swift.o`, or an archive member `libX.a(member.o)` as lld matches it, `libX.a:member.o`),
    so that it holds in any build directory. None for a whole-object `.text`."""
    match = input_section.match(name)
    if not match:
        return None
    file, section = match.groups()
    archive = re.match(r"^(.*)\((.+)\)$", file)
    file = f"{os.path.basename(archive.group(1))}:{archive.group(2)}" if archive else \
        "/".join(file.split("/")[-2:])
    return f"*{file}({section})"


ordered = []  # (dense first, -density, name)
scripted = []  # patterns
unplaced = 0
for index, symbols in hot_symbols.items():
    _, size, name, defined = sections[index]
    best = None
    for _, symbol in defined:
        pulled = sum(sections[other][1] for other in defined_in[symbol] if other != index)
        if pulled <= PULL_LIMIT and (best is None or pulled < best[0]):
            best = (pulled, symbol)
    if best is not None:
        executed_bytes = sum(sizes.get(symbol, 0) for symbol in symbols if symbol is not None) or min(size, 64)
        density = min(1.0, executed_bytes / size) if size else 1.0
        dense = size <= 4096 or density >= DENSE
        # Dense ones by name: they are all resident together anyway, and the list's diffs stay small.
        ordered.append((0, 0.0, best[1]) if dense else (1, -density, best[1]))
    elif (pattern := script_pattern(name)) is not None:
        scripted.append(pattern)
    else:
        unplaced += 1
ordered.sort()
scripted.sort()

with open(order_path, "w") as out:
    for _, _, name in ordered:
        out.write(name + "\n")
with open(script_path, "w") as out:
    out.write("""/* Written by scripts/link-order (scripts/link-order.d/choose_order.py): do not edit.
   Added to lld's default layout by the release link (Package.swift). The functions start-up and the request paths
   ran that link-order.txt cannot name, gathered just before .text, whose start holds the ordered functions:
   private functions (.text..L*: closures' objectdestroy, unnamed thunks; no symbol at all) and local names that
   many objects share. Left where they are, each would keep its own 64 KiB of the binary resident. */
SECTIONS {
  .text.hot : {
""")
    for pattern in scripted:
        out.write(f"    {pattern}\n")
    out.write("""  }
} INSERT BEFORE .text;
""")
dense = sum(1 for entry in ordered if entry[0] == 0)
print(f"link-order: {len(hot_symbols)} executed sections: {len(ordered)} in {order_path} ({dense} dense, "
      f"{len(ordered) - dense} sparse), {len(scripted)} in {script_path}, {unplaced} whole-object sections unplaced")
