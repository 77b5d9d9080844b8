"""Runs the platform: which services exist, how to start them, and the demo programme."""
