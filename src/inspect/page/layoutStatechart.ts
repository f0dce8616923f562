/** @module layoutStatechart: lays a statechart out with ELK (layered, compound states, edge labels placed as their own boxes so they never overlap), in a web worker. */
import ELK from 'elkjs/lib/elk-api.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { ChartGraph } from './statechartGraph.js';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidOutChart {
  width: number;
  height: number;
  nodes: Map<string, Box>;
  edges: Map<string, { points: Array<{ x: number; y: number }>; label: Box | undefined }>;
}

// Text sizes match the page's CSS (state names 12px, edge labels 10.5px, system-ui).
const stateCharWidth = 7.4;
const labelCharWidth = 6.3;
export const labelLineHeight = 13;

// ELK (1.6 MB of compiled Java) loads and runs in a worker: the page stays responsive while it lays out.
const elk = new ELK({ workerUrl: '/assets/elk-worker.js' });
const cache = new Map<string, Promise<LaidOutChart>>();

/**
 * Lays out a chart (once per machine: the layout does not depend on the actor's state).
 * @example const layout = await layoutStatechart('task', chartGraph(info.machines.task))
 */
export function layoutStatechart(key: string, graph: ChartGraph): Promise<LaidOutChart> {
  let p = cache.get(key);
  if (!p) cache.set(key, (p = run(graph)));
  return p;
}

async function run(graph: ChartGraph): Promise<LaidOutChart> {
  const elkNodes = new Map<string, ElkNode>();
  for (const n of graph.nodes) {
    const compound = n.children.length > 0;
    elkNodes.set(n.id, {
      id: n.id,
      width: Math.max(90, n.key.length * stateCharWidth + 28),
      height: 34,
      children: [],
      ...(compound ? { layoutOptions: { 'elk.padding': '[top=30,left=14,bottom=14,right=14]' } } : {}),
    });
  }
  const top: ElkNode[] = [];
  for (const n of graph.nodes) (n.parent ? elkNodes.get(n.parent)!.children! : top).push(elkNodes.get(n.id)!);
  const edges: ElkExtendedEdge[] = graph.edges.map((e) => ({
    id: e.id,
    sources: [e.source],
    targets: [e.target],
    labels: [
      {
        id: `${e.id}#label`,
        text: e.events.join('\n'),
        width: Math.max(...e.events.map((x) => x.length)) * labelCharWidth + 10,
        height: e.events.length * labelLineHeight + 4,
      },
    ],
  }));
  const root: ElkNode = {
    id: '__root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.layered.edgeLabels.sideSelection': 'SMART_DOWN',
      'elk.spacing.nodeNode': '36',
      'elk.spacing.edgeEdge': '14',
      'elk.spacing.edgeNode': '18',
      'elk.spacing.edgeLabel': '4',
      'elk.layered.spacing.nodeNodeBetweenLayers': '40',
      'elk.layered.spacing.edgeNodeBetweenLayers': '18',
      'elk.layered.spacing.edgeEdgeBetweenLayers': '12',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.json.edgeCoords': 'ROOT',
      'elk.json.shapeCoords': 'ROOT',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    children: top,
    edges,
  };
  const out = await elk.layout(root);
  const nodes = new Map<string, Box>();
  const visit = (n: ElkNode) => {
    for (const c of n.children ?? []) {
      nodes.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 });
      visit(c);
    }
  };
  visit(out);
  const laidEdges: LaidOutChart['edges'] = new Map();
  const collect = (n: ElkNode) => {
    for (const e of (n.edges ?? []) as ElkExtendedEdge[]) {
      const points = (e.sections ?? []).flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]);
      const l = e.labels?.[0];
      laidEdges.set(e.id, { points, label: l ? { x: l.x ?? 0, y: l.y ?? 0, width: l.width ?? 0, height: l.height ?? 0 } : undefined });
    }
    for (const c of n.children ?? []) collect(c);
  };
  collect(out);
  return { width: out.width ?? 0, height: out.height ?? 0, nodes, edges: laidEdges };
}
