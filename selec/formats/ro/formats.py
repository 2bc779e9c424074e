"""Dates as ro pages read them: see ``selec.formats.region``."""

from selec.formats.region import date_input_formats, datetime_input_formats

DATE_INPUT_FORMATS = date_input_formats()
DATETIME_INPUT_FORMATS = datetime_input_formats()
