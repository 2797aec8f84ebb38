-- Formulas more than one mart uses, defined once for every warehouse connection.

-- Minutes of [a_from, a_to) inside [b_from, b_to) (callers join on the two overlapping).
CREATE OR REPLACE TEMP MACRO overlap_min(a_from, a_to, b_from, b_to) AS
    (epoch(least(a_to, b_to)) - epoch(greatest(a_from, b_from))) / 60.0;

-- NEVI 23 CFR 680.116(b): mu = (T - (T_outage - T_excluded)) / T x 100, clamped to [0, 100].
CREATE OR REPLACE TEMP MACRO nevi_uptime_pct(period_min, outage_min, excluded_min) AS
    greatest(0.0, least(100.0, (period_min - (outage_min - excluded_min)) / period_min * 100.0));
