import { beforeEach, describe, expect, it } from 'vitest';
import type { Notice } from '../../src-main/ipc/contract';
import {
  noticeDismissed,
  noticeReceived,
  noticesLoaded,
  resetNoticesStore,
  useNoticesStore,
} from './notices';

const notice = (id: number, at = id): Notice => ({
  id: `notice-${id}`,
  level: 'warning',
  message: `message ${id}`,
  at,
});
const ids = () => useNoticesStore.getState().notices.map((n) => n.id);

beforeEach(resetNoticesStore);

describe('notices store', () => {
  it('merges the first read with pushed notices, oldest first, each once', () => {
    noticeReceived(notice(3));
    noticesLoaded([notice(1), notice(2), notice(3)]);
    noticeReceived(notice(2));
    expect(ids()).toEqual(['notice-1', 'notice-2', 'notice-3']);
  });

  it('a dismissed notice stays dismissed when the list is read again', () => {
    noticesLoaded([notice(1), notice(2)]);
    noticeDismissed('notice-1');
    expect(ids()).toEqual(['notice-2']);
    noticesLoaded([notice(1), notice(2)]);
    noticeReceived(notice(1));
    expect(ids()).toEqual(['notice-2']);
  });
});
