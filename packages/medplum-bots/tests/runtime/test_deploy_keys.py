"""Deploy keys: what a deploy signature binds, which keys a runtime trusts, for what."""

from __future__ import annotations

import base64
import hashlib

import pytest

from medplum_bots.runtime.artifacts import ArtifactRefused, SignedArtifacts
from medplum_bots.runtime.deploy_keys import (
    PUBLIC_PREFIX,
    DeployKeyError,
    DeployStatement,
    TrustedKeys,
    deploy_sequence,
    generate,
    load_private,
    load_public,
    sign_artifact,
    trusted_entry,
    where_each_half_goes,
)
from medplum_bots.runtime.forwarder import CarriedArtifact, ForwarderSpec

STAGING, PRODUCTION = generate(), generate()
SHA = hashlib.sha256(b"artifact").hexdigest()


def statement(**change: object) -> DeployStatement:
    fields: dict[str, object] = {
        "environment": "production",
        "bot": "greeter",
        "bot_id": "b-1",
        "sequence": 1_700_000_000_000,
        "sha256": SHA,
    }
    fields.update(change)
    return DeployStatement(**fields)  # type: ignore[arg-type]


def b64(raw: bytes) -> str:
    return PUBLIC_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Encodings that verify signatures nobody made: libsodium's small-order blocklist, plus the
# non-canonical spellings of the identity (p + 1) and of zero (p).
IDENTITY = bytes([1]) + bytes(31)
ZERO = bytes(32)
ORDER_8 = bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
ORDER_2 = bytes([0xEC]) + bytes([0xFF]) * 30 + bytes([0x7F])
NON_CANONICAL_IDENTITY = bytes([0xEE]) + bytes([0xFF]) * 30 + bytes([0x7F])


@pytest.mark.parametrize(
    "raw", [IDENTITY, ZERO, ORDER_8, ORDER_2, NON_CANONICAL_IDENTITY], ids=lambda r: r.hex()[:8]
)
def test_keys_anyone_could_sign_for_are_refused_at_start(raw: bytes) -> None:
    with pytest.raises(DeployKeyError) as caught:
        TrustedKeys.parse(f"production={b64(raw)}")
    text = str(caught.value)
    assert "is not a usable Ed25519 public key" in text and "\n" not in text


def test_the_identity_key_really_would_accept_a_forgery() -> None:
    # Why the check exists: `cryptography` takes the identity as a public key, and a
    # signature (R = identity, S = 0) then verifies for any message, with no private key.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = Ed25519PublicKey.from_public_bytes(IDENTITY)
    key.verify(IDENTITY + bytes(32), b"any code at all")


def test_a_key_is_bound_to_one_environment() -> None:
    trusted = TrustedKeys.parse(
        f"staging={STAGING.public}, production={PRODUCTION.public},production={generate().public}"
    )
    assert trusted.environments()[STAGING.id] == "staging"
    assert list(trusted.environments().values()).count("production") == 2  # a rotation
    with pytest.raises(DeployKeyError, match="each environment needs its own key"):
        TrustedKeys.parse(f"staging={STAGING.public},production={STAGING.public}")
    for bare in (STAGING.public, f"={STAGING.public}", f"st aging={STAGING.public}"):
        with pytest.raises(DeployKeyError, match="each key is `<environment>=ed25519:"):
            TrustedKeys.parse(bare)


def test_a_deploy_signature_binds_environment_bot_id_sequence_and_hash() -> None:
    trusted = TrustedKeys.parse(f"staging={STAGING.public},production={PRODUCTION.public}")
    signed = sign_artifact(load_private(PRODUCTION.private), statement())
    trusted.verify_deploy(signed.key_id, signed.signature, statement(), "bot")
    for change in (
        {"bot": "other"},
        {"bot_id": "b-2"},
        {"sequence": 1_700_000_000_001},
        {"sha256": hashlib.sha256(b"other").hexdigest()},
    ):
        with pytest.raises(DeployKeyError, match="the deploy signature does not match"):
            trusted.verify_deploy(signed.key_id, signed.signature, statement(**change), "bot")
    # The staging key signing a production deploy: refused although both keys are trusted.
    forged = sign_artifact(load_private(STAGING.private), statement())
    with pytest.raises(DeployKeyError, match="trusts for environment 'staging' only"):
        trusted.verify_deploy(forged.key_id, forged.signature, statement(), "bot")


