"""The translation catalogues: one for every language offered, complete, and faithful to the
placeholders of the English.

A catalogue that misses a message shows that message in English in the middle of a page in
another language; a translation whose placeholders differ breaks the page (``%`` raises) or
names the wrong thing. Both fail here, before a page meets them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation import to_locale

from selec.catalogues import serbian_latin_catalogue

ROOT = Path(settings.BASE_DIR)
# What makemessages reads: the code and templates of the product, not its tests or tools.
SOURCES = ["manage.py", "pyproject.toml", "templates", "static"] + [
    path.name for path in ROOT.iterdir() if (path / "apps.py").exists() or path.name == "selec"
]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]|\{\w*\}")
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _catalogue(root: Path, language: str) -> polib.POFile:
    return polib.pofile(str(root / "locale" / to_locale(language) / "LC_MESSAGES" / "django.po"))


def _placeholders(text: str) -> tuple[str, ...]:
    return tuple(sorted(PLACEHOLDER.findall(text)))


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sources with each catalogue merged again from them by makemessages: what
    the catalogues must hold if they are up to date."""
    copy = tmp_path_factory.mktemp("catalogues")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    shutil.copytree(ROOT / "locale", copy / "locale", ignore=shutil.ignore_patterns("*.mo"))
    command = [sys.executable, "manage.py", "makemessages", "--no-location", "--no-obsolete"]
    for language in LANGUAGES:
        command += ["-l", to_locale(language)]
    subprocess.run(command, cwd=copy, check=True, capture_output=True)
    return copy


def test_every_language_offered_has_a_catalogue() -> None:
    missing = [
        language
        for language in LANGUAGES
        if not (ROOT / "locale" / to_locale(language) / "LC_MESSAGES" / "django.po").exists()
    ]
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_translates_every_message_of_the_sources(
    regenerated: Path, language: str
) -> None:
    catalogue = _catalogue(regenerated, language)
    missing = [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
    ]
    assert missing == [], f"{len(missing)} messages untranslated in {language}"
    # Nothing stale either: the checked-in catalogue is the merged one (run makemessages).
    checked_in = {(e.msgctxt, e.msgid) for e in _catalogue(ROOT, language) if not e.obsolete}
    assert checked_in == {(e.msgctxt, e.msgid) for e in catalogue if not e.obsolete}


def test_the_serbian_latin_catalogue_is_the_cyrillic_one_transliterated() -> None:
    written = serbian_latin_catalogue(ROOT / "locale" / "sr" / "LC_MESSAGES" / "django.po")
    checked_in = _catalogue(ROOT, "sr-latn")
    assert [(e.msgctxt, e.msgid, e.msgstr, e.msgstr_plural) for e in checked_in] == [
        (e.msgctxt, e.msgid, e.msgstr, e.msgstr_plural) for e in written
    ], "run: python manage.py serbian_latin_catalogue"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_translation_keeps_the_placeholders_of_the_english(language: str) -> None:
    differing = []
    for entry in _catalogue(ROOT, language):
        if entry.obsolete or not entry.translated():
            continue
        if entry.msgid_plural:
            english = {_placeholders(entry.msgid_plural), _placeholders(entry.msgid)}
            # A singular form may leave the count out ("one agency"), never add or rename one.
            forms = entry.msgstr_plural.values()
            if any(
                _placeholders(form) not in english
                and not set(_placeholders(form)) <= set(_placeholders(entry.msgid_plural))
                for form in forms
            ):
                differing.append(entry.msgid)
        elif _placeholders(entry.msgstr) != _placeholders(entry.msgid):
            differing.append(entry.msgid)
    assert differing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_says_its_language_and_its_plural_rule(language: str) -> None:
    catalogue = _catalogue(ROOT, language)
    assert catalogue.metadata["Language"] == to_locale(language)
    assert "nplurals=" in catalogue.metadata["Plural-Forms"]
    for entry in catalogue:
        if entry.msgid_plural and entry.translated():
            nplurals = re.search(r"nplurals=(\d)", catalogue.metadata["Plural-Forms"])
            assert nplurals is not None
            assert len(entry.msgstr_plural) == int(nplurals[1]), entry.msgid
