"""/notice/{base}/{REF}: POP's notice page, rendered from the graph (never from the source file).

The page reads the notice's document (sparql/notice_document.rq), turns it back into POP's
fields with their French labels, in POP's reading order and sections (pop_ld/readback.py),
lists what links here (sparql/notice_incoming.rq, counted and paged per kind of link) and
embeds the schema.org description for search engines. Three or four point lookups, no scan.

The same URL is the notice's RDF by content negotiation (``Accept: text/turtle``…): the
document of /data, with ``Content-Location`` naming it. Every page says the date of the data
("Données au …"): the store directory's modification time, which ``pop-ld load`` sets when it
swaps a freshly loaded store in (a remote store has none, and the line is left out).

Pages and documents carry an ETag made of the store's version, the search index's and the
code's (app/conneg.py): a client sending it back gets 304 while none of them changed. The
same versions key what is kept between requests: the document's linked resources
(app/data.py) and the browse link of each value.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, Response, current_app, g, render_template, request

from app import conneg, data, store_version
from app.conneg import HTML
from pop_ld import readback, schemaorg, uris
from pop_ld.readback import Value

bp = Blueprint("notices", __name__)
bp.after_request(conneg.allow_profile_headers)

#: Links into a thing from other notices: property → (URL parameter, heading).
INCOMING: dict[str, tuple[str, str]] = {
    uris.POP + "conserveDans": ("objets", "Objets conservés dans cet édifice"),
    uris.CRM + "P138_represents": ("images", "Photographies et images"),
    uris.CRM + "P46i_forms_part_of": ("parties", "Parties de cet ensemble"),
    uris.CRM + "P46_is_composed_of": ("ensembles", "Ensembles dont il fait partie"),
    uris.POP + "voirAussi": ("renvois", "Notices qui y renvoient"),
    uris.CRM + "P14_carried_out_by": ("oeuvres", "Œuvres de cet auteur"),
    uris.POP + "personnaliteLiee": ("personnes", "Notices qui citent cette personne"),
    uris.CRM + "P62_depicts": ("representations", "Œuvres qui le représentent"),
}
#: Kinds of values the search can browse by.
BROWSABLE = frozenset({"date", "place", "person", "concept", "base"})
#: Items of a "what links here" list per page.
PAGE_SIZE = 10

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


@dataclass(slots=True)
class Incoming:
    """One kind of link into the thing: its items on the current page, and how many in all."""

    key: str
    title: str
    count: int = 0
    page: int = 1
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // PAGE_SIZE))

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1


@bp.app_context_processor
def data_as_of() -> dict[str, str | None]:
    """``data_as_of`` for base.html, on every page of the site."""
    return {"data_as_of": store_date(current_app.config.get("STORE"))}


def store_date(path: str | None) -> str | None:
    """The date of the last load: the store directory's mtime, in French; None without one."""
    if not path:
        return None
    try:
        when = datetime.fromtimestamp(os.stat(path).st_mtime)
    except OSError:
        return None
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


@bp.get("/notice/<base>/<path:ref>")
def notice(base: str, ref: str) -> Response:
    """The notice page, or the notice's RDF when the client asks for RDF."""
    if base not in uris.bases():
        return conneg.not_found(f"No base is called {base!r}.", base=base, ref=ref)
    ref = uris.normalise_ref(ref)
    try:
        fmt = conneg.negotiate_format(request.headers.get("Accept"))
    except conneg.NotAcceptable:
        return conneg.not_acceptable()
    rest = conneg.ref_path(ref)
    if fmt != HTML:
        location = conneg.data_path(base, rest, fmt, conneg.choose_profile(fmt))
        return data.notice_rdf(base, ref, fmt, location=location)
    # the page's browse links and previous/next come from the search index: its file is a part
    g.browse_key = browse_key()
    tag = conneg.etag(HTML, g.browse_key or "")
    unchanged = conneg.not_modified(tag)
    if unchanged is not None:
        return unchanged
    triples = data.notice_document(base, ref)
    thing, notice_iri = conneg.thing_iri(base, ref), conneg.notice_iri(base, ref)
    incoming = incoming_links(thing, notice_iri)
    if not triples:
        return unpublished(base, ref, incoming)
    doc = readback.Doc(triples)
    view = readback.read_notice(doc, base, ref, notice_iri)
    schema = schemaorg.schema_org(doc, base, thing, notice_iri)
    previous, following = neighbours(request.args.get("from"), request.args.get("i"))
    body = render_template(
        "notices/notice.html",
        view=view,
        sections=present(view),
        base_label=uris.bases()[base]["label_fr"],
        incoming=incoming,
        schema=schema,
        previous=previous,
        following=following,
        search_back=search_back(request.args.get("from")),
        href=value_href,
        browse=browse_href,
        local=data.local_href,
    )
    links = conneg.signposting(
        base, rest, thing, HTML, None, notice_iri, schemaorg.schema_type(base)
    )
    response = Response(body, content_type=conneg.MEDIA_TYPES[HTML])
    response.headers.update(conneg.headers(links))
    return conneg.validate(response, tag)


