"""Turning QuickJS errors into :class:`~mapper.errors.MappingError` s an operator can act on.

QuickJS names every evaluated source ``<input>``. mapper evaluates its own code (Ditto scope,
default templates, the batch driver) *after* as many blank lines as the operator's script has
lines, so a stack frame at line N belongs to the operator's script exactly when N is within the
script — no offset to subtract, and mapper's own frames can be dropped from the stack shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mapper.errors import MappingError, ScriptLimitError, ScriptSyntaxError

_LOCATION = re.compile(r"<input>:(\d+):(\d+)")
_FRAME_START = "\n    at "
_JSON_TEXT_FRAME = re.compile(r"at <input>:\d+:\d+")


@dataclass(frozen=True)
class ScriptSource:
    """An operator's script with the name errors should use (its file name, or ``<outgoingScript>``)."""

    name: str
    text: str
    lines: list[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", self.text.split("\n"))

    @property
    def line_count(self) -> int:
        """Lines as QuickJS counts them (``\\n``-separated)."""
        return len(self.lines)

    def source_line(self, line: int) -> str | None:
        """The text of a 1-based line, without its line terminator."""
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1].rstrip("\r")
        return None


@dataclass(frozen=True)
class JsFailure:
    """A JavaScript error as QuickJS reported it: ``name``, ``message`` and ``stack`` text."""

    name: str
    message: str
    stack: str

    @classmethod
    def from_exception_text(cls, text: str) -> JsFailure:
        """Split the binding's ``str(JSException)``: ``"Name: message\\n    at f (<input>:L:C)..."``."""
        head, sep, rest = text.partition(_FRAME_START)
        stack = (sep + rest).lstrip("\n") if sep else ""
        if not sep and head.endswith("\nundefined"):  # a thrown non-Error value: no stack
            head = head[: -len("\nundefined")]
        name, colon, message = head.partition(": ")
        if not colon or not name.isidentifier():
            name, message = "", head
        return cls(name=name, message=message.rstrip("\n"), stack=stack)

    @property
    def is_timeout(self) -> bool:
        return self.name == "InternalError" and self.message == "interrupted"

    @property
    def is_out_of_memory(self) -> bool:
        # An allocation failure while creating the error object surfaces as a bare "null".
        return self.message in ("out of memory", "null") or (
            self.name == "InternalError" and self.message == "string too long"
        )

    @property
    def is_stack_overflow(self) -> bool:
        return self.message in ("Maximum call stack size exceeded", "stack overflow")


def _without_json_text_frame(stack: str) -> str:
    """Drop the frame QuickJS adds for a ``JSON.parse`` syntax error: ``at <input>:L:C`` is the
    position in the parsed *JSON text* (also named ``<input>``), not in any script."""
    frames = stack.splitlines()
    if (
        len(frames) >= 2
        and _JSON_TEXT_FRAME.fullmatch(frames[0].strip())
        and frames[1].strip() == "at parse (native)"
    ):
        return "\n".join(frames[1:])
    return stack


def script_location(stack: str, source: ScriptSource) -> tuple[int, int] | None:
    """The first (innermost) stack position inside the operator's script."""
    for match in _LOCATION.finditer(_without_json_text_frame(stack)):
        line = int(match.group(1))
        if line <= source.line_count:
            return line, int(match.group(2))
    return None


def script_stack(stack: str, source: ScriptSource) -> str:
    """The stack with the operator's frames named after their script and mapper's frames left out.

    Runs of the same frame (endless recursion) are shown once with a repeat count.
    """
    kept: list[str] = []
    for frame in _without_json_text_frame(stack).splitlines():
        match = _LOCATION.search(frame)
        if match is None:
            if frame.strip():
                kept.append(frame.strip())  # native frames such as "at parse (native)"
            continue
        if int(match.group(1)) <= source.line_count:
            kept.append(frame.strip().replace("<input>", source.name))
    collapsed: list[str] = []
    index = 0
    while index < len(kept):
        run = 1
        while index + run < len(kept) and kept[index + run] == kept[index]:
            run += 1
        collapsed.append(kept[index] if run == 1 else f"{kept[index]}  [{run} times]")
        index += run
    return "\n".join(collapsed)


_CLOSERS = {"(": ")", "[": "]", "{": "}", "${": "}"}
# After these tokens a ``/`` starts a regular expression literal, not a division.
_REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^") | {""}
_REGEX_AFTER_WORDS = {
    "return",
    "typeof",
    "case",
    "do",
    "else",
    "in",
    "instanceof",
    "new",
    "void",
    "delete",
    "throw",
}


