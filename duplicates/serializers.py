"""The duplicates API's input and output shapes, nothing else.

The records of a pair come masked from ``duplicates.api`` (``registry.masking``);
no full NIK, KK or phone number is in any answer.
"""

from typing import Any

from rest_framework import serializers

from duplicates.decisions import KEEP
from duplicates.models import DuplicatePair, PairKind

MASKED = "Masked: the area prefix and the last 4 digits (e.g. 350713••••••0001)."


class PairPersonOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    nik = serializers.CharField(help_text=MASKED)
    sex = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    phone = serializers.CharField(help_text="Masked: +62812••••5678.")
    kk_number = serializers.CharField(help_text=MASKED)
    village_code = serializers.CharField()
    village_name = serializers.CharField()
    household_id = serializers.IntegerField(allow_null=True)
    merged_into = serializers.IntegerField(
        allow_null=True, help_text="The person this one was merged into, if it was."
    )


class PairHouseholdOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    village_code = serializers.CharField()
    village_name = serializers.CharField()
    rt = serializers.CharField()
    rw = serializers.CharField()
    address = serializers.CharField()
    head_id = serializers.IntegerField(allow_null=True)
    head_name = serializers.CharField()
    head_nik = serializers.CharField(help_text=MASKED)
    kk_numbers = serializers.ListField(child=serializers.CharField(), help_text=MASKED)
    members_count = serializers.IntegerField()
    merged_into = serializers.IntegerField(
        allow_null=True, help_text="The household this one was merged into, if it was."
    )


class MatchedMemberOutput(serializers.Serializer[Any]):
    person_a = serializers.IntegerField()
    person_b = serializers.IntegerField()
    match_weight = serializers.FloatField()


class PairOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PairKind.choices)
    state = serializers.ChoiceField(choices=DuplicatePair.State.choices)
    score = serializers.FloatField(
        help_text="The match weight: log2 of the odds that the two are one, the prior plus "
        "every field's contribution."
    )
    match_probability = serializers.FloatField()
    contributions = serializers.DictField(
        child=serializers.FloatField(),
        help_text="Each field's part of the score (people: prior, name, name_frequency, "
        "birth_date, nik, sex, village…; households: members_matched, "
        "smaller_household_size, mean_member_probability).",
    )
    levels = serializers.DictField(
        child=serializers.CharField(),
        help_text="How alike each field is, e.g. name: same_letters, nik: typo, "
        "birth_date: exact (people).",
    )
    matched_members = MatchedMemberOutput(
        many=True, help_text="Households: the pairs of members found alike."
    )
    blocking_rule = serializers.CharField()
    model_version = serializers.CharField()
    left_person = PairPersonOutput(allow_null=True, help_text="People: the first record.")
    right_person = PairPersonOutput(allow_null=True, help_text="People: the second record.")
    left_household = PairHouseholdOutput(allow_null=True, help_text="Households: the first.")
    right_household = PairHouseholdOutput(allow_null=True, help_text="Households: the second.")
    decided_by = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    updated_at = serializers.DateTimeField()


class MergeInput(serializers.Serializer[Any]):
    keep = serializers.ChoiceField(
        choices=list(KEEP), help_text="The record kept: left (the first) or right."
    )
    reason = serializers.CharField(max_length=2000, help_text="Why the two are one.")


class ReasonInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)
