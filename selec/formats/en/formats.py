"""English as the region writes its dates: a day typed into a date field is read as
``2026-03-01`` or as ``01.03.2026`` (``dd.mm.yyyy``, the way of every party's own language),
never in the US order: ``03/01/2026``, which Django's English would read as 1 March and an
officer of the region means as 3 January, is refused rather than misread. Browsers that show a
date picker send the first form; the second is what an officer types where there is none, and
what national systems send. Two-digit years are refused too: a date of birth typed
``01.01.50`` would otherwise be read as 2050.
"""

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
]
