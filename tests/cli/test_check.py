"""``mapper check``: compile scripts, report SCRIPT:LINE:COL with the source line and a caret."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from seed_script import SEED_AS_PRINTED

from mapper.cli.main import cli

REPO_ROOT = Path(__file__).resolve().parents[2]



def run(*args: str):
    return CliRunner().invoke(cli, ["check", *args])


def test_valid_scripts_of_either_direction_exit_0(tmp_path):
    incoming = tmp_path / "in.js"
    incoming.write_text("function mapToDittoProtocolMsg() { return undefined; }")
    result = run(str(REPO_ROOT / "mappings" / "s3-per-revision.js"), str(incoming))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count(": ok") == 2


def test_seed_as_printed_is_located_with_line_and_caret(tmp_path):
    script = tmp_path / "seed.js"
    script.write_text(SEED_AS_PRINTED)
    result = run(str(script))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{script}:5:3: SyntaxError: Unexpected identifier 'let'")
    assert lines[1] == "      let textPayload = JSON.stringify(msg);"
    assert lines[2] == "      ^"


def test_one_bad_script_among_good_ones_fails_the_run(tmp_path):
    good = tmp_path / "good.js"
    good.write_text("function f() {}\n")
    bad = tmp_path / "bad.js"
    bad.write_text("function f() {\n\treturn 1 +;\n}\n")
    result = run(str(good), str(bad))
    assert result.exit_code == 1
    assert f"{good}: ok" in result.stdout
    first, source, caret = result.stderr.splitlines()[:3]
    assert first.startswith(f"{bad}:2:")
    assert source == "    \treturn 1 +;"
    assert caret.startswith("    \t") and caret.endswith("^")


def test_unreadable_and_oversized_scripts_are_reported(tmp_path):
    big = tmp_path / "big.js"
    big.write_text("\n".join(f"function f{i}() {{}}" for i in range(100_000)))
    result = run(str(tmp_path / "missing.js"), str(big))
    assert result.exit_code == 1
    assert "missing.js: cannot read the script" in result.stderr
    assert f"{big}: the script has" in result.stderr and "limit of 50,000" in result.stderr


def test_missing_final_brace_points_at_the_last_line_and_names_the_open_brace(tmp_path):
    # The seed's second error: `};` restored after the headers object, the final `}` still missing.
    script = tmp_path / "seed.js"
    script.write_text(SEED_AS_PRINTED.replace("msg['revision']\n", "msg['revision']\n  };\n"))
    result = run(str(script))
    assert result.exit_code == 1
    first, source, caret = result.stderr.splitlines()[:3]
    assert first.startswith(
        f"{script}:10:81: SyntaxError: the script ends before the '{{' opened at line 1, column 46 is closed"
    )
    assert source == "      return Ditto.buildExternalMsg(headers, textPayload, bytePayload, contentType);"
    assert caret == "    " + " " * 80 + "^"
