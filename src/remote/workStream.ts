/**
 * @module workStream: the JetStream stream that carries attempts and verifications, and the durable
 * pull consumers that read it. Created by whichever side starts first; the same config either way.
 */
import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Subjects } from './protocol.js';

/** A work message is redelivered when its worker neither acknowledged it nor said `working()` for this long. */
export const ackWaitMs = 30_000;
/** Publishes with the same `taskId:attempt` within this window are dropped by the server. */
export const duplicateWindowMs = 10 * 60_000;

/**
 * Creates the work-queue stream unless it exists (file storage: messages survive a server restart).
 * @example await ensureWorkStream(await jetstreamManager(nc), subjects('hivestate'))
 */
export async function ensureWorkStream(jsm: JetStreamManager, s: Subjects): Promise<void> {
  try {
    await jsm.streams.info(s.stream);
    return;
  } catch {
    // not there yet
  }
  await jsm.streams.add({
    name: s.stream,
    subjects: [`${s.prefix}.work.*`, `${s.prefix}.verify.*`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: nanos(duplicateWindowMs),
  });
}

/**
 * Creates (or keeps) a durable pull consumer reading one subject of the stream.
 * @example await ensureConsumer(jsm, s, s.workConsumer('w1'), s.work('w1'))
 */
export async function ensureConsumer(jsm: JetStreamManager, s: Subjects, name: string, subject: string): Promise<void> {
  try {
    await jsm.consumers.info(s.stream, name);
    return;
  } catch {
    // not there yet
  }
  await jsm.consumers.add(s.stream, {
    durable_name: name,
    filter_subject: subject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(ackWaitMs),
    max_deliver: -1,
  });
}
