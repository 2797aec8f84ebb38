"""Smart energy management: a site's circuit tree and its limits, and the allocation of power to
the open charging sessions under every limit (uncontrolled and equal-share baselines, and a
linear-programme optimiser of time-of-use energy cost plus the demand charge).

Pure functions over plain data: the control loop that sends the results as OCPP charging
profiles talks to the CSMS only through its HTTP client (``models.energy.loop``)."""
