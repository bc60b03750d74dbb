from __future__ import annotations

import pytest

from bot.callbacks import MAX_BYTES, ButtonData, Press, decode


def test_round_trip() -> None:
    data = ButtonData(Press.FEEDBACK, ("kindergeld", "+"))
    assert decode(data.encode()) == data


def test_encode_refuses_oversized_data() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        ButtonData(Press.ENTRY, ("x" * MAX_BYTES,)).encode()


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "0:e:kindergeld",
        "2:e:kindergeld",
        "1",
        "1:",
        "1:zz",
        "1:e",
        "1:e:a:b",
        "1:f:kindergeld:*",
        "1:r:kindergeld:q",
        "1:d:maybe",
        "1:e:kindergëld",
        "x" * 65,
        "1:m:extra",
    ],
)
def test_decode_rejects_malformed_data(data: str | None) -> None:
    assert decode(data) is None
