#!/usr/bin/env python3
"""Build the study site and cards: `python build.py [options]` is `sitegen build [options]`."""

import sys

from sitegen.cli import entry_point

if __name__ == "__main__":
    # The same entry point as the `sitegen` command, so that a build run this way ends as
    # quickly (no cycle collection or freeing of the models after the build).
    sys.argv[1:1] = ["build"]
    entry_point()
