#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Count results in meson test logs: prints 'label: N passed, N failed, N skipped'."""
import json
import sys

label, paths = sys.argv[1], sys.argv[2:]
passed = failed = skipped = 0
for path in paths:
    try:
        with open(path) as f:
            for line in f:
                r = json.loads(line).get('result')
                if r in ('OK', 'EXPECTEDFAIL'):
                    passed += 1
                elif r == 'SKIP':
                    skipped += 1
                else:
                    failed += 1
    except FileNotFoundError:
        failed += 1
        print(f'{label}: no test log at {path}', file=sys.stderr)
print(f'{label}: {passed} passed, {failed} failed, {skipped} skipped')
