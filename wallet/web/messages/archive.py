"""Page texts for archive (Dutch and English; keys start with "archive.")."""

from __future__ import annotations

NL: dict[str, str] = {
    "archive.title": "Verhuizen",
    "archive.intro": "Gaat u naar een andere school of opleiding? Neem uw hele dossier mee "
                     "naar een andere wallet, of geef alleen uw credentials mee aan een "
                     "andere wallet.",
    "archive.export.title": "Dossier downloaden",
    "archive.export.intro": "U krijgt één zip-bestand met al uw credentials (precies zoals "
                            "ontvangen), bewijsstukken, reflecties, competenties, "
                            "stageverslagen en de instellingen van uw deellinks en online cv. "
                            "Elk bestand heeft een controlegetal (sha256).",
    "archive.export.not_moved": "Niet mee verhuizen: deellinks (ze wijzen naar deze wallet; "
                                "u deelt opnieuw vanuit de nieuwe) en gemachtigden (u nodigt "
                                "ze opnieuw uit).",
    "archive.export.password": "Wachtwoord voor het archief (niet verplicht)",
    "archive.export.password_hint": "Met een wachtwoord (minstens 10 tekens) wordt het archief "
                                    "versleuteld (AES-256, te openen met 7-Zip) en gaat uw "
                                    "sleutel mee, zodat u in de nieuwe wallet dezelfde DID "
                                    "houdt. Kies een lang wachtwoord.",
    "archive.export.password_again": "Wachtwoord nogmaals",
    "archive.export.mismatch": "De twee wachtwoorden zijn niet gelijk.",
    "archive.export.button": "Dossier downloaden",
    "archive.import.title": "Dossier binnenhalen",
    "archive.import.intro": "Kies een archief uit een andere OpenDossier-wallet. Alles wordt "
                            "eerst gecontroleerd; klopt er iets niet, dan verandert er niets. "
                            "Wat er al is, wordt niet dubbel toegevoegd.",
    "archive.import.file": "Archief (zip)",
    "archive.import.file_hint": "Het bestand dat u in de oude wallet downloadde.",
    "archive.import.password": "Wachtwoord van het archief",
    "archive.import.password_hint": "Alleen als het archief versleuteld is.",
    "archive.import.no_file": "Kies een archief (zip-bestand).",
    "archive.import.button": "Controleren en binnenhalen",
    "archive.bundles.title": "Alleen credentials, voor een andere wallet",
    "archive.bundles.intro": "Een standaardbundel die andere wallets begrijpen, ondertekend "
                             "met uw sleutel.",
    "archive.bundles.vp": "Verifiable Presentation downloaden (JSON)",
    "archive.bundles.none": "Er staan nog geen credentials in je dossier om te bundelen.",
    "archive.bundles.clr": "CLR 2.0 (Comprehensive Learner Record) downloaden (JSON)",
    "archive.bundles.jwt_note": "Credentials in JWT-vorm kunnen niet in een bundel; ze gaan "
                                "wel mee in het volledige archief.",
    "archive.result.title": "Dossier binnengehaald",
    "archive.result.done": "Het archief is gecontroleerd en binnengehaald.",
    "archive.result.caption": "Wat er binnenkwam",
    "archive.result.line": "{added} toegevoegd, {already} waren er al, {refused} niet "
                           "opgenomen",
    "archive.result.same_did": "U houdt dezelfde DID als in de oude wallet.",
    "archive.result.refused_title": "Niet opgenomen credentials",
    "archive.result.refused_intro": "Deze credentials zijn niet meer geldig (bijvoorbeeld "
                                    "ingetrokken) en zijn daarom niet in uw dossier gezet.",
    "archive.result.problems_title": "Goed om te weten",
    "archive.result.to_dossier": "Naar uw dossier",
    "archive.kind.credentials": "Credentials",
    "archive.kind.evidence": "Bewijsstukken",
    "archive.kind.competences": "Competenties",
    "archive.kind.reflections": "Reflecties",
    "archive.kind.internshipReports": "Stageverslagen",
    "archive.kind.shares": "Deelinstellingen",
    "archive.kind.cv": "Online cv",
}

EN: dict[str, str] = {
    "archive.title": "Move school",
    "archive.intro": "Moving to another school or programme? Take your whole dossier to "
                     "another wallet, or give just your credentials to another wallet.",
    "archive.export.title": "Download your dossier",
    "archive.export.intro": "You get one zip file with all your credentials (exactly as "
                            "received), evidence, reflections, competences, internship "
                            "reports and the settings of your share links and online CV. "
                            "Every file has a check digest (sha256).",
    "archive.export.not_moved": "Not moved: share links (they point at this wallet; share "
                                "again from the new one) and delegates (invite them again).",
    "archive.export.password": "Password for the archive (optional)",
    "archive.export.password_hint": "With a password (at least 10 characters) the archive is "
                                    "encrypted (AES-256, opens in 7-Zip) and your key goes "
                                    "along, so you keep the same DID in the new wallet. "
                                    "Choose a long password.",
    "archive.export.password_again": "Password again",
    "archive.export.mismatch": "The two passwords are not the same.",
    "archive.export.button": "Download dossier",
    "archive.import.title": "Bring a dossier in",
    "archive.import.intro": "Choose an archive from another OpenDossier wallet. Everything is "
                            "checked first; if anything is wrong, nothing changes. What is "
                            "already here is not added twice.",
    "archive.import.file": "Archive (zip)",
    "archive.import.file_hint": "The file you downloaded in the old wallet.",
    "archive.import.password": "Password of the archive",
    "archive.import.password_hint": "Only when the archive is encrypted.",
    "archive.import.no_file": "Choose an archive (zip file).",
    "archive.import.button": "Check and bring in",
    "archive.bundles.title": "Credentials only, for another wallet",
    "archive.bundles.intro": "A standard bundle other wallets understand, signed with your "
                             "key.",
    "archive.bundles.vp": "Download a Verifiable Presentation (JSON)",
    "archive.bundles.none": "Your dossier holds no credentials to bundle yet.",
    "archive.bundles.clr": "Download a CLR 2.0 (Comprehensive Learner Record) (JSON)",
    "archive.bundles.jwt_note": "Credentials in JWT form cannot go in a bundle; they do move "
                                "in the full archive.",
    "archive.result.title": "Dossier brought in",
    "archive.result.done": "The archive was checked and brought in.",
    "archive.result.caption": "What arrived",
    "archive.result.line": "{added} added, {already} already here, {refused} not taken in",
    "archive.result.same_did": "You keep the same DID as in the old wallet.",
    "archive.result.refused_title": "Credentials not taken in",
    "archive.result.refused_intro": "These credentials are no longer valid (revoked, for "
                                    "example) and so were not put in your dossier.",
    "archive.result.problems_title": "Good to know",
    "archive.result.to_dossier": "To your dossier",
    "archive.kind.credentials": "Credentials",
    "archive.kind.evidence": "Evidence",
    "archive.kind.competences": "Competences",
    "archive.kind.reflections": "Reflections",
    "archive.kind.internshipReports": "Internship reports",
    "archive.kind.shares": "Share settings",
    "archive.kind.cv": "Online CV",
}
