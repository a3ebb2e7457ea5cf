"""Hostile files and requests get a 4xx with a message the phone shows, never a 500,
and leave nothing behind: no row, no file on disk."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from intake.models import Attachment, Submission
from tests.collector_api.test_area_holes import Phone, household_xml, message
from tests.collector_api.test_bad_input import _raw_multipart
from tests.openrosa_fixtures import jpeg


@pytest.fixture
def phone(openrosa_setup) -> Phone:
    return Phone(openrosa_setup["agent"])


@pytest.fixture
def nothing_left(settings):
    """Asserts, after the test, that no submission, attachment or file was stored."""
    yield
    assert not Submission.objects.exists() and not Attachment.objects.exists()
    stored = Path(settings.MEDIA_ROOT) / "submissions"
    assert not [p for p in stored.rglob("*") if p.is_file()]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int) -> bytes:
    """A real, decodable grey PNG of ``width``×``height`` black pixels: tiny on the wire."""
    compressor = zlib.compressobj(9)
    row = b"\0" * (width + 1)  # the filter byte, then the row
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def _photo_refused(phone: Phone, content: bytes) -> None:
    xml = household_xml(uuid="uuid:hostile-photo")
    response = phone.post(xml, {"house.jpg": content})
    assert response.status_code == 400, message(response)
    assert "“house.jpg” has more pixels than the server accepts (at most 50 megapixels)" in (
        message(response)
    )
    indonesian = phone.post(xml, {"house.jpg": content}, language="id")
    assert indonesian.status_code == 400
    assert "Gambar “house.jpg” memiliki piksel lebih banyak" in message(indonesian)


def test_a_decompression_bomb_photo_is_400_with_a_message(phone, nothing_left):
    bomb = png_bomb(20_000, 20_000)
    assert len(bomb) < 600_000  # 400 megapixels on the wire in a few hundred kB
    _photo_refused(phone, bomb)


def test_a_144_megapixel_photo_is_refused_before_it_is_decoded(phone, nothing_left):
    _photo_refused(phone, png_bomb(12_000, 12_000))


def test_the_pixel_limit_is_a_setting_read_from_the_header(phone, settings):
    settings.SRS_PHOTO_MAX_PIXELS = 1_000_000
    refused = phone.post(household_xml(uuid="uuid:big"), {"house.jpg": _png(1001, 1000)})
    assert refused.status_code == 400
    assert "at most 1 megapixels" in message(refused)
    taken = phone.post(household_xml(uuid="uuid:big"), {"house.jpg": _png(1000, 1000)})
    assert taken.status_code == 201, message(taken)


def test_a_photo_too_large_to_decode_whole_is_kept_without_a_thumbnail(phone):
    """A 20-megapixel PNG is accepted (it is within the limit) but not decoded whole for its
    thumbnail (80 MB); a 24-megapixel JPEG gets one, decoded at an eighth of its size."""
    from intake.processing import process_awaiting_submissions

    large_png = _png(5000, 4000)
    response = phone.post(household_xml(uuid="uuid:png"), {"house.jpg": large_png})
    assert response.status_code == 201, message(response)
    png = Submission.objects.get()
    process_awaiting_submissions(seconds=10)
    png.refresh_from_db()
    assert png.processed_at is not None and png.processing_error == ""
    assert png.attachments.get().thumbnail == ""

    buffer = io.BytesIO()
    Image.new("RGB", (6000, 4000), "white").save(buffer, "JPEG", quality=50)
    response = phone.post(household_xml(uuid="uuid:jpeg"), {"house.jpg": buffer.getvalue()})
    assert response.status_code == 201, message(response)
    photo = Submission.objects.get(instance_id="uuid:jpeg").attachments.get()
    assert photo.thumbnail
    with Image.open(photo.thumbnail.open("rb")) as thumbnail:
        assert thumbnail.size == (320, 213)


@pytest.mark.parametrize("length", [201, 256, 300])
def test_a_file_name_too_long_is_400_with_a_message(phone, nothing_left, length):
    name = "x" * (length - 4) + ".jpg"
    response = phone.post(household_xml(uuid="uuid:long", photo=name), {name: jpeg()})
    assert response.status_code == 400
    assert "is too long: the server keeps names of at most 200 characters" in message(response)
    indonesian = phone.post(
        household_xml(uuid="uuid:long", photo=name), {name: jpeg()}, language="id"
    )
    assert "terlalu panjang" in message(indonesian)


def test_a_name_of_200_characters_is_kept(phone):
    name = "x" * 196 + ".jpg"
    response = phone.post(household_xml(uuid="uuid:long", photo=name), {name: jpeg()})
    assert response.status_code == 201, message(response)
    assert Attachment.objects.get().filename == name


def _post_raw(phone: Phone, body: bytes, *, language: str = "en", **environ: str):
    return phone.client.generic(
        "POST",
        f"{phone.prefix}/submission",
        body,
        content_type=environ.pop("content_type", "multipart/form-data; boundary=b0undary"),
        headers={"accept-language": language},
        **environ,
    )


def _good_body() -> bytes:
    return _raw_multipart(
        ("xml_submission_file", "submission.xml", household_xml(uuid="uuid:raw")),
        ("house.jpg", "house.jpg", jpeg()),
    )


@pytest.mark.parametrize("length", ["abc", "-5", "1_000", "+12", "12 34", "0x10"])
def test_a_content_length_that_is_not_a_number_is_400(phone, nothing_left, length):
    response = _post_raw(phone, _good_body(), CONTENT_LENGTH=length)
    assert response.status_code == 400
    assert "does not say its length in bytes" in message(response)
    indonesian = _post_raw(phone, _good_body(), language="id", CONTENT_LENGTH=length)
    assert "tidak menyebutkan panjangnya" in message(indonesian)


@pytest.mark.parametrize("length", ["99999999999", "9" * 40, "9" * 5000])
def test_a_huge_content_length_is_413(phone, nothing_left, length):
    response = _post_raw(phone, _good_body(), CONTENT_LENGTH=length)
    assert response.status_code == 413
    assert "too large" in message(response)


def test_a_body_cut_off_before_its_content_length_is_400(phone, live_server, nothing_left):
    """Over a real socket: the phone's connection drops halfway through the upload."""
    import socket
    from urllib.parse import urlsplit

    body = _good_body()
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(
            f"POST {phone.prefix}/submission HTTP/1.1\r\nHost: {address.netloc}\r\n"
            "Content-Type: multipart/form-data; boundary=b0undary\r\nAccept-Language: en\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body[: len(body) // 2]
        )
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b"not a readable form upload" in answer


