import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  allowNavigation,
  decideWindowOpen,
  isTrustedRendererUrl,
  rendererUrlPrefix,
} from './navigation';

const dir = path.resolve('/opt/Crucible/resources/app/dist/renderer');
const page = pathToFileURL(path.join(dir, 'index.html')).href;

describe('isTrustedRendererUrl', () => {
  it.each([
    [page, true],
    [`${page}#/models`, true],
    [`${page}?x=1`, true],
    [pathToFileURL(path.join(dir, 'app.js')).href, true],
    ['file://localhost' + new URL(page).pathname, true],
    // Dot segments, plain and percent-encoded, resolve out of the folder.
    [`${rendererUrlPrefix(dir)}../../../../etc/passwd`, false],
    [`${rendererUrlPrefix(dir)}%2e%2e/%2e%2e/secret.html`, false],
    [`${rendererUrlPrefix(dir)}..%2f..%2fsecret.html`, false],
    // A look-alike sibling folder shares the prefix string but not the folder.
    [pathToFileURL(dir + '-evil/index.html').href, false],
    [pathToFileURL('/etc/passwd').href, false],
    ['file://evil.example/share/index.html', false],
    ['https://evil.example/', false],
    ['http://127.0.0.1:1234/', false],
    ['javascript:alert(1)', false],
    ['data:text/html,<script>alert(1)</script>', false],
    ['crucible://x', false],
    ['about:blank', false],
    ['not a url', false],
    ['', false],
  ])('%s → %s', (url, trusted) => {
    expect(isTrustedRendererUrl(url, dir)).toBe(trusted);
    expect(allowNavigation(url, dir)).toBe(trusted);
  });
});

describe('decideWindowOpen', () => {
  it.each([
    ['https://onnxruntime.ai/docs/', 'https://onnxruntime.ai/docs/'],
    ['https://developer.nvidia.com/tensorrt', 'https://developer.nvidia.com/tensorrt'],
    ['https://user:pass@evil.example/', null],
    ['http://example.com/', null],
    ['file:///etc/passwd', null],
    ['javascript:alert(1)', null],
    ['ms-msdt:/id PCWDiagnostic', null],
    ['smb://server/share', null],
    ['data:text/html,x', null],
    [page, null],
    ['', null],
    ['https://', null],
  ])('%s → external %s, never a new window', (url, external) => {
    const d = decideWindowOpen(url);
    expect(d.action).toBe('deny');
    expect(d.openExternally).toBe(external);
  });
});
