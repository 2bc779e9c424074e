"""Write locale/sr_Latn from locale/sr (``selec.catalogues``): run after the Serbian
catalogue changes; the catalogue test fails until the two agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from selec.catalogues import serbian_latin_catalogue


class Command(BaseCommand):
    help = "Write the Serbian Latin-script catalogue from the Cyrillic one."

    def handle(self, *args: Any, **options: Any) -> None:
        locale = Path(settings.BASE_DIR) / "locale"
        target = locale / "sr_Latn" / "LC_MESSAGES" / "django.po"
        target.parent.mkdir(parents=True, exist_ok=True)
        serbian_latin_catalogue(locale / "sr" / "LC_MESSAGES" / "django.po").save(str(target))
        self.stdout.write(f"Wrote {target.relative_to(settings.BASE_DIR)}.")
