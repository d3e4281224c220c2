#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchcouncil.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A setting the environment lacks is a line to read, not a traceback to dig through.
        hint = " (for development, run with DEBUG=1)" if "DEBUG" not in os.environ else ""
        print(f"error: {exc}{hint}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
