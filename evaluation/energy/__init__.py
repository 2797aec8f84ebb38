"""The energy allocator measured on real sessions: a time-stepped replay of a site under each
algorithm, and the same sessions through acnportal's simulator, on the same metrics."""
