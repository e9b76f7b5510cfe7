/**
 * The page's confinement, checked in the real app: no Node in the renderer, the CSP present and
 * enforced (an injected inline script does not run and is reported), nothing sent to other
 * origins, the page never framed, and no new windows in Electron.
 */
import { expect, test } from './fixtures/app';

test('the renderer cannot reach Node', async ({ app }) => {
  const seen = await app.page.evaluate(() => ({
    require: typeof (globalThis as { require?: unknown }).require,
    process: typeof (globalThis as { process?: unknown }).process,
    module: typeof (globalThis as { module?: unknown }).module,
    Buffer: typeof (globalThis as { Buffer?: unknown }).Buffer,
    global: typeof (globalThis as { global?: unknown }).global,
  }));
  expect(seen).toEqual({
    require: 'undefined',
    process: 'undefined',
    module: 'undefined',
    Buffer: 'undefined',
    global: 'undefined',
  });
  // In Electron the bridge exposes the contract and nothing else (never ipcRenderer).
  const bridge = await app.page.evaluate(() => {
    const c = (window as { crucible?: Record<string, unknown> }).crucible;
    return c ? Object.keys(c).sort() : null;
  });
  if (bridge !== null) expect(bridge).toEqual(['getPathForFile', 'invoke', 'on']);
});

test('the CSP holds: an injected inline script does not run and is reported; eval is refused', async ({
  app,
}) => {
  const { page } = app;
  const result = await page.evaluate(
    () =>
      new Promise<{ directive: string; ran: boolean; evalRefused: boolean }>((resolve) => {
        const w = window as { __pwned?: number };
        document.addEventListener(
          'securitypolicyviolation',
          (e) => {
            let evalRefused = false;
            try {
              eval('1');
            } catch {
              evalRefused = true;
            }
            // Give a script that slipped through the chance to have run.
            setTimeout(
              () => resolve({ directive: e.effectiveDirective, ran: w.__pwned === 1, evalRefused }),
              50,
            );
          },
          { once: true },
        );
        const s = document.createElement('script');
        s.textContent = 'window.__pwned = 1';
        document.body.appendChild(s);
      }),
  );
  expect(result.ran).toBe(false);
  expect(result.directive).toMatch(/^script-src/);
  expect(result.evalRefused).toBe(true);
});

test('the page carries its security headers (browser mode)', async ({ app }) => {
  test.skip(app.origin === null, 'Electron sets the CSP through its session, not over HTTP');
  const res = await app.page.request.get(`${app.origin}/`);
  expect(res.status()).toBe(200);
  const h = res.headers();
  expect(h['content-security-policy']).toContain("default-src 'none'");
  expect(h['content-security-policy']).toContain("script-src 'self'");
  expect(h['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(h['content-security-policy']).toContain("form-action 'none'");
  expect(h['cross-origin-opener-policy']).toBe('same-origin');
  expect(h['x-frame-options']).toBe('DENY');
  expect(h['x-content-type-options']).toBe('nosniff');
});

test('nothing leaves for another origin: fetch, images and forms are blocked by the CSP', async ({
  app,
}) => {
  const { page } = app;
  // localhost is another origin than 127.0.0.1 (same machine, so nothing leaves it either way).
  const blocked = await page.evaluate(async () => {
    const violations: string[] = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      violations.push(e.effectiveDirective),
    );
    let fetchFailed = false;
    try {
      await fetch('http://localhost:9/exfiltrate?d=1');
    } catch {
      fetchFailed = true;
    }
    const img = new Image();
    img.src = 'http://localhost:9/pixel.png';
    document.body.appendChild(img);
    const form = document.createElement('form');
    form.action = 'http://localhost:9/post';
    form.method = 'post';
    document.body.appendChild(form);
    const before = location.href;
    form.submit();
    await new Promise((r) => setTimeout(r, 300));
    img.remove();
    form.remove();
    return { fetchFailed, violations, stayed: location.href === before };
  });
  expect(blocked.fetchFailed).toBe(true);
  expect(blocked.stayed).toBe(true);
  expect(blocked.violations).toEqual(
    expect.arrayContaining(['connect-src', 'img-src', 'form-action']),
  );
  // The refused form submission leaves a navigation pending in Chromium, which would stall the
  // next spec's actions on this shared page: start it afresh.
  await page.reload();
});

test('the page cannot be framed by another page (browser mode)', async ({ app }) => {
  test.skip(app.origin === null, 'Electron has no other page to frame it');
  // A same-origin page without a CSP of its own (the host's 404), holding the token in its sessionStorage:
  // only the app page's own frame-ancestors / X-Frame-Options can stop the frame loading.
  const other = await app.page.context().newPage();
  try {
    await other.goto(`${app.origin}/no-such-page`);
    const refused = new Promise<string>((resolve) =>
      other.on('console', (m) => {
        if (/frame-ancestors|X-Frame-Options/i.test(m.text())) resolve(m.text());
      }),
    );
    await other.evaluate((src) => {
      const f = document.createElement('iframe');
      f.src = src;
      document.body.appendChild(f);
    }, `${app.origin}/`);
    expect(await refused).toMatch(/frame-ancestors|X-Frame-Options/i);
    const framed = other.frames().find((f) => f !== other.mainFrame());
    // Refused frames end on an error page: no Crucible root inside.
    const hasApp = framed
      ? await framed.evaluate(() => document.getElementById('root') !== null).catch(() => false)
      : false;
    expect(hasApp).toBe(false);
  } finally {
    await other.close();
  }
});

test('window.open to another origin gets no handle on the app', async ({ app }) => {
  const { page } = app;
  const popups: unknown[] = [];
  const onPopup = (p: unknown) => popups.push(p);
  page.on('popup', onPopup);
  const handle = await page.evaluate(async () => {
    const w = window.open('http://localhost:9/', '_blank');
    // With COOP same-origin a cross-origin popup lands in another browsing-context group: the
    // opener sees it as closed and the popup sees no opener. Electron's handler denies it outright.
    // The switch happens when the popup's navigation commits, which a loaded machine can take
    // well over 300 ms to do: wait for it (up to 10 s), and judge what the handle says then.
    for (let waited = 0; w !== null && !w.closed && waited < 10_000; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
    }
    return { opened: w !== null, closedOrNull: w === null || w.closed };
  });
  page.off('popup', onPopup);
  expect(handle.closedOrNull).toBe(true);
  if (app.origin === null) expect(popups).toEqual([]);
  for (const p of popups) await (p as { close(): Promise<void> }).close().catch(() => undefined);
});
