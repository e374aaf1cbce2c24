"""The wallet: the owner's competence dossier (evidence, reflections, credentials, shares)."""
