import { normalisePlate } from '../vision/plate-grammar.js';
import type { VehicleCategory } from '../registry/types.js';

/**
 * Fine category of an unregistered (or unmatched) vehicle from its plate alone. Motorbike plates
 * are two-line with a two-symbol series (29-B1, 29-AA); cars carry a one-letter series, on one
 * line or two. Anything else (one-line, foreign) is priced as a car and flagged for review.
 */
export function inferCategoryFromPlate(plateText: string, layout: 'one-line' | 'two-line'): { category: VehicleCategory; reason: string } {
  if (layout === 'one-line') return { category: 'car', reason: 'one-line plate' };
  const n = normalisePlate(plateText, 'vn', { layout });
  if (!n.valid) return { category: 'motorbike', reason: 'two-line plate outside the Vietnamese format' };
  if ((n.series?.length ?? 0) >= 2) return { category: 'motorbike', reason: `two-line plate with series ${n.series}` };
  return { category: 'car', reason: `two-line plate with one-letter series ${n.series}` };
}
