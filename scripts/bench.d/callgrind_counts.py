"""Prints the instructions (Ir) and the allocations (calls to malloc, calloc, realloc and the aligned allocators)
that a callgrind output file recorded, as "IR ALLOCATIONS".

Usage: callgrind_counts.py CALLGRIND_OUT_FILE

Callgrind compresses names: `fn=(12) malloc` names id 12 once, later lines say `cfn=(12)`. A `calls=N …` line
counts the calls to the function the last `cfn=` named."""
import re
import sys

ALLOCATORS = {"malloc", "calloc", "realloc", "posix_memalign", "aligned_alloc", "memalign", "valloc"}
names = {}
total = None
allocations = 0
callee = None
with open(sys.argv[1], errors="replace") as out:
    for line in out:
        if line.startswith(("fn=", "cfn=", "cfi=", "cfl=", "fl=", "fi=", "fe=", "ob=", "cob=")):
            key, _, rest = line.rstrip("\n").partition("=")
            match = re.match(r"\((\d+)\)(?: (.*))?", rest)
            ident, name = (match.group(1), match.group(2)) if match else (None, rest)
            if key in ("fn", "cfn") and ident is not None:
                if name is not None:
                    names[ident] = name
                name = names.get(ident, "")
            if key == "cfn":
                callee = name
        elif line.startswith("calls="):
            if callee in ALLOCATORS:
                allocations += int(line[6:].split()[0])
        elif line.startswith(("totals:", "summary:")):
            total = int(line.split()[1])
if total is None:
    sys.exit(f"{sys.argv[1]}: no totals line")
print(total, allocations)
