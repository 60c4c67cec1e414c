"""Open311's service discovery and definitions: labels as services (group: the squad
a citizen is shown; covert labels under the same neutral "Regent's Command Centre"),
their attributes as the standard's questions. Pure, like ``open311``."""

from __future__ import annotations

from typing import Any

from chalicelib.domain import workdays
from chalicelib.domain.errors import NotFound
from chalicelib.domain.open311 import SPECIFICATION, w3c
from chalicelib.routing import Attribute, Catalogue, Label


def discovery(base_url: str, catalogue: Catalogue, contact: str) -> dict[str, Any]:
    changeset = w3c(catalogue.updated_at)
    return {
        "changeset": changeset,
        "contact": contact,
        "key_service": "API keys for filing requests are issued by the regency's operators",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def _group(catalogue: Catalogue, label: Label, lang: str) -> str:
    return catalogue.public_handler(label.code)[f"name_{lang}"]


def service(catalogue: Catalogue, label: Label, lang: str) -> dict[str, Any]:
    name = label.name_en if lang == "en" else label.name_id
    group = _group(catalogue, label, lang)
    if lang == "en":
        description = (
            f"{label.name_en}. Handled by {group}; "
            f"response within {workdays.target_words(label, 'en')}."
        )
    else:
        description = (
            f"{label.name_id}. Ditangani {group}; "
            f"ditanggapi dalam {workdays.target_words(label, 'id')}."
        )
    return {
        "service_code": label.code,
        "service_name": name,
        "description": description,
        "metadata": bool(label.attributes),
        "type": "realtime",  # a request id comes back at once
        # "private": FixMyStreet keeps a category's reports off its public map
        "keywords": ", ".join(
            dict.fromkeys(
                [label.name_id, label.name_en, *label.code.split("_")]
                + (["private"] if catalogue.is_covert(label.code) else [])
            )
        ),
        "group": group,
    }


def services(catalogue: Catalogue, lang: str) -> list[dict[str, Any]]:
    return [service(catalogue, label, lang) for label in catalogue.labels]


def label_or_404(catalogue: Catalogue, code: str | None) -> Label:
    label = catalogue.label(code or "")
    if label is None:
        raise NotFound(f"no service {code!r}; services.json lists them")
    return label


_DATATYPE_HELP = {
    "id": {
        "singlevaluelist": "Pilih satu",
        "multivaluelist": "Pilih satu atau lebih",
        "datetime": "Tanggal dan jam, mis. 2026-11-23T08:00:00+07:00",
        "string": "Teks singkat",
        "text": "Teks",
    },
    "en": {
        "singlevaluelist": "Choose one",
        "multivaluelist": "Choose one or more",
        "datetime": "Date and time, e.g. 2026-11-23T08:00:00+07:00",
        "string": "Short text",
        "text": "Text",
    },
}


def _datatype_description(attribute: Attribute, lang: str) -> str:
    if attribute.datatype != "number":
        return _DATATYPE_HELP[lang][attribute.datatype]
    low, high = attribute.minimum, attribute.maximum
    word = "A number" if lang == "en" else "Angka"
    if low is not None and high is not None:
        return f"{word} {low:g}–{high:g}"
    return word


def service_definition(label: Label, lang: str) -> dict[str, Any]:
    return {
        "service_code": label.code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": _datatype_description(a, lang),
                "order": a.order,
                "description": a.description_en if lang == "en" else a.description_id,
                "values": [
                    {"key": v.key, "name": v.name_en if lang == "en" else v.name_id}
                    for v in a.values
                ],
            }
            for a in sorted(label.attributes, key=lambda a: a.order)
        ],
    }


# -- service requests out ----------------------------------------------------------
