"""Recognise Dutch public-sector organisations in a line of text, and tell them from people and software.

Part of ingest (PDF → *metadata* → store): a publisher is only shown when the document names an
organisation — on its cover, letterhead, colophon, running header or signature, or in the PDF's
Author field. The patterns are the general shapes of Dutch organisation names (Gemeente X, Provincie X,
Ministerie van X, "… Planbureau", "Kenniscentrum …", acronyms such as VNG or G40), not a list of
particular publishers; a string that does not have such a shape (a person's name, an application or
dashboard, OCR debris) is never returned. The twelve provinces are known by name, so that a logo that
OCR reads half ("Gelderiand") still names its province.
"""

from __future__ import annotations

import difflib
import re

# Lower-case words that may stand inside an organisation or place name.
_CONNECTORS = {
    "aan", "bij", "de", "den", "der", "en", "het", "in", "op", "over", "ter", "te", "van", "voor", "&", "a/d", "'t",
}  # fmt: skip
# Capitalised words that end a place name: "Gemeente Wassenaar Begroting 2026" is Gemeente Wassenaar.
_NOT_PLACE = re.compile(
    r"^(begroting|programma\w*|jaar\w*|raad\w*|college|vergadering|beleid\w*|nota|notitie|brief|rapport\w*|"
    r"verslag|besluit\w*|motie|voorstel|bijlage|postbus|datum|kenmerk|onderwerp|betreft|afdeling|team|"
    r"directie|dienst|sector|cluster|domein|bestuurs\w*|wethouder\w*|burgemeester\w*|gedeputeerde\w*|"
    r"provinciale|gemeentelijke?|concept|versie|pagina|inhoud\w*|samenvatting|\d.*)$",
    re.I,
)
# Nouns that make a name an organisation, alone or as the head of a compound ("Woonplatform",
# "Kennisinstituut", "Monitorwerkplaats", "Stedennetwerk").
_ORG_NOUN = re.compile(
    r"(academie|agentschap|alliantie|autoriteit|bank|bond|bureau|centrum|coalitie|college|collectief|"
    r"commissie|coöperatie|corporatie|dienst|federatie|fonds|genootschap|(?<!doel)groep|hogeschool|"
    r"inspectie|instituut|kamer|kenniscentrum|lab|netwerk|ombudsman|overleg|partners|planbureau|platform|"
    r"(?<!voor)raad|rekenkamer|stichting|(?<!s)team|unie|universiteit|vereniging|werkplaats|woonbond|waterschap|"
    # English names (international bodies, English editions)
    r"agency|assembly|association|authority|commission|committee|council|court|department|foundation|"
    r"institute|ministry|nations|office|organi[sz]ation|parliament|union|university)$",
    re.I,
)
# Acronyms and one-word names of the Dutch public sector that have no organisation noun in them.
_KNOWN = {
    "aedes", "bzk", "cbs", "cpb", "divosa", "ez", "ezk", "ggd", "ipo", "jenv", "kadaster", "kgg", "lnv",
    "movisie", "ocw", "pbl", "pharos", "rivm", "rli", "rob", "rvo", "rijksoverheid", "rijkswaterstaat",
    "scp", "ser", "szw", "uvw", "vng", "vro", "vws", "woonbond", "wrr", "g4", "g32", "g40",
    # political parties (the publishers of election programmes)
    "cda", "vvd", "pvda", "d66", "sp", "groenlinks", "groenlinks-pvda", "christenunie", "sgp", "pvv", "ja21",
    "bbb", "nsc", "volt", "denk", "pvdd", "50plus", "fvd",
}  # fmt: skip
# The twelve provinces (and the Frisian name of one).
PROVINCES = (
    "Groningen", "Fryslân", "Friesland", "Drenthe", "Overijssel", "Flevoland", "Gelderland", "Utrecht",
    "Noord-Holland", "Zuid-Holland", "Zeeland", "Noord-Brabant", "Limburg",
)  # fmt: skip
# Words that make a name a product — a dashboard, monitor, portal or application — not its maker.
_PRODUCT = re.compile(
    r"(dashboard|monitor|barometer|meter|loket|portaal|portal|viewer|atlas|databank|database|app|tool|"
    r"kaart|index|peiling|\.nl|\.com|\.org|\.eu)$",
    re.I,
)
_SOFTWARE = re.compile(
    r"(microsoft|word|excel|powerpoint|acrobat|adobe|indesign|ibabs|notubiz|libreoffice|openoffice|"
    r"writer|pdf|latex|tex\b|scanner|canon|xerox|ricoh|konica|sharp|kyocera|hp\b|office|windows|mac\b|"
    r"quark|corel|google|docs|sjabloon|template|user|gebruiker|admin|beheerder|auteur|author|unknown|"
    r"onbekend|anonymous|owner|eigenaar)",
    re.I,
)
# Lower-case words inside a place name ("Alphen aan den Rijn", "Bergen op Zoom", "Land van Cuijk").
_PLACE_CONNECTORS = ("aan", "bij", "de", "den", "der", "in", "op", "ter", "van", "a/d")
_WORD = r"[A-ZÀ-Ý'’][\w'’\-]*"
_PLACE_RE = re.compile(rf"(?:'s-|'t\s+)?{_WORD}(?:(?:\s+|-)(?:(?:{'|'.join(_PLACE_CONNECTORS)})\s+)*{_WORD})*")

