"""Fixtures for the Lambda route: a prepared dependency directory and a moto AWS account."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from medplum_standin.layers import runtime_layer

__all__ = ["aws", "runtime_layer"]

FAKE_SECRET_KEY = "fake-secret-key-that-must-never-be-printed"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A moto AWS account with a Lambda execution role; yields the role's ARN."""
    import boto3
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    with mock_aws():
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        role = boto3.client("iam").create_role(
            RoleName="medplum-bots-lambda", AssumeRolePolicyDocument=json.dumps(trust)
        )
        yield str(role["Role"]["Arn"])
