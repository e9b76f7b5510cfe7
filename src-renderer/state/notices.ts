/**
 * Notices from the main side (app:notices at start, then app:notice): a damaged store kept aside
 * and rebuilt, the engine failing to start. Shown as a banner until the user dismisses each one;
 * a dismissed notice stays dismissed when the list is read again (a reconnect, a remount).
 */
import { create } from 'zustand';
import type { Notice } from '../../src-main/ipc/contract';

export interface NoticesState {
  /** Notices not yet dismissed, oldest first. */
  notices: Notice[];
  /** Ids the user dismissed in this window. */
  dismissed: string[];
}

const initial: NoticesState = { notices: [], dismissed: [] };

export const useNoticesStore = create<NoticesState>()(() => initial);

/** app:notices answered: every notice so far (duplicates of pushed ones are merged by id). */
export function noticesLoaded(list: Notice[]): void {
  for (const n of list) noticeReceived(n);
}

/** app:notice arrived. */
export function noticeReceived(notice: Notice): void {
  useNoticesStore.setState((s) =>
    s.dismissed.includes(notice.id) || s.notices.some((n) => n.id === notice.id)
      ? s
      : { notices: [...s.notices, notice].sort((a, b) => a.at - b.at) },
  );
}

/** The user closed a notice. */
export function noticeDismissed(id: string): void {
  useNoticesStore.setState((s) => ({
    notices: s.notices.filter((n) => n.id !== id),
    dismissed: [...s.dismissed, id],
  }));
}

/** Back to the first state (tests). */
export function resetNoticesStore(): void {
  useNoticesStore.setState(initial, true);
}
