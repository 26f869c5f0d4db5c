"""The ``backproplab`` command: one subcommand per job, each defined in its own module."""

import argparse
import sys

from backproplab import __version__
from backproplab.cli_demo import add_demo_command
from backproplab.cli_explain import add_explain_command
from backproplab.cli_lab import add_lab_command
from backproplab.cli_train import add_train_command

_COMMANDS = [add_demo_command, add_train_command, add_lab_command, add_explain_command]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backproplab",
        description="Learn, teach and use backpropagation.",
    )
    parser.add_argument("--version", action="version", version=f"backproplab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in _COMMANDS:
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        parser.print_help()
        return 0
    return int(args.run(args) or 0)
