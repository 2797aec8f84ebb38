"""Prices: utility energy tariffs (the CPO's cost), OCPI site tariffs and roaming partners' fees."""
