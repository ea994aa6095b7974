"""Where an IRI is looked up: IRIs under the dataset's base resolve on this server."""

from __future__ import annotations

from dataclasses import dataclass

from tipgraph.namespaces import BASE


@dataclass(frozen=True)
class Links:
    """Maps IRIs minted under :data:`BASE` to URLs of this deployment.

    ``public_base`` is where the base is published (``--base-url``), ending in ``/``; without
    one, links are relative to the server's root, which works behind any host name.
    """

    public_base: str = "/"

    def href(self, iri: str) -> str:
        """The URL a reader follows for ``iri``: local for the dataset's own IRIs."""
        if iri.startswith(BASE):
            return self.public_base + iri[len(BASE) :]
        return iri

    def is_local(self, iri: str) -> bool:
        """Whether ``iri`` is minted by this dataset (and so resolves on this server)."""
        return iri.startswith(BASE)

    @classmethod
    def for_base_url(cls, base_url: str | None) -> Links:
        if not base_url:
            return cls()
        return cls(base_url if base_url.endswith("/") else base_url + "/")
