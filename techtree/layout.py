"""Where each concept stands on the tree map: a layered layout computed once, on the server.

PURE: NumPy only. Depth is the row (y). Across (x), every domain gets a band of columns as
wide as its widest row, bands side by side in domain order, so a domain and a range of depths
is one rectangle of the map (the overview's clusters). Inside its band, a row is ordered by
the barycentre of each concept's prerequisites (already placed: they stand on rows above),
which keeps links short, then by the order the concepts were given (title). One slot per
concept and row, so no two boxes of a row overlap. One sweep, vectorised per row: a
100,000-concept tree takes a fraction of a second (bench/tree_map.py).
"""

from __future__ import annotations

import numpy as np

COLUMN = 250.0  # map units between slot centres; the widest box (228) fits with a gap
ROW = 140.0  # map units between depth rows; the tallest box (61) fits with a gap
DOMAIN_GAP = 1  # empty slots between two domains' bands


def layered_layout(
    depth: np.ndarray, domain: np.ndarray, sources: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of nodes 0..n-1, given each node's depth, domain number and the edges
    sources[i] -> targets[i] (prerequisite -> concept, so depth[source] < depth[target]).

    Deterministic: the same input gives the same positions; ties keep the input order.
    """
    depth = np.asarray(depth, dtype=np.int64)
    domain = np.asarray(domain, dtype=np.int64)
    sources = np.asarray(sources, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.int64)
    size = len(depth)
    x = np.zeros(size, dtype=np.float64)
    if not size:
        return x, x.copy()
    domains = int(domain.max()) + 1
    rows = int(depth.max()) + 1
    # The band of each domain: as wide as its widest row, plus a gap.
    per_cell = np.bincount(depth * domains + domain, minlength=rows * domains)
    per_cell = per_cell.reshape(rows, domains)
    width = per_cell.max(axis=0)
    offset = np.concatenate([[0], np.cumsum(width + DOMAIN_GAP)[:-1]])

    by_depth = np.argsort(depth, kind="stable")
    row_bounds = np.searchsorted(depth[by_depth], np.arange(rows + 1))
    edge_order = np.argsort(depth[targets], kind="stable")
    edge_bounds = np.searchsorted(depth[targets][edge_order], np.arange(rows + 1))
    local = np.full(size, -1, dtype=np.int64)
    for row in range(rows):
        members = by_depth[row_bounds[row] : row_bounds[row + 1]]
        if not len(members):
            continue
        local[members] = np.arange(len(members))
        edges = edge_order[edge_bounds[row] : edge_bounds[row + 1]]
        into = local[targets[edges]]
        parents = np.bincount(into, minlength=len(members))
        pulled = np.bincount(into, weights=x[sources[edges]], minlength=len(members))
        # Roots have no barycentre: they keep their given order, after nothing.
        centre = np.where(parents > 0, pulled / np.maximum(parents, 1), 0.0)
        # lexsort sorts by the last key first: domain, then barycentre, then input order.
        order = members[np.lexsort((members, centre, domain[members]))]
        ranked_domains = domain[order]
        first = np.searchsorted(ranked_domains, ranked_domains)  # where each domain's run starts
        rank = np.arange(len(order)) - first
        counts = per_cell[row, ranked_domains]
        slot = offset[ranked_domains] + (width[ranked_domains] - counts) / 2 + rank
        x[order] = slot * COLUMN
    return x, depth.astype(np.float64) * ROW
