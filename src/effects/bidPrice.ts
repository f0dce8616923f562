/**
 * @module bidPrice: what a bid function may answer. Shared by the hive's `Bidders` and remote
 * workers, so a price means the same whether the agent bids in process or over NATS.
 */

/** A price to journal (null: an abstention), or why the answer is not one. */
export type PriceReading = { ok: true; price: number | null } | { ok: false; got: string };

/** The warning logged (in the hive, and on a worker) for an answer that is not a price. */
export const badPriceMessage = 'bid must be a non-negative integer or null; counted as an abstention';

/**
 * Reads a bid function's answer: a non-negative safe integer or null; anything else is refused.
 * @example readPrice(3) // { ok: true, price: 3 }
 * @example readPrice(-1) // { ok: false, got: '-1' }
 */
export function readPrice(value: unknown): PriceReading {
  if (value === null) return { ok: true, price: null };
  // -0 becomes 0, as the journal keeps it.
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return { ok: true, price: value + 0 };
  return { ok: false, got: describe(value) };
}

function describe(value: unknown): string {
  try {
    return String(value).slice(0, 200);
  } catch {
    return typeof value; // a Symbol.toPrimitive that throws, an object without a prototype
  }
}
