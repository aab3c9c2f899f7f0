/** The ingress's webhook and relay counters (Prometheus text from /metrics), keyed `name{labels}`. */
export async function ingressCounters(ingressUrl: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  try {
    const text = await (await fetch(`${ingressUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    for (const line of text.split('\n')) {
      const m = /^(dialpad_webhook_deliveries_total|dialpad_relay_signals_total)(\{[^}]*\})? ([0-9.e+]+)$/.exec(line);
      if (m) out[`${m[1]}${m[2] ?? ''}`] = Number(m[3]);
    }
  } catch {
    // the ingress not answering is reported elsewhere
  }
  return out;
}

export function counterDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0)
      out[k.replace('dialpad_webhook_deliveries_total', 'webhook').replace('dialpad_relay_signals_total', 'relay')] = d;
  }
  return out;
}
