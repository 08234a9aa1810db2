/**
 * Metadata from a drop-folder file name, for cameras that cannot write a sidecar JSON:
 *   <yyyyMMdd>T<HHmmss>[mmm][Z|±hhmm][_token...].<ext>
 * tokens: `speed57.5`, `lane2`, `green` | `amber` | `amber800` (crossed 800 ms after amber) | `red` | `red1200` (red, 1200 ms into red), `fwd` | `rev`,
 * and for analytics cameras `ev-<event with - for _>` (e.g. `ev-no-helmet`) with `driver` | `passenger`.
 * Without a zone the time is Vietnam time (+07:00, no daylight saving). Example:
 *   20250314T081522120+0700_speed57.5_lane2.jpg
 * Returns the raw fields (validated later like any other metadata), or null if the name does not fit.
 */
export function metadataFromFileName(fileName: string): Record<string, unknown> | null {
  const base = fileName.replace(/\.[^.]+$/, '');
  const [stamp, ...tokens] = base.split('_');
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})?(Z|[+-]\d{4})?$/.exec(stamp ?? '');
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms, zone] = m;
  const offset = !zone ? '+07:00' : zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const fields: Record<string, unknown> = { captured_at: `${y}-${mo}-${d}T${h}:${mi}:${s}${ms ? `.${ms}` : ''}${offset}` };
  for (const token of tokens) {
    let t: RegExpExecArray | null;
    if ((t = /^speed(\d+(\.\d+)?)$/.exec(token))) fields.speed_kmh = t[1];
    else if ((t = /^lane(\d+)$/.exec(token))) fields.lane = t[1];
    else if ((t = /^red(\d+)?$/.exec(token))) { fields.signal_phase = 'red'; if (t[1]) fields.red_elapsed_ms = t[1]; }
    else if ((t = /^amber(\d+)$/.exec(token))) { fields.signal_phase = 'amber'; fields.amber_elapsed_ms = t[1]; }
    else if (token === 'green' || token === 'amber') fields.signal_phase = token;
    else if (token === 'fwd') fields.direction = 'forward';
    else if (token === 'rev') fields.direction = 'reverse';
    // '_' separates tokens, so the event's own underscores travel as '-'
    else if ((t = /^ev-([a-z]+(-[a-z]+)*)$/.exec(token))) fields.event = t[1]!.replaceAll('-', '_');
    else if (token === 'driver' || token === 'passenger') fields.subject = token;
    else return null; // an unknown token is more likely a different naming scheme than something to ignore
  }
  return fields;
}
