#!/usr/bin/env python3
"""man.py MAN.1 OPTIONS - the man page documents every command and option
that --help lists, and no option --help does not.

OPTIONS is tests/pkg/options.sh's output ("COMMAND OPTION" lines).  Each
command has a subsection (.Ss) of its name ("log keygen" for log-keygen);
an option must appear as ".Fl" in it, or in a subsection it refers to with
.Sx ("Trust options").  Options of the program itself ("-") may be anywhere.
Every .Fl of a command's own subsection must be in that command's --help.
"""
import re
import sys


def sections(text):
    """Subsection title -> its source lines."""
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r'^\.(Ss|Sh) +"?([^"]*)"?\s*$', line)
        if m:
            cur = m.group(2) if m.group(1) == 'Ss' else None
            if cur is not None:
                out[cur] = []
            continue
        if cur is not None:
            out[cur].append(line)
    return out


def flags(lines):
    """Every option written with .Fl in these lines, as --help writes it."""
    found = set()
    for line in lines:
        if not line.startswith('.'):
            continue
        for m in re.finditer(r'(?:^\.|\s)Fl +(-?[a-z][a-z0-9-]*)', line):
            found.add('-' + m.group(1))
    return found


def refs(lines):
    out = set()
    for line in lines:
        m = re.match(r'^\.Sx +(.*?)(?: +[,.;:)])*\s*$', line)
        if m:
            out.add(m.group(1).strip('"'))
    return out


def main():
    man_path, opts_path = sys.argv[1], sys.argv[2]
    text = open(man_path, encoding='utf-8').read()
    secs = sections(text)
    want = {}
    for line in open(opts_path, encoding='utf-8'):
        cmd, opt = line.split()
        want.setdefault(cmd, set())
        if opt != '-':
            want[cmd].add(opt)
    bad = []
    for cmd, opts in sorted(want.items()):
        if cmd == '-':
            missing = opts - flags(text.splitlines())
            bad += ['%s: option %s of --help is not in the page' % (man_path, o)
                    for o in sorted(missing)]
            continue
        # carsvm's log-keygen is "log keygen"; carsc's audit-keygen is its own name
        title = cmd if cmd in secs else cmd.replace('-', ' ')
        if title not in secs:
            bad.append('%s: no subsection ".Ss %s" for the command %s of --help'
                       % (man_path, title, title))
            continue
        own = flags(secs[title])
        seen = set(own)
        for r in refs(secs[title]):
            if r not in secs:
                bad.append('%s: .Ss %s refers to "%s", which is not a subsection'
                           % (man_path, title, r))
                continue
            seen |= flags(secs[r])
        for o in sorted(opts - seen):
            bad.append('%s: %s: option %s of --help is not in its subsection'
                       ' (nor in one it refers to with .Sx)' % (man_path, title, o))
        for o in sorted(own - opts):
            bad.append('%s: %s: option %s is in the page but not in --help'
                       % (man_path, title, o))
    for b in bad:
        print(b)
    if bad:
        print('man.py: the page and --help disagree: document the option in the page '
              '(or in --help), then run make man-test', file=sys.stderr)
        return 1
    print('%s: %d commands, %d options, as --help lists them'
          % (man_path, len(want), sum(len(v) for v in want.values())))
    return 0


if __name__ == '__main__':
    sys.exit(main())