def unclosed_bracket(text: str) -> tuple[str, int, int] | None:
    """The innermost ``(``, ``[``, ``{`` (or template ``${``) still open at the end of ``text``.

    A small JavaScript scanner (strings, template literals, comments, regular expression literals)
    for the most common syntax error of pasted scripts: a missing closing brace, which QuickJS
    reports only at the end of the script. Returns ``(bracket, line, column)`` (1-based), or None
    when nothing is open or the brackets do not match (then QuickJS's own message stands).
    """
    stack: list[tuple[str, int]] = []  # (opener, offset); "`" marks an open template literal
    previous = ""  # the last significant token (a character, or a word), for the regex rule
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        in_template = bool(stack) and stack[-1][0] == "`"
        if in_template:
            if c == "\\":
                i += 2
            elif c == "`":
                stack.pop()
                previous = "`"
                i += 1
            elif text.startswith("${", i):
                stack.append(("${", i))
                previous = "{"
                i += 2
            else:
                i += 1
            continue
        if c in " \t\r\n":
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                return None
            i = end + 2
        elif c in "'\"":
            i += 1
            while i < n and text[i] != c and text[i] != "\n":
                i += 2 if text[i] == "\\" else 1
            i += 1
            previous = c
        elif c == "`":
            stack.append(("`", i))
            i += 1
        elif c == "/" and (previous in _REGEX_AFTER or previous in _REGEX_AFTER_WORDS):
            i += 1
            in_class = False
            while i < n and text[i] != "\n" and (in_class or text[i] != "/"):
                if text[i] == "\\":
                    i += 1
                elif text[i] == "[":
                    in_class = True
                elif text[i] == "]":
                    in_class = False
                i += 1
            i += 1
            previous = "/regex"
        elif c in "([{":
            stack.append((c, i))
            previous = c
            i += 1
        elif c in ")]}":
            if not stack or _CLOSERS.get(stack[-1][0]) != c:
                return None
            stack.pop()
            previous = c
            i += 1
        elif c.isalnum() or c in "_$":
            start = i
            while i < n and (text[i].isalnum() or text[i] in "_$"):
                i += 1
            previous = text[start:i]
        else:
            previous = c
            i += 1
    if not stack:
        return None
    opener, offset = stack[-1]
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return ("`" if opener == "`" else opener), line, column


def _at_end(line: int, column: int, source: ScriptSource) -> bool:
    """Whether only whitespace follows ``line:column`` (where the parser ran out of script)."""
    rest = "\n".join([(source.source_line(line) or "")[max(column - 1, 0) :], *source.lines[line:]])
    return rest.strip() == ""


def _end_of_script(failure: JsFailure, source: ScriptSource) -> tuple[str, int, int]:
    """A syntax error at the very end: name the bracket left open, point after the last code."""
    last = max((i for i, text in enumerate(source.lines) if text.strip()), default=0)
    line = last + 1
    column = len((source.source_line(line) or "").rstrip()) + 1
    opened = unclosed_bracket(source.text)
    if opened is None:
        return f"{failure.name}: the script ends too early ({failure.message})", line, column
    bracket, at_line, at_column = opened
    closer = "`" if bracket == "`" else _CLOSERS[bracket]
    described = (
        f"{failure.name}: the script ends before the '{bracket}' opened at line {at_line}, column "
        f"{at_column} is closed: a '{closer}' is missing ({failure.message})"
    )
    return described, line, column


def _syntax_hint(message: str, line: int, column: int, source: ScriptSource) -> str:
    """Point at the previous line when the parser only noticed a problem at the start of this one."""
    text = source.source_line(line) or ""
    starts_line = text[: max(column - 1, 0)].strip() == ""
    if line > 1 and starts_line and ("unexpected" in message.lower() or "expecting" in message.lower()):
        return f"{message} (the statement before it may be unfinished: check the end of line {line - 1})"
    return message


def mapping_error(
    failure: JsFailure, source: ScriptSource, *, limits_text: dict[str, str], loading: bool = False
) -> MappingError:
    """The :class:`MappingError` subclass and message for one JavaScript failure."""
    location = script_location(failure.stack, source)
    line, column = location if location else (None, None)
    source_line = source.source_line(line) if line is not None else None
    stack = script_stack(failure.stack, source) or None
    described = f"{failure.name}: {failure.message}" if failure.name else failure.message
    cls: type[MappingError] = MappingError
    if failure.is_timeout:
        cls, described = ScriptLimitError, limits_text["timeout"]
    elif failure.is_out_of_memory:
        cls, described = ScriptLimitError, limits_text["memory"]
    elif failure.is_stack_overflow:
        cls, described = ScriptLimitError, f"{described}: {limits_text['stack']}"
    elif loading and failure.name == "SyntaxError":
        cls = ScriptSyntaxError
        if line is not None and column is not None and _at_end(line, column, source):
            described, line, column = _end_of_script(failure, source)
            source_line = source.source_line(line)
        elif line is not None and column is not None:
            described = _syntax_hint(described, line, column, source)
    elif loading and not failure.name and not failure.stack:
        # `throw 5` at the top level: the binding gives only the value's text, no stack.
        described = f"the script threw {failure.message} while loading (not an Error, so without a location)"
    elif loading:
        described = f"{described} (while loading the script)"
    return cls(
        described, script=source.name, line=line, column=column, source_line=source_line, js_stack=stack
    )
