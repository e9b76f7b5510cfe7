/**
 * Reads compile progress out of ORT's log lines. Pure and table-tested.
 *
 * Message shapes, and how sure we are of each:
 * - ORT's node placement, logged at VERBOSE after partitioning (onnxruntime
 *   core/framework/session_state_utils / graph partitioner, "Node placements"):
 *   " All nodes placed on [CPUExecutionProvider]. Number of nodes: 5" and, when split,
 *   " Node(s) placed on [X]. Number of nodes: N". Seen for real on this machine (CPU, ORT 1.30).
 * - TensorRT-RTX partitioning, from the in-tree NvTensorRTRTX EP's GetCapability
 *   (onnxruntime/core/providers/nv_tensorrt_rtx/nv_execution_provider.cc):
 *   "[NvTensorRTRTX EP] Whole graph will run on Nv execution provider",
 *   "[NvTensorRTRTX EP] Graph is partitioned and number of subgraphs running on Nv executio provider is N"
 *   (sic: "executio"), "[NvTensorRTRTX EP] No graph will run on Nv execution provider".
 * - A finished engine build, only with nv_detailed_build_log=1:
 *   "TensorRT engine build for <fused node> took: <n>ms".
 *   The TensorRT-RTX lines are read from the EP's source, not seen: this machine has no RTX GPU, and
 *   NVIDIA's standalone plugin may word them differently. Unknown lines are ignored, so a change of
 *   wording costs the subgraph counter, never the compile.
 */

/** One thing a log line told us. */
export type CompileLogEvent =
  | { kind: 'placement'; provider: string; nodes: number }
  | { kind: 'subgraphs'; count: number }
  | { kind: 'subgraph-built'; name: string; ms: number };

const PLACEMENT =
  /^\s*(?:All nodes|Node\(s\)) placed on \[([A-Za-z0-9_]+)\]\. Number of nodes: (\d+)/;
const WHOLE = /\[NvTensorRTRTX EP\] Whole graph will run on Nv execution provider/;
const PARTITIONED =
  /\[NvTensorRTRTX EP\] Graph is partitioned and number of subgraphs running on Nv execut\w* provider is (\d+)/;
const NONE = /\[NvTensorRTRTX EP\] No graph will run on Nv execution provider/;
const BUILT = /TensorRT engine build for (\S+) took: (\d+(?:\.\d+)?)\s*ms/;

/** The event in one ORT log message, or null when it says nothing about progress. */
export function parseCompileLog(message: string): CompileLogEvent | null {
  let m = PLACEMENT.exec(message);
  if (m) return { kind: 'placement', provider: m[1] as string, nodes: Number(m[2]) };
  if (WHOLE.test(message)) return { kind: 'subgraphs', count: 1 };
  m = PARTITIONED.exec(message);
  if (m) return { kind: 'subgraphs', count: Number(m[1]) };
  if (NONE.test(message)) return { kind: 'subgraphs', count: 0 };
  m = BUILT.exec(message);
  if (m) return { kind: 'subgraph-built', name: m[1] as string, ms: Number(m[2]) };
  return null;
}

/** Nodes on the provider vs left to the CPU, from the placement events of one session. */
export function nodesFromPlacement(
  events: readonly CompileLogEvent[],
  providerOrtName: string,
): { provider: number; cpu: number } | null {
  const placements = events.filter(
    (e): e is Extract<CompileLogEvent, { kind: 'placement' }> => e.kind === 'placement',
  );
  if (placements.length === 0) return null;
  let provider = 0;
  let cpu = 0;
  for (const p of placements) {
    if (p.provider === providerOrtName) provider += p.nodes;
    else cpu += p.nodes;
  }
  return { provider, cpu };
}
