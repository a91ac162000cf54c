"""Translate a SAM template to CloudFormation offline (run by the SAM CLI's own Python).

Usage: ``python translate.py TEMPLATE BUCKET REGION OUT.json`` — every function's ``CodeUri``
becomes ``s3://BUCKET/<LogicalId>.zip`` (what ``sam package`` would upload), then aws-sam-translator
expands the ``AWS::Serverless`` resources. No AWS call: no managed policy is looked up.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from samtranslator.translator.transform import transform  # type: ignore[import-not-found]
from samtranslator.yaml_helper import yaml_parse  # type: ignore[import-not-found]


class _NoManagedPolicies:
    """The functions use explicit roles: a managed policy lookup means the template changed."""

    def load(self) -> dict[str, str]:
        return {}


def main(argv: list[str]) -> int:
    template_path, bucket, region, out = argv
    os.environ["AWS_DEFAULT_REGION"] = region  # the translator reads AWS::Region from a session
    template: dict[str, Any] = yaml_parse(Path(template_path).read_text(encoding="utf-8"))
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = f"s3://{bucket}/{name}.zip"
    translated = transform(template, {}, _NoManagedPolicies())
    Path(out).write_text(json.dumps(translated, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
