#!/usr/bin/env python3
"""Accept/refuse decisions of an independent JSON Schema draft-04 validator (python-jsonschema's
Draft4Validator) for a corpus of request bodies, standing in for API Gateway's request validator, which
cannot run offline. Reads {"schema": {...}, "bodies": ["<raw body text>", ...]} on stdin and prints one
JSON array of booleans (true = the body is valid JSON that the schema accepts).

Parsing follows a strict JSON reader: NaN/Infinity literals are refused (Python's json accepts them).
"""
import json
import sys

from jsonschema import Draft4Validator


def refuse_constant(name):
    raise ValueError(f"not JSON: {name}")


def main():
    job = json.load(sys.stdin)
    Draft4Validator.check_schema(job["schema"])
    validator = Draft4Validator(job["schema"])
    decisions = []
    for body in job["bodies"]:
        try:
            document = json.loads(body, parse_constant=refuse_constant)
        except (ValueError, RecursionError):
            decisions.append(False)
            continue
        try:
            decisions.append(validator.is_valid(document))
        except RecursionError:
            decisions.append(False)
    json.dump(decisions, sys.stdout)


if __name__ == "__main__":
    main()
