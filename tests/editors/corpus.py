#!/usr/bin/env python3
"""corpus.py CARSC DIR - the files the editor grammar tests read, one a line:
every .cars file of the tree (not build directories or node_modules), and
every example in the docs (a ``` block of docs/*.md or README.md that carsc
fmt parses, written to DIR/). After a tab, the places (line:col, col in
bytes) where carsc reports a character or operator that its lexer refuses:
there, and only there, a grammar marks the text invalid."""
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
REFUSED = re.compile(r":(\d+):(\d+): error: unexpected (?:character|'&&'|'\|\|'|'==')")


def tree_files():
    for d, subdirs, files in os.walk(ROOT):
        rel = os.path.relpath(d, ROOT)
        subdirs[:] = sorted(s for s in subdirs if s not in ('.git', 'node_modules')
                            and not (rel == '.' and s.startswith('build')))
        for f in sorted(files):
            if f.endswith('.cars'):
                yield os.path.join(d, f)


def doc_examples(carsc, out):
    docs = [os.path.join(ROOT, 'README.md')] + sorted(
        os.path.join(ROOT, 'docs', f) for f in os.listdir(os.path.join(ROOT, 'docs')) if f.endswith('.md'))
    n = 0
    for doc in docs:
        text = open(doc, encoding='utf-8').read()
        for block in re.findall(r'^ *```[a-z]*\n(.*?)^ *```', text, re.S | re.M):
            n += 1
            path = os.path.join(out, '%s-%d.cars' % (os.path.basename(doc)[:-3], n))
            with open(path, 'w', encoding='utf-8') as f:
                f.write(block)
            if subprocess.run([carsc, 'fmt', path], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0:
                yield path
            else:
                os.remove(path)


def main():
    carsc, out = sys.argv[1], sys.argv[2]
    examples = list(doc_examples(carsc, out))
    if not examples:
        sys.exit('corpus: no example of the docs parses')
    for path in list(tree_files()) + examples:
        r = subprocess.run([carsc, 'fmt', path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        places = ['%s:%s' % m for m in REFUSED.findall(r.stderr.decode('utf-8', 'replace'))]
        print(path + ('\t' + ','.join(places) if places else ''))


if __name__ == '__main__':
    main()
