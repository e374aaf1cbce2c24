"""The shared service kit: what the issuer, the wallet and the verifier all use around the
standards core (database set-up, secret box, request bodies, errors, QR codes, page
languages, sessions, the base stylesheet and form macros).

It imports no role: roles import it, never the other way round (tests/test_layers.py).
"""
