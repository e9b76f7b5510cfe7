/**
 * Notices (`app:notices`, `app:notice`): what the user should be told that no call asked about —
 * a damaged library, settings or benchmark history kept aside and rebuilt, the engine failing to
 * start. Before this they reached only the log; now the main side keeps them for the app's
 * lifetime, so a window that opens (or reloads) after start-up still sees what happened, and
 * pushes each new one to the windows already open.
 */
import type { Notice } from '../ipc/contract';
import type { EventBus } from './events';
import type { DomainHandlers } from './services';

/** Kept at most; the oldest go first (a notice loop must not grow memory without bound). */
const MAX_NOTICES = 50;

/** The notices of this run of the app. */
export class NoticeBoard {
  private readonly notices: Notice[] = [];
  private next = 1;

  constructor(
    private readonly bus: Pick<EventBus, 'emit'>,
    /** Where notices are logged as well (the console, so logs keep telling the whole story). */
    private readonly log: (line: string) => void = (l) => console.warn(l),
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a notice, logs it and pushes it to every window; returns it. */
  add(message: string, level: Notice['level'] = 'warning'): Notice {
    const notice: Notice = { id: `notice-${this.next++}`, level, message, at: this.now() };
    this.notices.push(notice);
    if (this.notices.length > MAX_NOTICES) this.notices.shift();
    this.log(message);
    this.bus.emit('app:notice', notice);
    return notice;
  }

  /** The notices so far, oldest first. */
  list(): Notice[] {
    return [...this.notices];
  }

  /** The handlers this board answers. */
  handlers(): Pick<DomainHandlers, 'app:notices'> {
    return { 'app:notices': async () => this.list() };
  }
}
