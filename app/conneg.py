"""Content negotiation for /id, /notice and /data: formats by Accept, profiles, signposting links.

One table of representations for every page (HTML and the four RDF syntaxes), one table of
profiles (W3C Content Negotiation by Profile): the native POP/CIDOC-CRM graph, Linked Art and
schema.org. The three blueprints ask the same questions here, so a client gets the same answer
whichever URL it starts from.

Order of precedence: a file extension or ``?_profile=`` in the URL, then the ``Accept`` and
``Accept-Profile`` headers, then the ``profile`` parameter of an ``application/ld+json`` media
range; with nothing said, HTML (browsers, ``*/*``) and the native profile.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from urllib.parse import quote

from flask import Response, current_app, render_template, request

from pop_ld import ROOT, schemaorg, uris
from pop_ld.formats import FORMATS, Format, negotiate

HTML = "html"
#: Representations of a document, in the server's order of preference (first: no Accept, */*).
OFFERS: list[tuple[str, tuple[str, ...]]] = [
    (HTML, ("text/html",)),
    *((name, FORMATS[name].accepts) for name in ("ttl", "jsonld", "rdf", "nt")),
]
RDF_FORMATS = ("ttl", "jsonld", "rdf", "nt")
EXTENSIONS = {name: name for name in RDF_FORMATS} | {HTML: HTML}
MEDIA_TYPES = {HTML: "text/html; charset=utf-8"} | {n: FORMATS[n].media_type for n in RDF_FORMATS}

LICENCE = schemaorg.LICENCE
VARY = "Accept, Accept-Profile"
EXPOSE = "Content-Type, Content-Profile, Content-Location, Link, Location, Vary"


@dataclass(frozen=True, slots=True)
class Profile:
    """One way to read a thing (W3C Content Negotiation by Profile)."""

    token: str
    uri: str
    label: str
    formats: tuple[str, ...]


PROFILES: dict[str, Profile] = {
    p.token: p
    for p in (
        Profile("pop", "https://w3id.org/pop-ld/profile/pop",
                "POP en CIDOC-CRM (graphe natif, modèle Linked Art)", RDF_FORMATS),
        Profile("linked-art", "https://linked.art/ns/v1/linked-art.json",
                "Linked Art (JSON-LD)", ("jsonld",)),
        Profile("schema", "https://schema.org/", "schema.org (JSON-LD)", ("jsonld",)),
    )
}  # fmt: skip
DEFAULT_PROFILE = PROFILES["pop"]
#: Other names clients use for the profiles: their URIs, common spellings.
PROFILE_NAMES = {p.uri: p.token for p in PROFILES.values()} | {
    "la": "linked-art",
    "linkedart": "linked-art",
    "https://linked.art/ns/v1/linked-art.json#": "linked-art",
    "schema.org": "schema",
    "http://schema.org/": "schema",
    "https://schema.org": "schema",
    "native": "pop",
    "crm": "pop",
}
#: ``?_profile=`` values that ask for the list of profiles instead of a document.
LIST_PROFILES = ("list", "alt", "all")


class NotAcceptable(Exception):
    """Nothing the client accepts is offered: 406 with the list of what is."""


def profile_named(name: str) -> Profile | None:
    key = name.strip().strip("<>").strip()
    key = PROFILE_NAMES.get(key, PROFILE_NAMES.get(key.lower(), key.lower()))
    return PROFILES.get(key)


def negotiate_format(accept: str | None, html: bool = True) -> str:
    """The representation the Accept header prefers; NotAcceptable when there is none."""
    offers = OFFERS if html else OFFERS[1:]
    chosen = negotiate(accept, offers)
    if chosen is None:
        raise NotAcceptable(accept)
    return chosen


_ACCEPT_PROFILE = re.compile(r"^\s*<?(?P<uri>[^>;]+)>?\s*(?P<params>(;[^,]*)?)$")


def _q(params: str) -> float:
    match = re.search(r"q\s*=\s*([0-9.]+)", params)
    try:
        return float(match.group(1)) if match else 1.0
    except ValueError:
        return 0.0


def requested_profiles(fmt: str) -> list[Profile]:
    """The profiles the request asks for, best first: URL, then Accept-Profile, then Accept."""
    asked = request.args.get("_profile")
    if asked:
        return [p for p in (profile_named(n) for n in asked.split(",")) if p]
    header = request.headers.get("Accept-Profile")
    if header:
        ranked = []
        for position, part in enumerate(header.split(",")):
            match = _ACCEPT_PROFILE.match(part)
            profile = profile_named(match["uri"]) if match else None
            if profile and _q(match["params"]) > 0:  # type: ignore[index]
                ranked.append((-_q(match["params"]), position, profile))  # type: ignore[index]
        if ranked:
            return [p for _, _, p in sorted(ranked, key=lambda r: (r[0], r[1]))]
    return _accept_profiles(request.headers.get("Accept"), fmt)


def _accept_profiles(accept: str | None, fmt: str) -> list[Profile]:
    """``application/ld+json;profile="…"``: the profile parameter of the chosen format's range."""
    if fmt != "jsonld" or not accept:
        return []
    found = []
    for part in accept.split(","):
        media, _, params = part.partition(";")
        if media.strip().lower() not in FORMATS["jsonld"].accepts:
            continue
        match = re.search(r'profile\s*=\s*"([^"]*)"|profile\s*=\s*([^;\s]+)', params)
        if match:
            for name in (match.group(1) or match.group(2)).split():
                profile = profile_named(name)
                if profile:
                    found.append((-_q(params), profile))
    return [p for _, p in sorted(found, key=lambda f: f[0])]


