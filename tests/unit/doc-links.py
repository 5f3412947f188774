#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""doc-links.py SOURCE_ROOT: the tree explains itself from doc/, and its pointers there resolve.

Fails when
- a file outside doc/ cites the design notes that were never in the repository ("DOMAIN" plus a
  section, or a bare section sign followed by a number): point at doc/<file>.md#<anchor> or at
  a man page instead;
- a reference doc/<file>.md[#anchor] anywhere in the tree, or a relative link inside doc/, names
  a file or a heading that does not exist.
Anchors are derived from headings the way GitHub renders them: lower case, punctuation dropped,
spaces turned into dashes, "-1", "-2", ... appended to repeats.
Prints one line per problem and "doc-links: N files, N references checked, N problems".
"""
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else '.')
SELF = os.path.relpath(os.path.abspath(__file__), ROOT)

# Built from parts so that this file does not match itself.
SECTION = '\u00a7'
OLD_NOTES = re.compile('DOMAIN(?:\\.md)?(?: notes)?,? *(?:' + SECTION + '|section +\\d|\\d+\\.\\d)')
BARE_SECTION = re.compile(SECTION + ' ?\\d')
DOC_REF = re.compile(r'\bdoc/([A-Za-z0-9_.-]+\.md)(?:#([A-Za-z0-9_-]+))?')
MD_LINK = re.compile(r'\]\(([^)\s]+)\)')
HEADING = re.compile(r'^(#{1,6})\s+(.*?)\s*#*\s*$')


def tracked_files():
    try:
        out = subprocess.run(['git', '-C', ROOT, 'ls-files', '-z'], capture_output=True,
                             check=True).stdout
        files = [f for f in out.decode().split('\0') if f]
        if files:
            return files
    except (OSError, subprocess.CalledProcessError):
        pass
    files = []  # not a git checkout (a release tarball): every file but build trees
    for d, dirs, names in os.walk(ROOT):
        dirs[:] = [x for x in dirs if x != '.git' and
                   not os.path.exists(os.path.join(d, x, 'meson-private'))]
        files += [os.path.relpath(os.path.join(d, n), ROOT) for n in names]
    return files


def slug(text):
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', text)  # a link shows its text
    text = re.sub(r'<[^>]+>', '', text)
    return re.sub(r'[^\w\- ]', '', text.strip().lower()).replace(' ', '-')


def anchors(path):
    seen, out, fence = {}, set(), False
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.lstrip().startswith('```'):
                fence = not fence
                continue
            m = None if fence else HEADING.match(line)
            if not m:
                continue
            s = slug(m.group(2))
            n = seen.get(s, 0)
            seen[s] = n + 1
            out.add(s if n == 0 else '%s-%d' % (s, n))
    return out


def main():
    files = tracked_files()
    docs = {os.path.basename(f): f for f in files if f.startswith('doc/') and f.endswith('.md')}
    cache = {}
    problems, refs = [], 0

    def resolve(where, name, anchor):
        nonlocal refs
        refs += 1
        if name not in docs:
            problems.append('%s: doc/%s does not exist' % (where, name))
            return
        if anchor is None:
            return
        if name not in cache:
            cache[name] = anchors(os.path.join(ROOT, docs[name]))
        if anchor not in cache[name]:
            problems.append('%s: doc/%s has no heading with anchor #%s' % (where, name, anchor))

    if not docs:
        problems.append('doc/: no notes found under %s' % ROOT)
    for f in files:
        if f == SELF:
            continue
        try:
            with open(os.path.join(ROOT, f), 'rb') as fh:
                text = fh.read().decode('utf-8', errors='replace')
        except OSError:
            continue  # a tracked file deleted in the work tree
        in_doc = f.startswith('doc/')
        for no, line in enumerate(text.splitlines(), 1):
            where = '%s:%d' % (f, no)
            if not in_doc and (OLD_NOTES.search(line) or BARE_SECTION.search(line)):
                problems.append('%s: cites the out-of-tree design notes; point at '
                                'doc/<file>.md#<anchor> or a man page instead: %s'
                                % (where, line.strip()))
            for m in DOC_REF.finditer(line):
                resolve(where, m.group(1), m.group(2))
            if in_doc and f.endswith('.md'):
                for m in MD_LINK.finditer(line):
                    target = m.group(1).strip('<>')
                    if re.match(r'^[a-z]+:', target):
                        continue  # another site
                    name, _, anchor = target.partition('#')
                    if not name:
                        resolve(where, os.path.basename(f), anchor)
                    elif name.endswith('.md') and '/' not in name:
                        resolve(where, name, anchor or None)
    for p in problems:
        print(p)
    print('doc-links: %d files, %d references checked, %d problems'
          % (len(files), refs, len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
