#!/usr/bin/env python3
"""patch.py BUNDLE OUT what: an edit of a release's bytes, for tests.
   push-int OLD NEW   the first PUSH_INT OLD in the code becomes PUSH_INT NEW
   cut-sealed N       the sealed section (format 5, the last) loses its last N bytes
Offsets come from the section table (docs/bytecode.md)."""
import struct, sys

def sections(b):
    names = ["meta", "strings", "fields", "elem_fields", "members", "sets", "set_values", "constants",
             "tables", "table_hashes", "table_key", "tiers", "rules", "stages", "stage_rules", "thresholds",
             "blocks", "code", "lines", "sources", "digests", "source_text", "indexes", "index_words", "says", "sealed"]
    n = struct.unpack_from("<I", b, 24)[0]
    out = {}
    for i in range(n):
        _id, _z, off, ln = struct.unpack_from("<IIQQ", b, 32 + 24 * i)
        out[names[_id - 1]] = (off, ln)
    return out

b = bytearray(open(sys.argv[1], "rb").read())
what = sys.argv[3]
s = sections(b)
if what == "push-int":
    off, ln = s["code"]
    old = bytes([0]) + struct.pack("<q", int(sys.argv[4]))  # PUSH_INT is opcode 0
    at = b.find(old, off, off + ln)
    if at < 0:
        sys.exit("no PUSH_INT %s in the code" % sys.argv[4])
    b[at + 1:at + 9] = struct.pack("<q", int(sys.argv[5]))
elif what == "cut-sealed":
    off, ln = s["sealed"]
    n = int(sys.argv[4])
    end = off + ln - n
    total = (end + 7) & ~7
    b = b[:end] + bytes(total - end)
    struct.pack_into("<Q", b, 32 + 24 * 25 + 16, ln - n)
    struct.pack_into("<Q", b, 16, total)
else:
    sys.exit("unknown edit " + what)
open(sys.argv[2], "wb").write(b)
