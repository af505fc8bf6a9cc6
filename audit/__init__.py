"""The history pages: who changed what in a delaftale, an activity or a success criterion, when,
from what to what, and why, read back from the records django-simple-history keeps
(lib.history writes them).

It is the one feature that reads every app's history together, so it sits above them all:
the apps' models know nothing of it, and no app imports it.
"""