def _xml_part_and(filename_header: bytes, content: bytes = b"") -> bytes:
    xml = household_xml(uuid="uuid:odd")
    return (
        b"--b0undary\r\n"
        b'Content-Disposition: form-data; name="xml_submission_file"; filename="s.xml"\r\n\r\n'
        + xml
        + b'\r\n--b0undary\r\nContent-Disposition: form-data; name="house.jpg"; '
        + filename_header
        + b"\r\n\r\n"
        + (content or jpeg())
        + b"\r\n--b0undary--\r\n"
    )


@pytest.mark.parametrize(
    ("filename_header", "expected"),
    [
        (b'filename="h\xe9use.jpg"', "not a readable form upload"),  # Latin-1, not UTF-8
        (b'filename=""', "is not allowed"),
        (b'filename="house\x00.jpg"', "is not allowed"),
        (b'filename="house\x07.jpg"', "is not allowed"),
        (b'filename="house\t.jpg"', "is not allowed"),
        (b"filename*=nonsense''house.jpg", "not a readable form upload"),
        (b'filename="../house.jpg"', "is not allowed"),
    ],
    ids=["latin-1", "empty", "nul", "bell", "tab", "bad-charset", "path"],
)
def test_odd_file_names_are_400(phone, nothing_left, filename_header, expected):
    response = _post_raw(phone, _xml_part_and(filename_header))
    assert response.status_code == 400, message(response)
    assert expected in message(response)


def test_two_xml_parts_are_400(phone, nothing_left):
    body = _raw_multipart(
        ("xml_submission_file", "a.xml", household_xml(uuid="uuid:one")),
        ("xml_submission_file", "b.xml", household_xml(uuid="uuid:two")),
        ("house.jpg", "house.jpg", jpeg()),
    )
    response = _post_raw(phone, body)
    assert response.status_code == 400
    assert "more than one xml_submission_file part" in message(response)
    indonesian = _post_raw(phone, body, language="id")
    assert "lebih dari satu bagian xml_submission_file" in message(indonesian)


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=",
        'multipart/form-data; boundary=""',
        "multipart/form-data; boundary=" + "b" * 300,
        "multipart/form-data; boundary=bé",
        "",
    ],
    ids=["none", "empty", "empty-quoted", "too-long", "not-ascii", "no-type"],
)
def test_a_missing_or_odd_boundary_is_400(phone, nothing_left, content_type):
    response = _post_raw(phone, _good_body(), content_type=content_type)
    assert response.status_code == 400, message(response)
    assert "not a readable form upload" in message(response)


