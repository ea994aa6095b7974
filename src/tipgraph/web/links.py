"""Where an IRI is looked up, and where this server's own pages are, as the public sees them."""

from __future__ import annotations

import string
from dataclasses import dataclass
from urllib.parse import urlsplit

from tipgraph.catalog import ENDPOINT
from tipgraph.namespaces import BASE

# The ASCII an IRI path holds as itself (RFC 3987 §2.2: unreserved, sub-delims, ":", "@", "/").
IRI_PATH_ASCII = frozenset(string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@/")


@dataclass(frozen=True)
class Links:
    """Maps IRIs minted under :data:`BASE` and this server's paths to public URLs.

    ``root`` is the path prefix a proxy serves this server under (``--root-path``, e.g.
    ``/tipgraph``; empty at the root). ``public_base`` is where the dataset's base IRI is looked
    up (``--base-url``, e.g. ``https://w3id.org/tipgraph/`` when w3id redirects to this server);
    by default this server itself.
    """

    root: str = ""
    public_base: str = "/"

    def href(self, iri: str) -> str:
        """The URL a reader follows for ``iri``: on this deployment for the dataset's own IRIs."""
        if iri.startswith(BASE):
            return self.public_base + iri[len(BASE) :]
        return iri

    def is_local(self, iri: str) -> bool:
        """Whether ``iri`` is minted by this dataset (and so resolves on this server)."""
        return iri.startswith(BASE)

    def path(self, local: str) -> str:
        """One of this server's paths (``/sparql``, ``/doc/…``) as the public requests it."""
        return self.root + local

    @property
    def endpoint(self) -> str:
        """The SPARQL endpoint as readers reach it: under ``--base-url`` when there is one,
        else this server's path. Never built from a request's ``Host``, which is the client's
        to choose (issue 13, finding 6)."""
        return self.href(ENDPOINT)

    @property
    def endpoint_iri(self) -> str:
        """:attr:`endpoint` as an absolute IRI, for RDF: without ``--base-url``, the one the
        dataset's description gives (``void:sparqlEndpoint``)."""
        return self.endpoint if urlsplit(self.endpoint).scheme else ENDPOINT

    @classmethod
    def create(cls, base_url: str | None, root_path: str | None) -> Links:
        root = "/" + (root_path or "").strip("/") if (root_path or "").strip("/") else ""
        if not base_url:
            return cls(root, root + "/")
        return cls(root, base_url if base_url.endswith("/") else base_url + "/")


def iri_path(decoded: str) -> str:
    """The IRI path a request path came from, once the server decoded it (RFC 3987 §3.1 in
    reverse): ASCII an IRI path cannot hold as itself (space, %, ?, #, <, controls …) is
    percent-encoded again; letters of any script stay as they are.

    ``/id/a%20b`` is decoded to ``a b`` and names ``…/id/a%20b``; ``/id/a%3Fb`` names
    ``…/id/a%3Fb``, never an IRI with a query. (``%2F`` cannot be told from ``/``.)
    """
    return "".join(c if c in IRI_PATH_ASCII or ord(c) > 0x7F else f"%{ord(c):02X}" for c in decoded)


def linkable(iri: str) -> bool:
    """Whether ``iri`` may be an ``href``: web and mail addresses only — never ``javascript:``
    or ``data:``, which data could carry into a page."""
    return urlsplit(iri).scheme.lower() in {"http", "https", "mailto"}
