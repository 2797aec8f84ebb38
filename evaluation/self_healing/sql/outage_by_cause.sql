-- Outage minutes by what the truth says was behind them: what resets can win back is the
-- curable share; the rest needs a technician (or is a trip that clears itself in minutes).
SELECT CASE WHEN t.fault_type = 'transient_trip' THEN 'trip'
            WHEN t.curable THEN 'curable'
            ELSE 'technician' END AS cause,
       sum(greatest(0, epoch(least(o.end_at, t."end")) - epoch(greatest(o.start_at, t.start))))
           / 60 AS minutes
FROM {outages} o
JOIN {truth} t
  ON t.kind = 'fault' AND t.charge_point_id = o.charge_point_id
 AND (t.connector_id IS NULL OR t.connector_id = o.port_no)
 AND o.start_at < t."end" AND o.end_at > t.start
WHERE NOT o.excluded
GROUP BY ALL
