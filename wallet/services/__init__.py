"""The wallet's service layer: every rule lives here; api/, web/ and cli only translate."""
