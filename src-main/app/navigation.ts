/**
 * The Electron window's URL guards, kept pure (no `electron` import) so they are unit-tested: which
 * URLs are our own bundled page (navigation allowed, IPC trusted), and what a request for a new
 * window turns into (always denied; a plain https link goes to the user's browser).
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * True when `url` is a file of the bundled renderer folder. The URL is parsed first, so dot
 * segments (`/renderer/../../etc`), their percent-encoded forms and look-alike prefixes
 * (`/renderer-evil/`) cannot pass; anything but a `file:` URL without a host is refused.
 */
export function isTrustedRendererUrl(url: string, rendererDir: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'file:' || (parsed.host !== '' && parsed.host !== 'localhost')) {
    return false;
  }
  let file: string;
  try {
    file = fileURLToPath(parsed);
  } catch {
    return false;
  }
  const root = path.resolve(rendererDir) + path.sep;
  return path.resolve(file).startsWith(root);
}

/** The file:// prefix of the renderer folder (what loadFile navigates to). */
export function rendererUrlPrefix(rendererDir: string): string {
  return pathToFileURL(path.resolve(rendererDir) + path.sep).href;
}

/** What to do with a window.open / target=_blank request: never a new Electron window. */
export interface WindowOpenDecision {
  action: 'deny';
  /** Set when the URL is a plain https link worth opening in the user's browser. */
  openExternally: string | null;
}

/**
 * Decides a new-window request. Only `https:` URLs with a host and no credentials go to the user's
 * browser (shell.openExternal); `file:`, `javascript:`, custom protocols (which could start other
 * programs), `http:` and anything unparsable are simply dropped.
 */
export function decideWindowOpen(url: string): WindowOpenDecision {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { action: 'deny', openExternally: null };
  }
  const safe =
    parsed.protocol === 'https:' &&
    parsed.hostname !== '' &&
    parsed.username === '' &&
    parsed.password === '';
  return { action: 'deny', openExternally: safe ? parsed.href : null };
}

/** Whether an in-window navigation may proceed: only to our own page. */
export function allowNavigation(url: string, rendererDir: string): boolean {
  return isTrustedRendererUrl(url, rendererDir);
}
