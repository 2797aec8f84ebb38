"""Maintenance tickets: a person must go to the charger. Created by the self-healing loop (the
policy's rules: a hardware fault code, or resets that did not help) or by hand, moved along a
small lifecycle by operators, delivered to field service, and closed with an outcome that
labels the fault model's training data."""
