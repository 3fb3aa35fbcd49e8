#!/usr/bin/env python3
"""Writes the graph_file regression inputs (fuzz/regressions/graph_file/): a real graph's payload
with one array broken the way fuzzing found it broken. Run it again whenever the graph file
format changes (the inputs must keep reaching the payload reader and RoadGraph::validate()):

    build/proxima build-graph tests/fixtures/chain-and-speeds.osm -o /tmp/g.pxg \
        --profile tests/fixtures/test-profile.toml
    fuzz/make_graph_regressions.py /tmp/g.pxg fuzz/regressions/graph_file

The payload layout is the one of src/graph/graph_file.cpp: provenance strings (u32 length +
bytes), then each array as a u64 count and its raw elements, in GRAPH_ARRAYS order, then a u32
count of optional sections, each a u32 kind and its arrays (kind 1: the contraction hierarchy,
HIERARCHY_ARRAYS). Build the graph with its hierarchy (build-graph does by default)."""
import struct
import sys
from pathlib import Path

HEADER = 88
STRINGS = 5
# (name, element format) in the order of graph_file.cpp's for_each_array.
GRAPH_ARRAYS = [
    ("first_out", "I"), ("head", "I"), ("travel_ds", "I"), ("length_m", "f"), ("arc_edge", "I"),
    ("first_in", "I"), ("tail_in", "I"), ("in_arc", "I"), ("in_travel_ds", "I"), ("node_coord", "dd"),
    ("edge_first_point", "I"), ("points", "dd"), ("point_m", "f"), ("point_fwd_ds", "f"),
    ("point_bwd_ds", "f"), ("edge_arc", "I"), ("edge_way_id", "q"), ("edge_flags", "B"), ("edge_first_run", "I"),
    ("run_first_segment", "I"), ("run_way_id", "q"), ("state_arc", "I"), ("arc_first_copy", "I"),
    ("copy_state", "I"), ("first_transition", "I"), ("transition_head", "I"), ("transition_ds", "I"),
    ("first_in_transition", "I"), ("in_transition_tail", "I"), ("in_transition_ds", "I"),
]

HIERARCHY = 1
# The contraction hierarchy section, in the order of graph_file.cpp's for_each_hierarchy_array.
HIERARCHY_ARRAYS = [
    ("rank", "I"), ("up_first", "I"), ("up_head", "I"), ("up_ds", "I"), ("down_first", "I"),
    ("down_tail", "I"), ("down_ds", "I"),
]


def parse_arrays(payload, pos, layout):
    arrays = {}
    for name, fmt in layout:
        (count,) = struct.unpack_from("<Q", payload, pos)
        pos += 8
        size = struct.calcsize("<" + fmt)
        arrays[name] = [struct.unpack_from("<" + fmt, payload, pos + i * size) for i in range(count)]
        pos += count * size
    return arrays, pos


def pack_arrays(arrays, layout):
    out = bytearray()
    for name, fmt in layout:
        values = arrays[name]
        out += struct.pack("<Q", len(values))
        for v in values:
            out += struct.pack("<" + fmt, *v)
    return bytes(out)


def parse(payload):
    pos = 0
    strings = []
    for _ in range(STRINGS):
        (n,) = struct.unpack_from("<I", payload, pos)
        strings.append(payload[pos + 4:pos + 4 + n])
        pos += 4 + n
    arrays, pos = parse_arrays(payload, pos, GRAPH_ARRAYS)
    (sections,) = struct.unpack_from("<I", payload, pos)
    pos += 4
    hierarchy = None
    for _ in range(sections):
        (kind,) = struct.unpack_from("<I", payload, pos)
        assert kind == HIERARCHY, "unknown section"
        hierarchy, pos = parse_arrays(payload, pos + 4, HIERARCHY_ARRAYS)
    assert pos == len(payload), "the layout above no longer matches graph_file.cpp"
    return strings, arrays, hierarchy


