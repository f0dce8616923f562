/** @module AuditPanel: the audit trail of the selected actor: every coordination decision about it (or made by it) up to the current point, oldest first. */
import { useEffect, useState } from 'preact/hooks';
import type { AuditTrail } from '../inspectorApi.js';
import { api } from './api.js';
import { clock, short } from './format.js';

interface Props {
  address: string;
  position: number;
  onSeek(seq: number): void;
}

export function AuditPanel({ address, position, onSeek }: Props) {
  const [trail, setTrail] = useState<AuditTrail>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      api.audit(address, position).then(
        (a) => {
          if (!live) return;
          setTrail(a);
          setError(undefined);
        },
        (e: Error) => live && setError(e.message),
      );
    }, 60);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [address, position]);
  if (error) return <p class="error">{error}</p>;
  if (!trail) return <p class="muted">Loading the audit trail…</p>;
  if (!trail.available) return <p class="muted">This source keeps no audit log (recordings carry the journal only).</p>;
  return (
    <div class="audit" id="audit">
      <div class="small muted">
        {trail.records.length} decision{trail.records.length === 1 ? '' : 's'} about {address} up to input {trail.seq}
      </div>
      <table class="audit-table">
        <thead>
          <tr>
            <th>input</th>
            <th>time</th>
            <th>decision</th>
            <th>by</th>
            <th>outcome</th>
            <th>why</th>
          </tr>
        </thead>
        <tbody>
          {trail.records.map((r) => {
            const { reason, ...rest } = r.details;
            const extra = Object.entries(rest)
              .map(([k, v]) => `${k} ${short(v, 30)}`)
              .join(', ');
            return (
              <tr key={`${r.seq}.${r.index}`} data-type={r.type} data-seq={r.seq}>
                <td>
                  <button type="button" class="link" onClick={() => onSeek(r.seq)} title="Go to this input">
                    #{r.seq}
                  </button>
                </td>
                <td class="muted">{clock(r.at)}</td>
                <td>{r.type}</td>
                <td>{r.actor}</td>
                <td>{r.outcome}</td>
                <td>
                  {reason}
                  {extra ? <span class="muted small"> ({extra})</span> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
