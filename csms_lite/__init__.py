"""csms_lite package."""
