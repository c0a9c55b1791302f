"""The German help of every command: the English text written in the command (with
its whitespace collapsed) → its German text. ``tests/test_cli_help.py`` fails when
a command or option has no German text here, or when a text here is no longer
used."""

from __future__ import annotations

HELP_OPTION_DE = "Diese Hilfe zeigen und beenden."
GERMAN_HEADINGS = {
    "ARGUMENTS_PANEL_TITLE": "Argumente",
    "OPTIONS_PANEL_TITLE": "Optionen",
    "COMMANDS_PANEL_TITLE": "Befehle",
    "ERRORS_PANEL_TITLE": "Fehler",
    "REQUIRED_LONG_STRING": "[erforderlich]",
    "DEFAULT_STRING": "[Standard: {}]",
    "ENVVAR_STRING": "[Umgebungsvariable: {}]",
    "ABORTED_TEXT": "Abgebrochen.",
    "RICH_HELP": "Hilfe: [blue]'{command_path} {help_option}'[/]",
}
"""Typer's headings and markers of the help (``typer.rich_utils``), in German."""

_PAIRS: tuple[tuple[str, str], ...] = (
    # sozialmonitor (global options)
    (
        "Sozialmonitor: the indicator database and portal for social monitoring.",
        "Sozialmonitor: die Kennzahlendatenbank und das Portal für das "
        "Sozialmonitoring.",
    ),
    (
        "Database URL: sqlite:///FILE (embedded default) or "
        "postgresql+psycopg://USER:PASSWORD@HOST/DB. Environment: SOZIALMONITOR_DB.",
        "Adresse der Datenbank: sqlite:///DATEI (eingebettet, Standard) oder "
        "postgresql+psycopg://BENUTZER:PASSWORT@HOST/DB. Umgebungsvariable: "
        "SOZIALMONITOR_DB.",
    ),
    (
        "Act as this account: asks for its password and current one-time code "
        "(hidden; a code counts once). Needed against a server database for changes "
        "and internal data; scripts use --token.",
        "Als dieses Konto handeln: fragt nach Passwort und aktuellem Einmalcode "
        "(verdeckt; ein Code gilt einmal). Auf einer Server-Datenbank nötig für "
        "Änderungen und interne Daten; Skripte nutzen --token.",
    ),
    (
        "Act with an API token ('user token add'); its scope must allow the "
        "command. Prefer the environment variable: a command line can be seen by "
        "others on the computer.",
        "Mit einem API-Token handeln ('user token add'); sein Umfang muss den "
        "Befehl erlauben. Besser die Umgebungsvariable: eine Befehlszeile können "
        "andere auf dem Rechner sehen.",
    ),
    (
        "Show tracebacks.",
        "Bei Fehlern alle Einzelheiten zeigen (Traceback).",
    ),
    ("Print the version and exit.", "Die Version ausgeben und beenden."),
    (
        "Language of the help: de (German) or en (English); default: from the "
        "locale (LC_ALL, LC_MESSAGES, LANG), else English.",
        "Sprache der Hilfe: de (Deutsch) oder en (Englisch); Standard: aus der "
        "Locale (LC_ALL, LC_MESSAGES, LANG), sonst Englisch.",
    ),
    # init, serve, demo, backup, restore
    (
        "Create the database, or upgrade it to the newest schema.",
        "Die Datenbank anlegen oder auf das neueste Schema bringen.",
    ),
    ("Serve the portal and the API.", "Das Portal und die API bereitstellen."),
    ("Address to listen on.", "Adresse, auf der gelauscht wird."),
    ("Port to listen on.", "Port, auf dem gelauscht wird."),
    (
        "A signed-in session ends after this many minutes without a request.",
        "Eine Anmeldung endet nach so vielen Minuten ohne Anfrage.",
    ),
    (
        "A signed-in session ends this many hours after sign-in, active or not.",
        "Eine Anmeldung endet so viele Stunden nach dem Anmelden, aktiv oder nicht.",
    ),
    (
        "secure: the session cookie is Secure with the __Host- prefix (serve over "
        "https); development: a plain cookie for http on this computer only.",
        "secure: das Sitzungscookie ist Secure mit dem Präfix __Host- (über https "
        "bereitstellen); development: ein einfaches Cookie für http nur auf diesem "
        "Rechner.",
    ),
    (
        "Sites that may show the portal's embeddable views (/einbetten/…) in a "
        "frame (CSP frame-ancestors), separated by spaces, e.g. 'self' "
        "https://www.example.org; 'none' forbids embedding. Other pages are never "
        "framed.",
        "Websites, die die einbettbaren Ansichten des Portals (/einbetten/…) in "
        "einem Frame zeigen dürfen (CSP frame-ancestors), durch Leerzeichen "
        "getrennt, z. B. 'self' https://www.example.org; 'none' verbietet das "
        "Einbetten. Andere Seiten werden nie eingebettet.",
    ),
    (
        "The portal's public address (https://HOST/PATH) for the absolute links "
        "written into downloads; empty: relative links. Never taken from a request's "
        "Host header.",
        "Die öffentliche Adresse des Portals (https://HOST/PFAD) für die absoluten "
        "Links in Downloads; leer: relative Links. Nie aus dem Host-Header einer "
        "Anfrage genommen.",
    ),
    (
        "A site file (TOML) that makes the portal the municipality's own site: "
        "name, publisher, logo, colours, introduction, Impressum, Datenschutz, "
        "Barrierefreiheit, order of topics, comparison area; empty: the portal's own "
        "look.",
        "Eine Site-Datei (TOML), die das Portal zur eigenen Website der Kommune "
        "macht: Name, Herausgeber, Logo, Farben, Einleitung, Impressum, "
        "Datenschutz, Barrierefreiheit, Reihenfolge der Themenfelder, "
        "Vergleichsgebiet; leer: das eigene Aussehen des Portals.",
    ),
    (
        "Build (or reuse) the demo database from real public data and serve it.",
        "Die Demo-Datenbank aus echten öffentlichen Daten bauen (oder "
        "wiederverwenden) und bereitstellen.",
    ),
    ("Only build the database.", "Nur die Datenbank bauen."),
    (
        "A shipped demo site (hannover, berlin) or a site file (TOML): A site file "
        "(TOML) that makes the portal the municipality's own site: name, publisher, "
        "logo, colours, introduction, Impressum, Datenschutz, Barrierefreiheit, "
        "order of topics, comparison area; empty: the portal's own look.",
        "Eine mitgelieferte Demo-Site (hannover, berlin) oder eine Site-Datei "
        "(TOML), die das Portal zur eigenen Website der Kommune macht: Name, "
        "Herausgeber, Logo, Farben, Einleitung, Impressum, Datenschutz, "
        "Barrierefreiheit, Reihenfolge der Themenfelder, Vergleichsgebiet; leer: "
        "das eigene Aussehen des Portals.",
    ),
    (
        "Back up the whole database into one file (a consistent snapshot; the "
        "portal keeps serving). On a server database with --user or --token allowed "
        "to manage-settings: the file holds everything, accounts too.",
        "Die ganze Datenbank in eine Datei sichern (ein konsistenter Stand; das "
        "Portal läuft weiter). Auf einer Server-Datenbank mit --user oder --token, "
        "die manage-settings dürfen: die Datei enthält alles, auch die Konten.",
    ),
    (
        "The backup file to write (.zip; replaced if it exists).",
        "Die zu schreibende Sicherungsdatei (.zip; eine vorhandene wird ersetzt).",
    ),
    (
        "Restore a backup into an empty (new or freshly initialised) database; all "
        "or nothing. On a server database that has accounts, with --user or --token "
        "allowed to manage-settings.",
        "Eine Sicherung in eine leere (neue oder frisch angelegte) Datenbank "
        "zurückspielen; alles oder nichts. Auf einer Server-Datenbank mit Konten "
        "mit --user oder --token, die manage-settings dürfen.",
    ),
    (
        "A file written by 'sozialmonitor backup'.",
        "Eine mit 'sozialmonitor backup' geschriebene Datei.",
    ),
    (
        "Drop everything in the database first, even data.",
        "Vorher alles in der Datenbank löschen, auch Daten.",
    ),
    # export
    (
        "Values of indicators as CSV (default, to standard output) or Excel; "
        "'export mapped' writes them in the layout of an official table.",
        "Werte von Kennzahlen als CSV (Standard, auf die Standardausgabe) oder "
        "Excel; 'export mapped' schreibt sie im Aufbau einer amtlichen Tabelle.",
    ),
    ("Indicator id (repeatable).", "Kennung der Kennzahl (wiederholbar)."),
    ("Area code (repeatable).", "Gebietsschlüssel (wiederholbar)."),
    ("All areas of this level.", "Alle Gebiete dieser Raumebene."),
    ("First period.", "Erster Zeitraum."),
    ("Last period.", "Letzter Zeitraum."),
    ("Read as of this release.", "Den Stand dieses Datenstands lesen."),
    (
        "Include internal indicators; on a server database with --user or --token "
        "allowed to read-internal.",
        "Interne Kennzahlen einschließen; auf einer Server-Datenbank mit --user "
        "oder --token, die read-internal dürfen.",
    ),
    (
        "csv (comma, decimal point), csv-de (for German Excel: semicolon, decimal "
        "comma) or xlsx.",
        "csv (Komma, Dezimalpunkt), csv-de (für deutsches Excel: Semikolon, "
        "Dezimalkomma) oder xlsx.",
    ),
    (
        "File to write (default: standard output).",
        "Zu schreibende Datei (Standard: die Standardausgabe).",
    ),
    (
        "Values in the layout of an official table, as its mapping file describes "
        "it: keys, period labels, scaling, signs; '.' for a value you may not see.",
        "Werte im Aufbau einer amtlichen Tabelle, wie ihre Mapping-Datei ihn "
        "beschreibt: Schlüssel, Zeitraumbezeichnungen, Skalierung, Zeichen; '.' "
        "für einen Wert, den Sie nicht sehen dürfen.",
    ),
    (
        "The mapping file of the table (docs/mapping-files.md), e.g. a shipped one "
        "from src/sozialmonitor/ingest/official/mappings/.",
        "Die Mapping-Datei der Tabelle (docs/mapping-files.md), z. B. eine "
        "mitgelieferte aus src/sozialmonitor/ingest/official/mappings/.",
    ),
    ("File to write.", "Zu schreibende Datei."),
    # opendata
    (
        "Open data: the public values of a published release as a Data Package, "
        "and the catalogue as DCAT-AP.de.",
        "Offene Daten: die öffentlichen Werte eines veröffentlichten Datenstands "
        "als Data Package und der Katalog als DCAT-AP.de.",
    ),
    (
        "A published release (default: the newest published one).",
        "Ein veröffentlichter Datenstand (Standard: der neueste veröffentlichte).",
    ),
    ("A new or empty folder.", "Ein neuer oder leerer Ordner."),
    (
        "Write the Frictionless Data Package of a published release: "
        "datapackage.json, one CSV of values per public indicator, indicators.csv "
        "and areas.csv.",
        "Das Frictionless Data Package eines veröffentlichten Datenstands "
        "schreiben: datapackage.json, je öffentlicher Kennzahl eine CSV-Datei der "
        "Werte, indicators.csv und areas.csv.",
    ),
    (
        "The portal's public address (https://…), from which every link in the "
        "document is built.",
        "Die öffentliche Adresse des Portals (https://…), aus der jeder Verweis im "
        "Dokument gebildet wird.",
    ),
    (
        "The publishing body, e.g. 'Region Hannover'.",
        "Die veröffentlichende Stelle, z. B. 'Region Hannover'.",
    ),
    (
        "GovData's contributor IRI of the publishing body (dcatde:contributorID), "
        "if it has one.",
        "Die Contributor-IRI der veröffentlichenden Stelle bei GovData "
        "(dcatde:contributorID), falls sie eine hat.",
    ),
    ("turtle or json-ld.", "turtle oder json-ld."),
    (
        "Write the DCAT-AP.de description of the public catalogue: a dataset per "
        "public indicator with its licence, coverage and download addresses.",
        "Die DCAT-AP.de-Beschreibung des öffentlichen Katalogs schreiben: ein "
        "Datensatz je öffentlicher Kennzahl mit Lizenz, Abdeckung und "
        "Download-Adressen.",
    ),
    (
        "Also the areas directly below each --area.",
        "Auch die Gebiete direkt unter jedem --area.",
    ),
    ("Only this period (repeatable).", "Nur dieser Zeitraum (wiederholbar)."),
    (
        "Read as the administration (internal indicators, values hidden from the "
        "public); on a server database with --user or --token allowed to "
        "read-internal.",
        "Als Verwaltung lesen (interne Kennzahlen, für die Öffentlichkeit "
        "gesperrte Werte); auf einer Server-Datenbank mit --user oder --token, die "
        "read-internal dürfen.",
    ),
    # publish
    (
        "The folder to write: new, empty, or holding an earlier build (then only "
        "changed files are written and files no longer built are deleted).",
        "Der Ordner, in den geschrieben wird: neu, leer oder mit einem früheren "
        "Build (dann werden nur geänderte Dateien geschrieben und nicht mehr "
        "gebaute gelöscht).",
    ),
    (
        "The sub-path the files are served under (/sozialmonitor/), or the full "
        "public address (https://example.org/sozialmonitor/), which the DCAT-AP.de "
        "document then uses too.",
        "Der Unterpfad, unter dem die Dateien ausgeliefert werden "
        "(/sozialmonitor/), oder die volle öffentliche Adresse "
        "(https://example.org/sozialmonitor/), die dann auch das "
        "DCAT-AP.de-Dokument verwendet.",
    ),
    (
        "The publishing body in the DCAT-AP.de document (default: the site's "
        "publisher).",
        "Die veröffentlichende Stelle im DCAT-AP.de-Dokument (Standard: der "
        "Herausgeber der Site).",
    ),
    (
        "Stop with a message after this many pages and files.",
        "Nach so vielen Seiten und Dateien mit einer Meldung abbrechen.",
    ),
    (
        "Stop with a message before writing more bytes.",
        "Vor dem Schreiben von mehr Bytes mit einer Meldung abbrechen.",
    ),
    (
        "Write the public portal of the newest published release as static files: "
        "every page (folder/index.html), its JSON twin, the downloads, the style "
        "sheets and scripts, a search that needs no server, the Data Package and "
        "the DCAT-AP.de document. Only what anyone may see without signing in.",
        "Das öffentliche Portal des neuesten veröffentlichten Datenstands als "
        "statische Dateien schreiben: jede Seite (Ordner/index.html), ihr "
        "JSON-Zwilling, die Downloads, Stylesheets und Skripte, eine Suche ohne "
        "Server, das Data Package und das DCAT-AP.de-Dokument. Nur, was jeder ohne "
        "Anmeldung sehen darf.",
    ),
    # import
    (
        "Import areas, the indicator catalogue or observations.",
        "Gebiete, den Kennzahlenkatalog oder Werte importieren.",
    ),
    (
        "Import values (long or wide layout; CSV or Excel).",
        "Werte importieren (langes oder breites Format; CSV oder Excel).",
    ),
    ("The file to import.", "Die zu importierende Datei."),
    (
        "Draft release to import into (created if new; default: the newest draft, "
        "else a new one).",
        "Entwurf des Datenstands, in den importiert wird (neu angelegt, wenn es "
        "ihn nicht gibt; Standard: der neueste Entwurf, sonst ein neuer).",
    ),
    (
        "Indicator id for a file without an indicator column.",
        "Kennung der Kennzahl für eine Datei ohne Spalte für die Kennzahl.",
    ),
    ("Only validate; write nothing.", "Nur prüfen; nichts schreiben."),
    ("Print the report as JSON.", "Den Bericht als JSON ausgeben."),
    (
        "Import the indicator catalogue (YAML or CSV).",
        "Den Kennzahlenkatalog importieren (YAML oder CSV).",
    ),
    (
        "Import areas and boundaries (GeoJSON, GeoPackage, Shapefile or CSV).",
        "Gebiete und Grenzen importieren (GeoJSON, GeoPackage, Shapefile oder CSV).",
    ),
    (
        "The file's field with the area code (e.g. AGS, PLR_ID); default: a field "
        "with the usual name.",
        "Das Feld der Datei mit dem Gebietsschlüssel (z. B. AGS, PLR_ID); "
        "Standard: ein Feld mit dem üblichen Namen.",
    ),
    (
        "The file's field with the name (e.g. GEN, PLR_NAME); default: a field with "
        "the usual name.",
        "Das Feld der Datei mit dem Namen (z. B. GEN, PLR_NAME); Standard: ein "
        "Feld mit dem üblichen Namen.",
    ),
    (
        "The file's field with the parent area's code (e.g. BEZ); default: a field "
        "with the usual name.",
        "Das Feld der Datei mit dem Schlüssel des übergeordneten Gebiets (z. B. "
        "BEZ); Standard: ein Feld mit dem üblichen Namen.",
    ),
    (
        "The file's field with the level code (e.g. EBENE); default: a field with "
        "the usual name.",
        "Das Feld der Datei mit dem Code der Raumebene (z. B. EBENE); Standard: "
        "ein Feld mit dem üblichen Namen.",
    ),
    (
        "The level of every area in the file (e.g. municipality), for a file with "
        "one level and no level field (BKG VG250/VG5000, LOR).",
        "Die Raumebene aller Gebiete der Datei (z. B. municipality), für eine "
        "Datei mit einer Ebene und ohne Ebenenfeld (BKG VG250/VG5000, LOR).",
    ),
    (
        "The parent's code is the first this many characters of the area's code: "
        "AGS 5 for a municipality's district, 2 for a district's state; LOR 6 for a "
        "planning area's Bezirksregion.",
        "Der Schlüssel des übergeordneten Gebiets sind so viele erste Zeichen des "
        "Gebietsschlüssels: AGS 5 für den Kreis einer Gemeinde, 2 für das Land "
        "eines Kreises; LOR 6 für die Bezirksregion eines Planungsraums.",
    ),
    (
        "Import only the features with FIELD=VALUE, e.g. GF=9 for the land parts "
        "of BKG's states (without their waters).",
        "Nur die Objekte mit FELD=WERT importieren, z. B. GF=9 für die Landflächen "
        "der Länder des BKG (ohne ihre Gewässer).",
    ),
    (
        "First day of validity (2021-01-01) of every area whose row gives none.",
        "Erster Gültigkeitstag (2021-01-01) jedes Gebiets, dessen Zeile keinen nennt.",
    ),
    (
        "Last day of validity (2020-12-31) of every area whose row gives none.",
        "Letzter Gültigkeitstag (2020-12-31) jedes Gebiets, dessen Zeile keinen nennt.",
    ),
    (
        "Import area lineage: a correspondence table of old and new areas (CSV or "
        "Excel: old_code, new_code, kind, valid_on, share, basis).",
        "Gebietsänderungen importieren: eine Zuordnungstabelle alter und neuer "
        "Gebiete (CSV oder Excel: old_code, new_code, kind, valid_on, share, "
        "basis).",
    ),
    (
        "Import an official statistics export (GENESIS, Regionalstatistik) as "
        "downloaded, through the mapping shipped for its table.",
        "Einen Export der amtlichen Statistik (GENESIS, Regionalstatistik) wie "
        "heruntergeladen importieren, über das für seine Tabelle mitgelieferte "
        "Mapping.",
    ),
    (
        "Leave out the values of areas the database does not have (counted in one "
        "warning), e.g. a nationwide download into a county's installation; without "
        "it each such area is an error.",
        "Werte von Gebieten auslassen, die die Datenbank nicht kennt (in einer "
        "Warnung gezählt), z. B. ein bundesweiter Download in die Installation "
        "eines Kreises; ohne die Option ist jedes solche Gebiet ein Fehler.",
    ),
    (
        "Import an official statistics export through a mapping of your own.",
        "Einen Export der amtlichen Statistik über ein eigenes Mapping importieren.",
    ),
    (
        "The mapping file (YAML, see docs/mapping-files.md).",
        "Die Mapping-Datei (YAML, siehe docs/mapping-files.md).",
    ),
    (
        "Fetch a table from the GENESIS web service (credentials from "
        "SOZIALMONITOR_GENESIS_USER and SOZIALMONITOR_GENESIS_PASSWORD) and import "
        "it through the mapping shipped for it, as `import official` does.",
        "Eine Tabelle vom GENESIS-Webservice abrufen (Zugangsdaten aus "
        "SOZIALMONITOR_GENESIS_USER und SOZIALMONITOR_GENESIS_PASSWORD) und über "
        "das für sie mitgelieferte Mapping importieren, wie `import official`.",
    ),
    (
        "The table's code, e.g. 12411-01-01-4 or 12411-0013.",
        "Der Code der Tabelle, z. B. 12411-01-01-4 oder 12411-0013.",
    ),
    (
        "The GENESIS web service `import genesis` fetches from: destatis "
        "(GENESIS-Online), regionalstatistik (Regionaldatenbank) or the address of "
        "a GENESIS REST interface. Environment: SOZIALMONITOR_GENESIS_INSTANCE; "
        "default: destatis.",
        "Der GENESIS-Webservice, von dem `import genesis` abruft: destatis "
        "(GENESIS-Online), regionalstatistik (Regionaldatenbank) oder die Adresse "
        "einer GENESIS-REST-Schnittstelle. Umgebungsvariable: "
        "SOZIALMONITOR_GENESIS_INSTANCE; Standard: destatis.",
    ),
    # release
    (
        "List, publish, withdraw and compare releases.",
        "Datenstände auflisten, veröffentlichen, zurückziehen und vergleichen.",
    ),
    (
        "All releases, oldest first, drafts too (internal on a server database).",
        "Alle Datenstände, älteste zuerst, auch Entwürfe (auf einer "
        "Server-Datenbank intern).",
    ),
    (
        "Publish a draft after the checks of 'release validate': refused with their "
        "report when they find errors (warnings are printed and do not block).",
        "Einen Entwurf nach den Prüfungen von 'release validate' veröffentlichen: "
        "mit deren Bericht abgelehnt, wenn sie Fehler finden (Warnungen werden "
        "ausgegeben und halten nicht auf).",
    ),
    (
        "Check a draft and mark it as ready to publish: refused with the report "
        "when the checks find errors (an empty release, a share above its total, a "
        "negative count); warnings (large jumps, removed values) do not block.",
        "Einen Entwurf prüfen und als bereit zur Veröffentlichung markieren: mit "
        "dem Bericht abgelehnt, wenn die Prüfungen Fehler finden (ein leerer "
        "Datenstand, ein Anteil über seiner Gesamtzahl, eine negative Anzahl); "
        "Warnungen (große Sprünge, entfernte Werte) halten nicht auf.",
    ),
    (
        "Withdraw a published release; reads fall back to the earlier ones.",
        "Einen veröffentlichten Datenstand zurückziehen; gelesen werden dann die "
        "früheren.",
    ),
    ("Why it is withdrawn.", "Warum er zurückgezogen wird."),
    (
        'What a release brought ("Was hat sich verändert?"): significant changes, '
        "changes of counts, revisions, focus areas, trend reversals, new hot spots "
        "and unusual values, as the public sees them (with --internal: the "
        "administration). The public digest is the one stored when the release was "
        "published.",
        "Was ein Datenstand gebracht hat („Was hat sich verändert?“): signifikante "
        "Veränderungen, Veränderungen von Anzahlen, berichtigte Werte, Fokusgebiete, "
        "Trendwenden, neue Hot Spots und ungewöhnliche Werte, wie die Öffentlichkeit "
        "sie sieht (mit --internal: die Verwaltung). Der öffentliche Überblick ist "
        "der bei der Veröffentlichung gespeicherte.",
    ),
    (
        "The release (default: the newest published one).",
        "Der Datenstand (Standard: der neueste veröffentlichte).",
    ),
    (
        "Print the statements in English (default: German).",
        "Die Aussagen auf Englisch ausgeben (Standard: Deutsch).",
    ),
    (
        "Values new, changed and removed from release OLD to release NEW (drafts "
        "too: internal on a server database).",
        "Neue, geänderte und entfernte Werte von Datenstand OLD zu Datenstand NEW "
        "(auch Entwürfe: auf einer Server-Datenbank intern).",
    ),
    # level, lineage
    ("The area levels (Raumebenen).", "Die Raumebenen."),
    (
        "The levels, from the largest areas to the smallest.",
        "Die Raumebenen, von den größten Gebieten zu den kleinsten.",
    ),
    (
        "Add a level (e.g. a city's own kind of quarter).",
        "Eine Raumebene hinzufügen (z. B. die eigene Art Quartier einer Stadt).",
    ),
    ("The level it lies below.", "Die Raumebene, unter der sie liegt."),
    (
        "Make a level's values public or internal (e.g. blocks internal).",
        "Die Werte einer Raumebene öffentlich oder intern machen (z. B. Blöcke "
        "intern).",
    ),
    (
        "public, or internal: values at this level only for the signed-in "
        "administration.",
        "public oder internal: Werte dieser Ebene nur für die angemeldete Verwaltung.",
    ),
    (
        "Area lineage: predecessors and successors.",
        "Gebietsänderungen: Vorgänger und Nachfolger.",
    ),
    (
        "Compute a correspondence of old and new areas from their boundaries' "
        "overlap (share of surface, basis 'area'), as a table for 'import lineage': "
        "for boundary changes without an official table. Review it, then import it.",
        "Eine Zuordnung alter und neuer Gebiete aus der Überlappung ihrer Grenzen "
        "berechnen (Flächenanteil, basis 'area'), als Tabelle für 'import "
        "lineage': für Gebietsänderungen ohne amtliche Tabelle. Erst prüfen, dann "
        "importieren.",
    ),
    ("The level of both vintages.", "Die Raumebene beider Gebietsstände."),
    (
        "The day of the change (2021-01-01): the old areas of the level ended before "
        "it, the new ones began on it or later.",
        "Der Tag der Änderung (2021-01-01): die alten Gebiete der Ebene endeten "
        "davor, die neuen begannen an ihm oder später.",
    ),
    (
        "Write the table to this file (default: the screen).",
        "Die Tabelle in diese Datei schreiben (Standard: der Bildschirm).",
    ),
    # index
    (
        "Composite indices (Sozialindex): definitions, results, storing them.",
        "Zusammengesetzte Indizes (Sozialindex): Definitionen, Ergebnisse, Speichern.",
    ),
    (
        "The index definitions shipped with Sozialmonitor.",
        "Die mit Sozialmonitor mitgelieferten Indexdefinitionen.",
    ),
    (
        "Compute an index and print every area's z-scores, indices and classes.",
        "Einen Index berechnen und für jedes Gebiet z-Werte, Indizes und Klassen "
        "ausgeben.",
    ),
    (
        "A YAML index definition, or the id of a shipped one (index list).",
        "Eine Indexdefinition (YAML) oder die Kennung einer mitgelieferten "
        "(index list).",
    ),
    (
        "Reference period (default: the definition's).",
        "Bezugszeitraum (Standard: der der Definition).",
    ),
    (
        "Read as the administration (drafts, internal); on a server database with "
        "--user or --token allowed to read-internal.",
        "Als Verwaltung lesen (Entwürfe, intern); auf einer Server-Datenbank mit "
        "--user oder --token, die read-internal dürfen.",
    ),
    (
        "Compute an index and store it as derived indicators in a draft release (on "
        "a server database with --user or --token allowed to import).",
        "Einen Index berechnen und als abgeleitete Kennzahlen in einem Entwurf "
        "speichern (auf einer Server-Datenbank mit --user oder --token, die "
        "import dürfen).",
    ),
    (
        "Draft release to store the results in (created if new; default: the "
        "newest draft, else a new one).",
        "Entwurf, in dem die Ergebnisse gespeichert werden (neu angelegt, wenn es "
        "ihn nicht gibt; Standard: der neueste Entwurf, sonst ein neuer).",
    ),
    # stats
    (
        "Statistics on published values: comparisons with a benchmark, trends, map "
        "classes, spatial clusters, area types.",
        "Statistik auf veröffentlichten Werten: Vergleiche mit einem Bezugsgebiet, "
        "Trends, Kartenklassen, räumliche Cluster, Gebietstypen.",
    ),
    (
        "Areas against a benchmark, with confidence intervals (Wilson, Byar).",
        "Gebiete im Vergleich mit einem Bezugsgebiet, mit Konfidenzintervallen "
        "(Wilson, Byar).",
    ),
    ("Indicator id.", "Kennung der Kennzahl."),
    ("One area's code.", "Der Schlüssel eines Gebiets."),
    (
        "Compare all children of this area.",
        "Alle Gebiete direkt unter diesem Gebiet vergleichen.",
    ),
    (
        "Compare all areas of this level.",
        "Alle Gebiete dieser Raumebene vergleichen.",
    ),
    (
        "Benchmark area's code (default: each area's parent).",
        "Schlüssel des Bezugsgebiets (Standard: das übergeordnete Gebiet jedes "
        "Gebiets).",
    ),
    (
        "Period (default: the latest with values).",
        "Zeitraum (Standard: der neueste mit Werten).",
    ),
    (
        "Confidence level, between 0 and 1.",
        "Konfidenzniveau, zwischen 0 und 1.",
    ),
    (
        "Trend of an area's series (Mann-Kendall, Sen's slope) and its changes.",
        "Trend der Zeitreihe eines Gebiets (Mann-Kendall, Sen-Steigung) und ihre "
        "Veränderungen.",
    ),
    ("The area's code.", "Der Schlüssel des Gebiets."),
    (
        "mann_kendall, or logit for shares with their counts.",
        "mann_kendall, oder logit für Anteile mit ihren Fallzahlen.",
    ),
    (
        "Period whose changes are shown (default: the latest).",
        "Zeitraum, dessen Veränderungen gezeigt werden (Standard: der neueste).",
    ),
    (
        "Map classes of an indicator on a level, with German legend labels.",
        "Kartenklassen einer Kennzahl auf einer Raumebene, mit deutschen "
        "Legendenbeschriftungen.",
    ),
    ("Area level, e.g. municipality.", "Raumebene, z. B. municipality."),
    (
        "natural_breaks, quantiles, equal_interval or std_mean.",
        "natural_breaks, quantiles, equal_interval oder std_mean.",
    ),
    (
        "Number of classes or types, 2-10.",
        "Anzahl der Klassen oder Typen, 2–10.",
    ),
    (
        "Moran's I and each area's LISA cluster, from the stored boundaries.",
        "Morans I und der LISA-Cluster jedes Gebiets, aus den gespeicherten Grenzen.",
    ),
    ("queen or rook contiguity.", "Nachbarschaft queen oder rook."),
    (
        "Group the areas of a level into types by several indicators.",
        "Die Gebiete einer Raumebene nach mehreren Kennzahlen zu Typen gruppieren.",
    ),
    (
        "Indicator id (repeat: two or more).",
        "Kennung der Kennzahl (wiederholen: zwei oder mehr).",
    ),
    # gaps
    ("Data gaps across installations.", "Datenlücken über Installationen hinweg."),
    (
        "Which indicators the catalogues share, which each lacks, and which of "
        "those the shipped mappings of official tables could fill, at which levels.",
        "Welche Kennzahlen die Kataloge gemeinsam haben, welche jedem fehlen und "
        "welche davon die mitgelieferten Mappings amtlicher Tabellen füllen "
        "könnten, auf welchen Raumebenen.",
    ),
    (
        "Two or more catalogue files: YAML, CSV or Excel as imported, or "
        "/api/v1/indicators saved as .json. Each is named by its file name.",
        "Zwei oder mehr Katalogdateien: YAML, CSV oder Excel wie beim Import, "
        "oder /api/v1/indicators als .json gespeichert. Jede wird mit ihrem "
        "Dateinamen bezeichnet.",
    ),
    # user, audit
    ("Accounts, roles and API tokens.", "Konten, Rollen und API-Tokens."),
    (
        "Create an account; prints its TOTP key and recovery codes once. The first "
        "administrator of a database without accounts needs no --user or --token "
        "(there is nobody to sign in yet); every other account needs an "
        "administrator's.",
        "Ein Konto anlegen; gibt seinen TOTP-Schlüssel und die "
        "Wiederherstellungscodes einmal aus. Die erste Administration einer "
        "Datenbank ohne Konten braucht kein --user oder --token (noch kann sich "
        "niemand anmelden); jedes weitere Konto braucht das einer Administration.",
    ),
    (
        "One of: reader, editor, publisher, administrator.",
        "Eine von: reader, editor, publisher, administrator.",
    ),
    (
        "The password (asked for when not given; at least 12 characters).",
        "Das Passwort (wird erfragt, wenn nicht angegeben; mindestens 12 Zeichen).",
    ),
    (
        "Limit internal values to this area and below.",
        "Interne Werte auf dieses Gebiet und die darunter beschränken.",
    ),
    (
        "All accounts with role, area scope and state.",
        "Alle Konten mit Rolle, Gebietsbereich und Zustand.",
    ),
    ("Give an account another role.", "Einem Konto eine andere Rolle geben."),
    (
        "Limit an account's internal values to an area and below (none: all areas).",
        "Die internen Werte eines Kontos auf ein Gebiet und die darunter "
        "beschränken (keins: alle Gebiete).",
    ),
    ("None: every area.", "Keins: alle Gebiete."),
    (
        "Disable an account: no sign-in; its sessions and tokens end.",
        "Ein Konto sperren: keine Anmeldung; seine Sitzungen und Tokens enden.",
    ),
    (
        "Set a new password; the account's sessions end.",
        "Ein neues Passwort setzen; die Sitzungen des Kontos enden.",
    ),
    (
        "New recovery codes for an account (the old ones stop working).",
        "Neue Wiederherstellungscodes für ein Konto (die alten gelten nicht mehr).",
    ),
    (
        "API tokens for scripts: scoped, revocable, shown once.",
        "API-Tokens für Skripte: mit Umfang, widerrufbar, einmal gezeigt.",
    ),
    (
        "A new API token for an account's scripts; printed once.",
        "Ein neues API-Token für die Skripte eines Kontos; einmal ausgegeben.",
    ),
    (
        "An action the token may do (repeatable): read-public, read-internal, "
        "import, edit-metadata, prepare-release, publish, withdraw, manage-users, "
        "manage-settings, read-audit.",
        "Eine Aktion, die das Token darf (wiederholbar): read-public, "
        "read-internal, import, edit-metadata, prepare-release, publish, withdraw, "
        "manage-users, manage-settings, read-audit.",
    ),
    ("What the token is for.", "Wofür das Token ist."),
    (
        "All API tokens (never the tokens themselves).",
        "Alle API-Tokens (nie die Tokens selbst).",
    ),
    (
        "Revoke a token: it stops working at once.",
        "Ein Token widerrufen: es gilt sofort nicht mehr.",
    ),
    (
        "The audit log: sign-ins, account changes, token use.",
        "Das Protokoll: Anmeldungen, Kontoänderungen, Token-Nutzung.",
    ),
    (
        "The newest events of the audit log, oldest first.",
        "Die neuesten Ereignisse des Protokolls, älteste zuerst.",
    ),
    ("The newest N events.", "Die neuesten N Ereignisse."),
    (
        "Write the whole audit log to FILE as JSON Lines.",
        "Das ganze Protokoll als JSON Lines in FILE schreiben.",
    ),
    # sozialmonitor qualitative
    (
        "Findings and recommendations: import and export them as CSV or Excel.",
        "Erkenntnisse und Empfehlungen: als CSV oder Excel importieren und "
        "exportieren.",
    ),
    (
        "Import findings and recommendations (CSV or Excel): new ones are added, "
        "stored ones (by code) updated, a new status appended to the history. A file "
        "with any error writes nothing.",
        "Erkenntnisse und Empfehlungen importieren (CSV oder Excel): neue werden "
        "hinzugefügt, gespeicherte (nach Kennung) aktualisiert, ein neuer Status wird "
        "an den Verlauf angehängt. Eine Datei mit einem Fehler schreibt nichts.",
    ),
    (
        "The file of findings and recommendations.",
        "Die Datei mit Erkenntnissen und Empfehlungen.",
    ),
    (
        "Write the findings and recommendations in the import's format (public ones "
        "only, unless --internal).",
        "Die Erkenntnisse und Empfehlungen im Format des Imports schreiben (nur "
        "öffentliche, außer mit --internal).",
    ),
    (
        "The file to write: .csv (UTF-8) or .xlsx.",
        "Die zu schreibende Datei: .csv (UTF-8) oder .xlsx.",
    ),
    (
        "Include internal records; on a server database with --user or --token "
        "allowed to read-internal.",
        "Auch interne Einträge; auf einer Server-Datenbank mit --user oder --token, "
        "die read-internal dürfen.",
    ),
    # sozialmonitor report
    (
        "Reports: the social report, focus reports and area profiles as HTML or PDF.",
        "Berichte: der Sozialbericht, Fokusberichte und Gebietsprofile als HTML "
        "oder PDF.",
    ),
    (
        "The shipped report templates: name, kind, what they need and what they show.",
        "Die mitgelieferten Berichtsvorlagen: Name, Art, was sie brauchen und was "
        "sie zeigen.",
    ),
    (
        "Make a report from one release as an HTML file or a PDF: for one area "
        "(--area), for each area below another (--parent), or for the whole "
        "database.",
        "Einen Bericht aus einem Datenstand als HTML-Datei oder PDF erstellen: für "
        "ein Gebiet (--area), für jedes Gebiet unter einem anderen (--parent) oder "
        "für die ganze Datenbank.",
    ),
    (
        "The template's name (see 'sozialmonitor report list').",
        "Der Name der Vorlage (siehe 'sozialmonitor report list').",
    ),
    (
        "The file to write; with --parent the folder to write one file per area "
        "into (made if missing).",
        "Die zu schreibende Datei; mit --parent der Ordner, in den je Gebiet eine "
        "Datei geschrieben wird (wird angelegt, wenn er fehlt).",
    ),
    ("The area's code (AGS, LOR, …).", "Der Schlüssel des Gebiets (AGS, LOR, …)."),
    (
        "Make one report for each area directly below this one (e.g. 03241: the 21 "
        "municipalities of Region Hannover).",
        "Einen Bericht für jedes Gebiet direkt unter diesem erstellen (z. B. 03241: "
        "die 21 Kommunen der Region Hannover).",
    ),
    (
        "The topic of a focus report (name or slug).",
        "Das Themenfeld eines Fokusberichts (Name oder Kurzname).",
    ),
    (
        "Make it from this release; default: the newest published one. A draft "
        "needs --internal.",
        "Aus diesem Datenstand erstellen; Standard: der neueste veröffentlichte. "
        "Ein Entwurf braucht --internal.",
    ),
    ("html (one file) or pdf.", "html (eine Datei) oder pdf."),
    (
        "The second area of a comparison (its code).",
        "Das zweite Gebiet eines Gebietsvergleichs (sein Schlüssel).",
    ),
    ("The report's language: de or en.", "Die Sprache des Berichts: de oder en."),
    (
        "Make it for the administration: internal indicators and records, and "
        "drafts; on a server database with --user or --token allowed to "
        "read-internal. Never for publication.",
        "Für die Verwaltung erstellen: mit internen Kennzahlen und Einträgen und "
        "Entwürfen; auf einer Server-Datenbank mit --user oder --token, die "
        "read-internal dürfen. Nie zur Veröffentlichung.",
    ),
)


def key(text: str) -> str:
    """A help text as the catalogue knows it: its whitespace collapsed."""
    return " ".join(text.split())


GERMAN: dict[str, str] = {key(english): german for english, german in _PAIRS}
"""English help text (whitespace collapsed) → German."""
