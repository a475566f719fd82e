"""The invoke tasks of a generated repository: `namespace`, one invoke Collection.

A generated `tasks.py` imports `namespace` and adds the project's own tasks to it, so a
tooling update (the pinned version moves) brings fixed and new tasks without touching the
repository. Each task only parses its arguments, calls a function of this package and prints
the result; a tooling error becomes one line on stderr and a non-zero exit (`guard`).

Modules by what the tasks work on: `local` (this checkout: lint, test, build, new, run),
`runtime` (the HTTP runtime and its keys: serve, runtime-zip, deploy-key), `lock` (the locked
dependency sets: lock), `medplum` (a Medplum server: setup, deploy, create, execute, logs,
rollback, dev) and `state` (what runs there compared with this repository: status, retire).
"""

from __future__ import annotations

from invoke.collection import Collection

from medplum_bots.tasks import local, lock, medplum, runtime, state

namespace = Collection(
    local.lint,
    local.test,
    local.build,
    local.new,
    local.run,
    lock.lock,
    runtime.serve,
    runtime.runtime_zip,
    runtime.deploy_key,
    medplum.deploy,
    medplum.create,
    medplum.execute,
    medplum.logs,
    medplum.setup,
    medplum.rollback,
    medplum.dev,
    state.status,
    state.retire,
)

__all__ = ["namespace"]
