"""The verifier's pages for people: the employer page and the wallet request page."""
