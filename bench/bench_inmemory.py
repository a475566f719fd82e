"""Benchmark of the in-memory Medplum (not a test): `python bench/bench_inmemory.py [--quick]`.

(a) Validation throughput: `medplum_bots.testing.validation.validate_resource` on a typical
    Patient and Observation (best of 5).
(b) Searches over 10,000 Patients and 10,000 Observations (each Observation's subject is one of
    the Patients): a token, a string prefix, a date range, a chain and an `_include`, through
    - today's search (`medplum_bots.testing.search`, Medplum's SearchParameters compiled from
      their FHIRPath expressions), first search on fresh resources ("cold": every value
      computed) and repeated ("warm": values cached per stored version, as the server keeps them);
    - the implementation of commit f6144ed (before Medplum's SearchParameters were compiled),
      checked out from git into a temporary directory (`bench/baseline.py`) and run in the
      same process on the same resources. It cannot do chains or `_include`: it says so;
    - the whole request through `InMemoryMedplum().client()` (HTTP layer, JSON, paging: 20).
(c) FHIRPath: our compiled closures against `fhirpathpy` (if installed) on two expressions.

Every figure is printed with its ratio to the baseline of the same run.
"""

from __future__ import annotations

import argparse
import copy
import functools
import importlib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from medplum_bots.fhir import ResourceType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from medplum_bots.testing.fhirpath import compile_path  # noqa: E402
from medplum_bots.testing.inmemory import InMemoryMedplum  # noqa: E402
from medplum_bots.testing.search import ValueCache, parse_search  # noqa: E402
from medplum_bots.testing.validation import validate_resource  # noqa: E402

from bench.baseline import checkout, import_file  # noqa: E402

# The baseline: the in-memory search with a hand-written parameter table.
SEARCH_BASELINE = "f6144ed"
SEARCH_PATH = "packages/medplum-bots/src/medplum_bots/testing/search.py"
with checkout(SEARCH_BASELINE, [SEARCH_PATH]) as _tree:
    baseline_search: Any = import_file(_tree / SEARCH_PATH, "baseline_search")

LOINC = "http://loinc.org"
CODES = ["8867-4", "29463-7", "8480-6", "8462-4", "2339-0"]
FAMILIES = ["Smith", "Smithers", "Jones", "Brown", "Lovelace", "Hopper", "Turing", "Curie"]

PATIENT: dict[str, Any] = {
    "resourceType": "Patient",
    "identifier": [{"system": "http://hospital.example/mrn", "value": "12345"}],
    "active": True,
    "name": [{"use": "official", "family": "Lovelace", "given": ["Ada", "King"]}],
    "telecom": [{"system": "email", "value": "ada@example.com", "use": "home"}],
    "gender": "female",
    "birthDate": "1815-12-10",
    "address": [{"line": ["12 St James's Square"], "city": "London", "country": "UK"}],
    "managingOrganization": {"reference": "Organization/acme"},
}
OBSERVATION: dict[str, Any] = {
    "resourceType": "Observation",
    "status": "final",
    "category": [
        {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "vital-signs",
                }
            ]
        }
    ],
    "code": {"coding": [{"system": LOINC, "code": "8867-4", "display": "Heart rate"}]},
    "subject": {"reference": "Patient/123"},
    "effectiveDateTime": "2024-01-01T10:00:00Z",
    "valueQuantity": {
        "value": 72,
        "unit": "beats/minute",
        "system": "http://unitsofmeasure.org",
        "code": "/min",
    },
}


def best_of(repeats: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _validate_many(resource: dict[str, Any], runs: int) -> None:
    for _ in range(runs):
        validate_resource(resource)


def _evaluate_all(fn: Callable[[Any], Any], items: list[Any]) -> None:
    for item in items:
        fn(item)


def bench_validation(runs: int) -> None:
    print(f"(a) validation, best of 5 x {runs} runs")
    for name, resource in (("Patient", PATIENT), ("Observation", OBSERVATION)):
        assert not [i for i in validate_resource(resource) if i.severity == "error"]
        seconds = best_of(5, functools.partial(_validate_many, resource, runs))
        print(f"    {name:12s} {runs / seconds:10,.0f} validations/s")


def make_server(size: int) -> InMemoryMedplum:
    server = InMemoryMedplum()
    for n in range(size):
        server.create(  # fill the store without 20,000 HTTP round trips
            {
                "resourceType": "Patient",
                "identifier": [{"system": "http://mrn", "value": str(n)}],
                "name": [{"family": FAMILIES[n % len(FAMILIES)] + str(n % 97), "given": ["G"]}],
                "gender": "female" if n % 2 else "male",
                "birthDate": f"{1940 + n % 70}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            },
            id=f"p{n}",
            validate=False,
        )
    for n in range(size):
        server.create(
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": LOINC, "code": CODES[n % len(CODES)]}]},
                "subject": {"reference": f"Patient/p{(n * 7) % size}"},
                "effectiveDateTime": f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00Z",
                "valueQuantity": {"value": n % 200},
            },
            id=f"o{n}",
            validate=False,
        )
    return server


SEARCHES: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("token", "Patient", [("identifier", "http://mrn|4242")]),
    ("string prefix", "Patient", [("family", "smith")]),
    ("date range", "Patient", [("birthdate", "ge1980-01-01"), ("birthdate", "lt1990-01-01")]),
    ("chain", "Observation", [("subject:Patient.name", "lovelace1")]),
    ("_include", "Observation", [("code", "8867-4"), ("_include", "Observation:subject")]),
]


