"""The client factory: nothing at import, standard retries, the configured endpoint."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.adapters.aws import AwsClients
from core.adapters.aws.clients import MAX_ATTEMPTS
from core.settings import Settings
from tests.contract.moto_env import session


def test_importing_the_adapters_loads_no_aws_sdk() -> None:
    code = (
        "import sys, core.adapters.aws;"
        "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.aws
def test_clients_use_standard_retries_and_the_endpoint(moto_endpoint: str) -> None:
    clients = AwsClients(Settings(aws_endpoint_url=moto_endpoint), session=session())
    s3 = clients.s3()
    assert clients.s3() is s3
    assert s3.meta.endpoint_url == moto_endpoint
    for client in (s3, clients.dynamodb(), clients.sqs(), clients.events()):
        retries = getattr(client.meta.config, "retries", None)
        assert retries == {"mode": "standard", "total_max_attempts": MAX_ATTEMPTS}
