/** @module ContextView: a value as a collapsible tree of keys and typed values (not raw JSON text). */
import { useState } from 'preact/hooks';

function Leaf({ value }: { value: unknown }) {
  if (value === null) return <span class="v-null">null</span>;
  if (typeof value === 'string') return <span class="v-str">{JSON.stringify(value)}</span>;
  if (typeof value === 'number') return <span class="v-num">{String(value)}</span>;
  if (typeof value === 'boolean') return <span class="v-bool">{String(value)}</span>;
  return <span class="v-null">{String(value)}</span>;
}

function Node({ name, value, depth }: { name: string; value: unknown; depth: number }) {
  const isObj = value !== null && typeof value === 'object';
  const entries = isObj ? Object.entries(value as Record<string, unknown>) : [];
  const [open, setOpen] = useState(depth < 1 || entries.length <= 4);
  if (!isObj) {
    return (
      <div class="kv">
        <span class="k">{name}</span>: <Leaf value={value} />
      </div>
    );
  }
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  return (
    <div class="kv">
      <button type="button" class="toggle" onClick={() => setOpen(!open)} aria-expanded={open}>
        {open ? '▾' : '▸'}
      </button>
      <span class="k">{name}</span> <span class="muted">{summary}</span>
      {open && (
        <div class="nested">
          {entries.map(([k, v]) => (
            <Node key={k} name={k} value={v} depth={depth + 1} />
          ))}
        </div>
      )}
    </div>
  );
}

/**
 * The fields of an object, each expandable.
 * @example <ContextView value={actor.snapshot.context} />
 */
export function ContextView({ value, highlight = [] }: { value: unknown; highlight?: string[] }) {
  if (value === null || typeof value !== 'object') return <Leaf value={value} />;
  return (
    <div class="tree-view">
      {Object.entries(value as Record<string, unknown>).map(([k, v]) => (
        <div key={k} class={highlight.includes(k) ? 'changed' : ''}>
          <Node name={k} value={v} depth={0} />
        </div>
      ))}
    </div>
  );
}
