"""The multipart reader's header parameters are Django's, read faster."""

import pytest
from django.utils.http import parse_header_parameters

from collector_api.multipart import header_parameters

HEADERS = [
    'form-data; name="xml_submission_file"; filename="submission.xml"',
    'form-data; name="house.jpg"; filename="house.jpg"',
    "form-data; name=house.jpg; filename=house.jpg",
    'Form-Data; NAME="a"; FileName="B.JPG"',
    'form-data; name="a;b"; filename="x y.jpg"',
    'form-data; name="foto"; filename="rumah ñ 1.jpg"',
    "form-data; name=\"x\"; filename*=UTF-8''%E2%82%AC%20rates.jpg",
    'form-data; name="x"; filename="C:\\\\photos\\\\a.jpg"',
    'form-data; name="x"; filename="a\\"b.jpg"',
    "multipart/form-data; boundary=----srs-bench-boundary-7MA4YWxkTrZu0gW",
    'multipart/form-data; boundary="quoted boundary"',
    'multipart/form-data; charset=utf-8; boundary="b"',
    'form-data;name="x"',
    'form-data; name="x";',
    'form-data; name=""; filename=""',
    "form-data",
    "  form-data  ",
    'form-data ; name = "x" ; filename = "y"',
    'form-data; name="x"; name="y"',
    "form-data; =x",
    "form-data; name",
    'form-data; name="unclosed',
    "",
]


@pytest.mark.parametrize("value", HEADERS)
def test_header_parameters_are_read_as_django_reads_them(value):
    assert header_parameters(value) == parse_header_parameters(value)
