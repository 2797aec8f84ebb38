"""The tolerant comparison itself: rounding noise passes, a real difference is named by path."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.floats import assert_close, differences


@dataclass(frozen=True)
class Fit:
    name: str
    a: float
    weights: tuple[float, ...]


def test_rounding_noise_passes() -> None:
    assert_close(Fit("x", 0.9565900044144442, (0.1, 0.2)),
                 Fit("x", 0.9565900044144441, (0.1, 0.2 + 1e-17)))


def test_a_real_difference_is_named_by_its_path() -> None:
    got = differences({"demand": Fit("x", 1.0, (0.5, 0.25))},
                      {"demand": Fit("x", 1.0, (0.5, 0.26))})
    assert got == [".demand.weights[1]: 0.25 != 0.26"]


@pytest.mark.parametrize(("actual", "expected"), [
    (Fit("x", 1.0, ()), Fit("y", 1.0, ())),   # strings compare exactly
    ([1.0, 2.0], [1.0]),                       # lengths
    ({"a": 1.0}, {"b": 1.0}),                  # keys
    (1.0, "1.0"),
])
def test_other_differences_fail(actual: object, expected: object) -> None:
    with pytest.raises(AssertionError):
        assert_close(actual, expected)
