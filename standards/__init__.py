"""Standards core shared by issuer, wallet and verifier.

Keys and DIDs, the bundled JSON-LD document loader, Data Integrity and JOSE proofs,
Bitstring Status Lists, baked badges and the Open Badges 3.0 / CLR 2.0 models.
Nothing here knows about databases or HTTP servers.
"""
