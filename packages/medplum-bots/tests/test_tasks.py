"""The tasks' own helpers (the tasks themselves run through invoke in the template's tests)."""

from __future__ import annotations

import shlex

import pytest

from medplum_bots.tasks.local import shell_quoted


@pytest.mark.parametrize("word", ["plain", "with space", "it's", 'say "hi"', "a;rm -rf x", ""])
def test_a_quoted_word_is_one_argument_of_the_shell(word: str) -> None:
    assert shlex.split(f"pytest -k {shell_quoted(word)}") == ["pytest", "-k", word]
