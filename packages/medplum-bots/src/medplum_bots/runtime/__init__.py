"""Running bots: the adapter, log capture, the signed HTTP runtime, the Lambda handler, the
JavaScript forwarder deployed to Medplum, and local runs on the in-memory Medplum.

Kept import-light: a deployed bot's cold start imports from here.
"""
