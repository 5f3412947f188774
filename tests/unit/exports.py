#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""librproc.so exports exactly the functions its public headers declare.

    exports.py NM LIBRARY HEADER_DIR

Compares `nm -D --defined-only LIBRARY` with the functions declared in HEADER_DIR/*.h, both
ways: an exported symbol no header declares is an internal leaking out (or data, which the
API has none of); a declared function the library does not export cannot be linked against.
Names a backend module defines rather than librproc (the *_SYMBOL strings of
backend-module.h) are left out of the declared set.
"""
import glob
import os
import re
import subprocess
import sys


def declared_functions(text):
    """Names of the functions a C header declares at file scope (not static inline ones)."""
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'//[^\n]*', ' ', text)
    text = re.sub(r'^[ \t]*#(?:[^\n]*\\\n)*[^\n]*', ' ', text, flags=re.M)
    text = re.sub(r'__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)', ' ', text)
    stmts, stmt, depth = [], '', 0
    for ch in text:
        if ch == '{':
            depth += 1
            if depth == 1:
                stmt += '{}'
            continue
        if ch == '}':
            depth -= 1
            if depth == 0 and re.search(r'\)\s*\{\}$', stmt):
                stmts.append(stmt)  # a function body ends the definition
                stmt = ''
            continue
        if depth:
            continue
        if ch == ';':
            stmts.append(stmt)
            stmt = ''
        else:
            stmt += ch
    names = set()
    for s in stmts:
        s = ' '.join(s.split())
        if s.startswith('typedef') or s.startswith('static') or s.endswith('{}'):
            continue
        m = re.match(r'^[^()]*?\b([A-Za-z_]\w*)\s*\(', s)
        if m:
            names.add(m.group(1))
    return names


def main():
    nm, lib, hdir = sys.argv[1:4]
    headers = sorted(glob.glob(os.path.join(hdir, '*.h')))
    if not headers:
        sys.exit(f'exports: no header in {hdir}')
    declared, module_defined = set(), set()
    for h in headers:
        with open(h) as f:
            text = f.read()
        declared |= declared_functions(text)
        module_defined |= set(re.findall(r'#define\s+\w+_SYMBOL\s+"(\w+)"', text))
    declared -= module_defined

    out = subprocess.run([nm, '-D', '--defined-only', lib], capture_output=True, text=True,
                         check=True).stdout
    exported, wrong_kind = set(), []
    for line in out.splitlines():
        f = line.split()
        if len(f) != 3 or f[1] == 'A':  # A: the version node
            continue
        name = f[2].split('@')[0]  # rproc_x@@LIBRPROC_0
        exported.add(name)
        if f[1] not in ('T', 'W', 'i'):
            wrong_kind.append(f'{name} ({f[1]})')

    ok = True
    for name in sorted(exported - declared):
        print(f'exported but in no public header: {name}')
        ok = False
    for name in sorted(declared - exported):
        print(f'declared in a public header but not exported: {name}')
        ok = False
    for what in wrong_kind:
        print(f'exported but not a function: {what}')
        ok = False
    print(f'{len(exported)} symbols exported, {len(declared)} functions declared')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
