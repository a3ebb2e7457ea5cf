"""Answers that the current questionnaire version would refuse."""

from pyxform.xls2xform import convert

from review.checks.form_values import check_values

FORM = """
| survey   |                 |            |                     |                          |
|          | type            | name       | label               | constraint               |
|          | select_one yn   | owns_land  | Owns land?          |                          |
|          | integer         | rooms      | Rooms               | . >= 1 and . <= 20       |
|          | decimal         | floor_area | Floor area          | . > 0                    |
|          | integer         | children   | Children            | . < ${rooms} * 10        |
|          | begin_repeat    | members    | Members             |                          |
|          | text            | name       | Name                |                          |
|          | select_multiple prog | programmes | Programmes     |                          |
|          | integer         | age        | Age                 | . >= 0 and . <= 120      |
|          | end_repeat      | members    |                     |                          |
| choices  |                 |            |                     |                          |
|          | list_name       | name       | label               |                          |
|          | yn              | yes        | Yes                 |                          |
|          | yn              | no         | No                  |                          |
|          | prog            | pkh        | PKH                 |                          |
|          | prog            | bpnt       | BPNT                |                          |
| settings |                 |            |                     |                          |
|          | form_id         | version    |                     |                          |
|          | values_test     | 2          |                     |                          |
"""


def _xform() -> str:
    return convert(xlsform=FORM, file_type=".md", validate=False).xform


def test_answers_the_form_accepts_have_no_finding():
    answers = {
        "owns_land": "yes",
        "rooms": "4",
        "floor_area": "36.5",
        "children": "999",  # a constraint with another question in it is the phone's to judge
        "members": [{"name": "Budi", "programmes": "pkh bpnt", "age": "45"}],
    }
    assert check_values(answers, _xform()) == []


def test_a_choice_that_no_longer_exists_and_numbers_out_of_range():
    answers = {
        "owns_land": "maybe",
        "rooms": "0",
        "floor_area": "luas",
        "members": [
            {"name": "Budi", "programmes": "pkh raskin", "age": "45"},
            {"name": "Siti", "programmes": "", "age": "130"},
        ],
    }
    found = [(f.check, f.field, f.member_index) for f in check_values(answers, _xform())]
    assert found == [
        ("value.choice_gone", "owns_land", None),
        ("value.out_of_range", "rooms", None),
        ("value.out_of_range", "floor_area", None),
        ("value.choice_gone", "members/programmes", 0),
        ("value.out_of_range", "members/age", 1),
    ]
    messages = [f.message_en for f in check_values(answers, _xform())]
    assert "raskin" in messages[3] and ">= 1" in messages[1]
