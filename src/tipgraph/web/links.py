"""Where an IRI is looked up, and where this server's own pages are, as the public sees them."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from tipgraph.namespaces import BASE


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

    @classmethod
    def create(cls, base_url: str | None, root_path: str | None) -> Links:
        root = "/" + (root_path or "").strip("/") if (root_path or "").strip("/") else ""
        if not base_url:
            return cls(root, root + "/")
        return cls(root, base_url if base_url.endswith("/") else base_url + "/")


def linkable(iri: str) -> bool:
    """Whether ``iri`` may be an ``href``: web and mail addresses only — never ``javascript:``
    or ``data:``, which data could carry into a page."""
    return urlsplit(iri).scheme.lower() in {"http", "https", "mailto"}
