"""Date and number formats of the interface's languages where they differ from Django's own
(``FORMAT_MODULE_PATH``)."""