def unpublished(base: str, ref: str, incoming: list[Incoming]) -> Response:
    """A thing other notices link to, whose own notice is not loaded: said so, with who links."""
    if not incoming:
        return conneg.not_found(f"No notice {ref} in {base}.", base=base, ref=ref)
    body = render_template(
        "notices/unpublished.html",
        base=base,
        ref=ref,
        base_label=uris.bases()[base]["label_fr"],
        thing=conneg.thing_iri(base, ref),
        incoming=incoming,
    )
    response = Response(body, content_type=conneg.MEDIA_TYPES[HTML])
    response.headers.update(conneg.headers([conneg.link(conneg.thing_iri(base, ref), "cite-as")]))
    return response


def incoming_links(thing: str, notice_iri: str) -> list[Incoming]:
    """What links here, grouped by kind of link, each group on the page the URL asks for.

    In REF order; only the items of the page shown have their label looked up.
    """
    groups: dict[str, Incoming] = {}
    seen: set[tuple[str, str]] = set()
    for row in data.incoming(thing, notice_iri):
        source = data.source_of(row["g"])  # type: ignore[arg-type]
        prop: str = row["p"]  # type: ignore[assignment]
        key, title = INCOMING.get(prop, (prop.rsplit("/", 1)[-1].rsplit("#", 1)[-1], ""))
        if source is None or (key, row["g"]) in seen:
            continue
        seen.add((key, row["g"]))
        group = groups.setdefault(key, Incoming(key, title or f"Liés par {key}"))
        group.count += 1
        # the linking node is mostly the other thing itself, whose label came with the row
        label = row["label"] if row["s"] == source[2] else None
        group.items.append({"source": source, "label": label})
    for group in groups.values():
        group.page = min(max(1, _int(request.args.get(group.key), 1)), group.pages)
        start = (group.page - 1) * PAGE_SIZE
        group.items = [
            _item(*i["source"], i["label"]) for i in group.items[start : start + PAGE_SIZE]
        ]
    order = [key for key, _ in INCOMING.values()]
    return sorted(
        groups.values(), key=lambda g: order.index(g.key) if g.key in order else len(order)
    )


def _item(base: str, ref: str, thing: str, label: str | None) -> dict[str, Any]:
    return {
        "label": label or data.label_of(thing) or ref,
        "ref": ref,
        "base": base,
        "base_label": uris.bases().get(base, {}).get("label_fr", base),
        "href": f"/notice/{base}/{conneg.ref_path(ref)}",
    }


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def page_url(key: str, page: int) -> str:
    """The current URL with one "what links here" list turned to ``page``."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != key]
    if page > 1:
        args.append((key, str(page)))
    query = urlencode(args)
    return request.path + (f"?{query}" if query else "") + f"#{key}"


@bp.app_template_global("page_url")
def _page_url(key: str, page: int) -> str:
    return page_url(key, page)


# -- links to other pages --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shown:
    """A value as the page writes it: its text, where it links, what is said beside it."""

    text: str
    href: str | None = None
    css: str = "text"
    note: str | None = None
    unpublished: bool = False
    rel: str | None = None


def present(
    view: readback.NoticeView,
) -> list[tuple[readback.Section, list[tuple[Any, list[Shown]]]]]:
    """Every value of the page with its link worked out here, so the template only writes."""
    return [
        (section, [(f, [shown(v) for v in f.values]) for f in section.fields])
        for section in view.sections
    ]


def shown(value: Value) -> Shown:
    if value.kind == "thing":
        href = value_href(value)
        if not value.published:
            return Shown(value.note or value.text, href, "thing unpublished", unpublished=True)
        note = value.note if value.note and value.note != value.text else None
        return Shown(value.text, href, "thing", note=note)
    if value.kind == "url":
        href = value_href(value)
        return (
            Shown(value.text, href, "external", rel="noopener nofollow")
            if href
            else Shown(value.text)
        )
    href = browse_href(value)
    return Shown(value.text, href, f"browse browse-{value.kind}" if href else "text", value.note)


def value_href(value: Value) -> str | None:
    """Where a value links to: a thing's notice page, an outside URL."""
    if value.kind == "thing" and value.iri:
        return data.local_href(value.iri).replace("/id/", "/notice/", 1)
    if value.kind == "url" and value.iri and value.iri.startswith(("http://", "https://")):
        return value.iri
    return None


