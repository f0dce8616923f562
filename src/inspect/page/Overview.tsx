/** @module Overview: the read models of one point as tables and bars: actors by status, agents' load and success rate, the queue. */
import type { Summary } from '../inspectorApi.js';
import { statusColor } from './statusColors.js';

export function Overview({ summary, onSelect }: { summary: Summary | undefined; onSelect(address: string): void }) {
  if (!summary) return <p class="muted">Loading…</p>;
  return (
    <div class="overview" id="models">
      {Object.entries(summary.counts.kinds).map(([kind, k]) => (
        <div key={kind} class="kind-summary" data-kind={kind}>
          <div>
            <b>{kind}</b> <span class="muted">{k.total.toLocaleString('en')}</span>
          </div>
          <div
            class="bar"
            title={Object.entries(k.byStatus)
              .map(([s, n]) => `${s}: ${n}`)
              .join(', ')}
          >
            {Object.entries(k.byStatus).map(([s, n]) => (
              <span key={s} style={{ flexGrow: n, background: statusColor(s) }} />
            ))}
          </div>
          <div class="legend">
            {Object.entries(k.byStatus)
              .sort((a, b) => b[1] - a[1])
              .map(([s, n]) => (
                <span key={s} class="status-badge" data-status={s} style={{ background: statusColor(s) }}>
                  {s} {n.toLocaleString('en')}
                </span>
              ))}
          </div>
        </div>
      ))}
      {summary.agents.length > 0 && (
        <table class="agents">
          <thead>
            <tr>
              <th>agent</th>
              <th>status</th>
              <th>load</th>
              <th>ok / failed</th>
              <th>success</th>
            </tr>
          </thead>
          <tbody>
            {summary.agents.map((a) => (
              <tr key={a.id} data-agent={a.id}>
                <td>
                  <button type="button" class="link" onClick={() => onSelect(`agent:${a.id}`)}>
                    {a.id}
                  </button>
                </td>
                <td>
                  <span class="status-badge" style={{ background: statusColor(a.status) }}>
                    {a.status}
                  </span>
                </td>
                <td>{a.load}</td>
                <td>
                  {a.succeeded} / {a.failed}
                </td>
                <td>{a.successRate === null ? '–' : `${Math.round(a.successRate * 100)}%`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="queue">
        <b>Pending</b> <span class="muted">{summary.queue.length.toLocaleString('en')}, oldest first</span>
        <div class="small">{summary.queue.head.join(', ') || '–'}</div>
      </div>
    </div>
  );
}
