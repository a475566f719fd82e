"""A loopback Medplum stand-in for the template's tests (real HTTP on 127.0.0.1)."""

from tests.standin.bots import ExternalResult
from tests.standin.server import LoggedRequest, MedplumStandIn

__all__ = ["ExternalResult", "LoggedRequest", "MedplumStandIn"]