def build(strings, arrays, hierarchy=None, kinds=None):
    """The payload; `hierarchy` is written as one section per entry of `kinds` (default: one)."""
    out = bytearray()
    for s in strings:
        out += struct.pack("<I", len(s)) + s
    out += pack_arrays(arrays, GRAPH_ARRAYS)
    kinds = kinds if kinds is not None else ([HIERARCHY] if hierarchy is not None else [])
    out += struct.pack("<I", len(kinds))
    for kind in kinds:
        out += struct.pack("<I", kind) + pack_arrays(hierarchy, HIERARCHY_ARRAYS)
    return bytes(out)


def main():
    graph, folder = Path(sys.argv[1]), Path(sys.argv[2])
    strings, arrays, hierarchy = parse(graph.read_bytes()[HEADER:])
    assert hierarchy is not None, "build the graph with its contraction hierarchy"
    cases = {}
    # Every array empty: memcpy of zero bytes from a null pointer (undefined behaviour).
    cases["empty-array-memcpy-null-pointer"] = build(strings, {name: [] for name, _ in GRAPH_ARRAYS})
    # An edge whose shape points run past the end: validate() read beyond the arrays.
    broken = {k: list(v) for k, v in arrays.items()}
    broken["edge_first_point"][1] = (len(arrays["points"]) + 1000,)
    cases["validate-heap-overflow-edge-first-point-not-monotone"] = build(strings, broken)
    broken = {k: list(v) for k, v in arrays.items()}
    broken["length_m"][0] = (-2e23,)
    cases["arc-length-negative-accepted"] = build(strings, broken)
    broken = {k: list(v) for k, v in arrays.items()}
    # A shape point inside an edge (not a node, so the arcs' end checks cannot see it).
    first = [b for (b,) in arrays["edge_first_point"]]
    inner = next(b + 1 for b, e in zip(first, first[1:]) if e - b >= 3)
    broken["points"][inner] = (1e277, broken["points"][inner][1])
    cases["coordinates-outside-wgs84-accepted"] = build(strings, broken)
    # Offsets into the arc copies and the way runs that run past their arrays before going back
    # down: validate() read through them before checking their order.
    broken = {k: list(v) for k, v in arrays.items()}
    broken["arc_first_copy"][1] = (5,)
    cases["copy-offsets-read-before-checked"] = build(strings, broken)
    broken = {k: list(v) for k, v in arrays.items()}
    broken["edge_first_run"][1] = (len(arrays["run_way_id"]) + 5,)
    cases["run-offsets-read-before-checked"] = build(strings, broken)
    # The contraction hierarchy section: each invariant of StateHierarchy::validate() broken once,
    # and sections the reader must refuse.
    def broken_hierarchy(change):
        h = {k: list(v) for k, v in hierarchy.items()}
        change(h)
        return build(strings, arrays, h)

    def swap_ranks(h):
        h["rank"][0] = h["rank"][1]
    cases["hierarchy-ranks-not-a-permutation"] = broken_hierarchy(swap_ranks)

    def arc_down(h):
        h["up_head"][0] = (0,)
    cases["hierarchy-arc-not-upwards"] = broken_hierarchy(arc_down)

    def offsets_past_end(h):
        h["down_first"][1] = (len(h["down_tail"]) + 7,)
    cases["hierarchy-offsets-past-the-arcs"] = broken_hierarchy(offsets_past_end)

    def heavy(h):
        h["up_ds"][0] = (0xFFFFFFF0,)
    cases["hierarchy-weight-over-the-cap"] = broken_hierarchy(heavy)

    def short_rank(h):
        h["rank"].pop()
    cases["hierarchy-fewer-ranks-than-states"] = broken_hierarchy(short_rank)
    cases["hierarchy-section-twice"] = build(strings, arrays, hierarchy, [HIERARCHY, HIERARCHY])
    cases["hierarchy-unknown-section-kind"] = build(strings, arrays, hierarchy, [7])
    cases["graph-without-hierarchy"] = build(strings, arrays)  # accepted: searches fall back to Dijkstra
    folder.mkdir(parents=True, exist_ok=True)
    for name, payload in cases.items():
        (folder / name).write_bytes(b"\x01" + payload)  # odd first byte: payload mode


if __name__ == "__main__":
    main()
