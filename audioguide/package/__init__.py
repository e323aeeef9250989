"""The listener package: what `audioguide build` writes beside the tracks (pure renderers)."""
