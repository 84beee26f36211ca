"""SAS transport version 5 (XPORT, SAS TS-140), written as a stream.

pyreadstat, xport and pandas all write XPT from a whole data frame in memory. Here the rows go
once through a spool file on disk (which also finds each variable's type and width, needed in
the header before the first row), then header and rows are yielded in chunks: memory stays flat
whatever the number of rows. The spool holds batches of rows in `marshal`'s format (plain
None, float and str values only; the file is this process's own and never read elsewhere). Read back by pyreadstat and pandas in the tests.
"""

import marshal
import math
import struct
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

RECORD = 80
MAX_CHAR = 200  # version 5 limit for a character variable
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
CHUNK = 64 * 1024
SPOOL_BATCH = 1000  # rows per marshal record in the spool file
CACHED = 1024  # distinct values each variable's converter keeps (memory stays bounded)


def _header(kind: str, tail: str = "0" * 30) -> bytes:
    return f"HEADER RECORD*******{kind:<8}HEADER RECORD!!!!!!!{tail}  ".encode("ascii")


def _sas_datetime(moment: datetime) -> bytes:
    text = f"{moment:%d}{MONTHS[moment.month - 1]}{moment:%y:%H:%M:%S}"
    return text.encode("ascii")


def _text(value: str, width: int) -> bytes:
    """UTF-8 (as pyreadstat writes and reads it), cut at `width` bytes without splitting a
    character, padded with blanks."""
    cut = value.encode("utf-8")[:width].decode("utf-8", "ignore").encode("utf-8")
    return cut.ljust(width, b" ")


def ibm_float(value: float | None) -> bytes:
    """IBM System/360 double (what XPT v5 stores); None is SAS missing (".")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return b"\x2e" + bytes(7)
    if value == 0:
        return bytes(8)
    sign = 0x80 if value < 0 else 0
    mantissa, exponent = math.frexp(abs(value))  # abs(value) = mantissa * 2**exponent
    # base 16: shift the binary exponent up to a multiple of 4
    shift = (-exponent) % 4
    mantissa /= 2**shift
    exponent = (exponent + shift) // 4
    fraction = round(mantissa * 2**56)
    if fraction >= 2**56:  # rounding carried over
        fraction >>= 4
        exponent += 1
    if not -64 <= exponent <= 63:
        raise ValueError(f"{value} is out of range for SAS transport")
    return bytes([sign | (exponent + 64)]) + fraction.to_bytes(7, "big")


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Variable:
    def __init__(self, name: str, label: str = "", numeric: bool | None = None):
        self.name = name
        self.label = label or name
        self.fixed = numeric is not None  # the type comes from the metadata, not the values
        self.numeric = True if numeric is None else numeric
        self.width = 1

    @property
    def length(self) -> int:
        return 8 if self.numeric else self.width


def _namestr(variable: _Variable, number: int, position: int) -> bytes:
    return struct.pack(
        ">hhhh8s40s8shhh2s8shhl52s",
        1 if variable.numeric else 2,
        0,
        variable.length,
        number,
        _text(variable.name.upper(), 8),
        _text(variable.label, 40),
        b" " * 8,
        0,
        0,
        0,
        bytes(2),
        b" " * 8,
        0,
        0,
        position,
        bytes(52),
    )


def _pad(block: bytes) -> bytes:
    return block + b" " * (-len(block) % RECORD)


def _converters(variables: list[_Variable]):
    """For each variable, value -> its bytes in an observation. A column repeats its values
    (tests, units, dates, flags): each converter remembers its last CACHED distinct values."""
    converters = []
    for variable in variables:
        if variable.numeric:
            converters.append(lru_cache(maxsize=CACHED, typed=True)(ibm_float))
        else:
            width = variable.length

            def text(value, width=width):
                return _text("" if value is None else _as_text(value), width)

            converters.append(lru_cache(maxsize=CACHED, typed=True)(text))
    return converters


def _spool_rows(rows, variables, spool):
    """Writes the rows to the spool (their values plain: None, float or text, in batches of
    SPOOL_BATCH), learning each variable's type and width; returns the variables."""
    batch = []
    widths = numeric = checked = names = None
    for row in rows:
        if variables is None:
            variables = [_Variable(column) for column in row]
        if names is None:
            names = [variable.name for variable in variables]
            widths = [variable.width for variable in variables]
            numeric = [variable.numeric for variable in variables]
            # a numeric variable's values need no width, unless it may still turn to text
            checked = [not (v.fixed and v.numeric) for v in variables]
        values = []
        for index, name in enumerate(names):
            value = row[name]
            kind = type(value)  # the common types first: this loop sees every value
            if kind is not str and kind is not float and kind is not int:
                if value is None or value == "":
                    values.append(None)
                    continue
                kind = float if _is_number(value) else str
                value = kind(value)
            if kind is str:
                if not value:
                    values.append(None)
                    continue
                if numeric[index]:
                    if variables[index].fixed:
                        raise ValueError(f"{name} is numeric: {value!r} is text")
                    numeric[index] = False
                width = len(value) if value.isascii() else len(value.encode("utf-8"))
                if width > widths[index]:
                    widths[index] = min(width, MAX_CHAR)
            else:
                value = float(value)
                if checked[index]:
                    width = len(_as_text(value))
                    if width > widths[index]:
                        widths[index] = min(width, MAX_CHAR)
            values.append(value)
        batch.append(values)
        if len(batch) >= SPOOL_BATCH:
            _spool_write(spool, batch)
            batch = []
    if batch:
        _spool_write(spool, batch)
    if names is not None:
        for variable, width, is_numeric in zip(variables, widths, numeric, strict=True):
            variable.width, variable.numeric = width, is_numeric
    return variables


