# SPDX-License-Identifier: GPL-2.0-or-later
"""What the code accepts is what --help and the man pages document, and the reverse.

- rprocd's and rprocctl's getopt tables: every long and short option in --help and in the man
  page, and every option the man page's OPTIONS list in the getopt table;
- rprocctl's verb table: every verb in the man page's COMMANDS, and the reverse;
- rprocd.conf's key tables (daemon/shared/conf.c): every key in rprocd.conf(5) and in the
  default conf/rprocd.conf, and every key these describe in the parser;
- the interface XML (conf/org.rprocd1.*.xml): every method and property in org.rprocd1(5).
The getopt and key tables are read from the source as the compiler sees them (one entry a line).
Usage: docs_agree.py SOURCE_ROOT RPROCD RPROCCTL
"""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

src, rprocd, rprocctl = sys.argv[1:4]
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def read(path):
    with open(f'{src}/{path}') as f:
        return f.read()


def man_text(page):
    """The page's source with groff's escaped dashes as plain ones."""
    return read(f'man/{page}').replace('\\-', '-')


def man_options(man):
    """The options the OPTIONS section lists in its .TP heads."""
    sec = re.search(r'^\.SH OPTIONS\n(.*?)^\.SH ', man, re.M | re.S).group(1)
    heads = re.findall(r'^\.(?:TP|TQ)\n(.*)$', sec, re.M)
    return set(re.findall(r'--[a-z][a-z-]*', '\n'.join(heads)))


def getopt_table(path):
    """(long names, short letters) of the one static struct option table in @path."""
    code = read(path)
    table = re.search(r'static const struct option \w+\[\] = \{(.*?)\n\t*\};', code, re.S).group(1)
    longs = re.findall(r'\{ *"([a-z-]+)",', table)
    shorts = re.search(r'getopt_long\(argc, argv, "([^"]*)"', code).group(1).replace(':', '')
    return longs, set(shorts)


def help_of(prog):
    p = subprocess.run([prog, '--help'], capture_output=True, text=True)
    check(p.returncode == 0, f'{prog} --help: exit {p.returncode}')
    return p.stdout


for prog, path, page in ((rprocd, 'daemon/rprocd/rprocd.c', 'rprocd.8'),
                         (rprocctl, 'daemon/rprocctl/rprocctl.c', 'rprocctl.1')):
    longs, shorts = getopt_table(path)
    helptext, man = help_of(prog), man_text(page)
    documented = man_options(man)
    for o in longs:
        check(re.search(rf'--{o}\b', helptext), f'{page[:-2]} --help lacks --{o}')
        check(f'--{o}' in documented, f'{page} OPTIONS lacks --{o}')
    for s in shorts:
        check(re.search(rf'(^|\s)-{s}\b', helptext, re.M), f'{page[:-2]} --help lacks -{s}')
        check(re.search(rf'(^|[\s"(])-{s}\b', man, re.M), f'{page} lacks -{s}')
    for o in documented - {f'--{x}' for x in longs}:
        check(False, f'{page} documents {o}, which {path} does not take')

# rprocctl's verbs: the table's names against the man page's COMMANDS.
code = read('daemon/rprocctl/rprocctl.c')
table = re.search(r'static const struct verb verbs\[\] = \{(.*?)\n\};', code, re.S).group(1)
verbs = set(re.findall(r'^\t\{ "([a-z-]+)",', table, re.M))
man = man_text('rprocctl.1')
sec = re.search(r'^\.SH COMMANDS\n(.*?)^\.SH ', man, re.M | re.S).group(1)
man_verbs = set(re.findall(r'^\.(?:B|BI|BR) "?([a-z-]+)', '\n'.join(
    re.findall(r'^\.TP\n(.*)$', sec, re.M)), re.M))
check(verbs == man_verbs, f'rprocctl verbs {sorted(verbs)} != rprocctl.1 COMMANDS {sorted(man_verbs)}')

# rprocd.conf keys: conf.c's item tables against rprocd.conf(5)'s section entries.
code = read('daemon/shared/conf.c')
keys = set()
for t in ('daemon_items', 'rproc_items'):
    body = re.search(rf'static const struct conf_item {t}\[\] = \{{(.*?)\n\}};', code, re.S)
    keys |= set(re.findall(r'\{ "([A-Za-z]+)",', body.group(1)))
man = man_text('rprocd.conf.5')
sections = re.findall(r'^\.SH "\[[A-Z:]+\] SECTION"\n(.*?)(?=^\.SH )', man, re.M | re.S)
man_keys = set(re.findall(r'^\.TP\n\.B[IR]? ([A-Za-z]+)=', ''.join(sections), re.M))
check(keys == man_keys, f'conf.c keys {sorted(keys - man_keys)} undocumented, rprocd.conf.5 '
      f'keys {sorted(man_keys - keys)} unknown to the parser')

# The default rprocd.conf shows every key, commented out.
shown = set(re.findall(r'^#([A-Za-z]+)=', read('conf/rprocd.conf'), re.M))
check(keys == shown, f'conf/rprocd.conf lacks {sorted(keys - shown)}, shows unknown '
      f'{sorted(shown - keys)}')

# The interface XML against org.rprocd1(5): each member in the page's listing of its interface
# and in the heading of the entry that describes it.
man = man_text('org.rprocd1.5')
heads = ' '.join(re.findall(r'^\.TP\n(.*)$', man, re.M))
for xml in ('conf/org.rprocd1.Manager.xml', 'conf/org.rprocd1.RemoteProc.xml'):
    for el in ET.parse(f'{src}/{xml}').getroot().iter():
        n = el.get('name')
        if el.tag == 'method':
            listed = re.search(rf'^ +{n}\(', man, re.M)
        elif el.tag == 'property':
            listed = re.search(rf'^ +readonly {re.escape(el.get("type"))} {n}\b', man, re.M)
        else:
            continue
        check(listed, f'org.rprocd1.5: the listing lacks the {el.tag} {n} of {xml}')
        check(re.search(rf'\b{n}\b', heads), f'org.rprocd1.5: no entry for the {el.tag} {n}')

for f in failures:
    print(f'FAIL: {f}')
if failures:
    sys.exit(1)
print('ok: options, verbs, configuration keys and D-Bus members documented')
