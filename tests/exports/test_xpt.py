"""The streamed SAS transport v5 writer (`exports.xpt`), read back by pyreadstat and pandas."""

import tracemalloc
from datetime import datetime

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from exports.xpt import ibm_float, xpt_chunks

CREATED = datetime(2026, 11, 25, 12, 30, 5)


def _write(tmp_path, rows, columns=("A",)):
    path = tmp_path / "x.xpt"
    path.write_bytes(b"".join(xpt_chunks("LB", iter(rows), columns=list(columns), created=CREATED)))
    return path


@pytest.mark.parametrize(
    ("value", "hex_bytes"),
    [
        (1.0, "4110000000000000"),
        (-118.625, "c276a00000000000"),  # the example of IBM's own documentation
        (0.1, "401999999999999a"),
        (100.0, "4264000000000000"),
        (0.0, "0000000000000000"),
        (None, "2e00000000000000"),  # SAS missing "."
    ],
)
def test_numbers_are_ibm_370_doubles(value, hex_bytes):
    assert ibm_float(value).hex() == hex_bytes


def test_values_of_every_kind_are_read_back_as_written(tmp_path):
    rows = [
        {"USUBJID": "NCT-01-S-001", "LBSEQ": 1, "LBSTRESN": 8.5, "LBDY": -3, "LBCOMM": None},
        {"USUBJID": "NCT-01-S-002", "LBSEQ": 2, "LBSTRESN": None, "LBDY": 0, "LBCOMM": "Hämolyse"},
        {"USUBJID": "NCT-01-S-003", "LBSEQ": 3, "LBSTRESN": 1e-5, "LBDY": 28, "LBCOMM": "x" * 250},
    ]
    path = _write(tmp_path, rows)

    frame, meta = pyreadstat.read_xport(str(path))
    other = pd.read_sas(str(path), format="xport", encoding="utf-8")

    assert (meta.table_name, meta.number_rows) == ("LB", 3)
    assert meta.readstat_variable_types == {
        "USUBJID": "string",
        "LBSEQ": "double",
        "LBSTRESN": "double",
        "LBDY": "double",
        "LBCOMM": "string",
    }
    assert list(frame["USUBJID"]) == ["NCT-01-S-001", "NCT-01-S-002", "NCT-01-S-003"]
    assert list(frame["LBSEQ"]) == [1, 2, 3]
    assert list(frame["LBDY"]) == [-3, 0, 28]
    assert frame["LBSTRESN"][0] == 8.5 and pd.isna(frame["LBSTRESN"][1])
    assert frame["LBSTRESN"][2] == pytest.approx(1e-5, rel=1e-15)
    assert list(frame["LBCOMM"][:2]) == ["", "Hämolyse"]
    assert frame["LBCOMM"][2] == "x" * 200  # the v5 limit for a character variable
    # pandas' own reader agrees, except that it reads an IBM zero (eight zero bytes, as SAS and
    # pyreadstat write it too) as 16**-65
    assert list(other["USUBJID"]) == list(frame["USUBJID"])
    for column in ("LBSEQ", "LBSTRESN", "LBDY"):
        assert np.allclose(other[column], frame[column], rtol=1e-15, atol=1e-70, equal_nan=True)
    assert list(other["LBCOMM"][1:]) == list(frame["LBCOMM"][1:])


def test_a_short_record_is_not_padded_into_blank_rows(tmp_path):
    frame, meta = pyreadstat.read_xport(str(_write(tmp_path, [{"A": "y"}, {"A": "n"}])))
    assert (meta.number_rows, list(frame["A"])) == (2, ["y", "n"])


def test_an_empty_dataset_keeps_its_variables(tmp_path):
    path = _write(tmp_path, [], columns=["STUDYID", "DOMAIN", "USUBJID"])
    frame, _meta = pyreadstat.read_xport(str(path))
    assert (list(frame.columns), len(frame)) == (["STUDYID", "DOMAIN", "USUBJID"], 0)


def test_a_column_of_numbers_and_text_is_text(tmp_path):
    frame, meta = pyreadstat.read_xport(str(_write(tmp_path, [{"A": 2.0}, {"A": "NEG"}])))
    assert meta.readstat_variable_types["A"] == "string"
    assert list(frame["A"]) == ["2", "NEG"]


def test_names_longer_than_eight_characters_are_refused():
    with pytest.raises(ValueError, match="at most 8 characters"):
        b"".join(xpt_chunks("LB", iter([{"LONGNAME9": 1}]), columns=[], created=CREATED))


def test_the_same_rows_give_the_same_bytes():
    rows = [{"A": "x", "B": 1}]
    first = b"".join(xpt_chunks("LB", iter(rows), columns=[], created=CREATED))
    assert first == b"".join(xpt_chunks("LB", iter(rows), columns=[], created=CREATED))
    assert b"25NOV26:12:30:05" in first


def _peak_while_writing(n: int) -> tuple[int, int]:
    rows = (
        {"USUBJID": f"NCT05734898-01-S-{i:05d}", "LBSEQ": i, "LBORRES": f"{i % 97}.5"}
        for i in range(n)
    )
    size = 0
    tracemalloc.start()
    for chunk in xpt_chunks("LB", rows, columns=[], created=CREATED):
        size += len(chunk)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size, peak


def test_memory_stays_flat_as_the_rows_grow():
    small_size, small_peak = _peak_while_writing(2_000)
    big_size, big_peak = _peak_while_writing(100_000)
    assert big_size > 40 * small_size
    assert big_peak < 2 * small_peak + 256 * 1024  # not 50 times more
    assert big_peak < 4 * 1024 * 1024
