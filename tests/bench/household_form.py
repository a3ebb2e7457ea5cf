"""A 45-question household form with a member repeat, GPS and a photo, and its instances."""

import random

_SIMPLE = [(f"q{n:02d}", "integer" if n % 3 else "text") for n in range(1, 39)]


def household_workbook() -> bytes:
    from tests.factories import xlsform_bytes  # needs Django set up (manage.py shell)

    survey = [
        {
            "type": "text",
            "name": "village",
            "label::Indonesian (id)": "Desa",
            "label::English (en)": "Village",
        },
        {
            "type": "text",
            "name": "hh_head_name",
            "label::Indonesian (id)": "Kepala",
            "label::English (en)": "Head",
        },
        {
            "type": "geopoint",
            "name": "location",
            "label::Indonesian (id)": "Lokasi",
            "label::English (en)": "GPS",
        },
    ]
    survey += [
        {"type": kind, "name": name, "label::Indonesian (id)": name, "label::English (en)": name}
        for name, kind in _SIMPLE
    ]
    survey += [
        {
            "type": "begin_repeat",
            "name": "members",
            "label::Indonesian (id)": "Anggota",
            "label::English (en)": "Members",
        },
        {
            "type": "text",
            "name": "name",
            "label::Indonesian (id)": "Nama",
            "label::English (en)": "Name",
        },
        {
            "type": "text",
            "name": "nik",
            "label::Indonesian (id)": "NIK",
            "label::English (en)": "NIK",
        },
        {
            "type": "date",
            "name": "birth_date",
            "label::Indonesian (id)": "Lahir",
            "label::English (en)": "Born",
        },
        {"type": "end_repeat", "name": "members"},
        {
            "type": "image",
            "name": "house_photo",
            "label::Indonesian (id)": "Foto",
            "label::English (en)": "Photo",
        },
    ]
    return xlsform_bytes(
        form_id="bench_household", version="1", title="Bench household", survey=survey
    )


def household_instance(instance_id: str, members: int = 4) -> bytes:
    rng = random.Random(instance_id)
    answers = "".join(
        f"<{name}>{rng.randint(0, 90) if kind == 'integer' else 'jawaban ' + str(rng.random())}</{name}>"
        for name, kind in _SIMPLE
    )
    people = "".join(
        f"<members><name>Anggota {i}</name><nik>35071350088000{i:02d}</nik>"
        f"<birth_date>19{rng.randint(40, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}</birth_date></members>"
        for i in range(members)
    )
    return (
        '<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" '
        'xmlns:orx="http://openrosa.org/xforms" id="bench_household" version="1">'
        f"<village>35.07.13.2011</village><hh_head_name>Siti {rng.random()}</hh_head_name>"
        f"<location>-8.13{rng.randint(0, 99)} 112.57{rng.randint(0, 99)} 420 5</location>"
        f"{answers}{people}<house_photo>house.jpg</house_photo>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()
