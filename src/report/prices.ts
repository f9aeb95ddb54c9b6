/**
 * What a model call cost, from the price table of `@pydantic/genai-prices` as shipped in the
 * installed package (pinned in package.json): never fetched at run time. A model the table does
 * not know has no cost (null), never a guess.
 *
 * The table is asked once per model and price period for its prices (`calcPrice` takes ~80 µs a
 * call, too slow for every call of a large archive); the cost of a call is then its tokens times those prices, as the
 * table's own calculation does it (a test compares the two on every call of the corpus).
 *
 * A cache write kept for an hour is priced at the table's 1-hour rate; for a model the table gives
 * none, at Anthropic's published rule for it: twice the input price.
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
  /** Of the cache writes, those kept for an hour. */
  cache_creation_1h_tokens: number;
}

/**
 * How long a price the table gave for a model holds: for ever, a UTC day (prices that start on a
 * date) or a minute (prices by time of day); null for a model the table does not know.
 */
const periods = new Map<string, 'always' | 'day' | 'minute' | null>();
const cache = new Map<string, ModelPrice>();

function pricesAt(model: string, ts: string): ModelPrice | null {
  const period = periods.get(model);
  if (period === null) return null;
  const key =
    period === 'always' ? model : period === 'day' ? `${model}\n${ts.slice(0, 10)}` : `${model}\n${ts.slice(0, 16)}`;
  const known = period === undefined ? undefined : cache.get(key);
  if (known !== undefined) return known;
  const found = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { timestamp: new Date(ts) });
  if (found === null) {
    periods.set(model, null);
    return null;
  }
  if (period === undefined) {
    const { prices } = found.model;
    periods.set(
      model,
      !Array.isArray(prices)
        ? 'always'
        : prices.every((p) => p.constraint === undefined || p.constraint.type === 'start_date')
          ? 'day'
          : 'minute',
    );
    return pricesAt(model, ts);
  }
  cache.set(key, found.model_price);
  return found.model_price;
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
  const cacheWrite1h = perMillion(prices.cache_write_1h_mtok, totalInput) ?? 2 * input;
  const output = perMillion(prices.output_mtok, totalInput) ?? 0;
  const oneHour = Math.min(call.cache_creation_1h_tokens, call.cache_creation_tokens);
  return (
    (call.input_tokens * input +
      call.cache_read_tokens * cacheRead +
      (call.cache_creation_tokens - oneHour) * cacheWrite +
      oneHour * cacheWrite1h +
      call.output_tokens * output) /
    1e6
  );
}
