"""What the management commands of every app share: one plain line and exit status 1 for
every refusal, options read as whole numbers, and output files written whole or not at all."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy


class PlainCommand(BaseCommand):
    """A command whose every refusal is one line and exit status 1, a mistyped option too.

    Django parses the command line before it starts catching CommandError, and argparse
    answers a missing or unknown option with its usage text and exit status 2. Here the parser
    raises CommandError instead, as it does under call_command, and that is printed as the one
    line every other refusal is.
    """

    def create_parser(self, prog_name, subcommand, **kwargs):
        from_command_line, self._called_from_command_line = self._called_from_command_line, False
        try:
            parser = super().create_parser(prog_name, subcommand, **kwargs)
        finally:
            self._called_from_command_line = from_command_line

        def refuse(message: str):
            raise CommandError(usage_error_in_danish(message))

        parser.error = refuse
        return parser

    def run_from_argv(self, argv):
        try:
            super().run_from_argv(argv)
        except CommandError as error:  # only the parser's: execute's own are handled inside
            self.stderr.write(f"CommandError: {error}")
            sys.exit(1)


# argparse's own refusals, which it words in English: (its wording, ours).
USAGE_ERRORS = [
    (r"unrecognized arguments: (?P<rest>.*)", _lazy("The command does not know %(rest)s.")),
    (
        r"the following arguments are required: (?P<rest>.*)",
        _lazy("The command needs %(rest)s."),
    ),
    (r"argument (?P<name>\S+?): expected one argument", _lazy("%(name)s needs a value.")),
    (
        r"argument (?P<name>\S+?): ignored explicit argument (?P<rest>.*)",
        _lazy("%(name)s takes no value (it was given %(rest)s)."),
    ),
    (
        r"argument (?P<name>\S+?): invalid choice: (?P<value>.*?) \(choose from (?P<rest>.*)\)",
        _lazy("%(name)s cannot be %(value)s; choose from %(rest)s."),
    ),
]


def usage_error_in_danish(message: str) -> str:
    """argparse's refusal of a command line in Danish, where its wording is known; otherwise
    its own words after a Danish lead, so nothing it says is lost."""
    for pattern, wording in USAGE_ERRORS:
        if match := re.fullmatch(pattern, message):
            return str(wording) % match.groupdict()
    return _("The command line cannot be read: %(message)s") % {"message": message}


def whole_number(value: str | int | None, option: str) -> int | None:
    """An option's whole number, or one plain line that names the option.

    Options are declared as text and converted here rather than with argparse's `type=int`:
    argparse refuses a bad value with English usage text and exit status 2, where every other
    mistake gets one Danish line and status 1. call_command may pass the number itself.
    """
    if value is None or isinstance(value, int):
        return value
    try:
        return int(value)
    except ValueError:
        raise CommandError(
            _("%(option)s must be a whole number, not '%(value)s'.")
            % {"option": option, "value": value}
        ) from None


def output_file(out: str) -> Path:
    """The file --out names, checked before any work is done, so that a typo in the name is
    refused at once rather than after minutes of rendering, with one plain line."""
    if not out.strip():
        raise CommandError(_("--out needs the name of the file to write."))
    path = Path(out)
    if out.endswith(("/", os.sep)) or path.is_dir():
        raise CommandError(
            _("%(path)s is a folder; give --out the name of a file in it.") % {"path": out}
        )
    if path.exists() and not path.is_file():
        # A device or a pipe: replacing it with a file (as root) would break the system.
        raise CommandError(_("%(path)s is not an ordinary file.") % {"path": out})
    folder = path.parent
    if not folder.is_dir():
        raise CommandError(_("The folder %(folder)s does not exist.") % {"folder": folder})
    # Permissions alone do not tell (root may write anywhere, yet not in /sys): try it.
    try:
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".part"):
            pass
    except OSError as error:
        raise CommandError(
            _("Cannot write in the folder %(folder)s: %(reason)s.")
            % {"folder": folder, "reason": error.strerror or error}
        ) from None
    return path


def write_atomically(path: Path, data: bytes) -> None:
    """Write the file under a temporary name and rename it, so it is whole or absent; a file
    that cannot be written is one plain line, and no temporary file is left behind."""
    path = output_file(str(path))
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=f"{path.suffix}.part")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException as error:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise CommandError(
                _("The file %(file)s could not be written: %(reason)s.")
                % {"file": path, "reason": error.strerror or error}
            ) from None
        raise
