import { describe, expect, it } from 'vitest';
import { nodesFromPlacement, parseCompileLog, type CompileLogEvent } from './log-parser';

describe('compile log parser', () => {
  it.each<[string, CompileLogEvent | null]>([
    // Seen on this machine (ORT 1.30, CPU, session log level verbose).
    [
      ' All nodes placed on [CPUExecutionProvider]. Number of nodes: 16',
      { kind: 'placement', provider: 'CPUExecutionProvider', nodes: 16 },
    ],
    [
      ' Node(s) placed on [NvTensorRTRTXExecutionProvider]. Number of nodes: 40',
      { kind: 'placement', provider: 'NvTensorRTRTXExecutionProvider', nodes: 40 },
    ],
    // From the NvTensorRTRTX EP's source; not seen on RTX hardware.
    [
      '[NvTensorRTRTX EP] Whole graph will run on Nv execution provider',
      { kind: 'subgraphs', count: 1 },
    ],
    [
      '[NvTensorRTRTX EP] Graph is partitioned and number of subgraphs running on Nv executio provider is 3',
      { kind: 'subgraphs', count: 3 },
    ],
    [
      '[NvTensorRTRTX EP] No graph will run on Nv execution provider',
      { kind: 'subgraphs', count: 0 },
    ],
    [
      'TensorRT engine build for TRTKernel_graph_main_123_0 took: 2150ms',
      { kind: 'subgraph-built', name: 'TRTKernel_graph_main_123_0', ms: 2150 },
    ],
    ['Removing initializer foo. It is no longer used by any node.', null],
    ['', null],
  ])('%s', (line, event) => {
    expect(parseCompileLog(line)).toEqual(event);
  });

  it('counts nodes on the provider vs the CPU', () => {
    const events = [
      ' Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 30',
      ' Node(s) placed on [CPUExecutionProvider]. Number of nodes: 4',
    ].map((l) => parseCompileLog(l) as CompileLogEvent);
    expect(nodesFromPlacement(events, 'WebGpuExecutionProvider')).toEqual({ provider: 30, cpu: 4 });
    expect(nodesFromPlacement([], 'WebGpuExecutionProvider')).toBeNull();
  });
});
