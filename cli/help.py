"""Help text in words: arguments and options by their metavar (FILE, ID, NAME=VALUE), not
by Python types. Typer (0.29) prints each parameter's annotation beside it (`<list[Path]>`,
`<bool>` for a flag) and wraps a required argument in braces (`{FILE}...`); `plain()` makes
it print click's usual `FILE...` and nothing for a flag. Every parameter with a value gets
a metavar where it is declared."""

from __future__ import annotations

from typing import Any

from typer import core

_done = False


def plain() -> None:
    """Install the plain help (idempotent)."""
    global _done
    if _done:
        return
    _done = True
    arg_type = core.TyperArgument.display_type_rich
    opt_type = core.TyperOption.display_type_rich

    def argument_type(self: core.TyperArgument, ctx: Any) -> str | None:
        return None if self.metavar is not None else arg_type(self, ctx)

    def option_type(self: core.TyperOption, ctx: Any) -> str | None:
        if self.is_flag and self.metavar is None:
            return None
        return opt_type(self, ctx)

    def usage_name(self: core.TyperArgument) -> str:
        name = self.display_name_raw
        if not self.required and not name.startswith("["):
            name = f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")

    def display_name(self: core.TyperArgument) -> str:
        name = self.display_name_raw
        return name + ("..." if self.nargs != 1 else "")

    core.TyperArgument.display_type_rich = argument_type  # type: ignore[method-assign,assignment]
    core.TyperOption.display_type_rich = option_type  # type: ignore[method-assign]
    core.TyperArgument._usage_display_name = usage_name  # type: ignore[method-assign]
    core.TyperArgument._rich_display_name = display_name  # type: ignore[method-assign]


__all__ = ["plain"]