_MINISTRY = re.compile(
    r"\b(?i:ministerie\s+(?:van|voor))\s+((?:[A-ZÀ-Ý][\w\-]*)(?:\s*(?:[A-ZÀ-Ý][\w\-]*|en|voor|van|,))*)"
)
_MINISTER = re.compile(
    r"^(?i:(?:de\s+)?(?:minister|staatssecretaris|minister-president)\s+(?:van|voor))\s+"
    r"((?:[A-ZÀ-Ý][\w\-]*)(?:\s*(?:,|en|[A-ZÀ-Ý][\w\-]*))*)",
)
_CHAMBER = re.compile(r"\b(?i:(tweede|eerste)\s+kamer\s+der\s+staten[\s-]generaal)\b")
_MUNICIPALITY = re.compile(
    r"\b(?i:gemeente|(?:college\s+van\s+)?burgemeester\s+en\s+wethouders(?:\s+van|\s+der\s+gemeente)?|"
    r"(?:college\s+van\s+)?b\s?&\s?w(?:-vergadering)?(?:\s+van)?|"
    r"(?:de\s+)?raad\s+van\s+de\s+gemeente|gemeenteraad\s+van)\s+((?:'s-|'t\s+)?[A-ZÀ-Ý].*)"
)
_PROVINCE = re.compile(r"\b(?i:provincie|(?:gedeputeerde|provinciale)\s+staten\s+van)\s+([A-ZÀ-Ý].*)")
_WATER = re.compile(
    r"\b(?i:(waterschap|hoogheemraadschap(?:\s+van)?|veiligheidsregio|omgevingsdienst|ggd|rekenkamer))\s+"
    r"((?:'s-)?[A-ZÀ-Ý].*)"
)
_LONG_NAMES = {
    "vereniging van nederlandse gemeenten": "Vereniging van Nederlandse Gemeenten",
    "interprovinciaal overleg": "Interprovinciaal Overleg",
    "unie van waterschappen": "Unie van Waterschappen",
    "raad van state": "Raad van State",
    "algemene rekenkamer": "Algemene Rekenkamer",
    "nationale ombudsman": "Nationale ombudsman",
    "centraal bureau voor de statistiek": "Centraal Bureau voor de Statistiek",
}


def _place(text: str) -> str:
    """The place or region name at the start of ``text`` ("Den Haag", "Alphen aan den Rijn")."""
    match = _PLACE_RE.match(text.strip())
    if not match:
        return ""
    words = match.group(0).split()
    kept: list[str] = []
    for word in words:
        if _NOT_PLACE.match(word.strip(".,")):
            break
        kept.append(word)
    while kept and kept[-1].lower() in _PLACE_CONNECTORS:
        kept.pop()
    return _from_capitals(" ".join(kept).rstrip(".,"))


def _from_capitals(name: str) -> str:
    """ "NOORD-HOLLAND" → "Noord-Holland", "PLATFORM31" → "Platform31"; acronyms (VNG, RIVM) and names
    not set in capitals stay as they are."""
    if not name.isupper() or len(re.sub(r"[^A-ZÀ-Ý]", "", name)) <= 5:
        return name
    words = [w.lower() if i and w.lower() in _CONNECTORS else w.title() for i, w in enumerate(name.split())]
    return " ".join(words)


