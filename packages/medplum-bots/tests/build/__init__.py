"""Tests of the bundler (`medplum_bots.build.imports`, `medplum_bots.build.bundle`, `invoke build`)."""
