"""A loopback Medplum stand-in for the template's tests (real HTTP on 127.0.0.1)."""

from medplum_standin.bots import ExternalResult
from medplum_standin.server import LoggedRequest, MedplumStandIn

__all__ = ["ExternalResult", "LoggedRequest", "MedplumStandIn"]