def _nested(depth: int) -> bytes:
    return household_xml(uuid="uuid:deep").replace(
        b"<ktp_photo/>", b"<ktp_photo/>" + b"<a>" * depth + b"x" + b"</a>" * depth
    )


def test_deeply_nested_xml_is_400(phone, nothing_left):
    response = phone.post(_nested(5000), {"house.jpg": jpeg()})
    assert response.status_code == 400
    assert "not a readable form instance" in message(response)


def test_nested_xml_within_the_parsers_limit_is_stored_and_processed(phone):
    response = phone.post(_nested(200), {"house.jpg": jpeg()})
    assert response.status_code == 201, message(response)
    submission = Submission.objects.get()
    assert submission.processing_error == "" and submission.processed_at is not None


@pytest.mark.parametrize("where", ["text", "attribute", "elements"])
def test_a_huge_text_attribute_or_element_count_is_refused_before_it_is_parsed(
    phone, nothing_left, where
):
    huge = "x" * 6_000_000
    xml = household_xml(uuid="uuid:huge", name=huge if where == "text" else "Siti")
    if where == "attribute":
        xml = xml.replace(b'version="1"', f'version="1" junk="{huge}"'.encode())
    if where == "elements":  # 800,000 of them: a gigabyte once parsed, at 64 MB
        xml = xml.replace(b"<ktp_photo/>", b"<ktp_photo/>" + b"<q>1</q>" * 800_000)
    response = phone.post(xml, {"house.jpg": jpeg()})
    assert response.status_code == 413
    assert "The form's answers are too large for the server" in message(response)
    indonesian = phone.post(xml, {"house.jpg": jpeg()}, language="id")
    assert "terlalu besar" in message(indonesian)


@pytest.mark.parametrize(
    "instance_id",
    ["uuid:a\tb", "uuid:a&#10;b", "uuid:a\u200bb", "uuid:a\u00a0b", "uuid:a\ue000b", "uuid:&#1;"],
    ids=["tab", "line-break", "zero-width-space", "no-break-space", "private-use", "control"],
)
def test_an_instance_id_with_unprintable_characters_is_400(phone, nothing_left, instance_id):
    xml = household_xml(uuid=instance_id)
    response = phone.post(xml, {"house.jpg": jpeg()})
    assert response.status_code == 400
    text = message(response)
    assert "instanceID" in text or "not a readable form instance" in text
    indonesian = phone.post(xml, {"house.jpg": jpeg()}, language="id")
    assert indonesian.status_code == 400


def test_an_instance_id_with_letters_of_any_script_is_kept(phone):
    response = phone.post(household_xml(uuid="uuid:rumah-ñ-ü-ダ"), {"house.jpg": jpeg()})
    assert response.status_code == 201, message(response)
    attachment = Attachment.objects.get()
    assert attachment.submission.instance_id == "uuid:rumah-ñ-ü-ダ"
    assert attachment.file.name.isascii() and attachment.file.read() == jpeg()


def test_a_device_id_that_no_row_could_hold_is_cut_to_what_it_can(phone):
    xml = household_xml(uuid="uuid:device")
    parts = _raw_multipart(
        ("xml_submission_file", "s.xml", xml), ("house.jpg", "house.jpg", jpeg())
    )
    response = phone.client.generic(
        "POST",
        f"{phone.prefix}/submission?deviceID=collect:{'d' * 400}%00%01%7F",
        parts,
        content_type="multipart/form-data; boundary=b0undary",
    )
    assert response.status_code == 201, message(response)
    device_id = Submission.objects.get().device_id
    assert device_id.startswith("collect:ddd") and len(device_id) == 255 and device_id.isprintable()
    from collector_api.models import Device

    assert Device.objects.get().device_id == device_id  # no NUL for PostgreSQL to refuse
