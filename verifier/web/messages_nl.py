"""Dutch messages of the employer pages (the default language). Keep the keys equal to
messages_en.py; a test checks that they are."""

MESSAGES: dict[str, str] = {
    # general
    "app.name": "OpenDossier controle",
    "app.footer": "Controleer diploma's, badges en bewijsstukken zonder account. Wat je hier "
                  "controleert, wordt niet bewaard.",
    "lang.nl": "Nederlands",
    "lang.en": "English",
    "notfound.title": "Deze pagina bestaat niet",
    "notfound.back": "Naar de controle",
    "nav.skip": "Naar de inhoud",
    "nav.language": "Taal",
    "form.check": "Controleren",
    "date.format": "{day} {month} {year}",
    "date.moment": "{date}, {time} UTC",
    "month.1": "januari", "month.2": "februari", "month.3": "maart", "month.4": "april",
    "month.5": "mei", "month.6": "juni", "month.7": "juli", "month.8": "augustus",
    "month.9": "september", "month.10": "oktober", "month.11": "november",
    "month.12": "december",
    # the page
    "home.title": "Controleer wat iemand je laat zien",
    "home.intro": "Is een diploma, badge of bewijsstuk echt, en van wie komt het? Scan de "
                  "QR-code die de eigenaar je laat zien, upload een bestand of plak een link.",
    "scan.title": "Scan de QR-code",
    "scan.intro": "Richt de camera van je telefoon op de QR-code van de eigenaar. De controle "
                  "begint vanzelf zodra de code is gelezen.",
    "scan.needs_js": "De camera werkt alleen met JavaScript aan. Maak anders een foto van de "
                     "QR-code en upload die bij stap 2.",
    "scan.start": "Camera aanzetten",
    "scan.stop": "Camera uitzetten",
    "scan.video_label": "Beeld van de camera",
    "scan.starting": "De camera gaat aan…",
    "scan.looking": "Zoeken naar een QR-code… Houd de code stil in beeld.",
    "scan.found": "QR-code gelezen. Bezig met controleren…",
    "scan.no_camera": "Deze browser kan de camera hier niet gebruiken (daarvoor is een "
                      "beveiligde verbinding nodig). Maak een foto van de QR-code en upload "
                      "die bij stap 2.",
    "scan.denied": "Je hebt geen toestemming gegeven voor de camera. Geef toestemming, of "
                   "upload een foto van de QR-code bij stap 2.",
    "scan.stopped": "De camera staat uit.",
    "scan.photo_hint": "Lukt scannen niet? Een foto of schermafbeelding van de QR-code kun je "
                       "ook uploaden.",
    "upload.title": "Upload een bestand",
    "upload.label": "Bestand",
    "upload.hint": "Een badge-afbeelding (PNG of SVG), een credential-bestand (JSON of JWT) "
                   "of een foto van een QR-code. Hoogstens {megabytes} MB.",
    "link.title": "Plak een link",
    "link.label": "Link",
    "link.hint": "De link die de eigenaar je heeft gestuurd, bijvoorbeeld "
                 "https://…/gedeeld/…",
    "paste.title": "Of plak de credential zelf",
    "paste.label": "Tekst (JSON of JWT)",
    "paste.hint": "Plak hier de volledige tekst van de credential of presentatie.",
    "wallet.title": "Vraag het aan de wallet",
    "wallet.intro": "Heeft de eigenaar een wallet-app? Laat een QR-code zien die de eigenaar "
                    "scant; de wallet vraagt wat er gedeeld wordt.",
    "wallet.start": "QR-code voor de wallet tonen",
    # problems with what was given
    "problem.title": "Dit kon niet worden gecontroleerd",
    "problem.detail": "Technische details",
    "problem.empty": "Er was niets om te controleren. Kies een bestand, scan een QR-code, of "
                     "plak een link of tekst.",
    "problem.several": "Geef één ding tegelijk om te controleren.",
    "problem.form": "Het formulier kwam niet goed aan. Probeer het opnieuw.",
    "problem.too_large": "Dit is te groot om te controleren. Een bestand mag hoogstens "
                         "{megabytes} MB zijn.",
    "problem.link_failed": "De link kon niet worden geopend. Controleer of hij volledig is en "
                           "met https:// begint, of vraag de eigenaar om een nieuwe link.",
    "problem.link_content": "Achter de link staat geen credential of presentatie. Vraag de "
                            "eigenaar om de link om te delen.",
    "problem.not_credential": "Dit is geen credential, presentatie of badge die gecontroleerd "
                              "kan worden.",
    "problem.no_qr_code": "In deze afbeelding staat geen QR-code en geen badge. Maak een "
                          "scherpere foto waarop de hele QR-code te zien is.",
    "problem.qr_content": "Deze QR-code bevat geen link naar een credential en ook geen "
                          "credential.",
    "problem.image_unreadable": "Deze afbeelding kan niet worden gelezen. Gebruik een PNG-, "
                                "JPEG-, WebP-, GIF- of BMP-bestand.",
    "problem.image_too_large": "Deze afbeelding is te groot om te lezen. Maak een schermafbeelding "
                               "of een kleinere foto van de QR-code.",
    "problem.other": "Dit kon niet worden gecontroleerd.",
    # the result
    "result.title": "Resultaat van de controle",
    "result.checked_at": "gecontroleerd op {moment}",
    "result.again": "Nog iets controleren",
    "source.file": "Bestand {origin}",
    "source.link": "Link {origin}",
    "source.qr": "QR-code {origin}",
    "source.text": "Geplakte tekst",
    "source.wallet": "Antwoord van de wallet",
    "verdict.valid": "Geldig",
    "verdict.invalid": "Niet geldig",
    "verdict.unknown": "Niet te bevestigen",
    "headline.issued": "{verdict} — uitgegeven door {issuer} ({trust})",
    "headline.endorsed": "{verdict} — onderschreven door {issuer} ({trust})",
    "headline.presented": "{verdict} — getoond door {holder}",
    "trust.short_trusted": "bekende organisatie",
    "trust.short_unknown": "onbekende organisatie",
    "trust.short_outside": "niet meer als bekend geregistreerd",
    "trust.known": "Staat in het register {registry}",
    "trust.outside": "Staat in het register {registry}, maar niet voor deze datum",
    "trust.unknown": "Staat niet in het register {registry}. Dat hoeft niet fout te zijn, "
                     "maar controleer zelf wie dit is.",
    "trust.no_registry": "Deze controle heeft geen register van bekende organisaties. Controleer "
                         "zelf wie dit is.",
    "report.what": "Wat",
    "report.unnamed": "(zonder naam)",
    "report.to": "Aan",
    "report.no_subject": "(geen ontvanger genoemd)",
    "report.by": "Door",
    "report.no_issuer": "(geen uitgever genoemd)",
    "report.when": "Uitgereikt op",
    "report.no_date": "(geen datum)",
    "report.until": "Geldig tot",
    "report.no_end": "geen einddatum",
    "report.criteria": "Wat ervoor nodig was",
    "report.alignment": "Hoort bij",
    "report.results": "Resultaat",
    "report.endorsed": "Onderschrijft",
    "report.comment": "Toelichting",
    "report.holder": "Getoond door",
    "report.why_not": "Waarom niet:",
    "report.credentials_presented": "Wat er getoond wordt ({n})",
    "report.credentials_inside": "Wat erin staat ({n})",
    "report.endorsements": "Onderschrijvingen ({n})",
    "report.all_checks": "Alle controles ({n})",
    "report.warnings": "Opmerkingen",
    "evidence.title": "Bewijsstukken die de eigenaar deelt",
    "evidence.image": "Bewijsstuk",
    "evidence.unnamed": "Bewijsstuk zonder naam",
    "evidence.open": "Openen",
    "evidence.new_window": "(opent in een nieuw venster)",
    "evidence.digest": "Is dit het ondertekende bestand",
    "digest.matches": "ja, het klopt",
    "digest.differs": "nee, het bestand is anders dan het ondertekende",
    "digest.not-signed": "niet te zeggen: de uitgever heeft het niet ondertekend",
    "digest.not-checked": "niet gecontroleerd: het bestand kon niet worden opgehaald",
    # asking the wallet (OpenID4VP)
    "oid4vp.title": "Vraag het aan de wallet van de eigenaar",
    "oid4vp.intro": "Laat de eigenaar deze QR-code scannen met de wallet-app. De wallet vraagt de "
                    "eigenaar welke badge gedeeld wordt; daarna zie je hier het resultaat.",
    "oid4vp.qr_alt": "QR-code om te scannen met de wallet-app",
    "oid4vp.expires": "Deze QR-code is {minutes} minuten te gebruiken, één keer.",
    "oid4vp.waiting": "Wachten op de wallet…",
    "oid4vp.answered": "De wallet heeft geantwoord. Het resultaat wordt geopend…",
    "oid4vp.show_result": "Toon het resultaat",
    "oid4vp.same_device": "Open de wallet op dit apparaat",
    "oid4vp.same_device_hint": "Staat de wallet op deze telefoon? Gebruik dan de knop in plaats "
                               "van de QR-code.",
    "oid4vp.switch_pe": "Reageert de wallet niet op deze code?",
    "oid4vp.switch_link_pe": "Probeer de oudere vraagvorm (Presentation Exchange).",
    "oid4vp.switch_dcql": "Dit is de oudere vraagvorm.",
    "oid4vp.switch_link_dcql": "Gebruik de nieuwe vraagvorm (DCQL).",
    "oid4vp.back": "Terug naar de andere manieren van controleren",
    "oid4vp_result.answered": "Resultaat van de controle",
    "oid4vp_result.pending": "Nog geen antwoord",
    "oid4vp_result.pending_text": "De wallet heeft nog niet geantwoord. Wacht tot de eigenaar "
                                  "heeft gekozen wat er gedeeld wordt, en kijk dan opnieuw.",
    "oid4vp_result.expired": "Deze vraag is verlopen",
    "oid4vp_result.expired_text": "De wallet heeft niet op tijd geantwoord. Maak een nieuwe "
                                  "QR-code.",
    "oid4vp_result.declined": "De wallet heeft niets gedeeld",
    "oid4vp_result.declined_text": "De eigenaar heeft geweigerd, of de wallet heeft niets dat bij "
                                   "de vraag past.",
    "oid4vp_result.missing": "Deze vraag bestaat niet (meer)",
    "oid4vp_result.missing_text": "Het resultaat is na een uur gewist, of de link klopt niet. "
                                  "Maak een nieuwe QR-code.",
    "oid4vp_result.look_again": "Opnieuw kijken",
    "oid4vp_result.new_request": "Nieuwe QR-code",
    # checks in plain words
    "check.ok": "In orde",
    "check.failed": "Mislukt",
    "check.format": "Vorm",
    "check.json-ld": "Begrippen",
    "check.proof": "Handtekening",
    "check.issuer": "Sleutel van de uitgever",
    "check.validity": "Geldigheid",
    "check.status": "Intrekking",
    "check.schema": "Opbouw",
    "check.refresh-service": "Vernieuwen",
    "check.clr": "Verzameling",
    "check.clr-credential": "Onderdeel",
    "check.endorsement": "Onderschrijving",
    "check.holder": "Houder",
    "check.challenge": "Eenmalige code",
    "check.evidence": "Bewijsstukken",
    "check.query": "Gevraagd",
    "check.credential": "Credential {n}",
    "check.holder_binding": "Credential {n} hoort bij de houder",
    "why.proof": "de digitale handtekening klopt niet. Er is na het ondertekenen iets "
                 "veranderd, of er is met een andere sleutel ondertekend.",
    "why.issuer": "de handtekening is niet gezet met een sleutel van de uitgever die erin "
                  "staat.",
    "why.expired": "de geldigheid is verlopen.",
    "why.not_yet": "dit is nog niet geldig.",
    "why.validity": "de geldigheidsdatums zijn niet te lezen.",
    "why.status_unknown": "het kon niet worden nagegaan of dit is ingetrokken: de lijst van "
                          "de uitgever was niet bereikbaar of niet te vertrouwen. Probeer het "
                          "later opnieuw.",
    "why.revoked": "de uitgever heeft dit ingetrokken.",
    "why.suspended": "de uitgever heeft dit tijdelijk geschorst.",
    "why.format": "dit is niet opgebouwd zoals een credential of presentatie moet zijn.",
    "why.json-ld": "er staan begrippen in die niet in de afgesproken woordenlijsten staan.",
    "why.schema": "de opbouw voldoet niet aan de standaard Open Badges 3.0.",
    "why.refresh-service": "de vernieuwdienst is niet in orde.",
    "why.clr": "de verzameling is te diep genest om te controleren.",
    "why.clr-credential": "een onderdeel van deze verzameling is niet geldig (zie hieronder).",
    "why.endorsement": "een onderschrijving die erin zit, is vervalst of onleesbaar.",
    "why.holder": "de presentatie is niet ondertekend door degene die haar laat zien.",
    "why.challenge": "deze presentatie is niet voor deze controle gemaakt, of is al eerder "
                     "gebruikt.",
    "why.evidence": "een bewijsstuk is niet het bestand dat de uitgever heeft ondertekend.",
    "why.query": "de wallet stuurde niet wat er werd gevraagd.",
    "why.credential": "deze credential is niet geldig (zie hieronder).",
    "why.holder_binding": "degene die dit laat zien, is niet degene aan wie het is uitgereikt.",
    "why.other": "deze controle is mislukt.",
}
