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


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_s3_presigns_sigv4_on_the_regional_endpoint(region: str) -> None:
    """Signing is local: no request is sent. Without an endpoint override (as on Lambda) the
    URL names the bucket's regional virtual host, never the global ``s3.amazonaws.com``."""
    from urllib.parse import parse_qs, urlsplit

    import boto3

    aws = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
    )
    s3 = AwsClients(Settings(), session=aws).s3()
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": "raw-bucket", "Key": "raw/ab/x.html.gz"}, ExpiresIn=300
    )
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.scheme == "https"
    assert parts.hostname == f"raw-bucket.s3.{region}.amazonaws.com"
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Credential"][0].endswith(f"/{region}/s3/aws4_request")
    assert "Signature" not in query
