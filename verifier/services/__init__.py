"""The verifier's work, independent of HTTP: verification reports, challenges, OpenID4VP."""
