#!/usr/bin/python3
"""Validate papyra --format json reports against share/papyra/report.schema.json.

Usage: validate_reports.py SCHEMA DIR|FILE...

Each FILE (or every *.json in DIR) must hold one strict JSON document (no
NaN/Infinity, no duplicate keys) followed by a newline, whose first two keys
are papyra_version and schema_version, and which validates against SCHEMA
(JSON Schema draft 2020-12, Debian's python3-jsonschema).  A FILE.args beside
a report names the command that wrote it (tests/cli/lib.sh).  Prints one
block per invalid report and a closing line "reports: N valid, M invalid";
exits 1 when any is invalid, 2 when nothing was given to validate.
"""
import json
import os
import sys

import jsonschema


def strict_pairs(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise ValueError("duplicate key %r" % k)
        seen[k] = v
    # keep the order so the first keys can be checked
    return dict(pairs)


def bad_constant(name):
    raise ValueError("%s is not JSON (RFC 8259)" % name)


def problems(validator, path):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return ["not UTF-8: %s" % e]
    if not text.endswith("\n"):
        return ["the document is not followed by a newline"]
    try:
        doc = json.loads(text, object_pairs_hook=strict_pairs, parse_constant=bad_constant)
    except ValueError as e:
        return ["not one strict JSON document: %s" % e]
    out = []
    if isinstance(doc, dict) and list(doc)[:2] != ["papyra_version", "schema_version"]:
        out.append("the first keys are %s, not papyra_version, schema_version" % list(doc)[:2])
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        rule = "/".join(str(p) for p in err.absolute_schema_path)
        msg = err.message if len(err.message) <= 300 else err.message[:150] + " ... " + err.message[-150:]
        out.append("at %s: %s [schema %s]" % (where, msg, rule))
    return out


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1]) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = []
    for arg in argv[2:]:
        if os.path.isdir(arg):
            files += sorted(os.path.join(arg, n) for n in os.listdir(arg) if n.endswith(".json"))
        else:
            files.append(arg)
    if not files:
        print("reports: nothing to validate")
        return 2
    bad = 0
    for path in files:
        found = problems(validator, path)
        if not found:
            continue
        bad += 1
        print("  INVALID REPORT %s" % path)
        args = path + ".args"
        if os.path.exists(args):
            with open(args, errors="replace") as f:
                print("    written by: %s" % f.read().strip())
        for p in found:
            print("    " + p)
    print("reports: %d valid, %d invalid" % (len(files) - bad, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
