"""The stand-in's vmcontext runner behaves like Medplum's (bots/vmcontext.ts)."""

from __future__ import annotations

from typing import Any

from medplum_standin.vmcontext import run_vmcontext

PAYLOAD: dict[str, Any] = {
    "bot": {"reference": "Bot/1"},
    "baseUrl": "http://medplum.local/",
    "accessToken": "tok",
    "input": {"n": 2},
    "contentType": "application/json",
    "secrets": {},
    "traceId": "t",
    "headers": {},
}


def test_handler_gets_client_and_event_and_console_is_captured() -> None:
    code = """
    exports.handler = async (medplum, event) => {
      console.log('base', medplum.getBaseUrl(), 'token', medplum.getAccessToken());
      console.error('twice', event.input.n * 2);
      return { n: event.input.n, bot: event.bot.reference };
    };
    """
    result = run_vmcontext(code, PAYLOAD)
    assert result.ok and result.error is None
    assert result.result == {"n": 2, "bot": "Bot/1"}
    assert result.logs == ["base http://medplum.local/ token tok", "twice 4"]


def test_sandbox_is_medplums_not_nodes() -> None:
    code = """
    exports.handler = async () => [typeof process, typeof Buffer, typeof setTimeout,
      typeof fetch, typeof require('crypto').createHmac, typeof module.exports, typeof URL];
    """
    result = run_vmcontext(code, PAYLOAD)
    assert result.result == [
        "undefined",
        "undefined",
        "undefined",
        "function",
        "function",
        "object",
        "function",
    ]


def test_a_throwing_bot_fails_with_its_message_and_unhandled_error_log() -> None:
    code = "exports.handler = async () => { console.log('first'); throw new Error('broken'); };"
    result = run_vmcontext(code, PAYLOAD)
    assert not result.ok and result.result is None
    assert result.error == "broken"
    assert result.logs[0] == "first"
    assert result.logs[1].startswith("Unhandled error: broken\nError: broken")


def test_hl7_input_is_parsed_and_the_answer_is_text() -> None:
    code = """
    exports.handler = async (medplum, event) => {
      return event.input.getSegment('PID')[3] + ' ' + event.input.toString();
    };
    """
    payload = {
        **PAYLOAD,
        "input": "MSH|^~\\&|A\nPID|1||123",
        "contentType": "x-application/hl7-v2+er7",
    }
    result = run_vmcontext(code, payload)
    assert result.result == "123 MSH|^~\\&|A\rPID|1||123"


def test_synchronous_loops_hit_the_timeout_and_syntax_errors_fail() -> None:
    spin = run_vmcontext("exports.handler = async () => { while (true) {} };", PAYLOAD, timeout=0.3)
    assert not spin.ok and spin.error == "Script execution timed out after 300ms"
    broken = run_vmcontext("exports.handler = async () => {", PAYLOAD)
    assert not broken.ok and broken.error is not None and "Unexpected" in broken.error
