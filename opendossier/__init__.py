"""OpenDossier: the application assembly (command line, later the services together)."""
