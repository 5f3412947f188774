#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Each man page renders without a groff warning (-ww) and without the defects a warning does
# not catch: words glued to an option (".BR rprocd \-\-simulate" gives "rprocd--simulate"),
# escapes or requests left in the text, references to notes outside the repository.
# Usage: man_lint.sh PAGE...
set -u
export LC_ALL=C.UTF-8
fail=0
for page in "$@"; do
	warn=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	[ -z "$warn" ] || { echo "$page: groff: $warn"; fail=1; }
	text=$(groff -man -Tutf8 -P-cbou "$page" 2>/dev/null)
	while IFS= read -r pat; do
		what=${pat%%	*}
		re=${pat#*	}
		hits=$(grep -nE -- "$re" <<<"$text")
		[ -z "$hits" ] || { echo "$page: $what:"; echo "$hits" | sed 's/^/    /'; fail=1; }
	done <<'PATTERNS'
a word glued to an option (.BR with a space inside one argument)	[A-Za-z0-9)]--[a-z]
a word glued to a section reference	[a-z][a-z]\([1-8]\)[A-Za-z]
an escape left in the text	\\[fe-]|\\\(
a request left in the text	^ *\.(B|I|BR|IR|RB|RI|TP|PP|SH|TQ)( |$)
a reference to out-of-tree notes	DOMAIN|§
PATTERNS
done
[ "$fail" = 0 ] && echo "ok: $# pages"
exit $fail
