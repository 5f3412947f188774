#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""check.py RPROCCTL DTB...: `rprocctl describe --json` on real board DTBs, cross-checked.

For every DTB: rprocctl must not crash and must print valid JSON; the set of PAS nodes must
equal the nodes that `dtc -I dtb -O dts` shows with a "*-pas" compatible; each entry's
firmware names, carveouts (memory-region -> reserved-memory reg with that node's cells,
no-map), IOMMU streams and platform device name must match what the decompiled tree says;
enabled nodes must have a non-empty carveout, and no node an "error" (one the parser
refuses: an overlapping carveout, a carveout not in whole pages...).  SA8775p/QCS9100
("lemans") trees also get exact values from doc/devicetree.md#sa8775p and the carveout
addresses read with fdtget.
Prints one line per failure, a per-SoC summary and "realdtb: N passed, N failed".
"""
import collections
import json
import os
import re
import subprocess
import sys

RPROCCTL = sys.argv[1]
DTBS = sys.argv[2:]


def run(cmd, timeout=60):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


# ---- a decompiled tree ------------------------------------------------------------------

class Tree:
    """Nodes of `dtc -O dts` output: path -> {prop: raw value text or True}."""

    def __init__(self, dts):
        self.nodes = {}
        stack = []
        for line in dts.splitlines():
            s = line.strip()
            if not s or s.startswith("/dts-v1/") or s.startswith("/memreserve/"):
                continue
            if s.endswith("{"):
                name = s[:-1].strip().split()[-1]  # drop a "label:" prefix
                stack.append(name)
                self.nodes[self.path(stack)] = {}
            elif s == "};":
                stack.pop()
            elif s.endswith(";"):
                body = s[:-1]
                if " = " in body:
                    k, v = body.split(" = ", 1)
                    self.nodes[self.path(stack)][k] = v
                else:
                    self.nodes[self.path(stack)][body] = True
        self.by_phandle = {}
        for p, props in self.nodes.items():
            ph = self.cells(p, "phandle")
            if ph:
                self.by_phandle[ph[0]] = p

    @staticmethod
    def path(stack):
        if stack == ["/"]:
            return "/"
        return "/" + "/".join(stack[1:])

    def cells(self, path, prop):
        v = self.nodes.get(path, {}).get(prop)
        if v is None or v is True:
            return None
        out = []
        for group in re.findall(r"<([^>]*)>", v):
            for tok in group.split():
                out.append(int(tok, 0))
        return out

    def strings(self, path, prop):
        v = self.nodes.get(path, {}).get(prop)
        if v is None or v is True:
            return None
        out = []
        for part in re.findall(r'"((?:[^"\\]|\\.)*)"', v):
            out.extend(part.split("\\0"))
        return out

    def parent(self, path):
        return "/" if path.count("/") == 1 else path.rsplit("/", 1)[0]

    def ncells(self, path, prop, default):
        c = self.cells(path, prop)
        return c[0] if c else default


def number(cells):
    v = 0
    for c in cells:
        v = (v << 32) | c
    return v


# ---- checks -----------------------------------------------------------------------------

# doc/devicetree.md#sa8775p: SA8775p PAS data, node unit addresses and the lemans-el2 overlay
# streams.
LEMANS = {
    "adsp": (1, "30000000", "pil_adsp_mem", 0x3000, 0x0),
    "cdsp0": (18, "26300000", "pil_cdsp0_mem", 0x21C0, 0x400),
    "cdsp1": (30, "2a300000", "pil_cdsp1_mem", 0x29C0, 0x400),
    "gpdsp0": (39, "20c00000", "pil_gdsp0_mem", 0x38A0, 0x0),
    "gpdsp1": (40, "21c00000", "pil_gdsp1_mem", 0x38C0, 0x0),
}


def fdtget(dtb, *args, opts=()):
    r = run(["fdtget"] + list(opts) + [dtb] + list(args))
    if r.returncode:
        raise ValueError("fdtget %s: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout.strip()


def check_lemans(dtb, entries, errors):
    base = os.path.basename(dtb)
    for name, (pas, unit, label, sid, mask) in LEMANS.items():
        e = entries.get(name)
        if e is None:
            errors.append("lemans: no %s" % name)
            continue
        if e["pas_id"] != pas:
            errors.append("lemans %s: pas_id %s, expected %d" % (name, e["pas_id"], pas))
        if e["device"] != unit + ".remoteproc":
            errors.append("lemans %s: device %s" % (name, e["device"]))
        # the carveout, read independently: label -> path (__symbols__) -> reg
        try:
            try:
                path = fdtget(dtb, "/__symbols__", label)
            except ValueError:
                # built without -@ (Debian before 7.x): the node is named after the label
                prefix = label[:-len("_mem")].replace("_", "-") + "@"
                subs = fdtget(dtb, "/reserved-memory", opts=("-l",)).split()
                match = [n for n in subs if n.startswith(prefix)]
                if len(match) != 1:
                    raise ValueError("no unique %s* in /reserved-memory" % prefix)
                path = "/reserved-memory/" + match[0]
            reg = [int(x, 16) for x in fdtget(dtb, path, "reg", opts=("-t", "x")).split()]
            want = (number(reg[0:2]), number(reg[2:4]))
        except ValueError as ex:
            errors.append("lemans %s: %s" % (name, ex))
            continue
        got = [(c["base"], c["size"]) for c in e["carveouts"]]
        if got[:1] != [want]:
            errors.append("lemans %s: carveouts %s, fdtget says %s" % (name, got, want))
        if "-el2" in base:
            io = [(i["sid"], i["mask"]) for i in e["iommu_streams"]]
            if io != [(sid, mask)]:
                errors.append("lemans %s: iommus %s, expected %s" % (name, io, [(sid, mask)]))


def check_entry(t, e, errors):
    node = e["node"]
    props = t.nodes.get(node)
    if props is None:
        errors.append("%s: node %s not in the tree" % (e["name"], node))
        return
    where = "%s (%s)" % (e["name"], node)

    fw = t.strings(node, "firmware-name")
    got = [f for f in (e["firmware"], e["dtb_firmware"]) if f]
    if fw and got != fw:
        errors.append("%s: firmware %s, tree has %s" % (where, got, fw))

    regions = t.cells(node, "memory-region") or []
    if len(regions) != len(e["carveouts"]):
        errors.append("%s: %d carveouts, tree has %d memory-region entries"
                      % (where, len(e["carveouts"]), len(regions)))
    for ph, c in zip(regions, e["carveouts"]):
        rpath = t.by_phandle.get(ph)
        if rpath != c["node"]:
            errors.append("%s: carveout node %s, phandle 0x%x is %s" % (where, c["node"], ph, rpath))
            continue
        parent = t.parent(rpath)
        ac = t.ncells(parent, "#address-cells", 2)
        sc = t.ncells(parent, "#size-cells", 1)
        reg = t.cells(rpath, "reg")
        want = (number(reg[:ac]), number(reg[ac:ac + sc]))
        if (c["base"], c["size"]) != want:
            errors.append("%s: carveout %s = (0x%x, 0x%x), tree says (0x%x, 0x%x)"
                          % (where, rpath, c["base"], c["size"], want[0], want[1]))
        if c["no_map"] != ("no-map" in t.nodes[rpath]):
            errors.append("%s: carveout %s no_map %s" % (where, rpath, c["no_map"]))
        if c["size"] == 0:
            errors.append("%s: carveout %s has size 0" % (where, rpath))
    if e["enabled"] and not e["carveouts"]:
        errors.append("%s: enabled, but no carveout" % where)
    # real trees are clean: a node the parser refuses (an overlap, a carveout not in whole
    # pages...) is a parser bug, or a tree bug worth a look
    if e.get("error"):
        errors.append("%s: refused: %s" % (where, e["error"]))

    io = t.cells(node, "iommus") or []
    got, i = [], 0
    while i < len(io):
        target = t.by_phandle.get(io[i])
        n = t.ncells(target, "#iommu-cells", 0)
        args = io[i + 1:i + 1 + n]
        got.append({"smmu": target, "sid": args[0] if n > 0 else 0,
                    "mask": args[1] if n > 1 else 0, "cells": args})
        i += 1 + n
    if got != e["iommu_streams"]:
        errors.append("%s: iommus %s, tree says %s" % (where, e["iommu_streams"], got))

    # Platform device name (doc/devicetree.md#device-names) where the parent bus maps 1:1.
    parent = t.parent(node)
    ranges = t.nodes.get(parent, {}).get("ranges")
    pac = t.ncells(parent, "#address-cells", 2)
    reg = t.cells(node, "reg")
    identity = ranges is True
    if not identity and ranges is not None:
        r = t.cells(parent, "ranges")
        gpac = t.ncells(t.parent(parent), "#address-cells", 2)
        psc = t.ncells(parent, "#size-cells", 1)
        step = pac + gpac + psc
        identity = bool(r) and len(r) % step == 0 and all(
            number(r[k:k + pac]) == number(r[k + pac:k + pac + gpac]) for k in range(0, len(r), step))
    if reg and identity and parent != "/" and len(reg) >= pac:
        short = node.rsplit("/", 1)[1].split("@")[0]
        want = "%x.%s" % (number(reg[:pac]), short)
        if "mask" in props:
            want = None
        if want and e["device"] != want:
            errors.append("%s: device %s, expected %s" % (where, e["device"], want))


def check_dtb(dtb, stats):
    errors = []
    r = run([RPROCCTL, "describe", "--dtb", dtb, "--json"])
    if r.returncode < 0 or r.returncode >= 128:
        return ["rprocctl crashed (status %d): %s" % (r.returncode, r.stderr.strip()[-300:])]
    if r.returncode != 0:
        return ["rprocctl exit %d: %s" % (r.returncode, r.stderr.strip()[:300])]
    try:
        d = json.loads(r.stdout)
    except ValueError as ex:
        return ["invalid JSON: %s" % ex]
    for line in r.stderr.splitlines():
        stats["warnings"].append("%s: %s" % (os.path.basename(dtb), line))

    dts = run(["dtc", "-q", "-I", "dtb", "-O", "dts", dtb])
    if dts.returncode:
        return ["dtc cannot decompile it: %s" % dts.stderr.strip()[:200]]
    t = Tree(dts.stdout)
    pas_nodes = sorted(p for p in t.nodes
                       if any(c.endswith("-pas") for c in (t.strings(p, "compatible") or [])))
    got_nodes = sorted(e["node"] for e in d["rprocs"])
    if pas_nodes != got_nodes:
        errors.append("PAS nodes %s, dtc shows %s" % (got_nodes, pas_nodes))
    names = [e["name"] for e in d["rprocs"]]
    if len(set(names)) != len(names):
        errors.append("duplicate names %s" % names)
    entries = {e["name"]: e for e in d["rprocs"]}
    for e in d["rprocs"]:
        check_entry(t, e, errors)
        soc = os.path.basename(dtb).split("-")[0]
        stats["soc_nodes"][soc] += 1
        stats["names"][soc].add(e["name"])
        if e["pas_id"] is None:
            stats["unknown"].add(e["compatible"])
        if e["soc_data"] and e["soc_data"] != e["compatible"]:
            stats["fallback"].add("%s -> %s" % (e["compatible"], e["soc_data"]))
        if not re.fullmatch(r"[0-9a-f]+\.[a-z0-9-]+", e["device"]):
            stats["odd_devices"].add("%s: %s" % (os.path.basename(dtb), e["device"]))
    base = os.path.basename(dtb)
    if re.match(r"(sa8775p-ride|qcs9100-ride|lemans-)", base):
        check_lemans(dtb, entries, errors)
        stats["lemans"].append(base)
    stats["socs"].add(base.split("-")[0])
    return errors


def main():
    stats = {"soc_nodes": collections.Counter(), "names": collections.defaultdict(set),
             "unknown": set(), "fallback": set(), "odd_devices": set(), "warnings": [],
             "lemans": [], "socs": set()}
    passed = failed = 0
    for dtb in DTBS:
        try:
            errors = check_dtb(dtb, stats)
        except Exception as ex:  # a checker bug must show, not hide a DTB
            errors = ["checker error: %r" % ex]
        if errors:
            failed += 1
            for e in errors:
                print("FAIL %s: %s" % (os.path.basename(dtb), e))
        else:
            passed += 1

    with_pas = sorted(s for s in stats["soc_nodes"])
    print("realdtb: PAS nodes per SoC: " + ", ".join(
        "%s %d (%s)" % (s, stats["soc_nodes"][s], " ".join(sorted(stats["names"][s])))
        for s in with_pas))
    print("realdtb: SoC families without PAS nodes: "
          + " ".join(sorted(stats["socs"] - set(with_pas))))
    if stats["unknown"]:
        print("realdtb: compatibles with no PAS id in the SoC table: "
              + " ".join(sorted(stats["unknown"])))
    if stats["fallback"]:
        print("realdtb: matched through a fallback compatible: "
              + "; ".join(sorted(stats["fallback"])))
    if stats["odd_devices"]:
        print("realdtb: device names not of the form <addr>.<name>: "
              + "; ".join(sorted(stats["odd_devices"])))
    print("realdtb: lemans trees checked against doc/devicetree.md#sa8775p and fdtget: "
          + " ".join(stats["lemans"]))
    print("realdtb: %d warning line(s) from rprocctl on stderr" % len(stats["warnings"]))
    if os.environ.get("REALDTB_VERBOSE"):
        for w in stats["warnings"]:
            print("  " + w)
    print("realdtb: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
