#!/usr/bin/python3
"""NetworkX peer of benchmarks/run-scaling.sh: the nearest-facility time of every origin for one
service, by a multi-source Dijkstra (networkx.multi_source_dijkstra_path_length) on the reversed
arcs written by scaling_peer (to the facility = from the facilities on the reverse graph). The
graph is Proxima's node graph (no turn model) and each point stands at the tail node of the arc it
was snapped to, so times differ slightly from Proxima's; the question and the work are the same.

Usage: networkx_peer.py <dir of scaling_peer> <proxima search seconds>
Prints the peer's time, Proxima's and the ratio; exits 0 with a message if NetworkX is missing."""
import sys
import time

try:
    import networkx as nx
except ImportError:
    print("networkx peer: skipped (python3-networkx is not installed for /usr/bin/python3; "
          "apt-get install python3-networkx)")
    sys.exit(0)

folder, proxima_s = sys.argv[1], float(sys.argv[2])
graph = nx.DiGraph()
with open(f"{folder}/arcs.tsv") as arcs:
    for line in arcs:
        tail, head, ds = line.split("\t")
        tail, head, ds = int(tail), int(head), int(ds)
        # reversed arc; parallel arcs keep the fastest
        if graph.has_edge(head, tail) and graph[head][tail]["w"] <= ds:
            continue
        graph.add_edge(head, tail, w=ds)
sources = {int(x) for x in open(f"{folder}/sources.txt")}
targets = [int(x) for x in open(f"{folder}/targets.txt")]
start = time.perf_counter()
times = nx.multi_source_dijkstra_path_length(graph, sources, weight="w")
peer_s = time.perf_counter() - start
reached = sum(1 for t in targets if t in times)
print(f"networkx {nx.__version__}: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} arcs, "
      f"{len(sources)} sources; search {peer_s:.2f} s, {reached} of {len(targets)} origins reached")
print(f"proxima search (1 thread, turn-aware) {proxima_s:.2f} s; networkx / proxima = {peer_s / proxima_s:.1f}x")
