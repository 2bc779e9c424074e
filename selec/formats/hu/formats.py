"""Dates as hu pages read them: see ``selec.formats.region``."""

from selec.formats.region import date_input_formats, datetime_input_formats

DATE_INPUT_FORMATS = date_input_formats("%Y.%m.%d.")
DATETIME_INPUT_FORMATS = datetime_input_formats("%Y.%m.%d.")
