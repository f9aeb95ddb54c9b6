/**
 * What a model call cost, from the price table of `@pydantic/genai-prices` as shipped in the
 * installed package (pinned in package.json): never fetched at run time. A model the table does
 * not know has no cost (null), never a guess.
 *
 * The table is asked once per model for its prices (`calcPrice` takes ~80 µs a call, too slow for
 * every call of a large archive); the cost of a call is then its tokens times those prices, as the
 * table's own calculation does it (a test compares the two on every call of the corpus).
 */
import { calcPrice, type ModelPrice, type TieredPrices } from '@pydantic/genai-prices';

export interface CallTokens {
  model: string | null;
  ts: string;
  /** Input not served from cache, as the archive counts it. */
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
}

/** Prices of models whose price does not change with time (null: a model the table does not know). */
const fixedPrices = new Map<string, ModelPrice | null>();

function pricesAt(model: string, ts: string): ModelPrice | null {
  const fixed = fixedPrices.get(model);
  if (fixed !== undefined) return fixed;
  const found = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { timestamp: new Date(ts) });
  if (found === null || !Array.isArray(found.model.prices)) fixedPrices.set(model, found?.model_price ?? null);
  return found?.model_price ?? null;
}

/** USD per million tokens; a tiered price takes the tier of the call's whole input. */
function perMillion(price: number | TieredPrices | undefined, totalInput: number): number | undefined {
  if (price === undefined || typeof price === 'number') return price;
  let rate = price.base;
  for (const tier of price.tiers) if (totalInput > tier.start) rate = tier.price;
  return rate;
}

/** Cost in USD of one call, or null when the table does not know its model. */
export function callCost(call: CallTokens): number | null {
  if (call.model === null) return null;
  const prices = pricesAt(call.model, call.ts);
  if (prices === null) return null;
  const totalInput = call.input_tokens + call.cache_read_tokens + call.cache_creation_tokens;
  const input = perMillion(prices.input_mtok, totalInput) ?? 0;
  // Cached tokens the table has no price for are input like any other.
  const cacheRead = perMillion(prices.cache_read_mtok, totalInput) ?? input;
  const cacheWrite = perMillion(prices.cache_write_mtok, totalInput) ?? input;
  const output = perMillion(prices.output_mtok, totalInput) ?? 0;
  return (call.input_tokens * input + call.cache_read_tokens * cacheRead + call.cache_creation_tokens * cacheWrite + call.output_tokens * output) / 1e6;
}
