"""What AWS Lambda's Python runtime and Medplum make of a handler, for in-process tests.

Medplum invokes the function `RequestResponse` with `LogType: Tail` (cloud/aws/execute.ts):
the answer's JSON is the bot's return value, `FunctionError` marks the run failed, and the
function's stdout (the log tail, minus Lambda's START/END/REPORT lines) becomes the run's
log. The Python runtime turns an exception into the payload `{errorMessage, errorType,
requestId, stackTrace}` and logs `[ERROR] <type>: <message>`.
"""

from __future__ import annotations

import contextlib
import io
import json
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

LambdaHandler = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Invocation:
    """One invocation's Payload (parsed), FunctionError flag and log tail."""

    payload: Any
    function_error: bool
    log: str


def invoke(handler: LambdaHandler, event: Any) -> Invocation:
    """Invoke `handler` as Lambda would and report what the caller receives."""
    request_id = str(uuid.uuid4())
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            # Lambda serialises the answer as JSON; what cannot be is a function error too.
            answer = json.loads(json.dumps(handler(json.loads(json.dumps(event)), None)))
        except Exception as error:
            print(f"[ERROR] {type(error).__name__}: {error}")
            failure = {
                "errorMessage": str(error),
                "errorType": type(error).__name__,
                "requestId": request_id,
                "stackTrace": traceback.format_tb(error.__traceback__),
            }
            return Invocation(failure, True, out.getvalue().strip())
    return Invocation(answer, False, out.getvalue().strip())