def bench_search(size: int, repeats: int) -> None:
    print(f"(b) searches over {size:,} Patients + {size:,} Observations, best of {repeats}")
    server = make_server(size)
    client = server.client()
    header = (
        f"    {'search':14s} {'matches':>8s} {'before (ms)':>12s} {'cold (ms)':>10s}"
        f" {'warm (ms)':>10s} {'warm x':>7s} {'client (ms)':>12s}"
    )
    print(header)
    for name, kind, params in SEARCHES:
        resources = server.current(kind)
        search = parse_search(kind, params)
        cold_cache = ValueCache()
        start = time.perf_counter()
        matches = search.run(server, cold_cache)
        page = matches[:20]
        search.included(page, server, cold_cache)
        cold = time.perf_counter() - start
        warm_cache = ValueCache()
        search.run(server, warm_cache)

        def warm(s: Any = search, c: ValueCache = warm_cache) -> None:
            found = s.run(server, c)
            s.included(found[:20], server, c)

        warm_s = best_of(repeats, warm)
        try:
            old = baseline_search.parse_search(kind, [p for p in params if p[0] != "_include"])
            if any(p[0] == "_include" for p in params):
                raise baseline_search.SearchError("_include is not supported in memory")
            old_matches = old.run(resources)
            assert len(old_matches) == len(matches), (name, len(old_matches), len(matches))
            before = best_of(repeats, functools.partial(old.run, resources))
            before_text = f"{before * 1000:12.1f}"
            ratio = f"{before / warm_s:6.1f}x"
        except baseline_search.SearchError as error:
            before_text, ratio = f"{'cannot':>12s}", "   n/a"
            note = str(error)
        else:
            note = ""
        over_http = functools.partial(client.search, cast("ResourceType", kind), params)
        through = best_of(repeats, over_http)
        print(
            f"    {name:14s} {len(matches):8d} {before_text} {cold * 1000:10.1f}"
            f" {warm_s * 1000:10.1f} {ratio:>7s} {through * 1000:12.1f}"
            + (f"   (before: {note})" if note else "")
        )


def bench_old_copies(size: int, repeats: int) -> None:
    """The old server deep-copied every stored resource of the type before each search."""
    server = make_server(size)
    resources = server.current("Patient")
    seconds = best_of(repeats, functools.partial(copy.deepcopy, resources))
    print(
        f"    (before, the server also deep-copied the {size:,} Patients on every search:"
        f" {seconds * 1000:.1f} ms more per search; today it reads the stored dicts)"
    )


def bench_fhirpath(size: int) -> None:
    print(f"(c) FHIRPath over {size:,} Patients, resources/s")
    patients = [
        {**PATIENT, "id": str(n), "telecom": [{"system": "email", "value": f"{n}@x"}]}
        for n in range(size)
    ]
    fhirpathpy: Any
    try:
        fhirpathpy = importlib.import_module("fhirpathpy")
        models = importlib.import_module("fhirpathpy.models").models
    except ImportError:
        fhirpathpy = None
    for expression in ("Patient.name", "Patient.telecom.where(system='email')"):
        ours_fn = compile_path(expression)
        ours = best_of(3, functools.partial(_evaluate_all, ours_fn, patients))
        line = f"    {expression:40s} ours {size / ours:12,.0f}"
        if fhirpathpy is not None:
            theirs_fn = fhirpathpy.compile(expression, model=models["r4"])
            theirs = best_of(3, functools.partial(_evaluate_all, theirs_fn, patients))
            line += f"   fhirpathpy {size / theirs:10,.0f}   ({theirs / ours:.0f}x)"
        else:
            line += "   fhirpathpy: not installed (pip install fhirpathpy to compare)"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    args = parser.parse_args()
    size, repeats, runs = (1000, 2, 200) if args.quick else (10_000, 5, 2000)
    print(f"python {sys.version.split()[0]}; best-of timings")
    bench_validation(runs)
    bench_search(size, repeats)
    bench_old_copies(size, repeats)
    bench_fhirpath(size)


if __name__ == "__main__":
    main()