def test_a_deploy_signature_has_one_spelling() -> None:
    trusted = TrustedKeys.parse(f"production={PRODUCTION.public}")
    signed = sign_artifact(load_private(PRODUCTION.private), statement())
    text = signed.signature
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".index(text[-1])
    other_last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last | 1]
    spellings = [text + "==", text[:-1] + other_last, text.replace("-", "+"), " " + text]
    for spelling in spellings:
        if spelling == text:
            continue
        with pytest.raises(DeployKeyError, match=r"not 86 base64url|canonical form"):
            trusted.verify_deploy(signed.key_id, spelling, statement(), "bot")


def test_statement_fields_are_checked() -> None:
    with pytest.raises(DeployKeyError, match="environment name"):
        statement(environment="prod uction")
    with pytest.raises(DeployKeyError, match="not a FHIR id"):
        statement(bot_id="a/b")
    with pytest.raises(DeployKeyError, match="out of range"):
        statement(sequence=2**53)
    assert statement().message().startswith(b'["medplum-bots artifact v2","production"')


def test_the_sequence_grows_past_medplums_clock() -> None:
    now = 1_700_000_000.5
    assert deploy_sequence(now) == 1_700_000_000_500
    # The previous $deploy was stamped by Medplum after a deploy from a machine ahead of this one.
    assert deploy_sequence(now, "2023-11-14T22:13:30.000Z") == 1_700_000_010_001
    assert deploy_sequence(now, "2000-01-01T00:00:00Z") == 1_700_000_000_500
    assert deploy_sequence(now, "not a date") == 1_700_000_000_500


def test_the_runtime_refuses_a_reference_that_does_not_fit_the_request() -> None:
    artifacts = SignedArtifacts(TrustedKeys.parse(f"production={PRODUCTION.public}"))
    carried = CarriedArtifact.sign(
        b"x",
        load_private(PRODUCTION.private),
        environment="production",
        bot="greeter",
        bot_id="b-1",
        sequence=5,
    )
    payload = {"bot": {"reference": "Bot/b-1"}, "artifact": carried.reference()}
    assert artifacts.verify("greeter", payload).mark.name == "production/Bot/b-1"
    cases = [
        ("other_bot", payload, "the deploy signature does not match"),
        ("greeter", {**payload, "bot": {"reference": "Bot/b-2"}}, "not to the Bot executing it"),
        ("greeter", {**payload, "artifact": {**carried.reference(), "sequence": 6}}, "not match"),
        ("greeter", {**payload, "artifact": {**carried.reference(), "format": 1}}, "format 1"),
        (
            "greeter",
            {**payload, "artifact": {**carried.reference(), "sequence": "5"}},
            "incomplete",
        ),
        ("greeter", {**payload, "artifact": carried.with_code() | {"code": "eQ=="}}, "not the one"),
    ]
    for name, body, message in cases:
        with pytest.raises(ArtifactRefused, match=message):
            artifacts.verify(name, body)


def test_an_unchanged_forwarder_has_the_same_identity_whatever_the_deploy() -> None:
    spec = ForwarderSpec("https://bots.example.com", "greeter", "KEY", "production", b"x", 10)
    private = load_private(PRODUCTION.private)
    first, second = spec.render(private, "b-1", 1), spec.render(private, "b-1", 2)
    assert first != second  # each deploy signs its own sequence
    assert spec.identity(PRODUCTION.id) == spec.identity(PRODUCTION.id)
    assert spec.identity(PRODUCTION.id)[0] != spec.identity(STAGING.id)[0]  # a rotation redeploys
    assert spec.identity(PRODUCTION.id)[1] >= len(first)  # the size bound holds


def test_deploy_key_prints_the_runtime_entry_with_its_environment() -> None:
    pair = generate()
    text = where_each_half_goes(pair, "staging", "STAGING_")
    assert f"MEDPLUM_BOTS_TRUSTED_KEYS={trusted_entry('staging', pair.public)}" in text
    assert load_public(pair.public)
