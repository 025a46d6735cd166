"""Personal data in a partner's return: recognised, so that it is refused, never stored.

The contract is evaluated on counts; a return never needs a name, an address, an e-mail
or a telephone number. A column named for one (nom, prénom, adresse...) or a cell
holding one (an e-mail address, a French telephone number, a street address, « Mme
Dupont ») makes its row refused, with a message that says which kind of data was seen
but never repeats it.
"""

from __future__ import annotations

import re
import unicodedata

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\d,.])(?:(?:\+|00)\s?33\s?\(?0?\)?\s?[1-9]|0[1-9])"
                    r"(?:[\s.-]?\d{2}){4}(?![\d,.])")
_STREET = re.compile(r"\b\d{1,4}\s?(?:bis|ter)?,?\s+(?:rue|avenue|av\.|boulevard|bd|allée|"
                     r"allee|place|impasse|chemin|square|cours|quai|route|résidence|"
                     r"residence|villa|passage|sentier|voie|cité|cite)\s", re.IGNORECASE)
_CIVILITY = re.compile(r"(?:\bM\.|\bMme\b|\bMlle\b|\bMonsieur\b|\bMadame\b|\bMademoiselle\b)"
                       r"\s+[A-ZÀ-Ý][\w'-]+")

# Column names (without accents, in lower case, words joined by _) that hold personal data.
_COLUMNS = {
    "nom": "nom", "prenom": "prénom", "prenoms": "prénom", "adresse": "adresse",
    "email": "adresse électronique", "mail": "adresse électronique",
    "courriel": "adresse électronique", "telephone": "numéro de téléphone",
    "tel": "numéro de téléphone", "portable": "numéro de téléphone",
    "naissance": "date de naissance", "nir": "numéro de sécurité sociale",
    "secu": "numéro de sécurité sociale", "identite": "identité",
}


def _words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return [w for w in re.split(r"[^a-z0-9]+", text) if w]


# A column about an organisation or a place, not a person (« nom_structure »).
_NOT_A_PERSON = {"structure", "organisme", "etablissement", "association", "commune",
                 "quartier", "territoire", "indicateur", "partenaire", "action", "dispositif",
                 "site", "lieu", "equipement"}


def personal_column(name: str) -> str | None:
    """The kind of personal data a column is named for (« nom », « e_mail »), or None."""
    words = _words(name)
    if _NOT_A_PERSON & set(words):
        return None
    if words[:2] == ["e", "mail"]:
        return _COLUMNS["email"]
    if words[:2] == ["date", "naissance"] or words[:3] == ["date", "de", "naissance"]:
        return _COLUMNS["naissance"]
    for word in words[:1]:
        if word in _COLUMNS:
            return _COLUMNS[word]
    return None


def personal_data(text: str) -> str | None:
    """The kind of personal data a cell holds, or None."""
    if _EMAIL.search(text):
        return "adresse électronique"
    if _PHONE.search(text):
        return "numéro de téléphone"
    if _STREET.search(text):
        return "adresse postale"
    if _CIVILITY.search(text):
        return "nom de personne"
    return None