def _title_words(name: str) -> str:
    """Capitalise the first letter only ("gemeente Utrecht" → "Gemeente Utrecht")."""
    return name[:1].upper() + name[1:]


def _ministry_name(words: str) -> str:
    parts: list[str] = []
    for token in re.findall(r"[\wÀ-ÿ\-]+|,", words):
        if _NOT_PLACE.match(token):
            break
        if token == "," or token.lower() in ("en",) or token[:1].isupper():
            parts.append(token)
        else:
            break
    while parts and (parts[-1] == "," or parts[-1].lower() == "en"):
        parts.pop()
    return " ".join(parts).replace(" ,", ",")


_KEYWORDS = re.compile(
    r"gemeente|provincie|ministerie|kamer|staten|burgemeester|raad|waterschap|hoogheemraadschap|"
    r"veiligheidsregio|omgevingsdienst|ggd|rekenkamer|vereniging|overleg|unie\b|centraal|ombudsman|b\s?&\s?w",
    re.I,
)


def named_organisations(line: str) -> list[str]:
    """Organisations a line names with an explicit pattern (Gemeente X, Ministerie van X, …)."""
    found: list[str] = []
    if not _KEYWORDS.search(line):
        return found
    for match in _CHAMBER.finditer(line):
        found.append(f"{match.group(1).capitalize()} Kamer der Staten-Generaal")
    for match in _MINISTRY.finditer(line):
        name = _ministry_name(match.group(1))
        if name:
            found.append(f"Ministerie van {name}")
    for pattern, prefix in ((_MUNICIPALITY, "Gemeente"), (_PROVINCE, "Provincie")):
        for match in pattern.finditer(line):
            place = _place(match.group(1))
            if place:
                found.append(f"{prefix} {_province(place) if prefix == 'Provincie' else place}")
    for match in _WATER.finditer(line):
        place = _place(match.group(2))
        if place:
            kind = " ".join(match.group(1).lower().split())
            found.append(f"{'GGD' if kind == 'ggd' else _title_words(kind)} {place}")
    lowered = line.lower()
    for long_name, canonical in _LONG_NAMES.items():
        if long_name in lowered:
            found.append(canonical)
    return found


def minister_organisation(line: str) -> str:
    """The ministry of a signature line ("De minister van Binnenlandse Zaken en Koninkrijksrelaties,")."""
    match = _MINISTER.match(line.strip())
    if not match:
        return ""
    name = _ministry_name(match.group(1))
    return f"Ministerie van {name}" if name else ""


def _is_capitalised_name(words: list[str]) -> bool:
    """Every word capitalised (or a connector, or a name with digits such as G40 / Platform31)."""
    for word in words:
        bare = word.strip(".,()")
        if not bare:
            return False
        if bare.lower() in _CONNECTORS:
            continue
        if not (bare[0].isupper() or bare[0].isdigit()):
            return False
    return True


def organisation_name(text: str) -> str:
    """``text`` as an organisation name when it has the shape of one, else "".

    Accepts names found by :func:`named_organisations`, known public-sector acronyms and names headed
    by an organisation noun ("Kenniscentrum Stad & Wijk", "Sociaal en Cultureel Planbureau",
    "Netwerk Gezonde Wijk"); refuses people ("J. de Vries", "Jan Jansen", also with their employer in
    brackets), software ("iBabs", "Microsoft Word"), products ("Dashboard Wonen", "Leefbaarometer")
    and debris (digits, stray symbols).
    """
    text = " ".join(text.replace("\u00a0", " ").split()).strip(" ,.;:|-–")
    if not 2 <= len(text) <= 90 or "@" in text or "/" in text.replace("a/d", ""):
        return ""
    if "(" in text:  # "Sociaal en Cultureel Planbureau (SCP)" is the planbureau; "Jan Jansen (VNG)" no organisation
        outer = text.split("(", 1)[0].strip()
        return organisation_name(outer) if outer else ""
    named = named_organisations(text)
    if named:
        return named[0]
    if _SOFTWARE.search(text):
        return ""
    words = text.split()
    if len(words) > 9:
        return ""
    # debris: symbols or numbers in the name (G40 and Platform31 have their digits inside a word)
    if re.search(r"[^\w\s&'’.,\-]", text) or any(re.fullmatch(r"[\d.,\-–]+", w) for w in words):
        return ""
    if len(words) == 1 and text.lower() in _KNOWN:
        return _from_capitals(text)
    if not _is_capitalised_name(words):
        return ""
    heads = [w.strip(".,").rstrip("0123456789") for w in (words[0], words[-1])]
    if any(_PRODUCT.search(h) for h in heads) and not any(_ORG_NOUN.search(h) for h in heads):
        return ""  # a dashboard, monitor or portal is what an organisation makes
    if any(_ORG_NOUN.search(h) for h in heads) or any(w.lower().strip(",") in _KNOWN for w in words):
        return _from_capitals(text)
    return ""


