"""Fault prediction: does a charger's fault begin within the next H hours?"""
