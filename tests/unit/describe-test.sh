#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# describe-test.sh RPROCCTL FIXTURE_DIR: `rprocctl describe` on the fixture trees, checked
# field by field (JSON through python3's json module), plus exit codes and messages on errors.
# When this script itself runs under valgrind (meson test --setup=valgrind), every rprocctl
# it starts runs under valgrind as well.
set -u
RPROCCTL=$1
FIX=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

WRAP=()
if readlink "/proc/$$/exe" 2>/dev/null | grep -q valgrind; then
	WRAP=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all --quiet)
fi

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }

# run NAME EXPECTED_RC ARGS...: stdout in $TMP/out, stderr in $TMP/err
run() {
	local name=$1 want=$2 rc
	shift 2
	"${WRAP[@]}" "$RPROCCTL" describe "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" = "$want" ]; then
		ok "$name: exit $rc"
	else
		bad "$name: exit $rc, expected $want"
		sed 's/^/    stderr: /' "$TMP/err"
	fi
}

# check NAME PYTHON: evaluate assertions with `d` = the parsed JSON of $TMP/out
check() {
	local name=$1 code=$2
	if python3 - "$TMP/out" "$code" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = {e["name"]: e for e in d["rprocs"]}
exec(sys.argv[2])
PY
	then ok "$name"; else bad "$name"; fi
}

run "lemans json" 0 --dtb "$FIX/lemans-el2.dtb" --json
check "lemans json fields" '
assert list(d) == ["source", "model", "compatible", "rprocs"], list(d)
assert d["model"] == "rprocd test board: SA8775p (lemans) EL2"
assert [e["name"] for e in d["rprocs"]] == ["gpdsp0", "gpdsp1", "cdsp0", "cdsp1", "adsp"]
want = {  # name: pas_id, node unit, carveout base, sid, mask (doc/devicetree.md#sa8775p)
    "adsp": (1, "30000000", 0x95900000, 0x3000, 0),
    "cdsp0": (18, "26300000", 0x9b500000, 0x21c0, 0x400),
    "cdsp1": (30, "2a300000", 0x9d400000, 0x29c0, 0x400),
    "gpdsp0": (39, "20c00000", 0x97800000, 0x38a0, 0),
    "gpdsp1": (40, "21c00000", 0x99600000, 0x38c0, 0),
}
for n, (pas, unit, base, sid, mask) in want.items():
    e = r[n]
    assert e["pas_id"] == pas and type(e["pas_id"]) is int, (n, e["pas_id"])
    assert e["dtb_pas_id"] is None
    assert e["compatible"] == "qcom,sa8775p-%s-pas" % n
    assert e["node"] == "/soc@0/remoteproc@" + unit
    assert e["device"] == unit + ".remoteproc"
    assert e["status"] == "okay" and e["enabled"] is True
    assert e["firmware"] == "qcom/sa8775p/%s.mbn" % n and e["dtb_firmware"] is None
    assert e["carveouts"] == [{"node": e["carveouts"][0]["node"], "base": base,
                               "size": 0x1e00000, "no_map": True}], e["carveouts"]
    assert e["iommu_streams"] == [{"smmu": "/soc@0/iommu@15000000", "sid": sid, "mask": mask,
                            "cells": [sid, mask]}], e["iommu_streams"]
    assert e["interrupts"] == ["wdog", "fatal", "ready", "handover", "stop-ack"]
    assert e["smem_states"] == ["stop"]
    assert e["devmem"] == []
'
[ ! -s "$TMP/err" ] && ok "lemans: no warnings" || bad "lemans: unexpected stderr: $(cat "$TMP/err")"

run "devmem json" 0 --json --dtb "$FIX/devmem.dtb"
check "devmem rows" '
rows = r["adsp"]["devmem"]
assert len(rows) == 18, len(rows)
assert rows[0] == {"da": 0x110000, "pa": 0x110000, "size": 0x4000, "flags": 1}, rows[0]
assert rows[9] == {"da": 0x149000, "pa": 0x149000, "size": 0xe000, "flags": 3}, rows[9]
assert rows[17] == {"da": 0x184000, "pa": 0x184000, "size": 0x1000, "flags": 1}
assert all(x["da"] == x["pa"] for x in rows)
assert [x["flags"] for x in r["cdsp0"]["devmem"]] == [3, 1]
assert r["adsp"]["carveouts"][0]["base"] == 0x95c00000
'

