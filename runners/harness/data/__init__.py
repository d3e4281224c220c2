"""Data sets: generated ones for the smoke profile, readers of the real ones for full."""
