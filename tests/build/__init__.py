"""Tests of the bundler (`medplum_bots.imports`, `medplum_bots.bundle`, `invoke build`)."""