def _spool_write(spool, batch) -> None:
    block = marshal.dumps(batch)
    spool.write(len(block).to_bytes(4, "big") + block)


def _spooled_rows(spool):
    # one read per batch: marshal.load() on the file itself reads it a few bytes at a time
    spool.seek(0)
    while size := spool.read(4):
        yield from marshal.loads(spool.read(int.from_bytes(size, "big")))


def xpt_chunks(
    name: str,
    rows: Iterable[dict],
    *,
    columns: list[str] | None = None,
    created: datetime,
    variables: list[tuple[str, str, bool]] | None = None,
    label: str = "",
    widths=None,
) -> Iterator[bytes]:
    """The dataset `name` (at most 8 characters) as XPT v5 bytes, in chunks.

    `variables` -- (name, label, numeric) from the metadata -- fixes names, order, labels and
    types, whatever the rows hold (an empty dataset keeps its structure). Without it `columns`
    names the variables when there are no rows, otherwise the first row's keys do, and a column
    is numeric unless a value is text. `widths(name, length)` is told each variable's length."""
    with tempfile.TemporaryFile("w+b") as spool:
        declared = [_Variable(n, lab, num) for n, lab, num in variables] if variables else None
        variables = _spool_rows(rows, declared, spool)
        if variables is None:
            variables = [_Variable(column) for column in columns or []]
            for variable in variables:
                variable.numeric = False
        for variable in variables:
            if len(variable.name) > 8:
                raise ValueError(f"{variable.name}: XPT v5 names have at most 8 characters")
            if len(variable.label) > 40:
                raise ValueError(f"{variable.name}: XPT v5 labels have at most 40 characters")
            if widths is not None:
                widths(variable.name, variable.length)

        stamp = _sas_datetime(created)
        yield b"".join(
            [
                _header("LIBRARY"),
                b"SAS     SAS     SASLIB  9.4     " + _text("X64_LIN", 8) + b" " * 24 + stamp,
                stamp + b" " * 64,
                _header("MEMBER", "000000000000000001600000000140"),
                _header("DSCRPTR"),
                b"SAS     " + _text(name.upper(), 8) + b"SASDATA 9.4     " + _text("X64_LIN", 8)
                + b" " * 24 + stamp,
                stamp + b" " * 16 + _text(label or name.upper(), 40) + b" " * 8,
                _header("NAMESTR", f"000000{len(variables):04d}" + "0" * 20),
            ]
        )  # fmt: skip
        position, namestrs = 0, []
        for number, variable in enumerate(variables, start=1):
            namestrs.append(_namestr(variable, number, position))
            position += variable.length
        yield _pad(b"".join(namestrs))
        yield _header("OBS")

        converters = _converters(variables)
        buffer = bytearray()
        written = 0
        join = b"".join
        for values in _spooled_rows(spool):
            buffer += join(
                [convert(value) for convert, value in zip(converters, values, strict=True)]
            )
            if len(buffer) >= CHUNK:
                written += len(buffer)
                yield bytes(buffer)
                buffer.clear()
        written += len(buffer)
        yield bytes(buffer) + b" " * (-written % RECORD)
