/**
 * Browser mode: the same services behind a local HTTP + WebSocket host, serving the same renderer.
 *
 * Security model (the page can drive native code, so the host is as strict as the Electron shell):
 * - binds 127.0.0.1 only;
 * - a per-launch random token, bound to this host and port: the printed URL carries it once
 *   (`/?token=…`); the page keeps it in sessionStorage (scoped to this origin, port included) and
 *   sends it as `Authorization: Bearer` on uploads and as a WebSocket subprotocol
 *   (`crucible-token.<token>`) when it opens the socket. No cookie: browsers send a 127.0.0.1
 *   cookie to every port of that host, so any other local server the user visits would receive
 *   it. The renderer's static files are public (they hold no secret); everything that acts needs
 *   the token;
 * - the Host header must name this host and port (DNS rebinding), and a request that carries an
 *   Origin must come from this origin; a socket must carry one;
 * - static files come from a list made at start-up, so no request path can reach another file;
 * - message, upload and connection limits.
 *
 * Uploads: `POST /api/upload?name=` takes one model file and imports it at once. A drop of a model
 * with its external-data files (or a folder) is one upload group: each file is staged with
 * `POST /api/upload?group=<id>&name=<relative path>` into one temp folder, keeping the layout the
 * model's data locations expect, then `POST /api/upload/commit?group=<id>` imports every .onnx in
 * it with its siblings and answers one Result per model. The size limit counts a group as a whole.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ModelEntry } from '../ipc/contract';
import { AppError, toErrorData } from '../shared/errors';
import type { Result } from '../shared/result';
import { processAlive } from '../engine/child-process';
import { dispatch, parseInvokeFrame, type InvokeFrame } from '../services/dispatch';
import type { EventBus } from '../services/events';
import type { Services } from '../services/services';

export interface HostOptions {
  services: Services;
  bus: EventBus;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Fixed token for tests; a random one otherwise. */
  token?: string;
  /** Where uploads are streamed before the library takes them. */
  uploadDir: string;
  /** Takes an uploaded file (streamed to a temp path) into the library. */
  importUpload: (tempFile: string, originalName: string) => Promise<ModelEntry>;
  maxUploadBytes?: number;
  /** WebSockets at once; HTTP connections at once are four times this. */
  maxConnections?: number;
  /** A client must finish sending its headers within this long (default 10 s). */
  headersTimeoutMs?: number;
  /** A request (an upload) whose socket sends nothing for this long is dropped (default 60 s). */
  idleTimeoutMs?: number;
  /** Largest WebSocket message (default 8 MiB). */
  maxMessageBytes?: number;
  /** Calls one socket may have running at once (default 16); past it, reading stops. */
  maxInFlight?: number;
  /** Calls read past `maxInFlight` that wait for a slot (default 256); past it, cut off. */
  maxWaiting?: number;
  /** Reply bytes queued for a socket before reading from it stops (default 16 MiB). */
  maxQueuedReplyBytes?: number;
  /** A socket whose queued replies stay over the limit this long is cut off (default 10 s). */
  drainTimeoutMs?: number;
  /** Calls a second one socket may make, with bursts of twice that (default 200). */
  maxRequestsPerSecond?: number;
  /** A socket that stays over its rate this long is cut off (default 5 s). */
  throttleCutoffMs?: number;
  /** Where refusals are logged. */
  log?: (line: string) => void;
}

export interface RunningHost {
  url: string;
  /** The URL without the token (what the page shows once authenticated). */
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/**
 * A socket message's limit. run:image carries its picture as base64 RGBA: the renderer scales
 * pictures to at most 1024 px a side (4 MiB of RGBA, 5.4 MiB as base64), so 8 MiB leaves room.
 */
const MAX_WS_MESSAGE = 8 << 20;
/** Files in one upload group (a dropped folder), and how long an unfinished group is kept. */
const MAX_GROUP_FILES = 1000;
const GROUP_TTL_MS = 60 * 60 * 1000;

interface UploadGroup {
  dir: string;
  bytes: number;
  /** Relative names staged so far. */
  files: Set<string>;
  /** Set once commit started: no more files. */
  closed: boolean;
  touched: number;
}

/** Starts the host on 127.0.0.1 and resolves once it listens. */
export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const tokenBuf = Buffer.from(token);
  const log = opts.log ?? ((line: string) => console.warn(line));
  const maxUpload = opts.maxUploadBytes ?? 8 * 1024 ** 3;
  const maxConnections = opts.maxConnections ?? 16;
  const files = await loadStaticFiles(opts.rendererDir);
  const groups = new Map<string, UploadGroup>();
  await sweepStaleGroups(opts.uploadDir);
  let port = 0;