run "x1e json" 0 --dtb "$FIX/x1e80100.dtb" --json
check "x1e dtb images" '
a, c = r["adsp"], r["cdsp"]
assert a["dtb_pas_id"] == 0x24 and a["lite_pas_id"] == 0x1f and a["pas_id"] == 1
assert c["dtb_pas_id"] == 0x25 and c["lite_pas_id"] is None
assert [a["firmware"], a["dtb_firmware"]] == ["qcom/x1e80100/adsp.mbn", "qcom/x1e80100/adsp_dtb.mbn"]
assert [(x["base"], x["size"]) for x in a["carveouts"]] == [(0x87e00000, 0x3a00000), (0x8b800000, 0x80000)]
assert [(x["base"], x["size"]) for x in c["carveouts"]] == [(0x8b900000, 0x2000000), (0x8d900000, 0x80000)]
assert a["iommu_streams"] == [] and a["device"] == "6800000.remoteproc"
'

run "odd json" 0 --dtb "$FIX/odd.dtb" --json
check "odd board" '
assert [e["name"] for e in d["rprocs"]] == ["dsp", "dsp-2", "cdsp", "slpi"]
assert r["dsp"]["pas_id"] is None and r["dsp"]["soc_data"] is None and r["dsp"]["auto_boot"] is None
assert r["dsp"]["iommu_streams"] == [{"smmu": "/iommu@1500000", "sid": 0x40, "mask": 0, "cells": [0x40]}]
assert r["dsp-2"]["device"] == "5000000.8.pas"
assert r["cdsp"]["status"] == "disabled" and r["cdsp"]["enabled"] is False
assert r["cdsp"]["device"] == "10200000.remoteproc" and r["cdsp"]["pas_id"] == 18
assert r["slpi"]["soc_data"] == "qcom,sm8350-slpi-pas" and r["slpi"]["pas_id"] == 12
assert r["slpi"]["firmware"] == "slpi.mdt" and r["slpi"]["firmware_from_dt"] is False
assert r["slpi"]["carveouts"][0]["no_map"] is False
assert r["slpi"]["device"] == "nobus:remoteproc@3"
'
grep -q 'warning: dsp: no PAS id known for acme,widget9-dsp-pas; set PasId= in the \[dsp\] section' "$TMP/err" &&
	ok "odd: unknown compatible warned on stderr" || bad "odd: no warning for the unknown compatible"

run "lemans human" 0 --dtb "$FIX/lemans-el2.dtb"
if grep -q '^cdsp1$' "$TMP/out" && grep -qE '^  Device: +2a300000\.remoteproc$' "$TMP/out" &&
	grep -qE '^  PAS id: +30$' "$TMP/out" &&
	grep -qE '^  IOMMU streams: +/soc@0/iommu@15000000 sid 0x29c0 mask 0x400$' "$TMP/out" &&
	grep -qE '^  Carveouts: +base 0x9d400000 size 0x1e00000 \(30 MiB\) no-map' "$TMP/out" &&
	grep -q '^5 PAS remote processors$' "$TMP/out"; then
	ok "lemans human output"
else
	bad "lemans human output"
	cat "$TMP/out"
fi
run "odd human" 0 --dtb "$FIX/odd.dtb"
grep -qE '^  PAS id: +unknown' "$TMP/out" && ok "odd human: unknown PAS id" || bad "odd human: unknown PAS id"

# errors: exit codes, message on stderr, nothing on stdout
run "missing file" 5 --dtb "$TMP/none.dtb" --json
grep -q "none.dtb: no such file" "$TMP/err" && [ ! -s "$TMP/out" ] && ok "missing file message" ||
	bad "missing file message"
printf "/dts-v1/;\n/ { model = \"this is device tree source, not a blob\"; };\n" >"$TMP/text.dtb"
run "not a dtb" 1 --dtb "$TMP/text.dtb"
grep -q "magic" "$TMP/err" && [ ! -s "$TMP/out" ] && ok "not a dtb message" || bad "not a dtb message"
head -c 1000 "$FIX/lemans-el2.dtb" >"$TMP/trunc.dtb"
run "truncated dtb" 1 --dtb "$TMP/trunc.dtb" --json
grep -q "truncated" "$TMP/err" && ok "truncated message" || bad "truncated message"
run "bad option" 2 --frobnicate
run "extra argument" 2 --dtb "$FIX/odd.dtb" extra
run "help" 0 --help
grep -q "^Usage: rprocctl describe" "$TMP/out" && ok "help text" || bad "help text"

# the live tree: parseable, or a clear error (no device tree on this machine, not root)
"${WRAP[@]}" "$RPROCCTL" describe --json >"$TMP/out" 2>"$TMP/err"
rc=$?
case $rc in
0) check "live tree" 'assert isinstance(d["rprocs"], list)' ;;
5 | 4) grep -q "/sys/firmware/fdt" "$TMP/err" && ok "live tree absent: exit $rc, clear message" ||
	bad "live tree message" ;;
*) bad "live tree: exit $rc" ;;
esac

echo "describe: $pass passed, $fail failed"
[ "$fail" = 0 ]
