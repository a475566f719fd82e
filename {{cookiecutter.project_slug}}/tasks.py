"""Tasks for this repository: `invoke --list` shows them, `invoke --help NAME` explains one.

They come with medplum-bots (`medplum_bots.tasks`), so a tooling update brings fixed and new
tasks without a change here. Tasks of your own go at the end of this file.
"""

from __future__ import annotations

# For tasks of your own, uncomment:
# from invoke.context import Context
# from invoke.tasks import task
from medplum_bots.tasks import namespace

# The collection invoke runs is `ns`: the tasks of medplum-bots, and yours.
ns = namespace

# A task of your own: uncomment the imports above and the example below, then `invoke hello`.
#
#
# @task(help={"name": "Who to greet."})
# def hello(c: Context, name: str = "world") -> None:
#     """Say hello (`invoke --list` lists your tasks with the others)."""
#     print(f"hello {name}")
#
#
# ns.add_task(hello)
