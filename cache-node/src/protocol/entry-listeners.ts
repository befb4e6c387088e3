/**
 * IMap entry listeners (Map.AddEntryListener 0x011900, Map.AddEntryListenerToKey 0x011800):
 * store changes of partitions this member owns become entry events (0x011902 / 0x011802) on the
 * registration's connection. Supported event types: ADDED, UPDATED, REMOVED, EVICTED, EXPIRED
 * and CLEAR_ALL (a clear, evictAll of the whole map or destroy); values only with includeValue.
 */
import type { ChangeEvent } from '../store/types.js';
import { writeUuid } from './codecs.js';
import { MessageBuilder } from './message.js';
import type { ListenerConnection } from './near-cache-listeners.js';

/** Entry event type bits (the client's EntryEventType). */
export const EntryEventType = {
  ADDED: 1,
  REMOVED: 2,
  UPDATED: 4,
  EVICTED: 8,
  EXPIRED: 16,
  EVICT_ALL: 32,
  CLEAR_ALL: 64,
} as const;

export const ENTRY_EVENT = 0x011902;
export const KEY_ENTRY_EVENT = 0x011802;

export interface EntryRegistration {
  id: string;
  map: string;
  conn: ListenerConnection;
  correlation: bigint;
  includeValue: boolean;
  flags: number;
  localOnly: boolean;
  /** Only events of this key (bytes from offset 4 compared, as key identity). */
  key?: Buffer;
}

/** Which entry event a store change is (pure). */
export function entryEventTypeOf(event: ChangeEvent): number {
  switch (event.kind) {
    case 'put':
      return event.oldValue ? EntryEventType.UPDATED : EntryEventType.ADDED;
    case 'remove':
      return EntryEventType.REMOVED;
    case 'evict':
      return EntryEventType.EVICTED;
    case 'expire':
      return EntryEventType.EXPIRED;
    case 'clear':
      return EntryEventType.CLEAR_ALL;
    case 'ttl':
      return 0; // no listener flag matches: setTtl fires no entry event, as on a member
  }
}

export function encodeEntryEvent(
  reg: Pick<EntryRegistration, 'correlation' | 'includeValue' | 'key'>,
  event: ChangeEvent,
  memberUuid: string,
): Buffer {
  const type = reg.key ? KEY_ENTRY_EVENT : ENTRY_EVENT;
  const b = MessageBuilder.event(type, reg.correlation, event.partitionId ?? -1, 25);
  const c = b.initial;
  c.writeInt32LE(entryEventTypeOf(event), 16);
  // The client calls toString() on this member UUID: never null.
  writeUuid(c, 20, memberUuid);
  c.writeInt32LE(event.kind === 'clear' ? 0 : 1, 37);
  const data = (d: Buffer | undefined) => (d ? b.frame(d) : b.nullFrame());
  data(event.key);
  data(reg.includeValue ? event.value : undefined);
  data(reg.includeValue ? event.oldValue : undefined);
  b.nullFrame(); // mergingValue
  return b.build();
}

export class EntryListeners {
  private readonly byId = new Map<string, EntryRegistration>();

  constructor(
    private readonly memberUuid: string,
    private readonly ownsPartition: (p: number) => boolean,
  ) {}

  add(reg: EntryRegistration): void {
    this.byId.set(reg.id, reg);
  }

  remove(id: string): boolean {
    return this.byId.delete(id);
  }

  removeConnection(conn: ListenerConnection): void {
    for (const [id, reg] of this.byId) if (reg.conn === conn) this.byId.delete(id);
  }

  onChange(event: ChangeEvent): void {
    if (this.byId.size === 0) return;
    // Owners announce their own partitions' changes; a clear is announced by every member
    // (each clears its own partitions), deduplicated by the client as one map event per member.
    if (event.partitionId !== undefined && !this.ownsPartition(event.partitionId)) return;
    const type = entryEventTypeOf(event);
    for (const reg of this.byId.values()) {
      if (reg.map !== event.map || (reg.flags & type) === 0) continue;
      if (reg.key && (!event.key || !reg.key.subarray(4).equals(event.key.subarray(4)))) continue;
      reg.conn.send(encodeEntryEvent(reg, event, this.memberUuid));
    }
  }
}
