"""The ground floor: helpers every app may use, which import no app of the project.

Only Django, the standard library and third-party packages are imported here (settings are read
through django.conf.settings), so the arrows of the project point one way:

    lib ← agreements ← activities ← indicators ← {reports, demo} ← helhedsplan (the project)
"""
