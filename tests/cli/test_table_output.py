"""The plain-text table of the output layer: streamed, aligned, and values kept whole at 80 columns."""

from __future__ import annotations

import pytest

from forensics_kit.cli import output


class _Out:
    """What the test wrote to standard output so far (pytest's capsys, read once per call)."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def getvalue(self) -> str:
        return self.capsys.readouterr().out


@pytest.fixture
def stdout(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> _Out:
    monkeypatch.setenv("COLUMNS", "80")
    return _Out(capsys)


def test_addresses_and_times_are_never_split_and_free_text_wraps_at_a_separator(stdout):
    rows = [("tcp", "192.168.100.155", 51515, "2024-03-10T20:02:44.412345Z",
             "/Users/alice/Documents/Projects/2024/offshore/ledger-final-v2.xlsx")]
    output.write_table(rows, ["Proto", "Source", "Port", "Start", "Path"])
    lines = stdout.getvalue().splitlines()
    assert all(len(line) <= 80 for line in lines) and len(lines) > 3
    assert "192.168.100.155" in lines[2] and "2024-03-10T20:02:44.412345Z" in lines[2]
    assert lines[2].endswith("/")
    assert "".join(line[lines[0].index("Path"):] for line in lines[2:]) == \
        "/Users/alice/Documents/Projects/2024/offshore/ledger-final-v2.xlsx"


def test_numbers_are_right_aligned_under_their_header(stdout):
    output.write_table([(1, "a"), (12345, "b")], ["Count", "Name"])
    lines = stdout.getvalue().splitlines()
    assert lines[2].startswith("    1") and lines[3].startswith("12345")


def test_rows_after_the_first_page_stream_with_the_same_widths(stdout):
    count = output.write_table(((n, f"host-{n}") for n in range(output.PAGE * 3)), ["N", "Host"])
    lines = stdout.getvalue().splitlines()
    assert count == output.PAGE * 3 and len(lines) == count + 2
    assert lines[-1].endswith(f"host-{output.PAGE * 3 - 1}")


def test_a_value_wider_than_its_column_after_the_first_page_keeps_the_row_whole(stdout):
    rows = [(n, "10.0.0.1") for n in range(output.PAGE)] + [(7, "2001:db8:85a3::8a2e:370:7334")]
    output.write_table(rows, ["N", "Addr"])
    assert stdout.getvalue().splitlines()[-1].endswith("2001:db8:85a3::8a2e:370:7334")


def test_emit_records_json_lines_pass_through_and_missing_keys_show_a_dash(stdout):
    assert output.emit_records(iter(['{"a": 1}', {"a": 2}]), [], True) == 2
    assert stdout.getvalue().splitlines() == ['{"a": 1}', '{"a": 2}']
    output.emit_records([{"a": 1, "b": "x"}, {"a": 2}], [("a", "A"), ("b", "B")], False)
    assert stdout.getvalue().splitlines()[-1].split() == ["2", "-"]