  const tokenMatches = (candidate: string | undefined): boolean => {
    if (!candidate) return false;
    const b = Buffer.from(candidate);
    return b.length === tokenBuf.length && timingSafeEqual(b, tokenBuf);
  };
  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = (): string[] => allowedHosts().map((h) => `http://${h}`);

  /** Host and Origin checks. */
  const checkOrigin = (
    req: http.IncomingMessage,
    requireOrigin: boolean,
  ): { status: number; reason: string } | null => {
    if (!allowedHosts().includes(req.headers.host ?? '')) {
      return { status: 421, reason: `foreign Host header ${JSON.stringify(req.headers.host)}` };
    }
    const origin = req.headers.origin;
    if (origin !== undefined ? !allowedOrigins().includes(origin) : requireOrigin) {
      return { status: 403, reason: `foreign Origin ${JSON.stringify(origin ?? null)}` };
    }
    return null;
  };

  /** Host, Origin and token checks shared by HTTP requests and socket upgrades. */
  const check = (
    req: http.IncomingMessage,
    requireOrigin: boolean,
  ): { status: number; reason: string } | null => {
    const foreign = checkOrigin(req, requireOrigin);
    if (foreign) return foreign;
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    if (!tokenMatches(bearer) && !tokenMatches(protocolToken(req))) {
      return { status: 401, reason: 'missing or wrong token' };
    }
    return null;
  };

