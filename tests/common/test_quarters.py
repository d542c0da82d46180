"""Quarters: parsing, arithmetic and their place on a time axis in decimal years."""

import numpy as np
import pandas as pd
import pytest

from latticesim.common.quarters import Quarter, decimal_years, quarter_range


def test_parse_accepts_the_written_forms_and_prints_the_canonical_one():
    for text in ("2024Q3", "2024-Q3", "2024q3", " 2024 Q3 "):
        assert str(Quarter.parse(text)) == "2024Q3"
    with pytest.raises(ValueError, match="write it like 2024Q3"):
        Quarter.parse("2024-07")


def test_quarters_count_across_years():
    q = Quarter.of(2024, 4)
    assert q + 1 == Quarter.of(2025, 1)
    assert Quarter.of(2026, 2) - q == 6
    assert [str(x) for x in quarter_range(q, q + 2)] == ["2024Q4", "2025Q1", "2025Q2"]


@pytest.mark.parametrize(
    ("text", "year"),
    [("2024Q1", 2024.0), ("2024Q2", 2024.25), ("2024Q3", 2024.5), ("2024Q4", 2024.75)],
)
def test_a_quarter_starts_a_quarter_of_a_year_later_than_the_one_before(text, year):
    assert Quarter.parse(text).decimal_year == year


def test_decimal_years_reads_every_row_and_keeps_the_order():
    dates = ["2025Q1", "2024Q4", "2025Q1", "2019Q2"]
    expected = [2025.0, 2024.75, 2025.0, 2019.25]
    for given in (dates, pd.Series(dates, index=[9, 3, 5, 1]), pd.Index(dates), np.array(dates)):
        out = decimal_years(given)
        assert out.dtype == float
        assert out.tolist() == expected
    assert decimal_years(pd.Series(dates, dtype="category")).tolist() == expected


def test_decimal_years_of_no_dates_is_an_empty_float_array():
    out = decimal_years([])
    assert out.dtype == float and out.shape == (0,)


def test_decimal_years_are_the_quarters_own_numbers_over_a_long_run():
    quarters = quarter_range(Quarter.of(1999, 3), Quarter.of(2041, 2))
    years = decimal_years(str(q) for q in quarters)
    assert years.tolist() == [q.decimal_year for q in quarters]
    assert np.all(np.diff(years) == 0.25)
