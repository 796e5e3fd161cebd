"""The webhook signature (integrations/signing.py): what a receiver checks, table-driven and
by property, and the sealed storage of endpoint secrets (integrations/sealed.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.integrations import sealed, signing

SECRET = "whsec_test-secret"
BODY = b'{"id":"e1","type":"appointment.booked"}'
T = 1_800_000_000


def test_the_header_is_the_timestamp_and_the_hmac_of_timestamp_dot_body():
    # Worked by hand: HMAC-SHA256("whsec_test-secret", "1800000000.{...}").
    import hashlib
    import hmac

    expected = hmac.new(SECRET.encode(), b"1800000000." + BODY, hashlib.sha256).hexdigest()

    assert signing.header(SECRET, T, BODY) == f"t={T},v1={expected}"


@pytest.mark.parametrize(
    ("header", "body", "now", "valid"),
    [
        (signing.header(SECRET, T, BODY), BODY, T, True),
        (signing.header(SECRET, T, BODY), BODY, T + 300, True),  # the window's edge
        (signing.header(SECRET, T, BODY), BODY, T - 300, True),
        (signing.header(SECRET, T, BODY), BODY, T + 301, False),  # replayed too late
        (signing.header(SECRET, T, BODY), BODY + b" ", T, False),  # body changed
        (signing.header("whsec_other", T, BODY), BODY, T, False),  # another secret
        (signing.header(SECRET, T, BODY).replace(f"t={T}", f"t={T + 1}"), BODY, T, False),
        # While a secret is rolled a receiver may be sent two; one matching is enough.
        (f"t={T},v1=00ff,v1={signing.signature(SECRET, T, BODY)}", BODY, T, True),
        ("", BODY, T, False),
        (f"t={T}", BODY, T, False),
        (f"v1={signing.signature(SECRET, T, BODY)}", BODY, T, False),
        (f"t=abc,v1={signing.signature(SECRET, T, BODY)}", BODY, T, False),
        (f"t=-{T},v1={signing.signature(SECRET, T, BODY)}", BODY, T, False),
        ("t=١٨,v1=00", BODY, T, False),  # non-ASCII digits
        (f"t={T},v0={signing.signature(SECRET, T, BODY)}", BODY, T, False),  # unknown scheme
    ],
)
def test_verify(header, body, now, valid):
    assert signing.verify(SECRET, header, body, now) is valid


secrets_ = st.text(min_size=1, max_size=40)
bodies = st.binary(max_size=300)
times = st.integers(min_value=0, max_value=10**11)


@given(secret=secrets_, body=bodies, t=times, skew=st.integers(-300, 300))
def test_what_is_signed_verifies_within_the_window(secret, body, t, skew):
    assert signing.verify(secret, signing.header(secret, t, body), body, t + skew)


@given(secret=secrets_, body=bodies, t=times, other=bodies)
def test_another_body_fails(secret, body, t, other):
    if other != body:
        assert not signing.verify(secret, signing.header(secret, t, body), other, t)


@given(secret=secrets_, other=secrets_, body=bodies, t=times)
def test_another_secret_fails(secret, other, body, t):
    if other != secret:
        assert not signing.verify(other, signing.header(secret, t, body), body, t)


@given(secret=secrets_, body=bodies, t=times, shift=st.integers(1, 10**6))
def test_another_timestamp_fails(secret, body, t, shift):
    forged = signing.header(secret, t, body).replace(f"t={t},", f"t={t + shift},")
    assert not signing.verify(secret, forged, body, t + shift)


@given(secret=secrets_, body=bodies, t=times, late=st.integers(301, 10**6))
def test_outside_the_window_fails(secret, body, t, late):
    header = signing.header(secret, t, body)
    assert not signing.verify(secret, header, body, t + late)
    assert not signing.verify(secret, header, body, t - late)


def test_new_secrets_are_prefixed_and_unguessable():
    made = {signing.new_secret() for _ in range(50)}

    assert len(made) == 50
    assert all(s.startswith("whsec_") and len(s) >= 40 for s in made)


def test_a_sealed_secret_opens_with_its_keys_and_after_a_new_key_is_put_first():
    token = sealed.seal(["old key"], "webhook", "whsec_abc")

    assert "whsec_abc" not in token
    assert sealed.open_sealed(["old key"], "webhook", token) == "whsec_abc"
    assert sealed.open_sealed(["new key", "old key"], "webhook", token) == "whsec_abc"
    with pytest.raises(sealed.InvalidToken):
        sealed.open_sealed(["new key"], "webhook", token)
    with pytest.raises(sealed.InvalidToken):
        sealed.open_sealed(["old key"], "calendar", token)  # sealed for another purpose
