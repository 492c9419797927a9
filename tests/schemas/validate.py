#!/usr/bin/env python3
"""validate.py SCHEMA [FILE] - check a JSON document (FILE, or standard
input) against a JSON Schema of docs/schemas/ (draft 2020-12; a $ref to
another file is read relative to SCHEMA's directory). The schema is checked
against the 2020-12 meta-schema first. Prints "valid" (exit 0) or
"invalid: AT: WHY" for each error (exit 1); 2 when SCHEMA or the document
cannot be read or is not JSON. Uses python3-jsonschema (Debian)."""
import json
import pathlib
import sys
import warnings

import jsonschema


def main(argv):
    if len(argv) not in (2, 3):
        print("usage: validate.py SCHEMA [FILE]", file=sys.stderr)
        return 2
    path = pathlib.Path(argv[1]).resolve()
    try:
        schema = json.loads(path.read_text())
        text = open(argv[2]).read() if len(argv) == 3 else sys.stdin.read()
        doc = json.loads(text)
    except (OSError, ValueError) as e:
        print(f"validate.py: {e}", file=sys.stderr)
        return 2
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)
    with warnings.catch_warnings():  # RefResolver: deprecated in jsonschema 4.18, Debian's is older
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = jsonschema.RefResolver(base_uri=path.as_uri(), referrer=schema)
        validator = cls(schema, resolver=resolver)
        errors = sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
    for e in errors:
        while e.context:  # oneOf, anyOf: the alternative that went deepest
            e = max(e.context, key=lambda c: len(c.absolute_path))
        at = "/" + "/".join(str(p) for p in e.absolute_path)
        print(f"invalid: {at}: {e.message[:200]}")
    if not errors:
        print("valid")
    return 1 if errors else 0


sys.exit(main(sys.argv))
