"""Where Python answers differently from @medplum/core on purpose (docs/utils.md, hl7.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from medplum_bots.errors import OperationOutcomeError
from medplum_bots.hl7 import Hl7Message, format_hl7_datetime
from medplum_bots.utils import (
    calculate_age,
    format_date,
    format_human_name,
    normalize_error_string,
    unauthorized,
)


def test_an_invalid_birth_date_is_an_error_not_nan() -> None:
    with pytest.raises(ValueError, match="birth date 'yesterday'"):
        calculate_age("yesterday")
    assert calculate_age("2000-01-01", "2000-01-11").days == 10


def test_format_date_refuses_what_it_cannot_render() -> None:
    assert format_date("2024-01-02", "en-US") == "1/2/2024"
    with pytest.raises(ValueError, match="en-US"):
        format_date("2024-01-02", "de-DE")
    with pytest.raises(ValueError, match="dateStyle"):
        format_date("2024-01-02", None, {"dateStyle": "long"})


def test_options_are_keyword_arguments() -> None:
    name = {"prefix": ["Dr."], "given": ["Alice"], "family": "Smith", "use": "official"}
    assert format_human_name(name, prefix=False, use=True) == "Alice Smith [official]"


def test_datetimes_format_as_utc_and_naive_ones_are_taken_as_utc() -> None:
    naive = dt.datetime(2024, 1, 2, 3, 4, 5, 7000)
    assert format_hl7_datetime(naive) == "20240102030405.7"
    paris = dt.timezone(dt.timedelta(hours=1))
    assert format_hl7_datetime(dt.datetime(2024, 1, 2, 4, 4, 5, tzinfo=paris)) == "20240102030405"
    with pytest.raises(ValueError, match="Invalid time value"):
        format_hl7_datetime("not a date")


def test_python_errors_and_outcomes_as_text() -> None:
    outcome = {"resourceType": "OperationOutcome", "issue": [{"details": {"text": "Gone"}}]}
    assert normalize_error_string(OperationOutcomeError(outcome, 410)) == "Gone"
    assert normalize_error_string(KeyError("id")) == "'id'"
    with pytest.raises(TypeError):
        unauthorized["id"] = "changed"  # type: ignore[index]


def test_messages_print_as_text_and_refuse_what_is_not_hl7() -> None:
    message = Hl7Message.parse("MSH|^~\\&|A\nPID|1")
    assert str(message) == "MSH|^~\\&|A\rPID|1"
    assert repr(message.get_segment("PID")) == "Hl7Segment('PID|1')"
    with pytest.raises(ValueError, match="Invalid HL7 message"):
        Hl7Message.parse("PID|1")
    ack = message.build_ack(now=dt.datetime(2024, 1, 2, tzinfo=dt.UTC))
    assert ack.header.get_component(7, 1) == "20240102000000"
    assert ack.header.get_component(10, 1) == "1704153600000"
