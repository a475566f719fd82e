"""Tests of the Python runtime: adapter, log capture, signing, HTTP runtime, JS forwarder."""