@cache
def _search_module() -> Any:
    """app/search.py, written by the search engineer; None until it exists."""
    if importlib.util.find_spec("app.search") is None:
        return None
    return importlib.import_module("app.search")


def browse_href(value: Value) -> str | None:
    """A search of the notices sharing this value (date, place, person, concept, base).

    app/search.py owns these links (``facet_href(kind, iri, text)``). When the search cannot
    answer (no side index yet, a failure), the value is shown without a link: the notice page
    never fails because of the search.
    """
    if value.kind not in BROWSABLE or g.get("search_down"):
        return None
    hook = getattr(_search_module(), "facet_href", None)
    if hook is None:
        return None
    try:
        key = g.get("browse_key")
        if key is None:
            return hook(value.kind, value.iri, value.text)
        return _browse_link(key, value.kind, value.iri, value.text)
    except Exception as error:  # the search's failure is the search's: logged, the page goes on
        _warn_once(f"browse links left out of notice pages: {error}")
        g.search_down = True
        return None


def browse_key() -> str | None:
    """The versions browse links depend on (the store's, the search index's); None: not kept."""
    version = store_version()
    search = _search_module()
    if version is None or search is None:
        return None
    try:
        index = search.get_index()
    except Exception:  # no index: browse_href says so, once
        return None
    return f"{version}/{'.'.join(map(str, index.identity))}"


@lru_cache(maxsize=50_000)
def _browse_link(key: str, kind: str, iri: str | None, text: str | None) -> str | None:
    """A value's browse link, kept per version: communes and concepts recur on most pages."""
    return _search_module().facet_href(kind, iri, text)


def neighbours(querystring: str | None, rank: str | None) -> tuple[dict | None, dict | None]:
    """The previous and next notices of the search the visitor came from.

    The search page links to a notice with ``?from=<its querystring>&i=<rank>``; app/search.py
    answers ``neighbours(querystring, rank) -> (previous, next)``, each ``(base, REF)`` or None.
    """
    search = _search_module()
    hook = getattr(search, "neighbours", None)
    index = _int(rank, -1)
    if hook is None or querystring is None or index < 0:
        return None, None
    try:
        found = hook(querystring, index)
    except Exception as error:
        _warn_once(f"no previous/next links on notice pages: {error}")
        return None, None
    return tuple(  # type: ignore[return-value]
        _neighbour(n, querystring, index + step) if n else None
        for n, step in zip(found, (-1, 1), strict=True)
    )


def _warn_once(message: str) -> None:
    """Log a degraded page once per app and message, not once per request."""
    said: set[str] = current_app.extensions.setdefault("pop_ld.notices.warned", set())
    if message not in said:
        said.add(message)
        current_app.logger.warning(message)


def _neighbour(hit: tuple[str, str], querystring: str, rank: int) -> dict[str, str]:
    base, ref = hit
    query = urlencode({"from": querystring, "i": rank})
    return {"href": f"/notice/{base}/{conneg.ref_path(ref)}?{query}", "ref": ref}


def search_back(querystring: str | None) -> str | None:
    """Back to the search the visitor came from, as it was."""
    if querystring is None:
        return None
    return "/search?" + urlencode(parse_qsl(querystring, keep_blank_values=True))