# "Jan Jansen (onderzoeker bij de VNG)", "Els Bakker (provincie Zeeland)": a person's employer.
_AFFILIATION = re.compile(
    r"[A-Za-zÀ-ÿ.]\s*\((?:[^()]*?\s(?:bij|van)\s+(?:de\s+|het\s+)?)?([^()]{2,80})\)",
)


def affiliations(line: str) -> list[str]:
    """Organisations a line gives in brackets as someone's employer ("Jan Jansen (onderzoeker bij de VNG)")."""
    found = []
    for match in _AFFILIATION.finditer(line):
        before = line[: match.start() + 1].split("(")[0]
        if organisation_name(before.split(",")[-1]):
            continue  # "Vereniging van Nederlandse Gemeenten (VNG)": an abbreviation, not an employer
        name = organisation_name(match.group(1))
        if name:
            found.append(name)
    return found


_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,6}(?:-[a-zA-Z]+)?$")
_NAME_CONNECTORS = {"van", "voor", "de", "der", "den", "het", "&", "en"}


def maker_name(text: str) -> str:
    """The organisation a colophon line names after "ontwikkeld door", "opgesteld door", "in opdracht van"
    …: the capitalised words that start ``text`` ("DGO ICT-team met hulp van …" → "DGO ICT-team",
    "het Projectteam Wonen Noord, besproken …" → "Projectteam Wonen Noord"), when they have the
    shape of an organisation or hold an acronym; never a person ("Marieke de Boer")."""
    words = re.sub(r"^(?:het|de|een)\s+", "", text.strip(), flags=re.I).split()
    kept: list[str] = []
    for word in words:
        bare = word.rstrip(".,;:)")
        if not bare or not (bare[0].isupper() or bare[0].isdigit() or bare.lower() in _NAME_CONNECTORS):
            break
        kept.append(bare)
        if bare != word:  # punctuation ends the name
            break
    while kept and kept[-1].lower() in _NAME_CONNECTORS:
        kept.pop()
    name = " ".join(kept)
    if not name or len(kept) > 8:
        return ""
    known = organisation_name(name)
    if known:
        return known
    if any(_ACRONYM.match(w) for w in kept) and not _PRODUCT.search(kept[-1]) and not _SOFTWARE.search(name):
        return name
    return ""


# Words before a province's name that make it a region of it ("Regio West Drenthe", "Zuid-Oost Utrecht").
_REGION = re.compile(r"\b(?:regio|noord|zuid|oost|west|midden)[\w\-]*\s*$", re.I)


def _province(name: str) -> str:
    """The province ``name`` is, spelled right ("Gelderiand" read by OCR → "Gelderland"); else ``name``."""
    match = difflib.get_close_matches(name.lower(), [p.lower() for p in PROVINCES], n=1, cutoff=0.85)
    return next((p for p in PROVINCES if match and p.lower() == match[0]), name)


def logo_organisations(text: str) -> list[str]:
    """Organisations in the text OCR read from a logo: the usual shapes, or a province whose name OCR read
    almost right ("provincie Gelderiand")."""
    found = named_organisations(text) or [n for n in (organisation_name(text),) if n]
    if found or re.search(r"gemeente|ministerie|waterschap", text, re.I):
        return found
    for match in re.finditer(r"[\wÀ-ÿ\-]{5,}", text):
        province = _province(match.group(0))
        if province in PROVINCES and not _REGION.search(text[: match.start()]):
            return [f"Provincie {province}"]
    return []
