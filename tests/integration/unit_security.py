# SPDX-License-Identifier: GPL-2.0-or-later
"""systemd-analyze security --offline on the built rprocd.service: exposure must be <= 2.0."""
import re
import subprocess
import sys

analyze, unit = sys.argv[1], sys.argv[2]
p = subprocess.run([analyze, 'security', '--offline=yes', '--no-pager', unit],
                   capture_output=True, text=True)
m = re.search(r'Overall exposure level for \S+: (\d+\.\d+)', p.stdout)
if not m:
    if 'Unknown command verb' in p.stderr or 'unrecognized option' in p.stderr:
        print('SKIP: this systemd-analyze has no --offline')
        sys.exit(77)
    print(p.stdout, p.stderr)
    sys.exit(1)
score = float(m.group(1))
print(f'exposure {score}')
for line in p.stdout.splitlines():
    if line.startswith('✗'):
        print(line.rstrip())
sys.exit(0 if score <= 2.0 else 1)
