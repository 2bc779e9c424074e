import os

# Tests run in test mode unless told otherwise (``make test`` sets it too).
os.environ.setdefault("SELEC_ENV", "test")
