#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rprocctl inspect on images from mkfw: exit codes, JSON against mkfw's own description,
# the mismatching segment named on stderr.
# Usage: test-inspect.sh MKFW RPROCCTL
set -eu
MKFW=$1
RPROCCTL=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/rprocd-inspect-XXXXXX")
trap 'rm -rf "$dir"' EXIT
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# compare DESC (mkfw --describe) with OUT (inspect --json); extra python asserts in $3
check_json() {
	python3 - "$1" "$2" "${3:-}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
o = json.load(open(sys.argv[2]))
extra = sys.argv[3]
for k in ("form", "elf_class", "mbn_version", "hash_alg", "relocatable", "min_addr",
          "max_addr", "span", "metadata_size", "hash_index"):
    assert o[k] == d[k], (k, o[k], d[k])
assert len(o["segments"]) == d["phnum"]
for s, t in zip(o["segments"], d["segments"]):
    for k in ("index", "flags", "offset", "paddr", "filesz", "memsz", "loadable", "checked",
              "hashed"):
        assert s[k] == t[k], (s["index"], k, s[k], t[k])
    assert s["type"] == t["type"] or t["type"] == "OTHER", (s["type"], t["type"])
if extra:
    exec(extra)
PY
}

for v in 3 5 6 7; do
	for f in mbn mdt; do
		for extra in "" "--elf64 --no-reloc" "--hash sha256 --segments 6 --size 300K"; do
			rm -f "$dir"/g.*
			# shellcheck disable=SC2086
			"$MKFW" -o "$dir/g.$f" --mbn-version $v --seed $v $extra --describe \
				>"$dir/d.json" 2>/dev/null
			if ! "$RPROCCTL" inspect --json "$dir/g.$f" >"$dir/o.json" 2>"$dir/err"; then
				fail "v$v $f $extra: exit $? $(cat "$dir/err")"
				continue
			fi
			check_json "$dir/d.json" "$dir/o.json" '
assert o["summary"]["checked"] == d["checked"], o["summary"]
assert o["summary"]["matched"] == d["checked"], o["summary"]
assert all(s["digest"] == ("ok" if s["checked"] else None) for s in o["segments"])
' || fail "v$v $f $extra: JSON differs"
			"$RPROCCTL" inspect "$dir/g.$f" >"$dir/h.txt" || fail "v$v $f: human exit $?"
			grep -q "matched" "$dir/h.txt" || fail "v$v $f: no summary line"
		done
	done
done

# a flipped byte: exit 1, the segment named, JSON says which
for f in mbn mdt; do
	rm -f "$dir"/b.*
	"$MKFW" -o "$dir/b.$f" --bad flip --describe >"$dir/d.json" 2>/dev/null
	seg=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bad"]["segment"])' "$dir/d.json")
	rc=0
	"$RPROCCTL" inspect --json "$dir/b.$f" >"$dir/o.json" 2>"$dir/err" || rc=$?
	[ "$rc" = 1 ] || fail "flip $f: exit $rc, want 1"
	grep -q "segment $seg: digest MISMATCH" "$dir/err" || fail "flip $f: stderr: $(cat "$dir/err")"
	check_json "$dir/d.json" "$dir/o.json" "
assert o['summary']['matched'] == o['summary']['checked'] - 1, o['summary']
assert o['segments'][$seg]['digest'] == 'mismatch'
" || fail "flip $f: JSON"
done

# images that do not parse: non-zero exit, a message, nothing on stdout
for kind in truncate huge-paddr overlap phdr-past-eof absurd absurd-size filesz-gt-memsz \
	no-hash bad-magic elf64 phdr0-load missing-bnn; do
	rm -f "$dir"/b.*
	"$MKFW" -o "$dir/b.mdt" --bad "$kind" >/dev/null 2>&1
	rc=0
	"$RPROCCTL" inspect "$dir/b.mdt" >"$dir/out" 2>"$dir/err" || rc=$?
	want=1
	[ "$kind" = missing-bnn ] && want=5
	[ "$rc" = "$want" ] || fail "$kind: exit $rc, want $want"
	[ -s "$dir/err" ] || fail "$kind: no message"
	[ -s "$dir/out" ] && fail "$kind: output on stdout"
done

# parses, but the hash segment cannot be read: exit 1 with the reason
"$MKFW" -o "$dir/v.mbn" --bad bad-version >/dev/null 2>&1
rc=0
"$RPROCCTL" inspect "$dir/v.mbn" >/dev/null 2>"$dir/err" || rc=$?
[ "$rc" = 1 ] || fail "bad-version: exit $rc"
grep -q "unknown MBN version 4" "$dir/err" || fail "bad-version: $(cat "$dir/err")"

# usage and missing files
rc=0; "$RPROCCTL" inspect >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "no file: exit $rc, want 2"
rc=0; "$RPROCCTL" inspect --bogus x >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "bad option: exit $rc, want 2"
"$RPROCCTL" inspect --help | grep -q "Usage" || fail "--help"
rc=0; "$RPROCCTL" inspect "$dir/nonexistent.mbn" >/dev/null 2>&1 || rc=$?
[ "$rc" = 5 ] || fail "missing file: exit $rc, want 5"

if [ "$fails" != 0 ]; then
	echo "$fails failure(s)" >&2
	exit 1
fi
echo "inspect: all checks passed"
