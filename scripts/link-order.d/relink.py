"""Links the release forward-auth again, as SwiftPM last did but without the layout script, to another path and
with lld's map of where every input section went (scripts/link-order reads the map to choose the order). SwiftPM
keeps each command in its build manifest; this one is the command whose output is the binary.

Usage: relink.py MANIFEST BINARY OUT MAP   (MANIFEST: .build/release.yaml; BINARY: the path SwiftPM links to)"""
import json
import subprocess
import sys

manifest, binary, out, map_path = sys.argv[1:5]
with open(manifest) as lines:
    commands = [json.loads(line.split("args: ", 1)[1]) for line in lines if line.lstrip().startswith("args: [")]
links = [args for args in commands if "-emit-executable" in args and args[args.index("-o") + 1] == binary]
if len(links) != 1:
    sys.exit(f"relink.py: {len(links)} link commands for {binary} in {manifest} (build it first)")
args = links[0]
args[args.index("-o") + 1] = out
# Without the layout script (text-layout.ld): valgrind does not report code that runs in an output section of
# its own, so the profiled binary keeps all of it in .text.
for index in reversed(range(1, len(args))):
    if args[index].startswith("--script=") and args[index - 1] == "-Xlinker":
        del args[index - 1:index + 1]
# --no-demangle: the map names C++ functions as the order file must, mangled.
subprocess.run(args + ["-Xlinker", f"-Map={map_path}", "-Xlinker", "--no-demangle"], check=True)
