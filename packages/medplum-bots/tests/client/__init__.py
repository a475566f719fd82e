"""Tests of the generated project's Medplum client, retry policy and in-memory Medplum."""