def choose_profile(fmt: str) -> Profile:
    """The first requested profile this format can carry, else the native graph."""
    for profile in requested_profiles(fmt):
        if fmt in profile.formats:
            return profile
    return DEFAULT_PROFILE


def is_list_request() -> bool:
    return request.args.get("_profile", "").strip().lower() in LIST_PROFILES


def media_type(fmt: str, profile: Profile) -> str:
    """The Content-Type of a document: Linked Art's media type carries its profile."""
    if fmt == "jsonld" and profile.token == "linked-art":
        return f'application/ld+json;profile="{profile.uri}"'
    return MEDIA_TYPES[fmt]


def format_of(name: str) -> Format:
    return FORMATS[name]


# -- URLs ---------------------------------------------------------------------------------


def public_root() -> str:
    """The site's public base URI (POP_LD_BASE_URI): canonical URLs and the store's IRIs."""
    return str(current_app.config["BASE_URI"]).rstrip("/")


def ref_path(ref: str) -> str:
    """A REF as one path segment, as pop_ld/uris.py writes it (``MNR 191/2`` → ``MNR%20191%2F2``)."""
    return uris.thing("b", ref).rsplit("/", 1)[-1]


def thing_iri(base: str, ref: str) -> str:
    return f"{public_root()}/id/{base}/{ref_path(ref)}"


def notice_iri(base: str, ref: str) -> str:
    return f"{public_root()}/notice/{base}/{ref_path(ref)}"


def data_path(name: str, rest: str, fmt: str, profile: Profile | None = None) -> str:
    """``/data/{base}/{REF}.{ext}`` (a notice) or ``/data/{kind}/{…}.{ext}`` (a shared node)."""
    path = f"/data/{name}/{rest}.{EXTENSIONS[fmt]}"
    if profile is not None and profile is not DEFAULT_PROFILE:
        path += f"?_profile={profile.token}"
    return path


def resource_rest(path: str) -> str:
    """The path of a shared node's IRI after its kind, segment by segment percent-encoded."""
    return "/".join(quote(segment, safe="") for segment in path.split("/"))


# -- headers --------------------------------------------------------------------------------


def link(url: str, rel: str, **params: str) -> str:
    """One Link header value; a ``type`` is the bare media type (its parameters would need
    quoting inside quotes: the profile is said by ``formats``, as W3C conneg-by-profile does)."""
    if "type" in params:
        params["type"] = params["type"].split(";")[0].strip()
    extra = "".join(f'; {k.replace("_", "-")}="{v}"' for k, v in params.items())
    return f'<{url}>; rel="{rel}"{extra}'


