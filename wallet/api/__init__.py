"""The wallet's HTTP layer: thin routers over wallet.services."""
