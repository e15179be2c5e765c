#!/usr/bin/env python3
"""Checks openapi.yaml: a valid OpenAPI 3.1 document, and every example in it fits its schema.

    scripts/check-openapi.py            (needs openapi-spec-validator and PyYAML, which bring jsonschema)
"""
import pathlib
import sys

import jsonschema
import yaml
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

root = pathlib.Path(__file__).resolve().parent.parent
document = yaml.safe_load((root / "openapi.yaml").read_text())
validate(document)

registry = Registry().with_resource("urn:api", Resource.from_contents(document, default_specification=DRAFT202012))


def follow(node):
    """A `$ref` to a component, followed to what it names."""
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def anchored(schema):
    """Local `#/...` references, made absolute against the registered document."""
    if isinstance(schema, dict):
        return {key: ("urn:api" + value if key == "$ref" else anchored(value)) for key, value in schema.items()}
    if isinstance(schema, list):
        return [anchored(item) for item in schema]
    return schema


failures = []
checked = 0


def check(where, media):
    global checked
    if "schema" not in media:
        return
    validator = jsonschema.Draft202012Validator(anchored(media["schema"]), registry=registry)
    examples = [media["example"]] if "example" in media else []
    examples += [follow(example)["value"] for example in media.get("examples", {}).values()]
    for example in examples:
        checked += 1
        error = next(validator.iter_errors(example), None)
        if error is not None:
            failures.append(f"{where}: {error.message[:300]}")


for path, item in document["paths"].items():
    for method, operation in item.items():
        if method == "parameters":
            continue
        if "requestBody" in operation:
            for media_type, media in follow(operation["requestBody"])["content"].items():
                check(f"{method.upper()} {path} request ({media_type})", media)
        for status, response in operation["responses"].items():
            for media_type, media in follow(response).get("content", {}).items():
                check(f"{method.upper()} {path} {status} ({media_type})", media)

for failure in failures:
    print(failure, file=sys.stderr)
if failures:
    sys.exit(f"openapi.yaml: {len(failures)} of {checked} examples do not fit their schemas")
print(f"openapi.yaml: valid OpenAPI 3.1; all {checked} examples fit their schemas")
