"""Dates as sr pages read them: see ``selec.formats.region``."""

from selec.formats.region import date_input_formats, datetime_input_formats

DATE_INPUT_FORMATS = date_input_formats("%d.%m.%Y.", "%d. %m. %Y.")
DATETIME_INPUT_FORMATS = datetime_input_formats("%d.%m.%Y.", "%d. %m. %Y.")
