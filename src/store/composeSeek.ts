/** @module composeSeek: what a checkpoint's seek entry holds: a full of the live actors and timers, or the delta since the previous one. */
import type { KindName } from '../../machines/address.js';
import { kinds } from '../kernel/kinds/index.js';
import type { TriggerKeyRecord } from '../kernel/TriggerKeys.js';
import { sharesChunk } from './changeCodec.js';
import type { CheckpointWrite, StoredActor, StoredTimer } from './HiveStore.js';
import type { HiveDatabases } from './openHiveDatabases.js';
import { patchOf, type SeekDelta, type SeekFull } from './seekCodec.js';

/** The live actors and timers as of checkpoint `w`: those the store holds now, with `w` applied. */
export function composeFull(p: HiveDatabases, w: CheckpointWrite): SeekFull {
  const actors = new Map<string, StoredActor>();
  for (const address of p.live.getKeys()) {
    const actor = p.actors.get(address as string);
    if (actor) actors.set(address as string, actor);
  }
  for (const a of w.actors) {
    if (a.live) actors.set(a.address, a.actor);
    else actors.delete(a.address);
  }
  for (const pr of w.pruned) actors.delete(pr.address);
  for (const address of w.removed ?? []) actors.delete(address);
  const timers = new Map<string, StoredTimer>();
  for (const { value } of p.timers.getRange()) timers.set(value.timerId, value);
  for (const t of w.timersSet) timers.set(t.timerId, t);
  for (const id of w.timersCleared) timers.delete(id);
  const keys = new Map<string, TriggerKeyRecord>();
  for (const { key, value } of p.triggerKeys?.getRange() ?? []) keys.set(key, value);
  for (const [k, r] of w.triggerKeys?.set ?? []) keys.set(k, r);
  for (const k of w.triggerKeys?.deleted ?? []) keys.delete(k);
  return { actors: [...actors], timers: [...timers.values()], triggerKeys: [...keys] };
}

/** What checkpoint `w` changed, as a seek delta: actors that were live already as patches of their stored form. */
export function composeDelta(p: HiveDatabases, w: CheckpointWrite): SeekDelta {
  const live: SeekDelta['live'] = [];
  const patched: NonNullable<SeekDelta['patched']> = [];
  const done: string[] = [];
  for (const a of w.actors) {
    // Only what was live at the previous checkpoint needs a patch or a removal: a task created
    // and finished in between never was in the live set. The status it was stored with says so.
    const kind = kinds[a.actor.kind as KindName];
    const wasLive = a.previousStatus !== undefined && kind !== undefined && !kind.isFinished(a.previousStatus);
    if (!a.live) {
      if (wasLive) done.push(a.address);
      continue;
    }
    // Long-lived actors (agents, the coordinator) change a few fields per checkpoint: a patch is
    // small. A task is written whole (reading its stored form to patch it costs more than it saves).
    const before = wasLive && !sharesChunk(a.address) ? p.actors.get(a.address) : undefined;
    if (before) patched.push([a.address, patchOf(before, a.actor)]);
    else live.push([a.address, a.actor]);
  }
  for (const address of [...w.pruned.map((pr) => pr.address), ...(w.removed ?? [])]) if (p.live.get(address) !== undefined) done.push(address);
  const timersCleared = w.timersCleared.filter((id) => p.timers.get(id) !== undefined);
  const delta: SeekDelta = { live, patched, done, timersSet: w.timersSet, timersCleared };
  if (w.triggerKeys?.set.length) delta.keysSet = w.triggerKeys.set;
  const keysDeleted = (w.triggerKeys?.deleted ?? []).filter((k) => p.triggerKeys?.get(k) !== undefined);
  if (keysDeleted.length) delta.keysDeleted = keysDeleted;
  return delta;
}
