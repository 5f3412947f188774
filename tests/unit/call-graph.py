#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""File-level call graph of compiled sources, from their object files.

    call-graph.py BUILDDIR [--nm NM] [--acyclic] PREFIX...

For every source under one of the PREFIXes (paths relative to the source tree, as
compile_commands.json names them, e.g. lib/lifecycle) an edge A -> B is printed when A's object
refers by name to a symbol B's object defines (a call, or the address of a function or table).
Calls through a function pointer a higher layer registered are not edges: that is the point.
Then every cycle (strongly connected component of more than one file) is printed.  With
--acyclic the exit status is 1 when there is a cycle, so that a test keeps arrows pointing down.
"""
import argparse
import json
import os
import subprocess
import sys


def symbols(nm, obj):
    out = subprocess.run([nm, '--defined-only', obj], capture_output=True, text=True,
                         check=True).stdout
    defined = {l.split()[2] for l in out.splitlines() if len(l.split()) == 3 and
               l.split()[1].isupper()}
    out = subprocess.run([nm, '--undefined-only', obj], capture_output=True, text=True,
                         check=True).stdout
    used = {l.split()[-1] for l in out.splitlines() if l.strip()}
    return defined, used


def cycles(nodes, edges):
    """Tarjan's strongly connected components of more than one node."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('builddir')
    ap.add_argument('prefix', nargs='+')
    ap.add_argument('--nm', default='nm')
    ap.add_argument('--acyclic', action='store_true')
    a = ap.parse_args()

    with open(os.path.join(a.builddir, 'compile_commands.json')) as f:
        db = json.load(f)
    with open(os.path.join(a.builddir, 'meson-info', 'meson-info.json')) as f:
        top = json.load(f)['directories']['source']
    prefixes = [p.rstrip('/') + '/' for p in a.prefix]
    files = {}
    for e in db:
        src = os.path.relpath(os.path.join(e['directory'], e['file']), top)
        if any(src.startswith(p) for p in prefixes) and src not in files:
            files[src] = os.path.join(e['directory'], e['output'])
    if not files:
        sys.exit(f'call-graph: no compiled source under {" ".join(a.prefix)}')

    syms = {src: symbols(a.nm, obj) for src, obj in files.items()}
    owner = {}
    for src, (defined, _) in syms.items():
        for s in defined:
            owner[s] = src
    edges = {}
    for src, (_, used) in sorted(syms.items()):
        by = {}
        for s in used:
            if s in owner and owner[s] != src:
                by.setdefault(owner[s], []).append(s)
        for dst, names in sorted(by.items()):
            edges.setdefault(src, set()).add(dst)
            print(f'{src} -> {dst}: {", ".join(sorted(names))}')
    found = cycles(files, edges)
    for c in found:
        print(f'cycle ({len(c)} files): {" ".join(c)}')
    if not found:
        print(f'no cycle among {len(files)} files')
    return 1 if a.acyclic and found else 0


if __name__ == '__main__':
    sys.exit(main())