  const headersTimeout = opts.headersTimeoutMs ?? 10_000;
  const server = http.createServer(
    {
      headersTimeout,
      // Node checks header and request timeouts on this period (default 30 s, which would let a
      // slow client hold a connection three times longer than the limit says).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
      requestTimeout: 0, // uploads can be long; stalled ones end by the idle timeout below
    },
    (req, res) => {
      void handleRequest(req, res).catch((err: unknown) => {
        log(`host: ${req.method} ${req.url} failed: ${(err as Error).stack ?? String(err)}`);
        if (!res.headersSent) sendText(res, 500, 'internal error');
        else res.destroy();
      });
    },
  );
  // Sockets that go quiet mid-request (a stalled upload) are destroyed; WebSockets clear their
  // socket's timeout when they upgrade, so they stay.
  server.timeout = opts.idleTimeoutMs ?? 60_000;
  server.keepAliveTimeout = 5_000;
  // HTTP connections at once. Node's own maxConnections refuses the newest connection, so 70
  // half-sent requests (a slow loris) would lock every new client out until their header timeout;
  // here a new connection past the limit evicts the oldest one that is not in a request (headers
  // unfinished, or idle between keep-alive requests) and is refused only when every connection is
  // busy. A real client's headers arrive in one packet on loopback, so it is never the oldest.
  const maxHttp = maxConnections * 4;
  const open = new Set<Socket>();
  const idle = new Set<Socket>(); // insertion order = oldest first
  server.on('connection', (socket: Socket) => {
    if (open.size >= maxHttp) {
      const oldest = idle.values().next().value;
      if (oldest) {
        log('host: evicted an idle or half-sent connection to make room');
        oldest.destroy();
        open.delete(oldest);
        idle.delete(oldest);
      } else {
        log('host: refused a connection: too many connections');
        socket.destroy();
        return;
      }
    }
    open.add(socket);
    idle.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      idle.delete(socket);
    });
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    idle.delete(req.socket);
    res.once('finish', () => {
      if (open.has(req.socket) && !req.socket.destroyed) idle.add(req.socket);
    });
  });

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const isStatic = req.method === 'GET' || req.method === 'HEAD';
    // The launch URL: a wrong token is told at once (the page would only fail later).
    if (isStatic && url.pathname === '/' && url.searchParams.has('token')) {
      if (!tokenMatches(url.searchParams.get('token') ?? undefined)) {
        log('host: refused the launch URL with a wrong token');
        return sendText(res, 401, 'wrong token');
      }
    }
    // Static files hold no secret: only the Host (DNS rebinding) and Origin checks apply to them.
    const refused = isStatic ? checkOrigin(req, false) : check(req, true);
    if (refused) {
      log(`host: refused ${req.method} ${url.pathname}: ${refused.reason}`);
      return sendText(
        res,
        refused.status,
        refused.status === 401
          ? 'Crucible: open the link printed where Crucible started (it carries a per-launch token).'
          : 'refused',
      );
    }
    if (req.method === 'POST' && url.pathname === '/api/upload') {
      const group = url.searchParams.get('group');
      const name = url.searchParams.get('name') ?? '';
      return group === null ? handleUpload(req, res, name) : handleStage(req, res, group, name);
    }
    if (req.method === 'POST' && url.pathname === '/api/upload/commit') {
      req.resume();
      req.socket.setTimeout(0); // imports can take long with nothing on the socket
      return handleCommit(res, url.searchParams.get('group') ?? '');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendText(res, 405, 'method not allowed');
    const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    const body = files.get(name);
    if (!body) return sendText(res, 404, 'not found');
    res.writeHead(200, {
      ...securityHeaders(port),
      'content-type': CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream',
      'content-length': body.length,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function handleUpload(req: http.IncomingMessage, res: http.ServerResponse, name: string) {
    const base = path.basename(name);
    if (!base || base !== name || base.startsWith('.')) {
      return sendJson(
        res,
        400,
        failure('BAD_REQUEST', `invalid file name ${JSON.stringify(name)}`),
      );
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > maxUpload) {
      req.resume();
      return sendJson(res, 413, failure('BAD_REQUEST', `${base} is larger than the upload limit`));
    }
    await mkdir(opts.uploadDir, { recursive: true });
    // Named with this process's pid, so a later start can tell an orphan from a live upload.
    const tmp = path.join(
      opts.uploadDir,
      `${process.pid}-${randomBytes(8).toString('hex')}.upload`,
    );
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxUpload) req.destroy(new Error('upload limit exceeded'));
    });
    try {
      await pipeline(req, createWriteStream(tmp, { flags: 'wx' }));
      // The body is in; hashing and inspecting a large model is quiet on the socket, and must not
      // look like a stalled client.
      req.socket.setTimeout(0);
      const entry = await opts.importUpload(tmp, base);
      sendJson(res, 200, { ok: true, value: entry } satisfies Result<ModelEntry>);
    } catch (err) {
      const tooBig = received > maxUpload;
      sendJson(
        res,
        tooBig ? 413 : err instanceof AppError ? 422 : 500,
        tooBig
          ? failure('BAD_REQUEST', `${base} is larger than the upload limit`)
          : { ok: false, error: toErrorData(err) },
      );
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Stages one file of an upload group under its relative name. */
  async function handleStage(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    groupId: string,
    name: string,
  ) {
    const refuse = (status: number, message: string) => {
      req.resume();
      sendJson(res, status, failure('BAD_REQUEST', message));
    };
    if (!GROUP_ID.test(groupId))
      return refuse(400, `invalid upload group ${JSON.stringify(groupId)}`);
    const segments = relativeNameSegments(name);
    if (segments === null) return refuse(400, `invalid file name ${JSON.stringify(name)}`);
    const rel = segments.join('/');
    const now = Date.now();
    for (const [id, g] of groups) {
      if (!g.closed && now - g.touched > GROUP_TTL_MS) {
        groups.delete(id);
        await rm(g.dir, { recursive: true, force: true });
      }
    }
    let group = groups.get(groupId);
    if (!group) {
      group = {
        dir: path.join(opts.uploadDir, `group-${groupId}`),
        bytes: 0,
        files: new Set(),
        closed: false,
        touched: now,
      };
      groups.set(groupId, group);
    }
    if (group.closed) return refuse(409, `upload group ${groupId} is already being imported`);
    if (group.files.has(rel)) return refuse(409, `${rel} was already sent in this drop`);
    if (group.files.size >= MAX_GROUP_FILES) {
      return refuse(413, `a drop can hold at most ${MAX_GROUP_FILES} files`);
    }
    // group.bytes counts what every file of the drop has sent or declared so far, including files
    // still arriving, so parallel uploads into one group cannot each pass the limit alone.
    const declared = Number(req.headers['content-length'] ?? NaN);
    let charged = Number.isFinite(declared) && declared >= 0 ? declared : 0;
    if (group.bytes + charged > maxUpload) {
      return refuse(413, `${rel} makes this drop larger than the upload limit`);
    }
    group.bytes += charged;
    group.files.add(rel);
    group.touched = now;
    const target = path.join(group.dir, ...segments);
    await mkdir(path.dirname(target), { recursive: true });
    let received = 0;
    const g = group;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > charged) {
        g.bytes += received - charged;
        charged = received;
      }
      if (g.bytes > maxUpload) {
        tooBig = true;
        req.destroy(new Error('upload limit exceeded'));
      }
    });
    try {
      await pipeline(req, createWriteStream(target, { flags: 'wx' }));
      g.bytes -= charged - received; // a body shorter than it declared
      sendJson(res, 200, { ok: true, value: { name: rel, bytes: received } });
    } catch (err) {
      g.bytes -= charged;
      g.files.delete(rel);
      await rm(target, { force: true });
      sendJson(
        res,
        tooBig ? 413 : 500,
        tooBig
          ? failure('BAD_REQUEST', `${rel} makes this drop larger than the upload limit`)
          : { ok: false, error: toErrorData(err) },
      );
    }
  }

  /**
   * Imports every .onnx of a group with its siblings, one Result per model (or per file, when the
   * drop held no model at all), then removes the staging folder.
   */
  async function handleCommit(res: http.ServerResponse, groupId: string) {
    const group = GROUP_ID.test(groupId) ? groups.get(groupId) : undefined;
    if (!group || group.closed) {
      return sendJson(res, 404, {
        ok: false,
        error: { code: 'NOT_FOUND', message: `no upload group ${JSON.stringify(groupId)}` },
      } satisfies Result<never>);
    }
    group.closed = true;
    const results: Result<ModelEntry>[] = [];
    try {
      const names = [...group.files].sort();
      const models = names.filter((n) => n.toLowerCase().endsWith('.onnx'));
      for (const rel of models) {
        try {
          const entry = await opts.importUpload(path.join(group.dir, ...rel.split('/')), rel);
          results.push({ ok: true, value: entry });
        } catch (err) {
          results.push({ ok: false, error: toErrorData(err) });
        }
      }
      if (models.length === 0) {
        for (const rel of names) {
          results.push({
            ok: false,
            error: { code: 'MODEL_INVALID', message: `${rel} is not an ONNX model (.onnx)` },
          });
        }
      }
    } finally {
      // Gone before the answer, so nothing staged outlives the drop it belonged to.
      groups.delete(groupId);
      await rm(group.dir, { recursive: true, force: true });
    }
    sendJson(res, 200, { ok: true, value: results } satisfies Result<Result<ModelEntry>[]>);
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxMessageBytes ?? MAX_WS_MESSAGE,
    // The page offers ['crucible', 'crucible-token.<token>']: the answer names only the first,
    // so the token is never echoed back.
    handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    idle.delete(socket as Socket);
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const refused =
      url.pathname === '/ws' ? check(req, true) : { status: 404, reason: 'no such socket' };
    if (refused || sockets.size >= maxConnections) {
      const reason = refused?.reason ?? 'too many connections';
      log(`host: refused socket: ${reason}`);
      socket.end(`HTTP/1.1 ${refused?.status ?? 503} Refused\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws));
  });

  let nextClient = 0;
  const maxInFlight = opts.maxInFlight ?? 16;
  const maxWaiting = opts.maxWaiting ?? 256;
  const maxQueued = opts.maxQueuedReplyBytes ?? 16 << 20;
  const drainTimeout = opts.drainTimeoutMs ?? 10_000;
  const rate = opts.maxRequestsPerSecond ?? 200;
  const burst = rate * 2;
  const throttleCutoff = opts.throttleCutoffMs ?? 5_000;

  /**
   * One client's budget. Reading stops (ws.pause: the kernel's buffers fill and the client's own
   * sends block) while it has `maxInFlight` calls running, while its replies are not drained, or
   * while it is over its request rate; it is cut off (1008) when its replies stay undrained for
   * `drainTimeoutMs`, or when it stays over its rate for `throttleCutoffMs` — what a flood looks
   * like, and never what the page does.
   */
  function onSocket(ws: WebSocket) {
    const clientId = `ws-${++nextClient}`;
    sockets.add(ws);
    let inFlight = 0;
    /**
     * Frames read before reading paused: they wait for a free slot instead of failing, since
     * the page itself may have more than `maxInFlight` calls out (start-up, several panes
     * polling). Bounded in count and bytes: a client that fills it is flooding, and is cut off.
     */
    const waiting: { frame: InvokeFrame; bytes: number }[] = [];
    let waitingBytes = 0;
    let tokens = burst;
    let refilledAt = Date.now();
    let throttledSince: number | null = null;
    let rateTimer: NodeJS.Timeout | null = null;
    let drainTimer: NodeJS.Timeout | null = null;
    let drainPoll: NodeJS.Timeout | null = null;
    let cut = false;

    const cutOff = (reason: string) => {
      if (cut) return;
      cut = true;
      log(`host: cut off ${clientId}: ${reason}`);
      ws.close(1008, reason.slice(0, 100));
      // A client that does not read will not read the close frame either.
      setTimeout(() => ws.terminate(), 1000).unref();
    };
    const undrained = () => ws.bufferedAmount > maxQueued;
    /** Reads again once nothing holds the client back. */
    const settle = () => {
      if (cut || ws.readyState !== ws.OPEN) return;
      const hold = inFlight >= maxInFlight || rateTimer !== null || undrained();
      if (hold && !ws.isPaused) ws.pause();
      else if (!hold && ws.isPaused) ws.resume();
    };
    /** Called after every frame sent to this client. */
    const watchDrain = () => {
      if (!undrained() || drainTimer) return;
      settle();
      drainTimer = setTimeout(() => cutOff('replies not read'), drainTimeout);
      drainPoll = setInterval(() => {
        if (undrained()) return;
        clearTimeout(drainTimer ?? undefined);
        clearInterval(drainPoll ?? undefined);
        drainTimer = drainPoll = null;
        settle();
      }, 50);
    };
    const sendFrame = (frame: string) => {
      if (ws.readyState !== ws.OPEN || cut) return;
      ws.send(frame);
      watchDrain();
    };
    clientSenders.set(ws, sendFrame);

    ws.on('message', (data, isBinary) => {
      if (cut) return;
      const now = Date.now();
      tokens = Math.min(burst, tokens + ((now - refilledAt) / 1000) * rate);
      refilledAt = now;
      tokens -= 1;
      if (tokens < 1) {
        throttledSince ??= now;
        if (now - throttledSince > throttleCutoff) {
          cutOff(`over ${rate} requests a second for ${throttleCutoff / 1000} s`);
          return;
        }
        if (!rateTimer) {
          rateTimer = setTimeout(
            () => {
              rateTimer = null;
              settle();
            },
            Math.ceil(((1 - tokens) / rate) * 1000),
          );
          settle();
        }
      } else if (tokens >= burst / 2) {
        throttledSince = null;
      }
      let parsed: unknown;
      let text = '';
      try {
        if (isBinary) throw new Error('binary frame');
        text = data.toString();
        parsed = JSON.parse(text);
      } catch {
        log(`host: refused a malformed message from ${clientId}`);
        return;
      }
      const frame = parseInvokeFrame(parsed);
      if ('refused' in frame) {
        log(`host: refused a message from ${clientId}: ${frame.refused}`);
        return;
      }
      if (inFlight >= maxInFlight) {
        const bytes = text.length;
        if (waiting.length >= maxWaiting || waitingBytes + bytes > maxQueued) {
          cutOff(`more than ${maxWaiting} calls waiting behind ${maxInFlight} running`);
          return;
        }
        waiting.push({ frame, bytes });
        waitingBytes += bytes;
        return;
      }
      start(frame);
    });
    const start = (frame: InvokeFrame) => {
      inFlight++;
      settle();
      void dispatch(opts.services.handlers, frame.channel, frame.input, { clientId }, log)
        .then((result) => {
          let reply: string;
          try {
            reply = JSON.stringify({ type: 'result', id: frame.id, result });
          } catch (err) {
            reply = JSON.stringify({
              type: 'result',
              id: frame.id,
              result: { ok: false, error: toErrorData(err) },
            });
          }
          sendFrame(reply);
        })
        .catch((err: unknown) => log(`host: ${clientId} call failed: ${String(err)}`))
        .finally(() => {
          inFlight--;
          const next = cut ? undefined : waiting.shift();
          if (next) {
            waitingBytes -= next.bytes;
            start(next.frame);
          } else settle();
        });
    };
    ws.on('close', () => {
      waiting.length = 0;
      sockets.delete(ws);
      clientSenders.delete(ws);
      for (const t of [rateTimer, drainTimer]) if (t) clearTimeout(t);
      if (drainPoll) clearInterval(drainPoll);
      opts.services.clientGone(clientId);
    });
    ws.on('error', () => ws.terminate());
  }
  const clientSenders = new Map<WebSocket, (frame: string) => void>();
  const offBus = opts.bus.onAny((event, payload) => {
    const frame = JSON.stringify({ type: 'event', event, payload });
    for (const send of clientSenders.values()) send(frame);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    async close() {
      offBus();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Upload group ids: made by the page (a random UUID), checked so they are safe in a path. */
const GROUP_ID = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * The segments of a relative upload name ("resnet/model.onnx"), or null when any segment could
 * leave the staging folder or is not a plain name: empty, `.`/`..` or hidden, backslashes, drive
 * colons, control characters. At most 8 levels deep.
 */
export function relativeNameSegments(name: string): string[] | null {
  if (name.length === 0 || name.length > 1024) return null;
  const segments = name.split('/');
  if (segments.length > 8) return null;
  for (const s of segments) {
    if (s === '' || s.startsWith('.') || path.basename(s) !== s) return null;
    if (/[\\:]/.test(s) || [...s].some((ch) => ch.charCodeAt(0) < 0x20)) return null;
  }
  return segments;
}

/**
 * Removes what an earlier run left when it was killed mid-upload: `<pid>-<hex>.upload` files whose
 * process is gone (or older than the TTL: the pid may be reused), and upload groups older than the
 * TTL. A host killed with SIGKILL never runs its `finally`, so only a start can clean up.
 */
export async function sweepStaleGroups(uploadDir: string): Promise<void> {
  for (const name of await readdir(uploadDir).catch(() => [])) {
    if (name.endsWith('.upload')) {
      const file = path.join(uploadDir, name);
      const pid = Number(/^(\d+)-/.exec(name)?.[1] ?? NaN);
      const info = await stat(file).catch(() => null);
      const old = !info || Date.now() - info.mtimeMs > GROUP_TTL_MS;
      const orphan = !Number.isInteger(pid) || pid === process.pid || !processAlive(pid);
      if (old || orphan) await rm(file, { force: true });
      continue;
    }
    if (!name.startsWith('group-')) continue;
    const dir = path.join(uploadDir, name);
    const info = await stat(dir).catch(() => null);
    if (info && Date.now() - info.mtimeMs > GROUP_TTL_MS) {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** Reads every file of the built renderer once; only these can ever be served. */
async function loadStaticFiles(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new AppError(
      'FILE_NOT_FOUND',
      `the renderer is not built (${dir} is missing): run npm run build`,
    );
  }
  for (const name of names) {
    if (CONTENT_TYPES[path.extname(name)]) files.set(name, await readFile(path.join(dir, name)));
  }
  if (!files.has('index.html')) {
    throw new AppError(
      'FILE_NOT_FOUND',
      `${path.join(dir, 'index.html')} is missing: run npm run build`,
    );
  }
  return files;
}

/** The Content-Security-Policy and friends for every page response. */
export function securityHeaders(port: number): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data: blob:",
      "font-src 'self'",
      `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-store',
  };
}

/** The subprotocol the page asks for, and the prefix of the one that carries its token. */
const WS_PROTOCOL = 'crucible';
const TOKEN_PROTOCOL_PREFIX = 'crucible-token.';

/** The token a socket upgrade offers as a subprotocol (`crucible-token.<token>`), if any. */
function protocolToken(req: http.IncomingMessage): string | undefined {
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return undefined;
  for (const p of header.split(',')) {
    const v = p.trim();
    if (v.startsWith(TOKEN_PROTOCOL_PREFIX)) return v.slice(TOKEN_PROTOCOL_PREFIX.length);
  }
  return undefined;
}

function failure(code: 'BAD_REQUEST', message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

function sendText(res: http.ServerResponse, status: number, text: string) {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(text);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
