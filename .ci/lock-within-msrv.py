"""Fails when a locked dependency declares a rust-version above the workspace's own.

Reads `cargo metadata` from stdin. No other toolchain can be installed on our machines, so the
MSRV is proven from the lockfile's declared versions rather than by building with an old rustc.
"""
import json
import sys


def version(text):
    parts = [int(x) for x in (text or "0").split(".")]
    return tuple((parts + [0, 0, 0])[:3])


meta = json.load(sys.stdin)
ours = max(version(p.get("rust_version")) for p in meta["packages"] if p["source"] is None)
above = [
    "%s %s needs Rust %s" % (p["name"], p["version"], p["rust_version"])
    for p in meta["packages"]
    if p["source"] and p.get("rust_version") and version(p["rust_version"]) > ours
]
print("workspace rust-version %s; %d packages locked" % (".".join(map(str, ours)), len(meta["packages"])))
if above:
    sys.exit("locked dependencies above our rust-version:\n  " + "\n  ".join(above))
