"""The verifier's HTTP face: VC-API verification, challenges, OpenID4VP, the employer page."""
