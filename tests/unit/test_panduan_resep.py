"""The recipes of docs/panduan-pengembang.md that need no AWS: each test is named after
the recipe it proves ("Resep: menambah regu", "Resep: menambah layar") and does what
the recipe tells a programmer to do."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError

from chalicelib import routing
from chalicelib.routing import load_catalogue, topic_name

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "panduan-pengembang.md"
CATALOGUE = ROOT / "chalicelib" / "data" / "catalogue.json"
STATIC = ROOT / "chalicelib" / "entry" / "static"

GREEN = {
    "code": "green",
    "colour": "#27ae60",
    "name_id": "Tim Hijau",
    "name_en": "Green Squad",
    "handles_id": "Lingkungan hidup",
    "handles_en": "Environment",
}
RIVER = {
    "code": "sungai_tercemar",
    "squad": "green",
    "sla_hours": 72,
    "name_id": "Sungai tercemar",
    "name_en": "Polluted river",
}


def _catalogue_with_green(tmp_path: Path) -> Path:
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    data["squads"].append(GREEN)
    data["labels"].append(RIVER)
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# --- Resep: menambah regu ----------------------------------------------------------


def test_resep_menambah_regu_ditolak_dengan_pesan_jelas_sampai_squad_codes_memuatnya(
    tmp_path, monkeypatch
):
    path = _catalogue_with_green(tmp_path)
    # step 1 alone (the catalogue): refused, and the message says what is missing
    with pytest.raises(ValidationError, match="squads must be exactly pink, white, orange"):
        load_catalogue(path)
    # step 2 (SQUAD_CODES in chalicelib/routing.py): the same file now loads
    monkeypatch.setattr(routing, "SQUAD_CODES", (*routing.SQUAD_CODES, "green"))
    catalogue = load_catalogue(path)
    squad = catalogue.squad_for("sungai_tercemar")
    assert squad.code == "green" and not squad.covert
    assert topic_name(squad.code) == "kawal-dev-squad-green"  # the topic kawal_local makes
    # what a citizen is shown: the new squad, by name (it is not covert)
    assert catalogue.public_handler("sungai_tercemar")["name_id"] == "Tim Hijau"


def _recipe(title: str) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(f"### {title}")
    end = text.find("\n### ", start + 1)
    return text[start : end if end > 0 else len(text)]


def _files_naming_squads() -> set[str]:
    """Every source file that knows the squads by code, not from the catalogue."""
    literal = re.compile(r"SQUAD_CODES|\"pink\", \"white\"|\"white\": |\"pink\": \[")
    found = set()
    for folder in ("chalicelib", "kawal_local"):
        for path in (ROOT / folder).rglob("*.py"):
            if literal.search(path.read_text(encoding="utf-8")):
                found.add(str(path.relative_to(ROOT)))
    return found


def test_resep_menambah_regu_menyebut_setiap_file_yang_mengenal_kode_regu():
    """The recipe lists every place a squad code is written in code; a new such place
    fails here until the guide names it."""
    recipe = _recipe("Resep 2")
    named = set(re.findall(r"`((?:chalicelib|kawal_local)/[\w/]+\.py)`", recipe))
    missing = _files_naming_squads() - named
    assert not missing, f"docs/panduan-pengembang.md, Resep 2, does not name: {sorted(missing)}"


# --- Resep: menambah layar ----------------------------------------------------------


def _literal(source: str, start: int) -> str:
    """The JavaScript object literal that opens at ``source[start]`` (strings skipped)."""
    depth, i, quote = 0, start, ""
    while i < len(source):
        c = source[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'`":
            quote = c
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return source[start : i + 1]
        i += 1
    raise AssertionError("unclosed object literal")


def _evaluate(literal: str):
    """The literal's value, as JavaScript itself reads it (Node, no DOM needed)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = "process.stdout.write(JSON.stringify(eval('(' + require('fs').readFileSync(0, 'utf8') + ')')))"  # noqa: E501
    out = subprocess.run(
        [node, "-e", script], input=literal, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def _scripts(app: str) -> list[str]:
    """Every script of the app's folder: a screen may bring its own (reporter.js, usul.js)."""
    return [p.read_text(encoding="utf-8") for p in sorted((STATIC / app).glob("*.js"))]


def _used_keys(app: str) -> set[str]:
    page = (STATIC / app / "index.html").read_text(encoding="utf-8")
    used = set(re.findall(r'data-i18n(?:-label|-placeholder)?="(\w+)"', page))
    for script in _scripts(app):
        used |= set(re.findall(r'\bI\.t\("(\w+)"', script))
    return used


@pytest.mark.parametrize("app", ["lapor", "tim"])
def test_resep_menambah_layar_setiap_teks_punya_bahasa_indonesia_dan_inggris(app):
    strings: dict = {}
    for script in _scripts(app):  # each script's own table(s) of strings
        at = script.find("I.add({")
        while at != -1:
            strings |= _evaluate(_literal(script, at + len("I.add(")))
            at = script.find("I.add({", at + 1)
    for key, pair in strings.items():
        assert isinstance(pair, list) and len(pair) == 2, key
        assert all(isinstance(s, str) and s.strip() for s in pair), (app, key, pair)
    missing = _used_keys(app) - set(strings)
    assert not missing, f"{app}: keys used but not in I.add: {sorted(missing)}"


def test_resep_menambah_layar_pusat_komando_punya_kedua_bahasa_untuk_setiap_kunci():
    script = (STATIC / "command" / "app.js").read_text(encoding="utf-8")
    text = _evaluate(_literal(script, script.index("const TEXT = {") + len("const TEXT = ")))

    def keys(table: dict, prefix: str = "") -> set[str]:
        out = set()
        for key, value in table.items():
            out |= keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
        return out

    assert keys(text["id"]) == keys(text["en"])
    page = (STATIC / "command" / "index.html").read_text(encoding="utf-8")
    missing = set(re.findall(r'data-i18n="(\w+)"', page)) - keys(text["id"])
    assert not missing, f"command: keys in the page but not in TEXT: {sorted(missing)}"
