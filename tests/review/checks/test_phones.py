"""Phone numbers normalised to E.164."""

import pytest

from review.checks.phones import check_phone, normalise_phone


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("(0341) 123456", "+62341123456"),
    ],
)
def test_indonesian_numbers(written, e164):
    assert normalise_phone(written) == e164
    assert check_phone(written, field="phone") == []


@pytest.mark.parametrize("written", ["081234", "12345678901234", "nomor hp"])
def test_invalid_numbers_are_a_finding(written):
    assert normalise_phone(written) is None
    (finding,) = check_phone(written, field="head/phone")
    assert finding.check == "phone.invalid" and finding.field == "head/phone"


def test_an_empty_answer_is_no_finding():
    assert check_phone("", field="phone") == []