def signposting(
    name: str,
    rest: str,
    thing: str,
    current: str,
    profile: Profile | None,
    page: str | None,
    schema_type: str | None = None,
) -> list[str]:
    """FAIR Signposting for a thing's page or document: cite-as, describedby, alternates…

    ``current`` is the representation being sent (``html`` or an RDF format); ``page`` the
    HTML page's public URL. Every URL is the public one (POP_LD_BASE_URI).
    """
    root = public_root()
    links = [link(thing, "cite-as"), link(LICENCE, "license")]
    if schema_type:
        links.append(link(f"https://schema.org/{schema_type}", "type"))
    if current == HTML:
        links.append(link("https://schema.org/AboutPage", "type"))
        links.append(link(page or thing, "canonical"))
        for fmt in RDF_FORMATS:
            links.append(
                link(root + data_path(name, rest, fmt), "describedby", type=MEDIA_TYPES[fmt])
            )
    else:
        assert profile is not None
        links.append(link(root + data_path(name, rest, current, profile), "canonical"))
        links.append(link(thing, "describes"))
        if page:
            links.append(link(page, "alternate", type="text/html"))
        for fmt in RDF_FORMATS:
            if fmt != current or profile is not DEFAULT_PROFILE:
                links.append(
                    link(root + data_path(name, rest, fmt), "alternate", type=MEDIA_TYPES[fmt])
                )
    for other in PROFILES.values():
        if other is DEFAULT_PROFILE or (current != HTML and other is profile):
            continue
        for fmt in other.formats:
            links.append(
                link(
                    root + data_path(name, rest, fmt, other),
                    "alternate",
                    type=media_type(fmt, other),
                    formats=other.uri,
                )  # fmt: skip
            )
    return links


def headers(links: list[str], profile: Profile | None = None) -> dict[str, str]:
    """Headers every negotiated response carries: Link, Vary and, for a document, Content-Profile."""
    out = {"Link": ", ".join(links), "Vary": VARY}
    if profile is not None:
        out["Content-Profile"] = f"<{profile.uri}>"
    return out


def allow_profile_headers(response: Response) -> Response:
    """CORS for negotiated resources: a script may send Accept-Profile and read Link.

    Registered by each blueprint of this family, so its preflight (OPTIONS) answers say it too;
    the app's own CORS headers (app/__init__.py) stay for every other URL.
    """
    response.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Profile, Content-Type"
    response.headers["Access-Control-Expose-Headers"] = EXPOSE
    return response


# -- conditional requests ---------------------------------------------------------------------

#: What a page is made of besides the data: a release changes it, and so its ETags.
CODE_DIRS = ("app", "pop_ld", "mappings", "sparql", "ontology")


@cache
def code_version() -> tuple[str, float]:
    """A digest of the site's code, templates and tables, and the newest file's mtime."""
    digest, newest = hashlib.blake2b(digest_size=8), 0.0
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
                newest = max(newest, stat.st_mtime)
    return digest.hexdigest(), newest


def etag(*parts: str) -> str | None:
    """A strong ETag for what the request asks (its URL, format, profile and ``parts``).

    From the store's version (app.store_version): None when it has none, and then no
    conditional request is answered.
    """
    from app import store_version

    version = store_version()
    if version is None:
        return None
    key = "\0".join((version, code_version()[0], request.full_path, *parts))
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


def last_modified() -> datetime | None:
    """When what the site serves last changed: the last load, or the code, if newer."""
    path = current_app.config.get("STORE")
    try:
        loaded = os.stat(path).st_mtime if path else None
    except OSError:
        loaded = None
    if loaded is None:
        return None
    return datetime.fromtimestamp(max(loaded, code_version()[1]), UTC).replace(microsecond=0)


def not_modified(tag: str | None) -> Response | None:
    """304 Not Modified when the client already holds ``tag`` (If-None-Match), else None."""
    if tag is None or not request.if_none_match.contains_weak(tag):
        return None
    response = Response(status=304)
    validate(response, tag)
    return response


def validate(response: Response, tag: str | None) -> Response:
    """Headers a cache revalidates with: ETag, Last-Modified, Vary."""
    if tag is not None:
        response.set_etag(tag)
        response.last_modified = last_modified()
    response.headers["Vary"] = VARY
    return response


# -- errors ---------------------------------------------------------------------------------


def wants_html() -> bool:
    """Whether an error should be a page (a browser) rather than a line of text."""
    try:
        return negotiate_format(request.headers.get("Accept")) == HTML
    except NotAcceptable:
        return False


def not_found(message: str, **page: object) -> Response:
    """A real 404: a page for browsers, a short plain-text line for everyone else."""
    return error(404, message, **page)


def error(status: int, message: str, **page: object) -> Response:
    if wants_html():
        body = render_template("errors/error.html", status=status, message=message, **page)
        response = Response(body, status=status, content_type=MEDIA_TYPES[HTML])
    else:
        response = Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")
    response.headers.update(headers([]))
    del response.headers["Link"]
    return response


def not_acceptable() -> Response:
    offered = ", ".join(t for _, types in OFFERS for t in types[:1])
    return error(406, f"Not acceptable: this resource is offered as {offered}.")
