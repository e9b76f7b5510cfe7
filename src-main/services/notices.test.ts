import { describe, expect, it } from 'vitest';
import type { Notice } from '../ipc/contract';
import { NoticeBoard } from './notices';

function board() {
  const pushed: Notice[] = [];
  const logged: string[] = [];
  let clock = 1000;
  const b = new NoticeBoard(
    { emit: (_event, payload) => pushed.push(payload as Notice) },
    (l) => logged.push(l),
    () => clock++,
  );
  return { b, pushed, logged };
}

describe('NoticeBoard', () => {
  it('keeps, logs and pushes each notice with a unique id', async () => {
    const { b, pushed, logged } = board();
    b.add('The model library was damaged');
    b.add('Compile cache entry x is stale: driver changed', 'info');
    const list = await b.handlers()['app:notices']({}, { clientId: 't' });
    expect(list).toEqual([
      { id: 'notice-1', level: 'warning', message: 'The model library was damaged', at: 1000 },
      {
        id: 'notice-2',
        level: 'info',
        message: 'Compile cache entry x is stale: driver changed',
        at: 1001,
      },
    ]);
    expect(pushed).toEqual(list);
    expect(logged).toEqual(list.map((n) => n.message));
  });

  it('keeps the latest 50 when notices keep coming', () => {
    const { b } = board();
    for (let i = 1; i <= 60; i++) b.add(`n${i}`);
    const list = b.list();
    expect(list).toHaveLength(50);
    expect([list[0]?.message, list[49]?.message]).toEqual(['n11', 'n60']);
  });
});
