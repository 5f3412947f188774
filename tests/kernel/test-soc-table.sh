#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-soc-table.sh GEN TABLE: the module's table (kernel/soc_table.h) is exactly what
# gen-soc-table makes of librproc's (lib/parse/soc.c), so the two cannot drift.
gen=$1
table=$2
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
"$gen" >"$out" || exit 1
if ! diff -u "$table" "$out"; then
	echo "kernel/soc_table.h differs from lib/parse/soc.c: regenerate it with" >&2
	echo "  $gen > $table" >&2
	exit 1
fi
echo "kernel/soc_table.h matches lib/parse/soc.c ($(grep -c '^	{ "' "$table") compatibles)"
