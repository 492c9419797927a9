#!/usr/bin/env python3
"""test_lsp.py CARSC - drives `CARSC lsp` over stdio as an editor would.

On a copy of the reference ruleset (rulesets/cars-v): initialize; open a
file and see every file of the ruleset published clean; introduce an error
and check its diagnostic (range, message); fix it and see it cleared; an
error after non-ASCII text (UTF-16 columns); go to definition and hover on
a field, a set, a table and a definition; formatting (canonical, not
canonical, does not parse); an unsaved new file's diagnostics cleared when
it is closed; hostile messages (bad framing, bad JSON, wrong types, deep
nesting, an over-large Content-Length) each answered with the JSON-RPC
error the specification gives, the server still answering after them;
shutdown and exit with status 0, exit without shutdown with status 1.
Prints one line per check that fails and exits 1 if any did.
"""
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
TIMEOUT = 60  # seconds for one answer (the ASan build is slower)
failures = []
checks = [0]


def check(cond, what):
    checks[0] += 1
    if not cond:
        failures.append(what)
        print('FAIL lsp: ' + what)


class Server:
    def __init__(self, carsc):
        self.p = subprocess.Popen([carsc, 'lsp'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.q = queue.Queue()
        self.pending = []
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 0

    def _read(self):
        out = self.p.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.q.put(None)
                    return
                if line in (b'\r\n', b'\n'):
                    break
                k, _, v = line.decode('ascii').partition(':')
                headers[k.strip().lower()] = v.strip()
            body = out.read(int(headers['content-length']))
            self.q.put(json.loads(body.decode('utf-8')))

    def raw(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def send(self, obj):
        body = json.dumps(obj).encode('utf-8')
        self.raw(b'Content-Length: %d\r\n\r\n' % len(body) + body)

    def notify(self, method, params):
        self.send({'jsonrpc': '2.0', 'method': method, 'params': params})

    def get(self):
        if self.pending:
            return self.pending.pop(0)
        try:
            return self.q.get(timeout=TIMEOUT)
        except queue.Empty:
            return None

    def response(self, want_id):
        """The response to request want_id; notifications before it are kept."""
        kept = []
        while True:
            m = self.get()
            if m is None or ('method' not in m and m.get('id') == want_id):
                self.pending = kept + self.pending
                return m
            kept.append(m)

    def request(self, method, params=None):
        self.next_id += 1
        msg = {'jsonrpc': '2.0', 'id': self.next_id, 'method': method}
        if params is not None:
            msg['params'] = params
        self.send(msg)
        return self.response(self.next_id)

    def diagnostics(self, n):
        """The next n publishDiagnostics, as {uri: [diagnostic]}."""
        got = {}
        for _ in range(n):
            m = self.get()
            if m is None:
                break
            if m.get('method') == 'textDocument/publishDiagnostics':
                got[m['params']['uri']] = m['params']['diagnostics']
        return got

    def finish(self):
        self.p.stdin.close()
        return self.p.wait(timeout=TIMEOUT)


def uri(path):
    return 'file://' + path


def pos_of(text, needle, offset=0, nth=0):
    """(line, UTF-16 character) of needle's start + offset."""
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    i += offset
    line = text.count('\n', 0, i)
    start = text.rfind('\n', 0, i) + 1
    return line, len(text[start:i].encode('utf-16-le')) // 2


def line_of(text, needle):
    return text[:text.index(needle)].count('\n')


def main():
    carsc = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix='cars-lsp-')
    try:
        rs = os.path.join(tmp, 'cars-v')
        shutil.copytree(os.path.join(ROOT, 'rulesets', 'cars-v'), rs)
        session(carsc, rs)
        exit_without_shutdown(carsc)
        huge_length_at_end(carsc)
    finally:
        shutil.rmtree(tmp)
    if failures:
        print('lsp: %d check(s) failed' % len(failures))
        sys.exit(1)
    print('lsp: %d checks passed' % checks[0])


def session(carsc, rs):
    s = Server(carsc)
    files = sorted(f for f in os.listdir(rs) if f.endswith('.cars'))
    text = {f: open(os.path.join(rs, f), encoding='utf-8').read() for f in files}
    rules, schema, defs, tables = (os.path.join(rs, f) for f in
                                   ('rules.cars', 'schema.cars', 'definitions.cars', 'tables.cars'))

    r = s.request('textDocument/hover', {'textDocument': {'uri': uri(rules)}, 'position': {'line': 0, 'character': 0}})
    check(r and r.get('error', {}).get('code') == -32002, 'a request before initialize: ServerNotInitialized, got %r' % r)
    r = s.request('initialize', {'processId': None, 'rootUri': uri(rs), 'capabilities': {}})
    caps = (r or {}).get('result', {}).get('capabilities', {})
    check(caps.get('textDocumentSync', {}).get('change') == 1, 'full text sync: %r' % caps)
    check(caps.get('definitionProvider') and caps.get('hoverProvider') and caps.get('documentFormattingProvider'),
          'definition, hover, formatting: %r' % caps)
    s.notify('initialized', {})

    # Open: every file of the ruleset is published, all clean.
    s.notify('textDocument/didOpen', {'textDocument': {'uri': uri(rules), 'languageId': 'cars', 'version': 1,
                                                       'text': text['rules.cars']}})
    d = s.diagnostics(len(files))
    check(sorted(d) == sorted(uri(os.path.join(rs, f)) for f in files), 'open publishes every file: %r' % sorted(d))
    check(all(v == [] for v in d.values()), 'the reference ruleset is clean: %r' % d)

    # An error as you type: a misspelt field.
    bad = text['rules.cars'].replace('when visit_end > applicant.passport.expiry_date',
                                     'when visit_end > applicant.passport.expiry_dat')
    s.notify('textDocument/didChange', {'textDocument': {'uri': uri(rules), 'version': 2},
                                        'contentChanges': [{'text': bad}]})
    d = s.diagnostics(len(files))
    got = d.get(uri(rules), [])
    line, ch = pos_of(bad, 'applicant.passport.expiry_dat')
    want_range = {'start': {'line': line, 'character': ch},
                  'end': {'line': line, 'character': ch + len('applicant.passport.expiry_dat')}}
    check(len(got) == 1, 'one diagnostic for the misspelt field: %r' % got)
    if got:
        check(got[0]['range'] == want_range, 'its range %r, expected %r' % (got[0]['range'], want_range))
        check(got[0]['severity'] == 1, 'an error: %r' % got[0])
        check(got[0]['message'].startswith("unknown field 'applicant.passport.expiry_dat'")
              and "did you mean 'applicant.passport.expiry_date'?" in got[0]['message'],
              'its message: %r' % got[0]['message'])
    check(all(v == [] for u, v in d.items() if u != uri(rules)), 'the other files stay clean: %r' % d)

    # Fixed: cleared.
    s.notify('textDocument/didChange', {'textDocument': {'uri': uri(rules), 'version': 3},
                                        'contentChanges': [{'text': text['rules.cars']}]})
    d = s.diagnostics(len(files))
    check(d.get(uri(rules)) == [], 'fixed: diagnostics cleared, got %r' % d.get(uri(rules)))

    utf16_columns(s, rules, text['rules.cars'], len(files))
    navigation(s, rules, schema, defs, tables, text)
    formatting(s, rules, text['rules.cars'], len(files))
    unsaved_file(s, rs, len(files))
    hostile(s, rules)

    r = s.request('shutdown')
    check(r and 'result' in r and r['result'] is None, 'shutdown answers null: %r' % r)
    r = s.request('textDocument/hover', {'textDocument': {'uri': uri(rules)}, 'position': {'line': 0, 'character': 0}})
    check(r and r.get('error', {}).get('code') == -32600, 'a request after shutdown: InvalidRequest, got %r' % r)
    s.notify('exit', None)
    rc = s.p.wait(timeout=TIMEOUT)
    check(rc == 0, 'exit after shutdown: status 0, got %r' % rc)


def utf16_columns(s, rules, good, nfiles):
    """An error after non-ASCII text on its line: the column counts UTF-16 units."""
    line = '# é😀 then an error\nset wide = ["é😀", "ü"] ~\n'
    bad = good + line
    s.notify('textDocument/didChange', {'textDocument': {'uri': uri(rules), 'version': 4},
                                        'contentChanges': [{'text': bad}]})
    d = s.diagnostics(nfiles).get(uri(rules), [])
    ln, ch = pos_of(bad, '~')
    want = {'start': {'line': ln, 'character': ch}, 'end': {'line': ln, 'character': ch + 1}}
    check(len(d) == 1 and d[0]['range'] == want and d[0]['message'].startswith("unexpected character '~'"),
          'UTF-16 range after é and 😀: %r, expected %r' % (d, want))
    # An incremental change (a range in UTF-16 units) is applied too: delete the ' ~'.
    s.notify('textDocument/didChange', {'textDocument': {'uri': uri(rules), 'version': 5},
                                        'contentChanges': [{'range': {'start': {'line': ln, 'character': ch - 1},
                                                                      'end': {'line': ln, 'character': ch + 1}},
                                                            'text': ''}]})
    d = s.diagnostics(nfiles).get(uri(rules), [])
    msgs = [x['message'] for x in d]
    check(len(d) == 1 and msgs[0].startswith("set 'wide' is never used"),
          'after the incremental edit only the unused set is left: %r' % msgs)
    s.notify('textDocument/didChange', {'textDocument': {'uri': uri(rules), 'version': 6},
                                        'contentChanges': [{'text': good}]})
    s.diagnostics(nfiles)


def definition(s, path, text, needle, offset=2, nth=0):
    line, ch = pos_of(text, needle, offset, nth)
    r = s.request('textDocument/definition', {'textDocument': {'uri': uri(path)},
                                              'position': {'line': line, 'character': ch}})
    return (r or {}).get('result')


def hover(s, path, text, needle, offset=2, nth=0):
    line, ch = pos_of(text, needle, offset, nth)
    r = s.request('textDocument/hover', {'textDocument': {'uri': uri(path)},
                                         'position': {'line': line, 'character': ch}})
    res = (r or {}).get('result')
    return res['contents']['value'] if res else None


def navigation(s, rules, schema, defs, tables, text):
    rt = text['rules.cars']
    want = line_of(text['schema.cars'], 'applicant.nationality: country')
    loc = definition(s, rules, rt, 'applicant.nationality in profile_nationalities')
    check(loc and loc['uri'] == uri(schema) and loc['range']['start']['line'] == want
          and loc['range']['start']['character'] == 2,
          'definition of a field: schema.cars line %d, got %r' % (want, loc))
    loc = definition(s, rules, rt, 'profile_nationalities', 4)
    check(loc and loc['uri'] == uri(defs) and loc['range']['start']['line'] ==
          line_of(text['definitions.cars'], 'set profile_nationalities'), 'definition of a set: %r' % loc)
    loc = definition(s, rules, rt, 'false_documents', 3)
    check(loc and loc['uri'] == uri(tables) and loc['range']['start']['line'] ==
          line_of(text['tables.cars'], 'table false_documents'), 'definition of a table: %r' % loc)
    loc = definition(s, rules, rt, 'visit_end >', 1)
    check(loc and loc['uri'] == uri(defs) and loc['range']['start']['line'] ==
          line_of(text['definitions.cars'], 'let visit_end'), 'definition of a definition: %r' % loc)
    loc = definition(s, rules, rt, 't.year within', 2)
    check(loc and loc['uri'] == uri(schema), 'definition of a list element field: %r' % loc)
    loc = definition(s, rules, rt, '# ---- Stage 0', 3)
    check(loc is None, 'nothing to define in a comment: %r' % loc)

    h = hover(s, rules, rt, 'applicant.nationality in profile_nationalities')
    check(h and '`applicant.nationality`' in h and '`country`' in h and 'required' in h
          and '**protected**: nationality' in h, 'hover on a protected field: %r' % h)
    h = hover(s, rules, rt, 'visit.purpose = business', 1)
    check(h and '`visit.purpose`' in h and 'one of [' in h and 'not protected' in h,
          'hover on an unprotected field: %r' % h)
    h = hover(s, rules, rt, 'profile_nationalities', 4)
    check(h and '**set** `profile_nationalities`: 2 members' in h and '[QZA, QZB]' in h, 'hover on a set: %r' % h)
    h = hover(s, rules, rt, 'false_documents', 3)
    check(h and '**table** `false_documents`' in h and 'tables/false_documents.csv' in h,
          'hover on a table: %r' % h)
    h = hover(s, rules, rt, 'visit_end >', 1)
    check(h and '**definition** `visit_end`: `date`' in h and 'visit.arrival_date + visit.length_days days' in h,
          'hover on a definition: %r' % h)


def formatting(s, rules, good, nfiles):
    opts = {'tabSize': 2, 'insertSpaces': True}
    r = s.request('textDocument/formatting', {'textDocument': {'uri': uri(rules)}, 'options': opts})
    check(r and r.get('result') == [], 'a canonical file needs no edit: %r' % r)
    messy = good.replace('  when route in not_rated_routes', '      when   route in    not_rated_routes')
    check(messy != good, 'the test made the file messy')
    s.notify('textDocument/didChange', {'textDocument': {'uri': uri(rules), 'version': 7},
                                        'contentChanges': [{'text': messy}]})
    s.diagnostics(nfiles)
    r = s.request('textDocument/formatting', {'textDocument': {'uri': uri(rules)}, 'options': opts})
    edits = (r or {}).get('result') or []
    nl = messy.count('\n')
    check(len(edits) == 1 and edits[0]['newText'] == good and edits[0]['range'] ==
          {'start': {'line': 0, 'character': 0}, 'end': {'line': nl, 'character': 0}},
          'one edit replacing the whole document with the canonical text: %r' % [e['range'] for e in edits])
    s.notify('textDocument/didChange', {'textDocument': {'uri': uri(rules), 'version': 8},
                                        'contentChanges': [{'text': good + 'profile {\n'}]})
    s.diagnostics(nfiles)
    r = s.request('textDocument/formatting', {'textDocument': {'uri': uri(rules)}, 'options': opts})
    check(r and 'result' in r and r['result'] is None, 'a file that does not parse is not formatted: %r' % r)
    s.notify('textDocument/didChange', {'textDocument': {'uri': uri(rules), 'version': 9},
                                        'contentChanges': [{'text': good}]})
    s.diagnostics(nfiles)


def unsaved_file(s, rs, nfiles):
    """A new file not yet on disk is part of the ruleset while open; closing it clears its diagnostics."""
    extra = os.path.join(rs, 'extra.cars')
    s.notify('textDocument/didOpen', {'textDocument': {'uri': uri(extra), 'languageId': 'cars', 'version': 1,
                                                       'text': 'set extra = [1, 2\n'}})
    d = s.diagnostics(nfiles + 1)
    check(len(d.get(uri(extra), [])) == 1, 'the unsaved file has its syntax error: %r' % d.get(uri(extra)))
    s.notify('textDocument/didChange', {'textDocument': {'uri': uri(extra), 'version': 2},
                                        'contentChanges': [{'text': 'set extra = [1]\n' * (17 << 16)}]})
    d = s.diagnostics(nfiles + 1).get(uri(extra), [])
    check(len(d) == 1 and 'larger than the 16 MiB limit' in d[0]['message'],
          'an open file over 16 MiB is refused as carsc refuses it: %r' % [x['message'] for x in d])
    s.notify('textDocument/didClose', {'textDocument': {'uri': uri(extra)}})
    d = s.diagnostics(nfiles + 1)
    check(d.get(uri(extra)) == [], 'closed and not on disk: its diagnostics cleared, got %r' % d.get(uri(extra)))


def error_code(s, data, want, what):
    s.raw(data)
    m = s.get()
    got = (m or {}).get('error', {}).get('code')
    check(got == want and m.get('id') is None, '%s: error %d with id null, got %r' % (what, want, m))


def hostile(s, rules):
    frame = lambda b: b'Content-Length: %d\r\n\r\n' % len(b) + b
    error_code(s, frame(b'{"jsonrpc": "2.0", "id": 1, "method"'), -32700, 'truncated JSON')
    error_code(s, frame(b'\xff\xfe{}'), -32700, 'invalid UTF-8')
    error_code(s, frame(b'{"a": "\x00"}'), -32700, 'a NUL byte')
    error_code(s, frame(b'[' * 100000 + b']' * 100000), -32700, 'JSON nested 100000 deep')
    error_code(s, frame(b'[1, 2]'), -32600, 'an array, not an object')
    error_code(s, frame(b'{"jsonrpc": "2.0", "id": {"x": 1}, "method": "shutdown"}'), -32600, 'an object as id')
    error_code(s, b'Content-Type: application/json\r\n\r\n', -32700, 'no Content-Length')
    error_code(s, b'Content-Length: twelve\r\n\r\n', -32700, 'a Content-Length that is not a number')
    error_code(s, b'X-Long: ' + b'x' * 5000 + b'\r\n\r\n', -32700, 'an over-long header line')
    big = (64 << 20) + 1
    error_code(s, b'Content-Length: %d\r\n\r\n' % big, -32600, 'a message over the 64 MiB limit')
    s.raw(b' ' * big)  # its body is read and dropped: the next message is read as usual
    r = s.request('no/such/method', {})
    check(r and r.get('error', {}).get('code') == -32601, 'unknown method: MethodNotFound, got %r' % r)
    s.notify('no/such/notification', {})
    r = s.request('textDocument/definition', {'textDocument': {'uri': uri(rules)}, 'position': {'line': 'x'}})
    check(r and r.get('error', {}).get('code') == -32602, 'position of the wrong type: InvalidParams, got %r' % r)
    r = s.request('textDocument/hover', [1, 2])
    check(r and r.get('error', {}).get('code') == -32602, 'params of the wrong shape: InvalidParams, got %r' % r)
    r = s.request('textDocument/definition', {'textDocument': {'uri': 'untitled:1'},
                                              'position': {'line': 0, 'character': 0}})
    check(r and r.get('error', {}).get('code') == -32602, 'a URI that is not file: InvalidParams, got %r' % r)
    r = s.request('textDocument/hover', {'textDocument': {'uri': uri(rules)},
                                         'position': {'line': 99999999, 'character': 4294967295}})
    check(r and 'result' in r and r['result'] is None, 'a position past the end: null, got %r' % r)
    r = s.request('jsonrpc', 5)
    check(r and r.get('error', {}).get('code') == -32602, 'params a number: InvalidParams, got %r' % r)
    s.notify('textDocument/didOpen', {'textDocument': {'uri': 5, 'text': ['x']}})
    s.notify('textDocument/didChange', {'textDocument': {'uri': uri(rules)}, 'contentChanges': 'x'})
    s.notify('textDocument/didChange', {'textDocument': {'uri': uri(rules)},
                                        'contentChanges': [{'range': {'start': {'line': -1}}, 'text': 7}]})
    r = s.request('initialize', {})
    check(r and r.get('error', {}).get('code') == -32600, 'a second initialize: InvalidRequest, got %r' % r)
    # Still serving after all of it.
    r = s.request('textDocument/formatting', {'textDocument': {'uri': uri(rules)}, 'options': {}})
    check(r and r.get('result') == [], 'still serving after hostile input: %r' % r)


def exit_without_shutdown(carsc):
    s = Server(carsc)
    s.request('initialize', {'capabilities': {}})
    s.notify('exit', None)
    rc = s.p.wait(timeout=TIMEOUT)
    check(rc == 1, 'exit without shutdown: status 1, got %r' % rc)


def huge_length_at_end(carsc):
    s = Server(carsc)
    s.raw(b'Content-Length: 999999999999999999\r\n\r\n{}')
    m = s.get()
    check(m and m.get('error', {}).get('code') == -32600, 'a Content-Length of 10^18: refused, got %r' % m)
    rc = s.finish()
    check(rc == 1, 'the input ends without exit: status 1, got %r' % rc)


if __name__ == '__main__':
    main()
