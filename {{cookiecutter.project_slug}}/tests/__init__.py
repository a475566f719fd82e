"""Tests of this repository's bots and shared code (run offline by `invoke test`)."""
