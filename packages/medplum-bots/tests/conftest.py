"""Test configuration for the medplum-bots package (intentionally empty)."""
