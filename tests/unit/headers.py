#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every public header compiles on its own, in C and in C++.

    headers.py INCLUDE_DIR CC [--cxx CXX]

For each INCLUDE_DIR/rproc/*.h, a translation unit holding only `#include <rproc/NAME>` is
compiled with -Wall -Wextra -Werror and only INCLUDE_DIR on the include path: a header that
relies on another being included first, or on a private header of the source tree, fails.
CC and CXX may carry arguments ("ccache cc"); without --cxx the C++ pass is skipped.
"""
import argparse
import glob
import os
import shlex
import subprocess
import sys


def compile_alone(cmd, lang, inc, name):
    src = f'#include <rproc/{name}>\n'
    args = shlex.split(cmd) + ['-x', lang, '-fsyntax-only', '-Wall', '-Wextra', '-Werror',
                               f'-I{inc}', '-']
    r = subprocess.run(args, input=src, capture_output=True, text=True)
    if r.returncode:
        print(f'{name} does not compile alone as {lang}:\n{r.stderr}')
    return r.returncode == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('include_dir')
    ap.add_argument('cc')
    ap.add_argument('--cxx')
    a = ap.parse_args()
    headers = sorted(glob.glob(os.path.join(a.include_dir, 'rproc', '*.h')))
    if not headers:
        sys.exit(f'headers: no header in {a.include_dir}/rproc')
    ok = True
    for h in headers:
        name = os.path.basename(h)
        ok &= compile_alone(a.cc, 'c', a.include_dir, name)
        if a.cxx:
            ok &= compile_alone(a.cxx, 'c++', a.include_dir, name)
    print(f'{len(headers)} headers, C{" and C++" if a.cxx else ""}: '
          f'{"all compile alone" if ok else "failures above"}')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
